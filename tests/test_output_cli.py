"""Tests of output/cli.py: the policykg command's output, files and exit codes.

The seeds are built twice at the same time: in this process with CliRunner and in a
subprocess with another hash seed, so that "byte-identical" covers set and dict order.
Other builds replace the extraction rules by a handmade extraction (fast, exact counts).
Expected evaluation texts were produced by ``../shared/eval/score.py`` and are pinned here.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click
import pytest
import rdflib
from click.testing import CliRunner, Result

from policykg.extract import Extraction, InputError, UsageError, rulestats
from policykg.extract.rules import RuleInfo
from policykg.graph import DEFAULT_BASE, build_graph, exports
from policykg.output import api, endpoint, querying, results
from policykg.output import html as html_view
from policykg.output.cache import CACHE_FOLDER
from policykg.output.cli import (
    DEFAULT_BASE_IRI,
    EXPORT_FORMATS,
    PAGE_NODE_BUDGET,
    RESULT_FORMATS,
    SERVE_HOST,
    SERVE_MAX_ROWS,
    SERVE_PORT,
    SERVE_TIMEOUT,
    SERVE_WORKERS,
    ProgressReport,
    main,
)
from policykg.output.docview import document_pages
from policykg.output.parts import PARTS_FOLDER

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus"
SEED = SEEDS / "000_e07ead4074b87c09.txt"
SEED_GOLD = SEEDS / "000_e07ead4074b87c09.json"
#: The command as a subprocess (the installed console script may not be on PATH).
COMMAND = [sys.executable, "-c", "from policykg.output.cli import main; main(prog_name='policykg')"]
HEAVY = (
    "spacy",
    "rdflib",
    "networkx",
    "pyvis",
    "pyoxigraph",
    "policykg.extract",
    "policykg.graph",
    "tqdm",
)

TEXT = "市委强调，一要着力推动经济高质量发展，实施乡村振兴战略。"


def outputs(folder: Path) -> list[str]:
    """The names in ``folder`` (none if it does not exist), sorted, the extraction cache
    left out: documents extracted before a failure stay cached."""
    if not folder.exists():
        return []
    return sorted(name for name in os.listdir(folder) if name != CACHE_FOLDER)


def invoke(args: list[str], input: str | None = None) -> Result:
    return CliRunner().invoke(main, args, input=input, prog_name="policykg")


def _mention(label: str) -> dict[str, Any]:
    start = TEXT.index(label)
    return {"start": start, "end": start + len(label), "text": label, "rule": "test"}


def handmade(name: str) -> Extraction:
    """A fixed extraction of ``TEXT``: 3 entities, 2 relations (no rules involved)."""
    evidence = {"evidence": TEXT, "evidence_start": 0, "evidence_end": len(TEXT), "rule": "r"}
    data: dict[str, Any] = {
        "document": name,
        "entities": [
            {"id": "e1", "type": "Organization", "label": "市委", "mentions": [_mention("市委")]},
            {
                "id": "e2",
                "type": "Task",
                "label": "着力推动经济高质量发展",
                "mentions": [_mention("着力推动经济高质量发展")],
            },
            {
                "id": "e3",
                "type": "Strategy",
                "label": "乡村振兴战略",
                "aliases": ["乡村振兴"],
                "mentions": [_mention("乡村振兴战略")],
            },
        ],
        "relations": [
            {"head": "e1", "type": "deploys", "tail": "e2", **evidence},
            {"head": "e2", "type": "involves", "tail": "e3", **evidence},
        ],
    }
    return Extraction.from_json(data, TEXT)


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction by ``handmade`` instead of the rules, in build and extract."""
    monkeypatch.setattr(api, "extract_text", lambda text, document="<text>": handmade(document))
    monkeypatch.setattr(api, "extract_file", lambda path, encoding=None: handmade(Path(path).name))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A current folder with docs/a.txt and docs/b.txt (TEXT), so output shows short paths."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "docs" / name).write_text(TEXT, encoding="utf-8")
    return tmp_path


# -- the seeds, built and extracted twice -----------------------------------------------------


@dataclass
class SeedRuns:
    build: Result
    first: Path
    second: Path
    second_stderr: bytes
    extract: Result
    extract_again: bytes


@pytest.fixture(scope="module")
def seed_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeedRuns]:
    root = tmp_path_factory.mktemp("seeds")
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    build_args = ["build", str(SEEDS), "-o", str(root / "second"), "--quiet"]
    pipe = subprocess.PIPE
    builder = subprocess.Popen([*COMMAND, *build_args], stdout=pipe, stderr=pipe, env=env)
    extract_args = ["extract", str(SEED), "--json"]
    extractor = subprocess.Popen([*COMMAND, *extract_args], stdout=pipe, stderr=pipe, env=env)
    try:
        build = invoke(["build", str(SEEDS), "-o", str(root / "first")])
        extract = invoke(["extract", str(SEED), "--json"])
        extracted, extract_err = extractor.communicate(timeout=300)
        _, build_err = builder.communicate(timeout=300)
    finally:
        builder.kill()
        extractor.kill()
    assert extractor.returncode == 0, extract_err.decode()
    assert builder.returncode == 0, build_err.decode()
    yield SeedRuns(build, root / "first", root / "second", build_err, extract, extracted)


SUMMARY = re.compile(
    r"Wrote (?P<ttl>.+/graph\.ttl) \((?P<triples>\d+) triples\), (?P<html>.+/graph\.html) "
    r"and (?P<pages>\d+) document pages in .+/docs/: "
    r"(?P<documents>\d+) documents, (?P<entities>\d+) entities, (?P<relations>\d+) relations\.\n"
)


def test_build_seeds_reports_progress_and_a_summary(seed_runs: SeedRuns) -> None:
    result, out = seed_runs.build, seed_runs.first
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in SEEDS.glob("*.txt"))
    assert result.stderr == "".join(f"[{i}/{len(names)}] {n}\n" for i, n in enumerate(names, 1))
    summary = SUMMARY.fullmatch(result.stdout)
    assert summary is not None, result.stdout
    assert summary["ttl"] == f"{out}/graph.ttl" and summary["html"] == f"{out}/graph.html"
    assert int(summary["documents"]) == len(names) == 2
    assert int(summary["entities"]) > 0 and int(summary["relations"]) > 0
    assert outputs(out) == ["docs", "graph.html", "graph.ttl"]
    assert sorted(os.listdir(out / "docs")) == [
        "000_e07ead4074b87c09.html",
        "hailar_district_gov_work_report_2019.html",
    ]
    assert seed_runs.second_stderr == b""  # --quiet


