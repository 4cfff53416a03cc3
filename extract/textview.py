"""The matching view of a text, and its paragraphs, sentences and clauses as offset spans.

Rules match on a *view* of the text that has exactly the same length: full-width forms folded
(NFKC, where it maps one character to one), traditional characters folded to simplified ones
(one to one, ``data/traditional.txt``) and known OCR confusions corrected. Any offset found
in the view is therefore an offset into the original text, and labels are always cut from the
original text.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from .resources import ocr_folds, traditional_folds

#: Sentence-final punctuation.
SENTENCE_END = "。！？!?"
#: Punctuation that ends a clause inside a sentence.
CLAUSE_END = "，；：,;:"
_CLOSERS = "”’」』）)"
_SPACE = " \t\u3000\r\n"
#: A quotation longer than this is taken to be unbalanced when splitting clauses.
_MAX_QUOTE = 40


def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def make_view(text: str) -> str:
    """The same-length matching view of ``text`` (NFKC per character, traditional → simplified,
    OCR folds)."""
    view = text.translate(_FOLDS)
    for pattern, replacement in ocr_folds():
        view = pattern.sub(replacement, view)
    assert len(view) == len(text)
    return view


# NFKC maps these full-width forms to ASCII; the view keeps one canonical (CJK) form.
_BACK_TO_CJK = str.maketrans(
    {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
)


class _FoldTable(dict[int, str]):
    """The per-character folds of the view as one ``str.translate`` table, filled in as
    characters are met: NFKC (non-ASCII only), then traditional → simplified, then back to
    CJK punctuation — each one character to one, so one lookup does all three."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if code > 0x7F:
            ch = _fold_char(ch)
        # Rules are written in simplified characters: 關於 is matched as 关于.
        ch = ch.translate(traditional_folds())
        # NFKC turns full-width punctuation into ASCII; keep Chinese punctuation as Chinese
        # so that patterns need to know one form only.
        ch = ch.translate(_BACK_TO_CJK)
        self[code] = ch
        return ch


_FOLDS = _FoldTable()


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch ``[start, end)`` of the text."""

    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


class SpanSet:
    """Spans added one by one, and whether a span overlaps any of them (:meth:`Span.overlaps`).

    A query costs the length of the span asked about, not the number of spans held, so that
    checking each clause of a long document against everything taken so far stays linear.
    """

    __slots__ = ("_covered", "_empty", "_spans")

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        #: 1 where a non-empty span held covers the character
        self._covered = bytearray()
        self._spans: list[Span] = []  # the non-empty ones, for empty queries
        self._empty: list[Span] = []  # empty spans: they overlap a span strictly around them
        for span in spans:
            self.add(span)

    def add(self, span: Span) -> None:
        """Hold ``span`` too."""
        if not len(span):
            self._empty.append(span)
            return
        if span.end > len(self._covered):
            self._covered.extend(bytes(span.end - len(self._covered)))
        self._covered[span.start : span.end] = b"\x01" * len(span)
        self._spans.append(span)

    def overlaps(self, span: Span) -> bool:
        """Whether ``span`` overlaps a span held (exactly as ``any(s.overlaps(span) …)``)."""
        if self._empty and any(e.overlaps(span) for e in self._empty):
            return True
        if span.end > span.start:
            return self._covered.find(1, span.start, span.end) >= 0
        return any(s.overlaps(span) for s in self._spans)


def owner_index(spans: Iterable[tuple[int, Span]]) -> array[int]:
    """For each character, the number paired with the last of ``spans`` that holds it, or -1.

    Built once in the total length of the spans, it answers "which span holds this position"
    in constant time; ask it with :func:`owner_at`.
    """
    spans = list(spans)
    owners: array[int] = array("i", [-1]) * max((span.end for _, span in spans), default=0)
    for number, span in spans:
        owners[span.start : span.end] = array("i", [number]) * len(span)
    return owners


def owner_at(owners: array[int], pos: int) -> int:
    """The owner of ``pos`` in an :func:`owner_index`, or -1."""
    return owners[pos] if 0 <= pos < len(owners) else -1


def last_match(
    pattern: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None
) -> re.Match[str] | None:
    """The last non-overlapping match of ``pattern`` in ``text[pos:endpos]``, if any."""
    found = None
    for found in pattern.finditer(text, pos, len(text) if endpos is None else endpos):  # noqa: B007
        pass
    return found


def strip_span(text: str, start: int, end: int, chars: str = _SPACE) -> Span:
    """``[start, end)`` without leading and trailing ``chars``."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return Span(start, end)


