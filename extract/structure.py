"""Document structure: headings, enumerated tasks, lead sentences, problem lists, sections.

Policy documents are written to a pattern: numbered headings (一、 /（一）/ 1.), enumerations
inside paragraphs (一要… 二要…, 第一，…), bold lead sentences opening the paragraphs of a work
plan ("大力提振消费。"), a review of the past that assigns nothing, and lists of shortcomings
("还存在一些问题和不足：一是…"). This module finds those units as offset spans; which of them
are tasks and problems, and what they contain, is decided from them downstream.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

from .resources import compile_pattern, cue, section
from .textview import Span, last_match, owner_at, owner_index, paragraphs, sentences, strip_span

_TITLE_STRIP = " \t\u3000。；，：、！？,.;:!?"
_CN_DIGITS = "一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class HeadingRule:
    id: str
    level: int
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class StructureRules:
    """The compiled cues of ``data/structure.yaml``."""

    headings: tuple[HeadingRule, ...]
    enumerations: tuple[tuple[str, re.Pattern[str]], ...]
    review: re.Pattern[str]
    mixed_review: re.Pattern[str]
    container: re.Pattern[str]
    closing: re.Pattern[str]
    lead_max: int
    inline_lead_max: int
    lead_reject: re.Pattern[str]
    problem_openers: re.Pattern[str]
    problem_closers: re.Pattern[str]
    problem_detail_intro: re.Pattern[str]
    modal_cut: tuple[str, ...]
    modal_keep: tuple[str, ...]


def _at(pattern: re.Pattern[str], view: str, span: Span) -> re.Match[str] | None:
    """Match ``pattern`` at the start of ``span`` (``^`` and ``$`` are the span's ends).

    Offsets of the returned match are relative to ``span.start``.
    """
    return pattern.match(view[span.start : span.end])


def _alternation(items: list[str], where: str) -> re.Pattern[str]:
    return compile_pattern("|".join(f"(?:{i})" for i in items), where)


@cache
def structure_rules() -> StructureRules:
    """Compile ``data/structure.yaml`` once."""
    data = section("structure.yaml")
    headings = tuple(
        HeadingRule(str(h["id"]), int(h["level"]), compile_pattern(str(h["pattern"]), str(h["id"])))
        for h in data["headings"]
    )
    enumerations = tuple(
        (str(e["id"]), compile_pattern(str(e["pattern"]), str(e["id"])))
        for e in data["enumerations"]
    )
    lead = data["lead_sentence"]
    return StructureRules(
        headings=headings,
        enumerations=enumerations,
        review=_alternation(data["review_sections"], "review_sections"),
        mixed_review=compile_pattern(str(data["mixed_review"]), "mixed_review"),
        container=_alternation(data["container_headings"], "container_headings"),
        closing=_alternation(data["closing_paragraphs"], "closing_paragraphs"),
        lead_max=int(lead["max_chars"]),
        inline_lead_max=int(lead["inline_max_chars"]),
        lead_reject=compile_pattern(str(lead["reject"]), "lead_sentence reject"),
        problem_openers=_alternation(data["problem_openers"], "problem_openers"),
        problem_closers=_alternation(data["problem_closers"], "problem_closers"),
        problem_detail_intro=compile_pattern(
            str(data["problem_detail_intro"]), "problem_detail_intro"
        ),
        modal_cut=tuple(str(w) for w in data["modality"]["cut"]),
        modal_keep=tuple(str(w) for w in data["modality"]["keep"]),
    )


@dataclass(slots=True)
class TaskUnit:
    """A task the document assigns: its label span, its whole scope, its parent task."""

    title: Span
    scope: Span
    rule: str
    parent: int | None = None
    #: heading and enumeration tasks are deployed by the speaker's body; lead sentences are not
    deployed: bool = True
    #: the stretch that states the task (heading paragraph or enumerated sentence)
    evidence: Span = field(default_factory=lambda: Span(0, 0))
    #: how the task is phrased: its modal word (要, 必须…) when the text gives one
    modality: str = ""


@dataclass(slots=True)
class ProblemItem:
    """One entry of a problem list: an enumerated heading and the sentences detailing it."""

    heading: Span | None
    details: list[Span]
    rule: str


@dataclass(slots=True)
class ProblemBlock:
    """A list of shortcomings, from its opening sentence to its closing one."""

    opener: Span
    span: Span
    items: list[ProblemItem]
    #: the sentence announcing remedies for the whole list ("这些问题必须…认真加以解决")
    closer: Span | None
    enumerated: bool


@dataclass(slots=True)
class Structure:
    """What ``find_structure`` found, with offset lookups."""

    paragraphs: list[Span]
    tasks: list[TaskUnit]
    problem_blocks: list[ProblemBlock]
    review: list[Span]
    closing: Span | None
    headings: list[tuple[Span, int, str]]
    #: paragraphs of a ——-led list that follows a goal paragraph: each states a goal
    goal_items: list[Span] = field(default_factory=list)
    #: position lookups, built on first use (after the structure is complete)
    _owners: dict[str, array[int]] = field(default_factory=dict, repr=False, compare=False)

    def in_review(self, pos: int) -> bool:
        """Whether ``pos`` lies in a section reviewing the past."""
        return owner_at(self._index("review"), pos) >= 0

    def task_at(self, pos: int) -> int | None:
        """The innermost task whose scope holds ``pos``: of those that hold it, the one that
        starts last (the last listed, among those starting there)."""
        owner = owner_at(self._index("tasks"), pos)
        return owner if owner >= 0 else None

    def block_at(self, pos: int) -> int | None:
        """The (first) problem block holding ``pos``."""
        owner = owner_at(self._index("blocks"), pos)
        return owner if owner >= 0 else None

    def _index(self, name: str) -> array[int]:
        """Which span of a kind holds each position (the lookups of the methods above)."""
        if name not in self._owners:
            if name == "review":
                spans = list(enumerate(self.review))
            elif name == "tasks":  # later fills win: by start, then by list order
                spans = sorted(
                    enumerate(t.scope for t in self.tasks), key=lambda p: (p[1].start, p[0])
                )
            else:  # the first block wins: fill from the last
                spans = list(enumerate(b.span for b in self.problem_blocks))[::-1]
            self._owners[name] = owner_index(spans)
        return self._owners[name]


def find_structure(text: str, view: str) -> Structure:
    """Headings, tasks, problem lists and review sections of a document."""
    rules = structure_rules()
    paras = list(paragraphs(text))
    closing = _closing(view, paras, rules)
    end_of_body = closing.start if closing else len(text)
    headings = _headings(view, paras, rules)
    review = _review_sections(view, headings, end_of_body, rules)
    blocks = _problem_blocks(view, paras, rules)
    goal_items = _goal_dash_items(view, paras, review)
    tasks = _heading_tasks(view, headings, end_of_body, review, rules)
    tasks += _enumerated_tasks(
        view, paras, headings, review, blocks, end_of_body, rules, goal_items
    )
    tasks.sort(key=lambda t: (t.scope.start, -t.scope.end))
    _link_parents(tasks)
    tasks += _lead_sentence_tasks(view, paras, tasks, blocks, rules)
    tasks.sort(key=lambda t: (t.scope.start, -t.scope.end))
    _link_parents(tasks)
    return Structure(paras, tasks, blocks, review, closing, headings, goal_items)


def _goal_dash_items(view: str, paras: list[Span], review: list[Span]) -> list[Span]:
    """——-led paragraphs right after a paragraph announcing goals (奋斗目标：…)."""
    items: list[Span] = []
    goal_context = False
    for para in paras:
        if any(r.start <= para.start < r.end for r in review):
            goal_context = False
            continue
        if view.startswith("——", para.start):
            if goal_context:
                items.append(para)
            continue
        goal_context = cue("clauses.goal_list").search(view, para.start, para.end) is not None
    return items


# ----------------------------------------------------------------------------- headings


def _closing(view: str, paras: list[Span], rules: StructureRules) -> Span | None:
    """The closing paragraphs (同志们，让我们…) after the last heading, if any."""
    last_heading = -1
    for n, para in enumerate(paras):
        if any(_at(h.pattern, view, para) for h in rules.headings):
            last_heading = n
    for para in paras[max(last_heading + 1, len(paras) // 2) :]:
        if _at(rules.closing, view, para):
            return Span(para.start, paras[-1].end)
    return None


def _headings(view: str, paras: list[Span], rules: StructureRules) -> list[tuple[Span, int, str]]:
    """(paragraph, level, rule id) of every numbered heading."""
    out = []
    for para in paras:
        for rule in rules.headings:
            if _at(rule.pattern, view, para):
                out.append((para, rule.level, rule.id))
                break
    return out


def _heading_scope(headings: list[tuple[Span, int, str]], index: int, end_of_body: int) -> Span:
    para, level, _ = headings[index]
    end = end_of_body
    for other, other_level, _ in headings[index + 1 :]:
        if other_level <= level:
            end = min(end, other.start)
            break
    return Span(para.start, max(para.end, end))


def _review_sections(
    view: str, headings: list[tuple[Span, int, str]], end_of_body: int, rules: StructureRules
) -> list[Span]:
    out = []
    top = min((lvl for _, lvl, _ in headings), default=1)
    for i, (para, level, _) in enumerate(headings):
        if level == top and rules.review.search(view[para.start : para.end]):
            scope = _heading_scope(headings, i, end_of_body)
            out.append(Span(scope.start, _review_end(view, para, scope, rules)))
    # "这五年，我们…" / "过去一年…" paragraphs before the first heading are review as well
    return out


def _review_end(view: str, heading: Span, scope: Span, rules: StructureRules) -> int:
    """Where a review section ends: at the plan's first paragraph when its heading has both."""
    mixed = rules.mixed_review.search(view[heading.start : heading.end])
    if mixed is None:
        return scope.end
    when = mixed.group("when")
    for para in paragraphs(view[: scope.end]):
        if para.start > heading.start and view.startswith(when, para.start):
            return para.start
    return scope.end


def _marker_end(view: str, para: Span, rules: StructureRules) -> int:
    for rule in rules.headings:
        match = _at(rule.pattern, view, para)
        if match:
            return para.start + match.end()
    return para.start


def _title(view: str, start: int, end: int) -> tuple[Span, str]:
    """The label of a task stated from ``start``: its first sentence, modal word cut off."""
    stop = end
    for i in range(start, end):
        if view[i] in "。！？!?；;":
            stop = i
            break
    span = strip_span(view, start, stop, _TITLE_STRIP)
    modality = ""
    rules = structure_rules()
    for word in rules.modal_cut:
        if view.startswith(word, span.start) and len(span) > len(word) + 2:
            modality = word
            span = Span(span.start + len(word), span.end)
            break
    for word in rules.modal_keep:
        if view.startswith(word, span.start):
            modality = word
            break
    if len(span) > 60:  # a long first sentence: its first clause names the task
        comma = view.find("，", span.start, span.end)
        if comma >= span.start + 4:
            span = Span(span.start, comma)
    return span, modality


def _heading_tasks(
    view: str,
    headings: list[tuple[Span, int, str]],
    end_of_body: int,
    review: list[Span],
    rules: StructureRules,
) -> list[TaskUnit]:
    tasks = []
    for i, (para, _level, rid) in enumerate(headings):
        if any(r.start <= para.start < r.end for r in review):
            continue
        title, modality = _title(view, _marker_end(view, para, rules), para.end)
        if len(title) < 4 or rules.container.search(view[title.start : title.end]):
            continue
        heading_end = min(para.end, title.end + 1)
        tasks.append(
            TaskUnit(
                title=title,
                scope=_heading_scope(headings, i, end_of_body),
                rule=f"{rid}-task",
                evidence=Span(para.start, heading_end),
                modality=modality,
            )
        )
    return tasks


# ----------------------------------------------------------------------------- enumerations


def _enum_number(marker: str) -> int:
    """The rank an enumeration marker gives (二要 → 2, 其次 → 2)."""
    for ch in marker:
        if ch in _CN_DIGITS:
            return _CN_DIGITS.index(ch) + 1
    for rank, word in enumerate(("首先", "其次", "再次", "最后"), start=1):
        if marker.startswith(word):
            return rank
    return 0


def _enumerated_tasks(
    view: str,
    paras: list[Span],
    headings: list[tuple[Span, int, str]],
    review: list[Span],
    blocks: list[ProblemBlock],
    end_of_body: int,
    rules: StructureRules,
    goal_items: list[Span],
) -> list[TaskUnit]:
    """一要…/第一，… items inside the body; those before the first heading are not tasks."""
    first_heading = headings[0][0].start if headings else None
    # (start, family, number, sentence, paragraph)
    found: list[tuple[int, str, int, Span, Span]] = []
    for para in paras:
        if para.start >= end_of_body:
            break
        if first_heading is not None and para.start < first_heading:
            continue
        if any(r.start <= para.start < r.end for r in review):
            continue
        if any(b.span.start <= para.start < b.span.end for b in blocks):
            continue
        if para in goal_items:
            continue
        for sent in _segments(view, para):
            if _after_goal_list(view, para, sent):
                continue  # 发展目标：一是…，二是… lists targets, not tasks
            for family, pattern in rules.enumerations:
                match = _at(pattern, view, sent)
                if match is None:
                    continue
                if family.endswith(("shi", "sequence", "dash")) and not headings:
                    continue  # weak markers count only inside a headed body
                found.append((sent.start, family, _enum_number(match.group()), sent, para))
                break
    tasks: list[TaskUnit] = []
    for k, (start, family, number, sent, para) in enumerate(found):
        # an item runs to the next item of its family, or to the end of its heading's scope;
        # an item inside a paragraph (以下几点：一是…；二是…) ends with its paragraph
        end = end_of_body if start == para.start else para.end
        container = _enclosing_heading_end(headings, start, end_of_body)
        end = min(end, container)
        # nor past the next heading: an item does not contain headings
        end = min([end] + [h.start for h, _, _ in headings if h.start > start])
        for later_start, later_family, later_number, _, _ in found[k + 1 :]:
            if later_family == family and later_number == number + 1 and later_start < end:
                end = later_start
                break
            if later_family == family and later_number <= number:
                end = min(end, later_start)
                break
        match = _at(next(p for f, p in rules.enumerations if f == family), view, sent)
        assert match is not None
        title, modality = _title(view, sent.start + match.end(), sent.end)
        if len(title) < 4:
            continue
        tasks.append(
            TaskUnit(
                title=title,
                scope=Span(start, end),
                rule=family + "-task",
                evidence=Span(sent.start, sent.end),
                modality=modality or ("要" if "要" in match.group() else ""),
            )
        )
    return tasks


def _after_goal_list(view: str, para: Span, segment: Span) -> bool:
    """Whether a segment opens right after a goal list's colon (主要目标：…)."""
    found = last_match(
        cue("clauses.goal_list"), view, max(para.start, segment.start - 30), segment.start
    )
    return found is not None and found.end() == segment.start


def _segments(view: str, para: Span) -> list[Span]:
    """Stretches of a paragraph that may open with an enumeration marker: its sentences,
    and what follows a ；or ：inside them (抓好三项工作：一是…；二是…。)."""
    out = []
    start = para.start
    for i in range(para.start, para.end):
        if view[i] in "。！？；：":
            piece = strip_span(view, start, i + 1)
            if len(piece):
                out.append(piece)
            start = i + 1
    piece = strip_span(view, start, para.end)
    if len(piece):
        out.append(piece)
    return out


def _enclosing_heading_end(headings: list[tuple[Span, int, str]], pos: int, default: int) -> int:
    """The end of the scope of the innermost heading before ``pos``."""
    starts = [h[0].start for h in headings]
    i = bisect_right(starts, pos) - 1
    if i < 0:
        return default
    return _heading_scope(headings, i, default).end


def _link_parents(tasks: list[TaskUnit]) -> None:
    """Each task's parent is the innermost other task whose scope holds its start."""
    for i, task in enumerate(tasks):
        parent = None
        for j, other in enumerate(tasks):
            if j == i or not other.scope.contains(task.scope):
                continue
            if other.scope == task.scope and j > i:
                continue
            if parent is None or tasks[parent].scope.contains(other.scope):
                parent = j
        task.parent = parent


# ----------------------------------------------------------------------------- lead sentences


def _lead_sentence_tasks(
    view: str,
    paras: list[Span],
    tasks: list[TaskUnit],
    blocks: list[ProblemBlock],
    rules: StructureRules,
) -> list[TaskUnit]:
    """Short imperative sentences opening the paragraphs of a level-2/3 task.

    The first paragraph after a heading introduces it and yields no lead sentence; the
    opening sentence of any later paragraph does when it is short and has no comma; a short
    comma-free sentence inside a paragraph does when more text follows it.
    """
    found: list[TaskUnit] = []
    for index, task in enumerate(tasks):
        if not task.rule.startswith(("structure.heading-2", "structure.heading-3")):
            continue
        if any(t.parent == index for t in tasks):
            continue  # already divided into enumerated items
        inner = [p for p in paras if task.scope.start <= p.start < task.scope.end]
        leads: list[Span] = []
        for n, para in enumerate(inner):
            if any(b.span.start <= para.start < b.span.end for b in blocks):
                continue
            sents = list(sentences(view, para))
            if para.start == task.scope.start:
                sents = sents[1:]  # the heading's own sentence
            for k, sent in enumerate(sents):
                first = k == 0 and n > 0
                limit = rules.lead_max if first else rules.inline_lead_max
                if k == 0 and not first:
                    continue  # the opening sentence of the introduction
                if k == len(sents) - 1:
                    continue  # nothing follows: a conclusion, not a heading
                if _is_lead(view, sent, limit, rules, first):
                    leads.append(sent)
        for k, sent in enumerate(leads):
            end = leads[k + 1].start if k + 1 < len(leads) else task.scope.end
            title, modality = _title(view, sent.start, sent.end)
            found.append(
                TaskUnit(
                    title=title,
                    scope=Span(sent.start, end),
                    rule="structure.lead-sentence-task",
                    deployed=False,
                    evidence=sent,
                    modality=modality,
                )
            )
    return found


def _is_lead(view: str, sent: Span, limit: int, rules: StructureRules, opening: bool) -> bool:
    body = view[sent.start : sent.end].rstrip("。！")
    if not 4 <= len(body) <= limit:
        return False
    if any(ch in body for ch in "，,；;：:？?（）"):
        return False
    # a quoted name inside a paragraph's opening sentence is fine ("推动“新两翼”联动发展");
    # inline, a quotation is more often a slogan than a heading
    if not opening and any(ch in body for ch in "“”"):
        return False
    return rules.lead_reject.match(body) is None


# ----------------------------------------------------------------------------- problem lists


def _problem_blocks(view: str, paras: list[Span], rules: StructureRules) -> list[ProblemBlock]:
    blocks: list[ProblemBlock] = []
    i = 0
    while i < len(paras):
        para = paras[i]
        opener = None
        for sent in sentences(view, para):
            match = rules.problem_openers.search(view[sent.start : sent.end])
            if match:
                opener = (sent, sent.start + match.end())
                break
        if opener is None:
            i += 1
            continue
        sent, colon_end = opener
        start = colon_end
        end = para.end
        j = i + 1
        if view[start:end].strip(" \u3000。") == "":
            start = paras[j].start if j < len(paras) else end
        # following paragraphs that go on enumerating belong to the list
        while j < len(paras) and _starts_enumeration(view, paras[j], rules):
            end = paras[j].end
            j += 1
        if start >= end:
            i = j
            continue
        span = Span(start, end)
        closer = None
        for k in range(i, j):
            for s in sentences(view, paras[k]):
                if s.start >= start and _at(rules.problem_closers, view, s):
                    closer = s
                    break
            if closer:
                break
        if closer is None and j < len(paras):  # a closing paragraph right after the list
            first = next(iter(sentences(view, paras[j])), None)
            if first is not None and _at(rules.problem_closers, view, first):
                closer = first
        if closer is not None and closer.start < span.end:
            span = Span(start, closer.start)
        items, enumerated = _problem_items(view, span, rules)
        blocks.append(ProblemBlock(sent, span, items, closer, enumerated))
        i = j
    return blocks


def _starts_enumeration(view: str, para: Span, rules: StructureRules) -> bool:
    return any(_at(p, view, para) for f, p in rules.enumerations if not f.endswith("yao"))


def _problem_items(view: str, span: Span, rules: StructureRules) -> tuple[list[ProblemItem], bool]:
    """Split a problem list into enumerated items (一是…) or into its sentences."""
    sents = [s for p in _paragraph_pieces(view, span) for s in sentences(view, p)]
    items: list[ProblemItem] = []
    enumerated = False
    for sent in sents:
        marker = None
        for family, pattern in rules.enumerations:
            if family.endswith("yao"):
                continue
            marker = _at(pattern, view, sent)
            if marker:
                break
        if marker:
            enumerated = True
            heading = strip_span(view, sent.start + marker.end(), sent.end, _TITLE_STRIP)
            items.append(ProblemItem(heading, [], "structure.problem-enumerated"))
            continue
        intro = _at(rules.problem_detail_intro, view, sent)
        body = Span(sent.start + intro.end(), sent.end) if intro else sent
        if items and enumerated:
            items[-1].details.append(body)
        else:
            items.append(ProblemItem(None, [body], "structure.problem-list"))
    return items, enumerated


def _paragraph_pieces(view: str, span: Span) -> list[Span]:
    return [
        Span(span.start + m.start(), span.start + m.end())
        for m in re.finditer(r"[^\r\n]+", view[span.start : span.end])
    ]
