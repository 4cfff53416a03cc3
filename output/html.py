"""The interactive HTML view of a policy knowledge graph: one offline page built with pyvis.

``render_html`` turns the networkx view of the graph (a ``MultiDiGraph`` keyed by IRI, see the
module docstring of the graph stage) into a single self-contained UTF-8 page: vis-network is
inlined by pyvis (``cdn_resources="in_line"``) and the Bootstrap tags pyvis always adds are
removed, so the page asks no other host for anything.

Everything shown in the page comes from documents and must be treated as hostile text:

* node and edge data reach the page only through pyvis's jinja2 ``tojson`` filter, which escapes
  ``<``, ``>``, ``&`` and ``'`` as ``\\u003c`` etc., so ``</script>`` cannot close the block and
  ``{{7*7}}`` is data, never template source;
* no vis item carries a ``title``: pyvis switches every popup to ``innerHTML`` as soon as one
  title contains ``href`` (FINDINGS.md). The hover text travels as a list of (key, value) rows
  in a ``hover`` field instead, and a small script turns each list into a DOM element built with
  ``textContent`` before vis-network shows it, so hover text is never parsed as HTML;
* the page title and the legend are inserted after pyvis has rendered, HTML-escaped.

The layout is computed once with networkx and vis physics is off: the page draws at once
(physics stabilisation took ~20 s for 300 nodes, FINDINGS.md) and the same graph gives
byte-identical HTML, whatever order its nodes and edges were added in.
"""

from __future__ import annotations

import copy
import html
import math
import re
from collections import Counter, deque
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Final

import networkx as nx
from pyvis.network import Network

__all__ = [
    "DOCUMENT_TYPE",
    "EDGE_COLORS",
    "FALLBACK_COLOR",
    "LABEL_MAX_CHARS",
    "RELATION_NAMES_ZH",
    "TYPE_COLORS",
    "TYPE_NAMES_ZH",
    "render_html",
]

#: The ``type`` of document nodes (entity types are those of SCHEMA.md).
DOCUMENT_TYPE: Final = "Document"

#: Node colour per type (Tableau 10): one fixed palette, the legend shows it in this order.
TYPE_COLORS: Final[dict[str, str]] = {
    "Organization": "#4e79a7",
    "Person": "#f28e2b",
    "Strategy": "#e15759",
    "Policy": "#76b7b2",
    "Principle": "#59a14f",
    "Problem": "#edc948",
    "Task": "#b07aa1",
    "Target": "#ff9da7",
    "Event": "#9c755f",
    DOCUMENT_TYPE: "#bab0ac",
}

#: Colour of a node whose type is not in ``TYPE_COLORS`` (drawn, but not in the legend).
FALLBACK_COLOR: Final = "#7f7f7f"

#: Chinese name of each type, shown in the legend and in hovers (SCHEMA.md, "Entity types").
TYPE_NAMES_ZH: Final[dict[str, str]] = {
    "Organization": "部门/机构",
    "Person": "领导/人物",
    "Strategy": "战略",
    "Policy": "政策/举措",
    "Principle": "指导思想/精神",
    "Problem": "问题",
    "Task": "任务/部署",
    "Target": "目标/指标",
    "Event": "会议/事件",
    DOCUMENT_TYPE: "文档",
}

#: Chinese name of each relation type, shown in edge hovers (SCHEMA.md, "Relation types").
RELATION_NAMES_ZH: Final[dict[str, str]] = {
    "deploys": "部署",
    "implements": "贯彻落实",
    "involves": "涉及",
    "hasTarget": "目标",
    "concerns": "关于",
    "addresses": "针对",
    "proposedBy": "提出",
    "partOf": "隶属/组成",
    "heldBy": "召开",
    "mentionedIn": "出现于",
}

#: Edge colour: entity→document links are pale and dashed, typed relations stand out.
EDGE_COLORS: Final[dict[str, str]] = {"mentionedIn": "#d3d3d3", "relation": "#6f6f6f"}

#: Node labels longer than this are cut to this many characters, "…" included.
LABEL_MAX_CHARS: Final = 16

