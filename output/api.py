"""The Python API of policykg's commands: build, extract, query, evaluate, on files.

The command line (``policykg.output.cli``) only wraps these functions; scripts and notebooks
call them directly::

    >>> from policykg.output.api import build, query
    >>> result = build(["seeds/"], "out/")
    >>> query(result.graph_ttl, "SELECT ?t WHERE { ?t a pkg:Task }").rows[:1]

Every error the user can fix is a :class:`~policykg.extract.PolicyKGError` (or a
``ValueError`` such as :class:`~policykg.graph.QueryError`) with a one-line message.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from policykg.extract import (
    Extraction,
    InputError,
    extract_file,
    read_document,
    validate_encoding,
)
from policykg.extract.diagnose import Diagnosis, diagnose
from policykg.extract.evaluate import Evaluation, evaluate, read_annotations
from policykg.extract.formats import check_format, document_text
from policykg.extract.reader import read_bytes
from policykg.extract.rulestats import RuleStats, count_rules
from policykg.graph import (
    DEFAULT_BASE,
    KnowledgeGraph,
    QueryStore,
    build_graph,
    exports,
    load_rdf,
    load_turtle,
    validate_base,
)
from policykg.graph.build import GraphPlan
from policykg.graph.query import RdfSyntax
from policykg.graph.terms import Triple
from policykg.graph.turtle import (
    ntriples_statements,
    triples_of,
    turtle_header,
    turtle_statements,
)
from policykg.graph.validate import ValidationReport, validate_graph
from policykg.graph.view import ViewCollector

from .cache import (
    CACHE_FOLDER,
    ExtractionCache,
    cache_key,
    decode_entry,
    decode_summary,
    encode_entry,
    summary,
    summary_line,
)
from .docview import document_page_path, document_pages
from .errors import Errors, OutputError, UsageError
from .files import (
    AtomicFiles,
    TextSink,
    check_output_folder,
    collect_documents,
    document_names,
    locate_document,
    write_atomic,
)
from .html import DEFAULT_NODE_BUDGET, MentionContext, render_html
from .parallel import WorkerPool, available_cores, worker_index
from .parts import PARTS_FOLDER, Given, PartOptions, hold, render_parts
from .push import Auth, GraphStore
from .querying import (
    NAMED_LIMIT,
    _read_utf8,
    list_queries,
    load_store,
    named_query,
    query,
    query_named,
    read_query,
)
from .shards import ShardWriter, check_shard_folder
from .stores import StoreWriter, open_store

if TYPE_CHECKING:
    from .endpoint import SparqlServer

__all__ = [
    "CACHE_FOLDER",
    "EXPORT_FILES",
    "GRAPH_HTML",
    "GRAPH_TTL",
    "NAMED_LIMIT",
    "BuildResult",
    "ErrorListing",
    "Progress",
    "PushResult",
    "PushedGraph",
    "build",
    "default_title",
    "evaluate_files",
    "extract",
    "extract_documents",
    "extract_json",
    "list_errors",
    "list_queries",
    "load_graph",
    "load_store",
    "named_query",
    "push",
    "query",
    "query_named",
    "read_query",
    "render_exports",
    "rule_stats",
    "serve",
    "show",
    "validate",
]

#: File names a build writes into its output folder.
GRAPH_TTL = "graph.ttl"
GRAPH_HTML = "graph.html"

#: The files each export format of a build writes (``policykg build --format``), in the
#: order of :data:`policykg.graph.exports.FORMATS`.
EXPORT_FILES: dict[str, tuple[str, ...]] = {
    "ttl": (GRAPH_TTL,),
    "nt": ("graph.nt",),
    "jsonld": ("graph.jsonld",),
    "trig": ("graph.trig",),
    "graphml": ("graph.graphml",),
    "gexf": ("graph.gexf",),
    "csv": ("nodes.csv", "relationships.csv"),
}

#: Called after each document is extracted with (documents done, documents in all, name).
Progress = Callable[[int, int, str], None]

StrPath = str | os.PathLike[str]


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` wrote and what the graph holds.

    ``entities`` counts graph nodes (entities merged across documents), ``relations`` the
    distinct (head, type, tail) relation triples, ``triples`` all RDF triples of the graph.
    ``exports`` are the graph files written for the formats asked for (:data:`EXPORT_FILES`),
    ``graph_ttl`` the Turtle file among them (None when Turtle was not asked for).
    """

    graph_ttl: Path | None
    graph_html: Path
    document_names: tuple[str, ...]
    entities: int
    relations: int
    triples: int
    #: The graph, or how to make it: a corpus build does not hold it (see :attr:`graph`).
    source: KnowledgeGraph | Callable[[], KnowledgeGraph] = field(repr=False, compare=False)
    exports: tuple[Path, ...] = ()
    #: The document pages written next to graph.html (``OUT/docs/<name>.html``), by name.
    document_pages: tuple[Path, ...] = ()
    #: The store folder written (``build(store=...)``), None without one.
    store: Path | None = None

    @cached_property
    def graph(self) -> KnowledgeGraph:
        """The graph built, in memory (made on first use when the build streamed it)."""
        return self.source if isinstance(self.source, KnowledgeGraph) else self.source()

    @property
    def documents(self) -> int:
        """The number of documents in the graph."""
        return len(self.document_names)

    @property
    def paths(self) -> tuple[Path, ...]:
        """The files written: the graph files of the formats, the HTML page, the document pages."""
        return (*self.exports, self.graph_html, *self.document_pages)


