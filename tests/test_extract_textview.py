"""The matching view and text segmentation (extract/textview.py)."""

from __future__ import annotations

import pytest

from policykg.extract.textview import Span, clauses, make_view, paragraphs, sentences


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
