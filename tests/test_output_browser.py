"""The pages policykg build writes, in a real browser: headless Chromium driven by Playwright.

Debian's ``/usr/bin/chromium`` (Playwright downloads no browser here); ``.ci/run`` installs it
with a CJK font, and ``playwright`` is in the test extra. Without either the browser tests
skip with the reason. One browser per module; every page opened is watched for requests
(only ``file:`` URLs may be asked for), console errors, page errors and dialogs.

Two builds: the seeds (the page users see) and a hostile document whose name, title, entity
labels and evidence carry script, event-handler, ``javascript:`` and template payloads,
through the whole pipeline (extract → graph → HTML).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pytest

from policykg.output.api import BuildResult, build

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

HOSTILE_NAME = "<img src=x onerror=alert(1)>.txt"
#: A speech whose title, names and sentences carry payloads (tests/data/hostile_payloads.txt).
HOSTILE_TEXT = ROOT / "tests" / "data" / "hostile_payloads.txt"
#: What must never appear in a page's source as written (it would be live markup).
LIVE = [
    "<script>alert",
    "<img src=x",
    '<a href="javascript:alert(2)">',
    "onerror=alert(1)>",
]


@dataclass
class Visit:
    """A page and what it did: requests, console errors, page errors, dialogs."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_quiet(self) -> None:
        """Only file: URLs were asked for; no error was logged; no dialog opened."""
        assert [url for url in self.requests if not url.startswith("file:")] == []
        assert self.errors == []
        assert self.dialogs == []


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="needs playwright (pip install -e '.[test]')"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build([SEEDS], tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="module")
def seed_view(seeds: BuildResult) -> nx.MultiDiGraph:
    return seeds.graph.to_networkx()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "in").mkdir()
    shutil.copyfile(HOSTILE_TEXT, folder / "in" / HOSTILE_NAME)
    return build([folder / "in"], folder / "out")


