"""How extraction time and memory grow with the length of a document, and on adversarial text.

For each text and each length, one extraction in a fresh process (so that the peak memory
is that extraction's): seconds, microseconds per character, and the growth of the resident
set. Linear work keeps the time per character flat as the length grows tenfold.

Usage: ``python benchmarks/long_documents.py [--lengths 10000,100000,1000000]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "seeds" / "hailar_district_gov_work_report_2019.txt"

#: name → (unit repeated to the length)
TEXTS = {
    "work report, repeated": REPORT.read_text(encoding="utf-8"),
    "no punctuation": "推动经济高质量发展乡村振兴战略市委",
    "heading lines": "（一）\n",
    "digits and %": "12%3.5%增长6%",
    "quote marks": "“",
}

CHILD = """
import json, resource, sys, time
from policykg.extract import extract_text
unit, n = sys.argv[1], int(sys.argv[2])
text = (unit * (n // len(unit) + 1))[:n]
extract_text("市委。", "warm-up")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
extraction = extract_text(text, "long.txt")
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rss_mb": (after - before) / 1024,
                  "entities": len(extraction.entities)}))
"""


def measure(unit: str, length: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, unit, str(length)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="10000,100000,1000000")
    args = parser.parse_args()
    lengths = [int(n) for n in args.lengths.split(",")]
    print(f"{'text':24}  {'characters':>10}  {'seconds':>8}  {'µs/char':>7}  {'+RSS MB':>7}")
    for name, unit in TEXTS.items():
        for length in lengths:
            m = measure(unit, length)
            print(
                f"{name:24}  {length:>10,}  {m['seconds']:>8.2f}  "
                f"{m['seconds'] / length * 1e6:>7.1f}  {m['rss_mb']:>7.0f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
