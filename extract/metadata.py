"""Document metadata from the header: title, date, speaker, meeting.

Reports and speeches open the same way: a title line (or several), a dash line with the date
and the meeting ("——2019年3月4日在…会议上"), and the speaker's role and name.
"""

from __future__ import annotations

from .resources import cue
from .textview import Span, paragraphs


def document_metadata(text: str, view: str, speaker: str | None = None) -> dict[str, str]:
    """Title, date (ISO), meeting and speaker of a document, where its header states them."""
    paras = list(paragraphs(text))[:6]
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
    return out


def _spaced(line: str) -> bool:
    """A title set with spaces between characters (政 府 工 作 报 告)."""
    parts = line.split()
    return len(parts) > 2 and all(len(p) == 1 for p in parts)


def _cut(text: str, span: Span) -> str:
    return text[span.start : span.end].strip()
