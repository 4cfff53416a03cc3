"""Group mentions into entities: one entity per real-world thing within a document.

Mentions are grouped by type and a key: the normalised label of their matching view (so OCR
misreadings group with the correct form), the lexicon's canonical label when the lexicon found
them, and the rewrites of ``data/resolution.yaml`` (区人民政府 ↔ 区政府, …会议 ↔ …会).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from .normalize import normalize_label
from .resources import compile_pattern, load_yaml
from .schema import EntityType
from .textview import Span


@dataclass(slots=True)
class MentionRecord:
    """A mention before grouping: span, type, rule, and what the rule knew of it."""

    span: Span
    type: EntityType
    rule: str
    canonical: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Group:
    """An entity in the making: its mentions (indices into the mention list)."""

    type: EntityType
    key: str
    mentions: list[int]
    canonical: str | None = None


@cache
def _rewrites() -> dict[EntityType, tuple[tuple[re.Pattern[str], str], ...]]:
    data = load_yaml("resolution.yaml").get("rewrites") or {}
    out: dict[EntityType, tuple[tuple[re.Pattern[str], str], ...]] = {}
    for type_name, rules in data.items():
        out[EntityType(type_name)] = tuple(
            (compile_pattern(str(r[0]), f"resolution.yaml {type_name}"), str(r[1])) for r in rules
        )
    return out


def mention_key(etype: EntityType, surface: str) -> str:
    """The grouping key of a surface form (matching view) of type ``etype``."""
    key = normalize_label(surface)
    for pattern, replacement in _rewrites().get(etype, ()):
        rewritten = pattern.sub(replacement, key)
        if len(rewritten) >= 2:
            key = rewritten
    return key


def group_mentions(view: str, mentions: Sequence[MentionRecord]) -> list[Group]:
    """Entities as groups of mentions, ordered by their first mention."""
    groups: dict[tuple[EntityType, str], Group] = {}
    order = sorted(range(len(mentions)), key=lambda i: (mentions[i].span.start, i))
    for i in order:
        m = mentions[i]
        surface = view[m.span.start : m.span.end]
        key = mention_key(m.type, m.canonical or surface)
        group = groups.get((m.type, key))
        if group is None:
            group = groups[(m.type, key)] = Group(m.type, key, [], m.canonical)
        group.mentions.append(i)
        if group.canonical is None:
            group.canonical = m.canonical
    merged = merge_place_qualified(list(groups.values()))
    return sorted(merged, key=lambda g: (mentions[g.mentions[0]].span.start, g.type))


def merge_place_qualified(groups: list[Group]) -> list[Group]:
    """Fold 呼伦贝尔市委 into 市委 (and 海拉尔区政府 into 区政府) when both are named.

    Within one document a body named with and without its place is one body: the text
    drops the place once it is clear.
    """
    orgs = {g.key: g for g in groups if g.type is EntityType.ORGANIZATION}
    gone: set[int] = set()
    for key in sorted(orgs, key=len, reverse=True):
        group = orgs[key]
        for size in range(len(key) - 2, 1, -1):
            target = orgs.get(key[-size:])
            if target is not None and target is not group and id(target) not in gone:
                target.mentions.extend(group.mentions)
                gone.add(id(group))
                break
    return [g for g in groups if id(g) not in gone]


def choose_label(text: str, view: str, group: Group, mentions: Sequence[MentionRecord]) -> str:
    """The label: the canonical form when the text has it, else the group's first form.

    A group's first form is its first mention in the text, except for a body merged with its
    place-qualified name, which keeps its short name (市委, not 呼伦贝尔市委).
    """
    surfaces = [text[mentions[i].span.start : mentions[i].span.end] for i in group.mentions]
    if group.canonical is not None:
        wanted = normalize_label(group.canonical)
        for i, surface in zip(group.mentions, surfaces, strict=True):
            span = mentions[i].span
            if normalize_label(view[span.start : span.end]) == wanted:
                return surface
    return surfaces[0]