#: networkx's ``spring_layout`` needs scipy from 500 nodes on; above this many nodes only the
#: best-connected ones are laid out with it and the others are placed around their neighbours.
LAYOUT_EXACT_LIMIT = 499

#: Canvas units per sqrt(node): keeps the mean distance between nodes roughly constant.
LAYOUT_UNIT: Final = 120.0

_GOLDEN_ANGLE: Final = math.pi * (3.0 - math.sqrt(5.0))

#: vis-network options: physics off (positions are precomputed), hover popups on.
_VIS_OPTIONS: Final[dict[str, Any]] = {
    "nodes": {"font": {"size": 14}, "borderWidth": 1},
    "edges": {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "smooth": {"enabled": False},
        "width": 1,
    },
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False},
    "interaction": {"hover": True, "tooltipDelay": 150},
}

_CSS: Final = """
body { margin: 0; font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei",
  "PingFang SC", sans-serif; }
.pkg-header { padding: 8px 16px; }
.pkg-header h1 { font-size: 20px; margin: 4px 0; }
.pkg-stats { font-size: 13px; color: #555; margin: 2px 0 6px; }
.pkg-legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; }
.pkg-item { display: inline-flex; align-items: center; gap: 6px; }
.pkg-swatch { display: inline-block; width: 14px; height: 14px; border-radius: 50%;
  border: 1px solid rgba(0, 0, 0, 0.3); }
.pkg-swatch.pkg-square { border-radius: 2px; }
.pkg-count { color: #777; }
#mynetwork { box-sizing: border-box; }
div.vis-tooltip { white-space: normal; max-width: 36em; }
.pkg-tip { white-space: pre-wrap; overflow-wrap: anywhere; font-family: inherit; font-size: 13px; }
.pkg-tip b { font-weight: 600; }
"""

#: Turns each item's ``hover`` rows into a DOM element (text nodes only) used as vis ``title``.
_HOVER_SCRIPT: Final = """
<script type="text/javascript">
(function () {
  "use strict";
  function tooltip(rows) {
    var box = document.createElement("div");
    box.className = "pkg-tip";
    rows.forEach(function (row) {
      var line = document.createElement("div");
      var key = document.createElement("b");
      key.textContent = String(row[0]) + ": ";
      line.appendChild(key);
      line.appendChild(document.createTextNode(String(row[1])));
      box.appendChild(line);
    });
    return box;
  }
  function attachTooltips(dataSet) {
    var updates = [];
    dataSet.forEach(function (item) {
      if (Array.isArray(item.hover)) {
        updates.push({id: item.id, title: tooltip(item.hover)});
      }
    });
    dataSet.update(updates);
  }
  attachTooltips(nodes);
  attachTooltips(edges);
})();
</script>
"""

