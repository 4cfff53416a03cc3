"""The matching view and text segmentation (extract/textview.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.extract.textview import (
    Span,
    SpanSet,
    clauses,
    make_view,
    owner_at,
    owner_index,
    paragraphs,
    sentences,
    strip_span,
)

SEEDS = Path(__file__).parent.parent / "seeds"


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("向间志们表示感谢", "向同志们表示感谢"),  # OCR 间/同 before 志
        ("坚定对标党中夹精神", "坚定对标党中央精神"),  # OCR 夹/央
        ("不间程度存在偏差", "不同程度存在偏差"),
        ("开局就发力的千劲", "开局就发力的干劲"),  # OCR 千/干
        ("认真部暑", "认真部署"),
        ("时间和空间", "时间和空间"),  # real 间 stays
        ("增长８．０％", "增长8.0%"),  # full-width digits fold
        ("当前﹐疫情", "当前，疫情"),
        ("（一）", "（一）"),  # Chinese brackets stay Chinese
        ("關於統籌疫情防控", "关于统筹疫情防控"),  # traditional characters fold to simplified
        ("為人民服務，裡外一致", "为人民服务，里外一致"),  # Taiwan forms too (為, 裡)
        ("黨中夾", "党中央"),  # then the OCR folds, written in simplified characters
        ("显著成绩，著名", "显著成绩，著名"),  # 著 is a simplified character too: kept
    ],
)
def test_make_view(text: str, view: str) -> None:
    assert make_view(text) == view
    assert len(make_view(text)) == len(text)


def test_paragraphs_handle_crlf_and_blank_lines() -> None:
    text = "  一、总体要求\r\n\r\n内容。\n"
    assert [text[p.start : p.end] for p in paragraphs(text)] == ["一、总体要求", "内容。"]


def test_sentences_keep_closing_quotes() -> None:
    text = "他强调，“要实干。”我们照办。还有"
    assert [text[s.start : s.end] for s in sentences(text, Span(0, len(text)))] == [
        "他强调，“要实干。”",
        "我们照办。",
        "还有",
    ]


def test_clauses_do_not_split_inside_quotes() -> None:
    text = "严格落实“外防输入，内防反弹”要求，守住底线。"
    assert [text[c.start : c.end] for c in clauses(text, Span(0, len(text)))] == [
        "严格落实“外防输入，内防反弹”要求",
        "守住底线",
    ]


def test_unbalanced_quote_is_ignored_after_a_while() -> None:
    text = "“" + "长" * 50 + "，短句。"
    assert len(list(clauses(text, Span(0, len(text))))) == 2


def test_the_simplified_seeds_are_unchanged_by_the_traditional_fold() -> None:
    from policykg.extract.resources import traditional_folds

    for seed in SEEDS.glob("*.txt"):
        text = seed.read_text(encoding="utf-8")
        assert text.translate(traditional_folds()) == text, seed.name


def test_the_view_of_traditional_text_is_the_view_of_simplified_text() -> None:
    data = Path(__file__).parent / "data"
    simplified = (SEEDS / "000_e07ead4074b87c09.txt").read_text(encoding="utf-8")
    traditional = (data / "speech_traditional.txt").read_text(encoding="utf-8")
    assert traditional != simplified
    differ = {
        (s, t) for s, t in zip(make_view(simplified), make_view(traditional), strict=True) if s != t
    }
    # 著 (traditional for 着) is a simplified character too (显著): the view keeps it
    assert differ == {("着", "著")}


# -- SpanSet and owner_index: the same answers as the linear scans they replace ------------------

spans = st.builds(lambda a, b: Span(min(a, b), max(a, b)), st.integers(0, 40), st.integers(0, 40))


@settings(max_examples=300, deadline=None)
@given(st.lists(spans, max_size=12), st.lists(spans, min_size=1, max_size=6))
def test_span_set_answers_as_any_overlaps(held: list[Span], queries: list[Span]) -> None:
    found = SpanSet(held[: len(held) // 2])
    for span in held[len(held) // 2 :]:
        found.add(span)
    for query in queries:
        assert found.overlaps(query) == any(h.overlaps(query) for h in held), (held, query)


@settings(max_examples=300, deadline=None)
@given(st.lists(spans, max_size=10))
def test_owner_index_gives_the_last_span_holding_each_position(held: list[Span]) -> None:
    owners = owner_index(enumerate(held))
    for pos in range(-1, 45):
        holding = [i for i, span in enumerate(held) if span.start <= pos < span.end]
        assert owner_at(owners, pos) == (holding[-1] if holding else -1)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=" \t\n\u3000，；：,;:。！？ab中", max_size=30),
    st.sampled_from(["，,；;。！？", "；;。", "，,；;。！？：:", "，；：,;:。！？!?"]),
)
def test_clauses_without_quotes_split_at_every_end(text: str, ends: str) -> None:
    strip = " \t\u3000\r\n，；：,;:。！？!?"
    expected = []
    start = 0
    for i, ch in enumerate(text + ends[0]):
        if ch in ends:
            piece = strip_span(text, start, i, strip)
            if len(piece):
                expected.append(piece)
            start = i + 1
    assert list(clauses(text, Span(0, len(text)), ends)) == expected