def visit(browser: Browser, path: Path, graph_page: bool = True) -> Visit:
    """Open ``path`` in a fresh page; for a graph page, wait until it is drawn and set up."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    seen = Visit(page)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on(
        "console",
        lambda message: seen.errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: seen.errors.append(str(error)))

    def dialog(d: Any) -> None:
        seen.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(path.as_uri())
    if graph_page:
        page.wait_for_selector("html[data-pkg-ready]", state="attached")
    return seen


def visible_nodes(page: Page) -> set[str]:
    return set(page.evaluate("nodes.get({filter: n => !n.hidden}).map(n => n.id)"))


def click_node(page: Page, node: str) -> None:
    """Click ``node`` where it is drawn on the canvas (zoomed to it first)."""
    page.evaluate("id => network.moveTo({position: network.getPosition(id), scale: 2})", node)
    x, y = page.evaluate(
        """id => {
          const p = network.canvasToDOM(network.getPosition(id));
          const r = document.querySelector("#mynetwork canvas").getBoundingClientRect();
          return [p.x + r.left, p.y + r.top];
        }""",
        node,
    )
    page.mouse.click(x, y)
    page.wait_for_selector("#pkg-panel h2")


def node_labelled(view: nx.MultiDiGraph, label: str) -> str:
    (node,) = [n for n, text in view.nodes(data="label") if text == label]
    return str(node)


def live_links(page: Page) -> list[str]:
    """Every href in the DOM whose scheme is javascript: (after trimming, any case)."""
    return list(
        page.evaluate(
            """() => Array.from(document.querySelectorAll("[href]"))
                 .map(a => a.getAttribute("href"))
                 .filter(h => /^\\s*javascript:/i.test(h))"""
        )
    )


# -- the seeds' graph page --------------------------------------------------------------------


def test_network_holds_exactly_the_graphs_nodes_and_edges(
    browser: Browser, seeds: BuildResult, seed_view: nx.MultiDiGraph
) -> None:
    seen = visit(browser, seeds.graph_html)
    page = seen.page
    assert sorted(page.evaluate("nodes.getIds()")) == sorted(seed_view.nodes)
    drawn = page.evaluate("edges.get().map(e => [e.from, e.to, e.relation])")
    assert sorted(map(tuple, drawn)) == sorted(
        (u, v, t) for u, v, t in seed_view.edges(data="type")
    )
    assert page.evaluate("Object.keys(network.body.nodes).length") >= seed_view.number_of_nodes()
    assert page.text_content("#pkg-visible") == (
        f"显示 showing {seed_view.number_of_nodes()} / {seed_view.number_of_nodes()}"
    )
    seen.assert_quiet()
    page.close()


def test_search_shows_only_matching_labels_and_aliases(
    browser: Browser, seeds: BuildResult, seed_view: nx.MultiDiGraph
) -> None:
    seen = visit(browser, seeds.graph_html)
    page = seen.page
    everything = visible_nodes(page)
    page.fill("#pkg-search", "乡村振兴")
    page.wait_for_selector("#pkg-results:not([hidden])")
    expected = {
        str(n)
        for n, attrs in seed_view.nodes(data=True)
        if "乡村振兴" in attrs["label"] + "\n" + "、".join(attrs["aliases"])
    }
    assert 1 < len(expected) < len(everything)
    assert visible_nodes(page) == expected
    assert page.text_content("#pkg-results .pkg-count") == f"{len(expected)} 个结果 matches"
    assert page.locator("#pkg-results button").count() == len(expected)
    page.fill("#pkg-search", "")
    page.wait_for_selector("#pkg-results", state="hidden")
    assert visible_nodes(page) == everything
    seen.assert_quiet()
    page.close()


def test_legend_and_document_filters(
    browser: Browser, seeds: BuildResult, seed_view: nx.MultiDiGraph
) -> None:
    seen = visit(browser, seeds.graph_html)
    page = seen.page
    everything = visible_nodes(page)
    tasks = {str(n) for n, t in seed_view.nodes(data="type") if t == "Task"}
    page.click('#pkg-legend button[data-type="Task"]')
    assert visible_nodes(page) == everything - tasks
    assert page.get_attribute('#pkg-legend button[data-type="Task"]', "aria-pressed") == "false"
    page.click('#pkg-legend button[data-type="Task"]')
    assert visible_nodes(page) == everything

    name = "hailar_district_gov_work_report_2019.txt"
    options = page.eval_on_selector_all("#pkg-doc option", "os => os.map(o => o.textContent)")
    assert options == ["全部文档 all documents", *sorted(seeds.document_names)]
    page.select_option("#pkg-doc", label=name)
    in_report = {str(n) for n, docs in seed_view.nodes(data="documents") if name in docs}
    assert visible_nodes(page) == in_report
    page.click('#pkg-legend button[data-type="Task"]')
    assert visible_nodes(page) == in_report - tasks
    page.click("#pkg-reset")
    assert visible_nodes(page) == everything
    seen.assert_quiet()
    page.close()


def test_click_highlights_the_neighbourhood_and_fills_the_panel(
    browser: Browser, seeds: BuildResult, seed_view: nx.MultiDiGraph
) -> None:
    seen = visit(browser, seeds.graph_html)
    page = seen.page
    node = node_labelled(seed_view, "乡村振兴战略")
    click_node(page, node)
    neighbours = (set(seed_view.successors(node)) | set(seed_view.predecessors(node))) - {node}
    assert page.get_attribute("#mynetwork", "data-pkg-focus") == str(len(neighbours) + 1)
    assert page.text_content("#pkg-panel h2") == "乡村振兴战略"
    fields = page.eval_on_selector_all("#pkg-panel dt", "ds => ds.map(d => d.textContent)")
    assert fields == ["类型 Type", "名称 Label", "别名 Aliases", "IRI", "文档 Documents"]
    mentions = [m for m in seeds.graph.mentions() if m.entity == node]
    assert page.text_content("#pkg-panel h3 >> nth=0") == f"提及 Mentions ({len(mentions)})"
    marked = page.eval_on_selector_all(
        "#pkg-panel .pkg-mentions .pkg-sentence mark", "ms => ms.map(m => m.textContent)"
    )
    assert marked == [m.text for m in mentions]  # in document order
    out_edges = [e for e in seed_view.out_edges(node, data="type") if e[2] != "mentionedIn"]
    in_edges = [e for e in seed_view.in_edges(node, data="type") if e[2] != "mentionedIn"]
    headings = page.eval_on_selector_all("#pkg-panel h3", "hs => hs.map(h => h.textContent)")
    assert headings[1:] == [
        f"关系（出）Relations out ({len(out_edges)})",
        f"关系（入）Relations in ({len(in_edges)})",
    ]
    assert page.locator("#pkg-panel .pkg-relations li").count() == len(out_edges) + len(in_edges)

    page.click("#pkg-reset")  # unselects: no highlight, the hint again
    assert page.get_attribute("#mynetwork", "data-pkg-focus") is None
    assert page.locator("#pkg-panel .pkg-hint").count() == 1
    seen.assert_quiet()
    page.close()


def test_mention_opens_the_document_view_and_back(
    browser: Browser, seeds: BuildResult, seed_view: nx.MultiDiGraph
) -> None:
    seen = visit(browser, seeds.graph_html)
    page = seen.page
    node = node_labelled(seed_view, "乡村振兴战略")
    click_node(page, node)
    link = page.locator("#pkg-panel .pkg-mentions a").first
    href = link.get_attribute("href")
    assert href is not None and re.fullmatch(r"docs/[\w.-]+\.html#m\d+-\d+", href)
    link.click()
    page.wait_for_load_state()
    assert (
        page.url
        == (seeds.graph_html.parent / href.split("#")[0]).as_uri() + "#" + (href.split("#")[1])
    )
    assert page.eval_on_selector(":target", "m => m.getAttribute('data-type')") == "Strategy"
    assert page.locator("script").count() == 0
    # the mark's label leads back to the graph page, with the entity selected
    page.locator(":target > .entity-label a").click()
    page.wait_for_selector("html[data-pkg-ready]", state="attached")
    page.wait_for_selector("#pkg-panel h2")
    assert page.text_content("#pkg-panel h2") == "乡村振兴战略"
    seen.assert_quiet()
    page.close()


def test_chinese_is_drawn_with_a_cjk_font(browser: Browser, seeds: BuildResult) -> None:
    seen = visit(browser, seeds.graph_html)
    page = seen.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    target = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "#pkg-legend button"})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": target["nodeId"]})["fonts"]
    families = {font["familyName"] for font in fonts}
    assert families & {"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC"}, families
    # (CDP's CSS domain itself logs a file: origin warning here; the other tests check errors)
    assert [url for url in seen.requests if not url.startswith("file:")] == []
    page.close()


# -- hostile text through the whole build -----------------------------------------------------


def test_hostile_build_writes_no_live_payload(hostile: BuildResult) -> None:
    labels = [label for _, label in hostile.graph.to_networkx().nodes(data="label")]
    assert any("<img src=x onerror=alert(1)>" in label for label in labels)  # it got through
    assert any("{{7*7}}" in label for label in labels)
    for path in (hostile.graph_html, *hostile.document_pages):
        source = path.read_text("utf-8")
        for live in LIVE:
            assert live not in source, (path.name, live)
        assert "<h1>49" not in source
    (page_path,) = hostile.document_pages
    assert page_path.name == "img_src_x_onerror_alert_1-a6f7ad98.html"


def test_hostile_graph_page_runs_nothing(browser: Browser, hostile: BuildResult) -> None:
    seen = visit(browser, hostile.graph_html)
    page = seen.page
    view = hostile.graph.to_networkx()
    (task,) = [n for n, label in view.nodes(data="label") if "onerror" in label]
    # hover (tooltip) and click (side panel) the node whose label holds the payload
    page.fill("#pkg-search", "onerror")
    page.locator("#pkg-results button").first.click()
    page.wait_for_selector("#pkg-panel h2")
    panel = page.text_content("#pkg-panel") or ""
    assert "坚决落实“<img src=x onerror=alert(1)>”工程" in panel
    assert "{{7*7}}改革" in panel
    click_node(page, str(task))
    page.mouse.move(0, 0)
    x, y = page.evaluate(
        """id => {
          const p = network.canvasToDOM(network.getPosition(id));
          const r = document.querySelector("#mynetwork canvas").getBoundingClientRect();
          return [p.x + r.left, p.y + r.top];
        }""",
        str(task),
    )
    page.mouse.move(x, y)
    page.wait_for_selector("div.vis-tooltip .pkg-tip")
    assert "onerror=alert(1)" in (page.text_content("div.vis-tooltip") or "")
    options = page.eval_on_selector_all("#pkg-doc option", "os => os.map(o => o.textContent)")
    assert options[1:] == [HOSTILE_NAME]
    assert page.title() == f"policykg: {HOSTILE_NAME}"
    counts = page.evaluate(
        """() => ({img: document.querySelectorAll("img, iframe, object, embed").length,
                   script: document.scripts.length,
                   handlers: Array.from(document.querySelectorAll("*")).filter(
                     e => Array.from(e.attributes).some(a => /^on/i.test(a.name))).length})"""
    )
    assert counts == {"img": 0, "script": 5, "handlers": 0}  # utils, vis, pyvis, data, ours
    assert live_links(page) == []
    seen.assert_quiet()
    page.close()


def test_hostile_document_page_runs_nothing(browser: Browser, hostile: BuildResult) -> None:
    (path,) = hostile.document_pages
    seen = visit(browser, path, graph_page=False)
    page = seen.page
    text = page.inner_text(".entities")
    assert "“<script>alert(1)</script>”" in page.inner_text("h1")
    assert '<a href="javascript:alert(2)">x</a>建设行动' in text
    assert "<script>alert(4)</script>" in text
    counts = page.evaluate(
        """() => ({img: document.querySelectorAll("img, iframe, object, embed").length,
                   script: document.scripts.length,
                   marks: document.querySelectorAll("mark.entity").length})"""
    )
    assert counts["img"] == 0 and counts["script"] == 0 and counts["marks"] > 5
    assert live_links(page) == []
    seen.assert_quiet()
    page.close()


# -- a graph over its node budget -------------------------------------------------------------

#: The seeds' page drawn with this many nodes (of 459): most entities are only in the index.
SMALL_BUDGET = 60
HIDDEN_LABEL = "用乡村振兴统揽新发展阶段“三农”工作"


@pytest.fixture(scope="module")
def budgeted(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build([SEEDS], tmp_path_factory.mktemp("budget"), max_nodes=SMALL_BUDGET)


def test_search_finds_an_entity_not_drawn_and_shows_its_panel(
    browser: Browser, budgeted: BuildResult
) -> None:
    view = budgeted.graph.to_networkx()
    seen = visit(browser, budgeted.graph_html)
    page = seen.page
    drawn = set(page.evaluate("nodes.getIds()"))
    assert len(drawn) == SMALL_BUDGET
    entities = view.number_of_nodes() - len(budgeted.document_names)
    assert page.text_content("#pkg-budget") == (
        f"显示连接最多的 {SMALL_BUDGET - 2} 个实体（共 {entities} 个），搜索可找到全部 · "
        f"showing the {SMALL_BUDGET - 2} most connected of {entities} entities; "
        "search finds all of them · 每种关系只画一条 · each relation drawn once"
    )
    # not drawn; 3 of its 4 relations link it to 2 drawn nodes, one to an entity not drawn
    node = node_labelled(view, HIDDEN_LABEL)
    assert node not in drawn
    page.fill("#pkg-search", "乡村振兴")
    page.wait_for_selector("#pkg-results:not([hidden])")
    expected = {
        str(n)
        for n, attrs in view.nodes(data=True)
        if "乡村振兴" in attrs["label"] + "\n" + "、".join(attrs["aliases"])
    }
    assert page.text_content("#pkg-results .pkg-count") == f"{len(expected)} 个结果 matches"
    listed = page.eval_on_selector_all(
        "#pkg-results button", "bs => bs.map(b => [b.textContent, b.classList.contains('pkg-off')])"
    )
    assert sorted(listed) == sorted([str(view.nodes[n]["label"]), n not in drawn] for n in expected)
    page.locator("#pkg-results button.pkg-off", has_text=HIDDEN_LABEL).click()
    page.wait_for_selector("#pkg-panel h2")
    assert page.text_content("#pkg-panel h2") == HIDDEN_LABEL
    fields = page.eval_on_selector_all("#pkg-panel dt", "ds => ds.map(d => d.textContent)")
    assert fields[:2] == ["类型 Type", "名称 Label"] and fields[-2:] == ["IRI", "文档 Documents"]
    mentions = [m for m in budgeted.graph.mentions() if m.entity == node]
    assert page.text_content("#pkg-panel h3 >> nth=0") == f"提及 Mentions ({len(mentions)})"
    out_edges = [e for e in view.out_edges(node, data="type") if e[2] != "mentionedIn"]
    in_edges = [e for e in view.in_edges(node, data="type") if e[2] != "mentionedIn"]
    headings = page.eval_on_selector_all("#pkg-panel h3", "hs => hs.map(h => h.textContent)")
    assert headings[1:] == [
        f"关系（出）Relations out ({len(out_edges)})",
        f"关系（入）Relations in ({len(in_edges)})",
    ]
    # the entity is drawn now, linked to the drawn ends of its relations
    assert page.evaluate("id => nodes.get(id) !== null", node)
    linked = {u if v == node else v for u, v, _ in out_edges + in_edges} & drawn
    assert (len(out_edges + in_edges), len(linked)) == (4, 2)
    assert set(page.evaluate("id => network.getConnectedNodes(id)", node)) == linked
    assert page.evaluate("id => network.getConnectedEdges(id).length", node) == 3
    assert page.get_attribute("#mynetwork", "data-pkg-focus") == str(len(linked) + 1)
    seen.assert_quiet()
    page.close()
