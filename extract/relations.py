"""Relation rules: from structure, mentions and signal words to typed relations.

Each rule has an id (``rel.<type>.<how>``) recorded on every relation it produces, with the
sentence that states it as evidence. The rules read the document the way its genre is
written: the speaker's body deploys the enumerated tasks; a task involves what its own text
names; a trigger verb (贯彻落实, 实施…) before a programme means it is implemented; a problem
is about what its own clause names; a remedy verb aimed at a problem addresses it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from .clauses import ProblemFact, TargetFact
from .resolve import Group, MentionRecord
from .resources import compile_pattern, section
from .schema import EntityType, RelationType, admits
from .structure import Structure
from .textview import Span, clauses, paragraphs, sentences

E = EntityType
R = RelationType

_NAME_TYPES = frozenset({E.STRATEGY, E.POLICY, E.PRINCIPLE})
#: Cues that must end right where something starts (``…$`` patterns such as 制定, 没有) are
#: looked for in this many characters before it: longer than any of them, and a long clause
#: then costs no more per mention than a short one.
SUFFIX_CUE_WINDOW = 8
_INVOLVED = frozenset({E.STRATEGY, E.POLICY, E.PRINCIPLE, E.ORGANIZATION, E.EVENT, E.TARGET})
_CONCERNED = frozenset(
    {E.STRATEGY, E.POLICY, E.PRINCIPLE, E.ORGANIZATION, E.EVENT, E.PERSON, E.TARGET}
)


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A relation between two entities (indices), with its rule and evidence."""

    head: int
    type: RelationType
    tail: int
    rule: str
    evidence: Span


@dataclass(slots=True)
class Analysis:
    """Everything known of one document when relations are drawn."""

    text: str
    view: str
    structure: Structure
    mentions: list[MentionRecord]
    groups: list[Group]
    #: mention index → entity (group) index
    entity_of: list[int]
    #: task index (structure.tasks) → mention index
    task_mentions: list[int]
    problems: list[ProblemFact]
    problem_mentions: list[int]
    targets: list[TargetFact]
    target_mentions: list[int]
    speaker: int | None = None
    #: every sentence of the body, in text order (split once, read by every rule)
    sentences: list[Span] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)
    _order: list[int] = field(default_factory=list)
    _sentence_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._order = sorted(range(len(self.mentions)), key=lambda i: self.mentions[i].span.start)
        self._starts = [self.mentions[i].span.start for i in self._order]
        self.sentences = [s for p in self.structure.paragraphs for s in sentences(self.view, p)]
        self._sentence_starts = [s.start for s in self.sentences]

    def within(self, span: Span, types: frozenset[EntityType] | None = None) -> Iterator[int]:
        """Mentions lying inside ``span`` (in text order), optionally of the given types."""
        starts, order, mentions, end = self._starts, self._order, self.mentions, span.end
        for k in range(bisect_left(starts, span.start), bisect_left(starts, end)):
            m = mentions[order[k]]
            if m.span.end <= end and (types is None or m.type in types):
                yield order[k]

    def entity_type(self, entity: int) -> EntityType:
        return self.groups[entity].type

    def sentence_at(self, pos: int) -> Span:
        """The sentence holding ``pos`` (its paragraph, between sentences)."""
        k = bisect_right(self._sentence_starts, pos) - 1
        if k >= 0 and pos < self.sentences[k].end:
            return self.sentences[k]
        for para in self.structure.paragraphs:
            if para.start <= pos < para.end:
                return para
        return Span(pos, pos)


@dataclass(frozen=True, slots=True)
class RelationCues:
    implements: re.Pattern[str]
    implements_passive: re.Pattern[str]
    implements_not_after: re.Pattern[str]
    implements_blocked_by: re.Pattern[str]
    negated_before: re.Pattern[str]
    negated_after: re.Pattern[str]
    deploys: re.Pattern[str]
    held_by: re.Pattern[str]
    proposed_by: re.Pattern[str]
    speaker: re.Pattern[str]
    meeting_target: re.Pattern[str]
    org_part_suffix: re.Pattern[str]


@cache
def cues() -> RelationCues:
    """Compile ``data/relations.yaml`` once."""
    data = section("relations.yaml")
    return RelationCues(
        implements=compile_pattern(str(data["implements"]["triggers"]), "implements"),
        implements_passive=compile_pattern(str(data["implements"]["passive"]), "passive"),
        implements_not_after=compile_pattern(str(data["implements"]["not_after"]), "not_after"),
        implements_blocked_by=compile_pattern(str(data["implements"]["blocked_by"]), "blocked"),
        negated_before=compile_pattern(str(data["implements"]["negated_before"]), "negated"),
        negated_after=compile_pattern(str(data["implements"]["negated_after"]), "negated"),
        deploys=compile_pattern(str(data["deploys"]["triggers"]), "deploys"),
        held_by=compile_pattern(str(data["heldBy"]["triggers"]), "heldBy"),
        proposed_by=compile_pattern(str(data["proposedBy"]["triggers"]), "proposedBy"),
        speaker=compile_pattern(str(data["speaker"]["pattern"]), "speaker"),
        meeting_target=compile_pattern(str(data["meeting_deploys_target"]), "meeting target"),
        org_part_suffix=compile_pattern(str(data["org_suffixes_part_of"]), "org suffixes"),
    )


