"""The interactive HTML view of a policy knowledge graph: one offline page built with pyvis.

``render_html`` turns the networkx view of the graph (a ``MultiDiGraph`` keyed by IRI, see the
module docstring of the graph stage, or the same nodes and edges as a plain
:class:`~policykg.graph.view.GraphView`) into a single self-contained UTF-8 page: vis-network is
inlined by pyvis (``cdn_resources="in_line"``) and the Bootstrap tags pyvis always adds are
removed, so the page asks no other host for anything (its Content-Security-Policy forbids it
too). ``templates/graph.js`` adds a search box (label or alias, substring), filters by type
(clicking the legend) and by document, a click that highlights a node's neighbourhood, and a
side panel with the node's type, label, aliases, documents, every mention's sentence with the
mention marked, and its relations in and out with their evidence, linking to the document
pages (:mod:`policykg.output.docview`) that ``policykg build`` writes next to the page.

Everything shown in the page comes from documents and must be treated as hostile text:

* node and edge data reach the page only through pyvis's jinja2 ``tojson`` filter, which escapes
  ``<``, ``>``, ``&`` and ``'`` as ``\\u003c`` etc., so ``</script>`` cannot close the block and
  ``{{7*7}}`` is data, never template source; the page's own data (documents, mention
  sentences) is JSON escaped the same way in a ``<script type="application/json">`` block;
* no vis item carries a ``title``: pyvis switches every popup to ``innerHTML`` as soon as one
  title contains ``href`` (FINDINGS.md). The hover text travels as a list of (key, value) rows
  in a ``hover`` field instead, turned into a DOM element built with ``textContent`` when the
  item is first hovered; the script builds the side panel, search results and the document
  menu with ``textContent`` and ``new Option`` alone, never ``innerHTML``; pyvis's
  ``heading=`` and ``select_menu`` (raw HTML) are not used;
* the page title and the legend are inserted after pyvis has rendered, HTML-escaped.

The layout is computed once, here, and vis physics is off: the page draws at once (physics
stabilisation took ~20 s for 300 nodes, FINDINGS.md) and the same graph gives byte-identical
HTML, whatever order its nodes and edges were added in.
"""

from __future__ import annotations

import copy
import html
import json
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from importlib import resources
from itertools import islice
from operator import itemgetter, le
from typing import Any, Final, Protocol, TypeVar

import networkx as nx
import numpy as np
from pyvis.network import Network

from policykg.extract.textview import paragraphs, sentences
from policykg.graph import DocumentText, MentionSpan
from policykg.graph.view import GraphView

from .docview import mention_anchor
from .errors import Errors, UsageError
from .palette import (
    DOCUMENT_TYPE,
    EDGE_COLORS,
    FALLBACK_COLOR,
    RELATION_NAMES_ZH,
    TYPE_COLORS,
    TYPE_NAMES_ZH,
)

T = TypeVar("T")
R = TypeVar("R")

__all__ = [
    "DEFAULT_NODE_BUDGET",
    "DOCUMENT_TYPE",
    "EDGE_COLORS",
    "FALLBACK_COLOR",
    "LABEL_MAX_CHARS",
    "LAYOUT_ITERATIONS",
    "RELATION_NAMES_ZH",
    "TYPE_COLORS",
    "TYPE_NAMES_ZH",
    "Elsewhere",
    "render_html",
]

#: Most nodes the network draws (``render_html``'s ``max_nodes``); search still finds the rest.
DEFAULT_NODE_BUDGET: Final = 2000

#: Node labels longer than this are cut to this many characters, "…" included.
LABEL_MAX_CHARS: Final = 16

#: Rounds of the force-directed layout (Fruchterman-Reingold, as networkx's spring_layout).
LAYOUT_ITERATIONS: Final = 50

#: Canvas units per sqrt(node): keeps the mean distance between nodes roughly constant.
LAYOUT_UNIT: Final = 120.0

#: Rows of the pairwise-repulsion matrix computed at once: 64 rows of 2,000 nodes are 512 KB
#: per array, which stay in the processor's cache (512 rows: 4 MB, 1.6 times slower).
_LAYOUT_BLOCK: Final = 64

#: Characters of a mention's sentence shown on either side of it in the side panel.
CONTEXT_CHARS: Final = 60

#: Mention sentences the side panel lists per node (``MAX_MENTIONS`` in graph.js); the page
#: holds no more than these, and the count of the others.
PANEL_MENTIONS: Final = 100

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

