"""The ``policykg`` command: a thin click layer over :mod:`policykg.output.api`.

Importing this module (and so ``policykg --help``) loads click only: spaCy, rdflib, networkx
and pyvis take seconds to import, so each command imports the API when it runs.

Errors the user can fix (``PolicyKGError``, ``ValueError`` such as ``QueryError``,
``OSError``) print one line ``policykg: error: <message>`` on stderr and exit with status 1;
usage errors (a missing argument, a path that does not exist, an unknown encoding, an output
folder inside an input folder) exit with status 2; ``policykg --debug COMMAND`` shows the
traceback instead. Ctrl-C (SIGINT) and SIGTERM end a command with one line
``policykg: interrupted by SIGINT`` and status 130 (143 for SIGTERM). Output files are
written atomically, so a failed or interrupted command never leaves half a file.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Final, Never

import click

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = ["main"]

#: policykg.graph.DEFAULT_BASE, spelled out so that --help needs no rdflib (a test checks it).
DEFAULT_BASE_IRI: Final = "https://w3id.org/policykg/id/"
#: policykg.output.results.FORMATS, spelled out for the same reason (a test checks it).
RESULT_FORMATS: Final = ("table", "csv", "json", "tsv", "xml")
#: policykg.graph.exports.FORMATS, spelled out for the same reason (a test checks it).
EXPORT_FORMATS: Final = ("ttl", "nt", "jsonld", "trig", "graphml", "gexf", "csv")
#: policykg.output.html.DEFAULT_NODE_BUDGET, spelled out for the same reason (a test checks it).
PAGE_NODE_BUDGET: Final = 2000
#: Export formats whose file is RDF: the summary gives the triple count after the first.
RDF_FORMATS: Final = ("ttl", "nt", "jsonld", "trig")
#: policykg.output.endpoint's defaults, spelled out for the same reason (a test checks them).
SERVE_HOST: Final = "127.0.0.1"
SERVE_PORT: Final = 8765
SERVE_TIMEOUT: Final = 10.0
SERVE_MAX_ROWS: Final = 10_000
SERVE_WORKERS: Final = 2
#: policykg.output.push.AUTH_SCHEMES and api.push's timeout, spelled out (a test checks them).
PUSH_AUTH: Final = ("auto", "basic", "digest")
PUSH_TIMEOUT: Final = 60.0
#: The environment variable push reads the password from when --password is not given.
PUSH_PASSWORD_ENV: Final = "POLICYKG_PUSH_PASSWORD"

_CONTEXT: Final[dict[str, Any]] = {"help_option_names": ["-h", "--help"]}


class CLIError(click.ClickException):
    """A library error shown as one line ``policykg: error: <message>``, exit status 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"policykg: error: {self.format_message()}", file=file, err=True)


class UsageCLIError(CLIError):
    """A request that cannot be carried out, shown as one line, exit status 2."""

    exit_code = 2


class Interrupted(KeyboardInterrupt):
    """SIGTERM, raised wherever the program was, so that clean-ups run as for Ctrl-C."""

    signum = signal.SIGTERM


class PolicyKGGroup(click.Group):
    """A group that turns the errors a user can fix into :class:`CLIError` (unless --debug),
    and an interruption (SIGINT, SIGTERM) into one line and status 128 + the signal."""

    def invoke(self, ctx: click.Context) -> Any:
        previous = _catch_sigterm()
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt as exc:
            if ctx.params.get("debug"):
                raise
            signum = getattr(exc, "signum", signal.SIGINT)
            click.echo(f"policykg: interrupted by {signal.Signals(signum).name}", err=True)
            raise click.exceptions.Exit(128 + signum) from None
        except Exception as exc:
            if ctx.params.get("debug") or not _user_error(exc):
                raise
            message = " ".join(str(exc).splitlines()) or type(exc).__name__
            if _usage_error(exc):
                raise UsageCLIError(message) from exc
            raise CLIError(message) from exc
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _catch_sigterm() -> Any:
    """Make SIGTERM raise :class:`Interrupted`; the handler it replaces (None when it cannot
    be replaced: not the main thread, or a handler not set from Python)."""
    try:
        previous = signal.getsignal(signal.SIGTERM)
        if previous is None:
            return None
        signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # signal only works in the main thread
        return None
    return previous


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Interrupted


