"""A synthetic corpus for the scale benchmark: the seeds' paragraphs, recombined and renamed.

``python benchmarks/corpus.py OUT_DIR [--docs 1000] [--chars 10000]`` writes ``OUT_DIR/doc0000.txt``
… Each document is built from one of the seed documents as its frame (its header, its
section headings, its closing lines) with body paragraphs drawn, in their order, from both
seeds until it is about ``--chars`` characters long. Then places, people, years and numbers
are varied: a corpus of the reports of many districts over many years, not 1,000 copies of
one text. The corpus depends only on ``--docs``, ``--chars`` and ``--seed`` (``random.Random``
seeded with a string is the same on every platform and Python version), so two runs write
byte-identical files.
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
REPORT = "hailar_district_gov_work_report_2019.txt"
SPEECH = "000_e07ead4074b87c09.txt"

#: Characters place names are made of (common in Chinese place names).
PLACE_CHARS = "安宁平阳江山河东西南北兴和泰清源川岭林丰华新昌德文武永长盛湖海云青临宜通化庆"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN_CHARS = "国文建华志明海军平东晓红伟强俊峰丽敏静磊洋勇艳杰涛超秀英霞刚辉鹏宇"

_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_HEADING_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")


@dataclass(frozen=True)
class Frame:
    """A seed document cut into the parts a generated document keeps or draws from."""

    head: list[str]  # the lines before the first section heading
    sections: list[tuple[str, list[str]]]  # (heading, body paragraphs)
    tail: list[str]  # the closing lines after the last body paragraph


def read_frame(path: Path, tail_lines: int) -> Frame:
    """``path`` cut at its top-level section headings (一、…); the last lines are its tail."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    body, tail = lines[: len(lines) - tail_lines], lines[len(lines) - tail_lines :]
    head: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in body:
        if re.match(r"^[一二三四五六七八九十]+、", line):
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
        else:
            head.append(line)
    return Frame(head, sections, tail)


def document(index: int, chars: int, seed: int, frames: dict[str, Frame]) -> str:
    """The text of generated document ``index``: about ``chars`` characters."""
    rng = random.Random(f"policykg-corpus-{seed}-{index}")
    own, other = (REPORT, SPEECH) if rng.random() < 0.6 else (SPEECH, REPORT)
    frame, donor = frames[own], frames[other]
    lines = list(frame.head)
    budget = chars - sum(map(len, lines)) - sum(map(len, frame.tail))
    share = budget / max(1, len(frame.sections))
    for number, (heading, paragraphs) in enumerate(frame.sections):
        lines.append(heading)
        pool = paragraphs + _borrow(donor, number, rng)
        chosen = _fill(pool, share, rng)
        lines.extend(chosen)
    lines.extend(frame.tail)
    return _vary("\n".join(lines) + "\n", rng)


def _borrow(donor: Frame, number: int, rng: random.Random) -> list[str]:
    """Body paragraphs of the donor's section of the same rank (or a random one)."""
    if number < len(donor.sections):
        _, paragraphs = donor.sections[number]
    else:
        _, paragraphs = rng.choice(donor.sections)
    return [p for p in paragraphs if not _HEADING_RE.match(p) or len(p) > 200]


def _fill(pool: list[str], share: float, rng: random.Random) -> list[str]:
    """Paragraphs of ``pool`` in their order, drawn at random until ``share`` characters."""
    order = list(range(len(pool)))
    rng.shuffle(order)
    taken: set[int] = set()
    size = 0
    for i in order:
        if size >= share:
            break
        taken.add(i)
        size += len(pool[i])
    return [pool[i] for i in sorted(taken)]


def _vary(text: str, rng: random.Random) -> str:
    """``text`` with its places, leader, years and numbers varied."""
    city = _name(rng, PLACE_CHARS, 40, "city")
    district = _name(rng, PLACE_CHARS, 300, "district")
    leader = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(2))
    shift = rng.randint(-4, 6)
    for old, new in (("呼伦贝尔", city), ("海拉尔", district), ("萨国文", leader), ("XX", city)):
        text = text.replace(old, new)

    def number(match: re.Match[str]) -> str:
        value = match.group()
        if len(value) == 4 and value.isdigit() and 1990 <= int(value) <= 2035:
            return str(int(value) + shift)
        if "." in value:
            places = len(value.split(".")[1])
            return f"{float(value) * rng.uniform(0.7, 1.3):.{places}f}"
        scaled = round(int(value) * rng.uniform(0.7, 1.3))
        return str(max(1, scaled)) if int(value) else value

    return _NUMBER_RE.sub(number, text)


def _name(rng: random.Random, chars: str, pool: int, kind: str) -> str:
    """One of ``pool`` two- or three-character names (a corpus has many reports per place)."""
    pick = random.Random(f"{kind}-{rng.randrange(pool)}")
    return "".join(pick.choice(chars) for _ in range(pick.choice((2, 2, 3))))


def generate(out_dir: Path, docs: int = 1000, chars: int = 10_000, seed: int = 0) -> list[Path]:
    """Write ``docs`` documents ``doc0000.txt``… into ``out_dir``; return their paths."""
    frames = {REPORT: read_frame(SEEDS / REPORT, 1), SPEECH: read_frame(SEEDS / SPEECH, 2)}
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(docs):
        path = out_dir / f"doc{index:04d}.txt"
        path.write_text(document(index, chars, seed, frames), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--chars", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = generate(args.out_dir, args.docs, args.chars, args.seed)
    total = sum(len(p.read_text(encoding="utf-8")) for p in paths)
    print(f"{len(paths)} documents, {total:,} characters in {args.out_dir}")


if __name__ == "__main__":
    main()
