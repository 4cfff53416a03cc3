"""Group mentions into entities: one entity per real-world thing within a document.

Mentions are grouped by type and a key: the normalised label of their matching view (so OCR
misreadings group with the correct form), the lexicon's canonical label when the lexicon found
them, and the rewrites of ``data/resolution.yaml`` (区人民政府 ↔ 区政府, 市发展和改革委员会 ↔
市发改委, …会议 ↔ …会). Every merge remembers the rule that made it, so that the graph can
record it. The same keys, qualified by the document's place for bodies named by their level
alone (市委 of 呼伦贝尔市), merge entities across documents (:func:`entity_keys`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

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


#: Rule ids of merges made by grouping rather than by a rewrite.
SAME_FORM = "resolve.same-form"
OCR_FOLD = "resolve.ocr-fold"
LEXICON = "resolve.lexicon-canonical"
PLACE_QUALIFIED = "resolve.place-qualified"


@dataclass(slots=True)
class Group:
    """An entity in the making: its mentions (indices into the mention list).

    ``joined`` gives, for every mention but the first, the rule that grouped it.
    """

    type: EntityType
    key: str
    mentions: list[int]
    canonical: str | None = None
    joined: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rewrite:
    id: str
    pattern: re.Pattern[str]
    replace: str


@dataclass(frozen=True, slots=True)
class Resolution:
    """The compiled rules of ``data/resolution.yaml``."""

    rewrites: dict[EntityType, tuple[Rewrite, ...]]
    generic_body: re.Pattern[str]
    levels: dict[str, re.Pattern[str]]


@cache
def resolution() -> Resolution:
    """Compile ``data/resolution.yaml`` once."""
    data = load_yaml("resolution.yaml")
    rewrites: dict[EntityType, tuple[Rewrite, ...]] = {}
    for type_name, rules in (data.get("rewrites") or {}).items():
        rewrites[EntityType(type_name)] = tuple(
            Rewrite(
                str(r["id"]),
                compile_pattern(str(r["pattern"]), f"resolution.yaml {r['id']}"),
                str(r["replace"]),
            )
            for r in rules
        )
    levels = {
        str(k): compile_pattern(f"(?:{v})$", f"resolution.yaml levels {k}")
        for k, v in (data.get("levels") or {}).items()
    }
    generic = compile_pattern(str(data["generic_body"]), "resolution.yaml generic_body")
    return Resolution(rewrites, generic, levels)


@lru_cache(maxsize=1 << 16)
def resolution_key(etype: EntityType, surface: str) -> tuple[str, tuple[str, ...]]:
    """The grouping key of a surface form of type ``etype``, and the rewrites that made it."""
    key = normalize_label(surface)
    applied: list[str] = []
    for rule in resolution().rewrites.get(etype, ()):
        rewritten = rule.pattern.sub(rule.replace, key)
        if len(rewritten) >= 2 and rewritten != key:
            key = rewritten
            applied.append(rule.id)
    return key, tuple(applied)


def mention_key(etype: EntityType, surface: str) -> str:
    """The grouping key of a surface form (matching view) of type ``etype``."""
    return resolution_key(etype, surface)[0]


_PLACE_UNIT = re.compile(r".{2,8}?(?:自治区|自治州|省|市|州|盟|地区|区|县|旗)")


def place_units(chain: str) -> list[str]:
    """The units of a place chain: 呼伦贝尔市海拉尔区 → 呼伦贝尔市, 海拉尔区."""
    return _PLACE_UNIT.findall(chain)


def place_of(label: str, chain: str) -> str | None:
    """The place that qualifies a body named by its level alone (市委 in 呼伦贝尔市: 呼伦贝尔市)."""
    res = resolution()
    key = normalize_label(label)
    match = res.generic_body.match(key)
    if match is None or not chain:
        return None
    level = res.levels.get(match.group())
    if level is None:
        return None
    for unit in place_units(chain):
        if level.search(unit):
            return unit
    return None


def entity_keys(etype: EntityType, forms: Sequence[str], place: str | None) -> set[str]:
    """The keys that merge an entity across documents: one per surface form.

    A body named by its level alone (市委) is keyed with its place when known (呼伦贝尔市委),
    so that the 市委 of two cities stay two bodies.
    """
    keys = {qualified(etype, mention_key(etype, form), place) for form in forms}
    keys.discard("")
    return keys


def qualified(etype: EntityType, form: str, place: str | None) -> str:
    """``form`` with ``place`` for the level it names, if it names a body by its level alone."""
    if etype is EntityType.ORGANIZATION and place and form:
        match = resolution().generic_body.match(form)
        if match is not None:
            return place + form[match.end() :]
    return form


def group_mentions(view: str, mentions: Sequence[MentionRecord]) -> list[Group]:
    """Entities as groups of mentions, ordered by their first mention."""
    groups: dict[tuple[EntityType, str], Group] = {}
    first_form: dict[tuple[EntityType, str], tuple[str, str, tuple[str, ...]]] = {}
    order = sorted(range(len(mentions)), key=lambda i: (mentions[i].span.start, i))
    for i in order:
        m = mentions[i]
        surface = view[m.span.start : m.span.end]
        key, applied = resolution_key(m.type, m.canonical or surface)
        group = groups.get((m.type, key))
        form = normalize_label(surface)
        if group is None:
            group = groups[(m.type, key)] = Group(m.type, key, [], m.canonical)
            first_form[(m.type, key)] = (form, m.canonical or "", applied)
        else:
            group.joined[i] = _join_rule(form, m.canonical, applied, first_form[(m.type, key)])
        group.mentions.append(i)
        if group.canonical is None:
            group.canonical = m.canonical
    merged = merge_place_qualified(list(groups.values()))
    return sorted(merged, key=lambda g: (mentions[g.mentions[0]].span.start, g.type))


def _join_rule(
    form: str,
    canonical: str | None,
    applied: tuple[str, ...],
    first: tuple[str, str, tuple[str, ...]],
) -> str:
    """Why a mention joins a group whose first mention was ``first``."""
    first_form, first_canonical, first_applied = first
    if form == first_form:
        return SAME_FORM
    rules = sorted(set(applied) | set(first_applied))
    if rules:
        return "+".join(rules)
    return LEXICON if canonical or first_canonical else SAME_FORM


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
                for i in group.mentions:
                    target.joined[i] = PLACE_QUALIFIED
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
        for surface in surfaces:  # as written, before a misread form (党中夹) in the view
            if normalize_label(surface) == wanted:
                return surface
        for i, surface in zip(group.mentions, surfaces, strict=True):
            span = mentions[i].span
            if normalize_label(view[span.start : span.end]) == wanted:
                return surface
    return surfaces[0]
