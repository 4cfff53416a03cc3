"""Tests of output/api.py: build, extract, query and evaluate on files.

Most builds use a handmade extraction in place of the rules (``fake_extract``), so that
counts are exact and the tests take milliseconds; one test runs the real rules on a short
text and checks structure only, since the rules are changing.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from rdflib.compare import isomorphic

import policykg.output
from policykg.extract import Extraction, InputError
from policykg.extract.rules import rule_catalogue
from policykg.graph import QueryError, build_graph, exports
from policykg.output import api
from policykg.output.api import (
    CACHE_FOLDER,
    GRAPH_HTML,
    GRAPH_TTL,
    ShowResult,
    build,
    default_title,
    evaluate_files,
    extract_json,
    list_errors,
    list_queries,
    load_graph,
    load_store,
    named_query,
    query,
    query_named,
    read_query,
    rule_stats,
    show,
    validate,
)
from policykg.output.docview import document_page_path, document_pages
from policykg.output.errors import OutputError
from policykg.output.html import render_html
from policykg.output.parts import PARTS_FOLDER

TEXT = "市委强调，一要着力推动经济高质量发展，实施乡村振兴战略。"


def outputs(folder: Path) -> list[str]:
    """The names in ``folder`` (none if it does not exist), sorted, the extraction cache
    left out: documents extracted before a failure stay cached."""
    if not folder.exists():
        return []
    return sorted(name for name in os.listdir(folder) if name != CACHE_FOLDER)


def _mention(label: str) -> dict[str, Any]:
    start = TEXT.index(label)
    return {"start": start, "end": start + len(label), "text": label, "rule": "test"}


def _relation(head: str, type_: str, tail: str) -> dict[str, Any]:
    end = len(TEXT)
    evidence = {"evidence": TEXT, "evidence_start": 0, "evidence_end": end, "rule": "rel.test"}
    return {"head": head, "type": type_, "tail": tail, **evidence}


def handmade(name: str) -> Extraction:
    """What the fake rules extract from ``TEXT``: 3 entities, 2 relations."""
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
                "mentions": [_mention("乡村振兴战略")],
            },
        ],
        "relations": [_relation("e1", "deploys", "e2"), _relation("e2", "involves", "e3")],
    }
    return Extraction.from_json(data, TEXT)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the extraction rules by ``handmade``; the list records the names extracted."""
    seen: list[str] = []

    def fake_extract(text: str, document: str = "<text>") -> Extraction:
        assert text == TEXT
        seen.append(document)
        return handmade(document)

    monkeypatch.setattr(api, "extract_text", fake_extract)
    return seen


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """docs/a/report.txt, docs/b/report.txt, docs/c.txt, all holding TEXT."""
    for name in ("a/report.txt", "b/report.txt", "c.txt"):
        path = tmp_path / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEXT, encoding="utf-8")
    return tmp_path / "docs"


# -- build ------------------------------------------------------------------------------------


def test_build_writes_turtle_and_html_of_the_graph(
    docs: Path, tmp_path: Path, calls: list[str]
) -> None:
    out = tmp_path / "out" / "nested"
    result = build([docs / "c.txt"], out)
    expected = build_graph([handmade("c.txt")])
    assert calls == ["c.txt"]
    assert result.graph_ttl == out / GRAPH_TTL
    assert result.graph_html == out / GRAPH_HTML
    assert result.paths == (out / "graph.ttl", out / "graph.html", out / "docs" / "c.html")
    assert (result.document_names, result.documents) == (("c.txt",), 1)
    assert (result.entities, result.relations, result.triples) == (3, 2, len(expected))
    assert result.graph_ttl.read_bytes() == expected.serialize("turtle").encode("utf-8")
    documents, mentions = expected.documents(), expected.mentions()
    pages = document_pages(documents, mentions, expected.to_networkx(), "../graph.html")
    assert list(pages) == ["c.txt"]
    page = render_html(
        expected.to_networkx(),
        title="policykg: c.txt",
        documents=documents,
        mentions=mentions,
        document_pages={"c.txt": "docs/c.html"},
    )
    assert result.graph_html.read_bytes() == page.encode("utf-8")
    assert result.document_pages == (out / "docs" / "c.html",)
    assert (out / "docs" / "c.html").read_text("utf-8") == pages["c.txt"][1]
    assert outputs(out) == ["docs", "graph.html", "graph.ttl"]
    assert os.listdir(out / "docs") == ["c.html"]