def _usage_error(exc: Exception) -> bool:
    """Whether ``exc`` is a :class:`~policykg.extract.errors.UsageError` (exit status 2)."""
    errors = sys.modules.get("policykg.extract.errors")
    return errors is not None and isinstance(exc, errors.UsageError)


def _user_error(exc: Exception) -> bool:
    """Whether ``exc`` is an error about the input rather than a bug.

    PolicyKGError is looked up in ``sys.modules``: if its module is not loaded, ``exc``
    cannot be one, and importing it here would import spaCy.
    """
    if isinstance(exc, ValueError | OSError):
        return True
    errors = sys.modules.get("policykg.extract.errors")
    return errors is not None and isinstance(exc, errors.PolicyKGError)


def _emit(text: str) -> None:
    """Write machine-readable text to stdout as UTF-8 bytes, whatever the locale says."""
    click.echo(text.encode("utf-8"), nl=False)


def encoding_option(function: Any) -> Any:
    """The --encoding option of the commands that read documents."""
    return click.option(
        "--encoding",
        metavar="NAME",
        default=None,
        help="Decode text documents (.txt, .md, .html) with this encoding (utf-8, gb18030, "
        "big5, utf-16…)  [default: detected: UTF-8, UTF-16 with BOM, GB18030/GBK, Big5]",
    )(function)


def jobs_option(function: Any) -> Any:
    """The --jobs option of the commands that extract many documents."""
    return click.option(
        "-j",
        "--jobs",
        metavar="N",
        type=click.IntRange(1),
        default=None,
        help="Extract the documents in N worker processes; 1 extracts in this process; the "
        "output is the same  [default: one per core]",
    )(function)


class ProgressReport:
    """The progress of an extraction on stderr: a bar with documents per second when stderr
    is a terminal (tqdm, imported only then), otherwise a line ``[done/total] name`` per
    document; nothing when ``quiet``."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: tqdm[Never] | None = None
        self.terminal = not quiet and sys.stderr.isatty()

    def __call__(self, done: int, total: int, name: str) -> None:
        if self.quiet:
            return
        if not self.terminal:
            click.echo(f"[{done}/{total}] {name}", err=True)
            return
        bar = self.bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="doc", desc="Extracting", file=sys.stderr)
            self.bar = bar
        bar.set_postfix_str(name, refresh=False)
        bar.update(done - bar.n)
        if done == total:
            self.close()

    def close(self) -> None:
        """End the bar (after the last document, or when the command stops early)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@click.group(cls=PolicyKGGroup, context_settings=_CONTEXT)
