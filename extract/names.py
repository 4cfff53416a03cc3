"""Find named entities (bodies, people, strategies, policies, principles, meetings) in a text.

Two sources feed the candidates: the lexicon of general domain knowledge, and the patterns of
``data/patterns.yaml`` for the names no lexicon can list. Overlapping candidates are then
resolved leftmost-longest, keeping only the nestings that name two real entities (a meeting
held by a body inside the meeting's name, a leader inside his instructions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from .resources import (
    PatternRule,
    boundaries,
    cue,
    lexicon,
    pattern_rules,
    places,
    regex,
)
from .schema import EntityType
from .textview import Span, last_match, paragraphs

E = EntityType

#: Outer type → inner types whose mentions may sit inside a mention of the outer type.
NESTING: dict[EntityType, frozenset[EntityType]] = {
    E.EVENT: frozenset({E.ORGANIZATION, E.EVENT}),
    E.PRINCIPLE: frozenset({E.PERSON, E.EVENT}),
    E.POLICY: frozenset({E.PERSON}),
}
#: A mention inside one of its own type must name something on its own (党的二十大 inside
#: 党的二十大代表选举), not be a fragment of the same name (…人民代表大会 inside …第三次会议).
NESTED_SAME_TYPE_RULES = frozenset(
    {"lexicon.Event", "event.party-congress", "event.central-plenum"}
)

#: Lower is preferred when two rules propose the same span.
_PRIORITY = {"lexicon": 0, "extend": 1, "regex": 2, "header": 2, "quoted": 3, "list": 4}
_SUFFIX_PRIORITY = 5

# Characters that end a name when scanning left from its head word.
_STOP = set("，。；：！？、（）()《》〈〉\r\n\t ,;:!?\u3000—…·`")
_OPEN_QUOTES = "“‘「『"
_CLOSE_QUOTES = "”’」』"
_PLACE_CHARS = re.compile(r"^[\u4e00-\u9fffA-Za-z×]{2,9}$")
_LEADING_JUNK = "的和与及、之其"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A proposed mention: a typed span with the rule that found it."""

    start: int
    end: int
    type: EntityType
    rule: str
    priority: int
    #: the lexicon's canonical label when the lexicon found it
    canonical: str | None = None
    #: extra facts the rule saw (a speaker's role, say)
    attrs: tuple[tuple[str, str], ...] = ()

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


def find_names(text: str, view: str) -> list[Candidate]:
    """All name mentions of ``text`` (matched on its ``view``), overlaps resolved."""
    found = list(_lexicon_candidates(view))
    rules = pattern_rules()
    for rule in rules:
        if rule.kind != "extend":
            found.extend(_rule_candidates(rule, text, view))
    for rule in rules:
        if rule.kind == "extend":
            found.extend(_extend_candidates(rule, view, found))
    return resolve_overlaps(found)