def test_streamed_files_are_what_the_graph_in_memory_serializes(
    docs: Path, tmp_path: Path, calls: list[str]
) -> None:
    out = tmp_path / "out"
    result = build([docs], out, formats=["jsonld", "nt", "ttl"])
    expected = build_graph([handmade(name) for name in ("a/report.txt", "b/report.txt", "c.txt")])
    assert (out / "graph.ttl").read_text("utf-8") == expected.serialize("turtle")
    assert (out / "graph.nt").read_text("utf-8") == expected.serialize("nt")
    assert (out / "graph.jsonld").read_text("utf-8") == exports.to_jsonld(expected)
    assert result.exports == (out / "graph.ttl", out / "graph.nt", out / "graph.jsonld")
    assert result.triples == len(expected) == len(result.graph)


def test_build_turtle_reads_back_as_the_same_graph(
    docs: Path, tmp_path: Path, calls: list[str]
) -> None:
    result = build([docs], tmp_path / "out")
    assert result.graph_ttl is not None
    back = load_graph(result.graph_ttl)
    assert len(back) == result.triples == len(result.graph)
    assert isomorphic(back.rdf, result.graph.rdf)


def test_build_of_several_documents_merges_entities_and_reports_progress(
    docs: Path, tmp_path: Path, calls: list[str]
) -> None:
    progress: list[tuple[int, int, str]] = []
    result = build(
        [docs], tmp_path / "out", progress=lambda *args: progress.append(args), title="标题"
    )
    names = ("a/report.txt", "b/report.txt", "c.txt")
    assert progress == [(1, 3, names[0]), (2, 3, names[1]), (3, 3, names[2])]
    assert result.document_names == names
    assert (result.documents, result.entities, result.relations) == (3, 3, 2)
    assert result.triples == len(build_graph([handmade(n) for n in names]))
    assert "<title>标题</title>" in result.graph_html.read_text(encoding="utf-8")


def test_build_base_iri(docs: Path, tmp_path: Path, calls: list[str]) -> None:
    result = build([docs / "c.txt"], tmp_path / "out", base="http://example.org/kg/")
    assert result.graph_ttl is not None
    turtle = result.graph_ttl.read_text(encoding="utf-8")
    assert "<http://example.org/kg/entity/organization/" in turtle
    assert "https://w3id.org/policykg/id/" not in turtle


def test_build_checks_base_and_output_folder_before_extracting(
    docs: Path, tmp_path: Path, calls: list[str]
) -> None:
    with pytest.raises(ValueError, match=r"^invalid base IRI 'urn:x'"):
        build([docs], tmp_path / "out", base="urn:x")
    assert not (tmp_path / "out").exists()
    taken = tmp_path / "taken"
    taken.write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        build([docs], taken)
    assert (
        str(info.value) == f"E110 output folder {taken} is an existing file; give a folder with -o"
    )
    assert taken.read_text(encoding="utf-8") == "mine"
    assert calls == []


def test_build_stops_at_an_unreadable_document_and_writes_nothing(
    docs: Path, tmp_path: Path, calls: list[str]
) -> None:
    empty = docs / "d.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError) as info:
        build([docs], tmp_path / "out")
    assert str(info.value) == f"E004 {empty} is empty; give a document that contains text"
    assert outputs(tmp_path / "out") == []  # the extraction cache at most


# -- jobs and the extraction cache ---------------------------------------------------------


@pytest.fixture
def extracted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Like ``calls``, for documents that start with ``TEXT`` (the handmade extraction, on the
    document's own text): the names extracted in this process."""
    seen: list[str] = []

    def fake_extract(text: str, document: str = "<text>") -> Extraction:
        assert text.startswith(TEXT)
        seen.append(document)
        extraction = handmade(document)
        extraction.text = text
        return extraction

    monkeypatch.setattr(api, "extract_text", fake_extract)
    return seen


def _files(out: Path) -> dict[str, bytes]:
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and CACHE_FOLDER not in path.parts
    }


def test_jobs_2_writes_the_same_bytes_and_reports_the_same_progress_as_jobs_1(
    tmp_path: Path,
) -> None:
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    reports: dict[int, list[tuple[int, int, str]]] = {1: [], 2: []}
    for jobs, report in reports.items():
        out = tmp_path / f"jobs{jobs}"
        build([seeds], out, jobs=jobs, cache=False, progress=lambda *a, r=report: r.append(a))
    first, second = _files(tmp_path / "jobs1"), _files(tmp_path / "jobs2")
    assert sorted(first) == [
        "docs/000_e07ead4074b87c09.html",
        "docs/hailar_district_gov_work_report_2019.html",
        GRAPH_HTML,
        GRAPH_TTL,
    ]
    assert first == second
    assert (
        reports[1]
        == reports[2]
        == [
            (1, 2, "000_e07ead4074b87c09.txt"),
            (2, 2, "hailar_district_gov_work_report_2019.txt"),
        ]
    )
    assert not (tmp_path / "jobs1" / CACHE_FOLDER).exists()