#: Content-Security-Policy of the graph page: inline script and style, nothing from anywhere.
CSP: Final = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)

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
_CARD_END_RE: Final = re.compile(r'<div id="mynetwork" class="card-body"></div>\s*</div>')


def render_html(
    graph: nx.MultiDiGraph | GraphView,
    title: str = "policykg",
    *,
    documents: Sequence[DocumentText] = (),
    mentions: Iterable[MentionSpan] = (),
    document_pages: Mapping[str, str] | None = None,
    max_nodes: int = DEFAULT_NODE_BUDGET,
    contexts: Iterable[MentionContext] | None = None,
    elsewhere: Elsewhere | None = None,
) -> str:
    """Render ``graph`` as one self-contained, offline HTML page and return it.

    Each graph node becomes one vis node (coloured by ``type``, labelled with its truncated
    ``label``) and each graph edge one vis edge (parallel edges kept, each with its own ``id``).
    Hovering shows a node's type, label, aliases and documents, or an edge's relation type and
    evidence sentence, always as plain text; clicking shows the same in the side panel with
    the node's relations, and its ``mentions`` (their sentences cut from ``documents``' texts).
    ``document_pages`` maps a document name to the href of its page (relative to this page);
    the panel links to it. ``contexts``, when given, are the mentions' sentences made per
    document already (:func:`document_contexts`, as a corpus build does in its workers), and
    ``documents``' texts are not read. ``title`` goes into ``<title>`` and the heading,
    HTML-escaped. The output depends only on the content given, not on insertion order.

    Above ``max_nodes`` nodes (0: no limit) the network draws only that many (see
    :func:`shown_nodes`), and the heading says so; every other entity goes into a compact
    search index in the page data (see :func:`_hidden_index`), so that search finds it and a
    click on it shows its panel and adds it to the network with its links to drawn nodes.

    ``graph`` may also be the same graph as plain data (a :class:`GraphView`, as a corpus
    build collects it), which gives the same page and spares making and walking networkx.
    With ``elsewhere`` (a corpus build's worker pool), the network's layout is computed by
    it while the rest of the page is made here; the page is the same.
    """
    if max_nodes < 0:
        raise UsageError(Errors.E160.format(value=max_nodes))
    whole = _plain(graph)
    pages = dict(document_pages or {})
    names = sorted(
        {d.name for d in documents}
        | {name for attrs in whole.nodes.values() for name in _texts(attrs.get("documents"))}
    )
    doc_index = {name: i for i, name in enumerate(names)}
    if contexts is None:
        contexts = _contexts_of(documents, mentions, pages)
    degree = Counter(map(itemgetter(0), whole.edges))
    degree.update(map(itemgetter(1), whole.edges))
    doc_nodes = {node for node, attrs in whole.nodes.items() if _is_document(attrs)}
    shown = _shown_nodes(whole, max_nodes, degree, doc_nodes)
    everything = len(shown) == len(whole.nodes)
    groups, outer = _relations_by_ends(whole.edges, shown) if not everything else ({}, [])
    drawn = whole if everything else _drawn_graph(whole.nodes, shown, groups)
    placed = _layout_started(drawn, elsewhere)  # the positions are needed last
    edges = _vis_edges(drawn)
    stand_ins = _stand_in(drawn.nodes, "nodes")

    net = Network(height="80vh", width="100%", directed=True, cdn_resources="in_line")
    # Keep Chinese readable (and the page smaller) in the embedded JSON; jinja2's tojson still
    # escapes < > & ' after dumping.
    net.templateEnv.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    # The nodes' and edges' JSON is most of pyvis's page, and every cut, splice and check
    # below walked or copied it: the page is made with stand-ins, which the JSON replaces at
    # the end (_fill). Nothing below can match in it or around it: it holds no < > & ' (tojson
    # escapes them) and no line break.
    to_json = net.templateEnv.from_string("{{ value|tojson }}")
    net.nodes, net.edges = stand_ins, _stand_in(edges, "edges")
    fills = [(to_json.render(value=net.edges), to_json.render(value=edges))]
    net.options = copy.deepcopy(_VIS_OPTIONS)
    page = str(net.generate_html())

    page = _strip_external(page)
    counts = Counter(str(attrs.get("type", "")) for attrs in whole.nodes.values())
    mentions_of, totals = _mention_contexts(whole.nodes, contexts, doc_index)
    data: dict[str, Any] = {
        "docs": [{"href": pages.get(name, ""), "name": name} for name in names],
        "mentions": mentions_of,
    }
    if totals:  # the panel shows the first ones and how many more there are
        data["mention_totals"] = totals
    if not everything:
        data["index"] = _hidden_index(whole.nodes, shown, outer, doc_index)
    head = (
        f'\n<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"\n<title>{html.escape(title)}</title>\n<style>{_asset('graph.css')}</style>"
    )
    note = _budget_note(len(whole.nodes), shown, doc_nodes)
    header = _header_html(title, len(whole.nodes), len(whole.edges), counts, note)
    page = _insert(page, _HEAD_MARKER, head, after=True)
    page = _insert(page, _BODY_MARKER, header + '<div class="pkg-main">\n', after=False)
    card_end = _CARD_END_RE.search(page)
    if card_end is None:
        raise RuntimeError("pyvis page has no network card: unexpected template")
    page = (
        page[: card_end.start()]
        + '<div id="mynetwork" class="card-body"></div>\n'
        + '<ul id="pkg-results" hidden></ul>\n</div>\n'
        + '<aside id="pkg-panel" class="pkg-panel" aria-live="polite"></aside>\n</div>\n'
        + page[card_end.end() :]
    )
    # before the data and graph.js go in: neither holds "<html>", so the first is the same
    page = page.replace("<html>", '<!DOCTYPE html>\n<html lang="zh-CN">', 1)
    script = (
        f'<script type="application/json" id="pkg-data">{_script_json(data)}</script>\n'
        f'<script type="text/javascript">\n{_asset("graph.js")}</script>\n'
    )
    nodes = _vis_nodes(drawn, placed(), doc_index, degree)
    fills.insert(0, (to_json.render(value=stand_ins), to_json.render(value=nodes)))
    page = _fill(page, fills, script)
    if _ANY_EXTERNAL_TAG_RE.search(page):
        raise RuntimeError(
            "pyvis produced a tag that loads from another host; update _strip_external"
        )
    return page


