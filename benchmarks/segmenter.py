"""Which spaCy segmenter serves policykg: character or jieba? Measured, not assumed.

Runs, in one process and on the same text (the seed documents and the corpus if present):

1. throughput (characters/second) of bare tokenisation with ``spacy.blank("zh")`` and each
   segmenter, and of the whole policykg pipeline on each segmenter;
2. extraction quality (lenient F1 against the gold files in ``seeds/``) with each segmenter;
3. how many extracted names end inside a jieba word, i.e. how many a token-based matcher on
   jieba tokens could not have found.

Usage: ``python benchmarks/segmenter.py [--repeat 3]`` (needs the ``bench`` extra: jieba).
Ratios between rows are what count: the machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import spacy

from policykg.extract import extract_text
from policykg.extract import pipeline as pipeline_module
from policykg.extract.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus"


def texts() -> list[tuple[str, str]]:
    """(name, text) of every document available: the seeds, then the shared corpus."""
    paths = sorted(SEEDS.glob("*.txt"))
    if CORPUS.is_dir():
        paths += sorted(p for p in CORPUS.glob("*.txt") if ".gbk." not in p.name)
    return [(p.name, p.read_text(encoding="utf-8")) for p in paths]


def timed(run: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``run`` over ``repeat`` runs (after one warm-up run)."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def blank(segmenter: str) -> spacy.language.Language:
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})


def use_segmenter(segmenter: str) -> None:
    """Make the policykg pipeline build on the given segmenter."""

    def build() -> spacy.language.Language:
        return blank(segmenter)

    pipeline_module.spacy_blank_zh = build
    pipeline_module.make_nlp.cache_clear()


def quality() -> dict[str, tuple[float, float]]:
    out = {}
    for gold_path in sorted(SEEDS.glob("*.json")):
        text = (SEEDS / f"{gold_path.stem}.txt").read_text(encoding="utf-8")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        lenient = evaluate(gold, extract_text(text, gold_path.stem).to_json()).lenient
        out[gold_path.stem] = (lenient.entities.f1, lenient.relations.f1)
    return out


def cut_by_jieba(docs: list[tuple[str, str]]) -> tuple[int, int]:
    """(names whose start or end falls inside a jieba word, all names)."""
    import jieba

    cut = total = 0
    for name, text in docs:
        bounds = {0}
        pos = 0
        for word in jieba.cut(text, HMM=False):
            pos += len(word)
            bounds.add(pos)
        for entity in extract_text(text, name).entities:
            if str(entity.type) in {"Task", "Problem", "Target"}:
                continue  # clause-level: not names
            for m in entity.mentions:
                total += 1
                cut += m.start not in bounds or m.end not in bounds
    return cut, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    docs = texts()
    joined = "\n".join(t for _, t in docs)
    chars = len(joined)
    print(f"{len(docs)} documents, {chars:,} characters; medians of {args.repeat} runs\n")
    rows = []
    for segmenter in ("char", "jieba"):
        nlp = blank(segmenter)

        def tokenise_all(nlp: spacy.language.Language = nlp) -> None:
            nlp(joined)

        tokenise = timed(tokenise_all, args.repeat)
        use_segmenter(segmenter)
        whole = timed(lambda: [extract_text(t, n) for n, t in docs], args.repeat)
        rows.append((segmenter, chars / tokenise, chars / whole, quality()))
    use_segmenter("char")
    header = f"{'segmenter':<10} {'tokenise chars/s':>17} {'extract chars/s':>16}"
    print(header + "  quality (entity F1 / relation F1)")
    for segmenter, tok, ext, q in rows:
        scores = ", ".join(f"{k[:12]} {e:.3f}/{r:.3f}" for k, (e, r) in q.items())
        print(f"{segmenter:<10} {tok:>17,.0f} {ext:>16,.0f}  {scores}")
    cut, total = cut_by_jieba(docs)
    print(
        f"\nnames a jieba-token matcher would miss (a boundary inside a jieba word): "
        f"{cut} of {total} ({cut / total:.0%})"
    )


if __name__ == "__main__":
    main()
