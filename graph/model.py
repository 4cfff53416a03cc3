"""The knowledge graph: one rdflib graph, its stable serialisations and its networkx view.

The networkx view is computed from the RDF alone, so a graph read back from Turtle
(``load_turtle``) gives the same view as the graph that was built.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from rdflib import Graph
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS
from rdflib.term import Node

from . import terms
from .terms import Triple
from .turtle import ntriples_body, turtle
from .vocab import ENTITY_CLASSES, NIF, PKG, RELATION_PROPERTIES, new_graph

#: Formats policykg writes itself, in the stable order of ``policykg.graph.turtle``.
TURTLE_FORMATS = frozenset({"turtle", "ttl", "text/turtle"})
NTRIPLES_FORMATS = frozenset({"nt", "ntriples", "nt11", "application/n-triples"})
#: Other formats with one statement per line: their lines are sorted to make output stable.
LINE_FORMATS = frozenset({"nquads", "application/n-quads"})

_TYPE_OF_CLASS: dict[Node, str] = {
    iri: str(entity_type) for entity_type, iri in ENTITY_CLASSES.items()
}
_TYPE_OF_PROPERTY: dict[Node, str] = {
    iri: str(rel_type) for rel_type, iri in RELATION_PROPERTIES.items()
}


@dataclass(frozen=True, slots=True)
class DocumentText:
    """A document of the graph: its node, name (``dcterms:identifier``), title and text.

    ``text`` is ``nif:isString``, the text the offsets of mentions and evidence count in
    (``""`` when the graph was built without it); ``title`` is ``dcterms:title`` or ``""``.
    """

    iri: str
    name: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class MentionSpan:
    """One mention of an entity: ``text[start:end]`` of the document named ``document``."""

    entity: str
    document: str
    start: int
    end: int
    text: str
    rule: str

    def __reduce__(self) -> tuple[type[MentionSpan], tuple[str, str, int, int, str, str]]:
        """Pickled as its fields, made again by its constructor: a corpus build sends
        hundreds of thousands between processes, and the default state of a frozen class
        with slots is several times slower to read back."""
        return MentionSpan, (self.entity, self.document, self.start, self.end, self.text, self.rule)


@dataclass
class KnowledgeGraph:
    """An RDF graph in the policykg vocabulary (see ``ontology.ttl``)."""

    rdf: Graph = field(default_factory=new_graph)

    def __len__(self) -> int:
        """The number of triples."""
        return len(self.rdf)

    @classmethod
    def from_triples(cls, triples: Iterable[Triple]) -> KnowledgeGraph:
        """The graph of statements given as N-Triples term strings (``policykg.graph.terms``)."""
        graph = new_graph()
        made: dict[str, Node] = {}
        for triple in triples:
            s, p, o = (made.get(t) or made.setdefault(t, terms.node(t)) for t in triple)
            graph.add((s, p, o))
        return cls(graph)

    def triples(self) -> set[Triple]:
        """Every statement as N-Triples term strings."""
        made: dict[Node, str] = {}
        return {
            tuple(made.get(n) or made.setdefault(n, terms.term(n)) for n in triple)  # type: ignore[misc]
            for triple in self.rdf
        }

    def serialize(self, format: str = "turtle") -> str:
        """The graph in an rdflib format; the same graph always gives the same string.

        Turtle and N-Triples are written in the stable order of :mod:`policykg.graph.turtle`
        (the order a corpus build streams them in); line-based formats rdflib writes are
        sorted here. Other formats are passed through as rdflib writes them.
        """
        if format in TURTLE_FORMATS:
            return turtle(self.triples())
        if format in NTRIPLES_FORMATS:
            return ntriples_body(self.triples())
        text = self.rdf.serialize(format=format)
        if format in LINE_FORMATS:
            # split at "\n" only: str.splitlines also splits at \v, \f, \x1c-\x1e, \x85 and
            # U+2028/9, which N-Triples keeps unescaped inside literals
            lines = sorted(line for line in text.split("\n") if line.strip())
            text = "".join(f"{line}\n" for line in lines)
        return text

    def documents(self) -> list[DocumentText]:
        """Every document node with its name, title and text, sorted by name."""
        g = self.rdf
        docs = []
        for doc in set(g.subjects(RDF.type, PKG.Document)):
            docs.append(
                DocumentText(
                    iri=str(doc),
                    name=_text(_first(g.objects(doc, DCTERMS.identifier))) or str(doc),
                    title=_text(_first(g.objects(doc, DCTERMS.title))),
                    text=_text(_first(g.objects(doc, NIF.isString))),
                )
            )
        return sorted(docs, key=lambda d: (d.name, d.iri))

    def mentions(self) -> list[MentionSpan]:
        """Every (entity, mention) pair with known offsets, sorted by document, span, entity.

        A span two entities share (``pkg:mention`` of both) is listed once for each.
        """
        g = self.rdf
        names = {
            doc: _text(_first(g.objects(doc, DCTERMS.identifier))) or str(doc)
            for doc in g.subjects(RDF.type, PKG.Document)
        }
        spans = []
        for entity, span in g.subject_objects(PKG.mention):
            doc = _first(g.objects(span, NIF.referenceContext))
            start = _first(g.objects(span, NIF.beginIndex))
            end = _first(g.objects(span, NIF.endIndex))
            if doc not in names or start is None or end is None:
                continue
            spans.append(
                MentionSpan(
                    entity=str(entity),
                    document=names[doc],
                    start=int(str(start)),
                    end=int(str(end)),
                    text=_text(_first(g.objects(span, NIF.anchorOf))),
                    rule=_text(_first(g.objects(span, PKG.rule))),
                )
            )
        return sorted(spans, key=lambda m: (m.document, m.start, m.end, m.entity))

    def to_networkx(self) -> nx.MultiDiGraph:
        """The view the HTML writer draws: entity and document nodes, assertion edges.

        Nodes are keyed by IRI. Entity nodes: ``kind="entity"``, ``type`` (e.g. "Policy"),
        ``label``, ``aliases`` (sorted), ``documents`` (sorted names). Document nodes:
        ``kind="document"``, ``type="Document"``, ``label`` (title, else name),
        ``aliases=[]``, ``documents=[name]``. One edge per assertion, keyed by its IRI, with
        ``type``, ``evidence``, ``rule``, ``document``; one ``mentionedIn`` edge per entity and
        document, keyed ``"<entity> mentionedIn <document>"``. Nodes and edges are inserted
        in sorted key order.
        """
        g = self.rdf
        nodes: dict[str, dict[str, Any]] = {}
        edges: dict[str, tuple[str, str, dict[str, Any]]] = {}

        names: dict[Node, str] = {}
        for doc in g.subjects(RDF.type, PKG.Document):
            name = _text(_first(g.objects(doc, DCTERMS.identifier))) or str(doc)
            names[doc] = name
            nodes[str(doc)] = {
                "kind": "document",
                "type": "Document",
                "label": _text(_first(g.objects(doc, DCTERMS.title))) or name,
                "aliases": [],
                "documents": [name],
            }

        for cls in sorted(_TYPE_OF_CLASS, key=str):
            for ent in g.subjects(RDF.type, cls):
                if str(ent) in nodes:
                    continue
                docs = sorted((d for d in g.objects(ent, PKG.mentionedIn) if d in names), key=str)
                nodes[str(ent)] = {
                    "kind": "entity",
                    "type": _TYPE_OF_CLASS[cls],
                    "label": _text(_first(g.objects(ent, SKOS.prefLabel))),
                    "aliases": sorted({_text(a) for a in g.objects(ent, SKOS.altLabel)}),
                    "documents": sorted({names[d] for d in docs}),
                }
                for doc in docs:
                    key = f"{ent} mentionedIn {doc}"
                    attrs = {
                        "type": "mentionedIn",
                        "evidence": "",
                        "rule": "mention",
                        "document": names[doc],
                    }
                    edges[key] = (str(ent), str(doc), attrs)

        for assertion in g.subjects(RDF.type, PKG.Assertion):
            head = _first(g.objects(assertion, RDF.subject))
            prop = _first(g.objects(assertion, RDF.predicate))
            tail = _first(g.objects(assertion, RDF.object))
            rel_type = _TYPE_OF_PROPERTY.get(prop) if prop is not None else None
            if str(head) not in nodes or str(tail) not in nodes or rel_type is None:
                continue
            source = _first(g.objects(assertion, PROV.wasDerivedFrom))
            edges[str(assertion)] = (
                str(head),
                str(tail),
                {
                    "type": rel_type,
                    "evidence": _text(_first(g.objects(assertion, PKG.evidence))),
                    "rule": _text(_first(g.objects(assertion, PKG.rule))),
                    "document": names.get(source, "") if source is not None else "",
                },
            )

        view = nx.MultiDiGraph()
        for iri in sorted(nodes):
            view.add_node(iri, **nodes[iri])
        for key in sorted(edges):
            head_iri, tail_iri, attrs = edges[key]
            view.add_edge(head_iri, tail_iri, key=key, **attrs)
        return view


def _first(values: Iterable[Node]) -> Node | None:
    """The smallest of several values (deterministic where rdflib's order is not)."""
    return min(values, key=lambda node: (str(node), repr(node)), default=None)


def _text(node: Node | None) -> str:
    """A literal's lexical form or an IRI's string; "" for nothing."""
    return "" if node is None else str(node)
