"""Every rule id the extractor can put on a mention or a relation, and where it is defined.

Most ids come from the data files (``patterns.yaml`` rule ids, the heading and enumeration
ids of ``structure.yaml`` with ``-task`` appended, the noun phrases and target kinds of
``clauses.yaml``, one ``lexicon.<Type>`` per type of ``lexicon.yaml``); the others are
written in the code of the module that emits them (all relation rules, the problems of
lists, clauses and remedies, lead-sentence tasks, goal lists). ``policykg stats`` reads the
catalogue to show the rules that never fired; the tests check it against the ids the seeds
produce and against the string literals of those modules, so it cannot go stale unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from .clauses import clause_rules
from .resources import lexicon, pattern_rules
from .schema import EntityType, RelationType
from .structure import structure_rules

__all__ = ["CODE_RULES", "RuleInfo", "rule_catalogue"]

Kind = Literal["entity", "relation"]

#: Rule ids written in code, by the module that emits them (relation ids: ``rel.<type>.<how>``).
CODE_RULES: Final[dict[str, tuple[str, ...]]] = {
    "extract/structure.py": ("structure.lead-sentence-task",),
    "extract/clauses.py": (
        "problem.list-heading",
        "problem.list-item",
        "problem.marker-clause",
        "problem.remedy-object",
        "target.goal-list",
        "target.dash-goal",
    ),
    "extract/relations.py": (
        "rel.addresses.problem-list-closer",
        "rel.addresses.remedy",
        "rel.concerns.problem-text",
        "rel.deploys.meeting",
        "rel.deploys.speaker",
        "rel.hasTarget.meeting",
        "rel.hasTarget.task-text",
        "rel.heldBy.name-prefix",
        "rel.heldBy.trigger",
        "rel.implements.speaker-trigger",
        "rel.implements.subject-trigger",
        "rel.implements.task-trigger",
        "rel.involves.task-text",
        "rel.partOf.org-name",
        "rel.partOf.problem-list",
        "rel.partOf.task-structure",
        "rel.proposedBy.goal-list",
        "rel.proposedBy.meeting-target",
        "rel.proposedBy.named-author",
        "rel.proposedBy.trigger",
    ),
}

#: What structure.py appends to a heading or enumeration id to name the task rule.
_TASK_SUFFIX = "-task"
#: The entity type of the code-defined ids of each module, by id prefix.
_CODE_TYPES: Final = {
    "structure.": EntityType.TASK,
    "problem.": EntityType.PROBLEM,
    "target.": EntityType.TARGET,
}


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One rule: what it produces (``kind`` and entity or relation ``type``) and where it is.

    ``source`` is the data file or module that defines the id, relative to the repository.
    """

    id: str
    kind: Kind
    type: str
    source: str


def rule_catalogue() -> dict[str, RuleInfo]:
    """Every rule id the extractor can emit → its :class:`RuleInfo`, sorted by id."""
    rules: list[RuleInfo] = []
    types = sorted({entry.type for entry in lexicon().entries}, key=list(EntityType).index)
    rules += [RuleInfo(f"lexicon.{t}", "entity", str(t), "data/lexicon.yaml") for t in types]
    rules += [RuleInfo(r.id, "entity", str(r.type), "data/patterns.yaml") for r in pattern_rules()]
    structure = structure_rules()
    ids = [h.id for h in structure.headings] + [family for family, _ in structure.enumerations]
    task = str(EntityType.TASK)
    rules += [RuleInfo(i + _TASK_SUFFIX, "entity", task, "data/structure.yaml") for i in ids]
    clauses = clause_rules()
    problem, target = str(EntityType.PROBLEM), str(EntityType.TARGET)
    rules += [
        RuleInfo(i, "entity", problem, "data/clauses.yaml") for i, _, _ in clauses.noun_phrases
    ]
    rules += [
        RuleInfo(i, "entity", target, "data/clauses.yaml") for i, _ in clauses.target_patterns
    ]
    for source, code_ids in CODE_RULES.items():
        rules += [_code_rule(i, source) for i in code_ids]
    catalogue: dict[str, RuleInfo] = {}
    for rule in sorted(rules, key=lambda r: r.id):
        catalogue.setdefault(rule.id, rule)
    return catalogue


def _code_rule(rule_id: str, source: str) -> RuleInfo:
    """The info of an id written in code: its type from its prefix (``rel.<type>.…``)."""
    if rule_id.startswith("rel."):
        return RuleInfo(rule_id, "relation", str(RelationType(rule_id.split(".")[1])), source)
    prefix = next(p for p in _CODE_TYPES if rule_id.startswith(p))
    return RuleInfo(rule_id, "entity", str(_CODE_TYPES[prefix]), source)