def extract_text(text: str, document: str = "<text>") -> Extraction:
    """Extract one document's text; spaCy loads on the first call, not at import."""
    from policykg.extract.pipeline import extract_text as run

    return run(text, document)


def extract_documents(
    paths: Iterable[StrPath],
    progress: Progress | None = None,
    encoding: str | None = None,
    jobs: int | None = 1,
    cache: StrPath | None = None,
) -> list[Extraction]:
    """Extract every document that ``paths`` name (files, or folders searched for documents:
    .txt, .md, .html, .htm, .docx, .pdf).

    Each document is named by its file name, or by the end of its path where several share
    a file name (:func:`~policykg.output.files.document_names`). ``encoding`` forces the
    decoding of text documents (default: detected). ``jobs`` worker processes extract the
    documents (None: one per core; 1: in this process), the result is the same. ``cache`` is
    a folder of cached extractions (:mod:`.cache`) to use and fill (default: none).
    """
    if encoding is not None:
        validate_encoding(encoding)
    workers = _jobs(jobs)
    store = ExtractionCache(cache).create() if cache is not None else None
    return _extract(collect_documents(paths), progress, encoding, workers, store)


def _jobs(jobs: int | None) -> int:
    """The number of worker processes asked for (None: one per core); E152 below 1."""
    if jobs is None:
        return available_cores()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise OutputError(Errors.E152.format(jobs=jobs))
    return jobs


def _extract(
    documents: Sequence[Path],
    progress: Progress | None,
    encoding: str | None,
    jobs: int = 1,
    cache: ExtractionCache | None = None,
) -> list[Extraction]:
    """The extractions of ``documents``, named by :func:`document_names`, in order (see
    :func:`_extract_keyed`)."""
    keyed = _extract_keyed(documents, progress, encoding, jobs, cache)
    return [extraction for _, extraction, _ in keyed]


def _extract_keyed(
    documents: Sequence[Path],
    progress: Progress | None,
    encoding: str | None,
    jobs: int = 1,
    cache: ExtractionCache | None = None,
    summaries: bool = False,
    held: _Held | None = None,
) -> list[tuple[str, Extraction, bool]]:
    """The cache key and extraction of each of ``documents``, named by
    :func:`document_names`, in order, and whether it is the whole extraction.

    Cached extractions are taken from ``cache``; the others are extracted in ``jobs``
    worker processes (in this process when there is only one to do or ``jobs`` is 1) and
    stored in it. With ``summaries`` (and a cache), what is read from the cache or comes
    from a worker is only the extraction's summary (:func:`~.cache.summary`): the whole
    extraction stays in the cache. With ``held``, the worker pool is kept there for the
    shares (the caller closes it), and each worker keeps the whole extractions it made
    (:func:`~.parts.hold`), sending only their summaries, cache or none. Results, errors (the
    first bad document in order) and the calls of ``progress`` are the same whatever
    ``jobs`` is.
    """
    names = document_names(documents)
    brief = summaries and cache is not None
    found = [
        _cached(path, name, encoding, cache, brief)
        for path, name in zip(documents, names, strict=True)
    ]
    keep = held is not None
    todo = [
        (path, name, encoding, cache, keep)
        for (path, name), (_, hit) in zip(zip(documents, names, strict=True), found, strict=True)
        if hit is None
    ]
    workers = min(jobs, len(todo))
    extractions: list[tuple[str, Extraction, bool]] = []
    with contextlib.ExitStack() as stack:
        fresh: Iterator[tuple[str, Extraction, bool]]
        if workers > 1:
            if held is None:
                pool = stack.enter_context(WorkerPool(workers, _start_worker))
            else:
                pool = held.pool = WorkerPool(workers, _start_worker)
            fresh = _from_workers(todo, pool.map(_extract_in_worker, todo), brief, held)
        else:
            fresh = ((*_extract_document(*task[:4]), True) for task in todo)
        for done, ((key, hit), name) in enumerate(zip(found, names, strict=True), start=1):
            extractions.append((key, hit, not brief) if hit is not None else next(fresh))
            if progress is not None:
                progress(done, len(documents), name)
    return extractions