def find_relations(a: Analysis) -> list[RelationRecord]:
    """All relations of a document, each (head, type, tail) once, first evidence kept."""
    out: dict[tuple[int, RelationType, int], RelationRecord] = {}
    for rel in _all(a):
        if rel.head == rel.tail:
            continue
        if not admits(rel.type, a.entity_type(rel.head), a.entity_type(rel.tail)):
            continue
        out.setdefault((rel.head, rel.type, rel.tail), rel)
    return sorted(out.values(), key=lambda r: (r.evidence.start, r.head, r.type, r.tail))


def _all(a: Analysis) -> Iterator[RelationRecord]:
    yield from _task_structure(a)
    yield from _deploys(a)
    yield from _meeting_targets(a)
    yield from _involves(a)
    yield from _implements(a)
    yield from _problems(a)
    yield from _proposed_by(a)
    yield from _held_by(a)
    yield from _org_part_of(a)


def find_speaker(a: Analysis) -> int | None:
    """The body the speaker speaks for: "我代表X", else the body named in the header."""
    for match in cues().speaker.finditer(a.view):
        window = Span(match.end(), match.end() + 30)
        for i in a.within(window, frozenset({E.ORGANIZATION})):
            if a.mentions[i].span.start - match.end() <= 2:
                return a.entity_of[i]
    paras = list(paragraphs(a.text))[:4]
    for para in paras:
        for i in a.within(para, frozenset({E.ORGANIZATION})):
            return a.entity_of[i]
    return None


# ----------------------------------------------------------------------------- tasks


def _task_entity(a: Analysis, task: int) -> int:
    return a.entity_of[a.task_mentions[task]]


def _own_regions(a: Analysis, task: int) -> list[Span]:
    """A task's own text: its scope without its sub-tasks and problem lists."""
    scope = a.structure.tasks[task].scope
    holes = [t.scope for t in a.structure.tasks if t.parent == task]
    holes += [b.span for b in a.structure.problem_blocks]
    holes += [b.opener for b in a.structure.problem_blocks]
    if a.structure.closing:
        holes.append(a.structure.closing)
    regions = [scope]
    for hole in sorted(holes, key=lambda h: h.start):
        next_regions = []
        for r in regions:
            if not r.overlaps(hole):
                next_regions.append(r)
                continue
            if r.start < hole.start:
                next_regions.append(Span(r.start, hole.start))
            if hole.end < r.end:
                next_regions.append(Span(hole.end, r.end))
        regions = next_regions
    return regions


def _innermost_task(a: Analysis, pos: int) -> int | None:
    if a.structure.block_at(pos) is not None:
        return None
    return a.structure.task_at(pos)


def _task_structure(a: Analysis) -> Iterator[RelationRecord]:
    for i, task in enumerate(a.structure.tasks):
        if task.parent is not None:
            yield RelationRecord(
                _task_entity(a, i),
                R.PART_OF,
                _task_entity(a, task.parent),
                "rel.partOf.task-structure",
                task.evidence,
            )


def _deploys(a: Analysis) -> Iterator[RelationRecord]:
    if a.speaker is not None:
        for i, task in enumerate(a.structure.tasks):
            if task.deployed:
                yield RelationRecord(
                    a.speaker, R.DEPLOYS, _task_entity(a, i), "rel.deploys.speaker", task.evidence
                )
    for sent in a.sentences:
        piece = a.view[sent.start : sent.end]
        if not cues().deploys.search(piece):
            continue
        deployed = _innermost_task(a, sent.start)
        if deployed is None:
            continue
        for i in a.within(sent, frozenset({E.EVENT})):
            trigger = cues().deploys.search(a.view, a.mentions[i].span.end, sent.end)
            if trigger is None:
                continue
            yield RelationRecord(
                a.entity_of[i],
                R.DEPLOYS,
                _task_entity(a, deployed),
                "rel.deploys.meeting",
                sent,
            )


def _meeting_targets(a: Analysis) -> Iterator[RelationRecord]:
    """A meeting that 确定了…目标 has that target, and the target was proposed by it."""
    for k, fact in enumerate(a.targets):
        sent = fact.sentence
        target = a.entity_of[a.target_mentions[k]]
        for i in a.within(Span(sent.start, fact.span.start), frozenset({E.EVENT})):
            if not cues().meeting_target.search(a.view, a.mentions[i].span.end, sent.end):
                continue
            meeting = a.entity_of[i]
            yield RelationRecord(meeting, R.HAS_TARGET, target, "rel.hasTarget.meeting", sent)
            yield RelationRecord(
                target, R.PROPOSED_BY, meeting, "rel.proposedBy.meeting-target", sent
            )


