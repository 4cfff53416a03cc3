"""Extraction throughput against bare spaCy + jieba tokenisation, in one process, same texts.

The target (issue i5): ``extract_text`` at least as fast, in characters per second, as
``spacy.blank("zh")`` with the jieba segmenter tokenising the same documents.

Usage: ``python benchmarks/extract_speed.py DIR [--repeat 3] [--limit N]`` where ``DIR`` holds
``*.txt`` documents, e.g. written by ``python benchmarks/corpus.py DIR --docs 100`` (needs the
``bench`` extra: jieba). Prints the throughputs and the ratios. The machines here are shared and
noisy: the runs take turns document by document, CPU time is measured (``--wall`` for wall
time), and only ratios measured in one run count.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jieba
import spacy

from policykg.extract import extract_text


def clock(wall: bool) -> Callable[[], float]:
    """The clock to read: process CPU time (the default: the machines are shared, and all
    three runs are single-threaded), or wall time."""
    return time.perf_counter if wall else time.process_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="folder of *.txt documents")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="use the first N documents only")
    parser.add_argument("--wall", action="store_true", help="wall time instead of CPU time")
    args = parser.parse_args()
    paths = sorted(args.dir.glob("*.txt"))
    if args.limit:
        paths = paths[: args.limit]
    docs = [(p.name, p.read_text(encoding="utf-8")) for p in paths]
    chars = sum(len(t) for _, t in docs)
    print(f"{len(docs)} documents, {chars:,} characters; medians of {args.repeat} runs")

    jieba_nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    cut = jieba.cut
    runs: dict[str, Callable[[str, str], Any]] = {
        "spaCy + jieba tokenisation": lambda name, text: jieba_nlp(text),
        "plain jieba.cut": lambda name, text: list(cut(text, cut_all=False)),
        "policykg extract_text": lambda name, text: extract_text(text, name),
    }
    now = clock(args.wall)
    for run in runs.values():  # warm-up: jieba's dictionary, the pipeline, the rules
        run(*docs[0])
    # document by document, the three in turn, so that all see the same load
    rounds = []
    for _ in range(args.repeat):
        spent = dict.fromkeys(runs, 0.0)
        for name, text in docs:
            for label, run in runs.items():
                start = now()
                run(name, text)
                spent[label] += now() - start
        rounds.append(spent)
    rate = {label: chars / statistics.median(r[label] for r in rounds) for label in runs}
    for label in runs:
        print(f"{label + ':':<28} {rate[label]:>10,.0f} chars/s")
    baseline = rate["spaCy + jieba tokenisation"]
    print(
        f"{'ratio extract / spaCy+jieba:':<28} {rate['policykg extract_text'] / baseline:>10.2f}x"
    )
    print(
        f"{'ratio extract / plain jieba:':<28} "
        f"{rate['policykg extract_text'] / rate['plain jieba.cut']:>10.2f}x"
    )


if __name__ == "__main__":
    main()