def test_a_rebuild_extracts_only_the_document_that_changed(
    docs: Path, tmp_path: Path, extracted: list[str]
) -> None:
    out = tmp_path / "out"
    build([docs], out)
    assert extracted == ["a/report.txt", "b/report.txt", "c.txt"]
    entries = sorted((out / CACHE_FOLDER).glob("*.json"))
    assert len(entries) == 1  # three documents with the same bytes: one entry
    assert len(list((out / CACHE_FOLDER / PARTS_FOLDER).glob("*.json"))) == 3  # one share each
    before = _files(out)
    build([docs], out)
    assert extracted == ["a/report.txt", "b/report.txt", "c.txt"]  # nothing extracted again
    assert _files(out) == before
    (docs / "b" / "report.txt").write_text(TEXT + "\n第二版。", encoding="utf-8")
    build([docs], out)
    assert extracted[3:] == ["b/report.txt"]
    assert len(list((out / CACHE_FOLDER).glob("*.json"))) == 2  # the old one: a and c
    # b's old share is gone: the output folder's cache keeps what the last build used
    assert len(list((out / CACHE_FOLDER / PARTS_FOLDER).glob("*.json"))) == 3
    assert _files(out) != before
    assert (out / GRAPH_TTL).read_text(encoding="utf-8").count("第二版") == 1