@click.version_option(package_name="policykg", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show the traceback of an error, not one line.")
def main(debug: bool) -> None:
    """Knowledge graphs of Chinese policy texts: extract, build, query, evaluate.

    \b
    Example:
        policykg build seeds/ -o out/
        policykg query out/graph.ttl 'SELECT ?label WHERE { ?s a pkg:Strategy ; skos:prefLabel ?label }'
    """  # noqa: E501


@main.command(context_settings=_CONTEXT)
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    metavar="OUT/",
    type=click.Path(path_type=Path),
    help="Folder to write graph.ttl and graph.html to (created if needed).",
)
@click.option(
    "--base",
    metavar="IRI",
    default=None,
    help=f"Base of the graph's instance IRIs, ending in / or #  [default: {DEFAULT_BASE_IRI}]",
)
@click.option(
    "--title",
    metavar="TEXT",
    default=None,
    help="Heading of the HTML page  [default: 'policykg: ' and the document or their number]",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(EXPORT_FORMATS),
    help="Graph file to write; repeat for several: ttl (graph.ttl), nt (graph.nt), jsonld "
    "(graph.jsonld), trig (graph.trig, a named graph per document), graphml "
    "(graph.graphml), gexf (graph.gexf), csv (nodes.csv and relationships.csv for "
    "neo4j-admin import)  [default: ttl]",
)
@encoding_option
@click.option(
    "--allow-output-in-input",
    is_flag=True,
    help="Allow an OUT/ folder that is, lies inside or contains an input folder (a later "
    "build of that folder reads graph.html as a document). An input document is never "
    "overwritten.",
)
@click.option(
    "--shards",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write each document's part of the graph to this folder, one N-Triples file "
    "per document (with the descriptions of the entities it mentions), and shards.json "
    "naming them; their union is the graph.",
)
@click.option(
    "--max-nodes",
    metavar="N",
    type=click.IntRange(min=0),
    default=PAGE_NODE_BUDGET,
    show_default=True,
    help="Most nodes graph.html draws: the documents and the most connected entities; its "
    "search still finds every entity. 0 draws them all.",
)
@click.option(
    "--store",
    "store_dir",
    metavar="DIR",
    default=None,
    type=click.Path(path_type=Path),
    help="Also write the graph into an Oxigraph store folder, which query and serve open "
    "without parsing Turtle (for large graphs). DIR must be new, empty or a store written "
    "by build; it is replaced whole or not at all.",
)
@jobs_option
@click.option(
    "--cache",
    "cache_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep each document's extraction in DIR, so that the next build extracts only the "
    "documents that changed  [default: OUT/.policykg-cache]",
)
@click.option("--no-cache", is_flag=True, help="Extract every document; read and write no cache.")
@click.option("-q", "--quiet", is_flag=True, help="Do not report progress on stderr.")
def build(
    paths: tuple[str, ...],
    out_dir: Path,
    base: str | None,
    title: str | None,
    formats: tuple[str, ...],
    encoding: str | None,
    allow_output_in_input: bool,
    shards: Path | None,
    max_nodes: int,
    store_dir: Path | None,
    jobs: int | None,
    cache_dir: Path | None,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Build OUT/graph.ttl (or the --format files) and OUT/graph.html from documents.

    graph.html is one offline page: search, filters by type and document, and a side panel
    with each entity's mentions and relations, linking to each document's view (its text
    with the entities marked), written to OUT/docs/<name>.html.

    Each PATH is a document (.txt, .md, .html, .htm, .docx, .pdf with a text layer) or a
    folder searched recursively for them. Text is decoded as UTF-8 (with or without BOM),
    UTF-16 with BOM, GB18030/GBK or Big5, whichever it is, unless --encoding says. Documents
    that share a file name are named by the end of their path (a/report.txt, b/report.txt).
    OUT/ may not be an input folder, lie inside one or contain one.

    \b
    Example:
        policykg build seeds/ -o out/
        policykg build seeds/ -o out/ --format ttl --format graphml --format csv
        policykg build corpus/ -o out/ --shards shards/
        policykg build seeds/ -o out/ --store out/store
    """
    if no_cache and cache_dir is not None:
        raise click.UsageError("give --cache DIR or --no-cache, not both")
    from .api import build as build_files

    progress = ProgressReport(quiet)
    try:
        result = build_files(
            paths,
            out_dir,
            base=DEFAULT_BASE_IRI if base is None else base,
            title=title,
            progress=progress,
            formats=formats or EXPORT_FORMATS[:1],
            encoding=encoding,
            allow_output_in_input=allow_output_in_input,
            jobs=jobs,
            cache=False if no_cache else True if cache_dir is None else cache_dir,
            shards=shards,
            max_nodes=max_nodes,
            store=store_dir,
        )
    finally:
        progress.close()
    files = [str(path) for path in (*result.exports, result.graph_html)]
    rdf = [f for f in files if f.rsplit(".", 1)[-1] in RDF_FORMATS]
    if rdf:
        files[files.index(rdf[0])] += f" ({result.triples} triples)"
    if result.document_pages:
        folder = result.document_pages[0].parent
        files.append(f"{len(result.document_pages)} document pages in {folder}/")
    if shards is not None:
        files.append(f"{result.documents} shards in {shards}/")
    if result.store is not None:
        files.append(f"the store {result.store}/")
    listed = ", ".join(files[:-1]) + f" and {files[-1]}"
    click.echo(
        f"Wrote {listed}: {result.documents} documents, {result.entities} entities, "
        f"{result.relations} relations."
    )


@main.command(context_settings=_CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the extraction as JSON (SCHEMA.md form, plus offsets and rule ids).",
)
@encoding_option
def extract(file: Path, as_json: bool, encoding: str | None) -> None:
    """Extract entities and relations from one document.

    FILE is a .txt, .md, .html, .htm, .docx or .pdf document; offsets in the JSON index the
    text read from it. Without --json, prints how many entities and relations of each type
    were found. The JSON is what policykg eval (and ../shared/eval/score.py) read as
    PRED.json.

    \b
    Example:
        policykg extract seeds/000_e07ead4074b87c09.txt --json > pred.json
    """
    from .api import extract as extract_file

    extraction = extract_file(file, encoding)
    if as_json:
        _emit(json.dumps(extraction.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        from .results import format_summary

        click.echo(format_summary(extraction), nl=False)


@main.command(context_settings=_CONTEXT)
@click.argument("graph", type=click.Path(exists=True, path_type=Path))
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    metavar="QUERY.rq",
    type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
    help="Read the query from this file ('-' for stdin) instead of the SPARQL argument.",
)
@click.option(
    "--named",
    metavar="NAME",
    default=None,
    help="Run the named query NAME shipped with policykg (see --list).",
)
@click.option(
    "--list",
    "list_named",
    is_flag=True,
    help="List the named queries, each with what it answers, and exit.",
)
@click.option(
    "--limit",
    metavar="N",
    type=click.IntRange(min=0),
    default=None,
    help="Show at most N rows of a named query; 0 shows all. A note on stderr says when "
    "more rows follow.  [default: 100]",
)
@click.option(
    "--offset",
    metavar="N",
    type=click.IntRange(min=0),
    default=None,
    help="Skip the first N rows of a named query (the next page: --offset 100).  [default: 0]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS),
    default=RESULT_FORMATS[0],
    show_default=True,
    help="table: aligned columns; csv: with a header; json, tsv, xml: SPARQL 1.1 results.",
)
def query(
    graph: Path,
    sparql: str | None,
    query_file: Path | None,
    named: str | None,
    list_named: bool,
    limit: int | None,
    offset: int | None,
    fmt: str,
) -> None:
    """Run a SPARQL query on a graph.ttl or a store folder written by policykg build.

    The graph is loaded into Oxigraph; a store folder (build --store) is opened read-only,
    with nothing to parse. SELECT prints rows; ASK prints true or false
    ({"head": {}, "boolean": …} in JSON); CONSTRUCT and DESCRIBE print Turtle (JSON-LD with
    --format json). The prefixes pkg:, skos:, org:, prov:, dcterms:, nif:, foaf:, owl:, rdf:,
    rdfs:, xsd: are bound already. --list shows the named queries that come with policykg,
    --named NAME runs one and shows its first 100 rows (--limit, --offset: another page).

    \b
    Example:
        policykg query out/graph.ttl 'SELECT ?label WHERE { ?s a pkg:Strategy ; skos:prefLabel ?label } ORDER BY ?label'
        policykg query out/graph.ttl -f tasks.rq --format csv
        policykg query out/graph.ttl --list
        policykg query out/graph.ttl --named task-targets
        policykg query out/store --named deployers
        policykg query out/store --named evidence --offset 100 --limit 50
        policykg query out/store --named evidence --limit 0 --format csv
    """  # noqa: E501
    # not .api: a query imports pyoxigraph, not the NLP and RDF libraries a build needs
    from .querying import NAMED_LIMIT, list_queries, query_named
    from .querying import query as run_query
    from .results import display_width, format_result

    if list_named:
        if sparql is not None or query_file is not None or named is not None:
            raise click.UsageError("--list takes no query, -f or --named")
        queries = list_queries()
        width = max(display_width(q.name) for q in queries)
        click.echo("".join(f"{q.name.ljust(width)}  {q.description}\n" for q in queries), nl=False)
        return
    if named is not None:
        if sparql is not None or query_file is not None:
            raise click.UsageError("give a SPARQL argument, -f or --named, only one of them")
        page = NAMED_LIMIT if limit is None else limit
        result = query_named(graph, named, page, offset or 0)
        if result.truncated:
            first = (offset or 0) + 1
            last, following = first + len(result.rows) - 1, (offset or 0) + len(result.rows)
            click.echo(
                f"policykg: showing rows {first}-{last}; more follow: --offset {following} "
                "for the next ones, --limit 0 for all",
                err=True,
            )
    else:
        if limit is not None or offset is not None:
            from .errors import Errors, OutputError

            given = [("LIMIT", limit), ("OFFSET", offset)]
            clause = " ".join(f"{word} {n}" for word, n in given if n is not None)
            raise OutputError(Errors.E127.format(clause=clause))
        result = run_query(graph, _query_text(sparql, query_file))
    text = format_result(result, fmt)
    if fmt == "table":
        click.echo(text, nl=False)
    else:
        _emit(text)


def _query_text(sparql: str | None, query_file: Path | None) -> str:
    """The query from the argument or from -f (a file, or stdin for '-'): exactly one."""
    if query_file is None:
        if sparql is None:
            raise click.UsageError(
                "give a query as the SPARQL argument, with -f QUERY.rq or with --named NAME"
            )
        return sparql
    if sparql is not None:
        raise click.UsageError("give the query as the SPARQL argument or with -f, not both")
    if str(query_file) == "-":
        return sys.stdin.read()
    from .querying import read_query

    return read_query(query_file)


@main.command(context_settings=_CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out_file",
    required=True,
    metavar="DOC.html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write the document view to (its folder must exist).",
)
def show(file: Path, out_file: Path) -> None:
    """Write one document's text with every entity marked in its type's colour.

    FILE is extracted as build does it and written as one offline page in the style of
    spaCy's displaCy: each mention highlighted in the colour of its type (as in the graph
    page), its type after it, the entity's name on hover; marks nest where a task holds
    the names it involves. The same page as build writes to OUT/docs/ for each document.

    \b
    Example:
        policykg show seeds/000_e07ead4074b87c09.txt -o doc.html
    """
    from .api import show as show_document

    result = show_document(file, out_file)
    click.echo(
        f"Wrote {result.path}: {result.document}, {result.mentions} mentions of "
        f"{result.entities} entities marked."
    )


@main.command("eval", context_settings=_CONTEXT)
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("pred", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--show-errors",
    is_flag=True,
    help="After the scores, list the missed and spurious entities and relations of each type "
    "with their sentence, rule and evidence.",
)
@click.option(
    "--text",
    "text_file",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The annotated document, for the sentences of --show-errors  [default: the file the "
    "JSON's 'document' key names, next to GOLD, else next to PRED]",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def eval_(gold: Path, pred: Path, show_errors: bool, text_file: Path | None, as_json: bool) -> None:
    """Score an extraction against gold annotations.

    Both files are in the JSON form of SCHEMA.md. Precision, recall and F1 of entities and
    relations, overall and per type, strict and lenient: the same figures and text as
    ../shared/eval/score.py. --show-errors then lists, per type, what the extraction missed
    and what it found that gold does not have (lenient matching, as scored), each with the
    sentence of the document it comes from.

    \b
    Example:
        policykg eval seeds/000_e07ead4074b87c09.json pred.json --show-errors
    """
    if text_file is not None and not show_errors:
        raise click.UsageError("--text gives the sentences of --show-errors; add --show-errors")
    from policykg.extract.diagnose import format_diagnosis
    from policykg.extract.evaluate import evaluation_to_json, format_report

    from .api import evaluate_files, list_errors

    evaluation = evaluate_files(gold, pred)
    if as_json:
        _emit(json.dumps(evaluation_to_json(evaluation), ensure_ascii=False, indent=1) + "\n")
        return
    report = format_report(evaluation)
    if show_errors:  # listed before anything is printed, so that an error prints nothing else
        listing = list_errors(gold, pred, text_file)
        report += "\n\n" + format_diagnosis(listing.diagnosis, listing.note)
    click.echo(report)


@main.command(context_settings=_CONTEXT)
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the counts as one JSON object (documents, rules, never_fired).",
)
@encoding_option
@jobs_option
@click.option(
    "--cache",
    "cache_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Take the extractions found in DIR (such as a build's OUT/.policykg-cache) and "
    "keep the others there  [default: no cache]",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not report progress on stderr.")
def stats(
    paths: tuple[str, ...],
    as_json: bool,
    encoding: str | None,
    jobs: int | None,
    cache_dir: Path | None,
    quiet: bool,
) -> None:
    """Count how often each extraction rule fired on documents.

    Documents are read as policykg build reads them. Per rule id: in how many documents it
    fired, the mentions, entities (by their first mention) and relations it produced, as
    they stand in the extractions; then the rules that never fired, with the data file or
    module that defines each.

    \b
    Example:
        policykg stats seeds/ ../shared/corpus/
    """
    from policykg.extract.rulestats import format_rule_stats, rule_stats_to_json

    from .api import rule_stats

    progress = ProgressReport(quiet)
    try:
        result = rule_stats(paths, progress, encoding, jobs, cache_dir)
    finally:
        progress.close()
    if as_json:
        _emit(json.dumps(rule_stats_to_json(result), ensure_ascii=False, indent=2) + "\n")
    else:
        click.echo(format_rule_stats(result), nl=False)


@main.command(context_settings=_CONTEXT)
@click.argument("graph", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(graph: Path) -> None:
    """Check a graph.ttl against the policykg SHACL shapes.

    Runs pyshacl with the shapes of the vocabulary (graph/shapes.ttl) and prints whether
    the graph conforms, then each violation: its focus node and that node's label, the
    path, the value and the message. Exit status 0 when the graph conforms, 1 when not.

    \b
    Example:
        policykg validate out/graph.ttl
    """
    from .api import validate as validate_file
    from .validation import format_validation

    report = validate_file(graph)
    click.echo(format_validation(report, str(graph)), nl=False)
    if not report.conforms:
        raise click.exceptions.Exit(1)


@main.command(context_settings=_CONTEXT)
@click.argument("graph", metavar="GRAPH.ttl", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--host",
    default=SERVE_HOST,
    show_default=True,
    help="Address to listen on; anything but 127.0.0.1 or ::1 lets other machines query the "
    "graph, without authentication.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=SERVE_PORT,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--timeout",
    metavar="SECONDS",
    type=click.FloatRange(0, min_open=True),
    default=SERVE_TIMEOUT,
    show_default=True,
    help="Stop a query after this long (its worker process is killed) and answer 503.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(1),
    default=SERVE_MAX_ROWS,
    show_default=True,
    help="Send at most this many rows or triples; a longer result is cut and the response "
    "has the header X-SPARQL-MaxRows.",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=SERVE_WORKERS,
    show_default=True,
    help="Queries run at the same time, each in a process with its own copy of the graph.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not log each request on stderr.")
def serve(
    graph: Path, host: str, port: int, timeout: float, max_rows: int, workers: int, quiet: bool
) -> None:
    """Serve a graph as a read-only SPARQL 1.1 endpoint until Ctrl-C.

    GRAPH.ttl is a Turtle file written by build, which each worker loads, or a store folder
    (build --store), which each worker opens read-only.

    GET /sparql?query=… or POST /sparql (an application/sparql-query body or a form with
    query=). Results as SPARQL JSON (default), XML, CSV or TSV, CONSTRUCT and DESCRIBE as
    Turtle or N-Triples, chosen by the Accept header; any origin may call it (CORS).
    SPARQL Update, SERVICE and FROM are refused. The prefixes are bound as in query.

    \b
    Example:
        policykg serve out/graph.ttl
        policykg serve out/store --workers 4
        curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT ?l WHERE { ?s a pkg:Strategy ; skos:prefLabel ?l }' http://127.0.0.1:8765/sparql
    """  # noqa: E501
    import signal

    from .api import serve as open_server

    def log(line: str) -> None:
        click.echo(line, err=True)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a service manager's stop: as clean as Ctrl-C
    try:
        server = open_server(
            graph, host, port, timeout, max_rows, workers, log=None if quiet else log
        )
    except KeyboardInterrupt:
        click.echo("Stopped.")
        return
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(
            f"policykg: warning: listening on {host}: anyone who can reach it can query the "
            "graph (no authentication)",
            err=True,
        )
    click.echo(
        f"Serving {graph} ({server.triples} triples) at {server.url} (read-only); Ctrl-C stops."
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    click.echo("Stopped.")


@main.command(context_settings=_CONTEXT)
@click.argument(
    "graph", metavar="GRAPH", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--endpoint",
    metavar="URL",
    required=True,
    help="The server's SPARQL 1.1 Graph Store Protocol URL (Oxigraph: http://HOST:7878/store; "
    "Virtuoso: http://HOST:8890/sparql-graph-crud-auth; GraphDB: "
    "http://HOST:7200/repositories/REPO/rdf-graphs/service).",
)
@click.option("--user", metavar="NAME", default=None, help="User name to authenticate with.")
@click.option(
    "--password",
    metavar="TEXT",
    default=None,
    envvar=PUSH_PASSWORD_ENV,
    show_envvar=True,
    help="Password of --user (better from the environment variable, so that it is not on "
    "the command line; asked for when --user is given at a terminal without it).",
)
@click.option(
    "--auth",
    type=click.Choice(PUSH_AUTH),
    default=PUSH_AUTH[0],
    show_default=True,
    help="auto: answer the scheme the server asks for (Basic or Digest); basic: send the "
    "user and password with every request; digest: Digest only.",
)
@click.option(
    "--timeout",
    metavar="SECONDS",
    type=click.FloatRange(0, min_open=True),
    default=PUSH_TIMEOUT,
    show_default=True,
    help="Give up when the server does not answer for this long.",
)
@click.option(
    "--document",
    "documents",
    metavar="NAME",
    multiple=True,
    help="Push only this document (its name, as build printed it); repeat for several  "
    "[default: every document of GRAPH]",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not report progress on stderr.")
def push(
    graph: Path,
    endpoint: str,
    user: str | None,
    password: str | None,
    auth: str,
    timeout: float,
    documents: tuple[str, ...],
    quiet: bool,
) -> None:
    """Load a graph into a SPARQL 1.1 Graph Store Protocol server.

    GRAPH is a graph.ttl (or graph.nt, graph.trig) written by policykg build. Each document
    goes to the named graph called by the document's IRI, with the descriptions of the
    entities it mentions, by HTTP PUT: a document pushed again replaces its old statements,
    other documents' graphs stay as they are. Works with Oxigraph, Virtuoso, GraphDB, Jena
    Fuseki, Amazon Neptune and any other server of the protocol.

    \b
    Example:
        policykg push out/graph.ttl --endpoint http://127.0.0.1:7878/store
        POLICYKG_PUSH_PASSWORD=secret policykg push out/graph.ttl --user dba --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth
    """
    from .api import push as push_graph

    if user is not None and password is None and sys.stdin.isatty():
        password = click.prompt(f"Password of {user}", hide_input=True, err=True)

    def progress(done: int, total: int, name: str) -> None:
        if not quiet:
            click.echo(f"[{done}/{total}] {name}", err=True)

    result = push_graph(
        graph,
        endpoint,
        user=user,
        password=password,
        auth=auth,  # type: ignore[arg-type]  # one of PUSH_AUTH, checked by click
        timeout=timeout,
        documents=documents or None,
        progress=progress,
    )
    if result.unattributed:
        click.echo(
            f"policykg: warning: {result.unattributed} triples of {graph} describe no "
            "document's entity and were not pushed",
            err=True,
        )
    count = len(result.graphs)
    pushed = "1 document" if count == 1 else f"{count} documents"
    click.echo(
        f"Pushed {pushed} ({result.triples} triples) to {result.endpoint}, a named graph each."
    )
