"""Tests of output/html.py: the offline pyvis page of the graph."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from policykg.extract import extract_text
from policykg.extract.schema import EntityType, RelationType
from policykg.graph import DocumentText, MentionSpan
from policykg.graph import build_graph as build_graph_of
from policykg.graph.build import GraphPlan
from policykg.graph.view import GraphView, ViewCollector
from policykg.output import html as html_view
from policykg.output.errors import UsageError
from policykg.output.html import (
    DOCUMENT_TYPE,
    EDGE_COLORS,
    LABEL_MAX_CHARS,
    RELATION_NAMES_ZH,
    TYPE_COLORS,
    TYPE_NAMES_ZH,
    render_html,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DOC = "urn:policykg:doc/000"
ORG = "urn:policykg:entity/org"
TASK = "urn:policykg:entity/task"
HOSTILE_NODE = "urn:policykg:entity/hostile"

#: Hostile strings from documents (SCHEMA.md text may carry anything) and what must never
#: appear in the page as written.
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "href=javascript:alert(1)",
    "</script><script>alert(2)</script>",
    "{{7*7}}",
    '"\' onmouseover=alert(3) <a href="javascript:alert(4)">x</a>',
]
HOSTILE = " ".join(PAYLOADS)
FORBIDDEN = [
    "<img src=x",
    "<script>alert",
    "</script><script>alert(2)",
    "onerror=alert(1)>",
    '<a href="javascript',
    'href=javascript:alert(1)"',
]

#: The legend entries the brief asks for: (type, Chinese name).
LEGEND = [
    ("Organization", "部门/机构"),
    ("Person", "领导/人物"),
    ("Strategy", "战略"),
    ("Policy", "政策/举措"),
    ("Principle", "指导思想/精神"),
    ("Problem", "问题"),
    ("Task", "任务/部署"),
    ("Target", "目标/指标"),
    ("Event", "会议/事件"),
    ("Document", "文档"),
]

LONG_LABEL = "习近平总书记关于统筹疫情防控和经济社会发展重要论述"


def _entity(graph: nx.MultiDiGraph, iri: str, type_: str, label: str, **extra: Any) -> None:
    graph.add_node(
        iri,
        kind="entity",
        type=type_,
        label=label,
        aliases=extra.get("aliases", []),
        documents=extra.get("documents", ["000.txt"]),
    )


def _relation(
    graph: nx.MultiDiGraph, head: str, tail: str, key: str, type_: str, evidence: str
) -> None:
    graph.add_edge(
        head, tail, key=key, type=type_, evidence=evidence, rule="r1", document="000.txt"
    )


def build_graph(reverse: bool = False) -> nx.MultiDiGraph:
    """A small graph: one node per entity type, a document, 2 parallel edges, hostile text.

    ``reverse`` adds the same nodes and edges in the opposite order.
    """
    nodes: list[tuple[str, str, str, dict[str, Any]]] = [
        (DOC, DOCUMENT_TYPE, "000.txt", {}),
        (ORG, "Organization", "市委", {"aliases": ["中共XX市委"]}),
        (TASK, "Task", "慎终如始抓好疫情防控", {}),
        ("urn:policykg:entity/person", "Person", "习近平总书记", {}),
        ("urn:policykg:entity/strategy", "Strategy", "乡村振兴战略", {}),
        ("urn:policykg:entity/policy", "Policy", "中央八项规定精神", {}),
        ("urn:policykg:entity/principle", "Principle", LONG_LABEL, {}),
        ("urn:policykg:entity/problem", "Problem", "形式主义、官僚主义仍然较为突出", {}),
        ("urn:policykg:entity/target", "Target", "全年经济增长8.0%以上", {}),
        ("urn:policykg:entity/event", "Event", "市委经济工作会", {}),
        (
            HOSTILE_NODE,
            "Problem",
            HOSTILE,
            {"aliases": PAYLOADS, "documents": ["<script>alert(1)</script>.txt"]},
        ),
    ]
    edges = [
        (ORG, TASK, "k1", "deploys", "一要慎终如始抓好疫情防控。"),
        (ORG, TASK, "k2", "deploys", HOSTILE),
        (TASK, ORG, "k3", "involves", "反向的边。"),
        (HOSTILE_NODE, ORG, "k4", "concerns", HOSTILE),
        (ORG, DOC, "m1", "mentionedIn", "市委"),
        (TASK, DOC, "m2", "mentionedIn", "一要慎终如始抓好疫情防控。"),
        (HOSTILE_NODE, DOC, "m3", "mentionedIn", HOSTILE),
    ]
    if reverse:
        nodes.reverse()
        edges.reverse()
    graph = nx.MultiDiGraph()
    for iri, type_, label, extra in nodes:
        if type_ == DOCUMENT_TYPE:
            graph.add_node(
                iri, kind="document", type=type_, label=label, aliases=[], documents=[label]
            )
        else:
            _entity(graph, iri, type_, label, **extra)
    for head, tail, key, type_, evidence in edges:
        _relation(graph, head, tail, key, type_, evidence)
    return graph


def _dataset(page: str, name: str) -> list[dict[str, Any]]:
    """The JSON array passed to ``<name> = new vis.DataSet(...)`` in the page."""
    marker = f"{name} = new vis.DataSet("
    assert page.count(marker) == 1
    start = page.index(marker) + len(marker)
    value, _ = json.JSONDecoder().raw_decode(page, start)
    assert isinstance(value, list)
    return value


def _json_blocks(page: str) -> Iterator[str]:
    """The raw JSON text of both data sets, as it stands in the page."""
    for name in ("nodes", "edges"):
        marker = f"{name} = new vis.DataSet("
        start = page.index(marker) + len(marker)
        _, end = json.JSONDecoder().raw_decode(page, start)
        yield page[start:end]


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return build_graph()


@pytest.fixture(scope="module")
def page(graph: nx.MultiDiGraph) -> str:
    return render_html(graph, title="政策知识图谱 policykg")


@pytest.fixture(scope="module")
def vis_nodes(page: str) -> dict[str, dict[str, Any]]:
    return {node["id"]: node for node in _dataset(page, "nodes")}


@pytest.fixture(scope="module")
def vis_edges(page: str) -> list[dict[str, Any]]:
    return _dataset(page, "edges")


# --- structure ------------------------------------------------------------------------------


def test_one_vis_node_per_graph_node(graph: nx.MultiDiGraph, page: str) -> None:
    nodes = _dataset(page, "nodes")
    assert len(nodes) == graph.number_of_nodes() == 11
    assert sorted(node["id"] for node in nodes) == sorted(graph.nodes)


def test_one_vis_edge_per_graph_edge_parallel_kept(
    graph: nx.MultiDiGraph, vis_edges: list[dict[str, Any]]
) -> None:
    assert len(vis_edges) == graph.number_of_edges() == 7
    ids = [edge["id"] for edge in vis_edges]
    assert len(set(ids)) == len(ids)
    assert [edge["id"] for edge in vis_edges] == [f"e{i}" for i in range(7)]
    parallel = [e for e in vis_edges if (e["from"], e["to"]) == (ORG, TASK)]
    assert len(parallel) == 2
    assert {e["relation"] for e in parallel} == {"deploys"}
    assert sorted((e["from"], e["to"], e["relation"]) for e in vis_edges) == sorted(
        (u, v, d["type"]) for u, v, d in graph.edges(data=True)
    )


def test_parallel_and_reverse_edges_are_drawn_apart(vis_edges: list[dict[str, Any]]) -> None:
    between = [e for e in vis_edges if {e["from"], e["to"]} == {ORG, TASK}]
    assert len(between) == 3
    assert "smooth" not in between[0]
    assert [e["smooth"]["type"] for e in between[1:]] == ["curvedCW", "curvedCCW"]
    assert all(e["smooth"]["enabled"] for e in between[1:])


def test_edges_are_directed(vis_edges: list[dict[str, Any]]) -> None:
    assert {edge["arrows"] for edge in vis_edges} == {"to"}


def test_mention_edges_are_dashed_and_pale(vis_edges: list[dict[str, Any]]) -> None:
    for edge in vis_edges:
        mention = edge["relation"] == "mentionedIn"
        assert edge["dashes"] is mention
        assert edge["color"] == EDGE_COLORS["mentionedIn" if mention else "relation"]


def test_physics_off_and_every_node_placed(page: str, vis_nodes: dict[str, Any]) -> None:
    assert '"physics": {"enabled": false}' in page
    positions = {(node["x"], node["y"]) for node in vis_nodes.values()}
    assert len(positions) == len(vis_nodes)
    for node in vis_nodes.values():
        assert isinstance(node["x"], float)
        assert isinstance(node["y"], float)


def test_empty_graph_renders() -> None:
    page = render_html(nx.MultiDiGraph())
    assert _dataset(page, "nodes") == []
    assert _dataset(page, "edges") == []


# --- colours and legend ---------------------------------------------------------------------


def test_palette_covers_schema_types() -> None:
    expected = {t.value for t in EntityType} | {DOCUMENT_TYPE}
    assert set(TYPE_COLORS) == expected
    assert set(TYPE_NAMES_ZH) == expected
    assert len(set(TYPE_COLORS.values())) == len(TYPE_COLORS)
    assert set(RELATION_NAMES_ZH) == {r.value for r in RelationType} | {"mentionedIn"}


@pytest.mark.parametrize(
    ("iri", "colour"),
    [
        (DOC, TYPE_COLORS["Document"]),
        (ORG, TYPE_COLORS["Organization"]),
        (TASK, TYPE_COLORS["Task"]),
        ("urn:policykg:entity/person", TYPE_COLORS["Person"]),
        ("urn:policykg:entity/strategy", TYPE_COLORS["Strategy"]),
        ("urn:policykg:entity/policy", TYPE_COLORS["Policy"]),
        ("urn:policykg:entity/principle", TYPE_COLORS["Principle"]),
        ("urn:policykg:entity/problem", TYPE_COLORS["Problem"]),
        ("urn:policykg:entity/target", TYPE_COLORS["Target"]),
        ("urn:policykg:entity/event", TYPE_COLORS["Event"]),
    ],
)
def test_node_colour_by_type(vis_nodes: dict[str, Any], iri: str, colour: str) -> None:
    assert vis_nodes[iri]["color"] == colour


def test_document_nodes_are_squares(vis_nodes: dict[str, Any]) -> None:
    assert {iri for iri, node in vis_nodes.items() if node["shape"] == "square"} == {DOC}


def test_unknown_type_gets_fallback_colour() -> None:
    graph = nx.MultiDiGraph()
    _entity(graph, "urn:x", "Mystery", "某物")
    (node,) = _dataset(render_html(graph), "nodes")
    assert node["color"] == html_view.FALLBACK_COLOR


@pytest.mark.parametrize(("type_", "zh"), LEGEND)
def test_legend_entry(page: str, type_: str, zh: str) -> None:
    match = re.search(
        rf'<button type="button" class="pkg-item" data-type="{type_}" aria-pressed="true" '
        rf'title="显示/隐藏 show/hide">(.*?)</button>',
        page,
    )
    assert match is not None
    entry = match.group(1)
    assert f"background-color: {TYPE_COLORS[type_]}" in entry
    assert f"{type_} {zh}" in entry


def test_legend_counts(page: str) -> None:
    assert re.search(r'data-type="Problem"[^>]*>[^\n]*?\(2\)</span></button>', page)
    assert re.search(r'data-type="Document"[^>]*>[^\n]*?\(1\)</span></button>', page)


# --- labels and hovers ----------------------------------------------------------------------


def test_long_label_truncated(vis_nodes: dict[str, Any]) -> None:
    node = vis_nodes["urn:policykg:entity/principle"]
    assert len(node["label"]) == LABEL_MAX_CHARS
    assert node["label"] == LONG_LABEL[: LABEL_MAX_CHARS - 1] + "…"
    assert ["名称 Label", LONG_LABEL] in node["hover"]


def test_short_label_kept(vis_nodes: dict[str, Any]) -> None:
    assert vis_nodes[ORG]["label"] == "市委"


def test_node_hover_rows(vis_nodes: dict[str, Any]) -> None:
    assert vis_nodes[ORG]["hover"] == [
        ["类型 Type", "Organization (部门/机构)"],
        ["名称 Label", "市委"],
        ["别名 Aliases", "中共XX市委"],
        ["文档 Documents", "000.txt"],
        ["IRI", ORG],
    ]


def test_edge_hover_rows(vis_edges: list[dict[str, Any]]) -> None:
    (edge,) = [
        e
        for e in vis_edges
        if e["hover"][3:4] == [["证据 Evidence", "一要慎终如始抓好疫情防控。"]]
        and e["relation"] == "deploys"
    ]
    assert edge["hover"] == [
        ["关系 Relation", "deploys (部署)"],
        ["从 From", "市委"],
        ["到 To", "慎终如始抓好疫情防控"],
        ["证据 Evidence", "一要慎终如始抓好疫情防控。"],
        ["文档 Document", "000.txt"],
        ["规则 Rule", "r1"],
    ]


def test_no_vis_title_anywhere(
    page: str, vis_nodes: dict[str, Any], vis_edges: list[dict[str, Any]]
) -> None:
    """No item has a title, so pyvis never switches its popup to innerHTML."""
    assert all("title" not in item for item in [*vis_nodes.values(), *vis_edges])
    assert "popup.innerHTML" not in page


def test_page_script_builds_text_nodes_only(page: str) -> None:
    """The page's own script shows document text with textContent, never as HTML."""
    script = page[page.index("// policykg graph page") :]
    script = script[: script.index("</script>")]
    assert "function tooltip(rows)" in script
    assert "textContent" in script
    assert "createTextNode" in script
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink
    assert 'network.on("hoverNode"' in script
    assert 'network.on("hoverEdge"' in script


