"""What an extraction is made of: mentions, entities, relations, all traceable to the text.

Every offset is a character offset into the document text exactly as it was read from the
file (after decoding, before any normalisation), so ``text[start:end]`` gives back the
surface form. Every mention and relation names the rule that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .schema import EntityType, RelationType


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in the text."""

    start: int
    end: int
    text: str
    rule: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "rule": self.rule}


@dataclass(frozen=True, slots=True)
class Evidence:
    """The stretch of text (usually one sentence) that states a relation."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class Entity:
    """A typed entity of one document with all its mentions.

    ``label`` is the shortest surface form that names the entity on its own; ``aliases``
    are its other surface forms in the document. ``attributes`` holds typed extras (for
    example a task's modality) as plain strings. ``merged`` names, for each alias, the
    resolution rule that made it a form of this entity (``resolve.org.government`` for
    区人民政府 beside 区政府).
    """

    id: str
    type: EntityType
    label: str
    mentions: list[Mention]
    aliases: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)

    @property
    def rule(self) -> str:
        """The rule of the first mention: the rule that found the entity."""
        return self.mentions[0].rule if self.mentions else ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": str(self.type), "label": self.label}
        if self.aliases:
            out["aliases"] = list(self.aliases)
        if self.attributes:
            out["attributes"] = dict(sorted(self.attributes.items()))
        if self.merged:
            out["merged"] = dict(sorted(self.merged.items()))
        out["rule"] = self.rule
        out["mentions"] = [m.to_json() for m in self.mentions]
        return out


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed, directed relation between two entities of one document."""

    head: str
    type: RelationType
    tail: str
    rule: str
    evidence: Evidence

    def to_json(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "type": str(self.type),
            "tail": self.tail,
            "evidence": self.evidence.text,
            "evidence_start": self.evidence.start,
            "evidence_end": self.evidence.end,
            "rule": self.rule,
        }


@dataclass(slots=True)
class Extraction:
    """Everything extracted from one document."""

    document: str
    text: str
    entities: list[Entity]
    relations: list[Relation]
    metadata: dict[str, str] = field(default_factory=dict)

    def entity(self, entity_id: str) -> Entity:
        """The entity with this id; KeyError names the id when there is none."""
        for ent in self.entities:
            if ent.id == entity_id:
                return ent
        raise KeyError(f"no entity {entity_id!r} in {self.document}")

    def to_json(self) -> dict[str, Any]:
        """The JSON form of SCHEMA.md, with offsets and rule ids as extra keys."""
        out: dict[str, Any] = {"document": self.document}
        if self.metadata:
            out["metadata"] = dict(sorted(self.metadata.items()))
        out["entities"] = [e.to_json() for e in self.entities]
        out["relations"] = [r.to_json() for r in self.relations]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any], text: str = "") -> Extraction:
        """Rebuild an extraction from its JSON form (gold files have no offsets: they stay -1)."""
        entities = [
            Entity(
                id=str(e["id"]),
                type=_entity_type(e["type"]),
                label=str(e["label"]),
                mentions=[
                    Mention(int(m["start"]), int(m["end"]), str(m["text"]), str(m["rule"]))
                    for m in e.get("mentions") or []
                ],
                aliases=[str(a) for a in e.get("aliases") or []],
                attributes={str(k): str(v) for k, v in (e.get("attributes") or {}).items()},
                merged={str(k): str(v) for k, v in (e.get("merged") or {}).items()},
            )
            for e in _records(data, "entities")
        ]
        relations = [
            Relation(
                head=str(r["head"]),
                type=_relation_type(r["type"]),
                tail=str(r["tail"]),
                rule=str(r.get("rule", "")),
                evidence=Evidence(
                    int(r.get("evidence_start", -1)),
                    int(r.get("evidence_end", -1)),
                    str(r.get("evidence", "")),
                ),
            )
            for r in _records(data, "relations")
        ]
        metadata = {str(k): str(v) for k, v in (data.get("metadata") or {}).items()}
        return cls(str(data.get("document", "")), text, entities, relations, metadata)


#: The types by value: a dict lookup, where calling the Enum costs ten times as much (a
#: corpus rebuild reads hundreds of thousands of them from the cache).
_ENTITY_TYPES = {member.value: member for member in EntityType}
_RELATION_TYPES = {member.value: member for member in RelationType}


def _entity_type(value: Any) -> EntityType:
    """The entity type of this value; ValueError (from the Enum) when there is none."""
    found = _ENTITY_TYPES.get(value) if isinstance(value, str) else None
    return found if found is not None else EntityType(value)


def _relation_type(value: Any) -> RelationType:
    """The relation type of this value; ValueError (from the Enum) when there is none."""
    found = _RELATION_TYPES.get(value) if isinstance(value, str) else None
    return found if found is not None else RelationType(value)


def _records(data: Mapping[str, Any], key: str) -> Sequence[Mapping[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"'{key}' must be a list, not {type(value).__name__}")
    return value
