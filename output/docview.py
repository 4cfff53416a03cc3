"""The document view: a document's text with every entity mention marked in its type's colour.

The markup is that of spaCy's displaCy ``ent`` style (``<div class="entities">`` holding
``<mark class="entity">text<span class="entity-label">TYPE</span></mark>``), coloured with the
palette of the graph page. displaCy itself is not used: its ``ent`` style cannot show
overlapping spans, and a task's mention holds the names it involves. Here marks nest (a span
inside another is marked inside it); a span that crosses the end of an enclosing one is split
in two, its label on the last piece.

Every string of the document (text, names, labels, the title) is HTML-escaped where it lands,
and the page runs no script at all: its Content-Security-Policy allows inline styles only, so
even a mistake here could not run a document's ``<script>`` or load anything from a network.
The same document and mentions give byte-identical pages.
"""

from __future__ import annotations

import hashlib
import html
import re
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Final

import networkx as nx

from policykg.graph import DocumentText, MentionSpan

from .palette import FALLBACK_COLOR, TYPE_COLORS, TYPE_NAMES_ZH

__all__ = [
    "DOCS_FOLDER",
    "MarkedEntity",
    "document_page_path",
    "document_pages",
    "mention_anchor",
    "render_document",
]

#: Folder of the document pages a build writes next to graph.html.
DOCS_FOLDER: Final = "docs"

#: Content-Security-Policy of a document page: no script, no request, inline styles only.
CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_UNSAFE_FILE_CHARS: Final = re.compile(r"[^\w.\-]+")
_TYPE_ORDER: Final = {name: i for i, name in enumerate(TYPE_COLORS)}


@dataclass(frozen=True, slots=True)
class MarkedEntity:
    """What a mark shows of its entity: ``type`` (colour and label) and ``label`` (tooltip)."""

    type: str
    label: str


def document_page_path(name: str) -> str:
    """The page of document ``name``, relative to graph.html: ``docs/<safe name>.html``.

    Characters other than letters (Chinese included), digits, ``.``, ``-`` and ``_`` become
    ``_``; when anything was replaced, 8 hex digits of the name's SHA-1 keep two names apart
    (``a/report.txt`` → ``docs/a_report-1b2c3d4e.html``). The result is safe in any file
    system and in a URL, and never starts with a scheme.
    """
    stem = name[:-4] if name.lower().endswith(".txt") else name
    safe = _UNSAFE_FILE_CHARS.sub("_", stem).strip("._") or "document"
    if safe != stem:
        safe = f"{safe[:80]}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"
    return f"{DOCS_FOLDER}/{safe}.html"


def mention_anchor(start: int, end: int) -> str:
    """The ``id`` of the mark of span ``[start, end)`` in its document page."""
    return f"m{start}-{end}"


def render_document(
    document: DocumentText,
    mentions: Iterable[MentionSpan],
    entities: Mapping[str, MarkedEntity],
    graph_href: str | None = None,
) -> str:
    """The displaCy-style page of ``document`` with ``mentions`` of it marked.

    ``entities`` gives each mentioned entity's type and label (mentions of entities it does
    not name, of other documents, outside the text or whose text differs from the document's
    are left out). With ``graph_href`` (e.g. ``../graph.html``), each label links to the
    entity in the graph page (``graph_href#<entity IRI, percent-encoded>``).
    """
    text = document.text
    spans = [
        m
        for m in mentions
        if m.document == document.name
        and m.entity in entities
        and 0 <= m.start < m.end <= len(text)
        and (not m.text or text[m.start : m.end] == m.text)
    ]
    counts = Counter(entities[m.entity].type for m in spans)
    heading = document.title or document.name
    parts = [
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{_esc(heading)}</title>\n<style>\n{_css()}</style>\n</head>\n<body>\n",
        '<header class="pkg-doc-header">\n',
        f"<h1>{_esc(heading)}</h1>\n",
        f'<p class="pkg-doc-meta">{_esc(document.name)} · {len(text)} 字 characters · '
        f"{len(spans)} 处标注 mentions",
    ]
    if graph_href is not None:
        parts.append(f' · <a href="{_esc(graph_href)}">返回图谱 back to the graph</a>')
    parts.append("</p>\n")
    parts.append(_legend(counts))
    parts.append("</header>\n")
    parts.append('<div class="entities" style="line-height: 2.5; direction: ltr">')
    parts.append(_marked(text, spans, entities, graph_href))
    parts.append("</div>\n</body>\n</html>\n")
    return "".join(parts)


