"""Document metadata from the header: title, date, speaker, meeting, place.

Reports and speeches open the same way: a title line (or several), a dash line with the date
and the meeting ("——2019年3月4日在…会议上"), and the speaker's role and name, then the
salutation and "我代表…". The place is the longest chain of administrative units the header
names from a known place (北京市, 呼伦贝尔市海拉尔区).
"""

from __future__ import annotations

import re
from functools import cache
from itertools import islice

from .resources import compile_pattern, cue, places
from .textview import Span, paragraphs

#: How far into the document the header's place is looked for.
HEADER_CHARS = 400


def document_metadata(text: str, view: str, speaker: str | None = None) -> dict[str, str]:
    """Title, date (ISO), meeting and speaker of a document, where its header states them."""
    paras = list(islice(paragraphs(text), 6))
    out: dict[str, str] = {}
    title: list[str] = []
    for para in paras:
        piece = view[para.start : para.end]
        if piece.startswith("——") or cue("metadata.sentence_mark").search(piece) or len(piece) > 40:
            break
        title.append(text[para.start : para.end])
    if title:
        out["title"] = "".join(t.replace(" ", "") if _spaced(t) else t for t in title)
    for para in paras:
        piece = view[para.start : para.end]
        if not piece.startswith("——"):
            continue
        date = cue("metadata.date").search(piece)
        if date:
            y, m, d = (int(g) for g in date.groups())
            out["date"] = f"{y:04d}-{m:02d}-{d:02d}"
        meeting = cue("metadata.meeting").search(piece)
        if meeting:
            out["meeting"] = _cut(
                text,
                Span(para.start + meeting.start("meeting"), para.start + meeting.end("meeting")),
            )
        break
    if speaker:
        out["creator"] = speaker
    place = document_place(view[:HEADER_CHARS])
    if place:
        out["spatial"] = place
    return out


@cache
def _place_chain() -> re.Pattern[str]:
    known = "|".join(sorted(places(), key=lambda p: (-len(p), p)))
    return compile_pattern(
        f"(?:{known})(?:自治区|自治州|省|市|州|盟|地区)"
        "(?:(?:(?!人民|政府|代表|委员|常委)[\u4e00-\u9fff]){2,4}?(?:市|区|县|旗))*",
        "metadata place chain",
    )


def document_place(header: str) -> str:
    """The longest place chain the header names ("" when none): 呼伦贝尔市海拉尔区."""
    chains = [m.group() for m in _place_chain().finditer(header)]
    return max(chains, key=len, default="")


def _spaced(line: str) -> bool:
    """A title set with spaces between characters (政 府 工 作 报 告)."""
    parts = line.split()
    return len(parts) > 2 and all(len(p) == 1 for p in parts)


def _cut(text: str, span: Span) -> str:
    return text[span.start : span.end].strip()