# --- hostile text ---------------------------------------------------------------------------


@pytest.mark.parametrize("forbidden", FORBIDDEN)
def test_payload_not_in_page_as_written(page: str, forbidden: str) -> None:
    assert forbidden not in page


def test_payloads_survive_as_data(
    vis_nodes: dict[str, Any], vis_edges: list[dict[str, Any]]
) -> None:
    node = vis_nodes[HOSTILE_NODE]
    assert ["名称 Label", HOSTILE] in node["hover"]
    assert ["别名 Aliases", "、".join(PAYLOADS)] in node["hover"]
    assert ["文档 Documents", "<script>alert(1)</script>.txt"] in node["hover"]
    evidence = [row[1] for e in vis_edges for row in e["hover"] if row[0] == "证据 Evidence"]
    assert evidence.count(HOSTILE) == 3


def test_embedded_json_escapes_html_specials(page: str) -> None:
    for block in _json_blocks(page):
        assert "<" not in block
        assert ">" not in block
        assert "&" not in block
        assert "\\u003c/script\\u003e" in block or "\\u003cscript" in block


def test_hostile_data_adds_no_script_tags(page: str) -> None:
    plain = build_graph()
    for node in plain.nodes:
        plain.nodes[node]["label"] = "x"
        plain.nodes[node]["aliases"] = []
        plain.nodes[node]["documents"] = ["d"]
    for _, _, data in plain.edges(data=True):
        data["evidence"] = "x"
    benign = render_html(plain, title="政策知识图谱 policykg")
    for tag in ("<script", "</script", "<img", "<a ", "<iframe", "<svg"):
        assert page.lower().count(tag) == benign.lower().count(tag), tag


