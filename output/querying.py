"""Queries on a graph: a Turtle file loaded into Oxigraph, or a store folder opened read-only.

Split from :mod:`policykg.output.api`, which re-exports these names, so that ``policykg
query`` imports pyoxigraph and this package's query modules, not spaCy, rdflib, networkx or
pyshacl: on a store folder the command answers in a fraction of a second, not two.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from policykg.graph.paging import run_page
from policykg.graph.query import NamedQuery, QueryResult, QueryStore, named_queries

from .errors import Errors, OutputError
from .stores import open_store, read_keys

__all__ = [
    "NAMED_LIMIT",
    "list_queries",
    "load_store",
    "named_query",
    "query",
    "query_named",
    "read_query",
]

StrPath = str | os.PathLike[str]


def load_store(path: StrPath) -> QueryStore:
    """A graph read from a Turtle file into an Oxigraph store, for queries, or a store
    folder written by ``build(store=...)``, opened read-only (nothing is parsed).

    :class:`OutputError` names an unusable file (as :func:`~policykg.output.api.load_graph`
    does) or folder (E140 not a policykg store, E142 another format version, E144 Oxigraph
    cannot open it).
    """
    if Path(path).is_dir():
        return open_store(path)[0]
    try:
        return QueryStore.from_turtle(_read_utf8(path, Errors.E120).encode("utf-8"))
    except ValueError as exc:
        raise OutputError(Errors.E121.format(path=os.fspath(path), reason=exc)) from None


def _read_utf8(path: StrPath, error: str) -> str:
    """The text of a UTF-8 file (a BOM dropped); OutputError from the ``error`` template
    (``{path}``, ``{reason}``) when it cannot be read or is not UTF-8, with the file offset."""
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(error.format(path=name, reason=reason)) from None
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 at byte {exc.start + len(data) - len(body)}"
        raise OutputError(error.format(path=name, reason=reason)) from None


def query(graph_path: StrPath, sparql: str, max_rows: int | None = None) -> QueryResult:
    """Run a SPARQL query on the graph in a Turtle file or a store folder (policykg prefixes
    pre-bound).

    The graph is loaded into an Oxigraph store, or the store folder opened
    (:func:`load_store`); ``max_rows`` cuts a longer result (``QueryResult.truncated``).
    :class:`~policykg.graph.QueryError` (a ``ValueError``) when the query is bad.
    """
    if not sparql.strip():
        raise OutputError(Errors.E123)
    return load_store(graph_path).query(sparql, max_rows)


#: The rows a named query shows unless told otherwise (``policykg query --named``).
NAMED_LIMIT: Final = 100


def query_named(
    graph_path: StrPath, name: str, limit: int | None = NAMED_LIMIT, offset: int = 0
) -> QueryResult:
    """Rows ``offset`` to ``offset + limit`` of the named query ``name`` (all from ``offset``
    when ``limit`` is None or 0) on the graph in a Turtle file or a store folder;
    ``truncated`` says that more rows follow.

    Queries that declare keys find a page a few keys at a time
    (:mod:`policykg.graph.paging`), so that the first page of a corpus graph comes fast; a
    store folder has its keys already (:func:`~policykg.output.stores.read_keys`).
    :class:`OutputError`: E124 for an unknown name, E128 for a negative limit or offset.
    """
    named = named_query(name)
    if offset < 0 or (limit is not None and limit < 0):
        raise OutputError(Errors.E128.format(limit=limit, offset=offset))
    store = load_store(graph_path)
    keys = read_keys(graph_path, named) if Path(graph_path).is_dir() else None
    return run_page(store, named, limit or None, offset, keys)


def list_queries() -> list[NamedQuery]:
    """The named queries shipped with policykg, sorted by name."""
    return list(named_queries().values())


def named_query(name: str) -> NamedQuery:
    """The named query ``name``; :class:`OutputError` lists the names when it is unknown."""
    found = named_queries()
    if name not in found:
        raise OutputError(Errors.E124.format(name=name, names=", ".join(found)))
    return found[name]


def read_query(path: StrPath) -> str:
    """The text of a query file (UTF-8, with or without BOM)."""
    return _read_utf8(path, Errors.E122)
