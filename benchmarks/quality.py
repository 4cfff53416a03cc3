"""Extraction quality on the annotated documents of ``seeds/``, as a Markdown table.

For every ``seeds/NAME.json`` gold file next to ``seeds/NAME.txt``: strict and lenient F1
per entity and relation type (the figures of ``policykg eval`` / ``score.py``), with the date
and the commit they were measured on. Usage: ``python benchmarks/quality.py``.
"""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path

from policykg.extract import extract_file
from policykg.extract.evaluate import Evaluation, evaluate

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def commit() -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return proc.stdout.strip() or "unknown"


def rows(name: str, result: Evaluation) -> list[str]:
    strict, lenient = result.strict, result.lenient
    out = [
        f"| {name} | **entities** | {strict.entities.f1:.3f} | {lenient.entities.f1:.3f} "
        f"| {lenient.entities.pred} | {lenient.entities.gold} |"
    ]
    for kind, prf in lenient.entity_types.items():
        s = strict.entity_types[kind]
        out.append(f"| | {kind} | {s.f1:.3f} | {prf.f1:.3f} | {prf.pred} | {prf.gold} |")
    out.append(
        f"| | **relations** | {strict.relations.f1:.3f} | {lenient.relations.f1:.3f} "
        f"| {lenient.relations.pred} | {lenient.relations.gold} |"
    )
    for kind, prf in lenient.relation_types.items():
        s = strict.relation_types[kind]
        out.append(f"| | {kind} | {s.f1:.3f} | {prf.f1:.3f} | {prf.pred} | {prf.gold} |")
    return out


def main() -> None:
    print(f"Measured {datetime.date.today().isoformat()} on commit {commit()}.\n")
    print("| document | type | strict F1 | lenient F1 | predicted | gold |")
    print("|---|---|---:|---:|---:|---:|")
    for gold_path in sorted(SEEDS.glob("*.json")):
        text_path = gold_path.with_suffix(".txt")
        if not text_path.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        result = evaluate(gold, extract_file(text_path).to_json())
        print("\n".join(rows(gold_path.stem, result)))


if __name__ == "__main__":
    main()
