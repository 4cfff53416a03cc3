"""Score extracted entities and relations against gold annotations (SCHEMA.md scoring rules).

A typed port of the project's measurement script ``../shared/eval/score.py``: for the same
two JSON documents, :func:`format_report` gives exactly the text that script prints and
:func:`evaluation_to_json` exactly its ``--json`` object, so ``policykg eval`` and the script
report the same figures. Keep the two in step: the pinned cases in
``tests/data/eval_cases.jsonl`` were produced by the script.

In short: labels are compared after :func:`~policykg.extract.normalize.normalize_label`;
entities of the same type are matched one to one, best pairs first, by name (strict) or by
character F1 of at least 0.6 (lenient); task-scoped relations count only on the most specific
task; a relation matches when its type and both matched ends agree.
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import Errors, InputError
from .normalize import normalize_label
from .reader import read_text
from .schema import EntityType, RelationType

__all__ = [
    "LENIENT",
    "PRF",
    "STRICT",
    "TASK_SCOPED",
    "Annotations",
    "Evaluation",
    "Matching",
    "Score",
    "evaluate",
    "evaluation_to_json",
    "format_report",
    "load_annotations",
    "match",
    "read_annotations",
    "score",
]

#: Similarity a strict match needs: a shared normalised name.
STRICT = 1.0
#: Similarity a lenient match needs: character F1 against the label or an alias.
LENIENT = 0.6
#: Relations from a Task that count only on the most specific task stating them.
TASK_SCOPED = frozenset(
    str(t)
    for t in (
        RelationType.INVOLVES,
        RelationType.IMPLEMENTS,
        RelationType.HAS_TARGET,
        RelationType.ADDRESSES,
    )
)
#: Report order of the per-type rows (the enum order, which is score.py's order).
_ENTITY_TYPES = tuple(str(t) for t in EntityType)
_RELATION_TYPES = tuple(str(t) for t in RelationType)
_TASK = str(EntityType.TASK)
_PART_OF = str(RelationType.PART_OF)

Record = Mapping[str, Any]


# -- input ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Annotations:
    """A checked gold or predicted document: its entity and relation records as given.

    Records keep all their keys; the scorer reads ``id``, ``type``, ``label`` and ``aliases``
    of entities and ``head``, ``type`` and ``tail`` of relations, and ignores the rest.
    ``document`` is the file name the JSON's ``document`` key gives ("" when it gives none).
    """

    name: str
    entities: tuple[Record, ...]
    relations: tuple[Record, ...]
    document: str = ""


def load_annotations(data: Mapping[str, Any], name: str = "<annotations>") -> Annotations:
    """Check the JSON form of SCHEMA.md and wrap it; :class:`InputError` names what is wrong.

    Required: an object with an ``entities`` list of objects; ``relations``, when present, is a
    list of objects. Ids, types, heads and tails must be strings or numbers, ``aliases`` a list.
    """
    if not isinstance(data, Mapping):
        raise InputError(Errors.E011.format(name=name, kind=_kind(data)))
    if "entities" not in data:
        raise InputError(Errors.E012.format(name=name))
    entities = _objects(data["entities"], name, "entities")
    relations = _objects(data.get("relations", []), name, "relations")
    for i, entity in enumerate(entities):
        _check_scalars(entity, ("id", "type"), name, f"entities[{i}]")
        aliases = entity.get("aliases")
        if aliases is not None and not isinstance(aliases, list):
            where = f"entities[{i}].aliases"
            raise InputError(Errors.E013.format(name=name, where=where, kind=_kind(aliases)))
    for i, relation in enumerate(relations):
        _check_scalars(relation, ("head", "type", "tail"), name, f"relations[{i}]")
    document = data.get("document")
    return Annotations(name, entities, relations, document if isinstance(document, str) else "")


def read_annotations(path: str | os.PathLike[str]) -> Annotations:
    """Read and check a gold or predicted JSON file (any encoding :func:`read_text` accepts)."""
    name = os.fspath(path)
    text = read_text(name)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(Errors.E010.format(path=name, reason=exc)) from None
    return load_annotations(data, name)


def _objects(value: object, name: str, key: str) -> tuple[Record, ...]:
    if not isinstance(value, list):
        raise InputError(Errors.E013.format(name=name, where=f"'{key}'", kind=_kind(value)))
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            where = f"{key}[{i}]"
            raise InputError(Errors.E014.format(name=name, where=where, kind=_kind(item)))
    return tuple(value)


def _check_scalars(record: Record, keys: Iterable[str], name: str, where: str) -> None:
    # Unhashable values would crash the matching; absent keys and null are allowed as in score.py.
    for key in keys:
        value = record.get(key)
        if value is not None and not isinstance(value, str | int | float):
            at = f"{where}.{key}"
            raise InputError(Errors.E015.format(name=name, where=at, kind=_kind(value)))


def _kind(value: object) -> str:
    """The JSON name of a value's kind, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _annotations(doc: Mapping[str, Any] | Annotations, name: str) -> Annotations:
    return doc if isinstance(doc, Annotations) else load_annotations(doc, name)


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1 (rounded to 4 places, as reported) with their counts."""

    p: float
    r: float
    f1: float
    tp: int
    pred: int
    gold: int

    @classmethod
    def of(cls, tp: int, n_pred: int, n_gold: int) -> PRF:
        """Scores of ``tp`` true positives among ``n_pred`` predicted and ``n_gold`` gold items."""
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return cls(round(p, 4), round(r, 4), round(f, 4), tp, n_pred, n_gold)

    def to_json(self) -> dict[str, float | int]:
        return {
            "p": self.p,
            "r": self.r,
            "f1": self.f1,
            "tp": self.tp,
            "pred": self.pred,
            "gold": self.gold,
        }


@dataclass(frozen=True, slots=True)
class Score:
    """The scores of one prediction against gold at one matching threshold.

    Per-type scores hold only the types that occur in gold or prediction, in schema order.
    ``missed_entities`` and ``spurious_entities`` are ``"Type:label"`` strings.
    """

    threshold: float
    entities: PRF
    entity_types: Mapping[str, PRF]
    relations: PRF
    relation_types: Mapping[str, PRF]
    missed_entities: tuple[str, ...]
    spurious_entities: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The result object of score.py (``"strict"`` or ``"lenient"`` of its ``--json``)."""
        return {
            "entities": self.entities.to_json(),
            "entity_types": {t: s.to_json() for t, s in self.entity_types.items()},
            "relations": self.relations.to_json(),
            "relation_types": {t: s.to_json() for t, s in self.relation_types.items()},
            "missed_entities": list(self.missed_entities),
            "spurious_entities": list(self.spurious_entities),
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Strict and lenient scores of one prediction against gold."""

    strict: Score
    lenient: Score

    def passes(self, min_f1: float | None = None, min_rel_f1: float | None = None) -> bool:
        """Whether lenient entity and relation F1 reach the given minimums (score.py's exit 0)."""
        if min_f1 is not None and self.lenient.entities.f1 < min_f1:
            return False
        return not (min_rel_f1 is not None and self.lenient.relations.f1 < min_rel_f1)


# -- scoring ----------------------------------------------------------------------------------


def evaluate(
    gold: Mapping[str, Any] | Annotations, pred: Mapping[str, Any] | Annotations
) -> Evaluation:
    """Score ``pred`` against ``gold`` strictly (threshold 1.0) and leniently (0.6)."""
    gold_doc, pred_doc = _annotations(gold, "gold"), _annotations(pred, "pred")
    return Evaluation(score(gold_doc, pred_doc, STRICT), score(gold_doc, pred_doc, LENIENT))


def score(
    gold: Mapping[str, Any] | Annotations,
    pred: Mapping[str, Any] | Annotations,
    threshold: float,
) -> Score:
    """Score ``pred`` against ``gold``, matching entities whose similarity is >= ``threshold``."""
    gold_doc, pred_doc = _annotations(gold, "gold"), _annotations(pred, "pred")
    ge, pe = gold_doc.entities, pred_doc.entities
    matching = match(gold_doc, pred_doc, threshold)
    mapping = matching.entities

    entity_types = {}
    for t in _ENTITY_TYPES:
        n_p = sum(1 for e in pe if e.get("type") == t)
        n_g = sum(1 for e in ge if e.get("type") == t)
        tp = sum(1 for i in mapping if pe[i].get("type") == t)
        if n_p or n_g:
            entity_types[t] = PRF.of(tp, n_p, n_g)

    gold_types = Counter(gold_doc.relations[j].get("type") for j in matching.gold_relations)
    pred_types = Counter(pred_doc.relations[i].get("type") for i in matching.pred_relations)
    tp_by_type = Counter(pred_doc.relations[i].get("type") for i in matching.relations)
    relation_types = {}
    for t in _RELATION_TYPES:
        if pred_types[t] or gold_types[t]:
            relation_types[t] = PRF.of(tp_by_type[t], pred_types[t], gold_types[t])

    matched_gold = set(mapping.values())
    return Score(
        threshold=threshold,
        entities=PRF.of(len(mapping), len(pe), len(ge)),
        entity_types=entity_types,
        relations=PRF.of(
            len(matching.relations), len(matching.pred_relations), len(matching.gold_relations)
        ),
        relation_types=relation_types,
        missed_entities=tuple(_entity_key(e) for j, e in enumerate(ge) if j not in matched_gold),
        spurious_entities=tuple(_entity_key(e) for i, e in enumerate(pe) if i not in mapping),
    )


@dataclass(frozen=True, slots=True)
class Matching:
    """Which records of a prediction matched which gold records: what :func:`score` counts.

    Every number is an index into the records of the :class:`Annotations` matched.
    ``entities`` maps a predicted entity to the gold entity it matched. ``gold_relations``
    are the gold relations scored (the most specific ones whose ends exist);
    ``pred_relations`` the predicted relations scored (the most specific ones, the first of
    each distinct (head, type, tail) after entity matching); ``relations`` maps each of those
    that matched to its gold relation.
    """

    threshold: float
    entities: Mapping[int, int]
    gold_relations: tuple[int, ...]
    pred_relations: tuple[int, ...]
    relations: Mapping[int, int]

    @property
    def missed_relations(self) -> tuple[int, ...]:
        """The gold relations scored that no predicted relation matched."""
        matched = set(self.relations.values())
        return tuple(j for j in self.gold_relations if j not in matched)

    @property
    def spurious_relations(self) -> tuple[int, ...]:
        """The predicted relations scored that matched no gold relation."""
        return tuple(i for i in self.pred_relations if i not in self.relations)


def match(gold: Annotations, pred: Annotations, threshold: float) -> Matching:
    """Match ``pred`` to ``gold`` as SCHEMA.md scores them, record by record.

    Entities one to one, best pairs first; relations after dropping those a sub-task states
    already, a predicted relation matching a gold one of the same type whose ends it matched.
    """
    ge, pe = gold.entities, pred.entities
    mapping = _match_entities(pe, ge, threshold)
    g_index = {e.get("id"): j for j, e in enumerate(ge)}
    p_index = {e.get("id"): i for i, e in enumerate(pe)}
    gold_relations = []
    gold_keys: dict[tuple[Hashable, Hashable, Hashable], list[int]] = {}
    for j in _most_specific(gold):
        r = gold.relations[j]
        head, tail = g_index.get(r.get("head")), g_index.get(r.get("tail"))
        if head is not None and tail is not None:
            gold_relations.append(j)
            gold_keys.setdefault((head, r.get("type"), tail), []).append(j)
    # An end that matched no gold entity keeps its own identity, so that distinct wrong
    # relations are not folded into one; duplicates in the output count once.
    seen: set[tuple[Hashable, Hashable, Hashable]] = set()
    pred_relations = []
    pairs = {}
    for i in _most_specific(pred):
        r = pred.relations[i]
        head, tail = p_index.get(r.get("head")), p_index.get(r.get("tail"))
        key = (_end(mapping, head), r.get("type"), _end(mapping, tail))
        if key in seen:
            continue
        seen.add(key)
        pred_relations.append(i)
        if gold_keys.get(key):
            pairs[i] = gold_keys[key].pop(0)
    return Matching(threshold, mapping, tuple(gold_relations), tuple(pred_relations), pairs)


def _end(mapping: Mapping[int, int], index: int | None) -> Hashable:
    """The gold index a predicted relation end matched, else a key of its own."""
    if index is not None and index in mapping:
        return mapping[index]
    return ("pred", index)


def _entity_key(entity: Record) -> str:
    return f"{entity.get('type', '?')}:{entity.get('label', '')}"


def _names(entity: Record) -> list[str]:
    """The normalised label and aliases of an entity, empty ones dropped."""
    raw = [entity.get("label", ""), *(entity.get("aliases") or [])]
    return [n for n in (normalize_label(str(x)) for x in raw) if n]


def _char_f1(a: str, b: str) -> float:
    """F1 of the character multisets of two strings."""
    if not a or not b:
        return 0.0
    ca, cb = _chars(a), _chars(b)
    common = sum(min(n, cb[ch]) for ch, n in ca.items() if ch in cb)
    if not common:
        return 0.0
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r)


@functools.lru_cache(maxsize=8192)
def _chars(name: str) -> Counter[str]:
    """The character multiset of a name (cached: every name is compared with many others)."""
    return Counter(name)


def _similarity(pred_names: Sequence[str], gold_names: Sequence[str]) -> float:
    """1.0 for a shared name (strict match), else the best character F1 of any two names."""
    if set(pred_names) & set(gold_names):
        return 1.0
    return max((_char_f1(a, b) for a in pred_names for b in gold_names), default=0.0)


def _match_entities(
    pred: Sequence[Record], gold: Sequence[Record], threshold: float
) -> dict[int, int]:
    """One-to-one matching of same-type entities, best pairs first: {pred index: gold index}."""
    pred_names = [_names(p) for p in pred]
    gold_names = [_names(g) for g in gold]
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if p.get("type") != g.get("type"):
                continue
            s = _similarity(pred_names[i], gold_names[j])
            if s >= threshold:
                pairs.append((s, i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_gold: set[int] = set()
    mapping: dict[int, int] = {}
    for _, i, j in pairs:
        if i in mapping or j in used_gold:
            continue
        used_gold.add(j)
        mapping[i] = j
    return mapping


def _most_specific(doc: Annotations) -> list[int]:
    """Indices of the relations of doc without those a partOf-descendant task already carries."""
    ents = {e.get("id"): e for e in doc.entities}
    children: dict[Hashable, set[Hashable]] = {}
    for r in doc.relations:
        h, t = ents.get(r.get("head")), ents.get(r.get("tail"))
        if r.get("type") == _PART_OF and h and t and h.get("type") == t.get("type") == _TASK:
            children.setdefault(r["tail"], set()).add(r["head"])
    have = {(r.get("head"), r.get("type"), r.get("tail")) for r in doc.relations}

    kept = []
    for index, r in enumerate(doc.relations):
        head = ents.get(r.get("head"))
        if r.get("type") in TASK_SCOPED and head and head.get("type") == _TASK:
            below = _descendants(r["head"], children)
            if any((c, r["type"], r.get("tail")) in have for c in below):
                continue
        kept.append(index)
    return kept


def _descendants(task: Hashable, children: Mapping[Hashable, set[Hashable]]) -> set[Hashable]:
    """Every task reachable from ``task`` by partOf (``task`` itself only through a cycle)."""
    seen: set[Hashable] = set()
    stack = [task]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


# -- output -----------------------------------------------------------------------------------


def format_report(evaluation: Evaluation, show_errors: bool = False) -> str:
    """The table score.py prints, line for line (without the final newline).

    One row for all entities, one per entity type, the same for relations; with
    ``show_errors`` the lenient missed and spurious entities; then the one-line summary.
    """
    strict, lenient = evaluation.strict, evaluation.lenient
    lines = [_row("ENTITIES", strict.entities, lenient.entities)]
    lines += _type_rows(strict.entity_types, lenient.entity_types)
    lines.append(_row("RELATIONS", strict.relations, lenient.relations))
    lines += _type_rows(strict.relation_types, lenient.relation_types)
    if show_errors:
        lines.append("missed: " + "; ".join(lenient.missed_entities))
        lines.append("spurious: " + "; ".join(lenient.spurious_entities))
    lines.append(
        f"entity F1 {lenient.entities.f1:.3f} relation F1 {lenient.relations.f1:.3f} (lenient)"
    )
    return "\n".join(lines)


def evaluation_to_json(evaluation: Evaluation) -> dict[str, Any]:
    """The object score.py prints with ``--json``: ``{"strict": …, "lenient": …}``."""
    return {"strict": evaluation.strict.to_json(), "lenient": evaluation.lenient.to_json()}


def _row(name: str, strict: PRF, lenient: PRF) -> str:
    s, le = strict, lenient
    return (
        f"{name:<14} strict P {s.p:.3f} R {s.r:.3f} F1 {s.f1:.3f}"
        f"   lenient P {le.p:.3f} R {le.r:.3f} F1 {le.f1:.3f}"
        f"   (pred {le.pred}, gold {le.gold})"
    )


def _type_rows(strict: Mapping[str, PRF], lenient: Mapping[str, PRF]) -> list[str]:
    return [_row("  " + t, strict.get(t, s), s) for t, s in lenient.items()]
