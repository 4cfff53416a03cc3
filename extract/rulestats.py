"""How often each rule fired on a corpus, so that dead and noisy rules are visible.

Counted on the extractions, that is on what survives overlap resolution and de-duplication:
per rule id, the mentions it produced, the entities it found (an entity's rule is its first
mention's), the relations it drew, and in how many documents it did any of these. Rules of
the catalogue (:func:`~policykg.extract.rules.rule_catalogue`) that did none of it in any
document are listed as never fired; a rule that fired but is not in the catalogue keeps the
kind ``?`` so that it stands out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .model import Extraction
from .rules import RuleInfo, rule_catalogue

__all__ = ["RuleCount", "RuleStats", "count_rules", "format_rule_stats", "rule_stats_to_json"]

#: Columns of the table, after the rule id.
_COLUMNS = ("kind", "documents", "mentions", "entities", "relations")


@dataclass(frozen=True, slots=True)
class RuleCount:
    """What one rule produced over a corpus; ``kind``, ``type`` and ``source`` are ``?``
    when the rule is not in the catalogue."""

    rule: str
    kind: str
    type: str
    source: str
    documents: int
    mentions: int
    entities: int
    relations: int


@dataclass(frozen=True, slots=True)
class RuleStats:
    """The rules that fired on ``documents`` (sorted by id) and those that never did."""

    documents: tuple[str, ...]
    fired: tuple[RuleCount, ...]
    never_fired: tuple[RuleInfo, ...]

    @property
    def catalogued(self) -> int:
        """How many rules the catalogue holds (fired ones outside it not counted)."""
        return sum(1 for r in self.fired if r.kind != "?") + len(self.never_fired)


def count_rules(
    extractions: Iterable[Extraction], catalogue: Mapping[str, RuleInfo] | None = None
) -> RuleStats:
    """Count per rule id what ``extractions`` hold (see the module docstring)."""
    rules = rule_catalogue() if catalogue is None else catalogue
    mentions: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    names = []
    for extraction in extractions:
        names.append(extraction.document)
        here: set[str] = set()
        for entity in extraction.entities:
            entities[entity.rule] += 1
            for mention in entity.mentions:
                mentions[mention.rule] += 1
                here.add(mention.rule)
        for relation in extraction.relations:
            relations[relation.rule] += 1
            here.add(relation.rule)
        documents.update(here)
    fired = []
    for rule in sorted(documents):
        info = rules.get(rule)
        kind, type_, source = (info.kind, info.type, info.source) if info else ("?", "?", "?")
        counts = (documents[rule], mentions[rule], entities[rule], relations[rule])
        fired.append(RuleCount(rule, kind, type_, source, *counts))
    never = tuple(rules[r] for r in sorted(rules) if r not in documents)
    return RuleStats(tuple(names), tuple(fired), never)


def format_rule_stats(stats: RuleStats) -> str:
    """The table ``policykg stats`` prints (every line ends with a newline).

    A line with the totals; one row per rule that fired, sorted by id, numbers right-aligned;
    then ``never fired:`` with each such rule and the file that defines it.
    """
    header = ("rule", *_COLUMNS)
    rows = [
        (r.rule, r.kind, *(str(n) for n in (r.documents, r.mentions, r.entities, r.relations)))
        for r in stats.fired
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        f"{len(stats.documents)} documents: {len(stats.fired)} rules fired, "
        f"{len(stats.never_fired)} of {stats.catalogued} never fired",
        "",
        _row(header, widths),
        _row(tuple("-" * w for w in widths), widths),
        *(_row(row, widths) for row in rows),
        "",
        "never fired:" + ("" if stats.never_fired else " none"),
    ]
    id_width = max((len(r.id) for r in stats.never_fired), default=0)
    lines += [f"  {r.id:<{id_width}}  {r.source}" for r in stats.never_fired]
    return "".join(f"{line}\n" for line in lines)


def rule_stats_to_json(stats: RuleStats) -> dict[str, Any]:
    """The machine-readable form of ``policykg stats --json``."""
    return {
        "documents": list(stats.documents),
        "rules": [
            {
                "rule": r.rule,
                "kind": r.kind,
                "type": r.type,
                "source": r.source,
                "documents": r.documents,
                "mentions": r.mentions,
                "entities": r.entities,
                "relations": r.relations,
            }
            for r in stats.fired
        ],
        "never_fired": [
            {"rule": r.id, "kind": r.kind, "type": r.type, "source": r.source}
            for r in stats.never_fired
        ],
    }


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    """The rule id and kind left-aligned, the counts right-aligned."""
    left = [f"{c:<{w}}" for c, w in zip(cells[:2], widths[:2], strict=True)]
    right = [f"{c:>{w}}" for c, w in zip(cells[2:], widths[2:], strict=True)]
    return "  ".join(left + right).rstrip()
