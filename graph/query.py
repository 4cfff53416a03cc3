"""SPARQL over a knowledge graph, and reading a graph back from Turtle.

Queries run on the local graph only: the policykg prefixes are pre-bound (``pkg:Task``
needs no PREFIX line), and SERVICE, FROM and FROM NAMED, which would make rdflib fetch
data over the network, are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pyparsing import ParseBaseException
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.query import Result, ResultRow

from .model import KnowledgeGraph
from .vocab import PREFIXES, new_graph

QueryKind = Literal["select", "ask", "construct"]


class QueryError(ValueError):
    """A query that cannot be run; the message names the problem in one line."""


@dataclass(frozen=True)
class QueryResult:
    """The answer to a query, as plain strings.

    ``select``: ``variables`` and ``rows`` (IRIs as their string, literals as their lexical
    form, unbound as None). ``ask``: ``boolean``. ``construct`` (CONSTRUCT and DESCRIBE):
    ``graph``, with the policykg prefixes bound.
    """

    kind: QueryKind
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[str | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None


def run_query(graph: KnowledgeGraph, sparql: str) -> QueryResult:
    """Run a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query; QueryError when it is bad."""
    try:
        prepared = prepareQuery(sparql, initNs=PREFIXES)
    except ParseBaseException as exc:
        raise QueryError(f"SPARQL syntax error: {_one_line(exc)}") from None
    except Exception as exc:  # rdflib raises a bare Exception for an unknown prefix
        raise QueryError(f"invalid SPARQL query: {_one_line(exc)}") from None
    _refuse_remote(prepared.algebra)
    try:
        result = graph.rdf.query(prepared)
    except Exception as exc:  # evaluation errors come as many rdflib and Python types
        raise QueryError(f"SPARQL query failed: {_one_line(exc)}") from None
    return _convert(result)


def load_turtle(data: str) -> KnowledgeGraph:
    """A knowledge graph from a Turtle string (the caller reads the file); ValueError if bad."""
    graph = new_graph()
    try:
        graph.parse(data=data, format="turtle")
    except Exception as exc:  # rdflib's parser raises its own BadSyntax and others
        raise ValueError(f"invalid Turtle: {_one_line(exc)}") from None
    return KnowledgeGraph(graph)


def _convert(result: Result) -> QueryResult:
    if result.type == "ASK":
        return QueryResult("ask", boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        out = new_graph()
        if result.graph is not None:
            for triple in result.graph:
                out.add(triple)
        return QueryResult("construct", graph=out)
    variables = [str(var) for var in result.vars or []]
    rows: list[tuple[str | None, ...]] = [
        tuple(None if value is None else str(value) for value in row)
        for row in result
        if isinstance(row, ResultRow)
    ]
    return QueryResult("select", variables=variables, rows=rows)


def _refuse_remote(node: object) -> None:
    """QueryError when the query would fetch data: SERVICE, FROM, FROM NAMED."""
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            raise QueryError(f"SERVICE <{node.get('term')}> is not supported: queries run offline")
        if node.name == "DatasetClause":
            raise QueryError("FROM and FROM NAMED are not supported: queries run on this graph")
        for value in node.values():
            _refuse_remote(value)
    elif isinstance(node, list | tuple):
        for item in node:
            _refuse_remote(item)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