def test_hostile_title_escaped(graph: nx.MultiDiGraph) -> None:
    page = render_html(graph, title=HOSTILE)
    escaped = html.escape(HOSTILE)
    assert f"<title>{escaped}</title>" in page
    assert f"<h1>{escaped}</h1>" in page
    for forbidden in FORBIDDEN:
        assert forbidden not in page


def test_template_syntax_is_not_evaluated(graph: nx.MultiDiGraph) -> None:
    local = graph.copy()
    local.nodes[ORG]["label"] = "{{7*7}}{% if 1 %}yes{% endif %}"
    page = render_html(local, title="{{7*7}}")
    nodes = {node["id"]: node for node in _dataset(page, "nodes")}
    assert nodes[ORG]["label"] == "{{7*7}}{% if 1 …"
    assert ["名称 Label", "{{7*7}}{% if 1 %}yes{% endif %}"] in nodes[ORG]["hover"]
    assert "<h1>{{7*7}}</h1>" in page
    assert "<title>{{7*7}}</title>" in page
    assert "<h1>49</h1>" not in page


# --- offline, deterministic, UTF-8 ----------------------------------------------------------


@pytest.mark.parametrize("needle", ['src="http', "src='http", 'href="http', "href='http", "//cdn"])
def test_no_external_resources(page: str, needle: str) -> None:
    assert needle not in page


