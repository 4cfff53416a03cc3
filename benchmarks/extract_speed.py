"""Extraction throughput against bare spaCy + jieba tokenisation, in one process, same texts.

The target (issue i5): ``extract_text`` at least as fast, in characters per second, as
``spacy.blank("zh")`` with the jieba segmenter tokenising the same documents.

Usage: ``python benchmarks/extract_speed.py DIR [--repeat 3] [--limit N]`` where ``DIR`` holds
``*.txt`` documents, e.g. written by ``python benchmarks/corpus.py DIR --docs 100`` (needs the
``bench`` extra: jieba). Prints both throughputs and their ratio; the machines here are shared
and noisy, so only the ratio measured in one run counts.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import spacy

from policykg.extract import extract_text


def timed(run: Callable[[], Any]) -> float:
    """Wall time of one call of ``run``."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="folder of *.txt documents")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="use the first N documents only")
    args = parser.parse_args()
    paths = sorted(args.dir.glob("*.txt"))
    if args.limit:
        paths = paths[: args.limit]
    docs = [(p.name, p.read_text(encoding="utf-8")) for p in paths]
    chars = sum(len(t) for _, t in docs)
    print(f"{len(docs)} documents, {chars:,} characters; medians of {args.repeat} runs")

    jieba_nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})

    def tokenise() -> None:
        for _, text in docs:
            jieba_nlp(text)

    def extract() -> None:
        for name, text in docs:
            extract_text(text, name)

    tokenise()  # warm-up: jieba's dictionary, the pipeline, the rules
    extract()
    # alternate the two so that both see the same load on a shared machine
    rounds = [(timed(tokenise), timed(extract)) for _ in range(args.repeat)]
    jieba_rate = chars / statistics.median(t for t, _ in rounds)
    extract_rate = chars / statistics.median(e for _, e in rounds)
    print(f"spaCy + jieba tokenisation: {jieba_rate:>10,.0f} chars/s")
    print(f"policykg extract_text:      {extract_rate:>10,.0f} chars/s")
    print(f"ratio extract / jieba:      {extract_rate / jieba_rate:>10.2f}x")


if __name__ == "__main__":
    main()
