"""The HTML view of a graph collected part by part, without the graph in memory.

:class:`KnowledgeGraph` computes its views (``to_networkx``, ``documents``, ``mentions``)
from the RDF; a corpus build streams its statements to files and never holds them, so it
collects the same views from the plan and each document's part instead. Both give equal
results: a test compares them on the seeds and the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import networkx as nx

from .build import GraphPlan
from .model import DocumentText, MentionSpan


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
    def mentions(self) -> Sequence[MentionSpan]: ...
    @property
    def assertions(self) -> Sequence[tuple[str, str, str, str, str, str]]: ...


class ViewCollector:
    """Collects the nodes, edges, texts and mentions of the parts added to it."""

    def __init__(self, plan: GraphPlan) -> None:
        self._plan = plan
        self._texts: list[DocumentText] = []
        self._mentions: list[MentionSpan] = []
        self._documents_of: dict[str, set[str]] = {}
        self._edges: dict[str, tuple[str, str, dict[str, Any]]] = {}

    def add(self, part: PartView) -> None:
        """Take in what the view shows of one document."""
        self._texts.append(part.text)
        self._mentions.extend(part.mentions)
        for entity in part.entities:
            self._documents_of.setdefault(entity, set()).add(part.name)
            attrs = {
                "type": "mentionedIn",
                "evidence": "",
                "rule": "mention",
                "document": part.name,
            }
            self._edges[f"{entity} mentionedIn {part.iri}"] = (entity, part.iri, attrs)
        for node, head, tail, rel_type, evidence, rule in part.assertions:
            attrs = {"type": rel_type, "evidence": evidence, "rule": rule, "document": part.name}
            self._edges[node] = (head, tail, attrs)

    def documents(self) -> list[DocumentText]:
        """The documents added, sorted by name (as ``KnowledgeGraph.documents``)."""
        return sorted(self._texts, key=lambda d: (d.name, d.iri))

    def mentions(self) -> list[MentionSpan]:
        """Their mentions, sorted by document, span, entity (as ``KnowledgeGraph.mentions``)."""
        return sorted(self._mentions, key=lambda m: (m.document, m.start, m.end, m.entity))

    def to_networkx(self) -> nx.MultiDiGraph:
        """The view ``KnowledgeGraph.to_networkx`` gives of the same graph."""
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
        view = nx.MultiDiGraph()
        for iri in sorted(nodes):
            view.add_node(iri, **nodes[iri])
        for key in sorted(self._edges):
            head, tail, attrs = self._edges[key]
            view.add_edge(head, tail, key=key, **attrs)
        return view
