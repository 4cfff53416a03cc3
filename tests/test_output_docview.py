"""Tests of output/docview.py: the displaCy-style page of one document."""

from __future__ import annotations

import html
import re

import pytest

from policykg.graph import DocumentText, MentionSpan
from policykg.output.docview import (
    CSP,
    MarkedEntity,
    document_page_path,
    mention_anchor,
    render_document,
)
from policykg.output.palette import TYPE_COLORS

TEXT = "市委要求实施乡村振兴战略。"
DOC = DocumentText("urn:doc", "d.txt", "测试文件", TEXT)
ENTITIES = {
    "urn:org": MarkedEntity("Organization", "市委"),
    "urn:task": MarkedEntity("Task", "要求实施乡村振兴战略"),
    "urn:strategy": MarkedEntity("Strategy", "乡村振兴战略"),
    "urn:problem": MarkedEntity("Problem", "战略。"),
}
ORG = MentionSpan("urn:org", "d.txt", 0, 2, "市委", "r")
TASK = MentionSpan("urn:task", "d.txt", 2, 12, "要求实施乡村振兴战略", "r")
STRATEGY = MentionSpan("urn:strategy", "d.txt", 6, 12, "乡村振兴战略", "r")
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(2)">x</a>',
    "{{7*7}}",
    '"\' onmouseover=alert(3) x="',
]


def _mark(anchor: str | None, type_: str, tip: str) -> str:
    colour = TYPE_COLORS[type_]
    id_attr = f' id="{anchor}"' if anchor else ""
    return (
        f'<mark class="entity"{id_attr} data-type="{type_}" style="background: {colour}33; '
        f'border-bottom: 2px solid {colour}" title="{tip}">'
    )


def _label(type_: str, href: str | None = None) -> str:
    name = type_ if href is None else f'<a href="{href}">{type_}</a>'
    return f'<span class="entity-label" style="color: {TYPE_COLORS[type_]}">{name}</span>'


def _body(page: str) -> str:
    start = page.index('<div class="entities" style="line-height: 2.5; direction: ltr">')
    return page[page.index(">", start) + 1 : page.index("</div>\n</body>")]


def test_marks_nest_in_displacy_markup() -> None:
    page = render_document(DOC, [STRATEGY, TASK, ORG], ENTITIES)
    assert _body(page) == (
        _mark("m0-2", "Organization", "市委 · Organization 部门/机构")
        + "市委"
        + _label("Organization")
        + "</mark>"
        + _mark("m2-12", "Task", "要求实施乡村振兴战略 · Task 任务/部署")
        + "要求实施"
        + _mark("m6-12", "Strategy", "乡村振兴战略 · Strategy 战略")
        + "乡村振兴战略"
        + _label("Strategy")
        + "</mark>"
        + _label("Task")
        + "</mark>。"
    )


def test_crossing_span_is_split_with_its_label_on_the_last_piece() -> None:
    problem = MentionSpan("urn:problem", "d.txt", 10, 13, "战略。", "r")
    body = _body(render_document(DOC, [TASK, problem], ENTITIES))
    tip = "战略。 · Problem 问题"
    assert body == (
        "市委"
        + _mark("m2-12", "Task", "要求实施乡村振兴战略 · Task 任务/部署")
        + "要求实施乡村振兴"
        + _mark("m10-13", "Problem", tip)
        + "战略</mark>"
        + _label("Task")
        + "</mark>"
        + _mark(None, "Problem", tip)
        + "。"
        + _label("Problem")
        + "</mark>"
    )


def test_text_between_marks_is_kept_exactly() -> None:
    page = render_document(DOC, [ORG, TASK, STRATEGY], ENTITIES)
    plain = re.sub(r'<span class="entity-label"[^>]*>.*?</span>', "", _body(page))
    assert html.unescape(re.sub(r"<[^>]+>", "", plain)) == TEXT


def test_labels_link_to_the_graph_page() -> None:
    page = render_document(DOC, [ORG], ENTITIES, graph_href="../graph.html")
    assert _label("Organization", "../graph.html#urn%3Aorg") in page
    assert '<a href="../graph.html">返回图谱 back to the graph</a>' in page