def _from_workers(
    todo: Sequence[tuple[Path, str, str | None, ExtractionCache | None, bool]],
    results: Iterator[tuple[str, bytes | Extraction, int | None]],
    brief: bool,
    held: _Held | None,
) -> Iterator[tuple[str, Extraction, bool]]:
    """The keys and extractions of ``todo`` from what the workers sent: a summary when
    ``held`` (noting there which worker keeps the whole extraction) or ``brief``, else the
    whole extraction's entry."""
    for (_, name, _, _, _), (key, payload, worker) in zip(todo, results, strict=True):
        if isinstance(payload, Extraction):  # a summary, which the worker holds whole
            if held is not None and worker is not None:
                held.workers[name] = worker
            yield key, payload, False
        elif brief:
            yield key, decode_summary(payload, key, name), False
        else:
            yield key, decode_entry(payload, key, name), True


def _cached(
    path: Path, name: str, encoding: str | None, cache: ExtractionCache | None, brief: bool
) -> tuple[str, Extraction | None]:
    """The cache key of the document at ``path`` and its cached extraction (its summary
    when ``brief``), if any (None without a cache, or when the file cannot be read:
    extracting it will say why)."""
    if cache is None:
        return "", None
    try:
        key = cache_key(read_bytes(path), path, encoding)
    except InputError:
        return "", None
    return key, cache.load_summary(key, name) if brief else cache.load(key, name)


def _extract_document(
    path: Path, name: str, encoding: str | None, cache: ExtractionCache | None
) -> tuple[str, Extraction]:
    """Read and extract one document (in this process), and store it in ``cache``; its
    cache key and extraction."""
    key, extraction = _read_and_extract(path, name, encoding)
    if cache is not None:
        cache.store(key, extraction)
    return key, extraction


def _extract_in_worker(
    task: tuple[Path, str, str | None, ExtractionCache | None, bool],
) -> tuple[str, bytes | Extraction, int | None]:
    """:func:`_extract_document` in a worker process: the cache key, what the main process
    takes of the extraction, and the worker's index. When the worker keeps the extraction
    (the task's last field), that is its summary (:func:`~.cache.summary`: unpickled in a
    third of the time its JSON is read); else the entry's bytes, which the main process
    decodes (the summary line alone when the entry was stored in the cache)."""
    path, name, encoding, cache, keep = task
    key, extraction = _read_and_extract(path, name, encoding)
    if keep:
        hold(extraction)
        brief = summary(extraction)
        if cache is not None:
            cache.store(key, extraction, brief)
        return key, brief, worker_index()
    if cache is not None:
        return key, summary_line(cache.store(key, extraction)), worker_index()
    return key, encode_entry(key, extraction), worker_index()


def _read_and_extract(path: Path, name: str, encoding: str | None) -> tuple[str, Extraction]:
    """The cache key and the extraction of the document at ``path`` (read once)."""
    check_format(path)
    data = read_bytes(path)
    extraction = extract_text(document_text(data, path, encoding), name)
    return cache_key(data, path, encoding), extraction


def _start_worker() -> None:
    """Load the spaCy pipeline once in a worker process."""
    from policykg.extract.pipeline import make_nlp

    make_nlp()


def rule_stats(
    paths: Iterable[StrPath],
    progress: Progress | None = None,
    encoding: str | None = None,
    jobs: int | None = 1,
    cache: StrPath | None = None,
) -> RuleStats:
    """How often each rule fired on the documents ``paths`` name, and which never did.

    Documents are collected, named and extracted as :func:`build` does them (``progress``
    is called after each; ``jobs`` and ``cache`` as in :func:`extract_documents`); see
    :mod:`policykg.extract.rulestats` for what is counted.
    """
    return count_rules(extract_documents(paths, progress, encoding, jobs, cache))


