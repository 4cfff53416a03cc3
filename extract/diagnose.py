"""Where an extraction goes wrong: missed and spurious items, with the sentence they came from.

``policykg eval --show-errors`` prints this after the scores, so that the next rule is written
from evidence rather than from a list of labels. For each entity type: the gold entities that
nothing matched, each with the sentence of the text where its label (or, failing that, an
alias) first occurs; and the predicted entities that matched nothing, each with its rule and
the sentence of its first mention. For each relation type: the gold and predicted relations
that matched nothing, head → tail, with the rule and the evidence the record gives.

Matching is the scorer's own (:func:`~policykg.extract.evaluate.match`, lenient by default):
an item listed here is exactly one that :func:`~policykg.extract.evaluate.score` counts as
missed or spurious, after the most-specific-task filtering of relations.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from .evaluate import LENIENT, STRICT, Annotations, load_annotations, match
from .normalize import QUOTES, TRAILING
from .schema import EntityType, RelationType
from .textview import Span, paragraphs, sentences

__all__ = [
    "SNIPPET_CHARS",
    "Context",
    "Diagnosis",
    "EntityDiff",
    "RelationDiff",
    "TextIndex",
    "diagnose",
    "format_diagnosis",
    "shorten",
]

#: About how many characters of a sentence or an evidence string a listing shows.
SNIPPET_CHARS = 80

Kind = Literal["missed", "spurious"]
Record = Mapping[str, Any]

_KIND_ORDER = {"missed": 0, "spurious": 1}
_ENTITY_ORDER = {str(t): n for n, t in enumerate(EntityType)}
_RELATION_ORDER = {str(t): n for n, t in enumerate(RelationType)}
_DISPLAY_SPACE = str.maketrans({"\r": " ", "\n": " ", "\t": " "})
_THRESHOLDS = {LENIENT: "lenient", STRICT: "strict"}


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """The sentence an item occurs in, and the stretch ``[start, end)`` of it naming the item."""

    sentence: str
    start: int
    end: int

    def snippet(self, width: int = SNIPPET_CHARS) -> str:
        """The sentence cut to about ``width`` characters around the item, marked 【…】."""
        text, a, b = self.sentence, self.start, self.end
        room = max(width - (b - a), 0)
        left_room, right_room = a, len(text) - b
        left = min(left_room, max(room // 2, room - right_room))
        right = min(right_room, room - left)
        before = ("…" if a - left > 0 else "") + text[a - left : a]
        after = text[b : b + right] + ("…" if b + right < len(text) else "")
        return f"{before}【{text[a:b]}】{after}".translate(_DISPLAY_SPACE)


@dataclass(frozen=True, slots=True)
class EntityDiff:
    """A gold entity nothing matched (``missed``) or a predicted one that matched nothing.

    ``rule`` is the predicted record's ``rule`` ("" for gold, or when the record has none);
    ``context`` is where it occurs in the text (None without a text, or when it is not found).
    """

    kind: Kind
    type: str
    label: str
    rule: str
    context: Context | None


@dataclass(frozen=True, slots=True)
class RelationDiff:
    """A gold relation nothing matched (``missed``) or a predicted one that matched nothing.

    ``head`` and ``tail`` are the labels of its ends (the id where no entity has it);
    ``evidence`` is the record's evidence string as given ("" when it has none), ``context``
    where it names the tail (else the head), when it does.
    """

    kind: Kind
    type: str
    head: str
    tail: str
    rule: str
    evidence: str
    context: Context | None


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The missed and spurious entities and relations of a prediction, in report order.

    Entities and relations are ordered by type (schema order), missed before spurious, then
    missed ones by label, spurious ones by rule and label (a noisy rule's items stand
    together). ``has_text`` tells whether sentences were looked up at all.
    """

    threshold: float
    entities: tuple[EntityDiff, ...]
    relations: tuple[RelationDiff, ...]
    has_text: bool

    def count(self, kind: Kind) -> tuple[int, int]:
        """How many entities and relations of this kind are listed."""
        return (
            sum(1 for e in self.entities if e.kind == kind),
            sum(1 for r in self.relations if r.kind == kind),
        )


# -- finding items in the text ----------------------------------------------------------------


