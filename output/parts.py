"""Each document's share of a build's files, made in worker processes and cached.

Once the merge is planned (:class:`~policykg.graph.build.GraphPlan`), what a document adds
to the files a build writes depends only on its extraction and on its part of the merge
(:meth:`~policykg.graph.build.GraphPlan.part_context`): its block of Turtle and of
N-Triples, its page in ``docs/``, its mentions' sentences for the graph page's panel, and
what the graph page's view takes of it. :func:`render_parts` makes these shares in worker
processes, each sent the document's part of the merge: the workers that extracted the
documents keep their extractions for this (:func:`hold`), so nothing big is sent to them,
or in this process, and keeps each in the build's cache under a key of everything it
depends on (:func:`part_key`). A rebuild takes unchanged documents' shares from the cache.
Shares come in the plan's document order, the same bytes whatever the number of workers.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import logging
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from policykg.extract import Extraction, textview
from policykg.graph import build as graph_build
from policykg.graph import iris, terms, turtle, vocab
from policykg.graph.build import GraphPlan, PartContext, document_part
from policykg.graph.model import DocumentText
from policykg.graph.terms import Triple
from policykg.graph.turtle import ntriples_statements, turtle_statements

from . import docview, html, palette
from .cache import ExtractionCache
from .docview import MarkedEntity, render_document
from .html import MentionContext, document_contexts
from .parallel import LazyTasks, WorkerPool

__all__ = [
    "PARTS_FOLDER",
    "PART_FORMAT",
    "Given",
    "PartOptions",
    "RenderedPart",
    "hold",
    "part_key",
    "render_part_in",
    "render_parts",
]

#: The layout of a cached share; part of the key, so a new layout starts afresh.
PART_FORMAT = 3
#: Where shares are kept in the cache folder.
PARTS_FOLDER = "parts"

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartOptions:
    """What a build writes of each document: Turtle, N-Triples, its own triples (for shards
    and the formats made in memory), and the graph page's address seen from ``docs/``."""

    turtle: bool
    ntriples: bool
    own: bool
    graph_href: str


@dataclass(frozen=True)
class RenderedPart:
    """One document's share of the build's files (see the module's docstring).

    ``text`` is the document without its text (the page and the contexts hold what is
    shown of it); ``entities`` and ``assertions`` are as in
    :class:`~policykg.graph.build.DocumentPart`, which the view collects (the mentions are
    in the page, the contexts and the statements: sent to the build's process as well, they
    cost it a second of the 1,000 documents' shares to read); ``links`` the
    relation triples it asserts, written with the entities' statements (other documents
    may assert them too); ``own`` the document's own statements (empty unless
    :attr:`PartOptions.own`), ``own_count`` their number; ``turtle`` and ``ntriples`` them
    written (empty when not asked for), and ``page`` the document's page, each as UTF-8
    bytes: what the files and the cache hold, so that they are encoded once, in the worker,
    and go to the files as they are.
    """

    name: str
    iri: str
    text: DocumentText
    entities: tuple[str, ...]
    assertions: tuple[tuple[str, str, str, str, str, str], ...]
    links: tuple[Triple, ...]
    own_count: int
    own: tuple[Triple, ...]
    turtle: bytes
    ntriples: bytes
    page: bytes
    contexts: tuple[MentionContext, ...]


def render_part(
    plan: GraphPlan, index: int, options: PartOptions, extraction: Extraction | None = None
) -> RenderedPart:
    """The share of document ``index`` of ``plan``, made now (from ``extraction``, its
    whole extraction, when the plan holds a summary of it)."""
    ext = plan.documents[index] if extraction is None else extraction
    return render_part_in(ext, plan.part_context(index), options)


def render_part_in(
    extraction: Extraction, context: PartContext, options: PartOptions
) -> RenderedPart:
    """The share of the document of ``extraction``, given its part of the merge: what a
    worker that holds the extraction makes, sent only ``context``."""
    part = document_part(extraction, context)
    kinds = {node: (kind, label) for node, kind, label in context.nodes.values()}
    marked = {entity: MarkedEntity(*kinds[entity]) for entity in part.entities}
    page = render_document(part.text, part.mentions, marked, options.graph_href)
    contexts = tuple(document_contexts(part.text, part.mentions))
    return RenderedPart(
        name=part.name,
        iri=part.iri,
        text=DocumentText(part.iri, part.name, part.text.title, ""),
        entities=part.entities,
        assertions=part.assertions,
        links=tuple(sorted(part.links)),
        own_count=part.own_count,
        own=tuple(sorted(part.own)) if options.own else (),
        turtle=turtle_statements(part.statements).encode() if options.turtle else b"",
        ntriples=ntriples_statements(part.statements).encode() if options.ntriples else b"",
        page=page.encode(),
        contexts=contexts,
    )


