"""Query results and extraction summaries as text for the terminal, CSV and JSON.

Formats of a :class:`~policykg.graph.QueryResult` (every text ends with a newline):

=========  =====================================  ===================================
kind       ``table`` and ``csv``                  ``json``
=========  =====================================  ===================================
SELECT     aligned columns / CSV with a header    SPARQL 1.1 Query Results JSON
ASK        ``true`` or ``false``                  ``{"head": {}, "boolean": true}``
CONSTRUCT  the graph as Turtle (both)             the graph as JSON-LD, sorted by @id
=========  =====================================  ===================================

Tables measure text by display width (CJK characters take two columns) so that Chinese
labels line up. CSV follows RFC 4180 and the SPARQL 1.1 CSV results format: CRLF line ends,
an unbound value is an empty field.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from policykg.extract.schema import EntityType, RelationType

if TYPE_CHECKING:
    from policykg.extract import Extraction
    from policykg.graph import QueryResult

__all__ = [
    "FORMATS",
    "display_width",
    "format_csv",
    "format_json",
    "format_result",
    "format_summary",
    "format_table",
]

#: The ``--format`` names, the default first.
FORMATS: Final = ("table", "csv", "json")

#: Columns between two table columns.
_GAP: Final = "  "
#: Line ends, tabs and other control characters: one space each in a table cell.
_CONTROL = re.compile(r"\r\n|[\x00-\x1f\x7f-\x9f]")
#: A value that is an IRI (QueryResult keeps strings only; see :func:`format_json`).
_IRI = re.compile(r"(?:https?|urn|file|ftp|mailto|tag):[^\s<>\"{}|\\^`]+", re.ASCII)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """The result in one of :data:`FORMATS`; ValueError names an unknown format."""
    if fmt == "table":
        return format_table(result)
    if fmt == "csv":
        return format_csv(result)
    if fmt == "json":
        return format_json(result)
    raise ValueError(f"unknown result format {fmt!r}: expected one of {', '.join(FORMATS)}")


def format_table(result: QueryResult) -> str:
    """SELECT rows as aligned columns under a header and a rule; ASK and CONSTRUCT as above."""
    if result.kind != "select":
        return _not_rows(result)
    header = list(result.variables)
    rows = [[_cell(value) for value in row] for row in result.rows]
    widths = [
        max([display_width(header[i])] + [display_width(row[i]) for row in rows])
        for i in range(len(header))
    ]
    lines = [
        _line(header, widths),
        _line(["-" * w for w in widths], widths),
        *(_line(row, widths) for row in rows),
    ]
    return "".join(f"{line}\n" for line in lines) if header else ""


def format_csv(result: QueryResult) -> str:
    """SELECT rows as CSV with a header of variable names; ASK and CONSTRUCT as above."""
    if result.kind != "select":
        return _not_rows(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows(["" if value is None else value for value in row] for row in result.rows)
    return buffer.getvalue()


def format_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON (SELECT, ASK); JSON-LD for CONSTRUCT.

    A SELECT binding's ``type`` is ``uri`` when the value is an absolute IRI of a common
    scheme, else ``literal``: a ``QueryResult`` carries strings only, so datatypes and
    language tags are not available. Unbound variables are left out of their binding.
    """
    if result.kind == "ask":
        return _dumps({"head": {}, "boolean": bool(result.boolean)})
    if result.kind == "construct":
        return _json_ld(result)
    bindings = [
        {
            var: {"type": "uri" if _IRI.fullmatch(value) else "literal", "value": value}
            for var, value in zip(result.variables, row, strict=True)
            if value is not None
        }
        for row in result.rows
    ]
    return _dumps({"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}})


def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide and full-width characters 2, combining marks 0."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def format_summary(extraction: Extraction) -> str:
    """A short account of an extraction: totals, then entities and relations per type.

    Every type of SCHEMA.md is listed, in its order, zeros included, so summaries of two
    documents line up.
    """
    entities = Counter(str(e.type) for e in extraction.entities)
    relations = Counter(str(r.type) for r in extraction.relations)
    rows = [("entity type", "count")]
    rows += [(str(t), str(entities[str(t)])) for t in EntityType]
    rows += [("relation type", "count")]
    rows += [(str(t), str(relations[str(t)])) for t in RelationType]
    name_width = max(display_width(name) for name, _ in rows)
    count_width = max(len(count) for _, count in rows)
    lines = [
        f"{extraction.document}: {len(extraction.entities)} entities, "
        f"{len(extraction.relations)} relations"
    ]
    for name, count in rows:
        if count == "count":
            lines.append("")
        lines.append(f"{_pad(name, name_width)}{_GAP}{count.rjust(count_width)}")
    return "".join(f"{line}\n" for line in lines)


def _not_rows(result: QueryResult) -> str:
    """ASK as true/false, CONSTRUCT as Turtle: the text form of results without rows."""
    if result.kind == "ask":
        return "true\n" if result.boolean else "false\n"
    if result.graph is None or not len(result.graph):
        return ""
    turtle = result.graph.serialize(format="turtle").strip()
    return f"{turtle}\n"


def _json_ld(result: QueryResult) -> str:
    """A CONSTRUCT graph as expanded JSON-LD, nodes sorted by ``@id`` for stable output."""
    if result.graph is None or not len(result.graph):
        return _dumps([])
    nodes: list[dict[str, Any]] = json.loads(result.graph.serialize(format="json-ld"))
    return _dumps(sorted(nodes, key=lambda node: str(node.get("@id", ""))))


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _cell(value: str | None) -> str:
    return "" if value is None else _CONTROL.sub(" ", value)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return _GAP.join(_pad(cell, width) for cell, width in zip(cells, widths, strict=True)).rstrip()
