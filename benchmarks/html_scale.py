"""How fast a large graph page becomes usable: 2,000 nodes and 5,000 edges in headless Chromium.

Run by hand (not a test): ``python benchmarks/html_scale.py [--nodes 2000 --edges 5000]
[--budget 2000]``; ``--nodes 30000 --edges 80000`` is a corpus graph, drawn within the node
budget (``render_html``'s ``max_nodes``, 0: draw all) with the rest in the page's search index.
Needs Debian's ``/usr/bin/chromium`` and the ``playwright`` package (``.ci/run`` installs
both). It makes a synthetic graph shaped like policykg's (20 documents, every entity mentioned
in one or two of them, typed relations between entities with a few hubs), with document texts
and mentions so that the side panel has sentences to show, then measures:

* the Python side: the layout (of the drawn nodes), and the whole ``render_html`` call (page
  size, and how much of it is the search index of the entities not drawn and the mention
  sentences);
* in Chromium, opening the page from the file system: the time from navigation start until
  the network's first frame is drawn with every handler attached (the page sets
  ``data-pkg-ready`` then), i.e. when the page can be clicked;
* then a click on a node until the side panel shows it, and typing a search until the
  results list is shown; over the budget also typing the label of an entity not drawn until
  it is listed, and a click on it until its panel shows (the entity added to the network).

Medians of ``--runs`` page loads (a fresh page each). Timings are of this machine only.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from policykg.graph import DocumentText, MentionSpan
from policykg.output import html as html_view
from policykg.output.palette import DOCUMENT_TYPE, TYPE_COLORS

CHROMIUM = "/usr/bin/chromium"
TYPES = [t for t in TYPE_COLORS if t != DOCUMENT_TYPE]
SYLLABLES = "发展改革创新建设推进实施全面深化乡村振兴生态文明治理体系现代化产业科技教育"


def synthetic(
    n_nodes: int, n_edges: int, n_docs: int = 20, seed: int = 1
) -> tuple[nx.MultiDiGraph, list[DocumentText], list[MentionSpan]]:
    """A graph of ``n_nodes`` nodes (``n_docs`` documents) and exactly ``n_edges`` edges."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    doc_names = [f"doc{d:02d}.txt" for d in range(n_docs)]
    for name in doc_names:
        graph.add_node(
            f"urn:doc:{name}",
            kind="document",
            type=DOCUMENT_TYPE,
            label=name,
            aliases=[],
            documents=[name],
        )
    entities = [f"urn:e:{i:05d}" for i in range(n_nodes - n_docs)]
    sentences: dict[str, list[tuple[str, str]]] = {name: [] for name in doc_names}
    for iri in entities:
        label = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 12)))
        docs = sorted(rng.sample(doc_names, rng.choice([1, 1, 2])))
        graph.add_node(
            iri,
            kind="entity",
            type=rng.choice(TYPES),
            label=label,
            aliases=[label[:2] + "等"] if rng.random() < 0.2 else [],
            documents=docs,
        )
        for name in docs:
            graph.add_edge(
                iri,
                f"urn:doc:{name}",
                key=f"{iri} m {name}",
                type="mentionedIn",
                evidence="",
                rule="mention",
                document=name,
            )
            sentences[name].append((iri, label))
    relations = ["deploys", "implements", "involves", "concerns", "addresses", "partOf"]
    hubs = entities[: max(1, len(entities) // 50)]
    i = 0
    n_mentions = graph.number_of_edges()  # counted once: number_of_edges() walks the graph
    while n_mentions + i < n_edges:
        head = rng.choice(hubs) if rng.random() < 0.3 else rng.choice(entities)
        tail = rng.choice(entities)
        if head == tail:
            continue
        name = rng.choice(graph.nodes[head]["documents"])
        graph.add_edge(
            head,
            tail,
            key=f"a{i}",
            type=rng.choice(relations),
            evidence=f"要{graph.nodes[head]['label']}，推动{graph.nodes[tail]['label']}。",
            rule="rel.synthetic",
            document=name,
        )
        i += 1
    documents, mentions = [], []
    for name in doc_names:
        text = ""
        for iri, label in sentences[name]:
            prefix = "我们要坚持"
            start = len(text) + len(prefix)
            text += f"{prefix}{label}，不断取得新成效。\n"
            mentions.append(MentionSpan(iri, name, start, start + len(label), label, "r"))
        documents.append(DocumentText(f"urn:doc:{name}", name, "", text))
    return graph, documents, mentions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--edges", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget", type=int, default=html_view.DEFAULT_NODE_BUDGET)
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("needs the playwright package (pip install playwright)", file=sys.stderr)
        return 1

    graph, documents, mentions = synthetic(args.nodes, args.edges)
    print(f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    plain = html_view._plain(graph)
    doc_nodes = {node for node, attrs in plain.nodes.items() if html_view._is_document(attrs)}
    shown = html_view._shown_nodes(plain, args.budget, dict(graph.degree()), doc_nodes)
    hidden = sorted(node for node in graph.nodes if node not in shown)
    print(f"drawn: {len(shown)} nodes (budget {args.budget}), {len(hidden)} in the index")
    started = time.perf_counter()
    html_view._layout(html_view._plain(graph.subgraph(shown)))
    layout_s = time.perf_counter() - started
    started = time.perf_counter()
    page_html = html_view.render_html(
        graph, "benchmark", documents=documents, mentions=mentions, max_nodes=args.budget
    )
    render_s = time.perf_counter() - started
    print(f"python: layout {layout_s:.2f} s, render_html {render_s:.2f} s (layout included)")
    data = json.loads(page_html.split('id="pkg-data">', 1)[1].split("</script>", 1)[0])
    parts = {key: len(html_view._script_json(value).encode("utf-8")) for key, value in data.items()}
    print(
        f"page: {len(page_html.encode('utf-8')) / 1e6:.2f} MB, of which "
        + ", ".join(f"{key} {size / 1e6:.2f} MB" for key, size in sorted(parts.items()))
    )

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        path = Path(tmp) / "graph.html"
        path.write_text(page_html, encoding="utf-8")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        ready, wall, click, search, find, open_ = [], [], [], [], [], []
        for _ in range(args.runs):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            t0 = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("html[data-pkg-ready]", state="attached", timeout=60_000)
            wall.append(time.perf_counter() - t0)
            ready.append(float(page.get_attribute("html", "data-pkg-ready") or "nan") / 1000)
            click.append(_click_node(page, "urn:e:00000"))
            search.append(_search(page, graph.nodes["urn:e:00001"]["label"]))
            if hidden:
                found, opened = _search_hidden(page, str(graph.nodes[hidden[0]]["label"]))
                find.append(found)
                open_.append(opened)
            page.close()
        browser.close()
    print(
        f"chromium, median of {args.runs}: ready {statistics.median(ready):.2f} s after "
        f"navigation start (wall clock from goto {statistics.median(wall):.2f} s); "
        f"click to panel and highlight {statistics.median(click) * 1000:.0f} ms; "
        f"search to results {statistics.median(search) * 1000:.0f} ms"
    )
    if hidden:
        print(
            f"entity not drawn ({hidden[0]}): search to listed {statistics.median(find) * 1000:.0f}"
            f" ms; click to panel (added to the network) {statistics.median(open_) * 1000:.0f} ms"
        )
    print("ready per run: " + ", ".join(f"{r:.2f}" for r in ready))
    return 0


def _click_node(page: object, node: str) -> float:
    """Click ``node`` on the canvas; seconds from the press until the panel shows it and the
    next frame (with the neighbourhood highlighted) is drawn, timed inside the page."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.evaluate("id => network.focus(id, {scale: 1.5})", node)
    page.wait_for_timeout(300)
    point = page.evaluate(
        """id => {
          const p = network.canvasToDOM(network.getPosition(id));
          const box = document.getElementById("mynetwork");
          const r = box.getBoundingClientRect();
          window.pkgBench = {};
          box.addEventListener("pointerdown", () => { pkgBench.down = performance.now(); },
                               {capture: true, once: true});
          network.on("afterDrawing", () => {
            if (document.querySelector("#pkg-panel .pkg-mentions") && !pkgBench.drawn) {
              pkgBench.drawn = performance.now();
            }
          });
          return [p.x + r.left, p.y + r.top];
        }""",
        node,
    )
    page.mouse.click(point[0], point[1])
    page.wait_for_function("window.pkgBench.drawn !== undefined")
    elapsed = page.evaluate("pkgBench.drawn - pkgBench.down")
    return float(elapsed) / 1000


def _search(page: object, label: str) -> float:
    """Type ``label`` in the search box; seconds until the results list shows it."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    t0 = time.perf_counter()
    page.fill("#pkg-search", label)
    page.wait_for_selector("#pkg-results:not([hidden]) button")
    return time.perf_counter() - t0


def _search_hidden(page: object, label: str) -> tuple[float, float]:
    """Type the ``label`` of an entity not drawn: seconds until it is listed, then seconds
    from a click on it until its panel shows."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.fill("#pkg-search", "")
    page.wait_for_selector("#pkg-results", state="hidden")
    t0 = time.perf_counter()
    page.fill("#pkg-search", label)
    button = page.locator("#pkg-results button.pkg-off", has_text=label).first
    button.wait_for()
    found = time.perf_counter() - t0
    t0 = time.perf_counter()
    button.click()
    page.wait_for_function(
        "label => (document.querySelector('#pkg-panel h2') || {}).textContent === label", arg=label
    )
    return found, time.perf_counter() - t0


if __name__ == "__main__":
    sys.exit(main())