def test_no_link_tags_and_vis_inlined(page: str) -> None:
    assert "<link" not in page
    assert "bootstrap" not in page.lower()
    assert "sourceMappingURL" not in page
    assert "new vis.Network(" in page
    assert "@version 9.1.2" in page  # vis-network itself is in the page


def test_script_and_style_blocks_balanced(page: str) -> None:
    # utils.js, vis-network, pyvis's drawGraph, the page data, the page script (vis-network's
    # core-js also holds a "<script>" string literal).
    assert page.count("</script>") == 5
    assert page.count("<script") == 6
    assert '"__esModule",{value:!0})}));\n</script>' in page  # vis-network's block is closed
    assert page.count("<style") == page.count("</style>")
    assert page.rstrip().endswith("</html>")


def test_byte_identical_twice(graph: nx.MultiDiGraph, page: str) -> None:
    again = render_html(graph, title="政策知识图谱 policykg")
    assert again.encode("utf-8") == page.encode("utf-8")


def test_insertion_order_does_not_matter(page: str) -> None:
    assert render_html(build_graph(reverse=True), title="政策知识图谱 policykg") == page


def test_chinese_is_utf8(page: str) -> None:
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert '<meta charset="utf-8">' in page
    assert "慎终如始抓好疫情防控" in page  # raw in the embedded JSON, not \u escapes
    assert "<h1>政策知识图谱 policykg</h1>" in page
    assert "\\u5e02" not in page  # 市 never written as an escape
    page.encode("utf-8")


def test_large_graph_layout_is_deterministic() -> None:
    """Every node gets its own place, the same on every run, whatever the size."""
    graph = nx.MultiDiGraph()
    graph.add_node(DOC, kind="document", type=DOCUMENT_TYPE, label="d", aliases=[], documents=["d"])
    for i in range(600):
        _entity(graph, f"urn:e{i:03d}", "Task", f"任务{i}")
        _relation(graph, f"urn:e{i:03d}", DOC, f"m{i}", "mentionedIn", "x")
        if i:
            _relation(graph, f"urn:e{i:03d}", f"urn:e{i // 2:03d}", f"p{i}", "partOf", "x")
    _entity(graph, "urn:island-a", "Event", "孤岛甲")
    _entity(graph, "urn:island-b", "Event", "孤岛乙")
    _relation(graph, "urn:island-a", "urn:island-b", "k", "heldBy", "x")
    positions = html_view._layout(html_view._plain(graph))
    assert len(positions) == 603
    assert len(set(positions.values())) == 603
    assert html_view._layout(html_view._plain(graph)) == positions
    assert all(isinstance(c, float) for xy in positions.values() for c in xy)
    extent = html_view.LAYOUT_UNIT * 603**0.5
    assert max(abs(c) for xy in positions.values() for c in xy) == pytest.approx(extent, abs=0.1)


