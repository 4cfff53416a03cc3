"""Tests for output/parts.py: each document's share of a build, made in workers and cached."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from policykg.extract import Extraction
from policykg.extract.pipeline import extract_text
from policykg.graph.build import GraphPlan
from policykg.graph.turtle import ntriples_part, turtle_part
from policykg.output import parallel, parts
from policykg.output.cache import ExtractionCache, summary
from policykg.output.docview import MarkedEntity, render_document
from policykg.output.html import document_contexts
from policykg.output.parallel import WorkerPool
from policykg.output.parts import (
    PARTS_FOLDER,
    PartOptions,
    RenderedPart,
    decode_part,
    encode_part,
    part_key,
    render_part,
    render_parts,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
OPTIONS = PartOptions(turtle=True, ntriples=True, own=True, graph_href="../graph.html")
KEYS = ["a" * 64, "b" * 64]


@pytest.fixture(scope="module")
def seeds() -> list[Extraction]:
    return [extract_text(path.read_text(encoding="utf-8"), path.name) for path in SEEDS]


def test_a_share_is_the_part_written(seeds: list[Extraction]) -> None:
    plan = GraphPlan(seeds)
    part = plan.document_part(0)
    share = render_part(plan, 0, OPTIONS)
    assert (share.name, share.iri, share.entities) == (part.name, part.iri, part.entities)
    assert share.assertions == part.assertions
    assert share.links == tuple(sorted(part.links))
    assert share.own == tuple(sorted(part.own)) and share.own_count == len(part.own)
    assert share.turtle == turtle_part(part.own).encode()
    assert share.ntriples == ntriples_part(part.own).encode()
    marked = {
        e: MarkedEntity(str(plan.node_of[e].type), plan.node_of[e].label) for e in part.entities
    }
    page = render_document(part.text, part.mentions, marked, "../graph.html")
    assert share.page == page.encode()
    assert share.contexts == tuple(document_contexts(part.text, part.mentions))
    assert share.text.text == "" and share.text.title == part.text.title
    lean = render_part(plan, 0, PartOptions(False, False, False, "../graph.html"))
    assert (lean.turtle, lean.ntriples, lean.own) == (b"", b"", ())
    assert lean.own_count == share.own_count and lean.page == share.page


def test_shares_come_in_document_order_the_same_whatever_the_jobs(
    seeds: list[Extraction],
) -> None:
    plan = GraphPlan(seeds)
    expected = [render_part(plan, i, OPTIONS) for i in plan.document_order()]
    assert [s.name for s in expected] == [p.name for p in SEEDS]
    assert list(render_parts(plan, KEYS, OPTIONS, jobs=1)) == expected
    assert list(render_parts(plan, KEYS, OPTIONS, jobs=2)) == expected


def test_a_plan_of_summaries_makes_its_shares_from_the_whole_extractions(
    seeds: list[Extraction],
) -> None:
    full, brief = GraphPlan(seeds), GraphPlan(map(summary, seeds))
    asked: list[int] = []

    def whole(index: int) -> Extraction:
        asked.append(index)
        return seeds[index]

    assert list(render_parts(brief, KEYS, OPTIONS, 1, None, whole)) == list(
        render_parts(full, KEYS, OPTIONS)
    )
    assert asked == [0, 1]


def _hold_seed(path: Path) -> int | None:
    parts.hold(extract_text(path.read_text(encoding="utf-8"), path.name))
    return parallel.worker_index()


def test_workers_make_the_shares_of_the_extractions_they_hold(
    seeds: list[Extraction],
) -> None:
    full, brief = GraphPlan(seeds), GraphPlan(map(summary, seeds))
    expected = list(render_parts(full, KEYS, OPTIONS))

    def never(index: int) -> Callable[[], Extraction]:
        raise AssertionError(f"document {index} was looked for outside its worker")

    with WorkerPool(2) as pool:
        # each worker extracts one seed and keeps it, as a build's extraction workers do
        assert list(pool.map(_hold_seed, SEEDS, [1, 0])) == [1, 0]
        made = render_parts(brief, KEYS, OPTIONS, pool=pool, holders={0: 1, 1: 0}, sources=never)
        assert list(made) == expected
        # a worker that does not hold a document is sent a way to read it again
        again = render_parts(brief, KEYS, OPTIONS, pool=pool, sources=lambda i: partial(seed, i))
        assert list(again) == expected


def test_the_shares_of_held_extractions_are_cached_under_their_keys(
    seeds: list[Extraction], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ExtractionCache(tmp_path / "cache")
    brief = GraphPlan(map(summary, seeds))
    expected = list(render_parts(GraphPlan(seeds), KEYS, OPTIONS))
    keys = {part_key(brief, i, KEYS[i], OPTIONS) for i in (0, 1)}
    used: set[str] = set()
    with WorkerPool(2) as pool:
        assert list(pool.map(_hold_seed, SEEDS, [1, 0])) == [1, 0]
        made = render_parts(
            brief, KEYS, OPTIONS, cache=cache, used=used, pool=pool, holders={0: 1, 1: 0}
        )
        assert list(made) == expected
    assert used == keys
    assert {p.stem for p in (cache.folder / PARTS_FOLDER).iterdir()} == keys

    def no_making(*args: object) -> RenderedPart:
        raise AssertionError("a cached share was made again")

    monkeypatch.setattr(parts, "render_part", no_making)
    assert list(render_parts(brief, KEYS, OPTIONS, 2, cache)) == expected


def seed(index: int) -> Extraction:
    path = SEEDS[index]
    return extract_text(path.read_text(encoding="utf-8"), path.name)


def test_shares_are_cached_and_read_back(
    seeds: list[Extraction], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ExtractionCache(tmp_path / "cache")
    plan = GraphPlan(seeds)
    first = list(render_parts(plan, KEYS, OPTIONS, 2, cache))
    entries = sorted(p.name for p in (cache.folder / PARTS_FOLDER).iterdir())
    assert entries == sorted(f"{part_key(plan, i, KEYS[i], OPTIONS)}.json" for i in (0, 1))

    def no_making(*args: object) -> RenderedPart:
        raise AssertionError("a cached share was made again")

    monkeypatch.setattr(parts, "render_part", no_making)
    assert list(render_parts(GraphPlan(seeds), KEYS, OPTIONS, 2, cache)) == first


def test_an_unusable_share_is_made_again_and_stored(
    seeds: list[Extraction], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ExtractionCache(tmp_path / "cache")
    plan = GraphPlan(seeds)
    first = list(render_parts(plan, KEYS, OPTIONS, 1, cache))
    entry = cache.folder / PARTS_FOLDER / f"{part_key(plan, 0, KEYS[0], OPTIONS)}.json"
    good = entry.read_bytes()
    entry.write_bytes(good[: len(good) // 2])
    with caplog.at_level(logging.INFO, logger="policykg.output.parts"):
        assert list(render_parts(plan, KEYS, OPTIONS, 1, cache)) == first
    assert entry.read_bytes() == good
    assert [r.getMessage().split(": ")[0] for r in caplog.records] == [
        f"ignoring the unusable cache entry {entry}"
    ]


def test_the_key_names_everything_a_share_depends_on(seeds: list[Extraction]) -> None:
    plan = GraphPlan(seeds)
    key = part_key(plan, 0, KEYS[0], OPTIONS)
    assert key == part_key(GraphPlan(list(reversed(seeds))), 0, KEYS[0], OPTIONS)
    assert len({key, part_key(plan, 1, KEYS[0], OPTIONS)}) == 2  # another document
    assert part_key(plan, 0, KEYS[1], OPTIONS) != key  # another extraction
    other = PartOptions(turtle=False, ntriples=True, own=True, graph_href="../graph.html")
    assert part_key(plan, 0, KEYS[0], other) != key
    based = GraphPlan(seeds, "https://example.org/kg/")
    assert part_key(based, 0, KEYS[0], OPTIONS) != key
    # another document that comes first in a merge changes the preferred labels: a new key
    alone = GraphPlan([seeds[1]])
    assert part_key(alone, 0, KEYS[1], OPTIONS) != part_key(plan, 1, KEYS[1], OPTIONS)


def test_an_entry_round_trip_is_lossless(seeds: list[Extraction]) -> None:
    share = render_part(GraphPlan(seeds), 1, OPTIONS)
    payload = encode_part("k" * 64, share)
    assert decode_part(payload, "k" * 64, share.name) == share
    head, _, rest = payload.partition(b"\n")
    blobs = [share.turtle, share.ntriples, share.page]
    assert json.loads(head)["sizes"] == [len(blob) for blob in blobs]
    assert rest == b"\n".join(blobs)  # the texts as they are, not escaped
    with pytest.raises(ValueError, match="not an entry of this key"):
        decode_part(payload, "j" * 64, share.name)
    for cut in (payload[:-1], payload + b"x"):
        with pytest.raises(ValueError, match="the entry is cut short or too long"):
            decode_part(cut, "k" * 64, share.name)
