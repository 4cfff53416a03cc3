"""Clause-level entities: the problems a document admits and the targets it sets.

Problems come from three places: the problem lists found by ``structure`` (一是…；主要表现为…),
clauses elsewhere that state a shortcoming (…仍然严峻复杂, 有的…), and the objects of
remedies (克服…, 解决…问题). Targets are goals of the plan: numbers with a comparator
(增长8%以上), zero goals (…零发生), bottom lines (不发生…风险) and stated goal lists
(主要预期目标是：…). Nothing is taken as a target from a section reviewing the past.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from .names import left_boundary
from .resources import comparators, compile_pattern, cue, literal_prefilter, section
from .structure import ProblemBlock, Structure
from .textview import Span, SpanSet, clauses, last_match, sentences, strip_span

_EDGE = " \t\u3000，。；：、！？,.;:!?“”"
_EDGE_NO_QUOTES = " \t\u3000，。；：、！？,.;:!?"


@dataclass(slots=True)
class ProblemFact:
    """A problem mention with what the text says around it."""

    span: Span
    rule: str
    #: indices of the problems it is part of (its list heading, its sentence's lead clause)
    parents: list[int] = field(default_factory=list)
    #: the stretch whose names the problem is about (itself and its explanatory clauses)
    context: Span = field(default_factory=lambda: Span(0, 0))
    #: the sentence that states it (evidence of partOf and concerns)
    sentence: Span = field(default_factory=lambda: Span(0, 0))
    #: the remedy sentence when a remedy verb introduced it (evidence of addresses)
    remedy: Span | None = None
    block: int | None = None
    #: True for the heading of an enumerated item of a problem list
    heading: bool = False


@dataclass(slots=True)
class TargetFact:
    """A target mention with its sentence and structured reading (value, unit, comparator)."""

    span: Span
    rule: str
    sentence: Span
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClauseRules:
    markers: re.Pattern[str]
    instruction: re.Pattern[str]
    #: (rule id, head pattern, whether the phrase starts at its clause's start)
    noun_phrases: tuple[tuple[str, re.Pattern[str], bool], ...]
    remedy_heads: re.Pattern[str]
    vague_objects: re.Pattern[str]
    target_cut_tail: re.Pattern[str]
    strip_prefix: re.Pattern[str]
    strip_suffix: re.Pattern[str]
    subject_markers: re.Pattern[str]
    min_chars: int
    max_chars: int
    remedy_verbs: re.Pattern[str]
    problem_nouns: re.Pattern[str]
    max_object_chars: int
    strip_object_suffix: re.Pattern[str]
    target_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    target_strip_prefix: re.Pattern[str]
    target_strip_suffix: re.Pattern[str]
    past_markers: re.Pattern[str]


@cache
def clause_rules() -> ClauseRules:
    """Compile ``data/clauses.yaml`` once."""
    problems = section("clauses.yaml:problems")
    remedies = section("clauses.yaml:remedies")
    targets = section("clauses.yaml:targets")
    markers = sorted((str(m) for m in problems["markers"]), key=len, reverse=True)
    names = ("numeric", "zero", "no_risk", "above_average", "full_coverage", "goal_of", "deadline")
    return ClauseRules(
        markers=compile_pattern("|".join(f"(?:{m})" for m in markers), "problem markers"),
        instruction=compile_pattern(str(problems["instruction"]), "problems instruction"),
        noun_phrases=tuple(
            (str(n["id"]), compile_pattern(str(n["head"]), str(n["id"])), n.get("left") == "clause")
            for n in problems["noun_phrases"]
        ),
        remedy_heads=compile_pattern(str(problems["remedy_heads"]), "remedy_heads"),
        vague_objects=compile_pattern(str(remedies["vague_objects"]), "vague_objects"),
        target_cut_tail=compile_pattern(str(targets["cut_tail"]), "targets cut_tail"),
        strip_prefix=compile_pattern(str(problems["strip_prefix"]), "problems strip_prefix"),
        strip_suffix=compile_pattern(str(problems["strip_suffix"]), "problems strip_suffix"),
        subject_markers=compile_pattern(str(problems["subject_markers"]), "subject_markers"),
        min_chars=int(problems["min_chars"]),
        max_chars=int(problems["max_chars"]),
        remedy_verbs=compile_pattern(str(remedies["verbs"]), "remedy verbs"),
        problem_nouns=compile_pattern(str(remedies["problem_nouns"]), "problem nouns"),
        max_object_chars=int(remedies["max_object_chars"]),
        strip_object_suffix=compile_pattern(
            str(remedies["strip_object_suffix"]), "strip_object_suffix"
        ),
        target_patterns=tuple(
            (f"target.{n.replace('_', '-')}", compile_pattern(str(targets[n]), f"targets {n}"))
            for n in names
        ),
        target_strip_prefix=compile_pattern(str(targets["strip_prefix"]), "targets prefix"),
        target_strip_suffix=compile_pattern(str(targets["strip_suffix"]), "targets suffix"),
        past_markers=compile_pattern(str(targets["past_markers"]), "targets past_markers"),
    )


# ----------------------------------------------------------------------------- problems


def clean_problem(view: str, span: Span) -> Span:
    """A problem clause without its discourse words (反映出…, …的现象)."""
    rules = clause_rules()
    span = strip_span(view, span.start, span.end, _EDGE_NO_QUOTES)
    for _ in range(2):
        match = rules.strip_prefix.match(view[span.start : span.end])
        if match and match.end() < len(span):
            span = Span(span.start + match.end(), span.end)
        match = rules.strip_suffix.search(view[span.start : span.end])
        if match and match.start() > 0:
            span = Span(span.start, span.start + match.start())
        span = strip_span(view, span.start, span.end, _EDGE_NO_QUOTES)
    return balance_quotes(view, span)


def balance_quotes(view: str, span: Span) -> Span:
    """Drop a quotation mark whose partner lies outside ``span`` (“只想争功… → 只想争功…)."""
    piece = view[span.start : span.end]
    if piece.count("“") > piece.count("”") and piece.startswith("“"):
        span = Span(span.start + 1, span.end)
    elif piece.count("”") > piece.count("“") and piece.endswith("”"):
        span = Span(span.start, span.end - 1)
    elif piece.count("“") > piece.count("”") and view[span.end : span.end + 1] == "”":
        span = Span(span.start, span.end + 1)  # 遇事“打太极 + ”
    return span


def is_problem_clause(view: str, span: Span) -> bool:
    """Whether a clause states a shortcoming (a marker word, or a scolded group's deeds)."""
    rules = clause_rules()
    piece = view[span.start : span.end]
    return bool(rules.markers.search(piece)) or bool(rules.subject_markers.match(piece))


def find_problems(view: str, structure: Structure) -> list[ProblemFact]:
    """Every problem mention: from problem lists, free clauses and remedy objects."""
    facts: list[ProblemFact] = []
    for index, block in enumerate(structure.problem_blocks):
        _block_problems(view, block, index, facts)
    taken = SpanSet([f.span for f in facts] + [b.span for b in structure.problem_blocks])
    titles = SpanSet(t.title for t in structure.tasks)
    for para in structure.paragraphs:
        if structure.closing and para.start >= structure.closing.start:
            break
        review = structure.in_review(para.start)
        for sent in sentences(view, para):
            if any(b.span.contains(sent) for b in structure.problem_blocks):
                continue
            if any(b.opener.overlaps(sent) for b in structure.problem_blocks):
                continue
            _noun_phrase_problems(view, sent, facts, taken)
            if not review:
                _sentence_problems(view, sent, facts, taken, titles)
            _remedy_problems(view, sent, facts, taken, titles)
    return _in_text_order(facts)


def _in_text_order(facts: list[ProblemFact]) -> list[ProblemFact]:
    """The facts sorted by position, with their parent indices renumbered to match."""
    order = sorted(range(len(facts)), key=lambda i: (facts[i].span.start, i))
    new_index = {old: new for new, old in enumerate(order)}
    out = [facts[i] for i in order]
    for fact in out:
        fact.parents = [new_index[p] for p in fact.parents]
    return out


def _add(facts: list[ProblemFact], fact: ProblemFact) -> int:
    facts.append(fact)
    return len(facts) - 1


def _block_problems(view: str, block: ProblemBlock, index: int, facts: list[ProblemFact]) -> None:
    rules = clause_rules()
    for item in block.items:
        head: int | None = None
        if item.heading is not None:
            label = clean_problem(view, item.heading)
            if len(label) >= rules.min_chars:
                head = _add(
                    facts,
                    ProblemFact(
                        label,
                        "problem.list-heading",
                        context=label,
                        sentence=item.heading,
                        block=index,
                        heading=True,
                    ),
                )
        for detail in item.details:
            groups = [detail] if block.enumerated else list(clauses(view, detail, "；;。"))
            for group in groups:
                _group_problems(view, group, block, index, head, facts)


def _group_problems(
    view: str,
    group: Span,
    block: ProblemBlock,
    index: int,
    head: int | None,
    facts: list[ProblemFact],
) -> None:
    """Problems of one sentence (enumerated list) or one ；-group (plain list)."""
    rules = clause_rules()
    lead: int | None = None
    last: int | None = None
    for clause in clauses(view, group, "，,；;。"):
        label = clean_problem(view, clause)
        problem = len(label) >= rules.min_chars and (
            not block.enumerated or is_problem_clause(view, clause)
        )
        if not problem or len(label) > rules.max_chars:
            if last is not None:  # an explanatory clause: widen what the problem is about
                facts[last].context = Span(facts[last].context.start, clause.end)
            continue
        parents = [head] if head is not None else []
        explained = cue("clauses.explanatory").match(view[clause.start : clause.end])
        if lead is not None and (explained or not block.enumerated):
            parents.append(lead)
        last = _add(
            facts,
            ProblemFact(
                label,
                "problem.list-item",
                parents=parents,
                context=label,
                sentence=group,
                block=index,
            ),
        )
        if lead is None:
            lead = last


def _sentence_problems(
    view: str, sent: Span, facts: list[ProblemFact], taken: SpanSet, titles: SpanSet
) -> None:
    """Shortcomings stated outside problem lists: marker clauses, 有的…/一些… clauses."""
    rules = clause_rules()
    lead: int | None = None
    for clause in clauses(view, sent, "，,；;。！？"):
        if titles.overlaps(clause) or taken.overlaps(clause):
            continue
        piece = view[clause.start : clause.end]
        if rules.instruction.search(piece):
            continue  # an instruction or a remedy, not a finding
        if not rules.markers.search(piece):
            continue
        label = clean_problem(view, clause)
        if not rules.min_chars <= len(label) <= rules.max_chars:
            continue
        parents = [lead] if lead is not None else []
        index = _add(
            facts,
            ProblemFact(label, "problem.marker-clause", parents, context=label, sentence=sent),
        )
        taken.add(label)
        if lead is None and rules.subject_markers.match(piece):
            lead = index


def _noun_phrase_problems(view: str, sent: Span, facts: list[ProblemFact], taken: SpanSet) -> None:
    """Problems named as noun phrases: …巡视反馈问题, …问题得到解决."""
    rules = clause_rules()
    for rule_id, pattern, from_clause in rules.noun_phrases:
        for match in pattern.finditer(view, sent.start, sent.end):
            if from_clause:
                start = max(
                    [sent.start]
                    + [i + 1 for i in range(sent.start, match.start()) if view[i] in "，；：,;:"]
                )
            else:
                start = left_boundary(view, match.start(), sent.start, 30)
            count = cue("clauses.count_prefix").match(view, start, match.start())
            if count:
                start = count.end()
            span = strip_span(view, start, match.end(), _EDGE)
            if len(span) < 4 or taken.overlaps(span):
                continue
            facts.append(ProblemFact(span, rule_id, context=span, sentence=sent))
            taken.add(span)


def _remedy_problems(
    view: str, sent: Span, facts: list[ProblemFact], taken: SpanSet, titles: SpanSet
) -> None:
    """The object of a remedy (克服思维惯性, 解决…问题, …污染防治) when it names a problem."""
    rules = clause_rules()
    heads_screen = literal_prefilter(rules.remedy_heads)
    for clause in clauses(view, sent, "，,；;。！？"):
        piece = view[clause.start : clause.end]
        objects = [
            _object(view, clause.start + verb.end(), clause.end)
            for verb in rules.remedy_verbs.finditer(piece)
        ]
        if heads_screen is None or heads_screen.search(piece) is not None:
            objects += [
                _object_before(view, clause.start, clause.start + head.start())
                for head in rules.remedy_heads.finditer(piece)
            ]
        for obj in objects:
            if obj is None or taken.overlaps(obj) or titles.overlaps(obj):
                continue
            facts.append(
                ProblemFact(obj, "problem.remedy-object", context=obj, sentence=sent, remedy=sent)
            )
            taken.add(obj)


def _object_before(view: str, clause_start: int, head_start: int) -> Span | None:
    """The object named before a remedy noun: 抓好餐饮油烟、扬尘和机动车尾气污染 + 防治."""
    start = head_start
    while start > clause_start:  # pass over 、-joined objects
        start = left_boundary(view, start, clause_start, 30)
        if start > clause_start and view[start - 1] == "、":
            start -= 1
            continue
        break
    if view.startswith("对", start):
        start += 1
    return _checked_object(view, strip_span(view, start, head_start, _EDGE))


def _object(view: str, start: int, end: int) -> Span | None:
    """The noun phrase after a remedy verb, when it names a problem."""
    rules = clause_rules()
    # the object ends at the next remedy verb or conjunction that starts another action
    stop = end
    end_of_object = cue("clauses.object_end").search(view, start, end)
    if end_of_object is not None:
        stop = end_of_object.start()
    span = strip_span(view, start, stop, _EDGE_NO_QUOTES + "好")
    # a list of objects ends after the first item that names a problem (…“信息孤岛”、建立…)
    for match in re.finditer("、", view[span.start : span.end]):
        head = Span(span.start, span.start + match.start())
        if rules.problem_nouns.search(view[head.start : head.end]):
            span = head
            break
    return _checked_object(view, span)


def _checked_object(view: str, span: Span) -> Span | None:
    """The object without remedy words around it, if it names a problem."""
    rules = clause_rules()
    piece = view[span.start : span.end]
    suffix = rules.strip_object_suffix.search(piece)
    if suffix and suffix.start() > 1:
        span = Span(span.start, span.start + suffix.start())
        piece = view[span.start : span.end]
    lead = cue("clauses.object_lead").match(piece)
    if lead:
        span = Span(span.start + lead.end(), span.end)
        piece = view[span.start : span.end]
    quoted = piece.startswith("“") and piece.endswith("”")
    if not (4 if not quoted else 2) <= len(piece.strip("“”")) <= rules.max_object_chars:
        return None
    if not rules.problem_nouns.search(piece) or rules.vague_objects.match(piece.strip("“")):
        return None
    if any(ch.isdigit() for ch in piece) and not cue("clauses.counted_problems").search(piece):
        return None  # 拆除违法建设500万平方米 reports an amount of work done
    if quoted:
        return Span(span.start + 1, span.end - 1)
    return strip_span(view, span.start, span.end, _EDGE_NO_QUOTES)


# ----------------------------------------------------------------------------- targets


def find_targets(view: str, structure: Structure) -> list[TargetFact]:
    """Goals set by the plan (never results of the past)."""
    rules = clause_rules()
    screens = [literal_prefilter(pattern) for _, pattern in rules.target_patterns]
    found: list[TargetFact] = []
    taken = SpanSet()
    for para in structure.paragraphs:
        if structure.in_review(para.start) or structure.block_at(para.start) is not None:
            continue
        if structure.closing and para.start >= structure.closing.start:
            break
        if para in structure.goal_items:  # ——高水平建设现代化经济体系，打造高质量发展高地。
            sent = next(iter(sentences(view, Span(para.start + 2, para.end))))
            label = _clean_target(view, sent)
            if len(label) >= 4 and not taken.overlaps(label):
                found.append(TargetFact(label, "target.dash-goal", sent, _reading(view, label)))
                taken.add(label)
        listed = cue("clauses.goal_list").search(view[para.start : para.end])
        for sent in sentences(view, para):
            if listed and sent.end > para.start + listed.end():
                start = max(sent.start, para.start + listed.end())
                for goal in _goal_pieces(view, Span(start, sent.end)):
                    label = _clean_target(view, goal)
                    if len(label) >= 4 and not taken.overlaps(label):
                        found.append(
                            TargetFact(label, "target.goal-list", sent, _reading(view, label))
                        )
                        taken.add(label)
                continue
            for clause in clauses(view, sent, "，,；;。！？：:"):
                piece = view[clause.start : clause.end]
                for (rule_id, pattern), screen in zip(rules.target_patterns, screens, strict=True):
                    if screen is not None and screen.search(piece) is None:
                        continue  # cannot match: it lacks every literal the pattern needs
                    match = pattern.search(piece)
                    if match is None:
                        continue
                    if rule_id == "target.numeric" and rules.past_markers.search(piece):
                        continue
                    if rule_id in ("target.full-coverage", "target.goal-of"):
                        span = Span(clause.start + match.start(), clause.start + match.end())
                    elif len(cut_tail(view, clause)) <= 30:
                        span = cut_tail(view, clause)
                    else:
                        span = Span(clause.start, clause.start + match.end())
                    lead = last_match(
                        cue("clauses.goal_verb"), view, span.start, clause.start + match.start()
                    )
                    if lead is not None:  # 会议确定了全年经济增长8%以上 → 全年经济增长8%以上
                        span = Span(lead.end(), span.end)
                    label = _clean_target(view, span)
                    if len(label) < 4 or taken.overlaps(label):
                        continue
                    found.append(TargetFact(label, rule_id, sent, _reading(view, label)))
                    taken.add(label)
                    break
    return found


def _goal_pieces(view: str, span: Span) -> list[Span]:
    """The goals of a goal list: split at ；, and at ， where a piece is long."""
    out: list[Span] = []
    for piece in clauses(view, span, "；;。"):
        parts = list(clauses(view, piece, "，,；;。"))
        numbered = sum(1 for p in parts if re.search(r"\d", view[p.start : p.end]))
        listed = sum(1 for p in parts if cue("clauses.goal_enumerator").match(view, p.start))
        # 增长5%左右，…增长4%左右，… / 一是…，二是… / A，B，C in one sentence
        if listed >= 2 or (len(piece) > 40 and (numbered >= 2 or len(parts) >= 3)):
            out.extend(p for p in parts if not cue("clauses.goal_list_filler").match(view, p.start))
        else:
            out.append(piece)
    return out


def cut_tail(view: str, span: Span) -> Span:
    """A target clause without its trailing 以及…/等… part."""
    tail = clause_rules().target_cut_tail.search(view[span.start : span.end])
    if tail and tail.start() >= 4:
        return Span(span.start, span.start + tail.start())
    return span


def _clean_target(view: str, span: Span) -> Span:
    rules = clause_rules()
    span = strip_span(view, span.start, span.end, _EDGE)
    span = cut_tail(view, span)
    match = rules.target_strip_prefix.match(view[span.start : span.end])
    if match and match.end() < len(span):
        span = Span(span.start + match.end(), span.end)
    match = rules.target_strip_suffix.search(view[span.start : span.end])
    if match and match.start() > 0:
        span = Span(span.start, span.start + match.start())
    span = strip_span(view, span.start, span.end, _EDGE_NO_QUOTES + "的")
    return balance_quotes(view, span)


def _reading(view: str, span: Span) -> dict[str, str]:
    """Value, unit, comparator and year of a target, where the label states them."""
    piece = view[span.start : span.end]
    out: dict[str, str] = {}
    year_pattern = cue("clauses.year")
    for match in cue("clauses.value").finditer(piece):
        if year_pattern.match(piece, match.start()):
            continue
        out["value"] = match.group("value")
        if match.group("unit"):
            out["unit"] = match.group("unit").replace("％", "%")
        if match.group("comparator"):
            out["comparator"] = comparators()[match.group("comparator")]
        break
    for word, name in comparators().items():
        if "comparator" not in out and word in piece:
            out["comparator"] = name
    year = year_pattern.search(piece)
    if year:
        out["year"] = year.group(1)
    return out