def test_linked_nodes_end_up_closer_than_unlinked_ones() -> None:
    graph = nx.MultiDiGraph()
    for i in range(20):
        _entity(graph, f"urn:a{i:02d}", "Task", "甲")
        _entity(graph, f"urn:b{i:02d}", "Task", "乙")
    for i in range(1, 20):
        _relation(graph, "urn:a00", f"urn:a{i:02d}", f"a{i}", "involves", "x")
        _relation(graph, "urn:b00", f"urn:b{i:02d}", f"b{i}", "involves", "x")
    pos = html_view._layout(html_view._plain(graph))

    def dist(u: str, v: str) -> float:
        return float(((pos[u][0] - pos[v][0]) ** 2 + (pos[u][1] - pos[v][1]) ** 2) ** 0.5)

    within = max(dist("urn:a00", f"urn:a{i:02d}") for i in range(1, 20))
    assert dist("urn:a00", "urn:b00") > within


def test_layout_of_tiny_graphs() -> None:
    assert html_view._layout(html_view._plain(nx.MultiDiGraph())) == {}
    one = nx.MultiDiGraph()
    _entity(one, "urn:x", "Task", "x")
    assert html_view._layout(html_view._plain(one)) == {"urn:x": (0.0, 0.0)}


# --- page data: documents, mention sentences, controls -------------------------------------

TEXT = "市委召开会议。一要慎终如始抓好疫情防控。" + HOSTILE + "。"
DOCUMENTS = [DocumentText(DOC, "000.txt", "", TEXT)]
MENTIONS = [
    MentionSpan(ORG, "000.txt", 0, 2, "市委", "org"),
    MentionSpan(TASK, "000.txt", 9, 19, "慎终如始抓好疫情防控", "task"),
    MentionSpan(HOSTILE_NODE, "000.txt", 20, 20 + len(HOSTILE), HOSTILE, "problem"),
    MentionSpan(ORG, "other.txt", 0, 2, "市委", "org"),  # no text of that document: left out
    MentionSpan(ORG, "000.txt", 500, 502, "市委", "org"),  # outside the text: left out
]


def _page_data(page: str) -> dict[str, Any]:
    """The JSON of the page's ``<script type="application/json" id="pkg-data">`` block."""
    marker = '<script type="application/json" id="pkg-data">'
    assert page.count(marker) == 1
    start = page.index(marker) + len(marker)
    end = page.index("</script>", start)
    value = json.loads(page[start:end])
    assert isinstance(value, dict)
    return value


@pytest.fixture(scope="module")
def full_page(graph: nx.MultiDiGraph) -> str:
    return render_html(
        graph,
        title="政策知识图谱 policykg",
        documents=DOCUMENTS,
        mentions=MENTIONS,
        document_pages={"000.txt": "docs/000.html"},
    )


def test_page_data_documents(full_page: str) -> None:
    assert _page_data(full_page)["docs"] == [
        {"href": "docs/000.html", "name": "000.txt"},
        {"href": "", "name": "<script>alert(1)</script>.txt"},
    ]


def test_nodes_name_their_documents_by_index(full_page: str) -> None:
    nodes = {node["id"]: node for node in _dataset(full_page, "nodes")}
    assert nodes[ORG]["docs"] == [0]
    assert nodes[HOSTILE_NODE]["docs"] == [1]


def test_mention_sentences_with_anchors(full_page: str) -> None:
    mentions = _page_data(full_page)["mentions"]
    assert mentions[ORG] == [[0, "", "市委", "召开会议。", "m0-2"]]
    assert mentions[TASK] == [[0, "一要", "慎终如始抓好疫情防控", "。", "m9-19"]]
    assert mentions[HOSTILE_NODE] == [[0, "", HOSTILE, "。", f"m20-{20 + len(HOSTILE)}"]]
    assert set(mentions) == {ORG, TASK, HOSTILE_NODE}


def test_mention_sentences_cut_around_the_mention(graph: nx.MultiDiGraph) -> None:
    text = "甲" * 100 + "市委" + "乙" * 100 + "。"
    page = render_html(
        graph,
        documents=[DocumentText(DOC, "000.txt", "", text)],
        mentions=[MentionSpan(ORG, "000.txt", 100, 102, "市委", "org")],
    )
    cut = html_view.CONTEXT_CHARS
    assert _page_data(page)["mentions"][ORG] == [
        [0, "…" + "甲" * cut, "市委", "乙" * cut + "…", ""]  # no document page: no anchor
    ]