def test_a_cache_hit_in_a_build_with_jobs_starts_no_worker(
    docs: Path, tmp_path: Path, extracted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build([docs], out, jobs=1)
    before = _files(out)

    def no_pool(*args: object) -> None:
        raise AssertionError("a pool was started")

    monkeypatch.setattr(api, "WorkerPool", no_pool)
    build([docs], out, jobs=2)
    assert _files(out) == before
    assert extracted == ["a/report.txt", "b/report.txt", "c.txt"]


def test_a_corrupt_cache_entry_is_extracted_again(
    docs: Path, tmp_path: Path, extracted: list[str]
) -> None:
    out = tmp_path / "out"
    build([docs / "c.txt"], out)
    before = _files(out)
    (entry,) = (out / CACHE_FOLDER).glob("*.json")
    good = entry.read_bytes()
    entry.write_bytes(good[:40])  # the summary line cut
    build([docs / "c.txt"], out)
    assert extracted == ["c.txt", "c.txt"]
    assert entry.read_bytes() == good
    assert _files(out) == before


def test_a_corrupt_extraction_is_read_only_for_a_share_to_make(
    docs: Path, tmp_path: Path, extracted: list[str]
) -> None:
    out = tmp_path / "out"
    build([docs / "c.txt"], out)
    before = _files(out)
    (entry,) = (out / CACHE_FOLDER).glob("*.json")
    good = entry.read_bytes()
    summary_line = good.split(b"\n")[0]
    entry.write_bytes(summary_line + b"\n{")  # the whole extraction cut, its summary sound
    build([docs / "c.txt"], out)
    assert extracted == ["c.txt"]  # the merge reads the summary, the share is cached
    assert _files(out) == before
    shutil.rmtree(out / CACHE_FOLDER / PARTS_FOLDER)
    build([docs / "c.txt"], out)
    assert extracted == ["c.txt", "c.txt"]  # the share to make needs the whole extraction
    assert entry.read_bytes() == good
    assert _files(out) == before


def test_a_new_pipeline_version_extracts_again(
    docs: Path, tmp_path: Path, extracted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from policykg.extract import version

    out = tmp_path / "out"
    build([docs / "c.txt"], out)
    build([docs / "c.txt"], out)
    assert extracted == ["c.txt"]
    monkeypatch.setattr(version, "PIPELINE_VERSION", "9.9.9")
    version.pipeline_fingerprint.cache_clear()
    try:
        build([docs / "c.txt"], out)
    finally:
        monkeypatch.undo()
        version.pipeline_fingerprint.cache_clear()
    assert extracted == ["c.txt", "c.txt"]
    assert len(list((out / CACHE_FOLDER).glob("*.json"))) == 1  # the old version's pruned


def test_the_output_folders_cache_keeps_what_the_last_build_used(
    docs: Path, tmp_path: Path, extracted: list[str]
) -> None:
    out = tmp_path / "out"
    build([docs], out)
    cache = out / CACHE_FOLDER
    (entry,) = cache.glob("*.json")
    parts = sorted(p.name for p in (cache / PARTS_FOLDER).glob("*.json"))
    assert len(parts) == 3
    stranger = cache / "notes.json"  # not named as an entry: never touched
    stranger.write_text("{}", encoding="utf-8")
    build([docs / "c.txt"], out)  # a and b are no longer built: their shares go
    assert sorted(cache.glob("*.json")) == sorted([entry, stranger])
    (kept,) = [p.name for p in (cache / PARTS_FOLDER).glob("*.json")]
    build([docs / "c.txt"], out, cache=False)  # a build without the cache leaves it be
    assert [p.name for p in (cache / PARTS_FOLDER).glob("*.json")] == [kept]
    assert extracted == ["a/report.txt", "b/report.txt", "c.txt", "c.txt"]


def test_the_cache_can_be_elsewhere_or_off(
    docs: Path, tmp_path: Path, extracted: list[str]
) -> None:
    build([docs / "c.txt"], tmp_path / "off", cache=False)
    assert outputs(tmp_path / "off") == ["docs", GRAPH_HTML, GRAPH_TTL]
    assert not (tmp_path / "off" / CACHE_FOLDER).exists()
    shared = tmp_path / "shared" / "cache"
    build([docs / "c.txt"], tmp_path / "one", cache=shared)
    build([docs / "c.txt"], tmp_path / "two", cache=shared)
    assert extracted == ["c.txt", "c.txt"]  # --no-cache, then the shared cache once
    assert not (tmp_path / "one" / CACHE_FOLDER).exists()
    assert len(list(shared.glob("*.json"))) == 1
    build([docs / "a"], tmp_path / "three", cache=shared)
    assert len(list(shared.glob("*.json"))) == 1  # the same bytes as c.txt
    (docs / "a" / "report.txt").write_text(TEXT + "\n第二版。", encoding="utf-8")
    build([docs / "a"], tmp_path / "three", cache=shared)
    assert len(list(shared.glob("*.json"))) == 2  # a cache given is never pruned
    assert _files(tmp_path / "one") == _files(tmp_path / "two") == _files(tmp_path / "off")


def test_extract_documents_and_rule_stats_take_jobs_and_a_cache(
    docs: Path, tmp_path: Path, extracted: list[str]
) -> None:
    cache = tmp_path / "cache"
    first = api.extract_documents([docs], cache=cache)
    again = api.extract_documents([docs], jobs=2, cache=cache)
    assert extracted == ["a/report.txt", "b/report.txt", "c.txt"]
    assert again == first
    assert rule_stats([docs], jobs=2, cache=cache) == rule_stats([docs])


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bad_document_is_the_same_coded_error_with_any_jobs(
    docs: Path, tmp_path: Path, extracted: list[str], jobs: int
) -> None:
    (docs / "d.txt").write_bytes(b"")
    (docs / "e.txt").write_bytes(b"\x00\x01")
    with pytest.raises(InputError) as info:
        build([docs], tmp_path / "out", jobs=jobs)
    assert type(info.value) is InputError
    assert str(info.value) == f"E004 {docs / 'd.txt'} is empty; give a document that contains text"
    assert outputs(tmp_path / "out") == []


@pytest.mark.parametrize("jobs", [0, -1, True, 1.5])
def test_jobs_below_one_is_an_error(docs: Path, tmp_path: Path, jobs: Any) -> None:
    message = (
        f"E152 invalid number of jobs {jobs}; give at least 1 (or leave it out for every core)"
    )
    with pytest.raises(OutputError) as info:
        build([docs], tmp_path / "out", jobs=jobs)
    assert str(info.value) == message
    with pytest.raises(OutputError):
        api.extract_documents([docs], jobs=jobs)
    assert not (tmp_path / "out").exists()


def test_failed_write_leaves_the_previous_build_intact(
    docs: Path, tmp_path: Path, calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build([docs / "c.txt"], out)
    before = {name: (out / name).read_bytes() for name in (GRAPH_TTL, GRAPH_HTML)}
    real_fsync, count = os.fsync, [0]

    def fsync(fd: int) -> None:  # graph.ttl's temporary file is synced, the first page fails
        count[0] += 1
        if count[0] == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OutputError) as info:
        build([docs], out)
    assert str(info.value) == (
        f"E111 cannot write {out / document_page_path('a/report.txt')}: No space left on "
        "device; check that the folder exists and is writable"
    )
    assert {name: (out / name).read_bytes() for name in before} == before
    assert outputs(out) == ["docs", "graph.html", "graph.ttl"]
    assert os.listdir(out / "docs") == ["c.html"]  # no temporary file left, no new page


def test_failed_rendering_leaves_the_previous_build_intact(
    docs: Path, tmp_path: Path, calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build([docs / "c.txt"], out)
    before = {name: (out / name).read_bytes() for name in (GRAPH_TTL, GRAPH_HTML)}

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("layout failed")

    monkeypatch.setattr(api, "render_html", broken)
    with pytest.raises(RuntimeError, match="layout failed"):
        build([docs], out)
    assert {name: (out / name).read_bytes() for name in before} == before


@pytest.mark.parametrize(
    ("names", "title"),
    [(["a.txt"], "policykg: a.txt"), (["a.txt", "b.txt"], "policykg: 2 documents")],
)
def test_default_title(names: list[str], title: str) -> None:
    assert default_title(names) == title


# -- extract ----------------------------------------------------------------------------------


def test_extract_json_with_the_real_rules(tmp_path: Path) -> None:
    """Structure only: the counts belong to the extraction rules, which are changing."""
    path = tmp_path / "speech.txt"
    path.write_text(TEXT, encoding="utf-8")
    data = extract_json(path)
    assert [key for key in data if key != "metadata"] == ["document", "entities", "relations"]
    assert data["document"] == "speech.txt"
    ids = set()
    for entity in data["entities"]:
        assert {"id", "type", "label", "rule", "mentions"} <= set(entity)
        for mention in entity["mentions"]:
            assert TEXT[mention["start"] : mention["end"]] == mention["text"]
        ids.add(entity["id"])
    for relation in data["relations"]:
        assert {relation["head"], relation["tail"]} <= ids
        assert TEXT[relation["evidence_start"] : relation["evidence_end"]] == relation["evidence"]
    json.dumps(data, ensure_ascii=False)  # JSON-serialisable as it is


# -- query ------------------------------------------------------------------------------------


@pytest.fixture
def graph_file(tmp_path: Path) -> Path:
    path = tmp_path / "graph.ttl"
    path.write_text(build_graph([handmade("c.txt")]).serialize("turtle"), encoding="utf-8")
    return path


def test_query_a_turtle_file(graph_file: Path) -> None:
    result = query(graph_file, "SELECT ?l WHERE { ?e a pkg:Task ; skos:prefLabel ?l }")
    assert (result.kind, result.variables, result.rows) == (
        "select",
        ["l"],
        [("着力推动经济高质量发展",)],
    )


def test_query_errors(graph_file: Path, tmp_path: Path) -> None:
    with pytest.raises(QueryError, match=r"^SPARQL syntax error at line 1, column 18: "):
        query(graph_file, "SELECT ?x WHERE {")
    with pytest.raises(OutputError) as info:
        query(graph_file, " \n")
    assert str(info.value) == (
        "E123 the query is empty; give a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query"
    )


def test_query_cuts_a_long_result(graph_file: Path) -> None:
    result = query(graph_file, "SELECT ?s WHERE { ?s ?p ?o }", max_rows=2)
    assert (len(result.rows), result.truncated) == (2, True)


def test_named_queries(graph_file: Path) -> None:
    assert [q.name for q in list_queries()][:2] == ["deployers", "document-names"]
    deployers = named_query("deployers")
    assert deployers.description.startswith("Who deploys tasks")
    assert query(graph_file, deployers.sparql).rows == [("市委", "1", "着力推动经济高质量发展")]
    with pytest.raises(OutputError, match=r"^E124 there is no named query who; the named "):
        named_query("who")


def test_query_named_pages(graph_file: Path) -> None:
    row = ("c.txt", "市委", "deploys", "着力推动经济高质量发展", "rel.test", "0", "28", TEXT)
    first = query_named(graph_file, "evidence", limit=1)
    assert (first.rows, first.truncated) == ([row], True)
    rest = query_named(graph_file, "evidence", limit=0, offset=1)
    assert (len(rest.rows), rest.rows[0][:4], rest.truncated) == (
        1,
        ("c.txt", "着力推动经济高质量发展", "involves", "乡村振兴战略"),
        False,
    )
    assert query_named(graph_file, "evidence").rows == [row, *rest.rows]
    with pytest.raises(OutputError) as info:
        query_named(graph_file, "evidence", limit=5, offset=-1)
    assert str(info.value) == (
        "E128 invalid page of rows (limit 5, offset -1); give a limit of 0 (all rows) or more "
        "and an offset of 0 or more"
    )


def test_load_store_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.ttl"
    with pytest.raises(OutputError) as info:
        load_store(missing)
    assert str(info.value) == (
        f"E120 cannot read graph {missing}: No such file or directory; "
        "give a Turtle file written by policykg build"
    )
    latin = tmp_path / "latin.ttl"
    latin.write_bytes(b"\xef\xbb\xbf<a:b> <a:c> \xff .")
    with pytest.raises(OutputError) as info:
        load_store(latin)
    assert str(info.value) == (
        f"E120 cannot read graph {latin}: not UTF-8 at byte 15; "
        "give a Turtle file written by policykg build"
    )
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a:b> <a:c> .", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        load_store(bad)
    assert str(info.value) == (
        f"E121 {bad} is not valid Turtle (invalid Turtle: Parser error at line 1 column 13: . "
        "is not a valid RDF object (line 1)); give a Turtle file written by policykg build"
    )
    bom = tmp_path / "bom.ttl"
    bom.write_bytes(b'\xef\xbb\xbf<a:b> <a:c> "\xe5\xb8\x82" .')
    assert len(load_store(bom)) == 1
    empty = tmp_path / "empty.ttl"
    empty.write_bytes(b"")
    assert len(load_store(empty)) == 0


def test_load_graph_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.ttl"
    with pytest.raises(OutputError) as info:
        load_graph(missing)
    assert str(info.value) == (
        f"E120 cannot read graph {missing}: No such file or directory; "
        "give a Turtle file written by policykg build"
    )
    latin = tmp_path / "latin.ttl"
    latin.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(
        OutputError, match=r"^E120 cannot read graph .*latin\.ttl: not UTF-8 at byte 0;"
    ):
        load_graph(latin)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        load_graph(bad)
    assert str(info.value).startswith(f"E121 {bad} is not valid Turtle (invalid Turtle: ")
    assert str(info.value).endswith("); give a Turtle file written by policykg build")
    assert "\n" not in str(info.value)


def test_load_graph_of_an_empty_file_is_an_empty_graph(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_bytes(b"")
    assert len(load_graph(empty)) == 0


def test_read_query(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_bytes('\ufeffASK { ?s ?p "市委" }\n'.encode())
    assert read_query(path) == 'ASK { ?s ?p "市委" }\n'
    path.write_bytes(b"\xb0\xa1")
    with pytest.raises(OutputError) as info:
        read_query(path)
    assert str(info.value) == (
        f"E122 cannot read query file {path}: not UTF-8 at byte 0; "
        "give a UTF-8 text file with one query"
    )


# -- evaluate ---------------------------------------------------------------------------------


def test_evaluate_files(tmp_path: Path) -> None:
    gold = {
        "entities": [
            {"id": "g1", "type": "Organization", "label": "市委"},
            {"id": "g2", "type": "Strategy", "label": "乡村振兴战略", "aliases": ["乡村振兴"]},
        ],
        "relations": [{"head": "g1", "type": "implements", "tail": "g2"}],
    }
    pred = {
        "entities": [
            {"id": "e1", "type": "Organization", "label": "市委"},
            {"id": "e2", "type": "Strategy", "label": "“乡村振兴”"},
            {"id": "e3", "type": "Organization", "label": "省委"},
        ],
        "relations": [{"head": "e1", "type": "implements", "tail": "e2"}],
    }
    (tmp_path / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "pred.json").write_text(json.dumps(pred, ensure_ascii=False), encoding="utf-8")
    evaluation = evaluate_files(tmp_path / "gold.json", tmp_path / "pred.json")
    entities, relations = evaluation.lenient.entities, evaluation.lenient.relations
    assert (entities.tp, entities.pred, entities.gold) == (2, 3, 2)
    assert (relations.tp, relations.pred, relations.gold) == (1, 1, 1)
    assert evaluation.lenient.spurious_entities == ("Organization:省委",)


def test_evaluate_files_names_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "gold.json"
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(InputError) as info:
        evaluate_files(bad, bad)
    assert str(info.value) == (
        f"E011 {bad} is not a JSON object but a list; give a JSON file as in SCHEMA.md"
    )


# -- rule_stats -------------------------------------------------------------------------------


def test_rule_stats_counts_every_document(docs: Path, calls: list[str]) -> None:
    progress: list[tuple[int, int, str]] = []
    stats = rule_stats([docs], progress=lambda *args: progress.append(args))
    assert stats.documents == ("a/report.txt", "b/report.txt", "c.txt")
    assert progress == [(1, 3, "a/report.txt"), (2, 3, "b/report.txt"), (3, 3, "c.txt")]
    rows = [(r.rule, r.kind, r.documents, r.mentions, r.entities, r.relations) for r in stats.fired]
    assert rows == [("rel.test", "?", 3, 0, 0, 6), ("test", "?", 3, 9, 9, 0)]
    assert [r.id for r in stats.never_fired] == sorted(rule_catalogue())


def test_rule_stats_names_a_folder_without_documents(tmp_path: Path, calls: list[str]) -> None:
    with pytest.raises(InputError, match=r"^E101 .* contains no documents \(\.txt, "):
        rule_stats([tmp_path])
    assert calls == []


# -- list_errors ------------------------------------------------------------------------------

DATA = Path(__file__).parent / "data"


@pytest.fixture
def trio(tmp_path: Path) -> Path:
    """gold/diagnose_gold.json, pred/diagnose_pred.json and the document in neither folder."""
    for folder, name in (("gold", "diagnose_gold.json"), ("pred", "diagnose_pred.json")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_bytes((DATA / name).read_bytes())
    (tmp_path / "diagnose.txt").write_bytes((DATA / "diagnose.txt").read_bytes())
    return tmp_path


def _first_sentence(listing: api.ErrorListing) -> str | None:
    context = listing.diagnosis.entities[0].context
    return context.snippet() if context is not None else None


def test_list_errors_finds_the_document_next_to_gold_then_next_to_pred(trio: Path) -> None:
    gold, pred = trio / "gold/diagnose_gold.json", trio / "pred/diagnose_pred.json"
    (trio / "diagnose.txt").rename(trio / "pred/diagnose.txt")
    listing = list_errors(gold, pred)
    assert (listing.text_path, listing.note) == (
        trio / "pred/diagnose.txt",
        f"sentences from {trio / 'pred/diagnose.txt'}",
    )
    assert _first_sentence(listing) == "【市委常委会】召开会议，研究部署今年工作。"
    (trio / "gold/diagnose.txt").write_text("开好市委常委会。", encoding="utf-8")
    assert list_errors(gold, pred).text_path == trio / "gold/diagnose.txt"
    assert _first_sentence(list_errors(gold, pred)) == "开好【市委常委会】。"


def test_list_errors_with_an_explicit_text(trio: Path) -> None:
    gold, pred = trio / "gold/diagnose_gold.json", trio / "pred/diagnose_pred.json"
    listing = list_errors(gold, pred, trio / "diagnose.txt")
    assert listing.note == f"sentences from {trio / 'diagnose.txt'}"
    assert _first_sentence(listing) == "【市委常委会】召开会议，研究部署今年工作。"
    (trio / "empty.txt").write_bytes(b"")
    with pytest.raises(InputError, match=r"^E004 .*empty\.txt is empty"):
        list_errors(gold, pred, trio / "empty.txt")


def test_list_errors_without_a_document_says_why(trio: Path) -> None:
    gold, pred = trio / "gold/diagnose_gold.json", trio / "pred/diagnose_pred.json"
    listing = list_errors(gold, pred)
    assert (listing.text_path, listing.diagnosis.has_text) == (None, False)
    assert listing.note == (
        f"no sentences: diagnose.txt is not next to {gold} or {pred}; "
        "give the text with --text FILE"
    )
    (trio / "gold/diagnose.txt").write_bytes(b"\x00\x01\x02\x03")
    listing = list_errors(gold, pred)
    assert (listing.text_path, listing.diagnosis.has_text) == (None, False)
    assert listing.note.startswith(f"no sentences: E005 {trio / 'gold/diagnose.txt'} looks like")
    unnamed = trio / "unnamed.json"
    unnamed.write_text('{"entities": []}', encoding="utf-8")
    assert list_errors(unnamed, unnamed).note == (
        "no sentences: neither file names its document (a 'document' key); "
        "give the text with --text FILE"
    )


# -- the package exports ----------------------------------------------------------------------


def test_package_exports_the_api_lazily() -> None:
    assert policykg.output.build is api.build
    assert policykg.output.BuildResult is api.BuildResult
    assert set(policykg.output.__all__) <= set(api.__all__)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = policykg.output.nothing


# -- show -------------------------------------------------------------------------------------


def test_show_writes_the_page_build_writes_without_graph_links(
    docs: Path, tmp_path: Path, calls: list[str]
) -> None:
    result = show(docs / "c.txt", tmp_path / "c.html")
    assert result == ShowResult(tmp_path / "c.html", "c.txt", 3, 3)
    graph = build_graph([handmade("c.txt")])
    pages = document_pages(graph.documents(), graph.mentions(), graph.to_networkx())
    assert (tmp_path / "c.html").read_text("utf-8") == pages["c.txt"][1]
    built = build([docs / "c.txt"], tmp_path / "out")
    (page,) = built.document_pages
    linked = page.read_text("utf-8")
    assert linked != pages["c.txt"][1]
    assert '<a href="../graph.html">返回图谱 back to the graph</a>' in linked
    assert policykg.output.show is show


# -- build formats and validate ---------------------------------------------------------------


def test_build_writes_the_files_of_each_format_once_in_order(
    docs: Path, tmp_path: Path, calls: list[str]
) -> None:
    out = tmp_path / "out"
    result = build([docs / "c.txt"], out, formats=["csv", "jsonld", "csv", "nt"])
    graph = build_graph([handmade("c.txt")])
    names = ["graph.nt", "graph.jsonld", "nodes.csv", "relationships.csv"]
    assert result.exports == tuple(out / name for name in names)
    assert result.paths == (*result.exports, out / GRAPH_HTML, out / "docs" / "c.html")
    assert result.graph_ttl is None
    assert outputs(out) == sorted([*names, GRAPH_HTML, "docs"])
    assert (out / "graph.jsonld").read_text(encoding="utf-8") == exports.to_jsonld(graph)
    assert result.triples == len(graph)


def test_build_default_format_is_turtle(docs: Path, tmp_path: Path, calls: list[str]) -> None:
    result = build([docs / "c.txt"], tmp_path / "out")
    assert result.exports == (tmp_path / "out" / GRAPH_TTL,)
    assert result.graph_ttl == tmp_path / "out" / GRAPH_TTL
    only_html = build([docs / "c.txt"], tmp_path / "html", formats=[])
    assert (only_html.exports, only_html.graph_ttl) == ((), None)
    assert outputs(tmp_path / "html") == ["docs", GRAPH_HTML]


def test_render_exports_names_each_file() -> None:
    graph = build_graph([handmade("c.txt")])
    files = api.render_exports(graph, ["gexf", "ttl"])
    assert list(files) == ["graph.ttl", "graph.gexf"]
    assert files["graph.gexf"] == exports.to_gexf(graph)
    assert list(api.render_exports(graph, ["csv"])) == ["nodes.csv", "relationships.csv"]


def test_build_unknown_format_fails_before_extracting(
    docs: Path, tmp_path: Path, calls: list[str]
) -> None:
    with pytest.raises(OutputError) as info:
        build([docs], tmp_path / "out", formats=["ttl", "rdfxml"])
    assert str(info.value) == (
        "E112 unknown export format 'rdfxml'; choose from ttl, nt, jsonld, trig, graphml, gexf, csv"
    )
    assert calls == []
    assert not (tmp_path / "out").exists()


def test_validate_a_built_graph_and_a_broken_one(
    docs: Path, tmp_path: Path, calls: list[str]
) -> None:
    result = build([docs / "c.txt"], tmp_path / "out")
    assert result.graph_ttl is not None
    report = validate(result.graph_ttl)
    assert (report.conforms, report.triples, report.violations) == (True, result.triples, ())
    broken = tmp_path / "broken.ttl"
    text = result.graph_ttl.read_text(encoding="utf-8")
    broken.write_text(text.replace('"市委"@zh', '"市委"'), encoding="utf-8")
    report = validate(broken)
    assert not report.conforms
    assert [(v.label, v.path, v.value) for v in report.violations] == [
        ("市委", "skos:prefLabel", "市委")
    ]


def test_validate_names_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"^E120 cannot read graph .*nothing\.ttl: "):
        validate(tmp_path / "nothing.ttl")


def test_a_build_pauses_the_garbage_collector_and_restores_it(
    docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def fake_extract(text: str, document: str = "<text>") -> Extraction:
        seen.append(gc.isenabled())
        return handmade(document)

    monkeypatch.setattr(api, "extract_text", fake_extract)
    assert gc.isenabled()
    build([docs / "c.txt"], tmp_path / "on")
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        build([docs / "c.txt"], tmp_path / "off", cache=False)
        assert not gc.isenabled()  # as the caller left it
    finally:
        gc.enable()

    def failing(*args: object, **kwargs: object) -> str:
        raise RuntimeError("page")

    monkeypatch.setattr(api, "render_html", failing)
    with pytest.raises(RuntimeError, match="page"):
        build([docs / "c.txt"], tmp_path / "failed")
    assert gc.isenabled()
