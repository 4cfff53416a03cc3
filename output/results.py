"""Query results and extraction summaries as text for the terminal, CSV, TSV, JSON and XML.

Formats of a :class:`~policykg.graph.QueryResult` (every text ends with a newline):

=========  =====================================  ===================================
kind       ``table``, ``csv`` and ``tsv``         ``json`` and ``xml``
=========  =====================================  ===================================
SELECT     aligned columns / CSV / TSV            SPARQL 1.1 Query Results JSON / XML
ASK        ``true`` or ``false``                  ``{"head": {}, "boolean": true}``
CONSTRUCT  the graph as Turtle                    JSON-LD sorted by @id / Turtle
=========  =====================================  ===================================

Tables measure text by display width (CJK characters take two columns) so that Chinese
labels line up. CSV follows RFC 4180 and the SPARQL 1.1 CSV results format: CRLF line ends,
an unbound value is an empty field. TSV, JSON and XML follow SPARQL 1.1 and keep each
value's term kind (IRI, literal with its datatype or language tag, blank node) from the
:class:`~policykg.graph.Term` values of the rows. :func:`format_graph` writes a CONSTRUCT
graph as Turtle or N-Triples (sorted lines), as ``policykg serve`` sends it.
"""

from __future__ import annotations

import csv
import functools
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
    "GRAPH_FORMATS",
    "display_width",
    "format_csv",
    "format_graph",
    "format_json",
    "format_result",
    "format_summary",
    "format_table",
    "format_tsv",
    "format_xml",
]

#: The ``--format`` names, the default first.
FORMATS: Final = ("table", "csv", "json", "tsv", "xml")
#: The formats of :func:`format_graph`.
GRAPH_FORMATS: Final = ("turtle", "nt")

#: The namespace of SPARQL Query Results XML.
_SPARQL_XML: Final = "http://www.w3.org/2005/sparql-results#"
#: Characters XML 1.0 cannot carry, even escaped: each becomes U+FFFD in XML results.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Escapes of a quoted literal in TSV (Turtle's string escapes).
_TSV_ESCAPES: Final = str.maketrans(
    {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
)

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
    if fmt == "tsv":
        return format_tsv(result)
    if fmt == "xml":
        return format_xml(result)
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
    writer.writerows([_plain(value) for value in row] for row in result.rows)
    return buffer.getvalue()


def format_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: a header of ``?names``, then each value as in Turtle (``<iri>``,
    ``"text"@zh``, ``"5"^^<…#integer>``, ``_:b0``), unbound empty; ASK and CONSTRUCT as
    in a table."""
    if result.kind != "select":
        return _not_rows(result)
    lines = ["\t".join(f"?{var}" for var in result.variables)]
    lines += ["\t".join("" if v is None else _turtle_term(v) for v in row) for row in result.rows]
    return "".join(f"{line}\n" for line in lines)


def format_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML (SELECT, ASK); a CONSTRUCT graph as Turtle.

    Characters XML cannot carry (most control characters) become U+FFFD.
    """
    if result.kind == "construct":
        return _not_rows(result)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sparql xmlns="{_SPARQL_XML}">']
    if result.kind == "ask":
        lines += ["  <head/>", f"  <boolean>{'true' if result.boolean else 'false'}</boolean>"]
    else:
        lines += ["  <head>"]
        lines += [f'    <variable name="{_xml(var)}"/>' for var in result.variables]
        lines += ["  </head>", "  <results>"]
        for row in result.rows:
            lines.append("    <result>")
            for var, value in zip(result.variables, row, strict=True):
                if value is not None:
                    lines.append(f'      <binding name="{_xml(var)}">{_xml_term(value)}</binding>')
            lines.append("    </result>")
        lines += ["  </results>"]
    lines.append("</sparql>")
    return "".join(f"{line}\n" for line in lines)


def format_graph(result: QueryResult, fmt: str = "turtle") -> str:
    """A CONSTRUCT or DESCRIBE graph as Turtle or N-Triples (lines sorted): the same graph
    gives the same text. ValueError for another kind of result or an unknown format."""
    if result.kind != "construct" or result.graph is None:
        raise ValueError(f"a {result.kind.upper()} result is not a graph")
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}: expected one of turtle, nt")
    if not len(result.graph):
        return ""
    if fmt == "turtle":
        return result.graph.serialize(format="turtle").strip() + "\n"
    lines = sorted(line for line in result.graph.serialize(format="nt").splitlines() if line)
    return "".join(f"{line}\n" for line in lines)


def format_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON (SELECT, ASK); JSON-LD for CONSTRUCT.

    A SELECT binding has the ``type`` (``uri``, ``literal``, ``bnode``), ``xml:lang`` and
    ``datatype`` of its :class:`~policykg.graph.Term` (plain strings carry no datatype).
    Unbound variables are left out of their binding.
    """
    if result.kind == "ask":
        return _dumps({"head": {}, "boolean": bool(result.boolean)})
    if result.kind == "construct":
        return _json_ld(result)
    bindings = [
        {
            var: _json_term(value)
            for var, value in zip(result.variables, row, strict=True)
            if value is not None
        }
        for row in result.rows
    ]
    return _dumps({"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}})


def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide and full-width characters 2, combining marks 0.

    ASCII is one column a character; other characters' widths are looked up once each (a
    page of ``evidence`` sentences spent a fifth of its time here, character by character).
    """
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


@functools.cache
def _char_width(ch: str) -> int:
    """One character's terminal columns (see :func:`display_width`)."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


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


def _term(value: str) -> tuple[str, str | None, str | None]:
    """Kind, datatype and language of a row value: a Term's own, else guessed from the text
    (a hand-made QueryResult of plain strings: an absolute IRI is a ``uri``)."""
    kind = getattr(value, "kind", None)
    if kind is None:
        return ("uri" if _IRI.fullmatch(value) else "literal"), None, None
    return kind, getattr(value, "datatype", None), getattr(value, "language", None)


def _json_term(value: str) -> dict[str, str]:
    kind, datatype, language = _term(value)
    term = {"type": kind, "value": str(value)}
    if language:
        term["xml:lang"] = language
    elif datatype:
        term["datatype"] = datatype
    return term


def _turtle_term(value: str) -> str:
    kind, datatype, language = _term(value)
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    quoted = '"' + str(value).translate(_TSV_ESCAPES) + '"'
    if language:
        return f"{quoted}@{language}"
    return f"{quoted}^^<{datatype}>" if datatype else quoted


def _xml(text: str) -> str:
    """Text escaped for XML content and attributes; CR kept as a character reference."""
    text = _NOT_XML.sub("\ufffd", str(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("\r", "&#13;")


def _xml_term(value: str) -> str:
    kind, datatype, language = _term(value)
    if kind in ("uri", "bnode"):
        return f"<{kind}>{_xml(value)}</{kind}>"
    if language:
        return f'<literal xml:lang="{_xml(language)}">{_xml(value)}</literal>'
    if datatype:
        return f'<literal datatype="{_xml(datatype)}">{_xml(value)}</literal>'
    return f"<literal>{_xml(value)}</literal>"


def _plain(value: str | None) -> str:
    """A value as SPARQL CSV writes it: IRIs and literals bare, blank nodes ``_:b0``."""
    if value is None:
        return ""
    return f"_:{value}" if _term(value)[0] == "bnode" else str(value)


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _cell(value: str | None) -> str:
    return _CONTROL.sub(" ", _plain(value))


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return _GAP.join(_pad(cell, width) for cell, width in zip(cells, widths, strict=True)).rstrip()
