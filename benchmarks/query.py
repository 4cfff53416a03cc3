"""rdflib or Oxigraph for ``policykg query``? The named queries, timed on both engines.

Graphs, from small to large:

1. the seeds (``seeds/*.txt``);
2. the seeds and the shared corpus (``../shared/corpus/*.txt``, if present);
3. graph 2 copied ``--copies`` times under distinct instance IRIs (the vocabulary and the
   labels are shared, so aggregates by label grow with the copies): a synthetic large graph.

For each graph: Turtle parse time (rdflib ``Graph.parse`` against pyoxigraph ``Store.load``),
then for each named query the median time on rdflib's SPARQL engine and on Oxigraph (rdflib
once only on graphs over 100,000 triples), the ratio, and whether both gave the same number
of rows. Usage::

    python benchmarks/query.py [--copies 8] [--repeat 3] [--skip-rdflib-over 300000]

With ``--graph PATH`` (repeatable) it times given graphs instead, on Oxigraph only: a
``graph.ttl`` (read and parsed into an in-memory store) or a store folder written by
``policykg build --store`` (opened read-only); then each named query, the median of
``--repeat`` runs (default 5 here) after one warm-up run::

    python benchmarks/corpus.py corpus/ && policykg build corpus/ -o big/ --store big/store
    python benchmarks/query.py --graph big/graph.ttl --graph big/store

Ratios are what count: the machines here are shared and noisy. Run by hand, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from policykg.extract import extract_file
from policykg.graph import (
    DEFAULT_BASE,
    NamedQuery,
    QueryStore,
    build_graph,
    load_turtle,
    named_queries,
    run_query_rdflib,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus"


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``run`` over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def copies(ntriples: str, count: int) -> str:
    """``count`` copies of an N-Triples graph, instance IRIs renamed per copy."""
    lines = [line for line in ntriples.splitlines() if line.strip()]
    out: list[str] = []
    for k in range(count):
        base = f"{DEFAULT_BASE}copy{k}/"
        out.extend(line.replace(DEFAULT_BASE, base) for line in lines)
    return "\n".join(out) + "\n"


def measure(name: str, turtle: str, repeat: int, rdflib_limit: int) -> None:
    """Print one table: parsing, then each named query on both engines."""
    data = turtle.encode("utf-8")
    ox_load, store = timed(lambda: QueryStore.from_turtle(data), repeat)
    triples = len(store)
    use_rdflib = triples <= rdflib_limit
    print(f"\n## {name}: {triples} triples\n")
    print("| step | rdflib s | Oxigraph s | rdflib / Oxigraph | rows |")
    print("|---|---:|---:|---:|---|")
    if use_rdflib:
        rdf_load, graph = timed(lambda: load_turtle(turtle), 1)
        print(f"| parse Turtle | {rdf_load:.3f} | {ox_load:.3f} | {rdf_load / ox_load:.0f}× | |")
        run_query_rdflib(graph, "ASK { ?s ?p ?o }")  # rdflib builds its SPARQL parser once
    else:
        print(f"| parse Turtle | – | {ox_load:.3f} | | |")
    rdf_repeat = repeat if triples <= 100_000 else 1
    for query in named_queries().values():
        ox_time, ox_result = timed(partial(store.query, query.sparql), repeat)
        rows = len(ox_result.rows)
        if not use_rdflib:
            print(f"| {query.name} | – | {ox_time:.4f} | | {rows} |")
            continue
        rdf_time, rdf_result = timed(partial(run_query_rdflib, graph, query.sparql), rdf_repeat)
        same = "same" if len(rdf_result.rows) == rows else f"{len(rdf_result.rows)} ≠ {rows}"
        ratio = rdf_time / ox_time if ox_time else float("inf")
        print(f"| {query.name} | {rdf_time:.3f} | {ox_time:.4f} | {ratio:.0f}× | {rows} {same} |")


def open_graph(path: Path) -> QueryStore:
    """A graph.ttl read and parsed into memory, or a store folder opened read-only."""
    if path.is_dir():
        return QueryStore.read_only(path)
    return QueryStore.from_turtle(path.read_bytes())


def time_query(store: QueryStore, query: NamedQuery, repeat: int) -> tuple[float, float, int]:
    """The first run's time, the median of ``repeat`` runs after it, and the row count."""
    start = time.perf_counter()
    store.query(query.sparql)
    first = time.perf_counter() - start
    median, result = timed(partial(store.query, query.sparql), repeat)
    return first, median, len(result.rows)


def measure_graphs(paths: list[Path], repeat: int) -> None:
    """Print one table per graph: opening it, then each named query (Oxigraph)."""
    for path in paths:
        kind = "store folder, opened read-only" if path.is_dir() else "Turtle, parsed"
        opened, store = timed(partial(open_graph, path), 3)
        print(f"\n## {path} ({kind})\n")
        print(f"open: {opened:.3f} s (median of 3)\n")
        print("| query | rows | first run ms | median ms |")
        print("|---|---:|---:|---:|")
        for query in named_queries().values():
            first, median, rows = time_query(store, query, repeat)
            print(f"| {query.name} | {rows} | {first * 1000:.0f} | {median * 1000:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--copies", type=int, default=8, help="copies for the large graph")
    parser.add_argument("--repeat", type=int, default=None, help="Oxigraph runs per query")
    parser.add_argument(
        "--graph",
        type=Path,
        action="append",
        default=[],
        help="time the named queries on this graph.ttl or store folder only (repeatable)",
    )
    parser.add_argument(
        "--skip-rdflib-over",
        type=int,
        default=300_000,
        help="run rdflib only on graphs of at most this many triples",
    )
    args = parser.parse_args()
    if args.graph:
        measure_graphs(args.graph, args.repeat or 5)
        return
    args.repeat = args.repeat or 3
    seeds = sorted(SEEDS.glob("*.txt"))
    corpus = sorted(p for p in CORPUS.glob("*.txt") if ".gbk." not in p.name)
    corpus = [p for p in corpus if p.name not in {s.name for s in seeds}]
    print("Extracting…", flush=True)
    seed_extractions = [extract_file(p) for p in seeds]
    corpus_extractions = [extract_file(p) for p in corpus]
    seed_graph = build_graph(seed_extractions)
    measure(f"seeds ({len(seeds)} documents)", seed_graph.serialize(), args.repeat, 10**9)
    both = build_graph(seed_extractions + corpus_extractions)
    name = f"seeds + corpus ({len(seeds) + len(corpus)} documents)"
    measure(name, both.serialize(), args.repeat, args.skip_rdflib_over)
    large = load_turtle("")  # an empty graph with the policykg prefixes, to write Turtle
    large.rdf.parse(data=copies(both.serialize("nt"), args.copies), format="nt")
    name = f"seeds + corpus × {args.copies} (synthetic)"
    measure(name, large.serialize(), args.repeat, args.skip_rdflib_over)


if __name__ == "__main__":
    main()