# What pyvis 0.3.2's template.html puts in the page that an offline page must not hold.
_EXTERNAL_LINK_RE: Final = re.compile(
    r"""<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//[^>]*>\s*""", re.IGNORECASE
)
_EXTERNAL_SCRIPT_RE: Final = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?\s*(?:https?:)?//[^>]*>\s*</script>\s*""", re.IGNORECASE
)
_EMPTY_HEADING_RE: Final = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>\s*")
_COMMENTED_LINKS_RE: Final = re.compile(r"<!--\s*<link[^>]*node_modules.*?-->\s*", re.DOTALL)
_SOURCE_MAP_RE: Final = re.compile(r"^//# sourceMappingURL=[^\s<]*", re.MULTILINE)
# Any tag still pointing at another host. Document text cannot match: in the page its "<" is
# always escaped (\u003c in JSON, &lt; in HTML).
_ANY_EXTERNAL_TAG_RE: Final = re.compile(
    r"""<[a-z][^<>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE
)

_HEAD_MARKER: Final = '<meta charset="utf-8">'
_BODY_MARKER: Final = '<div class="card" style="width: 100%">'
_END_MARKER: Final = "</body>"


def render_html(graph: nx.MultiDiGraph, title: str = "policykg") -> str:
    """Render ``graph`` as one self-contained, offline HTML page and return it.

    Each graph node becomes one vis node (coloured by ``type``, labelled with its truncated
    ``label``) and each graph edge one vis edge (parallel edges kept, each with its own ``id``).
    Hovering shows a node's type, label, aliases and documents, or an edge's relation type and
    evidence sentence, always as plain text. ``title`` goes into ``<title>`` and the heading,
    HTML-escaped. The output depends only on the graph's content, not on insertion order.
    """
    positions = _layout(graph)
    nodes = _vis_nodes(graph, positions)
    edges = _vis_edges(graph)

    net = Network(height="80vh", width="100%", directed=True, cdn_resources="in_line")
    # Keep Chinese readable (and the page smaller) in the embedded JSON; jinja2's tojson still
    # escapes < > & ' after dumping.
    net.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    net.nodes = nodes
    net.edges = edges
    net.options = copy.deepcopy(_VIS_OPTIONS)
    page = str(net.generate_html())

    page = _strip_external(page)
    counts = Counter(str(attrs.get("type", "")) for _, attrs in graph.nodes(data=True))
    head = f"\n<title>{html.escape(title)}</title>\n<style>{_CSS}</style>"
    header = _header_html(title, graph.number_of_nodes(), graph.number_of_edges(), counts)
    page = _insert(page, _HEAD_MARKER, head, after=True)
    page = _insert(page, _BODY_MARKER, header, after=False)
    page = _insert(page, _END_MARKER, _HOVER_SCRIPT, after=False, last=True)
    page = page.replace("<html>", '<!DOCTYPE html>\n<html lang="zh-CN">', 1)
    if _ANY_EXTERNAL_TAG_RE.search(page):
        raise RuntimeError(
            "pyvis produced a tag that loads from another host; update _strip_external"
        )
    return page


def _layout(graph: nx.MultiDiGraph) -> dict[Hashable, tuple[float, float]]:
    """Deterministic 2-D positions for every node, in vis canvas units.

    Nodes and links are fed to networkx in sorted order so that insertion order cannot change
    the result. Up to ``LAYOUT_EXACT_LIMIT`` nodes this is ``nx.spring_layout(seed=0)``; above,
    spring_layout (which would need scipy) runs on the best-connected nodes only and each other
    node is put on a sunflower spiral around the neighbour it was reached from (breadth first).
    """
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes, key=str))
    pairs = {_pair(u, v) for u, v in graph.edges() if u != v}
    simple.add_edges_from(sorted(pairs, key=lambda p: (str(p[0]), str(p[1]))))
    if simple.number_of_nodes() <= LAYOUT_EXACT_LIMIT:
        raw = _spring(simple)
    else:
        raw = _core_and_spiral(simple)
    scale = LAYOUT_UNIT * math.sqrt(max(simple.number_of_nodes(), 1))
    return {n: (round(x * scale, 1), round(y * scale, 1)) for n, (x, y) in raw.items()}


def _pair(u: Hashable, v: Hashable) -> tuple[Hashable, Hashable]:
    """The two ends of a link in a canonical order (by their string form)."""
    return (u, v) if str(u) <= str(v) else (v, u)


def _spring(simple: nx.Graph) -> dict[Hashable, tuple[float, float]]:
    """``nx.spring_layout`` with a fixed seed, as plain float pairs in [-1, 1]."""
    raw = nx.spring_layout(simple, seed=0)
    return {n: (float(p[0]), float(p[1])) for n, p in raw.items()}


def _core_and_spiral(simple: nx.Graph) -> dict[Hashable, tuple[float, float]]:
    """Layout of a graph too large for ``_spring``: spring core, spiralled periphery.

    Cost beyond the core is linear in nodes and links, and nothing depends on set order.
    """
    rank = {
        n: i for i, n in enumerate(sorted(simple.nodes, key=lambda n: (-simple.degree(n), str(n))))
    }
    ordered = sorted(rank, key=rank.__getitem__)
    core = ordered[:LAYOUT_EXACT_LIMIT]
    core_graph = nx.Graph()
    core_graph.add_nodes_from(core)
    core_links = [_pair(u, v) for u, v in simple.edges() if max(rank[u], rank[v]) < len(core)]
    core_graph.add_edges_from(sorted(core_links, key=lambda p: (str(p[0]), str(p[1]))))
    placed = _spring(core_graph)
    spacing = 2.0 / math.sqrt(len(placed))
    children: Counter[Hashable] = Counter()

    def spread(starts: Iterable[Hashable]) -> None:
        queue = deque(starts)
        while queue:
            parent = queue.popleft()
            px, py = placed[parent]
            for child in sorted(simple.neighbors(parent), key=rank.__getitem__):
                if child in placed:
                    continue
                children[parent] += 1
                k = children[parent]
                radius = 0.5 * spacing * math.sqrt(k)
                angle = k * _GOLDEN_ANGLE
                placed[child] = (px + radius * math.cos(angle), py + radius * math.sin(angle))
                queue.append(child)

    spread(core)
    islands = 0
    for node in ordered:
        if node not in placed:
            islands += 1
            radius = 1.2 + 0.5 * spacing * math.sqrt(islands)
            angle = islands * _GOLDEN_ANGLE
            placed[node] = (radius * math.cos(angle), radius * math.sin(angle))
            spread([node])
    return placed


def _vis_nodes(
    graph: nx.MultiDiGraph, positions: Mapping[Hashable, tuple[float, float]]
) -> list[dict[str, Any]]:
    """One vis node dict per graph node, sorted by id; hover text in ``hover``, no ``title``."""
    degree = dict(graph.degree())
    nodes: list[dict[str, Any]] = []
    for node in sorted(graph.nodes, key=str):
        attrs = graph.nodes[node]
        node_type = str(attrs.get("type", ""))
        label = _text(attrs.get("label")) or str(node)
        x, y = positions[node]
        is_document = attrs.get("kind") == "document" or node_type == DOCUMENT_TYPE
        nodes.append(
            {
                "id": node,
                "label": _truncate(label),
                "type": node_type,
                "shape": "square" if is_document else "dot",
                "size": min(30.0, round(10.0 + 2.0 * math.sqrt(degree[node]), 1)),
                "color": TYPE_COLORS.get(node_type, FALLBACK_COLOR),
                "x": x,
                "y": y,
                "hover": _node_hover(node, attrs, node_type, label),
            }
        )
    return nodes


def _vis_edges(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One vis edge dict per graph edge, sorted by (head, tail, key), ids ``e0``, ``e1``, ….

    The n-th further edge between the same two nodes (either direction) is drawn as a curve of
    growing roundness, alternating sides, so parallel edges do not hide each other.
    """
    triples = sorted(
        graph.edges(keys=True, data=True), key=lambda t: (str(t[0]), str(t[1]), str(t[2]))
    )
    seen: Counter[tuple[Hashable, Hashable]] = Counter()
    edges: list[dict[str, Any]] = []
    for index, (head, tail, _key, attrs) in enumerate(triples):
        relation = str(attrs.get("type", ""))
        mention = relation == "mentionedIn"
        pair = _pair(head, tail)
        nth = seen[pair]
        seen[pair] += 1
        edge: dict[str, Any] = {
            "id": f"e{index}",
            "from": head,
            "to": tail,
            "arrows": "to",
            "relation": relation,
            "color": EDGE_COLORS["mentionedIn" if mention else "relation"],
            "dashes": mention,
            "hover": _edge_hover(graph, head, tail, relation, attrs),
        }
        if nth:
            edge["smooth"] = {
                "enabled": True,
                "type": "curvedCW" if nth % 2 else "curvedCCW",
                "roundness": round(0.2 * ((nth + 1) // 2), 2),
            }
        edges.append(edge)
    return edges


def _node_hover(
    node: Hashable, attrs: Mapping[str, Any], node_type: str, label: str
) -> list[list[str]]:
    """The (key, value) rows of a node's hover: type, label, aliases, documents, IRI."""
    rows = [
        ["类型 Type", _type_text(node_type)],
        ["名称 Label", label],
    ]
    aliases = _texts(attrs.get("aliases"))
    if aliases:
        rows.append(["别名 Aliases", "、".join(aliases)])
    documents = _texts(attrs.get("documents"))
    if documents:
        rows.append(["文档 Documents", "; ".join(documents)])
    rows.append(["IRI", str(node)])
    return rows


def _edge_hover(
    graph: nx.MultiDiGraph, head: Hashable, tail: Hashable, relation: str, attrs: Mapping[str, Any]
) -> list[list[str]]:
    """The (key, value) rows of an edge's hover: relation, ends, evidence, document, rule."""
    zh = RELATION_NAMES_ZH.get(relation)
    rows = [
        ["关系 Relation", f"{relation} ({zh})" if zh else relation],
        ["从 From", _text(graph.nodes[head].get("label")) or str(head)],
        ["到 To", _text(graph.nodes[tail].get("label")) or str(tail)],
    ]
    for key, name in (
        ("evidence", "证据 Evidence"),
        ("document", "文档 Document"),
        ("rule", "规则 Rule"),
    ):
        value = _text(attrs.get(key))
        if value:
            rows.append([name, value])
    return rows


def _type_text(node_type: str) -> str:
    """A type as shown to readers: ``Task (任务/部署)``."""
    zh = TYPE_NAMES_ZH.get(node_type)
    return f"{node_type} ({zh})" if zh else node_type


def _text(value: object) -> str:
    """An attribute as text: ``None`` becomes ``""``."""
    return "" if value is None else str(value)


def _texts(value: object) -> list[str]:
    """A list attribute as a list of non-empty strings (a lone string counts as one item)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Iterable):
        return [str(item) for item in value if item is not None and str(item)]
    return [str(value)]


def _truncate(label: str) -> str:
    """``label`` cut to ``LABEL_MAX_CHARS`` characters, the last one "…" when cut."""
    if len(label) <= LABEL_MAX_CHARS:
        return label
    return label[: LABEL_MAX_CHARS - 1] + "…"


def _header_html(title: str, n_nodes: int, n_edges: int, counts: Mapping[str, int]) -> str:
    """The escaped page heading, node/edge counts and the colour legend."""
    items = []
    for node_type, color in TYPE_COLORS.items():
        square = " pkg-square" if node_type == DOCUMENT_TYPE else ""
        items.append(
            f'<span class="pkg-item" data-type="{html.escape(node_type)}">'
            f'<span class="pkg-swatch{square}" style="background-color: {html.escape(color)}">'
            f"</span>{html.escape(node_type)} {html.escape(TYPE_NAMES_ZH[node_type])}"
            f' <span class="pkg-count">({counts.get(node_type, 0)})</span></span>'
        )
    legend = "\n  ".join(items)
    return (
        f'<header class="pkg-header">\n<h1>{html.escape(title)}</h1>\n'
        f'<p class="pkg-stats">{n_nodes} 个节点 nodes · {n_edges} 条关系 edges · '
        f"悬停查看详情 hover for details</p>\n"
        f'<div class="pkg-legend" id="pkg-legend">\n  {legend}\n</div>\n</header>\n'
    )


def _strip_external(page: str) -> str:
    """Remove what pyvis's template loads from CDNs, its commented-out links, empty headings.

    The source-map comment of the inlined vis-network goes too: devtools would fetch it.
    """
    for pattern in (
        _EXTERNAL_LINK_RE,
        _EXTERNAL_SCRIPT_RE,
        _COMMENTED_LINKS_RE,
        _EMPTY_HEADING_RE,
        _SOURCE_MAP_RE,
    ):
        page = pattern.sub("", page)
    return page


def _insert(page: str, marker: str, text: str, *, after: bool, last: bool = False) -> str:
    """Insert ``text`` before or after the first (or ``last``) ``marker`` of pyvis's page.

    Plain string splicing, never a template: ``text`` may hold document text (escaped).
    """
    index = page.rfind(marker) if last else page.find(marker)
    if index < 0:
        raise RuntimeError(f"pyvis page has no {marker!r}: unexpected template")
    if after:
        index += len(marker)
    return page[:index] + text + page[index:]