class Elsewhere(Protocol):
    """Starts ``function(task)`` in another process and returns a call that waits for its
    result (:meth:`~.parallel.WorkerPool.submit`)."""

    def __call__(self, function: Callable[[T], R], task: T, /) -> Callable[[], R]: ...


#: An edge as render_html reads it: (head, tail, key, attributes).
_Edge = tuple[Hashable, Hashable, Hashable, Mapping[str, Any]]


@dataclass(frozen=True)
class _Graph:
    """A graph as render_html reads it: node -> attributes (in the graph's node order) and
    the edges, plain dicts and tuples. Walking networkx's views cost ~10 times more per edge,
    and a corpus page walks ~600,000 edges several times."""

    nodes: dict[Hashable, Mapping[str, Any]]
    edges: Sequence[_Edge]


def _plain(graph: nx.MultiDiGraph | GraphView) -> _Graph:
    """``graph`` as a :class:`_Graph`; an edge's end that is not a node becomes one, with no
    attributes (as networkx adds it)."""
    if isinstance(graph, GraphView):
        nodes: dict[Hashable, Mapping[str, Any]] = dict(graph.nodes.items())
        ends = set(map(itemgetter(0), graph.edges))
        ends.update(map(itemgetter(1), graph.edges))
        if not ends <= nodes.keys():
            for head, tail, _, _ in graph.edges:
                nodes.setdefault(head, {})
                nodes.setdefault(tail, {})
        return _Graph(nodes, graph.edges)
    return _Graph(dict(graph.nodes(data=True)), list(graph.edges(keys=True, data=True)))


def _edge_order(edge: _Edge) -> tuple[str, str, str]:
    """The order of edges in the page: by head, tail and key, as strings."""
    return (str(edge[0]), str(edge[1]), str(edge[2]))


def _asset(name: str) -> str:
    """The text of ``templates/<name>`` (the page's script and style sheet)."""
    return resources.files(__package__).joinpath(f"templates/{name}").read_text("utf-8")


