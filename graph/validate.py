"""SHACL validation of a knowledge graph against the packaged shapes (``shapes.ttl``).

pyshacl runs the shapes without inference (they name every class they accept, so no
subclass reasoning is needed) on the graph as it is. Its report graph is turned into
:class:`Violation` records that name each focus node by its label, so that a person can
find it: an entity by its preferred label, a document by its name, a mention by its text,
an assertion as "head relation tail".
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, SKOS
from rdflib.term import Node

from .model import KnowledgeGraph
from .vocab import NIF, PKG, curie, new_graph

__all__ = ["ValidationReport", "Violation", "describe", "load_shapes", "validate_graph"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result: where (focus node and its label, path), what (value), and why.

    ``focus`` is an IRI; ``value`` an IRI (``value_is_iri``) or a literal's lexical form,
    "" when the result has none; ``label`` and ``value_label`` what :func:`describe` calls
    them; ``path`` and ``shape`` compact IRIs (``pkg:deploys``), "" when there is none;
    ``severity`` "Violation", "Warning" or "Info".
    """

    focus: str
    label: str
    path: str
    value: str
    value_label: str
    message: str
    severity: str
    shape: str
    value_is_iri: bool = False


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Whether a graph conforms to the shapes, its size, and every result, sorted."""

    conforms: bool
    triples: int
    violations: tuple[Violation, ...]


def load_shapes() -> Graph:
    """The packaged SHACL shapes (``shapes.ttl``) as a graph."""
    resource = importlib.resources.files(__package__ or "policykg.graph") / "shapes.ttl"
    graph = new_graph()
    graph.parse(data=resource.read_text(encoding="utf-8"), format="turtle")
    return graph


def validate_graph(graph: KnowledgeGraph, shapes: Graph | None = None) -> ValidationReport:
    """Validate ``graph`` against ``shapes`` (default: :func:`load_shapes`).

    The graph is not changed (no inference is run). Results are sorted by focus node,
    path, value and message.
    """
    conforms, results, _ = shacl_validate(
        graph.rdf,
        shacl_graph=shapes if shapes is not None else load_shapes(),
        inference="none",
        inplace=True,
        allow_warnings=False,
    )
    if not isinstance(results, Graph):
        raise TypeError(f"pyshacl returned a {type(results).__name__} report, not a graph")
    violations = sorted(
        (
            _violation(graph.rdf, results, node)
            for node in results.subjects(RDF.type, SH.ValidationResult)
        ),
        key=lambda v: (v.focus, v.path, v.value, v.message, v.shape),
    )
    return ValidationReport(bool(conforms), len(graph.rdf), tuple(dict.fromkeys(violations)))


def _violation(data: Graph, results: Graph, node: Node) -> Violation:
    focus = _first(results.objects(node, SH.focusNode))
    path = _first(results.objects(node, SH.resultPath))
    value = _first(results.objects(node, SH.value))
    message = _first(results.objects(node, SH.resultMessage))
    severity = _first(results.objects(node, SH.resultSeverity))
    shape = _first(results.objects(node, SH.sourceShape))
    return Violation(
        focus=_text(focus),
        label=describe(data, focus),
        path=curie(str(path)) if isinstance(path, URIRef) else "",
        value=_text(value),
        value_label=describe(data, value),
        message=_text(message),
        severity=str(severity).removeprefix(str(SH)) if severity is not None else "",
        shape=curie(str(shape)) if isinstance(shape, URIRef) else "",
        value_is_iri=isinstance(value, URIRef),
    )


def describe(graph: Graph, node: Node | None) -> str:
    """What a person calls a node of the graph: its label, name or text; "" if none.

    Entity: ``skos:prefLabel`` (else an ``skos:altLabel``); document:
    ``dcterms:identifier``; mention: ``nif:anchorOf``; merge record: ``pkg:surfaceForm``;
    assertion: "head relation tail" by their labels.
    """
    if not isinstance(node, URIRef):
        return ""
    for prop in (SKOS.prefLabel, SKOS.altLabel, DCTERMS.identifier, NIF.anchorOf, PKG.surfaceForm):
        label = _first(graph.objects(node, prop))
        if isinstance(label, Literal):
            return str(label)
    if (node, RDF.type, PKG.Assertion) in graph:
        head = describe(graph, _first(graph.objects(node, RDF.subject)))
        relation = _first(graph.objects(node, RDF.predicate))
        tail = describe(graph, _first(graph.objects(node, RDF.object)))
        name = curie(str(relation)).removeprefix("pkg:") if relation is not None else "?"
        return f"{head or '?'} {name} {tail or '?'}"
    return ""


def _first(values: Iterable[Node]) -> Node | None:
    """The smallest of several values (deterministic where rdflib's order is not)."""
    return min(values, key=lambda n: (str(n), repr(n)), default=None)


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)
