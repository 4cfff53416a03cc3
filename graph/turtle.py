"""Turtle and N-Triples from N-Triples term strings, in one stable order, part by part.

The order is total and does not depend on how the triples were collected, so a graph built
in memory and a corpus graph written document by document give the same bytes:

- statements are grouped in *parts*: first each document's statements, by document key:
  those about its own nodes (the document, its mentions, its assertions and merge records,
  whose IRIs carry the document's key) and its entities' links to them (``pkg:mention``,
  ``pkg:mentionedIn``); then everything else (the entities' descriptions and the relation
  triples, which several documents may share), last;
- inside a part, subjects are sorted; a subject's ``rdf:type`` comes first, then its other
  predicates by IRI, each predicate's objects sorted.

A writer that streams a corpus writes the document parts as it goes and the shared part at
the end; it never holds more than one document's statements and the shared ones.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Set
from functools import lru_cache

from .terms import Triple, iri, ntriples_line
from .vocab import PKG, PREFIXES

#: Statements grouped by subject: each subject's (predicate, object) pairs.
Statements = Mapping[str, Set[tuple[str, str]]]

#: The part key of everything that belongs to no single document; sorts after every key.
SHARED_PART = "\U0010ffff"

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#: The IRIs of a document's own nodes: ``…/doc/<key>``, ``…/(mention|assertion|merge)/<key>/…``.
_PART_RE = re.compile(r"/(?:doc/([^/>]+)>$|(?:mention|assertion|merge)/([^/>]+)/[^/>]+>$)")
#: Predicates whose statements belong to the part of their object (an entity's link to a
#: document or to one of its mentions), not of their subject.
_OBJECT_PART = frozenset({iri(str(PKG.mention)), iri(str(PKG.mentionedIn))})
_PREFIX_OF = {str(ns): prefix for prefix, ns in PREFIXES.items()}
#: A local name Turtle can write after ``prefix:`` (a conservative subset of PN_LOCAL).
_LOCAL_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# Every namespace ends in "/" or "#", which a local name never holds: so an IRI's namespace,
# if it has one of them, is the IRI up to its last "/" or "#" (see _short).
assert all(ns.endswith(("/", "#")) for ns in _PREFIX_OF), "a namespace must end in / or #"


def part_of(subject: str) -> str:
    """The document key of a document's own node (:data:`SHARED_PART` for other nodes)."""
    found = _PART_RE.search(subject)
    if found is None:
        return SHARED_PART
    return found.group(1) or found.group(2)


def part_of_triple(triple: Triple) -> str:
    """The part a statement is written in: its subject's document, or for an entity's link
    to a document's node, its object's; shared (:data:`SHARED_PART`) when neither."""
    subject, predicate, obj = triple
    return part_of(obj if predicate in _OBJECT_PART else subject)


def turtle_header() -> str:
    """The prefix lines every policykg Turtle file starts with, and a blank line."""
    lines = [f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in sorted(PREFIXES.items())]
    return "".join(lines) + "\n"


def turtle_body(triples: Iterable[Triple]) -> str:
    """The statements of ``triples`` in Turtle, grouped by subject, in the stable order."""
    return "".join(turtle_part(part) for _, part in by_part(triples))


def turtle_part(triples: Iterable[Triple]) -> str:
    """The statements of one part (:func:`part_of_triple`) in Turtle, in the stable order."""
    return turtle_statements(by_subject(triples))


def turtle_statements(statements: Statements) -> str:
    """:func:`turtle_part` of statements already grouped by subject (as a document's part
    makes them: no triple set to build, and only its subjects to sort)."""
    return "".join(_turtle_block(s, sorted(statements[s])) for s in sorted(statements))


def ntriples_body(triples: Iterable[Triple]) -> str:
    """The statements of ``triples`` in N-Triples, one a line, in the stable order."""
    return "".join(ntriples_part(part) for _, part in by_part(triples))


def ntriples_part(triples: Iterable[Triple]) -> str:
    """The statements of one part (:func:`part_of_triple`) in N-Triples, in the stable
    order."""
    return "".join(ntriples_line(t) for t in sorted(set(triples)))


def ntriples_statements(statements: Statements) -> str:
    """:func:`ntriples_part` of statements grouped by subject."""
    return "".join(f"{s} {p} {o} .\n" for s in sorted(statements) for p, o in sorted(statements[s]))


def by_subject(triples: Iterable[Triple]) -> dict[str, set[tuple[str, str]]]:
    """``triples`` grouped by subject (duplicates dropped)."""
    grouped: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
    for s, p, o in triples:
        grouped[s].add((p, o))
    return grouped


def triples_of(statements: Statements) -> Iterator[Triple]:
    """Statements grouped by subject (as :func:`by_subject` makes them) as triples again."""
    return ((s, p, o) for s, pairs in statements.items() for p, o in pairs)


def turtle(triples: Iterable[Triple]) -> str:
    """A whole Turtle document: the prefixes, then the statements."""
    return turtle_header() + turtle_body(triples)


def by_part(triples: Iterable[Triple]) -> list[tuple[str, list[Triple]]]:
    """``triples`` split into their parts (:func:`part_of_triple`), in part order."""
    parts: dict[str, list[Triple]] = {}
    for triple in triples:
        parts.setdefault(part_of_triple(triple), []).append(triple)
    return sorted(parts.items())


def _turtle_block(subject: str, statements: list[tuple[str, str]]) -> str:
    """One subject's statements (sorted (predicate, object) pairs) in Turtle."""
    lines: list[str] = []
    verb, line = "", 0
    for predicate, obj in statements:
        if predicate == verb:
            lines[line] += ", " + _short(obj)
            continue
        verb = predicate
        if predicate == _RDF_TYPE:  # "a" comes first
            lines.insert(0, "a " + _short(obj))
            line = 0
        else:
            lines.append(f"{_verb(predicate)} {_short(obj)}")
            line = len(lines) - 1
    return f"{subject} " + " ;\n    ".join(lines) + " .\n\n"


@lru_cache(maxsize=1024)
def _verb(predicate: str) -> str:
    return _short(predicate)


def _short(node: str) -> str:
    """A term with its IRI (or its literal's datatype) as ``prefix:local`` where it can be."""
    first = node[0]
    if first == "<":
        # most IRIs are instances, in no namespace with a prefix: one C call says so
        return _short_iri(node) if node.startswith(_PREFIXED) else node
    if first == '"' and node[-1] == ">":
        quoted, datatype = node.rsplit("^^", 1)
        return f"{quoted}^^{_verb(datatype)}"
    return node


#: What an IRI in a namespace with a prefix starts with.
_PREFIXED = tuple(f"<{ns}" for ns in _PREFIX_OF)


@lru_cache(maxsize=4096)
def _short_iri(node: str) -> str:
    """An IRI as ``prefix:local`` when its namespace has a prefix and its local name can
    be written so (the vocabulary's terms, which recur: hence the cache)."""
    cut = max(node.rfind("/"), node.rfind("#")) + 1
    prefix = _PREFIX_OF.get(node[1:cut])
    if prefix is None or not _LOCAL_RE.fullmatch(node, cut, len(node) - 1):
        return node
    return f"{prefix}:{node[cut:-1]}"