def _script_json(value: object) -> str:
    """``value`` as JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&`` escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


#: One mention as the side panel shows it: (entity IRI, document name, start, end, text,
#: before, mention, after, anchor), see :func:`document_contexts`.
MentionContext = tuple[str, str, int, int, str, str, str, str, str]


def document_contexts(
    document: DocumentText, mentions: Iterable[MentionSpan], anchors: bool = True
) -> list[MentionContext]:
    """The mentions of one document with their sentence, as the side panel shows them.

    ``before`` and ``after`` are the rest of the mention's sentence, cut to ``CONTEXT_CHARS``
    characters (with "…"); ``anchor`` is the mark's id in the document page (``anchors``), or
    "". Mentions of other documents, and those whose offsets do not fit the text, are left
    out. A document's contexts need only its own text, so a corpus build makes them where
    it makes the document's page.
    """
    text = document.text
    spans: list[tuple[int, int]] | None = None
    starts: list[int] = []
    out: list[MentionContext] = []
    for m in mentions:
        if m.document != document.name or not 0 <= m.start < m.end <= len(text):
            continue
        if spans is None:
            spans = [(s.start, s.end) for p in paragraphs(text) for s in sentences(text, p)]
            starts = [start for start, _ in spans]
        k = bisect_right(starts, m.start) - 1
        sent_start, sent_end = spans[k] if k >= 0 else (m.start, m.end)
        sent_start, sent_end = min(sent_start, m.start), max(sent_end, m.end)
        before = text[max(sent_start, m.start - CONTEXT_CHARS) : m.start]
        if m.start - sent_start > CONTEXT_CHARS:
            before = "…" + before
        after = text[m.end : min(sent_end, m.end + CONTEXT_CHARS)]
        if sent_end - m.end > CONTEXT_CHARS:
            after += "…"
        anchor = mention_anchor(m.start, m.end) if anchors else ""
        out.append(
            (
                m.entity,
                m.document,
                m.start,
                m.end,
                m.text,
                before,
                text[m.start : m.end],
                after,
                anchor,
            )
        )
    return out


def _contexts_of(
    documents: Sequence[DocumentText], mentions: Iterable[MentionSpan], pages: Mapping[str, str]
) -> list[MentionContext]:
    """The contexts of ``mentions`` in ``documents`` (anchors where a document has a page)."""
    by_document: dict[str, list[MentionSpan]] = {}
    for m in mentions:
        by_document.setdefault(m.document, []).append(m)
    out: list[MentionContext] = []
    for document in documents:
        found = by_document.get(document.name, [])
        out.extend(document_contexts(document, found, anchors=document.name in pages))
    return out


def _mention_contexts(
    nodes: Mapping[Hashable, object],
    contexts: Iterable[MentionContext],
    doc_index: Mapping[str, int],
) -> tuple[dict[str, list[list[Any]]], dict[str, int]]:
    """Per node IRI, its mentions (``contexts``) as [document index, before, mention, after,
    anchor], in the order of (document, start, end, text), the first ``PANEL_MENTIONS`` of
    them; entities not in ``nodes`` left out. Then the number of mentions of each node that
    has more than those.
    """
    listed = list(contexts)
    grouped: dict[str, list[MentionContext]] = {}
    for context in listed:
        if context[0] in nodes:
            grouped.setdefault(context[0], []).append(context)
    order = itemgetter(1, 2, 3, 4)
    # A build lists them by document and place already, and then every node's are in order
    # (checking is 2 times faster than sorting each node's).
    keys = list(map(order, listed))
    in_order = all(map(le, keys, islice(keys, 1, None)))
    out: dict[str, list[list[Any]]] = {}
    totals: dict[str, int] = {}
    for entity in sorted(grouped):
        found = grouped[entity] if in_order else sorted(grouped[entity], key=order)
        if len(found) > PANEL_MENTIONS:
            totals[entity] = len(found)
            del found[PANEL_MENTIONS:]
        out[entity] = [[doc_index[c[1]], c[5], c[6], c[7], c[8]] for c in found]
    return out, totals


def _layout(graph: _Graph) -> dict[Hashable, tuple[float, float]]:
    """Deterministic 2-D positions for every node, in vis canvas units.

    Nodes and links are fed to the layout in sorted order so that insertion order cannot
    change the result (see :func:`_force_layout`).
    """
    return _layout_started(graph, None)()


def _layout_started(
    graph: _Graph, elsewhere: Elsewhere | None
) -> Callable[[], dict[Hashable, tuple[float, float]]]:
    """:func:`_layout` of ``graph``, started ``elsewhere`` (or computed when asked for): the
    call returned gives the positions."""
    ordered = sorted(graph.nodes, key=str)
    index = {node: i for i, node in enumerate(ordered)}
    ends = ((index[u], index[v]) for u, v, _, _ in graph.edges if u != v)
    pairs = sorted({(a, b) if a <= b else (b, a) for a, b in ends})
    task = (len(ordered), pairs)
    raw_of = elsewhere(_force_layout_of, task) if elsewhere is not None else None
    scale = LAYOUT_UNIT * math.sqrt(max(len(ordered), 1))

    def positions() -> dict[Hashable, tuple[float, float]]:
        raw = raw_of() if raw_of is not None else _force_layout_of(task)
        return {
            node: (round(float(x) * scale, 1), round(float(y) * scale, 1))
            for node, (x, y) in zip(ordered, raw, strict=True)
        }

    return positions


def _force_layout_of(task: tuple[int, Sequence[tuple[int, int]]]) -> np.ndarray:
    """:func:`_force_layout` of (nodes, links): one argument, for a worker process."""
    return _force_layout(*task)


def _force_layout(n: int, links: Sequence[tuple[int, ...]]) -> np.ndarray:
    """Fruchterman-Reingold positions of ``n`` nodes in [-1, 1]², as an (n, 2) array.

    The algorithm and constants of networkx's ``spring_layout`` (optimal distance
    1/sqrt(n), linear cooling from 0.1, ``LAYOUT_ITERATIONS`` rounds, seeded start), but
    vectorised: repulsion over all pairs in blocks of ``_LAYOUT_BLOCK`` rows, attraction over
    the links only. networkx's own version needs scipy from 500 nodes on and then loops in
    Python over the nodes: 20 s for 2,000 nodes here, against ~0.6 s for this one. The blocks
    are worked in arrays made once (``out=``), small enough to stay in the cache, and the
    floor of the squared distance is an array too (numpy's maximum against a scalar was 3
    times slower); the arithmetic, and so every position, is the same as with new arrays at
    each step.
    """
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.zeros((1, 2))
    rng = np.random.default_rng(0)
    pos = rng.random((n, 2), dtype=np.float32)
    k = np.float32(math.sqrt(1.0 / n))
    k2 = k * k
    heads = np.array([u for u, _ in links], dtype=np.intp)
    tails = np.array([v for _, v in links], dtype=np.intp)
    t = np.float32(0.1)
    dt = np.float32(t / (LAYOUT_ITERATIONS + 1))
    rows = min(n, _LAYOUT_BLOCK)
    dx_rows, dy_rows, force_rows, dy2_rows = (
        np.empty((rows, n), dtype=np.float32) for _ in range(4)
    )
    floor_rows = np.full((rows, n), 1e-4, dtype=np.float32)
    disp = np.empty((n, 2), dtype=np.float32)
    for _ in range(LAYOUT_ITERATIONS):
        # contiguous copies: broadcasting a strided column was 2 times slower
        x, y = np.ascontiguousarray(pos[:, 0]), np.ascontiguousarray(pos[:, 1])
        disp.fill(0)
        for lo in range(0, n, _LAYOUT_BLOCK):
            hi = min(n, lo + _LAYOUT_BLOCK)
            size = hi - lo
            dx, dy = dx_rows[:size], dy_rows[:size]
            force, dy2, floor = force_rows[:size], dy2_rows[:size], floor_rows[:size]
            np.subtract(x[lo:hi, None], x[None, :], out=dx)
            np.subtract(y[lo:hi, None], y[None, :], out=dy)
            np.multiply(dx, dx, out=force)
            np.multiply(dy, dy, out=dy2)
            np.add(force, dy2, out=force)
            np.maximum(force, floor, out=force)
            np.divide(k2, force, out=force)
            np.multiply(dx, force, out=dx)
            np.multiply(dy, force, out=dy)
            disp[lo:hi, 0] = dx.sum(axis=1)
            disp[lo:hi, 1] = dy.sum(axis=1)
        if len(heads):
            delta = pos[heads] - pos[tails]
            dist = np.maximum(np.sqrt((delta * delta).sum(axis=1)), 0.01)
            pull = delta * (dist / k)[:, None]
            np.subtract.at(disp, heads, pull)
            np.add.at(disp, tails, pull)
        length = np.sqrt((disp * disp).sum(axis=1))
        length = np.where(length < 0.01, 0.1, length)
        pos += disp * (t / length)[:, None]
        t -= dt
    pos -= pos.mean(axis=0)
    extent = float(np.abs(pos).max())
    return pos / extent if extent > 0 else pos


def _pair(u: Hashable, v: Hashable) -> tuple[Hashable, Hashable]:
    """The two ends of a link in a canonical order (by their string form)."""
    return (u, v) if str(u) <= str(v) else (v, u)


def _is_document(attrs: Mapping[str, Any]) -> bool:
    """Whether a node's attributes are those of a document node."""
    return attrs.get("kind") == "document" or str(attrs.get("type", "")) == DOCUMENT_TYPE


