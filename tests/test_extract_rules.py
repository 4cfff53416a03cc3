"""Tests of extract/rules.py: the catalogue of rule ids is complete and says where each is.

Two checks keep it from going stale: every rule id the seeds produce is in it (with the
entity or relation type it was used with), and the ids written in code match the string
literals of the modules that emit them, in both directions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from policykg.extract import Extraction, extract_file
from policykg.extract.rules import CODE_RULES, RuleInfo, rule_catalogue

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def seeds() -> list[Extraction]:
    return [extract_file(path) for path in sorted(SEEDS.glob("*.txt"))]


def test_every_rule_the_seeds_produce_is_catalogued_with_its_type(
    seeds: list[Extraction],
) -> None:
    catalogue = rule_catalogue()
    used = set()
    for extraction in seeds:
        for entity in extraction.entities:
            for mention in entity.mentions:
                used.add((mention.rule, "entity", str(entity.type)))
        used |= {(r.rule, "relation", str(r.type)) for r in extraction.relations}
    assert len(used) > 60
    assert sorted(u for u in used if u[0] not in catalogue) == []
    assert sorted(u for u in used if (catalogue[u[0]].kind, catalogue[u[0]].type) != u[1:]) == []


@pytest.mark.parametrize(
    "info",
    [
        RuleInfo("lexicon.Strategy", "entity", "Strategy", "data/lexicon.yaml"),
        RuleInfo("principle.leader-instructions", "entity", "Principle", "data/patterns.yaml"),
        RuleInfo("org.admin-body", "entity", "Organization", "data/patterns.yaml"),
        RuleInfo("structure.heading-2-task", "entity", "Task", "data/structure.yaml"),
        RuleInfo("structure.enum-yao-task", "entity", "Task", "data/structure.yaml"),
        RuleInfo("structure.lead-sentence-task", "entity", "Task", "extract/structure.py"),
        RuleInfo("problem.feedback", "entity", "Problem", "data/clauses.yaml"),
        RuleInfo("problem.remedy-object", "entity", "Problem", "extract/clauses.py"),
        RuleInfo("target.no-risk", "entity", "Target", "data/clauses.yaml"),
        RuleInfo("target.goal-list", "entity", "Target", "extract/clauses.py"),
        RuleInfo("rel.proposedBy.named-author", "relation", "proposedBy", "extract/relations.py"),
        RuleInfo("rel.partOf.task-structure", "relation", "partOf", "extract/relations.py"),
    ],
    ids=lambda info: info.id,
)
def test_catalogue_entries(info: RuleInfo) -> None:
    assert rule_catalogue()[info.id] == info


def test_catalogue_is_sorted_and_knows_only_lexicon_types_that_have_entries() -> None:
    catalogue = rule_catalogue()
    assert list(catalogue) == sorted(catalogue)
    assert all(rule_id == info.id for rule_id, info in catalogue.items())
    lexicon = [r for r in catalogue if r.startswith("lexicon.")]
    assert lexicon == [
        "lexicon.Event",
        "lexicon.Organization",
        "lexicon.Person",
        "lexicon.Policy",
        "lexicon.Principle",
        "lexicon.Strategy",
    ]
    sources = {info.source for info in catalogue.values()}
    assert sources == {
        "data/clauses.yaml",
        "data/lexicon.yaml",
        "data/patterns.yaml",
        "data/structure.yaml",
        "extract/clauses.py",
        "extract/relations.py",
        "extract/structure.py",
    }


#: Which string literals of a module are rule ids: relation ids, problem and target ids, task
#: ids (structure.py names heading ids without "-task" only to test them; the "target." of an
#: f-string is a prefix).
RULE_LITERAL = {
    "extract/relations.py": lambda s: s.startswith("rel.") and s.count(".") == 2,
    "extract/clauses.py": lambda s: s.startswith(("problem.", "target.")) and s[-1] != ".",
    "extract/structure.py": lambda s: s.startswith("structure.") and s.endswith("-task"),
}


def _literals(module: str) -> set[str]:
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


@pytest.mark.parametrize("module", sorted(CODE_RULES))
def test_code_ids_are_string_literals_of_their_module(module: str) -> None:
    assert sorted(set(CODE_RULES[module]) - _literals(module)) == []


@pytest.mark.parametrize("module", sorted(CODE_RULES))
def test_rule_ids_written_in_a_module_are_catalogued(module: str) -> None:
    written = {s for s in _literals(module) if RULE_LITERAL[module](s)}
    assert len(written) >= len(CODE_RULES[module])
    assert sorted(written - set(rule_catalogue())) == []