def _marked(
    text: str,
    spans: Sequence[MentionSpan],
    entities: Mapping[str, MarkedEntity],
    graph_href: str | None,
) -> str:
    """``text`` escaped, with one ``<mark>`` per span, nested; crossing spans split."""
    queue = sorted(
        ((m.start, m.end, m, True) for m in spans),
        key=lambda item: (
            item[0],
            -item[1],
            _TYPE_ORDER.get(entities[item[2].entity].type, len(_TYPE_ORDER)),
            item[2].entity,
        ),
    )
    out: list[str] = []
    anchors: set[str] = set()
    stack: list[tuple[int, str]] = []  # (end, closing markup) of the open marks
    pos = 0
    i = 0
    while i < len(queue):
        start, end, mention, first = queue[i]
        i += 1
        while stack and stack[-1][0] <= start:
            pos = _close(out, text, pos, stack.pop())
        if stack and end > stack[-1][0]:  # crosses the end of the enclosing mark: split
            rest = (stack[-1][0], end, mention, False)
            end = stack[-1][0]
            queue.insert(_insertion_point(queue, i, rest), rest)
            last = False
        else:
            last = True
        out.append(_esc(text[pos:start]))
        pos = start
        entity = entities[mention.entity]
        color = TYPE_COLORS.get(entity.type, FALLBACK_COLOR)
        anchor = mention_anchor(mention.start, mention.end)
        id_attr = "" if not first or anchor in anchors else f' id="{anchor}"'
        anchors.add(anchor)
        tip = f"{entity.label} · {entity.type} {TYPE_NAMES_ZH.get(entity.type, '')}".rstrip()
        out.append(
            f'<mark class="entity"{id_attr} data-type="{_esc(entity.type)}" '
            f'style="background: {color}33; border-bottom: 2px solid {color}" '
            f'title="{_esc(tip)}">'
        )
        stack.append((end, _label(entity, mention.entity, color, graph_href) if last else ""))
    while stack:
        pos = _close(out, text, pos, stack.pop())
    out.append(_esc(text[pos:]))
    return "".join(out)


def _insertion_point(
    queue: Sequence[tuple[int, int, MentionSpan, bool]],
    lo: int,
    item: tuple[int, int, MentionSpan, bool],
) -> int:
    """Where the rest of a split span goes in the (start, longest first) order of ``queue``."""
    i = lo
    while i < len(queue) and (queue[i][0], -queue[i][1]) <= (item[0], -item[1]):
        i += 1
    return i


def _close(out: list[str], text: str, pos: int, mark: tuple[int, str]) -> int:
    """Write the text up to the mark's end, its label and ``</mark>``; the new position."""
    end, label = mark
    out.append(_esc(text[pos:end]))
    out.append(label + "</mark>")
    return end


@lru_cache(maxsize=4096)  # an entity is mentioned many times in its document
def _label(entity: MarkedEntity, iri: str, color: str, graph_href: str | None) -> str:
    """displaCy's label chip, linking to the entity in the graph page when there is one."""
    name = _esc(entity.type)
    if graph_href is not None:
        href = f"{graph_href}#{urllib.parse.quote(iri, safe='')}"
        name = f'<a href="{_esc(href)}">{name}</a>'
    return f'<span class="entity-label" style="color: {color}">{name}</span>'


def _legend(counts: Mapping[str, int]) -> str:
    """The colour of each type with its number of mentions in the document."""
    items = []
    for node_type, color in TYPE_COLORS.items():
        if node_type not in counts:
            continue
        items.append(
            f'<span class="pkg-doc-item"><mark class="entity" style="background: {color}33; '
            f'border-bottom: 2px solid {color}">{_esc(node_type)} '
            f"{_esc(TYPE_NAMES_ZH[node_type])}</mark> ({counts[node_type]})</span>"
        )
    for node_type in sorted(set(counts) - set(TYPE_COLORS)):
        items.append(
            f'<span class="pkg-doc-item"><mark class="entity" style="background: '
            f'{FALLBACK_COLOR}33">{_esc(node_type)}</mark> ({counts[node_type]})</span>'
        )
    return '<p class="pkg-doc-legend">' + "\n".join(items) + "</p>\n"


def _esc(value: str) -> str:
    """HTML-escape text for element content and quoted attribute values."""
    return html.escape(value, quote=True)


def _css() -> str:
    """The page's style sheet (``templates/document.css``)."""
    return resources.files(__package__).joinpath("templates/document.css").read_text("utf-8")


def document_pages(
    documents: Iterable[DocumentText],
    mentions: Iterable[MentionSpan],
    view: nx.MultiDiGraph,
    graph_href: str | None = None,
) -> dict[str, tuple[str, str]]:
    """Each document's page: name → (path relative to graph.html, HTML).

    Marks take their type and label from the graph's networkx ``view``; ``graph_href`` is
    passed to :func:`render_document`, seen from the ``docs/`` folder.
    """
    entities = {
        str(node): MarkedEntity(str(attrs.get("type", "")), str(attrs.get("label", "")))
        for node, attrs in view.nodes(data=True)
        if attrs.get("kind") != "document"
    }
    by_document: dict[str, list[MentionSpan]] = {}
    for mention in mentions:
        by_document.setdefault(mention.document, []).append(mention)
    return {
        doc.name: (
            document_page_path(doc.name),
            render_document(doc, by_document.get(doc.name, []), entities, graph_href),
        )
        for doc in documents
    }