def _shown_nodes(
    graph: _Graph, max_nodes: int, degree: Mapping[Hashable, int], documents: set[Hashable]
) -> frozenset[Hashable]:
    """The nodes the network draws: all of them, or ``max_nodes`` of them (0: no limit).

    Over the budget: the document nodes (``documents``) first (the most mentioned ones, by
    ``degree``, if they alone exceed it), then the entities with the most relations (edges
    other than ``mentionedIn``, parallel edges counted each, in and out), ties broken by IRI.
    """
    if max_nodes == 0 or len(graph.nodes) <= max_nodes:
        return frozenset(graph.nodes)
    relations = [edge for edge in graph.edges if edge[3].get("type") != "mentionedIn"]
    ranks = Counter(map(itemgetter(0), relations))
    ranks.update(map(itemgetter(1), relations))
    for node in documents:
        ranks[node] = degree[node]
    ranked = sorted(graph.nodes, key=lambda n: (n not in documents, -ranks[n], str(n)))
    return frozenset(ranked[:max_nodes])


def _relations_by_ends(
    edges: Iterable[_Edge], shown: frozenset[Hashable]
) -> tuple[dict[tuple[str, str, str], tuple[str, _Edge, int]], list[_Edge]]:
    """The edges other than ``mentionedIn`` in one pass: those between two ``shown`` nodes
    grouped by (head, tail, relation), as strings, each group as its first edge by key (the
    earliest of equal ones), that key and the group's size; and those with an end left out.
    """
    groups: dict[tuple[str, str, str], tuple[str, _Edge, int]] = {}
    outer: list[_Edge] = []
    for edge in edges:
        head, tail, key, attrs = edge
        relation = str(attrs.get("type", ""))
        if relation == "mentionedIn":
            continue
        if head in shown and tail in shown:
            group = (str(head), str(tail), relation)
            name = str(key)
            first = groups.get(group)
            if first is None:
                groups[group] = (name, edge, 1)
            elif name < first[0]:
                groups[group] = (name, edge, first[2] + 1)
            else:
                groups[group] = (first[0], first[1], first[2] + 1)
        else:
            outer.append(edge)
    return groups, outer


