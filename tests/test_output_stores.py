"""Tests of output/stores.py: store folders written by build --store and opened read-only.

Builds use a handmade extraction (as in test_output_api.py), except one that builds the
seeds with the real rules and compares every named query on the store with graph.ttl.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from policykg.extract import Extraction
from policykg.graph import DEFAULT_BASE, QueryStore, build_graph, named_queries
from policykg.graph.paging import find_keys
from policykg.output import api, files, stores
from policykg.output.api import BuildResult, load_store, query
from policykg.output.errors import OutputError, UsageError
from policykg.output.stores import (
    STORE_KEYS,
    STORE_MARKER,
    StoreInfo,
    is_store,
    open_store,
    read_keys,
    read_marker,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
TEXT = "市委和省委强调，一要着力推动经济高质量发展，实施乡村振兴战略。"
LABELS = "SELECT ?label WHERE { ?e skos:prefLabel ?label } ORDER BY ?label"


def _mention(label: str) -> dict[str, Any]:
    start = TEXT.index(label)
    return {"start": start, "end": start + len(label), "text": label, "rule": "test"}


def handmade(name: str, labels: tuple[str, ...] = ("市委", "乡村振兴战略")) -> Extraction:
    """One Organization and one Strategy, as the fake rules extract them from TEXT."""
    types = ("Organization", "Strategy")
    entities = [
        {"id": f"e{i}", "type": kind, "label": label, "mentions": [_mention(label)]}
        for i, (kind, label) in enumerate(zip(types, labels, strict=True))
    ]
    return Extraction.from_json({"document": name, "entities": entities, "relations": []}, TEXT)


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction by ``handmade``; a document named b.txt names 省委 instead of 市委."""

    def fake(text: str, document: str = "<text>") -> Extraction:
        if document == "b.txt":
            return handmade(document, ("省委", "乡村振兴战略"))
        return handmade(document)

    monkeypatch.setattr(api, "extract_text", fake)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """docs/a.txt and other/b.txt, both holding TEXT; returns tmp_path."""
    for name in ("docs/a.txt", "other/b.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(TEXT, encoding="utf-8")
    return tmp_path


def build(paths: list[Path], out: Path, **options: Any) -> BuildResult:
    """``api.build`` without the extraction cache: the fake rules differ by document name,
    which the cache (keyed by content) does not see."""
    return api.build(paths, out, cache=False, **options)


def labels(store: Path) -> list[str | None]:
    return [row[0] for row in query(store, LABELS).rows]


def marker(path: Path) -> Any:
    return json.loads((path / STORE_MARKER).read_text("utf-8"))


# -- writing a store --------------------------------------------------------------------------


def test_build_writes_a_marked_store_that_query_opens(docs: Path, fake_rules: None) -> None:
    result = build([docs / "docs"], docs / "out", store=docs / "out" / "store")
    store = docs / "out" / "store"
    triples = len(build_graph([handmade("a.txt")]))
    assert result.store == store
    assert result.triples == triples
    assert marker(store) == {
        "format": "policykg-store",
        "version": 1,
        "triples": triples,
        "base": DEFAULT_BASE,
    }
    assert is_store(store) and not is_store(docs / "out")
    assert read_marker(store) == StoreInfo(store, 1, triples, DEFAULT_BASE)
    assert labels(store) == ["乡村振兴战略", "市委"]
    assert len(load_store(store)) == triples
    assert sorted(os.listdir(docs / "out")) == ["docs", "graph.html", "graph.ttl", "store"]
    assert oct(store.stat().st_mode & 0o777) != oct(0o700)  # not mkdtemp's mode


def test_store_rows_equal_the_turtle_rows_without_ttl_format(docs: Path, fake_rules: None) -> None:
    """Without the ttl format the store is loaded from N-Triples: the same rows."""
    build([docs / "docs"], docs / "out", formats=["graphml"], store=docs / "s")
    build([docs / "docs"], docs / "out2", store=docs / "s2")
    for named in named_queries().values():
        assert query(docs / "s", named.sparql) == query(docs / "s2", named.sparql)
    assert labels(docs / "s") == ["乡村振兴战略", "市委"]


def test_a_rebuild_replaces_the_store_and_leaves_nothing_beside_it(
    docs: Path, fake_rules: None
) -> None:
    store = docs / "store"
    build([docs / "docs"], docs / "out", store=store)
    build([docs / "other"], docs / "out", store=store)
    assert labels(store) == ["乡村振兴战略", "省委"]
    assert sorted(os.listdir(docs)) == ["docs", "other", "out", "store"]


def test_an_empty_folder_becomes_a_store(docs: Path, fake_rules: None) -> None:
    (docs / "empty").mkdir()
    build([docs / "docs"], docs / "out", store=docs / "empty")
    assert labels(docs / "empty") == ["乡村振兴战略", "市委"]


def _failing_write_store(path: str | os.PathLike[str], data: bytes | str, syntax: str) -> None:
    Path(path, "000001.sst").write_bytes(b"half")
    raise OSError(28, "No space left on device")


def test_a_failed_store_write_leaves_the_old_store_intact(
    docs: Path, fake_rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = docs / "store"
    build([docs / "docs"], docs / "out", store=store)
    before = sorted(os.listdir(store))
    ttl = (docs / "out" / "graph.ttl").read_bytes()
    monkeypatch.setattr(stores, "write_store", _failing_write_store)
    with pytest.raises(OutputError) as info:
        build([docs / "other"], docs / "out", store=store)
    assert str(info.value) == (
        f"E145 cannot write store {store}: No space left on device; check that its folder "
        "is writable"
    )
    assert labels(store) == ["乡村振兴战略", "市委"]
    assert sorted(os.listdir(store)) == before
    assert sorted(os.listdir(docs)) == ["docs", "other", "out", "store"]  # no temporary
    assert (docs / "out" / "graph.ttl").read_bytes() == ttl  # nor the other files


def test_an_interrupted_store_write_leaves_the_old_store_intact(
    docs: Path, fake_rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = docs / "store"
    build([docs / "docs"], docs / "out", store=store)

    def interrupted(path: str | os.PathLike[str], data: bytes | str, syntax: str) -> None:
        Path(path, "000001.sst").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(stores, "write_store", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build([docs / "other"], docs / "out", store=store)
    assert labels(store) == ["乡村振兴战略", "市委"]
    assert sorted(os.listdir(docs)) == ["docs", "other", "out", "store"]


def test_a_failed_file_write_keeps_the_old_store(
    docs: Path, fake_rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store is swapped in after the other files are written, never before."""
    store = docs / "store"
    build([docs / "docs"], docs / "out", store=store)

    def fail(self: object) -> None:
        raise OutputError("E111 cannot write out/graph.ttl: disk full")

    monkeypatch.setattr(files.AtomicFiles, "commit", fail)
    with pytest.raises(OutputError):
        build([docs / "other"], docs / "out", store=store)
    assert labels(store) == ["乡村振兴战略", "市委"]
    assert sorted(os.listdir(docs)) == ["docs", "other", "out", "store"]


def test_a_failed_swap_puts_the_old_store_back(
    docs: Path, fake_rules: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = docs / "store"
    build([docs / "docs"], docs / "out", store=store)
    real_rename = os.rename

    def rename(source: Path, target: Path) -> None:
        if Path(source).name.endswith(".tmp"):  # the new store's rename into place
            raise OSError(5, "Input/output error")
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OutputError) as info:
        build([docs / "other"], docs / "out", store=store)
    assert str(info.value) == (
        f"E145 cannot write store {store}: Input/output error; check that its folder is writable"
    )
    monkeypatch.setattr(os, "rename", real_rename)
    assert labels(store) == ["乡村振兴战略", "市委"]
    assert sorted(os.listdir(docs)) == ["docs", "other", "out", "store"]


# -- folders a build refuses ------------------------------------------------------------------


def test_a_folder_that_is_not_a_store_is_never_replaced(docs: Path, fake_rules: None) -> None:
    (docs / "mine").mkdir()
    (docs / "mine" / "notes.docx").write_bytes(b"mine")
    with pytest.raises(UsageError) as info:
        build([docs / "docs"], docs / "out", store=docs / "mine")
    assert str(info.value) == (
        f"E141 store folder {docs / 'mine'} exists and is not a policykg store (it has no "
        "policykg-store.json), so build will not replace it; give --store a new folder, an "
        "empty one or one written by policykg build --store"
    )
    assert os.listdir(docs / "mine") == ["notes.docx"]
    assert not (docs / "out").exists()  # refused before anything was written


@pytest.mark.parametrize(
    ("store", "message"),
    [
        ("docs", "is the input folder {docs}"),
        (".", "contains the input folder {docs}"),
        ("out", "is the output folder {out}"),
    ],
)
def test_a_store_may_not_replace_inputs_or_the_output(
    docs: Path, fake_rules: None, store: str, message: str
) -> None:
    """Marked as a store, so that the only reason to refuse is what lies inside it."""
    folder = docs / store
    folder.mkdir(exist_ok=True)
    (folder / STORE_MARKER).write_text("{}", encoding="utf-8")
    with pytest.raises(UsageError) as info:
        build([docs / "docs"], docs / "out", store=folder)
    where = message.format(docs=docs / "docs", out=docs / "out")
    assert str(info.value) == (
        f"E147 store folder {folder} {where}, which replacing the store would delete; "
        "give --store a folder of its own"
    )


def test_a_store_may_not_contain_an_input_document(docs: Path, fake_rules: None) -> None:
    (docs / "store").mkdir()
    (docs / "store" / STORE_MARKER).write_text("{}", encoding="utf-8")
    (docs / "store" / "c.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        build([docs / "store" / "c.txt"], docs / "out", store=docs / "store")
    assert str(info.value) == (
        f"E147 store folder {docs / 'store'} contains the input document "
        f"{docs / 'store' / 'c.txt'}, which replacing the store would delete; give --store a "
        "folder of its own"
    )


def test_a_store_that_is_a_file_is_refused(docs: Path, fake_rules: None) -> None:
    (docs / "store").write_text("", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        build([docs / "docs"], docs / "out", store=docs / "store")
    assert str(info.value) == (
        f"E146 store folder {docs / 'store'} is an existing file; give --store a folder"
    )


def test_a_store_locked_by_another_build_is_busy(docs: Path, fake_rules: None) -> None:
    store = docs / "store"
    build([docs / "docs"], docs / "out", store=store)
    with (store / STORE_MARKER).open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(OutputError) as info:
            build([docs / "other"], docs / "out", store=store)
    assert str(info.value) == (
        f"E143 store {store} is busy: another policykg build has it open to write; wait "
        "until it is done, or give --store another folder"
    )
    build([docs / "other"], docs / "out", store=store)  # free again
    assert labels(store) == ["乡村振兴战略", "省委"]


def test_a_store_open_to_write_in_another_program_is_busy(docs: Path, fake_rules: None) -> None:
    store = docs / "store"
    build([docs / "docs"], docs / "out", store=store)
    script = (
        "import sys, pyoxigraph\n"
        "store = pyoxigraph.Store(sys.argv[1])\n"
        "print('open', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        with pytest.raises(OutputError) as info:
            build([docs / "other"], docs / "out", store=store)
    finally:
        holder.communicate("", timeout=60)
    assert str(info.value) == (
        f"E143 store {store} is busy: another program has it open to write; wait until it "
        "is done, or give --store another folder"
    )
    assert labels(store) == ["乡村振兴战略", "市委"]


# -- opening a store --------------------------------------------------------------------------


def test_a_folder_without_marker_is_not_opened(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as info:
        load_store(tmp_path)
    assert str(info.value) == (
        f"E140 {tmp_path} is a folder but not a policykg store (it has no valid "
        "policykg-store.json); give a graph.ttl or a store folder written by policykg build "
        "--store"
    )


@pytest.mark.parametrize("text", ["", "[]", '{"format": "other"}', '{"format": "policykg-store'])
def test_a_bad_marker_is_not_a_store(tmp_path: Path, text: str) -> None:
    (tmp_path / STORE_MARKER).write_text(text, encoding="utf-8")
    with pytest.raises(OutputError, match=r"^E140 "):
        open_store(tmp_path)


def test_a_store_of_another_version_is_refused(docs: Path, fake_rules: None) -> None:
    store = docs / "store"
    build([docs / "docs"], docs / "out", store=store)
    data = marker(store)
    (store / STORE_MARKER).write_text(json.dumps({**data, "version": 2}), encoding="utf-8")
    with pytest.raises(OutputError) as info:
        query(store, "ASK {}")
    assert str(info.value) == (
        f"E142 store {store} has format version 2, this policykg reads version 1; build it "
        "again with policykg build --store"
    )


def test_a_marked_folder_without_oxigraph_files_cannot_be_opened(tmp_path: Path) -> None:
    info = {"format": "policykg-store", "version": 1, "triples": 0, "base": DEFAULT_BASE}
    (tmp_path / STORE_MARKER).write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(OutputError) as raised:
        load_store(tmp_path)
    message = str(raised.value)
    assert message.startswith(f"E144 cannot open store {tmp_path}: ")
    assert message.endswith("; build it again with policykg build --store")
    assert "\n" not in message


def test_several_processes_read_one_store_at_once(docs: Path, fake_rules: None) -> None:
    store = docs / "store"
    build([docs / "docs"], docs / "out", store=store)
    script = (
        "import sys\n"
        "from policykg.output.api import load_store\n"
        "store = load_store(sys.argv[1])\n"
        "print('open', flush=True)\n"
        "sys.stdin.readline()\n"
        f"print(','.join(row[0] or '' for row in store.query({LABELS!r}).rows))\n"
    )
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(store)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    held = open_store(store)[0]  # and this process holds it open too
    outputs = []
    for reader in readers:
        assert reader.stdout is not None and reader.stdout.readline() == "open\n"
    for reader in readers:
        outputs.append(reader.communicate("go\n", timeout=120)[0])
    assert outputs == ["乡村振兴战略,市委\n"] * 3
    assert [row[0] for row in held.query(LABELS).rows] == ["乡村振兴战略", "市委"]


# -- the seeds: every named query gives the rows of graph.ttl ---------------------------------


@pytest.fixture(scope="module")
def seeds_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeds") / "out"
    build([SEEDS], out, store=out / "store")
    return out


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_gives_the_turtle_rows_on_the_store(seeds_built: Path, name: str) -> None:
    sparql = named_queries()[name].sparql
    on_turtle = query(seeds_built / "graph.ttl", sparql)
    on_store = query(seeds_built / "store", sparql)
    assert on_store.rows  # every named query has rows on the seeds
    assert [tuple(None if v is None else v.key for v in row) for row in on_store.rows] == [  # type: ignore[attr-defined]
        tuple(None if v is None else v.key for v in row)  # type: ignore[attr-defined]
        for row in on_turtle.rows
    ]
    assert on_store.variables == on_turtle.variables


def test_the_seed_store_holds_the_turtle_triples(seeds_built: Path) -> None:
    turtle = QueryStore.from_turtle((seeds_built / "graph.ttl").read_bytes())
    store = pyoxigraph.Store.read_only(str(seeds_built / "store"))
    assert len(store) == len(turtle) == marker(seeds_built / "store")["triples"]
    assert list(store.named_graphs()) == []  # everything in the default graph


def test_the_seed_store_keeps_the_keys_of_the_named_queries(seeds_built: Path) -> None:
    store = seeds_built / "store"
    keyed = {name: q for name, q in named_queries().items() if q.keys}
    saved = json.loads((store / STORE_KEYS).read_text("utf-8"))
    assert sorted(saved["queries"]) == sorted(keyed)
    for named in keyed.values():
        found = find_keys(load_store(store), named)
        kept = read_keys(store, named)
        assert found is not None and kept is not None
        assert kept[0] == found[0]
        assert [v.key for v in kept[1]] == [v.key for v in found[1]]
    assert read_keys(store, named_queries()["deployers"]) is None  # no keys


def test_a_named_page_on_a_store_takes_its_keys(seeds_built: Path, tmp_path: Path) -> None:
    """The keys kept with the store are used while its named query has the same keys
    query; else they are found again."""
    store = tmp_path / "store"
    shutil.copytree(seeds_built / "store", store)
    first = api.query_named(seeds_built / "graph.ttl", "document-names", limit=3)
    assert api.query_named(store, "document-names", limit=3) == first
    saved = json.loads((store / STORE_KEYS).read_text("utf-8"))
    entry = saved["queries"]["document-names"]
    entry["values"] = entry["values"][1:]  # the first document's rows are left out
    (store / STORE_KEYS).write_text(json.dumps(saved), "utf-8")
    assert api.query_named(store, "document-names", limit=3).rows[0][0] == entry["values"][0]
    entry["keys"] = "SELECT ?document WHERE { ?d dcterms:identifier ?document }"
    (store / STORE_KEYS).write_text(json.dumps(saved), "utf-8")
    assert api.query_named(store, "document-names", limit=3) == first
    (store / STORE_KEYS).write_text("{", "utf-8")
    assert api.query_named(store, "document-names", limit=3) == first
    (store / STORE_KEYS).unlink()
    assert api.query_named(store, "document-names", limit=3) == first