def test_page_data_is_escaped_json(full_page: str) -> None:
    marker = '<script type="application/json" id="pkg-data">'
    start = full_page.index(marker) + len(marker)
    block = full_page[start : full_page.index("</script>", start)]
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in block


@pytest.mark.parametrize("forbidden", FORBIDDEN)
def test_payload_not_in_full_page_as_written(full_page: str, forbidden: str) -> None:
    assert forbidden not in full_page


def test_controls_and_panel(full_page: str) -> None:
    assert '<input id="pkg-search" type="search"' in full_page
    assert '<select id="pkg-doc" aria-label="document"><option value="">全部文档' in full_page
    assert '<button id="pkg-reset" type="button">' in full_page
    assert '<ul id="pkg-results" hidden></ul>' in full_page
    assert '<aside id="pkg-panel" class="pkg-panel" aria-live="polite"></aside>' in full_page


def test_content_security_policy_allows_no_request(full_page: str) -> None:
    csp = f'<meta http-equiv="Content-Security-Policy" content="{html_view.CSP}">'
    assert full_page.count(csp) == 1
    assert full_page.index(csp) < full_page.index("<script")
    assert "default-src 'none'" in html_view.CSP
    assert "unsafe-eval" not in html_view.CSP


def test_full_page_byte_identical_and_order_free(full_page: str) -> None:
    again = render_html(
        build_graph(reverse=True),
        title="政策知识图谱 policykg",
        documents=DOCUMENTS,
        mentions=list(reversed(MENTIONS)),
        document_pages={"000.txt": "docs/000.html"},
    )
    assert again == full_page


# --- over the node budget: the most connected nodes drawn, every entity in the index ------

BUDGET_DOCS = ["urn:d/1", "urn:d/2"]


def budget_graph(reverse: bool = False) -> nx.MultiDiGraph:
    """Two documents and 7 entities, hand-countable relation degrees: a 3; b, c, e, f 2 (e→f
    twice); d 1; g 0 but mentioned in both documents (mentions do not count)."""
    graph = nx.MultiDiGraph()
    nodes = [*BUDGET_DOCS, *(f"urn:e/{x}" for x in "abcdefg")]
    relations = [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("e", "f"), ("e", "f")]
    edges = [
        (f"urn:e/{h}", f"urn:e/{t}", f"k{i}", "involves", f"{h}涉及{t}。")
        for i, (h, t) in enumerate(relations)
    ]
    edges += [(f"urn:e/{x}", "urn:d/1", f"m{x}", "mentionedIn", x) for x in "abcdefg"]
    edges.append(("urn:e/g", "urn:d/2", "mg2", "mentionedIn", "g"))
    if reverse:
        nodes.reverse()
        edges.reverse()
    for iri in nodes:
        if iri in BUDGET_DOCS:
            name = iri[-1] + ".txt"
            graph.add_node(
                iri, kind="document", type=DOCUMENT_TYPE, label=name, aliases=[], documents=[name]
            )
        else:
            docs = ["1.txt", "2.txt"] if iri == "urn:e/g" else ["1.txt"]
            _entity(graph, iri, "Task", "任务" + iri[-1], aliases=[iri[-1]], documents=docs)
    for head, tail, key, type_, evidence in edges:
        graph.add_edge(
            head, tail, key=key, type=type_, evidence=evidence, rule="r1", document="1.txt"
        )
    return graph


@pytest.fixture(scope="module")
def budget_page() -> str:
    return render_html(budget_graph(), title="预算 budget", max_nodes=6)


def test_default_node_budget() -> None:
    assert html_view.DEFAULT_NODE_BUDGET == 2000


def test_over_budget_draws_documents_and_most_connected_entities(budget_page: str) -> None:
    nodes = _dataset(budget_page, "nodes")
    assert [n["id"] for n in nodes] == [
        "urn:d/1",
        "urn:d/2",
        "urn:e/a",  # 3 relations
        "urn:e/b",  # 2, and b < c < e < f by IRI
        "urn:e/c",
        "urn:e/e",
    ]
    edges = _dataset(budget_page, "edges")
    # one edge per (head, tail, relation), no mentionedIn: a node's documents are in its panel
    assert [(e["id"], e["from"], e["to"], e["relation"]) for e in edges] == [
        ("e0", "urn:e/a", "urn:e/b", "involves"),
        ("e1", "urn:e/a", "urn:e/c", "involves"),
        ("e2", "urn:e/b", "urn:e/c", "involves"),
    ]
    # sizes count every link in the whole graph: a has 3 relations and a mention
    assert {n["id"]: n["size"] for n in nodes}["urn:e/a"] == 14.0