def _drawn_graph(
    nodes: Mapping[Hashable, Mapping[str, Any]],
    shown: frozenset[Hashable],
    groups: Mapping[tuple[str, str, str], tuple[str, _Edge, int]],
) -> _Graph:
    """What the network draws over the budget: the ``shown`` nodes and, among them, one edge
    per (head, tail, relation) of ``groups`` (see :func:`_relations_by_ends`).

    A corpus states the same relation in many documents and mentions a hub entity in all of
    them: drawing every statement put 545,000 edges (280 MB) in the page of 1,000 documents.
    The drawn edge carries the first statement (by key) and ``statements``, their number;
    a node's documents are in its panel.
    """
    edges: list[_Edge] = []
    for group in sorted(groups):
        _, (head, tail, key, attrs), count = groups[group]
        edges.append((head, tail, key, {**attrs, "statements": count} if count > 1 else attrs))
    return _Graph({node: attrs for node, attrs in nodes.items() if node in shown}, edges)


def _budget_note(n_nodes: int, shown: frozenset[Hashable], documents: set[Hashable]) -> str:
    """What the heading says when the network shows ``shown`` of ``n_nodes`` nodes, of which
    ``documents`` are the documents ("" when it draws them all)."""
    if len(shown) == n_nodes:
        return ""
    entities = n_nodes - len(documents)
    drawn = len(shown - documents)
    note = (
        f"显示连接最多的 {drawn:,} 个实体（共 {entities:,} 个），搜索可找到全部 · "
        f"showing the {drawn:,} most connected of {entities:,} entities; "
        "search finds all of them · 每种关系只画一条 · each relation drawn once"
    )
    if not documents <= shown:
        note += f" (and {len(documents & shown):,} of {len(documents):,} documents)"
    return note