def part_key(plan: GraphPlan, index: int, extraction_key: str, options: PartOptions) -> str:
    """The cache key (SHA-256, hex) of a share: the share's layout, the code that writes it,
    the extraction's cache key, the document's name, its part of the merge and the options."""
    name = plan.documents[index].document
    return _part_key(plan.part_context(index), name, extraction_key, options)


def _part_key(context: PartContext, name: str, extraction_key: str, options: PartOptions) -> str:
    """:func:`part_key` of the document ``name`` whose part of the merge is ``context``."""
    record = [
        PART_FORMAT,
        code_fingerprint(),
        extraction_key,
        name,
        context,
        [options.turtle, options.ntriples, options.own, options.graph_href],
    ]
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def code_fingerprint() -> str:
    """A hash of the source of the modules that write a share, so that changed code never
    reads a share written by the old one."""
    digest = hashlib.sha256()
    modules = (graph_build, iris, terms, turtle, vocab, textview, docview, html, palette)
    for module in (*modules, sys.modules[__name__]):
        digest.update(inspect.getsource(module).encode("utf-8"))
    digest.update(resources.files(__package__).joinpath("templates/document.css").read_bytes())
    return digest.hexdigest()


def render_parts(
    plan: GraphPlan,
    keys: Sequence[str],
    options: PartOptions,
    jobs: int = 1,
    cache: ExtractionCache | None = None,
    whole: Callable[[int], Extraction] | None = None,
    used: set[str] | None = None,
    pool: WorkerPool | None = None,
    holders: Mapping[int, int] | None = None,
    sources: Callable[[int], Callable[[], Extraction]] | None = None,
) -> Iterator[RenderedPart]:
    """Every document's share, in :meth:`GraphPlan.document_order`.

    ``keys`` are the documents' extraction cache keys (in the plan's document order); with
    ``cache``, shares are read from it and the others stored in it, and the keys of the
    shares (:func:`part_key`) are added to ``used``. ``whole`` gives the whole extraction of
    a document (by index) when the plan holds summaries; it is called only for the shares to
    make here. Worker processes make the shares when there are several to make: those of
    ``pool``, or ``jobs`` new ones. A worker is sent each document's part of the merge
    (:class:`~policykg.graph.build.PartContext`) and takes the whole extraction from its own
    memory when it extracted the document (``holders``: document index → worker index; see
    :func:`hold`), or else from ``sources`` (document index → a function, sent along, that
    reads it again), or else it is sent the extraction.
    """
    order = plan.document_order()
    held = holders or {}
    contexts: dict[int, PartContext] = {}
    paths: dict[int, Path] = {}
    folder = cache.folder / PARTS_FOLDER if cache is not None else None

    def find(index: int) -> PartContext:
        """Document ``index``'s part of the merge, and its share's path in the cache."""
        context = contexts.pop(index, None)
        if context is None:
            context = plan.part_context(index)
        if folder is not None and index not in paths:
            name = plan.documents[index].document
            paths[index] = folder / f"{_part_key(context, name, keys[index], options)}.json"
            if used is not None:
                used.add(paths[index].stem)
        return context

    # A document a worker of ``pool`` holds was extracted now, so its share is made, not
    # looked up: its part of the merge is found as its task is sent, while the workers run.
    for i in order:
        if pool is None or i not in held:
            contexts[i] = find(i)
    # shares in the cache are read here (a worker would only add the cost of sending them)
    todo = [i for i in order if i not in paths or not paths[i].is_file()]
    made: Iterator[RenderedPart]
    with contextlib.ExitStack() as stack:
        if pool is None and min(jobs, len(todo)) > 1:
            pool = stack.enter_context(WorkerPool(min(jobs, len(todo))))
        if pool is None or not todo:
            made = (_make(plan, i, options, paths.get(i), cache, whole) for i in todo)
        else:

            def task(i: int) -> _ShareTask:
                context = find(i)
                source: Callable[[], Extraction] | None = None
                if i not in held:
                    if sources is not None:
                        source = sources(i)
                    else:
                        source = Given(whole(i) if whole else plan.documents[i])
                name = plan.documents[i].document
                return _ShareTask(name, context, options, paths.get(i), cache, source)

            tasks = LazyTasks(task, todo)  # made as their chunks are sent
            made = pool.map(_make_in_worker, tasks, [held.get(i) for i in todo])
        yield from _in_order(plan, order, todo, made, options, paths, cache, whole)


def _in_order(
    plan: GraphPlan,
    order: Sequence[int],
    todo: Sequence[int],
    made: Iterator[RenderedPart],
    options: PartOptions,
    paths: dict[int, Path],
    cache: ExtractionCache | None,
    whole: Callable[[int], Extraction] | None,
) -> Iterator[RenderedPart]:
    """The shares of ``order``: those of ``todo`` from ``made`` (in their order), the others
    read from the cache (made here if their entry turns out unusable)."""
    making = set(todo)
    for index in order:
        if index in making:
            yield next(made)
            continue
        path = paths[index]
        payload = cache.read(path) if cache is not None else None
        if payload is not None:
            try:
                yield decode_part(payload, path.stem, plan.documents[index].document)
                continue
            except (ValueError, KeyError, TypeError, IndexError) as exc:
                _log.info("ignoring the unusable cache entry %s: %s", path, exc)
        yield _make(plan, index, options, path, cache, whole)