def test_heading_counts_and_legend() -> None:
    page = render_document(DOC, [ORG, TASK, STRATEGY], ENTITIES)
    assert "<title>测试文件</title>" in page
    assert "<h1>测试文件</h1>" in page
    assert '<p class="pkg-doc-meta">d.txt · 13 字 characters · 3 处标注 mentions</p>' in page
    legend = page[page.index('<p class="pkg-doc-legend">') :]
    legend = legend[: legend.index("</p>")]
    assert re.findall(r">(\w+) [^<]*</mark> \((\d+)\)", legend) == [
        ("Organization", "1"),
        ("Strategy", "1"),
        ("Task", "1"),
    ]


@pytest.mark.parametrize(
    "mention",
    [
        MentionSpan("urn:org", "other.txt", 0, 2, "市委", "r"),  # another document
        MentionSpan("urn:unknown", "d.txt", 0, 2, "市委", "r"),  # an entity not given
        MentionSpan("urn:org", "d.txt", 10, 99, "", "r"),  # beyond the text
        MentionSpan("urn:org", "d.txt", 2, 2, "", "r"),  # empty
        MentionSpan("urn:org", "d.txt", 2, 4, "市委", "r"),  # offsets into another text
    ],
)
def test_mentions_that_do_not_fit_are_left_out(mention: MentionSpan) -> None:
    page = render_document(DOC, [mention], ENTITIES)
    assert "<mark" not in _body(page)
    assert "0 处标注 mentions" in page


def test_no_script_and_a_policy_that_forbids_one() -> None:
    page = render_document(DOC, [ORG], ENTITIES)
    assert "<script" not in page
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert "default-src 'none'" in CSP and "script-src" not in CSP
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">')


def test_hostile_text_is_escaped_everywhere() -> None:
    text = "。".join(PAYLOADS)
    doc = DocumentText("urn:doc", PAYLOADS[1] + ".txt", PAYLOADS[0], text)
    start = text.index(PAYLOADS[2])
    mention = MentionSpan("urn:x", doc.name, start, start + len(PAYLOADS[2]), PAYLOADS[2], "r")
    entities = {"urn:x": MarkedEntity("Policy", PAYLOADS[4] + PAYLOADS[0])}
    page = render_document(doc, [mention], entities, graph_href="../graph.html")
    for live in ("<script", "<img", '<a href="javascript', "\"' onmouseover", '" onmouseover'):
        assert live not in page, live
    assert "&quot;&#x27; onmouseover=alert(3)" in page  # the quotes stay text
    assert page.count("<a ") == 2  # the two links the page makes itself
    assert "javascript:" not in re.findall(r'<a href="([^"]*)"', page)[0]
    assert f"<title>{html.escape(PAYLOADS[0])}</title>" in page
    assert html.escape(text[: start - 1]) in page
    assert "{{7*7}}" in page and "49" not in page
    assert f'title="{html.escape(PAYLOADS[4] + PAYLOADS[0])} · Policy 政策/举措"' in page


def test_byte_identical_whatever_the_order() -> None:
    one = render_document(DOC, [ORG, TASK, STRATEGY], ENTITIES)
    assert render_document(DOC, [STRATEGY, ORG, TASK], ENTITIES) == one


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("000_e07ead4074b87c09.txt", "docs/000_e07ead4074b87c09.html"),
        ("海拉尔区报告.txt", "docs/海拉尔区报告.html"),
        ("report.TXT", "docs/report.html"),
        ("a/report.txt", "docs/a_report-5f61886c.html"),
        ("<script>.txt", "docs/script-b558ef0f.html"),
        ("..", "docs/document-9d891e73.html"),
    ],
)
def test_document_page_path(name: str, path: str) -> None:
    assert document_page_path(name) == path


def test_document_page_paths_of_lookalike_names_differ() -> None:
    assert document_page_path("a/b.txt") != document_page_path("a_b.txt")
    assert document_page_path("a b.txt") != document_page_path("a/b.txt")


def test_mention_anchor() -> None:
    assert mention_anchor(3, 15) == "m3-15"
