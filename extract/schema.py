"""The entity and relation types of the graph: the stable keys of the JSON form and gold files.

These names are the contract with ``../shared/eval/SCHEMA.md``; the RDF vocabulary in
``policykg.graph`` maps each of them to a class or property IRI.
"""

from __future__ import annotations

from enum import StrEnum


class EntityType(StrEnum):
    """What an extracted entity is."""

    ORGANIZATION = "Organization"
    PERSON = "Person"
    STRATEGY = "Strategy"
    POLICY = "Policy"
    PRINCIPLE = "Principle"
    PROBLEM = "Problem"
    TASK = "Task"
    TARGET = "Target"
    EVENT = "Event"


class RelationType(StrEnum):
    """How two extracted entities are related (head → tail)."""

    DEPLOYS = "deploys"
    IMPLEMENTS = "implements"
    INVOLVES = "involves"
    HAS_TARGET = "hasTarget"
    CONCERNS = "concerns"
    ADDRESSES = "addresses"
    PROPOSED_BY = "proposedBy"
    PART_OF = "partOf"
    HELD_BY = "heldBy"


E = EntityType
R = RelationType

#: Which head and tail types each relation admits (SCHEMA.md, "Relation types").
RELATION_SIGNATURES: dict[RelationType, tuple[frozenset[EntityType], frozenset[EntityType]]] = {
    R.DEPLOYS: (frozenset({E.ORGANIZATION, E.PERSON, E.EVENT}), frozenset({E.TASK})),
    R.IMPLEMENTS: (
        frozenset({E.ORGANIZATION, E.TASK, E.PROBLEM}),
        frozenset({E.STRATEGY, E.POLICY, E.PRINCIPLE}),
    ),
    R.INVOLVES: (
        frozenset({E.TASK}),
        frozenset({E.STRATEGY, E.POLICY, E.PRINCIPLE, E.TARGET, E.ORGANIZATION, E.EVENT}),
    ),
    R.HAS_TARGET: (frozenset({E.TASK, E.EVENT}), frozenset({E.TARGET})),
    R.CONCERNS: (frozenset({E.PROBLEM}), frozenset(set(E) - {E.PROBLEM})),
    R.ADDRESSES: (frozenset({E.TASK}), frozenset({E.PROBLEM})),
    R.PROPOSED_BY: (
        frozenset({E.PRINCIPLE, E.POLICY, E.TASK, E.TARGET}),
        frozenset({E.PERSON, E.ORGANIZATION, E.EVENT}),
    ),
    R.PART_OF: (
        frozenset({E.ORGANIZATION, E.TASK, E.PROBLEM}),
        frozenset({E.ORGANIZATION, E.TASK, E.PROBLEM}),
    ),
    R.HELD_BY: (frozenset({E.EVENT}), frozenset({E.ORGANIZATION})),
}


def admits(relation: RelationType, head: EntityType, tail: EntityType) -> bool:
    """Whether ``relation`` may link an entity of type ``head`` to one of type ``tail``.

    ``partOf`` links entities of the same type only.
    """
    heads, tails = RELATION_SIGNATURES[relation]
    if head not in heads or tail not in tails:
        return False
    return relation is not R.PART_OF or head is tail