def test_over_budget_a_relation_stated_again_is_drawn_once_with_its_count() -> None:
    graph = budget_graph()
    graph.add_edge("urn:e/a", "urn:e/b", key="z9", type="involves", evidence="再次", rule="r")
    graph.add_edge("urn:e/a", "urn:e/b", key="a0", type="involves", evidence="首先", rule="r")
    edges = _dataset(render_html(graph, max_nodes=6), "edges")
    (ab,) = [e for e in edges if (e["from"], e["to"]) == ("urn:e/a", "urn:e/b")]
    hover = dict(ab["hover"])
    assert hover["陈述 Statements"] == "3 (first shown)"
    assert hover["证据 Evidence"] == "首先"
    assert len(edges) == 3


def test_over_budget_heading_says_so(budget_page: str) -> None:
    assert (
        '<p class="pkg-budget" id="pkg-budget">显示连接最多的 4 个实体（共 7 个），'
        "搜索可找到全部 · showing the 4 most connected of 7 entities; search finds all of them"
        " · 每种关系只画一条 · each relation drawn once"
        "</p>\n"
    ) in budget_page
    assert '<p class="pkg-stats">9 个节点 nodes · 14 条关系 edges · ' in budget_page


def test_over_budget_index_holds_every_other_entity(budget_page: str) -> None:
    index = _page_data(budget_page)["index"]
    assert index["nodes"] == [
        ["urn:e/d", "任务d", "d", 0, [0]],
        ["urn:e/f", "任务f", "f", 0, [0]],
        ["urn:e/g", "任务g", "g", 0, [0, 1]],
    ]
    assert index["types"] == [["Task", "Task (任务/部署)", TYPE_COLORS["Task"], "dot"]]
    assert index["shown"] == ["urn:e/a", "urn:e/e"]  # ends 3 and 4 of the relations
    assert index["relations"] == [["involves", "involves (涉及)"]]
    assert index["rules"] == ["r1"]
    assert index["rels"] == [
        [3, 0, 0, "a涉及d。", 0, 0],
        [4, 1, 0, "e涉及f。", 0, 0],
        [4, 1, 0, "e涉及f。", 0, 0],
    ]
    assert (index["edge_color"], index["label_max"]) == (EDGE_COLORS["relation"], 16)
    drawn = {n["id"] for n in _dataset(budget_page, "nodes")}
    hidden = {row[0] for row in index["nodes"]}
    assert drawn | hidden == set(budget_graph().nodes) and not drawn & hidden


def test_over_budget_page_is_deterministic(budget_page: str) -> None:
    again = render_html(budget_graph(reverse=True), title="预算 budget", max_nodes=6)
    assert again.encode("utf-8") == budget_page.encode("utf-8")


def test_documents_alone_over_budget() -> None:
    page = render_html(budget_graph(), max_nodes=1)
    assert [n["id"] for n in _dataset(page, "nodes")] == ["urn:d/1"]  # 7 mentions against 1
    assert [row[0] for row in _page_data(page)["index"]["nodes"]] == [
        "urn:d/2",
        *(f"urn:e/{x}" for x in "abcdefg"),
    ]
    assert (
        "showing the 0 most connected of 7 entities; search finds all of them · 每种关系只画一条 "
        "· each relation drawn once (and 1 of 2 documents)</p>"
    ) in page


@pytest.mark.parametrize("budget", [0, 9, 10])
def test_within_budget_or_no_budget_draws_everything(budget: int) -> None:
    page = render_html(budget_graph(), max_nodes=budget)
    assert len(_dataset(page, "nodes")) == 9
    assert len(_dataset(page, "edges")) == 14
    assert "index" not in _page_data(page)
    assert 'id="pkg-budget"' not in page


def test_negative_budget_is_refused() -> None:
    with pytest.raises(UsageError, match=r"^E160 invalid node budget -1; "):
        render_html(budget_graph(), max_nodes=-1)


def test_layout_runs_on_drawn_nodes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    layout = html_view._force_layout

    def spy(n: int, links: Sequence[tuple[int, ...]]) -> Any:
        sizes.append(n)
        return layout(n, links)

    monkeypatch.setattr(html_view, "_force_layout", spy)
    render_html(budget_graph(), max_nodes=6)
    assert sizes == [6]


def test_layout_elsewhere_gives_the_same_page() -> None:
    started: list[tuple[int, int]] = []
    waited: list[int] = []

    def elsewhere(function: Callable[[Any], Any], task: Any, /) -> Callable[[], Any]:
        n, links = task
        started.append((n, len(links)))

        def result() -> Any:
            waited.append(n)
            return function(task)

        return result

    graph = budget_graph()
    page = render_html(graph, max_nodes=6, elsewhere=elsewhere)
    assert page == render_html(graph, max_nodes=6)
    assert started == [(6, 3)] and waited == [6]  # 6 drawn nodes, 3 linked pairs