class TextIndex:
    """A document's text, ready to find labels and mentions in it and give their sentence.

    Labels are found on a *search key* of the text: each character NFKC-folded, white space
    and quotation marks dropped (as the scorer's label normalisation does), so that a gold
    label written without the quotation marks or spaces of the text is still found.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._key, self._origin = _search_key(text)
        self._sentences = [s for p in paragraphs(text) for s in sentences(text, p)]
        self._starts = [s.start for s in self._sentences]

    def find(self, name: str) -> Span | None:
        """Where ``name`` first occurs in the text (compared on the search key), if it does."""
        key = _search_key(name)[0].rstrip(TRAILING)
        if not key:
            return None
        found = self._key.find(key)
        if found < 0:
            return None
        return Span(self._origin[found], self._origin[found + len(key) - 1] + 1)

    def first(self, names: Iterable[str]) -> Span | None:
        """The earliest occurrence of any of ``names`` (the longer name where two start alike)."""
        spans = [s for s in (self.find(n) for n in names) if s is not None]
        return min(spans, key=lambda s: (s.start, -s.end), default=None)

    def mention(self, record: Record) -> Span | None:
        """The first of a record's ``mentions`` whose offsets fit this text."""
        fitting = []
        for m in record.get("mentions") or []:
            if not isinstance(m, Mapping):
                continue
            start, end = m.get("start"), m.get("end")
            if not (isinstance(start, int) and isinstance(end, int)):
                continue
            if not 0 <= start < end <= len(self.text):
                continue
            if "text" in m and self.text[start:end] != m["text"]:
                continue  # offsets into another text
            fitting.append(Span(start, end))
        return min(fitting, key=lambda s: (s.start, -s.end), default=None)

    def context(self, span: Span) -> Context:
        """The sentence holding ``span`` (widened to hold all of it), with ``span`` in it."""
        k = bisect_right(self._starts, span.start) - 1
        sent = self._sentences[k] if k >= 0 else Span(span.start, span.end)
        if sent.end <= span.start:  # between sentences
            sent = Span(span.start, span.end)
        start, end = min(sent.start, span.start), max(sent.end, span.end)
        return Context(self.text[start:end], span.start - start, span.end - start)


def _search_key(text: str) -> tuple[str, list[int]]:
    """``text`` folded for finding labels, and the offset in ``text`` of each key character."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch) if ord(ch) > 0x7F else ch
        for c in folded:
            if not c.isspace() and c not in QUOTES:
                chars.append(c)
                origin.append(i)
    return "".join(chars), origin


# -- the diagnosis ----------------------------------------------------------------------------


def diagnose(
    gold: Mapping[str, Any] | Annotations,
    pred: Mapping[str, Any] | Annotations,
    text: str | None = None,
    threshold: float = LENIENT,
) -> Diagnosis:
    """The missed and spurious entities and relations of ``pred``, as the scorer matches them.

    With ``text`` (the document both files annotate), each entity comes with its sentence:
    for a gold entity, where its label first occurs, else the earliest of its aliases; for a
    predicted one, its first mention whose offsets fit the text, else the same search.
    """
    gold_doc = gold if isinstance(gold, Annotations) else load_annotations(gold, "gold")
    pred_doc = pred if isinstance(pred, Annotations) else load_annotations(pred, "pred")
    matching = match(gold_doc, pred_doc, threshold)
    index = TextIndex(text) if text is not None else None

    entities = []
    matched_gold = set(matching.entities.values())
    for j, record in enumerate(gold_doc.entities):
        if j not in matched_gold:
            where = _locate(index, record) if index is not None else None
            entities.append(_entity_diff("missed", record, where, index))
    for i, record in enumerate(pred_doc.entities):
        if i not in matching.entities:
            where = None
            if index is not None:
                where = index.mention(record)
                if where is None:
                    where = _locate(index, record)
            entities.append(_entity_diff("spurious", record, where, index))

    gold_ids = {e.get("id"): e for e in gold_doc.entities}
    pred_ids = {e.get("id"): e for e in pred_doc.entities}
    relations = [
        _relation_diff("missed", gold_doc.relations[j], gold_ids) for j in matching.missed_relations
    ] + [
        _relation_diff("spurious", pred_doc.relations[i], pred_ids)
        for i in matching.spurious_relations
    ]
    entities.sort(key=lambda e: (_rank(_ENTITY_ORDER, e.type), _KIND_ORDER[e.kind], *_order(e)))
    relations.sort(key=lambda r: (_rank(_RELATION_ORDER, r.type), _KIND_ORDER[r.kind], *_order(r)))
    return Diagnosis(threshold, tuple(entities), tuple(relations), index is not None)


def _locate(index: TextIndex, record: Record) -> Span | None:
    """Where a record's label first occurs, else where the earliest of its aliases does."""
    label = record.get("label")
    found = index.find(str(label)) if label is not None else None
    if found is None:
        found = index.first(str(a) for a in record.get("aliases") or [])
    return found


