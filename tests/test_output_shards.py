"""``build --shards``: one N-Triples file per document, whose union is the graph."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from policykg.extract import Extraction
from policykg.graph import build_graph
from policykg.graph.iris import document_key
from policykg.graph.turtle import part_of_triple
from policykg.output import api
from policykg.output.api import build
from policykg.output.errors import OutputError, UsageError
from policykg.output.shards import MANIFEST

NAMES = ("a/report.txt", "b/report.txt", "c.txt")
TEXT = "市委强调，实施乡村振兴战略。"


def handmade(name: str) -> Extraction:
    """What the fake rules extract from ``TEXT``: 2 entities, 1 relation."""

    def mention(label: str) -> dict[str, Any]:
        start = TEXT.index(label)
        return {"start": start, "end": start + len(label), "text": label, "rule": "test"}

    entities = [
        {"id": "e1", "type": "Organization", "label": "市委", "mentions": [mention("市委")]},
        {
            "id": "e2",
            "type": "Strategy",
            "label": "乡村振兴战略",
            "mentions": [mention("乡村振兴战略")],
        },
    ]
    relation = {"head": "e1", "type": "deploys", "tail": "e2", "evidence": TEXT, "rule": "r"}
    data = {"document": name, "entities": entities, "relations": [relation]}
    return Extraction.from_json(data, TEXT)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the extraction rules by ``handmade``; the list records the names extracted."""
    seen: list[str] = []

    def fake_extract(text: str, document: str = "<text>") -> Extraction:
        seen.append(document)
        return handmade(document)

    monkeypatch.setattr(api, "extract_text", fake_extract)
    return seen


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """docs/a/report.txt, docs/b/report.txt, docs/c.txt, all holding TEXT."""
    for name in NAMES:
        path = tmp_path / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEXT, encoding="utf-8")
    return tmp_path / "docs"


def shard_name(name: str) -> str:
    return f"{document_key(name)}.nt"


def test_one_shard_per_document_and_their_union_is_the_graph(
    docs: Path,
    tmp_path: Path,
    calls: list[str],
) -> None:
    shards = tmp_path / "shards"
    result = build([docs], tmp_path / "out", formats=["nt"], shards=shards)
    files = sorted(shard_name(name) for name in NAMES)
    assert sorted(os.listdir(shards)) == sorted([*files, MANIFEST])
    manifest = json.loads((shards / MANIFEST).read_text("utf-8"))
    assert manifest == {"documents": {name: shard_name(name) for name in NAMES}}
    union = Graph()
    for name in files:
        text = (shards / name).read_text("utf-8")
        keys = [(part_of_triple(_triple(line)), line) for line in text.splitlines()]
        assert keys == sorted(keys)
        part = Graph().parse(data=text, format="nt")
        assert len(part) == len(text.splitlines())
        union += part
    expected = build_graph([handmade(name) for name in NAMES])
    assert isomorphic(union, expected.rdf)
    assert len(union) == result.triples == len(expected)
    # a shard stands alone: the entities it mentions have their class and label in it
    (one,) = [Graph().parse(shards / shard_name("c.txt"), format="nt")]
    assert len(set(one.subjects())) == len(set(one.subjects()) & set(expected.rdf.subjects()))
    assert (shards / shard_name("c.txt")).read_text("utf-8").count("prefLabel") == 2


def test_a_later_build_removes_the_shards_of_documents_no_longer_built(
    docs: Path,
    tmp_path: Path,
    calls: list[str],
) -> None:
    shards = tmp_path / "shards"
    build([docs], tmp_path / "out", shards=shards)
    build([docs / "c.txt"], tmp_path / "out", shards=shards)
    assert sorted(os.listdir(shards)) == sorted([shard_name("c.txt"), MANIFEST])


def test_a_folder_of_other_files_is_refused_before_extraction(
    docs: Path,
    tmp_path: Path,
    calls: list[str],
) -> None:
    shards = tmp_path / "mine"
    shards.mkdir()
    (shards / "notes.nt").write_text("keep me", "utf-8")
    with pytest.raises(UsageError) as caught:
        build([docs], tmp_path / "out", shards=shards)
    assert str(caught.value) == (
        f"E115 shard folder {shards} holds files that policykg did not write (it has no "
        "shards.json); give a new or empty folder to --shards"
    )
    assert calls == [] and (shards / "notes.nt").read_text("utf-8") == "keep me"
    assert not (tmp_path / "out").exists()


def test_a_file_is_refused(docs: Path, tmp_path: Path, calls: list[str]) -> None:
    target = tmp_path / "shards.nt"
    target.write_text("", "utf-8")
    with pytest.raises(OutputError, match=r"^E110 output folder .*shards.nt is an existing file"):
        build([docs], tmp_path / "out", shards=target)


def _triple(line: str) -> tuple[str, str, str]:
    """The terms of an N-Triples line."""
    subject, predicate, obj = line.removesuffix(" .").split(" ", 2)
    return subject, predicate, obj