def build(
    paths: Iterable[StrPath],
    out_dir: StrPath,
    base: str = DEFAULT_BASE,
    title: str | None = None,
    progress: Progress | None = None,
    formats: Iterable[str] = ("ttl",),
    encoding: str | None = None,
    allow_output_in_input: bool = False,
    shards: StrPath | None = None,
    max_nodes: int = DEFAULT_NODE_BUDGET,
    store: StrPath | None = None,
    jobs: int | None = 1,
    cache: StrPath | bool = True,
) -> BuildResult:
    """Extract the documents, build one graph, write its files and ``OUT/graph.html``.

    ``formats`` are export formats of :data:`EXPORT_FILES` (each written once, in that
    order, whatever order they are given in); the default writes ``OUT/graph.ttl``. Each
    document's view (its text with the entities marked, see :mod:`.docview`) goes to
    ``OUT/docs/<name>.html``, linked from the graph page's side panel. ``out_dir`` is
    created if needed. ``shards`` is a folder to write each document's part of the graph
    to, as one N-Triples file per document (:func:`write_shards`).

    Turtle and N-Triples are streamed to their files one document at a time, so a corpus
    graph is never held in memory as RDF; the other formats are made from the whole graph
    in memory. Every file is written to a temporary file first and all are renamed into
    place at the end, so a failure or an interruption at any step leaves earlier output as
    it was. The formats, the base IRI, the encoding and the output folder are checked
    before the (slow) extraction starts: the output folder may not be, lie inside or
    contain one of the input folders unless ``allow_output_in_input`` (a later build of that
    folder would read graph.html as a document), and never overwrites an input document.
    ``title`` is the page heading (default: :func:`default_title`); ``encoding`` forces the
    decoding of text documents (default: detected). ``max_nodes`` is the most nodes
    graph.html draws (the most connected ones; 0: all); search on the page finds every
    entity all the same. ``store`` also writes the graph into an on-disk
    Oxigraph store folder, which :func:`query` and :func:`serve` open without parsing
    Turtle; it is checked before the extraction too, and replaced whole or not at all
    (:mod:`.stores`). ``jobs`` worker processes extract the
    documents (None: one per core; 1: in this process); the files are the same bytes
    whatever it is. ``cache`` keeps each document's extraction in ``OUT/.policykg-cache/``
    (True), in a folder given, or nowhere (False), so that a rebuild extracts only the
    documents that changed (see :mod:`.cache`). ``OUT/.policykg-cache/`` keeps only what
    the last build used (a folder given is never pruned: it may serve several corpora).
    """
    if max_nodes < 0:
        raise UsageError(Errors.E160.format(value=max_nodes))
    chosen = _export_formats(formats)
    validate_base(base)
    if encoding is not None:
        validate_encoding(encoding)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(Errors.E110.format(path=os.fspath(out_dir)))
    paths = list(paths)
    documents = collect_documents(paths)
    outputs = (*(name for fmt in chosen for name in EXPORT_FILES[fmt]), GRAPH_HTML)
    check_output_folder(out, outputs, paths, documents, allow_output_in_input)
    if shards is not None:
        check_shard_folder(shards, paths, documents, allow_output_in_input)
    with _collector_paused():
        # what the build held is let go before the collector is on again: a full collection
        # of a corpus build's millions of objects took seconds
        return _build(
            documents,
            paths,
            out,
            chosen,
            base,
            title,
            progress,
            encoding,
            shards,
            max_nodes,
            store,
            jobs,
            cache,
        )


def _build(
    documents: list[Path],
    paths: list[StrPath],
    out: Path,
    chosen: list[str],
    base: str,
    title: str | None,
    progress: Progress | None,
    encoding: str | None,
    shards: StrPath | None,
    max_nodes: int,
    store: StrPath | None,
    jobs: int | None,
    cache: StrPath | bool,
) -> BuildResult:
    """:func:`build`, its arguments checked."""
    with contextlib.ExitStack() as stack:
        writer = None
        if store is not None:
            writer = stack.enter_context(StoreWriter(store, out, paths, documents))
        workers = _jobs(jobs)
        cached = _build_cache(out, cache)
        # the workers that extract the documents keep them and make their shares
        held = stack.enter_context(_Held())
        # the plan alone holds the extractions, and lets each go once its part is written
        keyed = _extract_keyed(documents, progress, encoding, workers, cached, True, held)
        key_of = {extraction.document: key for key, extraction, _ in keyed}
        whole = {extraction.document for _, extraction, full in keyed if full}
        plan = GraphPlan((extraction for _, extraction, _ in keyed), base)
        del keyed
        keys = [key_of[ext.document] for ext in plan.documents]
        paths_of = dict(zip(document_names(documents), documents, strict=True))
        names = tuple(ext.document for ext in plan.documents)
        folders = [out, out / "docs", *([Path(shards)] if shards is not None else [])]
        with _new_folders(folders), AtomicFiles() as atomic:
            load = _WholeExtraction(plan, keys, whole, paths_of, encoding, cached)
            holders = held.by_index(plan)
            written = _write_graph(
                plan, keys, out, chosen, atomic, shards, workers, cached, load, held.pool, holders
            )
            if held.pool is not None:  # one worker lays the page's network out
                held.pool.shrink(1)
            view = written.view.graph_view()
            texts = written.view.documents()
            page = render_html(
                view,
                title=title if title is not None else default_title(names),
                documents=texts,
                document_pages=written.pages,
                max_nodes=max_nodes,
                contexts=written.contexts,
                # while this process makes the page's data
                elsewhere=held.pool.submit if held.pool is not None else None,
            )
            held.close()
            html_path = out / GRAPH_HTML
            atomic.write(html_path, page)
            if writer is not None:
                _prepare_store(writer, written, atomic, base)
            atomic.commit()
        if writer is not None:
            writer.commit()
        if cache is True and cached is not None:  # the output folder's own cache
            cached.prune(set(keys), written.parts, PARTS_FOLDER)
    ttl_path = out / GRAPH_TTL if "ttl" in chosen else None
    doc_paths = tuple(out / written.pages[text.name] for text in texts)
    return BuildResult(
        ttl_path,
        html_path,
        names,
        view.entities(),
        written.view.relations(),
        written.triples,
        written.graph or functools.partial(_read_back, written.files),
        written.files,
        doc_paths,
        None if writer is None else writer.path,
    )