def resolve_overlaps(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Leftmost-longest selection; nested mentions survive only where NESTING allows."""
    ordered = sorted(
        {(c.start, c.end, c.type, c.rule): c for c in candidates}.values(),
        key=lambda c: (c.start, -c.end, c.priority, c.type, c.rule),
    )
    kept: list[Candidate] = []
    # the kept mentions that reach past the current start: only they can overlap, and the
    # verdict does not depend on their order (a long run of mentions stays linear)
    reaching: list[Candidate] = []
    for cand in ordered:
        reaching = [other for other in reaching if other.end > cand.start]
        ok = True
        for other in reaching:
            if other.start == cand.start and other.end == cand.end:
                ok = False  # same span, lower priority
                break
            if other.start <= cand.start and cand.end <= other.end:
                same = cand.type is other.type
                if cand.type in NESTING.get(other.type, frozenset()) and (
                    not same or cand.rule in NESTED_SAME_TYPE_RULES
                ):
                    continue
            ok = False
            break
        if ok:
            kept.append(cand)
            reaching.append(cand)
    return kept


# ----------------------------------------------------------------------------- lexicon


def _lexicon_candidates(view: str) -> Iterator[Candidate]:
    lex = lexicon()
    key, origin = lex.lexicon_key(view)
    for pattern, key_start, key_end in lex.automaton.find_matches_as_indexes(key):
        entry = lex.entries[lex.by_pattern[pattern]]
        start, end = origin[key_start], origin[key_end - 1] + 1
        # a closing mark inside the match brings its opening mark along: “一带一路”建设
        inner = view[start:end]
        if any(q in inner for q in _CLOSE_QUOTES) and start > 0 and view[start - 1] in _OPEN_QUOTES:
            start -= 1
        # …and an opening mark inside brings its closing one: 新时代“枫桥经验”
        if any(q in inner for q in _OPEN_QUOTES) and view[end : end + 1] in _CLOSE_QUOTES:
            end += 1
        start, end = _trim_quotes(view, start, end)
        yield Candidate(
            start,
            end,
            entry.type,
            f"lexicon.{entry.type}",
            _PRIORITY["lexicon"],
            canonical=entry.label,
        )


def _trim_quotes(view: str, start: int, end: int) -> tuple[int, int]:
    """Drop enclosing quotation marks (the label is the name without them).

    A quotation mark is dropped only when its partner is not inside the span, so that
    “一带一路”建设 keeps both of its marks.
    """
    if end - start > 2 and view[start] in _OPEN_QUOTES and view[end - 1] in _CLOSE_QUOTES:
        inner = view[start + 1 : end - 1]
        if not any(q in inner for q in _OPEN_QUOTES + _CLOSE_QUOTES):
            return start + 1, end - 1
    opening_alone = not any(q in view[start + 1 : end] for q in _CLOSE_QUOTES)
    if end - start > 1 and view[start] in _OPEN_QUOTES and opening_alone:
        start += 1
    closing_alone = not any(q in view[start : end - 1] for q in _OPEN_QUOTES)
    if end - start > 1 and view[end - 1] in _CLOSE_QUOTES and closing_alone:
        end -= 1
    return start, end


# ----------------------------------------------------------------------------- patterns


def _rule_candidates(rule: PatternRule, text: str, view: str) -> Iterator[Candidate]:
    if rule.kind == "regex":
        yield from _regex_candidates(rule, view)
    elif rule.kind == "suffix":
        yield from _suffix_candidates(rule, view)
    elif rule.kind == "quoted":
        yield from _quoted_candidates(rule, view)
    elif rule.kind == "list":
        yield from _list_candidates(rule, view)
    elif rule.kind == "header":
        yield from _header_candidates(rule, text, view)


def _regex_candidates(rule: PatternRule, view: str) -> Iterator[Candidate]:
    for match in rule.regex.finditer(view):
        group = "name" if "name" in rule.regex.groupindex else 0
        start, end = match.start(group), match.end(group)
        if start < 0 or end <= start:
            continue
        if rule.extend_place:
            start = extend_place(view, start)
        start, end = _trim_quotes(view, start, end)
        yield Candidate(start, end, rule.type, rule.id, _PRIORITY["regex"])


def extend_place(view: str, start: int, reach: int = 9) -> int:
    """Move ``start`` left over a place name (呼伦贝尔市海拉尔 + 区人民政府), if there is one.

    The place is what stands between the last punctuation, boundary verb or function word
    and ``start``: 我代表北京 + 市人民政府 gives 北京, 我代表 + 区人民政府 gives nothing.
    """
    left = view[max(0, start - reach) : start]
    cut = max((i + 1 for i, ch in enumerate(left) if ch in _STOP or ch in "“”"), default=0)
    left = left[cut:]
    for pattern in (boundaries().words, cue("names.place_stop")):
        last = last_match(pattern, left)
        if last is not None:
            left = left[last.end() :]
    # a chain of units (呼伦贝尔市海拉尔) is a place; a bare name must be a known one
    if _PLACE_CHARS.match(left) and (cue("names.place_chain").search(left) or left in places()):
        return start - len(left)
    for size in range(min(len(left), 5), 1, -1):  # 我代表北京 → 北京
        if left[-size:] in places():
            return start - size
    return start


def left_boundary(view: str, head_start: int, floor: int, reach: int) -> int:
    """Where a name ending in a head word at ``head_start`` begins, scanning left.

    Stops at punctuation, at ``floor`` (the end of the previous name in the clause), at the
    last boundary word, or ``reach`` characters away; a quoted stretch is passed through.
    """
    i = head_start
    lo = max(floor, head_start - reach - 1)
    while i > lo:
        ch = view[i - 1]
        if ch in _CLOSE_QUOTES:
            opening = max(view.rfind(q, lo, i - 1) for q in _OPEN_QUOTES)
            if opening < 0:
                break
            i = opening
            continue
        if ch in _STOP or ch in _OPEN_QUOTES:
            break
        i -= 1
    start = i
    last = last_match(boundaries().words, view, start, head_start)
    if last is not None:  # the name starts after the last boundary word
        start = last.end()
    while start < head_start and view[start] in _LEADING_JUNK:
        start += 1
    return start


def _suffix_candidates(rule: PatternRule, view: str) -> Iterator[Candidate]:
    generic = boundaries().generic_left
    word_end = boundaries().word_end
    previous_end = 0
    for match in rule.regex.finditer(view):
        head_start, head_end = match.start(), match.end()
        if rule.word_end and head_end < len(view) and not word_end.match(view, head_end):
            continue  # the head word runs on into another word (行动 in 行动宣示)
        start = left_boundary(view, head_start, previous_end, rule.max_left)
        if rule.left_stop is not None:
            stop = last_match(rule.left_stop, view, start, head_start)
            start = start if stop is None else stop.end()
        left = view[start:head_start]
        bare = left.strip("“”‘’")
        if len(bare) < rule.min_left or len(left) > rule.max_left or bare in generic:
            continue
        if view[start - 1 : start] == "等" or cue("names.not_a_name").search(bare):
            continue  # 等生态工程 names a category; 37.8亿元的…计划 is an amount
        if boundaries().remedy_left.search(view, max(0, start - 4), start):
            continue  # 防止出现“半拉子”工程: a problem, not a programme
        # a generic word with at most one character more (any(bare.startswith(g) and
        # len(bare) - len(g) < 2 for g in generic), as two set lookups)
        if bare in generic or bare[:-1] in generic:
            continue
        previous_end = head_end
        s, e = _trim_quotes(view, start, head_end if rule.keep_head else head_start)
        yield Candidate(s, e, rule.type, rule.id, _SUFFIX_PRIORITY)


_QUOTATION = re.compile(r"[，。！？；]")


def _quoted_candidates(rule: PatternRule, view: str) -> Iterator[Candidate]:
    triggers = regex("relations.yaml:implements", "triggers")
    remedies = regex("clauses.yaml:remedies", "verbs")
    for match in rule.regex.finditer(view):
        name = match.group("name")
        if _QUOTATION.search(name):
            continue  # a quotation is evidence, not a name
        head = match.group("head")
        after = view[match.end() : match.end() + 8]
        before = view[max(0, match.start() - 30) : match.start()]
        before = re.split(r"[，。；：！？\n]", before)[-1]
        if cue("names.problem_after").match(after) or remedies.search(before[-6:]):
            continue  # a named problem: the problem finder takes it
        if cue("names.other_name_after").match(after):
            continue  # principles and strategies have rules of their own
        if len(name) <= 2 and not cue("names.numeric_slogan").match(name):
            continue
        if cue("names.not_a_slogan").match(name):
            continue
        evidence = bool(head) or bool(cue("names.policy_after").match(after))
        evidence = evidence or bool(triggers.search(before))
        if not evidence:
            continue
        start = match.start()
        end = match.end() if head else match.end("name") + 1
        s, e = _trim_quotes(view, start, end)
        yield Candidate(s, e, rule.type, rule.id, _PRIORITY["quoted"])


def _list_candidates(rule: PatternRule, view: str) -> Iterator[Candidate]:
    for match in rule.regex.finditer(view):
        start = match.start("items")
        items = match.group("items")
        pos = 0
        for piece in _split_items(items):
            offset = items.index(piece, pos)
            pos = offset + len(piece)
            lead = len(piece) - len(piece.lstrip("好"))
            if 2 <= len(piece.strip("“”")) - lead <= 20:
                s, e = _trim_quotes(view, start + offset + lead, start + offset + len(piece))
                yield Candidate(s, e, rule.type, rule.id, _PRIORITY["list"])


def _split_items(items: str) -> list[str]:
    """Split ``A、B及C`` (and adjacent quotations “A”“B”) outside quotation marks."""
    out: list[str] = []
    depth = 0
    current = ""
    for ch in items:
        if depth == 0 and ch in _OPEN_QUOTES and current.endswith(tuple(_CLOSE_QUOTES)):
            out.append(current)
            current = ""
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES:
            depth = max(0, depth - 1)
        if ch in "、及" and depth == 0:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return [p.strip() for p in out if p.strip()]


def _header_candidates(rule: PatternRule, text: str, view: str) -> Iterator[Candidate]:
    for n, para in enumerate(paragraphs(text)):
        if n >= 6:
            break
        match = rule.regex.search(view, para.start, para.end)
        if match:
            role = text[match.start("role") : match.end("role")]
            yield Candidate(
                match.start("name"),
                match.end("name"),
                rule.type,
                rule.id,
                _PRIORITY["header"],
                attrs=(("role", role),),
            )


def _extend_candidates(rule: PatternRule, view: str, found: list[Candidate]) -> Iterator[Candidate]:
    for cand in found:
        if cand.type is not rule.source:
            continue
        match = rule.regex.match(view, cand.end)
        if match and match.end() > cand.end:
            yield replace(
                cand,
                end=match.end(),
                type=rule.type,
                rule=rule.id,
                priority=_PRIORITY["extend"],
                canonical=None,
                attrs=(),
            )