def _hidden_index(
    graph_nodes: Mapping[Hashable, Mapping[str, Any]],
    shown: frozenset[Hashable],
    outer: Iterable[_Edge],
    doc_index: Mapping[str, int],
) -> dict[str, Any]:
    """The search index of the nodes the network leaves out (of ``graph_nodes``), with their
    relations (``outer``, see :func:`_relations_by_ends`).

    Compact, as lists rather than objects, strings that repeat given once:

    * ``nodes``: ``[IRI, label, aliases, type, documents]`` per left-out node, sorted by IRI;
      ``aliases`` joined with "、" as in the hover, ``type`` indexes ``types``, ``documents``
      the page's document list;
    * ``types``: ``[type, type as shown, colour, vis shape]``; ``relations``:
      ``[relation, as shown]``; ``rules``: rule ids; ``edge_color``, ``label_max``: what the
      script needs to draw a left-out node and its relations as render_html would have;
    * ``rels``: every relation (not ``mentionedIn``) with at least one left-out end, as
      ``[head, tail, relation, evidence, document, rule]``, sorted as the vis edges are;
      ``head`` and ``tail`` index ``nodes`` then, past its end, ``shown`` (drawn nodes);
      ``document`` indexes the document list, or is the name when it is not in it.
    """
    hidden = sorted((node for node in graph_nodes if node not in shown), key=str)
    triples = sorted(outer, key=_edge_order)
    linked = sorted({end for t in triples for end in t[:2] if end in shown}, key=str)
    ref = {node: i for i, node in enumerate([*hidden, *linked])}
    types = sorted({str(graph_nodes[node].get("type", "")) for node in hidden})
    relations = sorted({str(t[3].get("type", "")) for t in triples})
    rules = sorted({_text(t[3].get("rule")) for t in triples})
    type_ref = {name: i for i, name in enumerate(types)}
    relation_ref = {name: i for i, name in enumerate(relations)}
    rule_ref = {name: i for i, name in enumerate(rules)}
    nodes = []
    for node in hidden:
        attrs = graph_nodes[node]
        nodes.append(
            [
                str(node),
                _text(attrs.get("label")) or str(node),
                "、".join(_texts(attrs.get("aliases"))),
                type_ref[str(attrs.get("type", ""))],
                sorted(doc_index[d] for d in set(_texts(attrs.get("documents")))),
            ]
        )
    rels: list[list[Any]] = []
    for head, tail, _key, attrs in triples:
        document = _text(attrs.get("document"))
        rels.append(
            [
                ref[head],
                ref[tail],
                relation_ref[str(attrs.get("type", ""))],
                _text(attrs.get("evidence")),
                doc_index.get(document, document),
                rule_ref[_text(attrs.get("rule"))],
            ]
        )
    return {
        "nodes": nodes,
        "shown": [str(node) for node in linked],
        "types": [
            [
                name,
                _type_text(name),
                TYPE_COLORS.get(name, FALLBACK_COLOR),
                "square" if name == DOCUMENT_TYPE else "dot",
            ]
            for name in types
        ],
        "edge_color": EDGE_COLORS["relation"],
        "label_max": LABEL_MAX_CHARS,
        "relations": [[name, _relation_text(name)] for name in relations],
        "rules": rules,
        "rels": rels,
    }


def _vis_nodes(
    graph: _Graph,
    positions: Mapping[Hashable, tuple[float, float]],
    doc_index: Mapping[str, int],
    degree: Mapping[Hashable, int],
) -> list[dict[str, Any]]:
    """One vis node dict per graph node, sorted by id; hover text in ``hover``, no ``title``.

    ``docs`` lists the indexes (in the page's document list) of the node's documents; the
    size grows with ``degree`` (links in the whole graph, drawn or not).
    """
    nodes: list[dict[str, Any]] = []
    for node in sorted(graph.nodes, key=str):
        attrs = graph.nodes[node]
        node_type = str(attrs.get("type", ""))
        label = _text(attrs.get("label")) or str(node)
        x, y = positions[node]
        is_document = _is_document(attrs)
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
                "docs": sorted(doc_index[d] for d in set(_texts(attrs.get("documents")))),
            }
        )
    return nodes