def _entity_diff(
    kind: Kind, record: Record, where: Span | None, index: TextIndex | None
) -> EntityDiff:
    context = index.context(where) if index is not None and where is not None else None
    rule = str(record.get("rule", "")) if kind == "spurious" else ""
    return EntityDiff(
        kind, str(record.get("type", "?")), str(record.get("label", "")), rule, context
    )


def _relation_diff(kind: Kind, record: Record, entities: Mapping[Any, Record]) -> RelationDiff:
    head, tail = entities.get(record.get("head")), entities.get(record.get("tail"))
    evidence = str(record.get("evidence", "") or "")
    context = None
    if evidence:
        index = TextIndex(evidence)
        where = next(
            (s for s in (_locate(index, e) for e in (tail, head) if e) if s is not None),
            None,
        )
        context = index.context(where) if where is not None else None
    return RelationDiff(
        kind,
        str(record.get("type", "?")),
        _label(head, record.get("head")),
        _label(tail, record.get("tail")),
        str(record.get("rule", "")) if kind == "spurious" else "",
        evidence,
        context,
    )


def _label(entity: Record | None, end: Any) -> str:
    """The label of a relation's end, or the id it gives when no entity has that id."""
    return str(entity.get("label", "")) if entity is not None else str(end)


def _rank(order: Mapping[str, int], type_name: str) -> tuple[int, str]:
    """Schema order, types outside the schema after it by name."""
    return (order.get(type_name, len(order)), type_name)


def _order(item: EntityDiff | RelationDiff) -> tuple[str, ...]:
    names = (item.label,) if isinstance(item, EntityDiff) else (item.head, item.tail)
    return (item.rule, *names) if item.kind == "spurious" else names


# -- output -----------------------------------------------------------------------------------


def format_diagnosis(diagnosis: Diagnosis, note: str = "") -> str:
    """The listing ``policykg eval --show-errors`` prints (without the final newline).

    A heading with the counts and ``note`` (where the sentences come from, or why there are
    none); then, per type with errors, each missed and spurious item on a line — spurious
    ones with their rule in brackets — followed by its shortened sentence or evidence.
    """
    missed, spurious = diagnosis.count("missed"), diagnosis.count("spurious")
    matching = _THRESHOLDS.get(diagnosis.threshold, f"threshold {diagnosis.threshold:g}")
    lines = [
        f"ERRORS ({matching}): "
        f"entities {missed[0]} missed, {spurious[0]} spurious; "
        f"relations {missed[1]} missed, {spurious[1]} spurious"
    ]
    if note:
        lines.append(note)
    for type_name, items in _by_type(diagnosis.entities):
        lines += ["", _type_heading(type_name, items)]
        for e in items:
            lines.append(_item_line(e.kind, e.label, e.rule))
            if e.context is not None:
                lines.append(_DETAIL + e.context.snippet())
            elif diagnosis.has_text:
                lines.append(_DETAIL + "(not found in the text)")
    for type_name, rels in _by_type(diagnosis.relations):
        lines += ["", _type_heading(type_name, rels)]
        for r in rels:
            ends = f"{shorten(r.head, _END_CHARS)} → {shorten(r.tail, _END_CHARS)}"
            lines.append(_item_line(r.kind, ends, r.rule))
            if r.context is not None:
                lines.append(_DETAIL + r.context.snippet())
            elif r.evidence:
                lines.append(_DETAIL + shorten(r.evidence))
    return "\n".join(lines)


_DETAIL = " " * 12
#: Relation ends (task labels run to 60 characters) are cut to this many in a listing.
_END_CHARS = 24
_Item = TypeVar("_Item", EntityDiff, RelationDiff)


def shorten(text: str, width: int = SNIPPET_CHARS) -> str:
    """``text`` on one line, cut to ``width`` characters with … when longer."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _by_type(items: Sequence[_Item]) -> list[tuple[str, list[_Item]]]:
    """Consecutive items of one type, grouped (the items are sorted by type already)."""
    groups: dict[str, list[_Item]] = {}
    for item in items:
        groups.setdefault(item.type, []).append(item)
    return list(groups.items())


def _type_heading(type_name: str, items: Sequence[EntityDiff | RelationDiff]) -> str:
    missed = sum(1 for i in items if i.kind == "missed")
    return f"{type_name}: {missed} missed, {len(items) - missed} spurious"


def _item_line(kind: Kind, name: str, rule: str) -> str:
    return f"  {kind:<8}  {name}" + (f"  [{rule}]" if rule else "")
