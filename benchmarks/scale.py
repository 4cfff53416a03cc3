"""Corpus scale, measured in one run: throughput, parallelism, memory, cache, queries.

Run by hand (never a test): ``python benchmarks/scale.py [--docs 1000] [--work DIR]``. It
needs the ``bench`` extra (jieba). It generates the corpus of ``benchmarks/corpus.py``
(``--docs`` documents of ~10,000 characters) in ``--work``, then measures, on that text:

* the baseline: characters per second of bare tokenisation with ``spacy.blank("zh")`` on
  the jieba segmenter, and of plain ``jieba.lcut``; the first again after the extraction
  and after each of the ``--jobs 1`` and ``--jobs 2`` builds, because this shared
  machine's speed drifts by 10-20% within minutes: each of the three is also compared with
  the mean of the baselines just before and just after it;
* extraction alone, in this process (``extract_text`` on each document);
* whole builds (``policykg build CORPUS -o OUT``: Turtle, HTML, document pages, the
  extraction cache) as a child process with ``--jobs 1`` and ``--jobs 2`` and a cold
  cache; their wall time and the peak memory of the process tree (sampled: the sum of
  the resident sets, and of the proportional sets, which count a page forked processes
  share once);
* peak memory of the build of the first 250 and 500 documents (growth with the corpus);
* a rebuild after one document changed (the cache holds the others); then a build with
  ``--store`` on the warm cache, whose store the queries below run on;
* ``policykg --help``;
* each named query on the store of the whole build as the README runs it (its first page
  of 100 rows: median of 5 after one warm-up, in this process and as a command), and all
  its rows once (``--queries-only STORE`` times only these);
* the sizes of what the build wrote.

It prints a Markdown table (for the README) and writes the figures as JSON to
``--work/scale.json``. Ratios in one run are the figures that count on shared machines.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent


def generate(out_dir: Path, docs: int) -> list[Path]:
    """The corpus of ``benchmarks/corpus.py`` (loaded from its file: benchmarks/ is no package)."""
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    paths: list[Path] = module.generate(out_dir, docs)
    return paths


POLICYKG = str(Path(sys.executable).parent / "policykg")


def throughput(texts: Sequence[str], run: Callable[[str], object]) -> float:
    """Characters per second of ``run`` over ``texts`` (one warm-up document first)."""
    run(texts[0])
    start = time.perf_counter()
    for text in texts:
        run(text)
    return sum(map(len, texts)) / (time.perf_counter() - start)


def baseline(texts: Sequence[str], jieba_too: bool = True) -> dict[str, float]:
    """Bare tokenisation: spaCy's blank Chinese pipeline on jieba, and jieba alone."""
    import jieba
    import spacy

    jieba.setLogLevel(60)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.max_length = 2_000_000
    figures = {"spacy_jieba": throughput(texts, nlp.make_doc)}
    if jieba_too:
        figures["jieba"] = throughput(texts, jieba.lcut)
    return figures


def extraction(texts: Sequence[str]) -> float:
    """Characters per second of ``extract_text`` in this process."""
    from policykg.extract import extract_text

    return throughput(texts, extract_text)


#: Seconds between two samples of the resident sets (cheap: a line of /proc/PID/statm each).
RSS_EVERY = 0.05
#: Seconds between two samples of the proportional sets: reading them walks every page of
#: each process (smaps), and every 50 ms that took 40% of a core from the build measured.
PSS_EVERY = 0.5


