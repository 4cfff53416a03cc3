"""Pages of a named query's rows, found key by key instead of sorting every row.

On a corpus store a named query can have hundreds of thousands of rows (``evidence``: one
per relation), and Oxigraph's ORDER BY compares them by reading each string from the store
again, so even the first rows of a page cost the whole sort. A named query whose rows are
ordered first by one variable (``?document``, ``?problem``…) says so in a ``# Keys:`` line:
a SELECT of that variable's values (or more: a value that no row has adds nothing). The
keys are sorted here, in Python, by code point, which is Oxigraph's order of literals of one
kind; then the query runs for a few keys at a time, bound by a ``VALUES`` clause, the first
batch of one key, each next twice as many (at most :data:`MAX_BATCH`, or the query's
``# Batch: N``), until the page is full. Each batch's rows are those of the whole query
that have its keys, in the whole query's order, so that the pages laid end to end are its
rows exactly.

The keys can be found before and handed in (``run_page(..., keys=…)``, from
:func:`find_keys`): a store written by a build keeps them beside it, since finding them
reads every key's string (5,561 targets' labels: 60 ms of a first page of ``targets``).

A query without keys (an aggregate, such as ``deployers``), all rows (no limit) and a keyed
query whose keys are not literals of one kind (their SPARQL order across kinds is the
engine's own) run whole and are cut here. Rows whose query ends in ORDER BY plain variables
of strings or numbers are sorted here, once read (:func:`_sorted`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter
from typing import Any, Final

from .query import NamedQuery, QueryError, QueryResult, QueryStore, Term, _code

__all__ = ["MAX_BATCH", "Keys", "find_keys", "run_page", "with_values"]

#: The most keys one batch binds, unless the query's ``# Batch: N`` line says less: with
#: more values in its VALUES clause, Oxigraph may stop starting from them and evaluate the
#: whole pattern (``document-names`` on the 1,000-document store: 2 keys 80 ms, 4 keys 6 s).
MAX_BATCH: Final = 64
#: The WHERE keyword (or the brace that opens a WHERE-less group) before a query's pattern.
_WHERE: Final = re.compile(r"\bWHERE\s*\{|\{", re.IGNORECASE)
#: A query's ORDER BY of plain variables, at its end (comments blanked).
_ORDER_BY: Final = re.compile(r"\bORDER\s+BY((?:\s+\?\w+)+)\s*$", re.IGNORECASE)
#: Datatypes sorted by value here: their lexical forms are all Decimal can read.
_NUMBERS: Final = frozenset(f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("integer", "decimal"))
#: A keyed query's key variable and its distinct values, sorted (:func:`find_keys`).
Keys = tuple[str, list[Term]]
#: Escapes of a SPARQL string literal.
_ESCAPES: Final = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def run_page(
    store: QueryStore,
    named: NamedQuery,
    limit: int | None,
    offset: int = 0,
    keys: Keys | None = None,
) -> QueryResult:
    """Rows ``offset`` to ``offset + limit`` of the named query (all from ``offset`` when
    ``limit`` is None); ``truncated`` says that more rows follow.

    ``keys``: what :func:`find_keys` found for this query on this store, found before (None:
    found here, when the query has keys). :class:`QueryError` when a query fails or a keys
    query does not return one variable.
    """
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError(f"invalid page: limit {limit}, offset {offset}")
    if named.keys is None or limit is None:
        keys = None
    elif keys is None:
        keys = find_keys(store, named)
    engine = named.engine_sorts
    if keys is None or limit is None:
        stop = None if limit is None else offset + limit
        whole = _sorted(store, named.sparql, None if stop is None else stop + 1, engine)
        truncated = stop is not None and len(whole.rows) > stop
        return QueryResult("select", whole.variables, whole.rows[offset:stop], truncated=truncated)
    variable, values = keys
    batch = min(named.batch or MAX_BATCH, MAX_BATCH)
    return _keyed_page(store, named.sparql, variable, values, batch, limit, offset, engine)


def with_values(sparql: str, variable: str, values: list[Term]) -> str:
    """The query with ``VALUES ?variable { … }`` as the first part of its WHERE pattern.

    ValueError for a query without a group pattern or a value that is not a literal.
    """
    match = _WHERE.search(_code(sparql))
    if match is None:
        raise ValueError("the query has no WHERE { … } pattern to bind a variable in")
    terms = " ".join(_sparql_literal(value) for value in values)
    clause = f"\n  VALUES ?{variable} {{ {terms} }}"
    return sparql[: match.end()] + clause + sparql[match.end() :]


def _keyed_page(
    store: QueryStore,
    sparql: str,
    variable: str,
    keys: list[Term],
    most: int,
    limit: int,
    offset: int,
    engine: bool,
) -> QueryResult:
    """Batches of keys (one, then twice as many, at most ``most``), each bound by VALUES,
    until ``offset + limit`` rows and one more; ``engine``: the engine sorts each batch."""
    wanted = offset + limit + 1
    rows: list[tuple[str | None, ...]] = []
    variables = store.query(with_values(sparql, variable, []), 0).variables
    start, size = 0, 1
    while start < len(keys) and len(rows) < wanted:
        batch = keys[start : start + size]
        bound = with_values(sparql, variable, batch)
        rows += _sorted(store, bound, wanted - len(rows), engine).rows
        start, size = start + len(batch), min(size * 2, most)
    end = offset + limit
    return QueryResult("select", variables, rows[offset:end], truncated=len(rows) > end)


def _sorted(store: QueryStore, sparql: str, room: int | None, engine: bool = False) -> QueryResult:
    """The first ``room`` rows of a SELECT (all if None), sorted here when the query ends in
    ORDER BY plain variables whose values sort here as in the engine; else by the engine.

    Oxigraph's ORDER BY reads strings from the store again for every comparison; read once
    into Python, the same rows sort many times faster. But where its comparisons are mostly
    of numbers, which it does not read, it is faster to have the engine sort (``engine``)
    and cut (a LIMIT): only the rows kept have their strings read (``evidence``: 342 rows
    of a document sorted by offsets, the first 101 kept, in half the time).
    """
    order = _ORDER_BY.search(_code(sparql))
    if order is None:
        return store.query(sparql, room)
    if engine and room is not None:
        return store.query(f"{sparql}\nLIMIT {room}", room)
    result = store.query(sparql[: order.start()])
    names = re.findall(r"\?(\w+)", order.group(1))
    if not set(names) <= set(result.variables):
        return store.query(sparql, room)
    columns = [result.variables.index(name) for name in names]
    found = [_sort_key([row[i] for row in result.rows]) for i in columns]
    keys = [key for key in found if key is not None]
    if len(keys) != len(found):
        return store.query(sparql, room)
    if all(key is str for key in keys) and all(None not in row for row in result.rows):
        # Terms compare as their strings: a key of C-level tuples, three times faster
        rows = sorted(result.rows, key=itemgetter(*columns))
    else:
        rows = sorted(result.rows, key=lambda row: _row_key(row, columns, keys))
    kept = rows if room is None else rows[:room]
    return QueryResult("select", result.variables, kept, truncated=len(kept) < len(rows))


def _row_key(
    row: tuple[str | None, ...], columns: list[int], keys: list[Callable[[str], Any]]
) -> tuple[tuple[int, Any], ...]:
    """A row's sort key: each ORDER BY column's value, unbound first."""
    return tuple(
        (0, "") if row[i] is None else (1, key(row[i] or ""))
        for i, key in zip(columns, keys, strict=True)
    )


def _sort_key(values: list[str | None]) -> Callable[[str], Any] | None:
    """How a column's values sort in SPARQL: strings of one language by code point, numbers
    by value (unbound first, by the caller); None for anything else (the engine sorts)."""
    kinds = {(v.kind, v.datatype, v.language) for v in values if isinstance(v, Term)}
    if len(kinds) != 1:
        return str if not kinds else None
    kind, datatype, _ = kinds.pop()
    if kind != "literal":
        return None
    if datatype is None:
        return str
    return Decimal if datatype in _NUMBERS else None


def find_keys(store: QueryStore, named: NamedQuery) -> Keys | None:
    """The variable of the named query's keys query and its distinct values, sorted; None
    when the query has no keys, or they are not literals of one kind (language, datatype),
    whose order here could differ from the engine's.

    :class:`QueryError` when the keys query fails or does not return one variable.
    """
    if named.keys is None:
        return None
    result = store.query(named.keys)
    if result.kind != "select" or len(result.variables) != 1:
        flat = " ".join(named.keys.split())
        raise QueryError(f"a keys query must select one variable: {flat}")
    found: dict[tuple[str, str, str | None, str | None], Term] = {}
    for (value,) in result.rows:
        if isinstance(value, Term):
            found.setdefault(value.key, value)
    kinds = {(term.kind, term.datatype, term.language) for term in found.values()}
    if len(kinds) > 1 or any(kind != "literal" for kind, _, _ in kinds):
        return None
    return result.variables[0], sorted(found.values(), key=str)


def _sparql_literal(value: Term) -> str:
    """A literal Term as SPARQL: quoted, escaped, with its language tag or datatype."""
    if value.kind != "literal":
        raise ValueError(f"only literals can be bound as keys, not the {value.kind} {value}")
    text = f'"{str(value).translate(_ESCAPES)}"'
    if value.language:
        return f"{text}@{value.language}"
    return f"{text}^^<{value.datatype}>" if value.datatype else text