def _involves(a: Analysis) -> Iterator[RelationRecord]:
    for task in range(len(a.structure.tasks)):
        head = _task_entity(a, task)
        for region in _own_regions(a, task):
            for i in a.within(region, _INVOLVED):
                if i in a.task_mentions:
                    continue
                evidence = a.sentence_at(a.mentions[i].span.start)
                tail = a.entity_of[i]
                yield RelationRecord(head, R.INVOLVES, tail, "rel.involves.task-text", evidence)
                if a.mentions[i].type is E.TARGET:
                    yield RelationRecord(
                        head, R.HAS_TARGET, tail, "rel.hasTarget.task-text", evidence
                    )


def _subject(a: Analysis, sent: Span) -> int | None:
    """The body a sentence opens with (各县区坚定以…), if any."""
    for i in a.within(
        Span(sent.start, min(sent.end, sent.start + 12)), frozenset({E.ORGANIZATION})
    ):
        if a.mentions[i].span.start - sent.start <= 2:
            return a.entity_of[i]
        break
    return None


def _implements(a: Analysis) -> Iterator[RelationRecord]:
    c = cues()
    for sent in a.sentences:
        if a.structure.block_at(sent.start) is not None:
            continue
        subject = _subject(a, sent)
        for clause in clauses(a.view, sent, "，,；;。！？"):
            named = list(a.within(clause, _NAME_TYPES))
            if not named:
                continue  # nothing it could implement: most clauses
            if c.implements_not_after.match(a.view, clause.start):
                continue
            # the task of the clause: an item enumerated inside the sentence starts mid-way
            task = _innermost_task(a, clause.start)
            heads = []
            if subject is not None:
                heads.append((subject, "rel.implements.subject-trigger"))
            if task is not None:
                heads.append((_task_entity(a, task), "rel.implements.task-trigger"))
            elif subject is None and a.speaker is not None:
                heads.append((a.speaker, "rel.implements.speaker-trigger"))
            triggers = list(c.implements.finditer(a.view, clause.start, clause.end))
            trigger_starts = [t.start() for t in triggers]
            first = trigger_starts[0] if triggers else clause.end
            for i in named:
                m = a.mentions[i].span
                active = m.start >= first
                passive = bool(c.implements_passive.match(a.view, m.end, clause.end))
                if not (active or passive):
                    continue
                window = max(clause.start, m.start - SUFFIX_CUE_WINDOW)
                if c.implements_blocked_by.search(a.view, window, m.start):
                    continue
                last = bisect_right(trigger_starts, m.start) - 1 if active else -1
                if _denied(a.view, clause, m, triggers[last] if last >= 0 else None):
                    continue
                for head, rule in heads:
                    yield RelationRecord(head, R.IMPLEMENTS, a.entity_of[i], rule, sent)


def _denied(view: str, clause: Span, mention: Span, trigger: re.Match[str] | None) -> bool:
    """Whether the clause denies implementing ``mention``: a failure right after it, or a
    negation right before ``trigger``, the last trigger before it (None: no trigger)."""
    c = cues()
    if c.negated_after.match(view, mention.end, clause.end):
        return True
    if trigger is None:
        return False
    window = max(clause.start, trigger.start() - SUFFIX_CUE_WINDOW)
    return bool(c.negated_before.search(view, window, trigger.start()))


def _problems(a: Analysis) -> Iterator[RelationRecord]:
    concerned: dict[int, set[int]] = {}
    for k, fact in enumerate(a.problems):
        head = a.entity_of[a.problem_mentions[k]]
        tails = {a.entity_of[i] for i in a.within(fact.context, _CONCERNED)}
        for parent in fact.parents:
            if not a.problems[parent].heading:
                tails |= concerned.get(parent, set())
        concerned[k] = tails
        for tail in sorted(tails):
            yield RelationRecord(head, R.CONCERNS, tail, "rel.concerns.problem-text", fact.sentence)
        for parent in fact.parents:
            yield RelationRecord(
                head,
                R.PART_OF,
                a.entity_of[a.problem_mentions[parent]],
                "rel.partOf.problem-list",
                fact.sentence,
            )
        if fact.remedy is not None:
            task = _innermost_task(a, fact.remedy.start)
            if task is not None:
                yield RelationRecord(
                    _task_entity(a, task), R.ADDRESSES, head, "rel.addresses.remedy", fact.remedy
                )
    for b, block in enumerate(a.structure.problem_blocks):
        if block.closer is None:
            continue
        task = _innermost_task(a, block.closer.start)
        if task is None:
            continue
        for k, fact in enumerate(a.problems):
            top = fact.heading or (not block.enumerated and not fact.parents)
            if fact.block == b and top:
                yield RelationRecord(
                    _task_entity(a, task),
                    R.ADDRESSES,
                    a.entity_of[a.problem_mentions[k]],
                    "rel.addresses.problem-list-closer",
                    block.closer,
                )


