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

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policykg.extract import (
    Extraction,
    InputError,
    extract_file,
    read_document,
    validate_encoding,
)
from policykg.extract.diagnose import Diagnosis, diagnose
from policykg.extract.evaluate import Evaluation, evaluate, read_annotations
from policykg.extract.rulestats import RuleStats, count_rules
from policykg.graph import (
    DEFAULT_BASE,
    KnowledgeGraph,
    QueryResult,
    build_graph,
    load_turtle,
    run_query,
    validate_base,
)

from .errors import Errors, OutputError
from .files import (
    check_output_folder,
    collect_documents,
    document_names,
    locate_document,
    write_files_atomic,
)
from .html import render_html

__all__ = [
    "GRAPH_HTML",
    "GRAPH_TTL",
    "BuildResult",
    "ErrorListing",
    "Progress",
    "build",
    "default_title",
    "evaluate_files",
    "extract",
    "extract_documents",
    "extract_json",
    "list_errors",
    "load_graph",
    "query",
    "read_query",
    "rule_stats",
]

#: File names a build writes into its output folder.
GRAPH_TTL = "graph.ttl"
GRAPH_HTML = "graph.html"

#: Called after each document is extracted with (documents done, documents in all, name).
Progress = Callable[[int, int, str], None]

StrPath = str | os.PathLike[str]


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` wrote and what the graph holds.

    ``entities`` counts graph nodes (entities merged across documents), ``relations`` the
    distinct (head, type, tail) relation triples, ``triples`` all RDF triples in the Turtle.
    """

    graph_ttl: Path
    graph_html: Path
    document_names: tuple[str, ...]
    entities: int
    relations: int
    triples: int
    graph: KnowledgeGraph = field(repr=False, compare=False)

    @property
    def documents(self) -> int:
        """The number of documents in the graph."""
        return len(self.document_names)

    @property
    def paths(self) -> tuple[Path, Path]:
        """The files written: the Turtle file and the HTML page."""
        return (self.graph_ttl, self.graph_html)


def extract_text(text: str, document: str = "<text>") -> Extraction:
    """Extract one document's text; spaCy loads on the first call, not at import."""
    from policykg.extract.pipeline import extract_text as run

    return run(text, document)


def extract_documents(
    paths: Iterable[StrPath], progress: Progress | None = None, encoding: str | None = None
) -> list[Extraction]:
    """Extract every document that ``paths`` name (files, or folders searched for documents:
    .txt, .md, .html, .htm, .docx, .pdf).

    Each document is named by its file name, or by the end of its path where several share
    a file name (:func:`~policykg.output.files.document_names`). ``encoding`` forces the
    decoding of text documents (default: detected).
    """
    if encoding is not None:
        validate_encoding(encoding)
    return _extract(collect_documents(paths), progress, encoding)


def _extract(
    documents: Sequence[Path], progress: Progress | None, encoding: str | None
) -> list[Extraction]:
    """The extractions of ``documents``, named by :func:`document_names`, in order."""
    names = document_names(documents)
    extractions = []
    for done, (path, name) in enumerate(zip(documents, names, strict=True), start=1):
        extractions.append(extract_text(read_document(path, encoding), name))
        if progress is not None:
            progress(done, len(documents), name)
    return extractions


def rule_stats(
    paths: Iterable[StrPath], progress: Progress | None = None, encoding: str | None = None
) -> RuleStats:
    """How often each rule fired on the documents ``paths`` name, and which never did.

    Documents are collected, named and extracted as :func:`build` does them (``progress``
    is called after each); see :mod:`policykg.extract.rulestats` for what is counted.
    """
    return count_rules(extract_documents(paths, progress, encoding))


def build(
    paths: Iterable[StrPath],
    out_dir: StrPath,
    base: str = DEFAULT_BASE,
    title: str | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
    allow_output_in_input: bool = False,
) -> BuildResult:
    """Extract the documents, build one graph, write ``OUT/graph.ttl`` and ``OUT/graph.html``.

    ``out_dir`` is created if needed. Both files are rendered before either is written and
    are written atomically, so a failure or an interruption at any step leaves earlier
    output as it was. The base IRI, the encoding and the output folder are checked before
    the (slow) extraction starts: the output folder may not be, lie inside or contain one
    of the input folders unless ``allow_output_in_input`` (a later build of that folder
    would read graph.html as a document), and never overwrites an input document.
    ``title`` is the page heading (default: :func:`default_title`); ``encoding`` forces the
    decoding of text documents (default: detected).
    """
    validate_base(base)
    if encoding is not None:
        validate_encoding(encoding)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(Errors.E110.format(path=os.fspath(out_dir)))
    paths = list(paths)
    documents = collect_documents(paths)
    check_output_folder(out, (GRAPH_TTL, GRAPH_HTML), paths, documents, allow_output_in_input)
    extractions = _extract(documents, progress, encoding)
    graph = build_graph(extractions, base=base)
    names = tuple(ext.document for ext in extractions)
    view = graph.to_networkx()
    turtle = graph.serialize("turtle")
    page = render_html(view, title=title if title is not None else default_title(names))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(Errors.E111.format(path=os.fspath(out_dir), reason=reason)) from exc
    ttl_path, html_path = out / GRAPH_TTL, out / GRAPH_HTML
    write_files_atomic({ttl_path: turtle, html_path: page})
    entities = sum(1 for _, kind in view.nodes(data="kind") if kind == "entity")
    relations = {
        (head, tail, kind) for head, tail, kind in view.edges(data="type") if kind != "mentionedIn"
    }
    return BuildResult(ttl_path, html_path, names, entities, len(relations), len(graph), graph)


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
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 at byte {exc.start}"
        raise OutputError(Errors.E120.format(path=name, reason=reason)) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(Errors.E120.format(path=name, reason=reason)) from None
    try:
        return load_turtle(data)
    except ValueError as exc:
        raise OutputError(Errors.E121.format(path=name, reason=exc)) from None


def query(graph_path: StrPath, sparql: str) -> QueryResult:
    """Run a SPARQL query on the graph in a Turtle file (policykg prefixes pre-bound).

    :class:`~policykg.graph.QueryError` (a ``ValueError``) when the query is bad.
    """
    if not sparql.strip():
        raise OutputError(Errors.E123)
    return run_query(load_graph(graph_path), sparql)


def read_query(path: StrPath) -> str:
    """The text of a query file (UTF-8, with or without BOM)."""
    name = os.fspath(path)
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 at byte {exc.start}"
        raise OutputError(Errors.E122.format(path=name, reason=reason)) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(Errors.E122.format(path=name, reason=reason)) from None


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