def run_measured(command: Sequence[str]) -> dict[str, float]:
    """Wall time and peak memory of the process and its children, in MB: ``peak_mb`` the sum
    of their resident sets (sampled every :data:`RSS_EVERY` s), ``peak_pss_mb`` of their
    proportional sets (a page that forked processes share counts once in all, not once in
    each; sampled every :data:`PSS_EVERY` s); and ``cpu_seconds``, the CPU time (user and
    system) of the process and its workers."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        last_pss = -PSS_EVERY  # the first sample reads them
        while not done.is_set():
            try:
                tree = [process, *process.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree)
                now = time.monotonic()
                if now - last_pss >= PSS_EVERY:
                    peak_pss = max(peak_pss, sum(p.memory_full_info().pss for p in tree))
                    last_pss = now
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(RSS_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err.decode('utf-8', 'replace')}")
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "peak_mb": peak / 2**20,
        "peak_pss_mb": peak_pss / 2**20,
    }


def build(
    corpus: Path, out: Path, jobs: int, store: Path | None, extra: Sequence[str] = ()
) -> dict[str, float]:
    """One whole build as a child process, with a cold cache unless ``out`` holds one."""
    command = [POLICYKG, "build", str(corpus), "-o", str(out), "--quiet", "--jobs", str(jobs)]
    if store is not None:
        command += ["--store", str(store)]
    return run_measured([*command, *extra])


def subset(corpus: Path, docs: int, work: Path) -> Path:
    """A folder of links to the first ``docs`` documents of ``corpus``."""
    folder = work / f"corpus{docs}"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        for path in sorted(corpus.glob("*.txt"))[:docs]:
            (folder / path.name).symlink_to(path)
    return folder


def help_seconds() -> float:
    """Median wall time of ``policykg --help`` over 5 runs."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([POLICYKG, "--help"], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def query_times(store: Path, every_row: bool = True) -> dict[str, dict[str, float]]:
    """Each named query on the store, run as the README says: ``policykg query STORE --named
    NAME`` (its first page of 100 rows, as a table).

    ``page_ms``: that page in this process (open the store, find the rows, format the table),
    median of 5 after one warm-up; ``cli_ms``: the whole command as a child process, Python's
    start and imports included, median of 5; ``all_ms`` and ``rows``: every row
    (``--limit 0``), once (``every_row``; else -1: ``evidence`` alone takes minutes).
    """
    from policykg.graph import named_queries
    from policykg.output.api import query_named
    from policykg.output.results import format_result

    def page() -> None:
        format_result(query_named(store, name), "table")

    times: dict[str, dict[str, float]] = {}
    for name in sorted(named_queries()):
        page()
        runs, cli = [], []
        for _ in range(5):
            start = time.perf_counter()
            page()
            runs.append(time.perf_counter() - start)
        for _ in range(5):
            start = time.perf_counter()
            command = [POLICYKG, "query", str(store), "--named", name]
            subprocess.run(
                command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            cli.append(time.perf_counter() - start)
        rows, every = -1, -0.001
        if every_row:
            start = time.perf_counter()
            rows = len(query_named(store, name, limit=0).rows)
            every = time.perf_counter() - start
        times[name] = {
            "page_ms": statistics.median(runs) * 1000,
            "cli_ms": statistics.median(cli) * 1000,
            "all_ms": every * 1000,
            "rows": rows,
        }
        print(f"query {name}: {times[name]}", file=sys.stderr)
    return times


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykg-scale"))
    parser.add_argument(
        "--queries-only",
        type=Path,
        metavar="STORE",
        help="only time the named queries on this store folder (written by build --store)",
    )
    parser.add_argument(
        "--no-all-rows",
        action="store_true",
        help="do not time each named query's every row (evidence alone takes minutes)",
    )
    args = parser.parse_args()
    if args.queries_only is not None:
        print(query_table(query_times(args.queries_only, not args.no_all_rows)))
        return
    work: Path = args.work
    corpus = work / "corpus"
    if not corpus.is_dir() or len(list(corpus.glob("*.txt"))) != args.docs:
        shutil.rmtree(corpus, ignore_errors=True)
        generate(corpus, args.docs)
    paths = sorted(corpus.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    chars = sum(map(len, texts))
    figures: dict[str, Any] = {
        "documents": len(texts),
        "characters": chars,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}",
        "load_before": os.getloadavg()[0],
    }
    print(f"{len(texts)} documents, {chars:,} characters", file=sys.stderr)

    figures["baseline"] = baseline(texts)
    print(f"baseline {figures['baseline']}", file=sys.stderr)
    figures["extraction"] = extraction(texts)
    print(f"extraction {figures['extraction']:.0f} chars/s", file=sys.stderr)
    again: list[float] = []  # the baseline after the extraction and after each build
    figures["baseline_again"] = again

    builds: dict[str, dict[str, float]] = {}
    for jobs in (1, 2):
        again.append(baseline(texts, jieba_too=False)["spacy_jieba"])
        print(f"baseline again {again[-1]:.0f} chars/s", file=sys.stderr)
        out = work / f"out-j{jobs}"
        shutil.rmtree(out, ignore_errors=True)
        builds[f"jobs{jobs}"] = build(corpus, out, jobs, None)
        print(f"build jobs {jobs}: {builds[f'jobs{jobs}']}", file=sys.stderr)
    again.append(baseline(texts, jieba_too=False)["spacy_jieba"])
    print(f"baseline again {again[-1]:.0f} chars/s", file=sys.stderr)
    for docs in (250, 500):
        if docs < len(texts):
            out = work / f"out-{docs}"
            shutil.rmtree(out, ignore_errors=True)
            builds[f"docs{docs}"] = build(subset(corpus, docs, work), out, 2, None)
            print(f"build {docs} documents: {builds[f'docs{docs}']}", file=sys.stderr)
    changed = paths[len(paths) // 2]
    original = changed.read_text(encoding="utf-8")
    try:
        changed.write_text(original.replace("。", "。\n", 1), encoding="utf-8")
        builds["rebuild_one_changed"] = build(corpus, work / "out-j2", 2, None)
    finally:
        changed.write_text(original, encoding="utf-8")
    print(f"rebuild: {builds['rebuild_one_changed']}", file=sys.stderr)
    shutil.rmtree(work / "store", ignore_errors=True)
    builds["store_warm_cache"] = build(corpus, work / "out-j2", 2, work / "store")
    print(f"build with --store, warm cache: {builds['store_warm_cache']}", file=sys.stderr)
    figures["builds"] = builds
    figures["help_seconds"] = help_seconds()
    figures["queries"] = query_times(work / "store", not args.no_all_rows)
    out = work / "out-j2"
    figures["sizes_mb"] = {
        "graph.ttl": size_mb(out / "graph.ttl"),
        "graph.html": size_mb(out / "graph.html"),
        "docs/": size_mb(out / "docs"),
        "cache": size_mb(out / ".policykg-cache"),
        "store": size_mb(work / "store"),
    }
    (work / "scale.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(table(figures))


def table(f: dict[str, Any]) -> str:
    """The figures as the README's Markdown table."""
    chars = f["characters"]
    base = f["baseline"]["spacy_jieba"]
    b = f["builds"]
    whole1 = chars / b["jobs1"]["seconds"]
    whole2 = chars / b["jobs2"]["seconds"]
    # each compared with the baselines just before and after it (none again: the first)
    after_extraction, after_jobs1, after_jobs2 = (f.get("baseline_again") or [base] * 3)[:3]
    around_extraction = (base + after_extraction) / 2
    around_jobs1 = (after_extraction + after_jobs1) / 2
    around_jobs2 = (after_jobs1 + after_jobs2) / 2
    drift = around_jobs1 / around_jobs2  # how much faster the machine ran --jobs 2
    rows = [
        ("corpus", f"{f['documents']:,} documents, {chars:,} characters", ""),
        ("baseline: spaCy blank zh + jieba tokenisation", f"{base:,.0f} chars/s", "1.00×"),
        (
            "plain jieba.lcut",
            f"{f['baseline']['jieba']:,.0f} chars/s",
            f"{f['baseline']['jieba'] / base:.2f}×",
        ),
        (
            "extraction alone, one process",
            f"{f['extraction']:,.0f} chars/s",
            f"{f['extraction'] / around_extraction:.2f}× the baselines around it (target ≥ 1.0×)",
        ),
        (
            "whole build, --jobs 1",
            f"{whole1:,.0f} chars/s ({b['jobs1']['seconds']:.0f} s, "
            f"CPU {b['jobs1'].get('cpu_seconds', 0):.0f} s)",
            f"{whole1 / around_jobs1:.2f}× the baselines around it (target ≥ 0.5×)",
        ),
        (
            "whole build, --jobs 2",
            f"{whole2:,.0f} chars/s ({b['jobs2']['seconds']:.0f} s, "
            f"CPU {b['jobs2'].get('cpu_seconds', 0):.0f} s)",
            f"{whole2 / whole1:.2f}× --jobs 1, {whole2 / whole1 * drift:.2f}× with the "
            "baselines around each (target ≥ 1.6×)",
        ),
    ]
    if f.get("baseline_again"):
        rows.insert(
            2,
            (
                "the same, after the extraction / the --jobs 1 build / the --jobs 2 build",
                f"{after_extraction:,.0f} / {after_jobs1:,.0f} / {after_jobs2:,.0f} chars/s",
                f"{after_extraction / base:.2f}× / {after_jobs1 / base:.2f}× / "
                f"{after_jobs2 / base:.2f}×",
            ),
        )
    for key in ("docs250", "docs500", "jobs2"):
        if key in b:
            docs = {"docs250": 250, "docs500": 500, "jobs2": f["documents"]}[key]
            rows.append(
                (
                    f"peak memory, {docs} documents (--jobs 2): RSS sum, PSS sum",
                    f"{b[key]['peak_mb']:,.0f} MB, {b[key].get('peak_pss_mb', 0):,.0f} MB",
                    "target ≤ 2,048 MB, linear",
                )
            )
    rows.append(("peak memory, --jobs 1", f"{b['jobs1']['peak_mb']:,.0f} MB", ""))
    rebuild = b["rebuild_one_changed"]["seconds"]
    rows.append(
        (
            "rebuild after one document changed",
            f"{rebuild:.1f} s",
            f"{rebuild / b['jobs2']['seconds']:.1%} of the full build (target ≤ 5%)",
        )
    )
    store = b["store_warm_cache"]["seconds"]
    rows.append(
        ("build with --store, warm cache (Turtle, HTML and the store)", f"{store:.1f} s", "")
    )
    rows.append(("policykg --help", f"{f['help_seconds'] * 1000:.0f} ms", "target ≤ 500 ms"))
    for name, q in sorted(f["queries"].items()):
        rows.append(
            (
                f"named query `{name}`, first page (all rows: {_count(q['rows'])})",
                f"{q['page_ms']:.0f} ms (all rows: {_seconds(q['all_ms'])})",
                "target ≤ 200 ms",
            )
        )
    for name, mb in f["sizes_mb"].items():
        rows.append((f"size of {name}", f"{mb:,.1f} MB", ""))
    lines = [f"Machine: {f['machine']}.", "", "| measure | figure | ratio |", "|---|---|---|"]
    lines += [f"| {a} | {b_} | {c} |" for a, b_, c in rows]
    return "\n".join(lines)


def query_table(times: dict[str, dict[str, float]]) -> str:
    """The named queries' times as a Markdown table."""
    lines = [
        "| named query | rows | first page (100 rows), in process | `policykg query` | all rows |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {_count(q['rows'])} | {q['page_ms']:.0f} ms | {q['cli_ms']:.0f} ms | "
        f"{_seconds(q['all_ms'])} |"
        for name, q in sorted(times.items())
    ]
    return "\n".join(lines)


def _count(rows: float) -> str:
    return "not run" if rows < 0 else f"{rows:,.0f}"


def _seconds(ms: float) -> str:
    return "not run" if ms < 0 else f"{ms / 1000:.2f} s"


if __name__ == "__main__":
    main()
