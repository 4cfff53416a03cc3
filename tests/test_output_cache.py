"""Tests of output/cache.py: keys, lossless entries, atomic writes, unusable entries ignored."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from policykg.extract import Extraction, version
from policykg.extract.pipeline import extract_text
from policykg.graph import build_graph, exports
from policykg.graph.build import GraphPlan
from policykg.output.cache import (
    CACHE_FOLDER,
    ExtractionCache,
    cache_key,
    decode_entry,
    decode_summary,
    encode_entry,
    summary,
)
from policykg.output.errors import OutputError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
TEXT = "市委强调，一要着力推动经济高质量发展，实施乡村振兴战略。"
DATA = TEXT.encode("utf-8")


@pytest.fixture(scope="module")
def seeds() -> list[Extraction]:
    return [extract_text(path.read_text(encoding="utf-8"), path.name) for path in SEEDS]


@pytest.fixture
def fresh_fingerprint() -> Iterator[None]:
    version.pipeline_fingerprint.cache_clear()
    yield
    version.pipeline_fingerprint.cache_clear()


def test_the_cache_folder_is_hidden_so_never_read_as_documents() -> None:
    assert CACHE_FOLDER == ".policykg-cache"


def test_an_entry_round_trip_is_lossless_on_the_seeds(seeds: list[Extraction]) -> None:
    for fresh in seeds:
        key = cache_key(fresh.text.encode("utf-8"), "x.txt")
        cached = decode_entry(encode_entry(key, fresh), key, fresh.document)
        assert cached == fresh
        assert cached.metadata == fresh.metadata and list(cached.metadata) == list(fresh.metadata)
        for mine, theirs in zip(cached.entities, fresh.entities, strict=True):
            assert list(mine.attributes.items()) == list(theirs.attributes.items())
            assert list(mine.merged.items()) == list(theirs.merged.items())
            assert mine.rule == theirs.rule
    assert sum(len(e.mentions) for ext in seeds for e in ext.entities) > 500


def test_a_graph_of_cached_extractions_is_the_same_bytes(seeds: list[Extraction]) -> None:
    cached = []
    for fresh in seeds:
        key = cache_key(fresh.text.encode("utf-8"), "x.txt")
        cached.append(decode_entry(encode_entry(key, fresh), key, fresh.document))
    assert exports.to_turtle(build_graph(cached)) == exports.to_turtle(build_graph(seeds))


def test_an_entry_is_two_lines_of_compact_json_without_the_name(
    seeds: list[Extraction],
) -> None:
    key = "k" * 64
    payload = encode_entry(key, seeds[0])
    head, body = payload.split(b"\n")
    assert head.startswith(b'{"format":2,"key":"' + key.encode() + b'","summary":{')
    assert body.startswith(b'{"format":2,"key":"' + key.encode() + b'","text":"')
    assert b'": ' not in payload
    entry = json.loads(body)
    assert list(entry) == ["format", "key", "text", "extraction"]
    assert "document" not in entry["extraction"]
    assert "document" not in json.loads(head)["summary"]
    renamed = decode_entry(payload, key, "another name.txt")
    assert renamed.document == "another name.txt"
    assert decode_summary(payload, key, "another name.txt").document == "another name.txt"


def test_a_summary_holds_what_the_merge_needs(seeds: list[Extraction]) -> None:
    for fresh in seeds:
        key = cache_key(fresh.text.encode("utf-8"), "x.txt")
        short = decode_summary(encode_entry(key, fresh), key, fresh.document)
        assert short == summary(fresh)
        assert (short.text, short.relations, short.metadata) == ("", [], fresh.metadata)
        assert [e.id for e in short.entities] == [e.id for e in fresh.entities]
        for mine, theirs in zip(short.entities, fresh.entities, strict=True):
            assert (mine.type, mine.label, mine.aliases) == (
                theirs.type,
                theirs.label,
                theirs.aliases,
            )
            assert (mine.attributes, mine.merged) == (theirs.attributes, theirs.merged)
            starts = [m.start for m in theirs.mentions if m.start >= 0]
            assert [m.start for m in mine.mentions] == [min(starts)] if starts else []
    # the merge of summaries is the merge of the extractions: same nodes, same IRIs
    plan, full = GraphPlan(map(summary, seeds)), GraphPlan(seeds)
    assert plan.nodes == full.nodes and plan.iri_of == full.iri_of
    for index in range(len(seeds)):
        assert plan.document_part(index, seeds[index]) == full.document_part(index)
        assert plan.part_context(index) == full.part_context(index)


def test_the_key_depends_on_bytes_format_and_encoding_not_on_the_name() -> None:
    key = cache_key(DATA, "a.txt")
    assert len(key) == 64 and int(key, 16) >= 0
    assert cache_key(DATA, "folder/other name.TXT") == key
    assert cache_key(DATA + b"\n", "a.txt") != key
    assert cache_key(DATA, "a.md") != key  # the same bytes read as Markdown
    assert cache_key(DATA, "a.txt", "utf-8") != key
    assert cache_key(DATA, "a.txt", "UTF8") == cache_key(DATA, "a.txt", "utf-8")


def test_the_key_changes_with_the_pipeline_version(
    monkeypatch: pytest.MonkeyPatch, fresh_fingerprint: None
) -> None:
    before = cache_key(DATA, "a.txt")
    monkeypatch.setattr(version, "PIPELINE_VERSION", "0.1.1")
    version.pipeline_fingerprint.cache_clear()
    assert cache_key(DATA, "a.txt") != before


def test_the_key_changes_with_the_rule_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_fingerprint: None
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for path in version.DATA_FOLDER.iterdir():
        (data / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(version, "DATA_FOLDER", data)
    version.pipeline_fingerprint.cache_clear()
    same = cache_key(DATA, "a.txt")
    with (data / "lexicon.yaml").open("ab") as handle:
        handle.write(b"\n# one more line\n")
    version.pipeline_fingerprint.cache_clear()
    changed = cache_key(DATA, "a.txt")
    monkeypatch.undo()
    version.pipeline_fingerprint.cache_clear()
    assert same == cache_key(DATA, "a.txt") != changed


def test_store_writes_one_whole_entry_and_load_gives_it_back(
    tmp_path: Path, seeds: list[Extraction]
) -> None:
    cache = ExtractionCache(tmp_path / "new" / "cache")  # made on the first write
    key = cache_key(DATA, "a.txt")
    assert cache.load(key, "a.txt") is None
    payload = cache.store(key, seeds[0])
    assert [p.name for p in cache.folder.iterdir()] == [f"{key}.json"]
    assert cache.entry(key).read_bytes() == payload
    assert cache.load(key, "b.txt") == Extraction(
        "b.txt", seeds[0].text, seeds[0].entities, seeds[0].relations, seeds[0].metadata
    )


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{",
        b"\xff\xfe not UTF-8",
        b"[]",
        b'{"format": 1}',
        b'{"format": 2, "key": "KEY", "text": "", "extraction": {}}',
        b'{"format": 1, "key": "another", "text": "", "extraction": {}}',
        b'{"format": 1, "key": "KEY", "text": 5, "extraction": {}}',
        b'{"format": 1, "key": "KEY", "text": "", "extraction": {"entities": 3}}',
        b'{"format": 1, "key": "KEY", "text": "", "extraction": {"entities": [{"id": 1}]}}',
    ],
)
def test_an_unusable_entry_is_ignored(
    tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ExtractionCache(tmp_path)
    key = cache_key(DATA, "a.txt")
    cache.entry(key).write_bytes(damage.replace(b"KEY", key.encode()))
    with caplog.at_level(logging.INFO, logger="policykg.output.cache"):
        assert cache.load(key, "a.txt") is None
    assert [r.getMessage().split(": ")[0] for r in caplog.records] == [
        f"ignoring the unusable cache entry {cache.entry(key)}"
    ]


def test_an_entry_whose_offsets_do_not_fit_its_text_is_ignored(
    tmp_path: Path, seeds: list[Extraction]
) -> None:
    cache = ExtractionCache(tmp_path)
    key = cache_key(DATA, "a.txt")
    head, body = encode_entry(key, seeds[0]).split(b"\n")
    entry = json.loads(body)
    entry["text"] = "x" + entry["text"]  # every offset one character off
    cache.entry(key).write_bytes(head + b"\n" + json.dumps(entry, ensure_ascii=False).encode())
    assert cache.load(key, "a.txt") is None


def test_a_cache_that_cannot_be_written_is_only_logged(
    tmp_path: Path, seeds: list[Extraction], caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = ExtractionCache(blocker / "cache")
    key = cache_key(DATA, "a.txt")
    with caplog.at_level(logging.WARNING, logger="policykg.output.cache"):
        payload = cache.store(key, seeds[0])
    assert payload == encode_entry(key, seeds[0])
    assert [r.getMessage().split(": ")[0] for r in caplog.records] == [
        f"cannot write the cache entry {cache.entry(key)}"
    ]
    assert cache.load(key, "a.txt") is None


def test_create_names_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        ExtractionCache(blocker).create()
    assert str(info.value) == (
        f"E150 cannot use {blocker} as the extraction cache: File exists; give another folder "
        "with --cache, or --no-cache"
    )
    made = ExtractionCache(tmp_path / "a" / "b").create()
    assert made.folder.is_dir() and list(made.folder.iterdir()) == []


def test_prune_removes_only_unused_entries_and_shares(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "c").create()
    used, unused = "a" * 64, "b" * 64
    (cache.folder / "parts").mkdir()
    names = [
        f"{used}.json",
        f"{unused}.json",
        f".{unused}.json.x.tmp",  # a temporary file: not an entry's name
        "README.json",
        f"parts/{used}.json",
        f"parts/{unused}.json",
    ]
    for name in names:
        (cache.folder / name).write_bytes(b"x")
    assert cache.prune({used}, {used}, "parts") == 2
    left = sorted(str(p.relative_to(cache.folder)) for p in cache.folder.rglob("*") if p.is_file())
    assert left == sorted(
        [f"{used}.json", f".{unused}.json.x.tmp", "README.json", f"parts/{used}.json"]
    )
    assert ExtractionCache(tmp_path / "none").prune(set(), set(), "parts") == 0
