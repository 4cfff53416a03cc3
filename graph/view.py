"""The HTML view of a graph collected part by part, without the graph in memory.

:class:`KnowledgeGraph` computes its views (``to_networkx``, ``documents``) from the RDF;
a corpus build streams its statements to files and never holds them, so it collects the
same views from the plan and each document's part instead. Both give equal
results: a test compares them on the seeds and the corpus.

A corpus view has ~600,000 edges at 1,000 documents, and a networkx graph of them took
seconds to make and to walk; :meth:`ViewCollector.graph_view` gives the same nodes and
edges as plain dicts and tuples (:class:`GraphView`), which the graph page and the build's
counts read instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import networkx as nx

from .build import GraphPlan
from .model import DocumentText


class PartView(Protocol):
    """What the view takes of a document's part (a :class:`~.build.DocumentPart`, or a
    share a build made of one)."""

    @property
    def name(self) -> str: ...
    @property
    def iri(self) -> str: ...
    @property
    def text(self) -> DocumentText: ...
    @property
    def entities(self) -> Sequence[str]: ...
    @property
    def assertions(self) -> Sequence[tuple[str, str, str, str, str, str]]: ...


@dataclass(frozen=True)
class GraphView:
    """The networkx view's nodes and edges as plain data, to read without networkx's cost.

    ``nodes`` maps each node IRI to its attributes, sorted by IRI; ``edges`` holds each edge as
    (head, tail, key, attributes), in no particular order. The attribute dicts are shared
    with the collector: read them, do not change them.
    """

    nodes: dict[str, dict[str, Any]]
    edges: list[tuple[str, str, str, dict[str, Any]]]

    def to_networkx(self) -> nx.MultiDiGraph:
        """The same graph as a networkx ``MultiDiGraph`` (nodes by IRI, edges by key)."""
        view = nx.MultiDiGraph()
        view.add_nodes_from(self.nodes.items())
        for head, tail, key, attrs in sorted(self.edges, key=lambda edge: edge[2]):
            view.add_edge(head, tail, key=key, **attrs)
        return view

    def entities(self) -> int:
        """How many entity nodes (not documents) the graph has."""
        return sum(1 for attrs in self.nodes.values() if attrs.get("kind") == "entity")

    def relations(self) -> int:
        """How many distinct (head, tail, relation) the edges state, mentions left out."""
        return len(
            {
                (head, tail, attrs.get("type"))
                for head, tail, _, attrs in self.edges
                if attrs.get("type") != "mentionedIn"
            }
        )


class ViewCollector:
    """Collects the nodes, edges, texts and mentions of the parts added to it."""

    def __init__(self, plan: GraphPlan) -> None:
        self._plan = plan
        self._texts: list[DocumentText] = []
        self._documents_of: dict[str, set[str]] = {}
        self._edges: dict[str, tuple[str, str, dict[str, Any]]] = {}
        self._stated: set[tuple[str, str, str]] = set()

    def add(self, part: PartView) -> None:
        """Take in what the view shows of one document."""
        self._texts.append(part.text)
        # one attribute dict for all the document's mention edges (read only, as all are):
        # a corpus has 240,000 such edges
        name = part.name
        mentioned = {"type": "mentionedIn", "evidence": "", "rule": "mention", "document": name}
        for entity in part.entities:
            self._documents_of.setdefault(entity, set()).add(name)
            self._edges[f"{entity} mentionedIn {part.iri}"] = (entity, part.iri, mentioned)
        for node, head, tail, rel_type, evidence, rule in part.assertions:
            attrs = {"type": rel_type, "evidence": evidence, "rule": rule, "document": name}
            self._edges[node] = (head, tail, attrs)
            if rel_type != "mentionedIn":
                self._stated.add((head, tail, rel_type))

    def relations(self) -> int:
        """:meth:`GraphView.relations` of :meth:`graph_view`, counted as the parts come (a
        corpus view's 600,000 edges took 0.5 s to walk again at the end)."""
        return len(self._stated)

    def documents(self) -> list[DocumentText]:
        """The documents added, sorted by name (as ``KnowledgeGraph.documents``)."""
        return sorted(self._texts, key=lambda d: (d.name, d.iri))

    def to_networkx(self) -> nx.MultiDiGraph:
        """The view ``KnowledgeGraph.to_networkx`` gives of the same graph."""
        return self.graph_view().to_networkx()

    def graph_view(self) -> GraphView:
        """The nodes and edges of :meth:`to_networkx`, as plain data (:class:`GraphView`)."""
        nodes: dict[str, dict[str, Any]] = {}
        for doc in self._texts:
            nodes[doc.iri] = {
                "kind": "document",
                "type": "Document",
                "label": doc.title or doc.name,
                "aliases": [],
                "documents": [doc.name],
            }
        for node in self._plan.nodes:
            nodes[node.iri] = {
                "kind": "entity",
                "type": str(node.type),
                "label": node.label,
                "aliases": sorted(set(node.aliases)),
                "documents": sorted(self._documents_of.get(node.iri, ())),
            }
        edges = [(head, tail, key, attrs) for key, (head, tail, attrs) in self._edges.items()]
        return GraphView({iri: nodes[iri] for iri in sorted(nodes)}, edges)