def test_index_text_is_escaped_json() -> None:
    graph = budget_graph()
    graph.nodes["urn:e/g"]["label"] = HOSTILE
    graph.nodes["urn:e/g"]["aliases"] = PAYLOADS
    graph.add_edge("urn:e/g", "urn:e/d", key="h", type="concerns", evidence=HOSTILE, rule="r")
    page = render_html(graph, max_nodes=6)
    index = _page_data(page)["index"]
    assert ["urn:e/g", HOSTILE, "、".join(PAYLOADS), 0, [0, 1]] in index["nodes"]
    assert any(row[3] == HOSTILE for row in index["rels"])
    marker = '<script type="application/json" id="pkg-data">'
    start = page.index(marker) + len(marker)
    block = page[start : page.index("</script>", start)]
    assert "<" not in block and ">" not in block and "&" not in block
    for forbidden in FORBIDDEN:
        assert forbidden not in page


def test_page_holds_the_mentions_the_panel_lists_and_counts_the_rest(
    graph: nx.MultiDiGraph,
) -> None:
    text = "市委。" * 105
    page = render_html(
        graph,
        documents=[DocumentText(DOC, "000.txt", "", text)],
        mentions=[MentionSpan(ORG, "000.txt", 3 * i, 3 * i + 2, "市委", "org") for i in range(105)],
        document_pages={"000.txt": "docs/000.html"},
    )
    data = _page_data(page)
    assert html_view.PANEL_MENTIONS == 100
    assert "var MAX_MENTIONS = 100;" in page
    assert [m[4] for m in data["mentions"][ORG]] == [f"m{3 * i}-{3 * i + 2}" for i in range(100)]
    assert data["mentions"][ORG][-1] == [0, "", "市委", "。", "m297-299"]
    assert data["mention_totals"] == {ORG: 105}
    assert "mention_totals" not in _page_data(render_html(graph))


# --- the same page from the plain view a corpus build collects (GraphView) ------------------


def plain_view(graph: nx.MultiDiGraph) -> GraphView:
    """``graph`` as a :class:`GraphView`: nodes sorted by IRI, edges in reverse order."""
    nodes = {str(node): dict(attrs) for node, attrs in sorted(graph.nodes(data=True))}
    edges = [(str(h), str(t), str(k), dict(a)) for h, t, k, a in graph.edges(keys=True, data=True)]
    return GraphView(nodes, edges[::-1])


def test_plain_view_gives_the_same_page(full_page: str) -> None:
    page = render_html(
        plain_view(build_graph()),
        title="政策知识图谱 policykg",
        documents=DOCUMENTS,
        mentions=MENTIONS,
        document_pages={"000.txt": "docs/000.html"},
    )
    assert page == full_page


@pytest.mark.parametrize("budget", [0, 3, 6, 8, html_view.DEFAULT_NODE_BUDGET])
def test_plain_view_gives_the_same_page_over_the_budget(budget: int) -> None:
    graph = budget_graph()
    ours = render_html(plain_view(graph), title="预算 budget", max_nodes=budget)
    assert ours == render_html(graph, title="预算 budget", max_nodes=budget)


def test_plain_view_edge_to_no_node_adds_the_node() -> None:
    """networkx adds an edge's end that is not a node; the page of a view does the same."""
    graph = budget_graph()
    graph.add_edge("urn:e/a", "urn:e/zz", key="kz", type="involves", evidence="", rule="r1")
    view = plain_view(graph)
    del view.nodes["urn:e/zz"]
    for budget in (0, 6):
        assert render_html(view, max_nodes=budget) == render_html(graph, max_nodes=budget)
    data = _page_data(render_html(view, max_nodes=6))
    assert "urn:e/zz" in [node[0] for node in data["index"]["nodes"]]


@pytest.mark.parametrize("budget", [0, 50, html_view.DEFAULT_NODE_BUDGET])
def test_collected_view_gives_the_page_of_the_graph(budget: int) -> None:
    """The seeds: the page of the view collected part by part (as a corpus build makes it)
    equals the page of KnowledgeGraph.to_networkx."""
    extractions = [
        extract_text(p.read_text(encoding="utf-8"), p.name) for p in sorted(SEEDS.glob("*.txt"))
    ]
    plan = GraphPlan(extractions)
    collector = ViewCollector(plan)
    for index in plan.document_order():
        collector.add(plan.document_part(index))
    graph = build_graph_of(extractions)
    options: dict[str, Any] = {"documents": graph.documents(), "mentions": graph.mentions()}
    ours = render_html(collector.graph_view(), max_nodes=budget, **options)
    assert ours == render_html(graph.to_networkx(), max_nodes=budget, **options)
    assert ('id="pkg-budget"' in ours) == (budget == 50)