def _proposed_by(a: Analysis) -> Iterator[RelationRecord]:
    persons = {g.key: n for n, g in enumerate(a.groups) if g.type is E.PERSON}
    for i, m in enumerate(a.mentions):
        if m.type is not E.PRINCIPLE:
            continue
        evidence = a.sentence_at(m.span.start)
        head = a.entity_of[i]
        nested = [
            j
            for j in a.within(m.span, frozenset({E.PERSON, E.EVENT}))
            if a.mentions[j].span.start == m.span.start
        ]
        for j in nested:
            yield RelationRecord(
                head, R.PROPOSED_BY, a.entity_of[j], "rel.proposedBy.named-author", evidence
            )
        if not nested:
            surface = a.view[m.span.start : m.span.end]
            for key, person in persons.items():
                if len(key) >= 2 and surface.startswith(key):
                    yield RelationRecord(
                        head, R.PROPOSED_BY, person, "rel.proposedBy.named-author", evidence
                    )
    trig = cues().proposed_by
    for sent in a.sentences:
        for match in trig.finditer(a.view, sent.start, sent.end):
            authors = [
                a.entity_of[i]
                for i in a.within(
                    Span(sent.start, match.start()),
                    frozenset({E.PERSON, E.ORGANIZATION, E.EVENT}),
                )
                if match.start() - a.mentions[i].span.end <= 12
            ]
            if not authors:
                continue
            rest = Span(match.end(), sent.end)
            for i in a.within(rest, frozenset({E.POLICY, E.PRINCIPLE})):
                for author in authors:
                    yield RelationRecord(
                        a.entity_of[i],
                        R.PROPOSED_BY,
                        author,
                        "rel.proposedBy.trigger",
                        sent,
                    )
            break
    if a.speaker is not None:
        for k, fact in enumerate(a.targets):
            if fact.rule == "target.goal-list":
                yield RelationRecord(
                    a.entity_of[a.target_mentions[k]],
                    R.PROPOSED_BY,
                    a.speaker,
                    "rel.proposedBy.goal-list",
                    fact.sentence,
                )


def _held_by(a: Analysis) -> Iterator[RelationRecord]:
    parents = _org_parents(a)
    for i, m in enumerate(a.mentions):
        if m.type is not E.EVENT:
            continue
        evidence = a.sentence_at(m.span.start)
        for j in a.within(m.span, frozenset({E.ORGANIZATION})):
            if a.mentions[j].span.start != m.span.start:
                continue
            org = a.entity_of[j]
            yield RelationRecord(a.entity_of[i], R.HELD_BY, org, "rel.heldBy.name-prefix", evidence)
            for parent in parents.get(org, ()):
                yield RelationRecord(
                    a.entity_of[i], R.HELD_BY, parent, "rel.heldBy.name-prefix", evidence
                )
    trig = cues().held_by
    for sent in a.sentences:
        for match in trig.finditer(a.view, sent.start, sent.end):
            before = Span(sent.start, match.start())
            organisers = [a.entity_of[i] for i in a.within(before, frozenset({E.ORGANIZATION}))]
            organiser = organisers[-1] if organisers else a.speaker
            if organiser is None:
                continue
            after = Span(match.end(), min(sent.end, match.end() + 40))
            for i in a.within(after, frozenset({E.EVENT})):
                if a.mentions[i].span.start - match.end() > 12:
                    break
                yield RelationRecord(
                    a.entity_of[i], R.HELD_BY, organiser, "rel.heldBy.trigger", sent
                )


def _org_parents(a: Analysis) -> dict[int, list[int]]:
    """Body → bodies it is part of, by name: 市委常委会 is part of 市委."""
    orgs = {g.key: n for n, g in enumerate(a.groups) if g.type is E.ORGANIZATION}
    out: dict[int, list[int]] = {}
    for key, n in orgs.items():
        match = cues().org_part_suffix.search(key)
        if match and match.start() > 0:
            parent = orgs.get(key[: match.start()])
            if parent is not None and parent != n:
                out.setdefault(n, []).append(parent)
    return out


def _org_part_of(a: Analysis) -> Iterator[RelationRecord]:
    for child, parents in _org_parents(a).items():
        first = a.mentions[a.groups[child].mentions[0]].span
        for parent in parents:
            yield RelationRecord(
                child, R.PART_OF, parent, "rel.partOf.org-name", a.sentence_at(first.start)
            )