def paragraphs(text: str) -> Iterator[Span]:
    """Non-empty lines, stripped of surrounding white space (CRLF and LF both work)."""
    for match in re.finditer(r"[^\r\n]+", text):
        span = strip_span(text, match.start(), match.end())
        if len(span):
            yield span


def sentences(view: str, span: Span) -> Iterator[Span]:
    """Sentences of a paragraph: up to 。！？ plus closing quotes, stripped."""
    return iter(_sentences(view, span.start, span.end))


@lru_cache(maxsize=1 << 14)
def _sentences(view: str, start: int, stop: int) -> tuple[Span, ...]:
    """:func:`sentences`, kept: every component splits the same paragraphs."""
    out = []
    for end in _SENTENCE_END_RE.finditer(view, start, stop):
        piece = strip_span(view, start, end.end())
        if len(piece):
            out.append(piece)
        start = end.end()
    piece = strip_span(view, start, stop)
    if len(piece):
        out.append(piece)
    return tuple(out)


#: Where a sentence ends: sentence-final punctuation and the closing quotes after it.
_SENTENCE_END_RE = re.compile(f"[{re.escape(SENTENCE_END)}][{re.escape(_CLOSERS)}]*")
_OPENING_QUOTES = "“‘「『"
_CLOSING_QUOTES = "”’」』"


@cache
def _clause_events(ends: str) -> re.Pattern[str]:
    """The characters :func:`clauses` reacts to: quotation marks and ``ends``."""
    return re.compile(f"[{re.escape(_OPENING_QUOTES + _CLOSING_QUOTES + ends)}]")


_QUOTE_MARK = re.compile(f"[{re.escape(_OPENING_QUOTES + _CLOSING_QUOTES)}]")
#: What :func:`clauses` strips from the ends of a clause (``ends`` are among them).
_CLAUSE_STRIP = _SPACE + CLAUSE_END + SENTENCE_END


@cache
def _unquoted_clause(ends: str) -> re.Pattern[str] | None:
    """A clause of a text without quotation marks: a run of characters other than ``ends``,
    stripped of :data:`_CLAUSE_STRIP`; None unless that holds ``ends``."""
    if not set(ends) <= set(_CLAUSE_STRIP):
        return None
    strip, end = re.escape(_CLAUSE_STRIP), re.escape(ends)
    return re.compile(f"[^{strip}](?:[^{end}]*[^{strip}])?")


def clauses(view: str, span: Span, ends: str = CLAUSE_END + SENTENCE_END) -> Iterator[Span]:
    """Clauses of a stretch of text: split at ，；：。！？ outside quotation marks."""
    return iter(_clauses(view, span.start, span.end, ends))


@lru_cache(maxsize=1 << 14)
def _clauses(view: str, start: int, stop: int, ends: str) -> tuple[Span, ...]:
    """:func:`clauses`, kept: problems, targets and relations split the same sentences."""
    unquoted = _unquoted_clause(ends)
    if unquoted is not None and _QUOTE_MARK.search(view, start, stop) is None:
        # most stretches have no quotation marks: one expression finds their clauses
        return tuple(Span(*m.span()) for m in unquoted.finditer(view, start, stop))
    out = []
    depth = 0
    opened = 0
    # only quotation marks and ``ends`` matter; a quotation open for longer than _MAX_QUOTE
    # is dropped at the next of them (nothing in between reads ``depth``)
    for event in _clause_events(ends).finditer(view, start, stop):
        i = event.start()
        ch = view[i]
        if depth and i - opened > _MAX_QUOTE:
            depth = 0  # an unbalanced quotation mark: stop honouring it
        if ch in _OPENING_QUOTES:
            depth += 1
            opened = i
        elif ch in _CLOSING_QUOTES:
            depth = max(0, depth - 1)
        elif depth == 0:  # one of ``ends``
            piece = strip_span(view, start, i, _CLAUSE_STRIP)
            if len(piece):
                out.append(piece)
            start = i + 1
    piece = strip_span(view, start, stop, _CLAUSE_STRIP)
    if len(piece):
        out.append(piece)
    return tuple(out)