#: Export formats a build streams to their files document by document.
STREAMED_FORMATS = ("ttl", "nt")


@dataclass
class _Held:
    """The worker pool a build keeps from the extraction to the shares, and which worker
    holds the whole extraction of each document it extracted (by name). A context manager:
    leaving it closes the pool (terminates it after an error)."""

    pool: WorkerPool | None = None
    workers: dict[str, int] = field(default_factory=dict)

    def __enter__(self) -> _Held:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self.pool is not None:
            if kind is None:
                self.close()
            else:
                self.pool.terminate()

    def close(self) -> None:
        """End the workers (once the shares are made)."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def by_index(self, plan: GraphPlan) -> dict[int, int]:
        """The worker holding each document's extraction, by the document's index in
        ``plan``."""
        return {
            index: self.workers[ext.document]
            for index, ext in enumerate(plan.documents)
            if ext.document in self.workers
        }


@dataclass(frozen=True)
class _Source:
    """Reads a document's whole extraction again, in a worker that does not hold it: from
    the cache, or extracted anew if its entry is missing."""

    key: str
    path: Path
    name: str
    encoding: str | None
    cache: ExtractionCache | None

    def __call__(self) -> Extraction:
        found = None if self.cache is None else self.cache.load(self.key, self.name)
        if found is not None:
            return found
        return _extract_document(self.path, self.name, self.encoding, self.cache)[1]


@dataclass(frozen=True)
class _WholeExtraction:
    """The whole extraction of a document of ``plan`` (by index) whose plan holds its
    summary: from the cache, or extracted again if its entry went missing meanwhile."""

    plan: GraphPlan
    keys: Sequence[str]
    whole: set[str]
    paths: dict[str, Path]
    encoding: str | None
    cache: ExtractionCache | None

    def __call__(self, index: int) -> Extraction:
        return self.source(index)()

    def source(self, index: int) -> Callable[[], Extraction]:
        """What gives a worker process the whole extraction of document ``index``: the plan's
        when it holds it (sent along), else it read again (:class:`_Source`)."""
        held = self.plan.documents[index]
        name = held.document
        if name in self.whole:
            return Given(held)
        return _Source(self.keys[index], self.paths[name], name, self.encoding, self.cache)


@dataclass
class _Written:
    """What :func:`_write_graph` wrote: the graph files, the triple count, the view, the
    document pages (name → href), the mentions' contexts for the graph page, the cache keys
    of the documents' shares."""

    files: tuple[Path, ...]
    triples: int
    view: ViewCollector
    graph: KnowledgeGraph | None
    pages: dict[str, str]
    contexts: list[MentionContext]
    #: The cache keys of the shares written.
    parts: set[str]


def _write_graph(
    plan: GraphPlan,
    keys: Sequence[str],
    out: Path,
    formats: Sequence[str],
    atomic: AtomicFiles,
    shards: StrPath | None,
    jobs: int = 1,
    cache: ExtractionCache | None = None,
    whole: _WholeExtraction | None = None,
    pool: WorkerPool | None = None,
    holders: Mapping[int, int] | None = None,
) -> _Written:
    """Write the graph files of ``formats``, the document pages and the shards into
    ``atomic``, document by document (each document's share made by the workers of ``pool``
    or ``jobs`` new ones, which hold the extractions of ``holders``, or read from ``cache``:
    :mod:`.parts`), then the entities."""
    view = ViewCollector(plan)
    shared = plan.shared_statements()
    streams: dict[str, TextSink] = {}
    for fmt in STREAMED_FORMATS:
        if fmt in formats:
            (name,) = EXPORT_FILES[fmt]
            streams[fmt] = atomic.open(out / name)
    if "ttl" in streams:
        streams["ttl"].write(turtle_header())
    in_memory = [fmt for fmt in formats if fmt not in STREAMED_FORMATS]
    kept: set[Triple] | None = set() if in_memory else None
    shard_writer = ShardWriter(shards, triples_of(shared), atomic) if shards is not None else None
    options = PartOptions(
        turtle="ttl" in streams,
        ntriples="nt" in streams,
        own=kept is not None or shard_writer is not None,
        graph_href=f"../{GRAPH_HTML}",
    )
    links: set[Triple] = set()
    pages: dict[str, str] = {}
    contexts: list[MentionContext] = []
    used: set[str] = set()
    triples = 0
    order = plan.document_order()
    for index, part in zip(
        order,
        render_parts(
            plan,
            keys,
            options,
            jobs,
            cache,
            whole,
            used,
            pool,
            holders,
            whole.source if whole is not None else None,
        ),
        strict=True,
    ):
        plan.release(index)
        view.add(part)
        if "ttl" in streams:
            streams["ttl"].write(part.turtle)
        if "nt" in streams:
            streams["nt"].write(part.ntriples)
        if shard_writer is not None:
            shard_writer.add(part)
        pages[part.name] = document_page_path(part.name)
        atomic.write(out / pages[part.name], part.page)
        contexts.extend(part.contexts)
        links.update(part.links)
        triples += part.own_count
        if kept is not None:
            kept.update(part.own)
    for s, p, o in links:
        shared.setdefault(s, set()).add((p, o))
    del links
    triples += sum(map(len, shared.values()))
    if "ttl" in streams:
        streams["ttl"].write(turtle_statements(shared))
    if "nt" in streams:
        streams["nt"].write(ntriples_statements(shared))
    if shard_writer is not None:
        shard_writer.finish()
    atomic.sync_ahead(*atomic.pending())  # complete: synced while the rest is made
    graph = None
    if kept is not None:
        kept.update(triples_of(shared))
        graph = KnowledgeGraph.from_triples(kept)
        for name, text in render_exports(graph, in_memory).items():
            atomic.write(out / name, text)
    files = tuple(out / name for fmt in formats for name in EXPORT_FILES[fmt])
    return _Written(files, triples, view, graph, pages, contexts, used)


