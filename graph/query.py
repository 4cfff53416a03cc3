"""SPARQL over a knowledge graph on an Oxigraph store; the named queries; Turtle read back.

Queries run on pyoxigraph, an in-memory Oxigraph store: on 200,000 triples its SPARQL was
10-60 times faster than rdflib's and its Turtle parser 13 times faster, with the same rows
(``run_query_rdflib`` keeps rdflib's engine as the reference that tests and benchmarks
compare against). Answers keep each value's term kind (:class:`Term`): IRI, literal with its
datatype or language, or blank node, so that SPARQL JSON, XML and TSV are right.

Queries run on the local graph only. The policykg prefixes are pre-bound (``pkg:Task`` needs
no PREFIX line; a query's own PREFIX wins). :func:`check_query` refuses, before the engine
sees the query: SPARQL Update (the graph is read-only), SERVICE (Oxigraph would call the
other endpoint over HTTP) and FROM / FROM NAMED (they name graphs this store does not have).

The named queries are files in ``queries/`` next to this module, one analyst question
each: ``queries/NAME.rq`` starts with a comment line that describes it.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, TypeVar

import pyoxigraph

from .prefixes import PREFIX_IRIS

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from .model import KnowledgeGraph

__all__ = [
    "NamedQuery",
    "QueryError",
    "QueryRefused",
    "QueryResult",
    "QueryStore",
    "Term",
    "check_query",
    "load_rdf",
    "load_turtle",
    "named_queries",
    "run_query",
    "run_query_rdflib",
    "write_store",
]

QueryKind = Literal["select", "ask", "construct"]
TermKind = Literal["uri", "literal", "bnode"]
#: The RDF syntaxes :func:`write_store` loads.
RdfSyntax = Literal["turtle", "nt"]

#: Datatypes a SPARQL result leaves out: plain and language-tagged strings.
_STRING_TYPES: Final = frozenset(
    {
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    }
)
#: The longest part of an engine's error message kept in a QueryError.
_MESSAGE_MAX: Final = 200


class QueryError(ValueError):
    """A query that cannot be run; the message names the problem in one line."""


class QueryRefused(QueryError):
    """A well-formed request this read-only, offline graph does not serve: an update,
    SERVICE, FROM."""


class Term(str):
    """One value of a SELECT row: compares, hashes and prints as its string.

    The string is the IRI, the literal's lexical form, or a blank node label (``b0``,
    ``b1``… in order of first appearance in one result, so that output is stable).
    ``kind`` is ``uri``, ``literal`` or ``bnode``; a literal has a ``language`` tag or a
    ``datatype`` IRI, and neither when it is a plain string (``xsd:string``). Like rdflib's
    terms, a Term equals the plain string with its text, whatever its kind.
    """

    kind: TermKind
    datatype: str | None
    language: str | None

    def __new__(
        cls,
        value: str,
        kind: TermKind = "literal",
        datatype: str | None = None,
        language: str | None = None,
    ) -> Term:
        term = super().__new__(cls, value)
        term.kind = kind
        term.datatype = None if datatype in _STRING_TYPES else datatype
        term.language = language or None
        return term

    @property
    def key(self) -> tuple[str, str, str | None, str | None]:
        """Everything the term is: kind, text, datatype, language (to compare terms fully)."""
        return (self.kind, str(self), self.datatype, self.language)

    def __repr__(self) -> str:
        if self.language:
            return f"Term({str(self)!r}, {self.kind}@{self.language})"
        if self.datatype:
            return f"Term({str(self)!r}, {self.kind}^^{self.datatype})"
        return f"Term({str(self)!r}, {self.kind})"


@dataclass(frozen=True)
class QueryResult:
    """The answer to a query.

    ``select``: ``variables`` and ``rows``; each value is a :class:`Term` (a ``str``: the
    IRI or the literal's lexical form), unbound is None. ``ask``: ``boolean``. ``construct``
    (CONSTRUCT and DESCRIBE): ``graph``, with the policykg prefixes bound. ``truncated``:
    the query had more than the ``max_rows`` rows (or triples) it was run with, and only
    the first ``max_rows`` are here.
    """

    kind: QueryKind
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[str | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False


@dataclass(frozen=True)
class NamedQuery:
    """A query shipped with policykg: ``queries/NAME.rq``, its first comment line the
    description.

    ``keys``: the SELECT of a ``# Keys:`` comment line, which lists the values of the
    variable the rows are ordered by first, so that a page of rows can be found a few keys
    at a time (:mod:`policykg.graph.paging`); None for a query that is not paged so.
    ``batch``: the most keys bound at once, from a ``# Batch: N`` line (None: the default).
    ``engine_sorts``: a ``# Sort: engine`` line, which says that a page's rows are best
    sorted and cut by the engine (its ORDER BY compares numbers mostly, and only the rows
    kept have their strings read), not read whole and sorted in Python.
    """

    name: str
    description: str
    sparql: str
    keys: str | None = None
    batch: int | None = None
    engine_sorts: bool = False


class QueryStore:
    """A graph loaded into an in-memory Oxigraph store, to be queried (never changed)."""

    def __init__(self, store: pyoxigraph.Store) -> None:
        self._store = store

    @classmethod
    def from_turtle(cls, data: bytes | str) -> QueryStore:
        """A store of the triples of a Turtle document (a BOM is skipped); ValueError names
        a syntax error. Oxigraph's bulk loader: a quarter faster than ``Store.load`` on
        300,000 triples."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        store = pyoxigraph.Store()
        try:
            store.bulk_load(data.removeprefix(b"\xef\xbb\xbf"), format=pyoxigraph.RdfFormat.TURTLE)
        except SyntaxError as exc:
            raise ValueError(f"invalid Turtle: {_one_line(exc)}") from None
        return cls(store)

    @classmethod
    def read_only(cls, path: str | os.PathLike[str]) -> QueryStore:
        """The store that :func:`write_store` wrote at ``path``, opened read-only: nothing is
        parsed, the triples stay on disk. Several readers (threads or processes) may hold
        one store at once. OSError when Oxigraph cannot open it (no store, damaged)."""
        return cls(pyoxigraph.Store.read_only(os.fspath(path)))

    @classmethod
    def from_graph(cls, graph: KnowledgeGraph) -> QueryStore:
        """A store of the triples of a graph built in memory (passed as N-Triples)."""
        store = pyoxigraph.Store()
        store.bulk_load(graph.rdf.serialize(format="nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
        return cls(store)

    def __len__(self) -> int:
        """The number of triples."""
        return len(self._store)

    def query(self, sparql: str, max_rows: int | None = None) -> QueryResult:
        """Run a SELECT, ASK, CONSTRUCT or DESCRIBE query; at most ``max_rows`` rows or
        triples are kept (``truncated`` says whether there were more).

        :class:`QueryRefused` for an update, SERVICE, FROM; :class:`QueryError` when the
        query is bad or fails.
        """
        check_query(sparql)
        try:
            answer = self._store.query(sparql, prefixes=PREFIX_IRIS)
            if isinstance(answer, pyoxigraph.QueryBoolean):
                return QueryResult("ask", boolean=bool(answer))
            if isinstance(answer, pyoxigraph.QuerySolutions):
                variables = [variable.value for variable in answer.variables]
                names = _BlankNames()
                taken, truncated = _take(
                    (tuple(names.term(value) for value in solution) for solution in answer),
                    max_rows,
                )
                rows: list[tuple[str | None, ...]] = list(taken)
                return QueryResult("select", variables, rows, truncated=truncated)
            names = _BlankNames()
            triples, truncated = _take(
                (
                    (names.rdf(t.subject), names.rdf(t.predicate), names.rdf(t.object))
                    for t in answer
                ),
                max_rows,
            )
        except SyntaxError as exc:
            raise QueryError(_syntax_message(sparql, exc)) from None
        except QueryError:
            raise
        except Exception as exc:  # Oxigraph raises OSError and others while evaluating
            raise QueryError(f"SPARQL query failed: {_one_line(exc)}") from None
        from .vocab import new_graph

        graph = new_graph()
        for triple in triples:
            graph.add(triple)
        return QueryResult("construct", graph=graph, truncated=truncated)


def write_store(path: str | os.PathLike[str], data: bytes | str | Path, syntax: RdfSyntax) -> None:
    """Load the triples of a Turtle or N-Triples document (its text, or the ``Path`` of its
    UTF-8 file, read by Oxigraph as a stream) into a new on-disk Oxigraph store at ``path``
    (a folder, created if needed, empty), all into the default graph.

    Oxigraph's bulk loader writes the store's files directly, then the store is compacted
    (``optimize``): the loader leaves overlapping files that every index lookup searches
    one by one. On the 1,000-document store (7.3 M triples) compacting took 14 s and made
    the named queries' first pages 2-4 times faster, the files 1.7 times larger (RocksDB
    leaves its upper levels uncompressed). The store is closed on return, so that it can be
    renamed and opened read-only (:meth:`QueryStore.read_only`). ValueError names a syntax
    error; OSError a failed write.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    source = {"path": os.fspath(data)} if isinstance(data, Path) else {"input": data}
    if isinstance(data, bytes):
        source = {"input": data.removeprefix(b"\xef\xbb\xbf")}
    rdf_format = (
        pyoxigraph.RdfFormat.TURTLE if syntax == "turtle" else pyoxigraph.RdfFormat.N_TRIPLES
    )
    store = pyoxigraph.Store(os.fspath(path))
    try:
        store.bulk_load(**source, format=rdf_format)
        store.optimize()
        store.flush()
    except SyntaxError as exc:
        raise ValueError(f"invalid {syntax}: {_one_line(exc)}") from None
    finally:
        del store  # closes RocksDB (pyoxigraph has no close())


def run_query(
    graph: KnowledgeGraph | QueryStore, sparql: str, max_rows: int | None = None
) -> QueryResult:
    """Run a SPARQL query on a graph (loaded into an Oxigraph store first) or on a store.

    See :meth:`QueryStore.query`. Loading takes time: to run several queries on one graph,
    make a :class:`QueryStore` once.
    """
    store = graph if isinstance(graph, QueryStore) else QueryStore.from_graph(graph)
    return store.query(sparql, max_rows)


def run_query_rdflib(graph: KnowledgeGraph, sparql: str) -> QueryResult:
    """The same query on rdflib's own SPARQL engine: the reference that tests and
    ``benchmarks/query.py`` compare Oxigraph's answers with. Slow on large graphs."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.query import ResultRow

    from .vocab import PREFIXES, new_graph

    check_query(sparql)
    try:
        prepared = prepareQuery(sparql, initNs=PREFIXES)
        result = graph.rdf.query(prepared)
    except ParseBaseException as exc:
        raise QueryError(f"SPARQL syntax error: {_one_line(exc)}") from None
    except Exception as exc:  # rdflib raises many types, a bare Exception for a bad prefix
        raise QueryError(f"SPARQL query failed: {_one_line(exc)}") from None
    if result.type == "ASK":
        return QueryResult("ask", boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        out = new_graph()
        for triple in result.graph or ():
            out.add(triple)
        return QueryResult("construct", graph=out)
    names = _BlankNames()
    rows: list[tuple[str | None, ...]] = [
        tuple(None if value is None else _rdflib_term(value, names) for value in row)
        for row in result
        if isinstance(row, ResultRow)
    ]
    return QueryResult("select", [str(var) for var in result.vars or []], rows)


def load_turtle(data: str) -> KnowledgeGraph:
    """A knowledge graph from a Turtle string (the caller reads the file); ValueError if bad."""
    from .model import KnowledgeGraph
    from .vocab import new_graph

    graph = new_graph()
    try:
        graph.parse(data=data, format="turtle")
    except Exception as exc:  # rdflib's parser raises its own BadSyntax and others
        raise ValueError(f"invalid Turtle: {_one_line(exc)}") from None
    return KnowledgeGraph(graph)


def load_rdf(data: str, format: Literal["turtle", "nt", "trig"]) -> KnowledgeGraph:
    """A knowledge graph from Turtle, N-Triples or TriG text (the union of its graphs);
    ValueError if bad."""
    from rdflib import Dataset

    from .model import KnowledgeGraph
    from .vocab import new_graph

    graph = new_graph()
    try:
        if format == "trig":
            dataset = Dataset()
            with warnings.catch_warnings():  # rdflib 7's TriG parser uses its own deprecated API
                warnings.simplefilter("ignore", DeprecationWarning)
                dataset.parse(data=data, format="trig")
            for s, p, o, _ in dataset.quads():
                graph.add((s, p, o))
        else:
            graph.parse(data=data, format=format)
    except Exception as exc:  # rdflib's parsers raise their own BadSyntax and others
        name = {"turtle": "Turtle", "nt": "N-Triples", "trig": "TriG"}[format]
        raise ValueError(f"invalid {name}: {_one_line(exc)}") from None
    return KnowledgeGraph(graph)


def named_queries() -> dict[str, NamedQuery]:
    """The queries shipped in ``queries/``, by name (the file name without ``.rq``), sorted.

    ValueError when a file does not start with a ``#`` description line (a packaging bug).
    """
    folder = importlib.resources.files(__package__ or "policykg.graph") / "queries"
    found: dict[str, NamedQuery] = {}
    for resource in sorted(folder.iterdir(), key=lambda r: r.name):
        if not resource.name.endswith(".rq"):
            continue
        name = resource.name.removesuffix(".rq")
        sparql = resource.read_text(encoding="utf-8")
        first = sparql.split("\n", 1)[0]
        if not first.startswith("#") or not first.lstrip("# ").strip():
            raise ValueError(f"named query {name} does not start with a # description line")
        keys, batch = _KEYS_LINE.search(sparql), _BATCH_LINE.search(sparql)
        found[name] = NamedQuery(
            name,
            first.lstrip("# ").strip(),
            sparql,
            keys and keys.group(1).strip(),
            batch and int(batch.group(1)),
            _ENGINE_SORTS_LINE.search(sparql) is not None,
        )
    return found


#: A named query's ``# Keys: SELECT …`` line.
_KEYS_LINE: Final = re.compile(r"^# Keys: (.+)$", re.MULTILINE)
#: A named query's ``# Batch: N`` line.
_BATCH_LINE: Final = re.compile(r"^# Batch: ([1-9][0-9]*)$", re.MULTILINE)
#: A named query's ``# Sort: engine`` line.
_ENGINE_SORTS_LINE: Final = re.compile(r"^# Sort: engine$", re.MULTILINE)


# -- refusing what a read-only, offline graph does not serve ----------------------------------

#: What is not code in a query: IRIs (kept: a # or a quote in them is no comment or string),
#: strings and comments (blanked), and backslash escapes of prefixed names (pkg:a\#b).
_LEXEMES: Final = re.compile(
    r"""(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                  |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
      | (?P<comment>\#[^\n\r]*)
      | (?P<escape>\\.)""",
    re.VERBOSE | re.DOTALL,
)
#: A keyword, not part of a variable (?from), a prefixed name (pkg:service, service:x) or an IRI.
_KEYWORD = r"(?<![\w?$:./#%\\-])({})(?![\w:-])"
_SERVICE: Final = re.compile(
    _KEYWORD.format("SERVICE") + r"(?:\s+SILENT)?\s*(<[^>\s]*>|[?$]\w+|[\w.-]*:[\w.-]*)?",
    re.IGNORECASE,
)
_FROM: Final = re.compile(_KEYWORD.format("FROM"), re.IGNORECASE)
#: The prologue (BASE and PREFIX declarations), then the query's first keyword.
_FIRST_KEYWORD: Final = re.compile(
    r"\s*(?:(?:BASE\s*<[^>]*>|PREFIX\s*[\w.-]*:\s*<[^>]*>)\s*)*([A-Za-z]+)", re.IGNORECASE
)
_UPDATES: Final = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


def check_query(sparql: str) -> None:
    """:class:`QueryRefused` for SPARQL Update, SERVICE, FROM and FROM NAMED.

    The query is scanned as SPARQL's lexer sees it: a keyword inside a string or a comment
    does not count. The scan errs on the side of refusing: a SERVICE keyword anywhere in
    the code, even where it would be a syntax error, refuses the query.
    """
    code = _code(sparql)
    first = _FIRST_KEYWORD.match(code)
    if first and first.group(1).upper() in _UPDATES:
        raise QueryRefused(
            f"SPARQL Update ({first.group(1).upper()}) is not supported: the graph is read-only"
        )
    service = _SERVICE.search(code)
    if service:
        target = f" {service.group(2)}" if service.group(2) else ""
        raise QueryRefused(
            f"SERVICE{target} is not supported: queries run offline, on this graph only"
        )
    if _FROM.search(code):
        raise QueryRefused("FROM and FROM NAMED are not supported: queries run on this graph")


def _code(sparql: str, blank_iris: bool = False) -> str:
    """The query with its strings and comments (and IRIs) blanked out, lines kept."""
    blanked = ("string", "comment", "iri") if blank_iris else ("string", "comment")
    parts: list[str] = []
    done = 0
    for match in _LEXEMES.finditer(sparql):
        if match.lastgroup in blanked:
            parts.append(sparql[done : match.start()])
            parts.append(re.sub(r"[^\n]", " ", match.group()))
            done = match.end()
    parts.append(sparql[done:])
    return "".join(parts)


# -- converting the engines' terms ------------------------------------------------------------


class _BlankNames:
    """Blank node labels b0, b1… in order of first appearance, for stable output."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._terms: dict[object, Term] = {}

    def label(self, key: str) -> str:
        return self._names.setdefault(key, f"b{len(self._names)}")

    def term(self, value: object) -> Term | None:
        """A Term from a pyoxigraph term (None for unbound); one Term per distinct value of
        a result, made once (a document name or a rule id recurs in many rows)."""
        if value is None:
            return None
        found = self._terms.get(value)
        if found is not None:
            return found
        if isinstance(value, pyoxigraph.NamedNode):
            term = Term(value.value, "uri")
        elif isinstance(value, pyoxigraph.Literal):
            term = Term(value.value, "literal", value.datatype.value, value.language)
        elif isinstance(value, pyoxigraph.BlankNode):
            term = Term(self.label(value.value), "bnode")
        else:
            raise QueryError(f"RDF-star triple terms are not supported in results: {value}")
        self._terms[value] = term
        return term

    def rdf(self, value: object) -> Node:
        """An rdflib term from a pyoxigraph term (for CONSTRUCT graphs)."""
        from rdflib import BNode, URIRef
        from rdflib import Literal as RdfLiteral

        term = self.term(value)
        if term is None:  # pragma: no cover - a triple always has all three terms
            raise QueryError("SPARQL query failed: a triple without a term")
        if term.kind == "uri":
            return URIRef(term)
        if term.kind == "bnode":
            return BNode(term)
        datatype = None if term.datatype is None else URIRef(term.datatype)
        return RdfLiteral(str(term), lang=term.language, datatype=datatype)


def _rdflib_term(value: Node, names: _BlankNames) -> Term:
    from rdflib import BNode, URIRef
    from rdflib import Literal as RdfLiteral

    if isinstance(value, URIRef):
        return Term(str(value), "uri")
    if isinstance(value, BNode):
        return Term(names.label(str(value)), "bnode")
    if isinstance(value, RdfLiteral):
        if value.language:
            return Term(str(value), "literal", language=value.language.lower())
        return Term(str(value), "literal", None if value.datatype is None else str(value.datatype))
    raise QueryError(f"unsupported term in results: {value!r}")


T = TypeVar("T")


def _take(items: Iterable[T], limit: int | None) -> tuple[list[T], bool]:
    """The first ``limit`` items (all if None), and whether there were more."""
    if limit is None:
        return list(items), False
    taken: list[T] = []
    iterator: Iterator[T] = iter(items)
    for item in iterator:
        if len(taken) == limit:
            return taken, True
        taken.append(item)
    return taken, False


# -- one-line messages ------------------------------------------------------------------------

_POSITION: Final = re.compile(r"^error at (\d+):(\d+): ")
#: The character classes in Oxigraph's "expected one of" lists, which say little to a user.
_CHAR_CLASS: Final = re.compile(r",? \[[^\]]*\]")
#: A prefixed name's prefix (in code with IRIs, strings and comments blanked out).
_PREFIX_USE: Final = re.compile(r"(?<![\w?$:.\-\\%])([^\W\d_][\w.-]*)?:")
_PREFIX_DECLARATION: Final = re.compile(r"PREFIX\s+([^\W\d_][\w.-]*)?:", re.IGNORECASE)


def _syntax_message(sparql: str, exc: SyntaxError) -> str:
    """Oxigraph's syntax error in one line with its position, or the undeclared prefix."""
    unknown = _undeclared_prefix(sparql)
    if unknown is not None:
        prefix, row, col = unknown
        return (
            f"SPARQL syntax error at line {row}, column {col}: unknown prefix {prefix}: "
            f"(declare it with PREFIX {prefix}: <…>; bound already: {', '.join(PREFIX_IRIS)})"
        )
    message = _one_line(exc)
    position = _POSITION.match(message)
    if position is None:
        return f"SPARQL syntax error: {_cut(message)}"
    line, column = position.group(1), position.group(2)
    detail = _CHAR_CLASS.sub("", message[position.end() :]).rstrip(", ")
    if detail != message[position.end() :]:
        detail += ", …"
    return f"SPARQL syntax error at line {line}, column {column}: {_cut(detail)}"


def _undeclared_prefix(sparql: str) -> tuple[str, int, int] | None:
    """The first prefix used but neither declared nor pre-bound, with its line and column."""
    code = _code(sparql, blank_iris=True)
    declared = {match.group(1) or "" for match in _PREFIX_DECLARATION.finditer(code)}
    for match in _PREFIX_USE.finditer(code):
        prefix = match.group(1) or ""
        if prefix not in declared and prefix not in PREFIX_IRIS:
            line = code.count("\n", 0, match.start()) + 1
            column = match.start() - (code.rfind("\n", 0, match.start()) + 1) + 1
            return prefix, line, column
    return None


def _cut(text: str) -> str:
    return text if len(text) <= _MESSAGE_MAX else text[: _MESSAGE_MAX - 1].rstrip() + "…"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