#: The whole extractions this worker process made, by document name, each held until the
#: worker makes its share (:func:`render_parts`): sending it back and forth would cost more.
_HELD: dict[str, Extraction] = {}


def hold(extraction: Extraction) -> None:
    """Keep ``extraction`` in this worker process for :func:`render_parts` to make its share."""
    _HELD[extraction.document] = extraction


@dataclass(frozen=True)
class Given:
    """An extraction sent to the worker that makes its share (a source of
    :func:`render_parts`)."""

    extraction: Extraction

    def __call__(self) -> Extraction:
        return self.extraction


class _ShareTask(NamedTuple):
    """What a worker needs to make a document's share; ``source`` gives its whole extraction
    when the worker does not hold it."""

    name: str
    context: PartContext
    options: PartOptions
    path: Path | None
    cache: ExtractionCache | None
    source: Callable[[], Extraction] | None


def _make_in_worker(task: _ShareTask) -> RenderedPart:
    """Make a share in a worker process (see :func:`render_parts`), and cache it."""
    extraction = _HELD.pop(task.name, None)
    if extraction is None:
        if task.source is None:
            raise RuntimeError(f"this worker does not hold the extraction of {task.name}")
        extraction = task.source()
    share = render_part_in(extraction, task.context, task.options)
    if task.cache is not None and task.path is not None:
        task.cache.write(task.path, encode_part(task.path.stem, share))
    return share


def _make(
    plan: GraphPlan,
    index: int,
    options: PartOptions,
    path: Path | None,
    cache: ExtractionCache | None,
    whole: Callable[[int], Extraction] | None,
) -> RenderedPart:
    """Make the share of document ``index`` and store it in ``cache`` at ``path``."""
    share = render_part(plan, index, options, whole(index) if whole else None)
    if cache is not None and path is not None:
        cache.write(path, encode_part(path.stem, share))
    return share


#: The texts of a share kept after its JSON line, as the UTF-8 bytes they are (JSON would
#: escape every quote of the Turtle and the page, and reading them back was most of a
#: rebuild's time).
_BLOBS = ("turtle", "ntriples", "page")


def encode_part(key: str, share: RenderedPart) -> bytes:
    """The bytes of the cache entry ``key`` for ``share``: a line of compact UTF-8 JSON (with
    the byte length of each text), then its Turtle, N-Triples and page, as UTF-8."""
    blobs: list[bytes] = [getattr(share, name) for name in _BLOBS]
    record = {
        "format": PART_FORMAT,
        "key": key,
        "sizes": [len(blob) for blob in blobs],
        "iri": share.iri,
        "title": share.text.title,
        "entities": share.entities,
        "assertions": share.assertions,
        "links": share.links,
        "own_count": share.own_count,
        "own": share.own,
        "contexts": [c[:1] + c[2:] for c in share.contexts],
    }
    head = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"\n".join([head, *blobs])


def decode_part(payload: bytes, key: str, name: str) -> RenderedPart:
    """The share in a cache entry, of the document ``name``; ValueError (or KeyError,
    TypeError) when the entry is not one of ``key`` or is cut short."""
    head, _, rest = payload.partition(b"\n")
    record: Any = json.loads(head.decode("utf-8"))
    if record.get("format") != PART_FORMAT or record.get("key") != key:
        raise ValueError("not an entry of this key")
    sizes = [int(size) for size in record["sizes"]]
    if len(sizes) != len(_BLOBS) or len(rest) != sum(sizes) + len(sizes) - 1:
        raise ValueError("the entry is cut short or too long")
    texts, offset = [], 0
    for size in sizes:
        texts.append(rest[offset : offset + size])
        offset += size + 1
    turtle_text, ntriples_text, page = texts
    iri = str(record["iri"])
    return RenderedPart(
        name=name,
        iri=iri,
        text=DocumentText(iri, name, str(record["title"]), ""),
        entities=tuple(record["entities"]),
        assertions=tuple(_six(a) for a in record["assertions"]),
        links=tuple(_three(t) for t in record["links"]),
        own_count=int(record["own_count"]),
        own=tuple(_three(t) for t in record["own"]),
        turtle=turtle_text,
        ntriples=ntriples_text,
        page=page,
        contexts=tuple(
            (entity, name, start, end, text, before, mention, after, anchor)
            for entity, start, end, text, before, mention, after, anchor in record["contexts"]
        ),
    )


def _three(items: list[str]) -> Triple:
    s, p, o = items
    return s, p, o


def _six(items: list[str]) -> tuple[str, str, str, str, str, str]:
    a, b, c, d, e, f = items
    return a, b, c, d, e, f
