"""RDF terms as N-Triples strings: the graph's wire form, made without rdflib objects.

A corpus graph has millions of triples, and rdflib terms are slow to make and large to
hold, so the build writes each term once as the string N-Triples gives it (``<iri>``,
``"text"@zh``, ``"5"^^<…#nonNegativeInteger>``) and serialisations are joined from those
strings. Escaping is N-Triples' (and Turtle's short string's): backslash, double quote,
line feed and carriage return; every other character stays as it is, as rdflib writes it.
"""

from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

#: One triple: subject, predicate and object, each an N-Triples term string.
Triple = tuple[str, str, str]

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_UNESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r"}
_ESCAPED_RE = re.compile(r'\\([\\"nr])')


def iri(value: str) -> str:
    """``<value>``: the N-Triples form of an IRI (policykg mints only IRIs that need no
    escaping: see ``policykg.graph.iris``)."""
    return f"<{value}>"


def literal(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    """The N-Triples form of a literal: a language-tagged one, a typed one or a plain one."""
    if '"' in value or "\\" in value or "\n" in value or "\r" in value:
        value = value.translate(_ESCAPES)
    quoted = f'"{value}"'
    if lang is not None:
        return f"{quoted}@{lang}"
    if datatype is not None:
        return f"{quoted}^^<{datatype}>"
    return quoted


def term(node: Node) -> str:
    """The N-Triples string of an rdflib IRI or literal (the graph has no blank nodes)."""
    if isinstance(node, URIRef):
        return iri(str(node))
    if isinstance(node, Literal):
        datatype = None if node.datatype is None else str(node.datatype)
        return literal(str(node), node.language, datatype)
    if isinstance(node, BNode):  # not in policykg's graphs; a graph read from elsewhere may
        return f"_:{node}"
    raise ValueError(f"not an RDF term of a graph: {node!r}")


def node(text: str) -> Node:
    """The rdflib term of an N-Triples term string made by :func:`iri` or :func:`literal`."""
    if text.startswith("<"):
        return URIRef(text[1:-1])
    if text.startswith("_:"):
        return BNode(text[2:])
    if text.endswith('"'):
        return Literal(_unescape(text[1:-1]))
    if text.endswith(">"):
        quoted, datatype = text.rsplit("^^<", 1)
        return Literal(_unescape(quoted[1:-1]), datatype=URIRef(datatype[:-1]))
    quoted, lang = text.rsplit("@", 1)
    return Literal(_unescape(quoted[1:-1]), lang=lang)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPED_RE.sub(lambda m: _UNESCAPES[m.group(1)], text)


def ntriples_line(triple: Triple) -> str:
    """One N-Triples statement with its line end."""
    s, p, o = triple
    return f"{s} {p} {o} .\n"