def _prepare_store(writer: StoreWriter, written: _Written, atomic: AtomicFiles, base: str) -> None:
    """Load the store from the graph file the build streamed (not yet renamed into place),
    or from the graph in memory when it wrote neither Turtle nor N-Triples."""
    for path in written.files:
        if path.suffix in (".ttl", ".nt"):
            syntax: RdfSyntax = "turtle" if path.suffix == ".ttl" else "nt"
            writer.prepare(atomic.flushed(path), syntax, written.triples, base)
            return
    assert written.graph is not None  # formats other than ttl and nt keep the graph
    writer.prepare(exports.to_ntriples(written.graph), "nt", written.triples, base)


def _read_back(files: Sequence[Path]) -> KnowledgeGraph:
    """The graph a build streamed to its Turtle or N-Triples file, read back."""
    for path in files:
        if path.suffix in (".ttl", ".nt"):
            return load_rdf(path.read_text("utf-8"), "turtle" if path.suffix == ".ttl" else "nt")
    raise RuntimeError("a streamed build wrote neither Turtle nor N-Triples")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off in the block, as it was after it.

    A build makes millions of small objects that live to its end (the merge, the view) and
    next to no reference cycles: each full collection walked all of them and found nothing
    (100 documents: 13 collections, 180 objects freed, 15% of a cold build's CPU time and 25%
    of a rebuild's; the peak memory the same without them). Worker processes forked in the
    block inherit the setting.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _new_folders(folders: Sequence[Path]) -> Iterator[None]:
    """Create output folders for the block; those it created are removed again (when still
    empty) if the block fails, so a failed build leaves no trace. E111 names a folder that
    cannot be made."""
    created: list[Path] = []
    try:
        for folder in folders:
            for missing in reversed([folder, *folder.parents]):
                if not missing.exists():
                    missing.mkdir()
                    created.append(missing)
    except OSError as exc:
        _remove_empty(created)
        reason = exc.strerror or type(exc).__name__
        raise OutputError(Errors.E111.format(path=os.fspath(folder), reason=reason)) from exc
    try:
        yield
    except BaseException:
        _remove_empty(created)
        raise


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with suppress(OSError):
            folder.rmdir()


def _build_cache(out: Path, cache: StrPath | bool) -> ExtractionCache | None:
    """The cache of a build into ``out``: ``OUT/.policykg-cache/`` (made when first
    written), a folder given (made now), or None."""
    if cache is True:
        return ExtractionCache(out / CACHE_FOLDER)
    if cache is False:
        return None
    return ExtractionCache(cache).create()


def _export_formats(formats: Iterable[str]) -> list[str]:
    """The formats asked for, each once, in :data:`EXPORT_FILES` order; E112 for a bad one."""
    asked = set()
    for name in formats:
        if name not in EXPORT_FILES:
            choices = ", ".join(EXPORT_FILES)
            raise OutputError(Errors.E112.format(name=name, choices=choices))
        asked.add(name)
    return [name for name in EXPORT_FILES if name in asked]


def render_exports(graph: KnowledgeGraph, formats: Iterable[str]) -> dict[str, str]:
    """The text of every file of these export formats, by file name (:data:`EXPORT_FILES`)."""
    render: dict[str, Callable[[KnowledgeGraph], str]] = {
        "ttl": exports.to_turtle,
        "nt": exports.to_ntriples,
        "jsonld": exports.to_jsonld,
        "trig": exports.to_trig,
        "graphml": exports.to_graphml,
        "gexf": exports.to_gexf,
    }
    files: dict[str, str] = {}
    for name in _export_formats(formats):
        if name == "csv":
            files.update(zip(EXPORT_FILES[name], exports.to_neo4j_csv(graph), strict=True))
        else:
            (file_name,) = EXPORT_FILES[name]
            files[file_name] = render[name](graph)
    return files


def show(path: StrPath, out: StrPath) -> ShowResult:
    """Extract one document and write its view (text with entities marked) to ``out``.

    The page is the one :func:`build` writes to ``OUT/docs/`` (without links to a graph
    page): the document goes through the same graph, so both show the same marks.
    """
    graph = build_graph(extract_documents([path]))
    (document,) = graph.documents()
    mentions = graph.mentions()
    pages = document_pages([document], mentions, graph.to_networkx())
    _, page = pages[document.name]
    write_atomic(out, page)
    return ShowResult(Path(out), document.name, len({m.entity for m in mentions}), len(mentions))


@dataclass(frozen=True)
class ShowResult:
    """What :func:`show` wrote: the page, the document's name, entities and mentions marked."""

    path: Path
    document: str
    entities: int
    mentions: int


def default_title(names: Sequence[str]) -> str:
    """The page heading of a build: the document's name, or how many documents there are."""
    if len(names) == 1:
        return f"policykg: {names[0]}"
    return f"policykg: {len(names)} documents"


def extract(path: StrPath, encoding: str | None = None) -> Extraction:
    """The extraction of one document, named by its file name (as gold files name it);
    ``encoding`` forces the decoding of a text document (default: detected)."""
    if encoding is not None:
        validate_encoding(encoding)
    return extract_file(path, encoding)


def extract_json(path: StrPath, encoding: str | None = None) -> dict[str, Any]:
    """The extraction of one document in the JSON form of SCHEMA.md (keys in a fixed order)."""
    return extract(path, encoding).to_json()


def load_graph(path: StrPath) -> KnowledgeGraph:
    """A graph read back from a Turtle file; :class:`OutputError` names an unusable file."""
    data = _read_utf8(path, Errors.E120)
    try:
        return load_turtle(data)
    except ValueError as exc:
        raise OutputError(Errors.E121.format(path=os.fspath(path), reason=exc)) from None


def serve(
    graph_path: StrPath,
    host: str = "127.0.0.1",
    port: int = 8765,
    timeout: float = 10.0,
    max_rows: int = 10_000,
    workers: int = 2,
    log: Callable[[str], None] | None = None,
) -> SparqlServer:
    """A read-only SPARQL endpoint on the graph in a Turtle file or a store folder, bound
    but not yet serving.

    Call ``serve_forever()`` on the result (and ``close()`` after). The file is read once
    and checked here; each of ``workers`` processes then loads its own copy. A store folder
    (``build(store=...)``) is checked here and each worker opens it read-only: nothing is
    parsed or copied. ``log`` is called with one line per request. See
    :mod:`policykg.output.endpoint` for the limits.
    """
    from .endpoint import SparqlServer

    if timeout <= 0 or max_rows < 1 or workers < 1:
        raise OutputError(Errors.E125.format(timeout=timeout, max_rows=max_rows, workers=workers))
    source: bytes | Path
    if Path(graph_path).is_dir():
        _, info = open_store(graph_path)
        source, triples = Path(graph_path).resolve(), info.triples
    else:
        source = _read_utf8(graph_path, Errors.E120).encode("utf-8")
        try:
            triples = len(QueryStore.from_turtle(source))
        except ValueError as exc:
            name = os.fspath(graph_path)
            raise OutputError(Errors.E121.format(path=name, reason=exc)) from None
    try:
        server = SparqlServer(host, port, timeout, max_rows, triples, log)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(Errors.E126.format(host=host, port=port, reason=reason)) from None
    try:
        server.start_workers(source, workers)
    except BaseException:
        server.close()
        raise
    return server


@dataclass(frozen=True)
class PushedGraph:
    """One document's named graph as :func:`push` sent it: name, graph IRI, triples."""

    document: str
    iri: str
    triples: int


@dataclass(frozen=True)
class PushResult:
    """What :func:`push` sent where: a named graph per document, in document-name order.

    ``unattributed`` counts the triples of the file that describe no document's entity
    and were not sent (0 for a graph ``policykg build`` wrote); ``seconds`` is the time the
    requests took.
    """

    endpoint: str
    graphs: tuple[PushedGraph, ...]
    unattributed: int
    seconds: float

    @property
    def documents(self) -> tuple[str, ...]:
        """The names of the documents pushed."""
        return tuple(graph.document for graph in self.graphs)

    @property
    def triples(self) -> int:
        """The triples sent, counting an entity description once per graph it is in."""
        return sum(graph.triples for graph in self.graphs)


def push(
    graph_path: StrPath,
    endpoint: str,
    user: str | None = None,
    password: str | None = None,
    auth: Auth = "auto",
    timeout: float = 60.0,
    documents: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> PushResult:
    """Load a graph file into a SPARQL 1.1 Graph Store Protocol server, a named graph per
    document (named by the document's IRI), each replacing what that graph held.

    Each document's graph holds what it says and the descriptions of the entities it
    mentions (:func:`~policykg.graph.exports.standalone_graphs`), so pushing a document
    again replaces all of its old statements and leaves other documents' graphs alone.
    ``graph_path`` is a ``graph.ttl``, ``graph.nt`` or ``graph.trig`` that ``build`` wrote;
    ``documents`` limits the push to the documents of these names. ``endpoint``, ``user``,
    ``password``, ``auth`` and ``timeout`` are those of :class:`.push.GraphStore`.
    ``progress`` is called after each document's graph is stored.
    """
    store = GraphStore(endpoint, user, password, auth, timeout)
    graph = _load_any_graph(graph_path)
    parts = exports.standalone_graphs(graph)
    rest = parts.pop(None, None)
    names = {doc.iri: doc.name for doc in graph.documents()}
    order = [iri for iri in names if URIRef(iri) in parts]
    if not order:
        raise OutputError(Errors.E137.format(path=os.fspath(graph_path)))
    if documents is not None:
        wanted = list(dict.fromkeys(documents))
        known = {names[iri] for iri in order}
        for name in wanted:
            if name not in known:
                listed = ", ".join(names[iri] for iri in order)
                raise OutputError(Errors.E136.format(name=name, names=listed))
        order = [iri for iri in order if names[iri] in wanted]
    pushed = []
    start = time.perf_counter()
    for done, iri in enumerate(order, start=1):
        part = parts[URIRef(iri)]
        store.put(iri, KnowledgeGraph(part).serialize("nt").encode("utf-8"))
        pushed.append(PushedGraph(names[iri], iri, len(part)))
        if progress is not None:
            progress(done, len(order), names[iri])
    seconds = time.perf_counter() - start
    return PushResult(endpoint, tuple(pushed), 0 if rest is None else len(rest), seconds)


def _load_any_graph(path: StrPath) -> KnowledgeGraph:
    """A graph from a Turtle (:func:`load_graph`), N-Triples (``.nt``) or TriG (``.trig``,
    the union of its graphs) file; :class:`OutputError` names an unusable file."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".nt", ".trig"):
        return load_graph(path)
    data = _read_utf8(path, Errors.E138)
    try:
        return load_rdf(data, "nt" if suffix == ".nt" else "trig")
    except ValueError as exc:
        raise OutputError(Errors.E138.format(path=os.fspath(path), reason=exc)) from None


def validate(graph_path: StrPath) -> ValidationReport:
    """Check the graph in a Turtle file against the policykg SHACL shapes (``shapes.ttl``).

    The report says whether it conforms and lists every violation; an unreadable or invalid
    file is an :class:`OutputError`, as for :func:`query`.
    """
    return validate_graph(load_graph(graph_path))


def evaluate_files(gold: StrPath, pred: StrPath) -> Evaluation:
    """Score a predicted JSON file against a gold one, as ``../shared/eval/score.py`` does."""
    return evaluate(read_annotations(gold), read_annotations(pred))


@dataclass(frozen=True)
class ErrorListing:
    """The missed and spurious items of a prediction, and where their sentences came from.

    ``text_path`` is the document the sentences were taken from (None without one); ``note``
    says so in one line, or why there are no sentences.
    """

    diagnosis: Diagnosis
    text_path: Path | None
    note: str


def list_errors(gold: StrPath, pred: StrPath, text: StrPath | None = None) -> ErrorListing:
    """What a prediction missed and added, with sentences (``policykg eval --show-errors``).

    The sentences come from ``text``, or else from the document the files' ``document`` key
    names, looked for next to the gold file and then next to the predicted one. Without it
    the listing has no sentences and ``note`` says why; an unreadable ``text`` given
    explicitly is an :class:`~policykg.extract.InputError`.
    """
    gold_doc, pred_doc = read_annotations(gold), read_annotations(pred)
    names = list(dict.fromkeys(n for n in (gold_doc.document, pred_doc.document) if n))
    path = Path(text) if text is not None else locate_document(names, _folders(gold, pred))
    if path is None:
        if not names:
            why = "neither file names its document (a 'document' key)"
        else:
            why = f"{' or '.join(names)} is not next to {os.fspath(gold)} or {os.fspath(pred)}"
        note = f"no sentences: {why}; give the text with --text FILE"
        return ErrorListing(diagnose(gold_doc, pred_doc), None, note)
    try:
        content = read_document(path)
    except InputError as exc:
        if text is not None:
            raise
        return ErrorListing(diagnose(gold_doc, pred_doc), None, f"no sentences: {exc}")
    note = f"sentences from {os.fspath(path)}"
    return ErrorListing(diagnose(gold_doc, pred_doc, content), path, note)


def _folders(*files: StrPath) -> list[Path]:
    """The folders holding ``files``, in order."""
    return [Path(f).parent for f in files]