def test_build_seeds_turtle_parses_back_with_the_reported_triple_count(
    seed_runs: SeedRuns,
) -> None:
    summary = SUMMARY.fullmatch(seed_runs.build.stdout)
    assert summary is not None
    graph = rdflib.Graph().parse(seed_runs.first / "graph.ttl", format="turtle")
    assert len(graph) == int(summary["triples"])
    pyoxigraph = pytest.importorskip("pyoxigraph")
    with open(seed_runs.first / "graph.ttl", "rb") as handle:
        triples = list(pyoxigraph.parse(handle, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == int(summary["triples"])


def test_build_seeds_html_is_one_utf8_page(seed_runs: SeedRuns) -> None:
    page = (seed_runs.first / "graph.html").read_bytes().decode("utf-8")
    assert "policykg: 2 documents" in page
    assert page.rstrip().endswith("</html>")


def test_build_seeds_is_byte_identical_across_processes(seed_runs: SeedRuns) -> None:
    for name in ("graph.ttl", "graph.html", "docs/000_e07ead4074b87c09.html"):
        first = (seed_runs.first / name).read_bytes()
        assert first == (seed_runs.second / name).read_bytes(), name


def test_extract_json_has_the_schema_keys(seed_runs: SeedRuns) -> None:
    """Structure only: the counts belong to the extraction rules, which are changing."""
    result = seed_runs.extract
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith('{\n  "document": "000_e07ead4074b87c09.txt",\n')
    assert result.stdout.endswith("}\n")
    data = json.loads(result.stdout)
    assert [key for key in data if key != "metadata"] == ["document", "entities", "relations"]
    text = SEED.read_text(encoding="utf-8")
    ids = set()
    for entity in data["entities"]:
        assert list(entity)[:3] == ["id", "type", "label"]
        assert {"rule", "mentions"} <= set(entity)
        mention = entity["mentions"][0]
        assert text[mention["start"] : mention["end"]] == mention["text"]
        ids.add(entity["id"])
    assert data["relations"]
    for relation in data["relations"]:
        assert list(relation) == [
            "head",
            "type",
            "tail",
            "evidence",
            "evidence_start",
            "evidence_end",
            "rule",
        ]
        assert {relation["head"], relation["tail"]} <= ids


def test_extract_json_is_byte_identical_across_processes(seed_runs: SeedRuns) -> None:
    assert seed_runs.extract.stdout_bytes == seed_runs.extract_again


# -- help and documentation -------------------------------------------------------------------


def test_help_lists_every_command() -> None:
    result = invoke(["--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: policykg [OPTIONS] COMMAND [ARGS]...\n")
    commands = result.stdout.split("Commands:\n", 1)[1]
    assert [line.split()[0] for line in commands.splitlines()] == sorted(main.commands)
    assert sorted(main.commands) == [
        "build",
        "eval",
        "extract",
        "push",
        "query",
        "serve",
        "show",
        "stats",
        "validate",
    ]


@pytest.mark.parametrize(
    "name", ["build", "eval", "extract", "push", "query", "serve", "show", "stats", "validate"]
)
def test_every_command_and_option_is_documented(name: str) -> None:
    command = main.commands[name]
    assert command.help is not None
    assert f"Example:\n        policykg {name} " in command.help
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts} has no help"
    result = invoke([name, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: policykg {name} [OPTIONS]")
    assert f"\n  Example:\n      policykg {name} " in result.stdout


def test_group_options_are_documented() -> None:
    for param in main.params:
        assert isinstance(param, click.Option) and param.help


def test_readme_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = readme.split("## Commands", 1)[1]
    for name in main.commands:
        assert f"policykg {name}" in commands, name


@pytest.mark.parametrize("name", ["build", "stats"])
def test_readme_documents_every_option_of_build_and_stats(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for param in main.commands[name].params:
        if isinstance(param, click.Option):
            documented = (f"`{opt}" in section or f" {opt} " in section for opt in param.opts)
            assert any(documented), (name, param.opts)


def test_version() -> None:
    result = invoke(["--version"])
    assert (result.exit_code, result.stdout) == (0, "policykg 0.1.0\n")


def test_spelled_out_defaults_match_the_library() -> None:
    assert DEFAULT_BASE_IRI == DEFAULT_BASE
    assert RESULT_FORMATS == results.FORMATS
    assert EXPORT_FORMATS == exports.FORMATS == tuple(api.EXPORT_FILES)
    assert (SERVE_HOST, SERVE_PORT, SERVE_TIMEOUT, SERVE_MAX_ROWS, SERVE_WORKERS) == (
        endpoint.DEFAULT_HOST,
        endpoint.DEFAULT_PORT,
        endpoint.DEFAULT_TIMEOUT,
        endpoint.DEFAULT_MAX_ROWS,
        endpoint.DEFAULT_WORKERS,
    )
    defaults = inspect.signature(api.serve).parameters
    assert [
        defaults[name].default for name in ("host", "port", "timeout", "max_rows", "workers")
    ] == [
        SERVE_HOST,
        SERVE_PORT,
        SERVE_TIMEOUT,
        SERVE_MAX_ROWS,
        SERVE_WORKERS,
    ]


def test_spelled_out_node_budget_matches_the_library() -> None:
    assert PAGE_NODE_BUDGET == html_view.DEFAULT_NODE_BUDGET
    for function in (api.build, html_view.render_html):
        assert inspect.signature(function).parameters["max_nodes"].default == PAGE_NODE_BUDGET


def test_build_refuses_a_negative_node_budget(tmp_path: Path) -> None:
    result = invoke(["build", str(SEED), "-o", str(tmp_path / "out"), "--max-nodes", "-1"])
    assert result.exit_code == 2
    assert "Invalid value for '--max-nodes': -1 is not in the range x>=0." in result.stderr
    with pytest.raises(UsageError, match=r"^E160 invalid node budget -1; "):
        api.build([SEED], tmp_path / "out", max_nodes=-1)
    assert not (tmp_path / "out").exists()


def test_help_imports_no_nlp_or_rdf_library() -> None:
    script = (
        "import json, sys\n"
        "from policykg.output.cli import main\n"
        "for args in (['--help'], ['build', '--help'], ['extract', '--help'],\n"
        "             ['query', '--help'], ['eval', '--help'], ['stats', '--help'],\n"
        "             ['validate', '--help'],\n"
        "             ['serve', '--help'],\n"
        "             ['--version']):\n"
        "    try:\n"
        "        main(args, prog_name='policykg')\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, (args, exc.code)\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "[]"


# -- build ------------------------------------------------------------------------------------


def test_build_quiet_title_base(workdir: Path, fake_rules: None) -> None:
    args = ["build", "docs", "-o", "out", "--quiet", "--title", "两份文件"]
    result = invoke([*args, "--base", "http://example.org/kg/"])
    triples = len(build_graph([handmade("a.txt"), handmade("b.txt")]))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"Wrote out/graph.ttl ({triples} triples), out/graph.html and 2 document pages in "
        "out/docs/: 2 documents, 3 entities, 2 relations.\n"
    )
    assert "<http://example.org/kg/doc/" in (workdir / "out/graph.ttl").read_text("utf-8")
    assert "<title>两份文件</title>" in (workdir / "out/graph.html").read_text("utf-8")


def test_build_names_documents_that_share_a_file_name(workdir: Path, fake_rules: None) -> None:
    (workdir / "more").mkdir()
    (workdir / "more" / "a.txt").write_text(TEXT, encoding="utf-8")
    result = invoke(["build", "docs", "more/a.txt", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "[1/3] docs/a.txt\n[2/3] b.txt\n[3/3] more/a.txt\n"


def test_build_with_jobs_and_the_cache(workdir: Path, fake_rules: None) -> None:
    triples = len(build_graph([handmade("a.txt"), handmade("b.txt")]))
    summary = (
        f"Wrote out/graph.ttl ({triples} triples), out/graph.html and 2 document pages in "
        "out/docs/: 2 documents, 3 entities, 2 relations.\n"
    )
    outputs_of = {}
    for args in (["--jobs", "1", "--no-cache"], ["-j", "2"], ["--jobs", "2"], []):
        result = invoke(["build", "docs", "-o", "out", *args])
        assert (result.exit_code, result.stdout) == (0, summary), args
        assert result.stderr == "[1/2] a.txt\n[2/2] b.txt\n"
        outputs_of[" ".join(args)] = {
            name: (workdir / "out" / name).read_bytes() for name in ("graph.ttl", "graph.html")
        }
    assert len({json.dumps({k: v.hex() for k, v in o.items()}) for o in outputs_of.values()}) == 1
    cache = workdir / "out" / CACHE_FOLDER
    (cache_entry,) = cache.glob("*.json")  # a.txt and b.txt: same bytes
    assert len(list((cache / PARTS_FOLDER).glob("*.json"))) == 2  # a share each
    result = invoke(["build", "docs", "-o", "elsewhere", "--cache", "cache", "-q"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert outputs(workdir / "elsewhere") == ["docs", "graph.html", "graph.ttl"]
    assert not (workdir / "elsewhere" / CACHE_FOLDER).exists()
    assert sorted(os.listdir(workdir / "cache")) == [cache_entry.name, PARTS_FOLDER]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--jobs", "0"],
            "Error: Invalid value for '-j' / '--jobs': 0 is not in the range x>=1.\n",
        ),
        (["--cache", "c", "--no-cache"], "Error: give --cache DIR or --no-cache, not both\n"),
    ],
)
def test_build_jobs_and_cache_usage_errors(workdir: Path, args: list[str], message: str) -> None:
    result = invoke(["build", "docs", "-o", "out", *args])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Usage: policykg build [OPTIONS] PATH...\nTry 'policykg build --help' for help.\n\n"
        + message
    )
    assert not (workdir / "out").exists()


def test_build_with_an_unusable_cache_folder(workdir: Path, fake_rules: None) -> None:
    (workdir / "taken").write_text("a file", encoding="utf-8")
    result = invoke(["build", "docs", "-o", "out", "--cache", "taken/cache"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "policykg: error: E150 cannot use taken/cache as the extraction cache: Not a directory; "
        "give another folder with --cache, or --no-cache\n"
    )


def test_a_bad_document_in_a_worker_is_one_coded_line(workdir: Path, fake_rules: None) -> None:
    (workdir / "docs" / "c.txt").write_bytes(b"")
    (workdir / "docs" / "d.txt").write_text(TEXT, encoding="utf-8")
    for jobs in ("1", "2"):
        result = invoke(["build", "docs", "-o", "out", "--jobs", jobs])
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == (
            "[1/4] a.txt\n[2/4] b.txt\n"
            "policykg: error: E004 docs/c.txt is empty; give a document that contains text\n"
        )


def test_progress_on_a_terminal_is_a_bar_with_documents_per_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    report = ProgressReport(quiet=False)
    for done in (1, 2, 3):
        report(done, 3, f"doc{done}.txt")
    assert report.bar is None  # closed after the last document
    shown = terminal.getvalue().split("\r")[-1]
    assert re.fullmatch(
        r"Extracting: 100%\|[█#]+\| 3/3 \[[0-9:]+<[0-9:]+, +[0-9.?]+doc/s, doc3\.txt\]\n", shown
    ), shown
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    ProgressReport(quiet=True)(1, 1, "a.txt")
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["build", "nope", "-o", "out"],
            "Usage: policykg build [OPTIONS] PATH...\nTry 'policykg build --help' for help.\n\n"
            "Error: Invalid value for 'PATH...': Path 'nope' does not exist.\n",
        ),
        (
            ["build", "docs"],
            "Usage: policykg build [OPTIONS] PATH...\nTry 'policykg build --help' for help.\n\n"
            "Error: Missing option '-o' / '--out'.\n",
        ),
        (
            ["build", "-o", "out"],
            "Usage: policykg build [OPTIONS] PATH...\nTry 'policykg build --help' for help.\n\n"
            "Error: Missing argument 'PATH...'.\n",
        ),
    ],
)
def test_build_usage_errors_exit_2(workdir: Path, args: list[str], stderr: str) -> None:
    result = invoke(args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)
    assert not (workdir / "out").exists()


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (
            {"empty.txt": b""},
            ["empty.txt"],
            "E004 empty.txt is empty; give a document that contains text",
        ),
        (
            {"binary.txt": b"\x7fELF\x02\x01\x01\x00\x00"},
            ["docs", "binary.txt"],
            "E005 binary.txt looks like a binary file (NUL byte at offset 7); "
            "give a plain-text document",
        ),
        (
            {"notes.rtf": "市委".encode()},
            ["notes.rtf"],
            "E100 notes.rtf is not a document format policykg reads; give .txt, .md, .html, "
            ".htm, .docx, .pdf documents or folders that contain them",
        ),
        (
            {"empty/notes.rtf": b"x"},
            ["empty"],
            "E101 empty contains no documents (.txt, .md, .html, .htm, .docx, .pdf); give a "
            "folder with documents in it",
        ),
    ],
)
def test_build_input_errors_exit_1_and_write_nothing(
    workdir: Path, setup: dict[str, bytes], args: list[str], message: str
) -> None:
    for name, data in setup.items():
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).write_bytes(data)
    result = invoke(["build", *args, "-o", "out"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith(f"policykg: error: {message}\n")
    assert outputs(workdir / "out") == []  # the extraction cache at most


def test_build_into_a_file_exits_1(workdir: Path) -> None:
    (workdir / "out").write_text("mine", encoding="utf-8")
    result = invoke(["build", "docs", "-o", "out"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "policykg: error: E110 output folder out is an existing file; give a folder with -o\n"
    )
    assert (workdir / "out").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("base", ["urn:x", "", "http://example.org/kg"])
def test_build_with_a_bad_base_exits_1(workdir: Path, base: str) -> None:
    result = invoke(["build", "docs", "-o", "out", "--base", base])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"policykg: error: invalid base IRI {base!r}: expected an absolute http(s) IRI of ASCII "
        "letters, digits and ._~-/ that ends in '/' or '#'\n"
    )
    assert not (workdir / "out").exists()


def test_build_whose_write_fails_leaves_the_previous_output(
    workdir: Path, fake_rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke(["build", "docs/a.txt", "-o", "out"]).exit_code == 0
    before = {name: (workdir / "out" / name).read_bytes() for name in ("graph.ttl", "graph.html")}
    real_fsync, count = os.fsync, [0]

    def fsync(fd: int) -> None:
        count[0] += 1
        if count[0] == 2:  # graph.ttl's temporary file is synced, b.txt's new page fails
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = invoke(["build", "docs", "-o", "out", "-q"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "policykg: error: E111 cannot write out/docs/b.html: No space left on device; "
        "check that the folder exists and is writable\n"
    )
    assert {name: (workdir / "out" / name).read_bytes() for name in before} == before
    assert outputs(workdir / "out") == ["docs", "graph.html", "graph.ttl"]
    assert os.listdir(workdir / "out" / "docs") == ["a.html"]


def test_debug_shows_the_exception_instead_of_one_line(workdir: Path) -> None:
    (workdir / "empty.txt").write_bytes(b"")
    result = invoke(["--debug", "build", "empty.txt", "-o", "out"])
    assert result.exit_code == 1
    assert isinstance(result.exception, InputError)
    assert "policykg: error" not in result.stderr


def test_a_bug_is_not_dressed_as_an_input_error(
    workdir: Path, fake_rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("layout failed")

    monkeypatch.setattr(api, "render_html", broken)
    result = invoke(["build", "docs", "-o", "out"])
    assert isinstance(result.exception, RuntimeError)
    assert "policykg: error" not in result.stderr
    assert outputs(workdir / "out") == []  # the extraction cache at most


# -- extract ----------------------------------------------------------------------------------


def test_extract_summary(workdir: Path, fake_rules: None) -> None:
    result = invoke(["extract", "docs/a.txt"])
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "a.txt: 3 entities, 2 relations\n\nentity type    count\nOrganization       1\n"
    )
    assert "\nrelation type  count\ndeploys            1\n" in result.stdout


def test_extract_json_of_a_handmade_extraction(workdir: Path, fake_rules: None) -> None:
    result = invoke(["extract", "docs/a.txt", "--json"])
    expected = json.dumps(handmade("a.txt").to_json(), ensure_ascii=False, indent=2) + "\n"
    assert (result.exit_code, result.stdout) == (0, expected)


@pytest.mark.parametrize(
    ("setup", "args", "code", "stderr"),
    [
        (
            {},
            ["nope.txt"],
            2,
            "Usage: policykg extract [OPTIONS] FILE\nTry 'policykg extract --help' for help.\n\n"
            "Error: Invalid value for 'FILE': File 'nope.txt' does not exist.\n",
        ),
        (
            {},
            ["docs"],
            2,
            "Usage: policykg extract [OPTIONS] FILE\nTry 'policykg extract --help' for help.\n\n"
            "Error: Invalid value for 'FILE': File 'docs' is a directory.\n",
        ),
        (
            {"empty.txt": b""},
            ["empty.txt", "--json"],
            1,
            "policykg: error: E004 empty.txt is empty; give a document that contains text\n",
        ),
        (
            {"blank.txt": b" \r\n\t\r\n"},
            ["blank.txt"],
            1,
            "policykg: error: E004 blank.txt is empty; give a document that contains text\n",
        ),
        (
            {"binary.txt": b"\x7fELF\x02\x01\x01\x00\x00"},
            ["binary.txt", "--json"],
            1,
            "policykg: error: E005 binary.txt looks like a binary file (NUL byte at offset 7); "
            "give a plain-text document\n",
        ),
        (
            {"latin.txt": "café crème brûlée".encode("latin-1")},
            ["latin.txt"],
            1,
            "policykg: error: E006 cannot decode latin.txt: byte 0xE9 at offset 3 is not UTF-8 "
            "and the file does not read as GB18030/GBK or Big5 Chinese text either; convert "
            "the file to UTF-8 or name its encoding with --encoding\n",
        ),
    ],
)
def test_extract_errors(
    workdir: Path, setup: dict[str, bytes], args: list[str], code: int, stderr: str
) -> None:
    for name, data in setup.items():
        (workdir / name).write_bytes(data)
    result = invoke(["extract", *args])
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


# -- query ------------------------------------------------------------------------------------

STRATEGY_IRI = DEFAULT_BASE + "entity/strategy/1bc87065d630"
LABELS = (
    "SELECT ?type ?label ?alias WHERE { ?e pkg:mentionedIn ?d ; a ?t ; skos:prefLabel ?label "
    'OPTIONAL { ?e skos:altLabel ?alias } BIND(STRAFTER(STR(?t), "#") AS ?type) } ORDER BY ?type'
)


@pytest.fixture
def graph_ttl(workdir: Path) -> str:
    """graph.ttl of the handmade extraction, in the current folder."""
    turtle = build_graph([handmade("a.txt")]).serialize("turtle")
    (workdir / "graph.ttl").write_text(turtle, encoding="utf-8")
    return "graph.ttl"


def test_query_table(graph_ttl: str) -> None:
    result = invoke(["query", graph_ttl, LABELS])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "type          label                   alias\n"
        "------------  ----------------------  --------\n"
        "Organization  市委\n"
        "Strategy      乡村振兴战略            乡村振兴\n"
        "Task          着力推动经济高质量发展\n"
    )


def test_query_csv(graph_ttl: str) -> None:
    result = invoke(["query", graph_ttl, LABELS, "--format", "csv"])
    assert result.exit_code == 0
    assert (
        result.stdout_bytes
        == (  # .stdout would turn CRLF into LF
            "type,label,alias\r\nOrganization,市委,\r\nStrategy,乡村振兴战略,乡村振兴\r\n"
            "Task,着力推动经济高质量发展,\r\n"
        ).encode()
    )


def test_query_json(graph_ttl: str) -> None:
    query = "SELECT ?e ?label WHERE { ?e a pkg:Strategy ; skos:prefLabel ?label }"
    result = invoke(["query", graph_ttl, query, "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "head": {"vars": ["e", "label"]},
        "results": {
            "bindings": [
                {
                    "e": {"type": "uri", "value": STRATEGY_IRI},
                    "label": {"type": "literal", "value": "乡村振兴战略", "xml:lang": "zh"},
                }
            ]
        },
    }


@pytest.mark.parametrize(
    ("fmt", "label", "stdout"),
    [
        ("table", "乡村振兴战略", "true\n"),
        ("csv", "乡村振兴", "false\n"),
        ("json", "乡村振兴战略", '{\n  "head": {},\n  "boolean": true\n}\n'),
    ],
)
def test_query_ask(graph_ttl: str, fmt: str, label: str, stdout: str) -> None:
    query = f'ASK {{ ?s skos:prefLabel "{label}"@zh }}'
    result = invoke(["query", graph_ttl, query, "--format", fmt])
    assert (result.exit_code, result.stdout) == (0, stdout)


def test_query_construct_prints_turtle(graph_ttl: str) -> None:
    query = "CONSTRUCT { ?e skos:prefLabel ?l } WHERE { ?e a pkg:Strategy ; skos:prefLabel ?l }"
    result = invoke(["query", graph_ttl, query])
    assert (result.exit_code, result.stdout) == (
        0,
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\n"
        f'<{STRATEGY_IRI}> skos:prefLabel "乡村振兴战略"@zh .\n',
    )


def test_query_from_a_file_and_from_stdin(graph_ttl: str, workdir: Path) -> None:
    query = "SELECT ?l WHERE { ?e a pkg:Organization ; skos:prefLabel ?l }\n"
    (workdir / "org.rq").write_text(query, encoding="utf-8")
    expected = (0, "l\n----\n市委\n")
    from_file = invoke(["query", graph_ttl, "-f", "org.rq"])
    assert (from_file.exit_code, from_file.stdout) == expected
    from_stdin = invoke(["query", graph_ttl, "-f", "-"], input=query)
    assert (from_stdin.exit_code, from_stdin.stdout) == expected


USAGE_QUERY = (
    "Usage: policykg query [OPTIONS] GRAPH [SPARQL]\nTry 'policykg query --help' for help.\n\n"
)


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (
            ["query", "graph.ttl"],
            2,
            USAGE_QUERY + "Error: give a query as the SPARQL argument, with -f QUERY.rq or with "
            "--named NAME\n",
        ),
        (
            ["query", "graph.ttl", "ASK {}", "-f", "graph.ttl"],
            2,
            USAGE_QUERY + "Error: give the query as the SPARQL argument or with -f, not both\n",
        ),
        (
            ["query", "missing.ttl", "ASK {}"],
            2,
            USAGE_QUERY + "Error: Invalid value for 'GRAPH': Path 'missing.ttl' does not exist.\n",
        ),
        (
            ["query", "graph.ttl", "ASK {}", "--format", "yaml"],
            2,
            USAGE_QUERY + "Error: Invalid value for '--format': 'yaml' is not one of 'table', "
            "'csv', 'json', 'tsv', 'xml'.\n",
        ),
        (
            ["query", "graph.ttl", "ASK {}", "--named", "deployers"],
            2,
            USAGE_QUERY + "Error: give a SPARQL argument, -f or --named, only one of them\n",
        ),
        (
            ["query", "graph.ttl", "--list", "--named", "deployers"],
            2,
            USAGE_QUERY + "Error: --list takes no query, -f or --named\n",
        ),
        (
            ["query", "graph.ttl", "--named", "who"],
            1,
            "policykg: error: E124 there is no named query who; the named queries are: "
            "deployers, document-names, evidence, organisation-tasks, problem-concerns, "
            "shared-strategies, targets, task-targets, unaddressed-problems\n",
        ),
        (
            ["query", "graph.ttl", "SELECT ?x WHERE {"],
            1,
            "policykg: error: SPARQL syntax error at line 1, column 18: expected one of "
            '"$", "\'", "\'\'\'", "(", "+", "-", ".", ":", "<", "<<", "<<(", "?", "[", "\\"", '
            '"\\"\\"\\"", "_:", "false", "true", "{", "}", …\n',
        ),
        (
            ["query", "graph.ttl", "INSERT DATA { <a:b> <a:c> <a:d> }"],
            1,
            "policykg: error: SPARQL Update (INSERT) is not supported: the graph is read-only\n",
        ),
        (
            [
                "query",
                "graph.ttl",
                "SELECT ?x WHERE { SERVICE <http://example.org/> { ?x ?p ?o } }",
            ],
            1,
            "policykg: error: SERVICE <http://example.org/> is not supported: "
            "queries run offline, on this graph only\n",
        ),
        (
            ["query", "graph.ttl", "  "],
            1,
            "policykg: error: E123 the query is empty; give a SPARQL SELECT, ASK, CONSTRUCT or "
            "DESCRIBE query\n",
        ),
    ],
)
def test_query_errors(graph_ttl: str, args: list[str], code: int, stderr: str) -> None:
    result = invoke(args)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


def test_query_on_a_file_that_is_not_turtle(workdir: Path) -> None:
    (workdir / "notes.ttl").write_text("市委 乡村振兴\n", encoding="utf-8")
    result = invoke(["query", "notes.ttl", "ASK {}"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("policykg: error: E121 notes.ttl is not valid Turtle (")
    assert result.stderr.endswith("); give a Turtle file written by policykg build\n")
    assert result.stderr.count("\n") == 1


def test_query_list() -> None:
    result = invoke(["query", str(SEEDS / "000_e07ead4074b87c09.json"), "--list"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "deployers             Who deploys tasks: each body, person or meeting with how many "
        "tasks, and one of them\n"
        "document-names        Strategies and policies each document names\n"
        "evidence              Where each relation comes from: document, sentence with its "
        "offsets, and rule\n"
        "organisation-tasks    Organisations and the tasks they are responsible for (they deploy)\n"
        "problem-concerns      Each problem with what it concerns\n"
        "shared-strategies     Strategies that several documents name, with how many\n"
        "targets               Targets with their value, unit, comparator and year, where the "
        "text states them\n"
        "task-targets          Each task with the targets it sets\n"
        "unaddressed-problems  Problems that no task addresses\n"
    )


def test_query_named(graph_ttl: str) -> None:
    result = invoke(["query", graph_ttl, "--named", "deployers"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "who   tasks  example\n"
        "----  -----  ----------------------\n"
        "市委  1      着力推动经济高质量发展\n"
    )
    csv = invoke(["query", graph_ttl, "--named", "organisation-tasks", "--format", "csv"])
    assert csv.stdout_bytes == "organisation,task\r\n市委,着力推动经济高质量发展\r\n".encode()


@pytest.fixture
def two_documents(workdir: Path) -> str:
    """graph.ttl of the handmade extraction of a.txt and b.txt: evidence has 4 rows."""
    turtle = build_graph([handmade("a.txt"), handmade("b.txt")]).serialize("turtle")
    (workdir / "graph.ttl").write_text(turtle, encoding="utf-8")
    return "graph.ttl"


def test_query_named_pages(two_documents: str) -> None:
    args = ["query", two_documents, "--named", "document-names", "--format", "csv"]
    first = invoke([*args, "--limit", "1"])
    assert (first.exit_code, first.stdout_bytes) == (
        0,
        "document,type,name\r\na.txt,Strategy,乡村振兴战略\r\n".encode(),
    )
    assert first.stderr == (
        "policykg: showing rows 1-1; more follow: --offset 1 for the next ones, --limit 0 for all\n"
    )
    second = invoke([*args, "--limit", "1", "--offset", "1"])
    assert (second.exit_code, second.stderr) == (0, "")
    assert second.stdout_bytes == "document,type,name\r\nb.txt,Strategy,乡村振兴战略\r\n".encode()
    every = invoke([*args, "--limit", "0"])
    assert (every.exit_code, every.stderr) == (0, "")
    assert (
        every.stdout_bytes
        == (
            "document,type,name\r\na.txt,Strategy,乡村振兴战略\r\nb.txt,Strategy,乡村振兴战略\r\n"
        ).encode()
    )


def test_query_named_shows_100_rows_unless_told(
    two_documents: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(querying, "NAMED_LIMIT", 3)
    args = ["query", two_documents, "--named", "evidence", "--format", "tsv"]
    result = invoke(args)
    assert result.exit_code == 0
    assert [line.split("\t")[:4] for line in result.stdout.splitlines()] == [
        ["?document", "?head", "?relation", "?tail"],
        ['"a.txt"', '"市委"', '"deploys"', '"着力推动经济高质量发展"'],
        ['"a.txt"', '"着力推动经济高质量发展"', '"involves"', '"乡村振兴战略"'],
        ['"b.txt"', '"市委"', '"deploys"', '"着力推动经济高质量发展"'],
    ]
    assert result.stderr == (
        "policykg: showing rows 1-3; more follow: --offset 3 for the next ones, --limit 0 for all\n"
    )
    last = invoke([*args, "--offset", "3"])
    assert (last.exit_code, last.stderr, len(last.stdout.splitlines())) == (0, "", 2)


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (
            ["query", "graph.ttl", "SELECT * WHERE { ?s ?p ?o }", "--limit", "5"],
            1,
            "policykg: error: E127 --limit and --offset page the rows of a named query "
            "(--named NAME); write LIMIT 5 into your own query instead\n",
        ),
        (
            ["query", "graph.ttl", "ASK { ?s ?p ?o }", "--offset", "10", "--limit", "0"],
            1,
            "policykg: error: E127 --limit and --offset page the rows of a named query "
            "(--named NAME); write LIMIT 0 OFFSET 10 into your own query instead\n",
        ),
        (
            ["query", "graph.ttl", "--named", "evidence", "--limit", "-1"],
            2,
            USAGE_QUERY + "Error: Invalid value for '--limit': -1 is not in the range x>=0.\n",
        ),
    ],
)
def test_query_page_errors(graph_ttl: str, args: list[str], code: int, stderr: str) -> None:
    result = invoke(args)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


def test_query_tsv_and_xml(graph_ttl: str) -> None:
    query = "SELECT ?e ?label WHERE { ?e a pkg:Strategy ; skos:prefLabel ?label }"
    tsv = invoke(["query", graph_ttl, query, "--format", "tsv"])
    assert (tsv.exit_code, tsv.stdout) == (0, f'?e\t?label\n<{STRATEGY_IRI}>\t"乡村振兴战略"@zh\n')
    xml = invoke(["query", graph_ttl, query, "--format", "xml"])
    assert xml.exit_code == 0
    assert f'<binding name="e"><uri>{STRATEGY_IRI}</uri></binding>' in xml.stdout
    assert '<binding name="label"><literal xml:lang="zh">乡村振兴战略</literal></binding>' in (
        xml.stdout
    )


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (
            ["serve", "graph.ttl", "--timeout", "0"],
            2,
            "Usage: policykg serve [OPTIONS] GRAPH.ttl\nTry 'policykg serve --help' for help."
            "\n\nError: Invalid value for '--timeout': 0.0 is not in the range x>0.\n",
        ),
        (
            ["serve", "graph.ttl", "--port", "70000"],
            2,
            "Usage: policykg serve [OPTIONS] GRAPH.ttl\nTry 'policykg serve --help' for help."
            "\n\nError: Invalid value for '--port': 70000 is not in the range 0<=x<=65535.\n",
        ),
        (
            ["serve", "missing.ttl"],
            2,
            "Usage: policykg serve [OPTIONS] GRAPH.ttl\nTry 'policykg serve --help' for help."
            "\n\nError: Invalid value for 'GRAPH.ttl': Path 'missing.ttl' does not exist.\n",
        ),
    ],
)
def test_serve_usage_errors(graph_ttl: str, args: list[str], code: int, stderr: str) -> None:
    result = invoke(args)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_answers_until_stopped(graph_ttl: str, workdir: Path, stop: signal.Signals) -> None:
    """The command prints its URL, answers over loopback, and stops cleanly (status 0)."""
    args = ["serve", graph_ttl, "--port", "0", "--workers", "1"]
    server = subprocess.Popen(
        [*COMMAND, *args], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watchdog = threading.Timer(120, server.kill)
    watchdog.start()
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        found = re.fullmatch(
            r"Serving graph\.ttl \(\d+ triples\) at (http://127\.0\.0\.1:\d+/sparql) "
            r"\(read-only\); Ctrl-C stops\.\n",
            first,
        )
        assert found, first
        query = "ASK { ?s skos:prefLabel '市委'@zh }"
        with urllib.request.urlopen(f"{found[1]}?query={quote(query)}", timeout=60) as response:
            assert (response.status, response.read()) == (
                200,
                b'{\n  "head": {},\n  "boolean": true\n}\n',
            )
        server.send_signal(stop)
        rest, errors = server.communicate(timeout=60)
    finally:
        watchdog.cancel()
        server.kill()
    assert (server.returncode, rest) == (0, "Stopped.\n")
    assert re.fullmatch(r'127\.0\.0\.1 "GET /sparql\?query=\S+ HTTP/1\.1" 200 -\n', errors), errors


# -- eval -------------------------------------------------------------------------------------

GOLD: dict[str, Any] = {
    "document": "t.txt",
    "entities": [
        {"id": "g1", "type": "Organization", "label": "市委"},
        {"id": "g2", "type": "Strategy", "label": "乡村振兴战略", "aliases": ["乡村振兴"]},
        {"id": "g3", "type": "Task", "label": "着力推动经济高质量发展"},
        {"id": "g4", "type": "Policy", "label": "中央八项规定精神"},
    ],
    "relations": [
        {"head": "g1", "type": "implements", "tail": "g2"},
        {"head": "g1", "type": "deploys", "tail": "g3"},
        {"head": "g3", "type": "involves", "tail": "g2"},
    ],
}
PRED: dict[str, Any] = {
    "document": "t.txt",
    "entities": [
        {"id": "e1", "type": "Organization", "label": "市委"},
        {"id": "e2", "type": "Strategy", "label": "“乡村振兴”"},
        {"id": "e3", "type": "Task", "label": "推动经济高质量发展"},
        {"id": "e4", "type": "Organization", "label": "省委"},
    ],
    "relations": [
        {"head": "e1", "type": "implements", "tail": "e2"},
        {"head": "e1", "type": "deploys", "tail": "e3"},
        {"head": "e3", "type": "involves", "tail": "e4"},
    ],
}
#: ``python3 ../shared/eval/score.py gold.json pred.json`` on GOLD and PRED.
SCORE_TABLE = """\
ENTITIES       strict P 0.500 R 0.500 F1 0.500   lenient P 0.750 R 0.750 F1 0.750   (pred 4, gold 4)
  Organization strict P 0.500 R 1.000 F1 0.667   lenient P 0.500 R 1.000 F1 0.667   (pred 2, gold 1)
  Strategy     strict P 1.000 R 1.000 F1 1.000   lenient P 1.000 R 1.000 F1 1.000   (pred 1, gold 1)
  Policy       strict P 0.000 R 0.000 F1 0.000   lenient P 0.000 R 0.000 F1 0.000   (pred 0, gold 1)
  Task         strict P 0.000 R 0.000 F1 0.000   lenient P 1.000 R 1.000 F1 1.000   (pred 1, gold 1)
RELATIONS      strict P 0.333 R 0.333 F1 0.333   lenient P 0.667 R 0.667 F1 0.667   (pred 3, gold 3)
  deploys      strict P 0.000 R 0.000 F1 0.000   lenient P 1.000 R 1.000 F1 1.000   (pred 1, gold 1)
  implements   strict P 1.000 R 1.000 F1 1.000   lenient P 1.000 R 1.000 F1 1.000   (pred 1, gold 1)
  involves     strict P 0.000 R 0.000 F1 0.000   lenient P 0.000 R 0.000 F1 0.000   (pred 1, gold 1)
"""
SCORE_LAST = "entity F1 0.750 relation F1 0.667 (lenient)\n"
#: What --show-errors adds after score.py's report (t.txt is nowhere: no sentences).
ERRORS = """
ERRORS (lenient): entities 1 missed, 1 spurious; relations 1 missed, 1 spurious
no sentences: t.txt is not next to gold.json or pred.json; give the text with --text FILE

Organization: 0 missed, 1 spurious
  spurious  省委

Policy: 1 missed, 0 spurious
  missed    中央八项规定精神

involves: 1 missed, 1 spurious
  missed    着力推动经济高质量发展 → 乡村振兴战略
  spurious  推动经济高质量发展 → 省委
"""


def _prf(p: float, r: float, f1: float, tp: int, pred: int, gold: int) -> dict[str, Any]:
    return {"p": p, "r": r, "f1": f1, "tp": tp, "pred": pred, "gold": gold}


#: ``score.py gold.json pred.json --json`` on GOLD and PRED (the object; score.py then prints
#: its summary line too, which policykg eval --json leaves out so that stdout is JSON).
SCORE_JSON: dict[str, Any] = {
    "strict": {
        "entities": _prf(0.5, 0.5, 0.5, 2, 4, 4),
        "entity_types": {
            "Organization": _prf(0.5, 1.0, 0.6667, 1, 2, 1),
            "Strategy": _prf(1.0, 1.0, 1.0, 1, 1, 1),
            "Policy": _prf(0.0, 0.0, 0.0, 0, 0, 1),
            "Task": _prf(0.0, 0.0, 0.0, 0, 1, 1),
        },
        "relations": _prf(0.3333, 0.3333, 0.3333, 1, 3, 3),
        "relation_types": {
            "deploys": _prf(0.0, 0.0, 0.0, 0, 1, 1),
            "implements": _prf(1.0, 1.0, 1.0, 1, 1, 1),
            "involves": _prf(0.0, 0.0, 0.0, 0, 1, 1),
        },
        "missed_entities": ["Task:着力推动经济高质量发展", "Policy:中央八项规定精神"],
        "spurious_entities": ["Task:推动经济高质量发展", "Organization:省委"],
    },
    "lenient": {
        "entities": _prf(0.75, 0.75, 0.75, 3, 4, 4),
        "entity_types": {
            "Organization": _prf(0.5, 1.0, 0.6667, 1, 2, 1),
            "Strategy": _prf(1.0, 1.0, 1.0, 1, 1, 1),
            "Policy": _prf(0.0, 0.0, 0.0, 0, 0, 1),
            "Task": _prf(1.0, 1.0, 1.0, 1, 1, 1),
        },
        "relations": _prf(0.6667, 0.6667, 0.6667, 2, 3, 3),
        "relation_types": {
            "deploys": _prf(1.0, 1.0, 1.0, 1, 1, 1),
            "implements": _prf(1.0, 1.0, 1.0, 1, 1, 1),
            "involves": _prf(0.0, 0.0, 0.0, 0, 1, 1),
        },
        "missed_entities": ["Policy:中央八项规定精神"],
        "spurious_entities": ["Organization:省委"],
    },
}


@pytest.fixture
def eval_files(workdir: Path) -> Path:
    for name, data in (("gold.json", GOLD), ("pred.json", PRED)):
        (workdir / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return workdir


@pytest.mark.parametrize(
    ("options", "stdout"),
    [
        ([], SCORE_TABLE + SCORE_LAST),
        (["--show-errors"], SCORE_TABLE + SCORE_LAST + ERRORS),
        (["--json"], json.dumps(SCORE_JSON, ensure_ascii=False, indent=1) + "\n"),
    ],
)
def test_eval_prints_what_score_py_prints(
    eval_files: Path, options: list[str], stdout: str
) -> None:
    result = invoke(["eval", "gold.json", "pred.json", *options])
    assert (result.exit_code, result.stdout, result.stderr) == (0, stdout, "")


#: ``policykg eval diagnose_gold.json diagnose_pred.json`` (as score.py prints it).
TRIO_TABLE = """\
ENTITIES       strict P 0.444 R 0.444 F1 0.444   lenient P 0.556 R 0.556 F1 0.556   (pred 9, gold 9)
  Organization strict P 0.500 R 0.500 F1 0.500   lenient P 0.500 R 0.500 F1 0.500   (pred 2, gold 2)
  Strategy     strict P 1.000 R 1.000 F1 1.000   lenient P 1.000 R 1.000 F1 1.000   (pred 1, gold 1)
  Policy       strict P 0.000 R 0.000 F1 0.000   lenient P 0.000 R 0.000 F1 0.000   (pred 1, gold 1)
  Problem      strict P 0.333 R 0.500 F1 0.400   lenient P 0.333 R 0.500 F1 0.400   (pred 3, gold 2)
  Task         strict P 0.500 R 0.500 F1 0.500   lenient P 1.000 R 1.000 F1 1.000   (pred 2, gold 2)
  Target       strict P 0.000 R 0.000 F1 0.000   lenient P 0.000 R 0.000 F1 0.000   (pred 0, gold 1)
RELATIONS      strict P 0.000 R 0.000 F1 0.000   lenient P 0.400 R 0.333 F1 0.364   (pred 5, gold 6)
  deploys      strict P 0.000 R 0.000 F1 0.000   lenient P 0.500 R 0.500 F1 0.500   (pred 2, gold 2)
  implements   strict P 0.000 R 0.000 F1 0.000   lenient P 0.000 R 0.000 F1 0.000   (pred 1, gold 0)
  involves     strict P 0.000 R 0.000 F1 0.000   lenient P 0.000 R 0.000 F1 0.000   (pred 1, gold 2)
  partOf       strict P 0.000 R 0.000 F1 0.000   lenient P 1.000 R 0.500 F1 0.667   (pred 1, gold 2)
entity F1 0.556 relation F1 0.364 (lenient)
"""


@pytest.fixture
def trio(workdir: Path) -> Path:
    """The handmade gold, pred and document of tests/data/diagnose* in the current folder."""
    for path in (ROOT / "tests" / "data").glob("diagnose*"):
        (workdir / path.name).write_bytes(path.read_bytes())
    return workdir


def test_eval_show_errors_lists_them_with_their_sentences(trio: Path) -> None:
    listing = (trio / "diagnose_listing.txt").read_text(encoding="utf-8")
    args = ["eval", "diagnose_gold.json", "diagnose_pred.json"]
    result = invoke([*args, "--show-errors"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == TRIO_TABLE + "\n" + listing
    (trio / "elsewhere").mkdir()
    (trio / "diagnose.txt").rename(trio / "elsewhere" / "speech.txt")
    result = invoke([*args, "--show-errors", "--text", "elsewhere/speech.txt"])
    assert result.stdout == TRIO_TABLE + "\n" + listing.replace(
        "sentences from diagnose.txt", "sentences from elsewhere/speech.txt"
    )
    result = invoke([*args, "--show-errors"])
    assert result.stdout.splitlines()[14:16] == [
        "ERRORS (lenient): entities 4 missed, 4 spurious; relations 4 missed, 3 spurious",
        "no sentences: diagnose.txt is not next to diagnose_gold.json or diagnose_pred.json; "
        "give the text with --text FILE",
    ]
    assert "【市委常委会】" not in result.stdout


def test_eval_text_errors(trio: Path) -> None:
    args = ["eval", "diagnose_gold.json", "diagnose_pred.json"]
    result = invoke([*args, "--text", "diagnose.txt"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        "Error: --text gives the sentences of --show-errors; add --show-errors\n"
    )
    (trio / "empty.txt").write_bytes(b"")
    result = invoke([*args, "--show-errors", "--text", "empty.txt"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "policykg: error: E004 empty.txt is empty; give a document that contains text\n",
    )


def test_eval_of_the_seed_gold_against_itself() -> None:
    result = invoke(["eval", str(SEED_GOLD), str(SEED_GOLD)])
    assert result.exit_code == 0
    assert result.stdout.endswith("\nentity F1 1.000 relation F1 1.000 (lenient)\n")


@pytest.mark.parametrize(
    ("gold", "code", "stderr"),
    [
        (
            "{",
            1,
            "policykg: error: E010 cannot read annotations bad.json: Expecting property name "
            "enclosed in double quotes: line 1 column 2 (char 1); "
            "give a JSON file as in SCHEMA.md\n",
        ),
        (
            "[]",
            1,
            "policykg: error: E011 bad.json is not a JSON object but a list; "
            "give a JSON file as in SCHEMA.md\n",
        ),
        (
            '{"entities": 3}',
            1,
            "policykg: error: E013 bad.json: 'entities' must be a list, not a number; "
            "fix the file as in SCHEMA.md\n",
        ),
        (
            "",
            1,
            "policykg: error: E004 bad.json is empty; give a document that contains text\n",
        ),
    ],
)
def test_eval_bad_gold(eval_files: Path, gold: str, code: int, stderr: str) -> None:
    (eval_files / "bad.json").write_text(gold, encoding="utf-8")
    result = invoke(["eval", "bad.json", "pred.json"])
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


def test_eval_missing_file_is_a_usage_error(eval_files: Path) -> None:
    result = invoke(["eval", "gold.json", "missing.json"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        "Error: Invalid value for 'PRED': File 'missing.json' does not exist.\n"
    )


# -- stats ------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalogue of three rules: the two of ``handmade`` and one that never fires."""
    rules = {
        "r": RuleInfo("r", "relation", "deploys", "extract/relations.py"),
        "test": RuleInfo("test", "entity", "Task", "data/patterns.yaml"),
        "unused.rule": RuleInfo("unused.rule", "entity", "Event", "data/patterns.yaml"),
    }
    monkeypatch.setattr(rulestats, "rule_catalogue", lambda: rules)


STATS = """\
2 documents: 2 rules fired, 1 of 3 never fired

rule  kind      documents  mentions  entities  relations
----  --------  ---------  --------  --------  ---------
r     relation          2         0         0          4
test  entity            2         6         6          0

never fired:
  unused.rule  data/patterns.yaml
"""


def test_stats_table_and_progress(workdir: Path, fake_rules: None, catalogue: None) -> None:
    result = invoke(["stats", "docs"])
    assert (result.exit_code, result.stdout) == (0, STATS)
    assert result.stderr == "[1/2] a.txt\n[2/2] b.txt\n"
    result = invoke(["stats", "docs/a.txt", "--quiet"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[4:6] == [
        "r     relation          1         0         0          2",
        "test  entity            1         3         3          0",
    ]


def test_stats_with_jobs_and_a_cache(workdir: Path, fake_rules: None, catalogue: None) -> None:
    for args in (["--jobs", "2"], ["-j", "1", "--cache", "cache"], ["--cache", "cache"]):
        result = invoke(["stats", "docs", *args])
        assert (result.exit_code, result.stdout) == (0, STATS), args
        assert result.stderr == "[1/2] a.txt\n[2/2] b.txt\n"
    assert len(os.listdir(workdir / "cache")) == 1  # stats makes no shares


def test_stats_json(workdir: Path, fake_rules: None, catalogue: None) -> None:
    result = invoke(["stats", "docs", "--json", "-q"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == {
        "documents": ["a.txt", "b.txt"],
        "rules": [
            {
                "rule": "r",
                "kind": "relation",
                "type": "deploys",
                "source": "extract/relations.py",
                "documents": 2,
                "mentions": 0,
                "entities": 0,
                "relations": 4,
            },
            {
                "rule": "test",
                "kind": "entity",
                "type": "Task",
                "source": "data/patterns.yaml",
                "documents": 2,
                "mentions": 6,
                "entities": 6,
                "relations": 0,
            },
        ],
        "never_fired": [
            {
                "rule": "unused.rule",
                "kind": "entity",
                "type": "Event",
                "source": "data/patterns.yaml",
            }
        ],
    }


def test_stats_errors(workdir: Path, fake_rules: None) -> None:
    (workdir / "empty").mkdir()
    result = invoke(["stats", "empty"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "policykg: error: E101 empty contains no documents (.txt, .md, .html, .htm, .docx, "
        ".pdf); give a folder with documents in it\n",
    )
    result = invoke(["stats", "missing"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.endswith(
        "Error: Invalid value for 'PATH...': Path 'missing' does not exist.\n"
    )


# -- show -------------------------------------------------------------------------------------


def test_show_writes_the_document_view(workdir: Path, fake_rules: None) -> None:
    result = invoke(["show", "docs/a.txt", "-o", "a.html"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "Wrote a.html: a.txt, 3 mentions of 3 entities marked.\n",
        "",
    )
    graph = build_graph([handmade("a.txt")])
    pages = document_pages(graph.documents(), graph.mentions(), graph.to_networkx())
    assert (workdir / "a.html").read_text("utf-8") == pages["a.txt"][1]
    assert sorted(os.listdir(workdir)) == ["a.html", "docs"]


def test_show_page_marks_every_mention(workdir: Path, fake_rules: None) -> None:
    assert invoke(["show", "docs/a.txt", "-o", "a.html"]).exit_code == 0
    page = (workdir / "a.html").read_text("utf-8")
    assert re.findall(r'<mark class="entity" id="(m\d+-\d+)" data-type="(\w+)"', page) == [
        ("m0-2", "Organization"),
        ("m7-18", "Task"),
        ("m21-27", "Strategy"),
    ]
    assert "<script" not in page
    assert "graph.html" not in page  # a lone page links to no graph


def test_show_into_a_missing_folder_is_an_error(workdir: Path, fake_rules: None) -> None:
    result = invoke(["show", "docs/a.txt", "-o", "nowhere/a.html"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "policykg: error: E111 cannot write nowhere/a.html: No such file or directory; "
        "check that the folder exists and is writable\n"
    )
    assert not (workdir / "nowhere").exists()


def test_show_needs_an_output_file(workdir: Path) -> None:
    result = invoke(["show", "docs/a.txt"])
    assert result.exit_code == 2
    assert "Missing option '-o' / '--out'" in result.stderr


def test_show_seed(tmp_path: Path) -> None:
    result = invoke(["show", str(SEED), "-o", str(tmp_path / "doc.html")])
    assert result.exit_code == 0, result.output
    summary = re.fullmatch(
        rf"Wrote {re.escape(str(tmp_path))}/doc\.html: 000_e07ead4074b87c09\.txt, "
        r"(\d+) mentions of (\d+) entities marked\.\n",
        result.stdout,
    )
    assert summary is not None, result.stdout
    page = (tmp_path / "doc.html").read_text("utf-8")
    assert page.count('<mark class="entity"') >= int(summary[1]) > int(summary[2]) > 0
    assert 'title="乡村振兴战略 · Strategy 战略">乡村振兴战略<span class="entity-label"' in page


# -- build --format ---------------------------------------------------------------------------


def test_build_every_format(workdir: Path, fake_rules: None) -> None:
    formats = [arg for name in reversed(EXPORT_FORMATS) for arg in ("--format", name)]
    result = invoke(["build", "docs", "-o", "out", "-q", *formats, "--format", "nt"])
    graph = build_graph([handmade("a.txt"), handmade("b.txt")])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"Wrote out/graph.ttl ({len(graph)} triples), out/graph.nt, out/graph.jsonld, "
        "out/graph.trig, out/graph.graphml, out/graph.gexf, out/nodes.csv, "
        "out/relationships.csv, out/graph.html and 2 document pages in out/docs/: "
        "2 documents, 3 entities, 2 relations.\n"
    )
    nodes, relationships = exports.to_neo4j_csv(graph)
    expected = {
        "graph.ttl": graph.serialize("turtle"),
        "graph.nt": exports.to_ntriples(graph),
        "graph.jsonld": exports.to_jsonld(graph),
        "graph.trig": exports.to_trig(graph),
        "graph.graphml": exports.to_graphml(graph),
        "graph.gexf": exports.to_gexf(graph),
        "nodes.csv": nodes,
        "relationships.csv": relationships,
    }
    assert outputs(workdir / "out") == sorted([*expected, "graph.html", "docs"])
    for name, text in expected.items():
        assert (workdir / "out" / name).read_bytes() == text.encode("utf-8"), name


def test_build_format_without_turtle(workdir: Path, fake_rules: None) -> None:
    result = invoke(["build", "docs", "-o", "out", "-q", "--format", "graphml"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "Wrote out/graph.graphml, out/graph.html and 2 document pages in out/docs/: "
        "2 documents, 3 entities, 2 relations.\n"
    )
    assert outputs(workdir / "out") == ["docs", "graph.graphml", "graph.html"]
    result = invoke(["build", "docs", "-o", "out2", "-q", "--format", "csv", "--format", "trig"])
    triples = len(build_graph([handmade("a.txt"), handmade("b.txt")]))
    assert result.stdout == (
        f"Wrote out2/graph.trig ({triples} triples), out2/nodes.csv, out2/relationships.csv, "
        "out2/graph.html and 2 document pages in out2/docs/: 2 documents, 3 entities, "
        "2 relations.\n"
    )


def test_build_unknown_format_is_a_usage_error(workdir: Path) -> None:
    result = invoke(["build", "docs", "-o", "out", "--format", "xml"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Usage: policykg build [OPTIONS] PATH...\nTry 'policykg build --help' for help.\n\n"
        "Error: Invalid value for '--format': 'xml' is not one of 'ttl', 'nt', 'jsonld', "
        "'trig', 'graphml', 'gexf', 'csv'.\n"
    )
    assert not (workdir / "out").exists()


def test_build_whose_export_fails_writes_nothing(
    workdir: Path, fake_rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke(["build", "docs/a.txt", "-o", "out"]).exit_code == 0
    before = {name: (workdir / "out" / name).read_bytes() for name in ("graph.ttl", "graph.html")}

    def broken(*args: object) -> str:
        raise ValueError("no GEXF today")

    monkeypatch.setattr(exports, "to_gexf", broken)
    result = invoke(["build", "docs", "-o", "out", "-q", "--format", "ttl", "--format", "gexf"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "policykg: error: no GEXF today\n"
    assert {name: (workdir / "out" / name).read_bytes() for name in before} == before
    assert outputs(workdir / "out") == ["docs", "graph.html", "graph.ttl"]


# -- validate ---------------------------------------------------------------------------------


def test_validate_the_seeds_build_conforms(seed_runs: SeedRuns) -> None:
    """Every graph build writes conforms: here the build of the seeds, with the real rules."""
    summary = SUMMARY.fullmatch(seed_runs.build.stdout)
    assert summary is not None
    path = seed_runs.first / "graph.ttl"
    result = invoke(["validate", str(path)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"{path} conforms to the policykg shapes: {summary['triples']} triples, 0 violations.\n"
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS} (CI has only the repo)")
def test_validate_the_corpus_build_conforms(tmp_path: Path) -> None:
    built = invoke(["build", str(CORPUS), "-o", str(tmp_path), "-q"])
    assert built.exit_code == 0, built.output
    result = invoke(["validate", str(tmp_path / "graph.ttl")])
    assert (result.exit_code, result.stderr) == (0, ""), result.stdout
    assert result.stdout.endswith(" triples, 0 violations.\n")


def test_validate_lists_violations_and_exits_1(graph_ttl: str) -> None:
    graph = rdflib.Graph().parse(graph_ttl, format="turtle")
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    pkg = rdflib.Namespace("https://w3id.org/policykg/vocab#")
    (task,) = graph.subjects(rdflib.RDF.type, pkg.Task)
    (doc,) = graph.subjects(rdflib.RDF.type, pkg.Document)
    graph.remove((task, skos.prefLabel, None))
    graph.add((rdflib.URIRef(STRATEGY_IRI), pkg.deploys, task))
    graph.serialize("graph.ttl", format="turtle")
    result = invoke(["validate", "graph.ttl"])
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        f"graph.ttl does not conform to the policykg shapes: {len(graph)} triples, "
        "3 violations.\n"
        "\n"
        f"1. <{doc}> a.txt\n"
        "   path     pkg:deploys\n"
        f"   value    <{STRATEGY_IRI}> 乡村振兴战略\n"
        "   message  a relation of an entity of this document has no pkg:Assertion that "
        "restates it\n"
        "\n"
        f"2. <{STRATEGY_IRI}> 乡村振兴战略\n"
        "   message  the head of pkg:deploys is an Organization, Person or Event\n"
        "\n"
        f"3. <{task}>\n"
        "   path     skos:prefLabel\n"
        "   message  an entity has exactly one skos:prefLabel, a literal tagged @zh\n"
    )


@pytest.mark.parametrize(
    ("args", "code", "stderr"),
    [
        (
            ["validate", "nope.ttl"],
            2,
            "Usage: policykg validate [OPTIONS] GRAPH\nTry 'policykg validate --help' for help."
            "\n\nError: Invalid value for 'GRAPH': File 'nope.ttl' does not exist.\n",
        ),
        (
            ["validate"],
            2,
            "Usage: policykg validate [OPTIONS] GRAPH\nTry 'policykg validate --help' for help."
            "\n\nError: Missing argument 'GRAPH'.\n",
        ),
    ],
)
def test_validate_usage_errors(workdir: Path, args: list[str], code: int, stderr: str) -> None:
    result = invoke(args)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


def test_validate_a_file_that_is_not_turtle(workdir: Path) -> None:
    (workdir / "notes.ttl").write_text("市委 乡村振兴\n", encoding="utf-8")
    result = invoke(["validate", "notes.ttl"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("policykg: error: E121 notes.ttl is not valid Turtle (")


# -- formats, encodings, the output folder rule ------------------------------------------------

FORMATS = ROOT / "tests" / "data" / "formats"
DATA = ROOT / "tests" / "data"


def test_build_reads_every_format_in_a_folder(workdir: Path, fake_rules: None) -> None:
    (workdir / "mixed").mkdir()
    for name in ("speech.md", "speech.html", "speech.docx", "speech.pdf", "wrapped.pdf"):
        (workdir / "mixed" / name).write_bytes((FORMATS / name).read_bytes())
    (workdir / "mixed" / "notes.csv").write_text("x", encoding="utf-8")
    result = invoke(["build", "mixed", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "[1/5] speech.docx\n[2/5] speech.html\n[3/5] speech.md\n[4/5] speech.pdf\n"
        "[5/5] wrapped.pdf\n"
    )


@pytest.mark.parametrize(
    ("out", "relation", "folder"),
    [
        ("docs", "is the", "docs"),
        ("docs/out", "is inside the", "docs"),
        (".", "contains the", "docs"),
        ("./docs/../docs/sub", "is inside the", "docs"),
    ],
)
def test_build_refuses_an_output_folder_in_an_input_folder(
    workdir: Path, out: str, relation: str, folder: str
) -> None:
    result = invoke(["build", "docs", "-o", out])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"policykg: error: E113 output folder {Path(out)} {relation} input folder {folder}, so a "
        "later build of it would read the graph.html written there as a document; give an -o "
        "folder outside the input folders, or add --allow-output-in-input\n"
    )
    assert sorted(p.name for p in (workdir / "docs").iterdir()) == ["a.txt", "b.txt"]


def test_build_into_an_input_folder_when_told(workdir: Path, fake_rules: None) -> None:
    result = invoke(["build", "docs", "-o", "docs", "--allow-output-in-input", "--quiet"])
    assert result.exit_code == 0, result.output
    assert (workdir / "docs" / "graph.html").is_file()
    # the next build of the folder reads the page as a document: which is why it is refused
    result = invoke(["build", "docs", "-o", "docs", "--allow-output-in-input"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"policykg: error: E114 writing {workdir / 'docs' / 'graph.html'} would overwrite the "
        "input document docs/graph.html; give another -o folder\n"
    )


def test_build_from_a_file_may_write_next_to_it(workdir: Path, fake_rules: None) -> None:
    result = invoke(["build", "docs/a.txt", "-o", "docs", "--quiet"])
    assert result.exit_code == 0, result.output
    assert (workdir / "docs" / "graph.ttl").is_file()


def test_extract_with_an_encoding(workdir: Path) -> None:
    (workdir / "big5.txt").write_bytes("經濟發展和國家安全。".encode("big5"))
    detected = invoke(["extract", "big5.txt", "--json"])
    forced = invoke(["extract", "big5.txt", "--json", "--encoding", "big5"])
    assert detected.exit_code == forced.exit_code == 0
    assert detected.stdout == forced.stdout
    assert '"text": "經濟發展和國家安全。"' not in forced.stdout  # mentions only, as usual
    wrong = invoke(["extract", "big5.txt", "--encoding", "utf-8"])
    assert (wrong.exit_code, wrong.stdout) == (1, "")
    assert wrong.stderr == (
        "policykg: error: E008 cannot decode big5.txt as utf-8: byte 0xB8 at offset 0 (invalid "
        "start byte); give the file's encoding with --encoding, or leave it out to detect it\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["extract", "docs/a.txt", "--encoding", "klingon"],
        ["build", "docs", "-o", "out", "--encoding", "klingon"],
        ["stats", "docs", "--encoding", "klingon"],
    ],
)
def test_an_unknown_encoding_is_a_usage_error(workdir: Path, args: list[str]) -> None:
    result = invoke(args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "policykg: error: E009 unknown text encoding 'klingon'; give one Python knows, such as "
        "utf-8, utf-16, gb18030, gbk, big5 or big5hkscs\n"
    )
    assert not (workdir / "out").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "scan.pdf",
            (FORMATS / "scan.pdf").read_bytes(),
            "E024 scan.pdf has no text layer (its pages are images, such as a scan); run OCR on "
            "it first or give the text as a .txt file",
        ),
        (
            "bad.docx",
            b"not a zip",
            "E023 cannot read bad.docx as a Word document: File is not a zip file; check that "
            "the file is not damaged",
        ),
        (
            "notes.rtf",
            b"x",
            "E020 notes.rtf is not a document format policykg reads; give .txt, .md, .html, "
            ".htm, .docx, .pdf files (or convert it to one)",
        ),
    ],
)
def test_extract_refuses_unusable_documents_in_one_line(
    workdir: Path, name: str, data: bytes, message: str
) -> None:
    (workdir / name).write_bytes(data)
    result = invoke(["extract", name])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"policykg: error: {message}\n",
    )


# -- store folders (build --store, query and serve on a store) --------------------------------


def test_build_with_a_store_then_query_it(workdir: Path, fake_rules: None) -> None:
    result = invoke(["build", "docs", "-o", "out", "--store", "store", "--quiet"])
    triples = len(build_graph([handmade("a.txt"), handmade("b.txt")]))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"Wrote out/graph.ttl ({triples} triples), out/graph.html, 2 document pages in "
        "out/docs/ and the store store/: 2 documents, 3 entities, 2 relations.\n"
    )
    named = invoke(["query", "store", "--named", "deployers"])
    assert (named.exit_code, named.stderr) == (0, "")
    assert named.stdout == (
        "who   tasks  example\n"
        "----  -----  ----------------------\n"
        "市委  1      着力推动经济高质量发展\n"
    )
    count = invoke(
        ["query", "store", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"]
    )
    assert (count.exit_code, count.stdout_bytes) == (0, f"n\r\n{triples}\r\n".encode())


def test_query_on_a_store_imports_no_nlp_or_rdf_library(workdir: Path, fake_rules: None) -> None:
    """A named query, a SELECT and --list on a store import pyoxigraph, not spaCy, rdflib,
    networkx, pyshacl or the rule tables' libraries (they took two seconds of each command)."""
    assert invoke(["build", "docs", "-o", "out", "--store", "store", "--quiet"]).exit_code == 0
    heavy = ["spacy", "rdflib", "networkx", "pyvis", "pyshacl", "tqdm", "yaml", "ahocorasick_rs"]
    script = (
        "import json, sys\n"
        "from policykg.output.cli import main\n"
        "for args in (['query', 'store', '--named', 'evidence'],\n"
        "             ['query', 'store', 'SELECT * WHERE { ?s ?p ?o } LIMIT 1'],\n"
        "             ['query', 'store', '--list']):\n"
        "    try:\n"
        "        main(args, prog_name='policykg')\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, (args, exc.code)\n"
        f"print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "[]"


def test_build_refuses_a_store_folder_it_did_not_write(workdir: Path, fake_rules: None) -> None:
    (workdir / "mine").mkdir()
    (workdir / "mine" / "thesis.docx").write_bytes(b"")
    result = invoke(["build", "docs", "-o", "out", "--store", "mine"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "policykg: error: E141 store folder mine exists and is not a policykg store (it has "
        "no policykg-store.json), so build will not replace it; give --store a new folder, "
        "an empty one or one written by policykg build --store\n",
    )
    assert os.listdir(workdir / "mine") == ["thesis.docx"]
    assert not (workdir / "out").exists()


@pytest.mark.parametrize("command", ["query", "serve"])
def test_query_and_serve_refuse_a_folder_that_is_not_a_store(workdir: Path, command: str) -> None:
    args = [command, "docs", "ASK {}"] if command == "query" else [command, "docs", "--port", "0"]
    result = invoke(args)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "policykg: error: E140 docs is a folder but not a policykg store (it has no valid "
        "policykg-store.json); give a graph.ttl or a store folder written by policykg build "
        "--store\n",
    )


def test_serve_a_store_answers_over_loopback(workdir: Path, fake_rules: None) -> None:
    assert invoke(["build", "docs", "-o", "out", "--store", "store", "-q"]).exit_code == 0
    triples = len(build_graph([handmade("a.txt"), handmade("b.txt")]))
    server = subprocess.Popen(
        [*COMMAND, "serve", "store", "--port", "0", "--workers", "2", "--quiet"],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, server.kill)
    watchdog.start()
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        found = re.fullmatch(
            rf"Serving store \({triples} triples\) at (http://127\.0\.0\.1:\d+/sparql) "
            r"\(read-only\); Ctrl-C stops\.\n",
            first,
        )
        assert found, first
        query = "SELECT ?l WHERE { ?e a pkg:Strategy ; skos:prefLabel ?l }"
        request = urllib.request.Request(
            f"{found[1]}?query={quote(query)}", headers={"Accept": "text/csv"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert (response.status, response.read()) == (200, "l\r\n乡村振兴战略\r\n".encode())
        server.send_signal(signal.SIGINT)
        rest, errors = server.communicate(timeout=60)
    finally:
        watchdog.cancel()
        server.kill()
    assert (server.returncode, rest, errors) == (0, "Stopped.\n", "")