def _vis_edges(graph: _Graph) -> list[dict[str, Any]]:
    """One vis edge dict per graph edge, sorted by (head, tail, key), ids ``e0``, ``e1``, ….

    The n-th further edge between the same two nodes (either direction) is drawn as a curve of
    growing roundness, alternating sides, so parallel edges do not hide each other.
    """
    triples = sorted(graph.edges, key=_edge_order)
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
            "hover": _edge_hover(graph.nodes, head, tail, relation, attrs),
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
    nodes: Mapping[Hashable, Mapping[str, Any]],
    head: Hashable,
    tail: Hashable,
    relation: str,
    attrs: Mapping[str, Any],
) -> list[list[str]]:
    """The (key, value) rows of an edge's hover: relation, ends, evidence, document, rule."""
    rows = [
        ["关系 Relation", _relation_text(relation)],
        ["从 From", _text(nodes[head].get("label")) or str(head)],
        ["到 To", _text(nodes[tail].get("label")) or str(tail)],
    ]
    if attrs.get("statements"):
        rows.append(["陈述 Statements", f"{attrs['statements']} (first shown)"])
    for key, name in (
        ("evidence", "证据 Evidence"),
        ("document", "文档 Document"),
        ("rule", "规则 Rule"),
    ):
        value = _text(attrs.get(key))
        if value:
            rows.append([name, value])
    return rows


def _relation_text(relation: str) -> str:
    """A relation type as shown to readers: ``deploys (部署)``."""
    zh = RELATION_NAMES_ZH.get(relation)
    return f"{relation} ({zh})" if zh else relation


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


def _header_html(
    title: str, n_nodes: int, n_edges: int, counts: Mapping[str, int], note: str = ""
) -> str:
    """The escaped page heading, counts, search and document controls, and the legend.

    Each legend entry is a button that hides or shows its type. ``note`` (if any) says what
    the network leaves out, on a line of its own under the counts.
    """
    items = []
    for node_type, color in TYPE_COLORS.items():
        square = " pkg-square" if node_type == DOCUMENT_TYPE else ""
        items.append(
            f'<button type="button" class="pkg-item" data-type="{html.escape(node_type)}" '
            f'aria-pressed="true" title="显示/隐藏 show/hide">'
            f'<span class="pkg-swatch{square}" style="background-color: {html.escape(color)}">'
            f"</span>{html.escape(node_type)} {html.escape(TYPE_NAMES_ZH[node_type])}"
            f' <span class="pkg-count">({counts.get(node_type, 0)})</span></button>'
        )
    legend = "\n  ".join(items)
    return (
        f'<header class="pkg-header">\n<h1>{html.escape(title)}</h1>\n'
        f'<p class="pkg-stats">{n_nodes} 个节点 nodes · {n_edges} 条关系 edges · '
        f'<span id="pkg-visible"></span> · 点击图例筛选类型 click the legend to filter types</p>\n'
        + (f'<p class="pkg-budget" id="pkg-budget">{html.escape(note)}</p>\n' if note else "")
        + '<div class="pkg-controls">\n'
        '  <input id="pkg-search" type="search" autocomplete="off" '
        'placeholder="搜索名称或别名 search label or alias" aria-label="search">\n'
        '  <select id="pkg-doc" aria-label="document"><option value="">全部文档 all documents'
        "</option></select>\n"
        '  <button id="pkg-reset" type="button">重置 reset</button>\n</div>\n'
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


def _stand_in(items: Sized, name: str) -> list[dict[str, str]]:
    """What pyvis's template gets in place of its ``nodes`` or ``edges``: one small dict
    (pyvis reads nodes as dicts), 1 to 101 times, so that its ``nodes|length > 100`` decides
    as it would on ``items``."""
    return [{"pkg-stand-in": name}] * max(1, min(len(items), 101))


def _fill(page: str, fills: Sequence[tuple[str, str]], script: str) -> str:
    """``page`` with each stand-in of ``fills`` (there once) replaced by its text, and
    ``script`` inserted before the last ``</body>``, in one join (the page may be ~100 MB)."""
    cuts: list[tuple[int, int, str]] = []
    for stand_in, text in fills:
        at = page.find(stand_in)
        if at < 0 or page.find(stand_in, at + 1) >= 0:
            raise RuntimeError("pyvis page has not one place for its data: unexpected template")
        cuts.append((at, at + len(stand_in), text))
    end = page.rfind(_END_MARKER)
    if end < 0:
        raise RuntimeError(f"pyvis page has no {_END_MARKER!r}: unexpected template")
    cuts.append((end, end, script))
    pieces: list[str] = []
    done = 0
    for start, stop, text in sorted(cuts):
        pieces += [page[done:start], text]
        done = stop
    pieces.append(page[done:])
    return "".join(pieces)


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
