"""Read a document of any accepted format into the text that extraction works on.

=========  ==================================================================================
``.txt``   the decoded file (:mod:`policykg.extract.reader`: UTF-8, UTF-16, GB18030, Big5)
``.md``    the decoded file with Markdown's markup taken out (``#`` headings, ``>``, list
           bullets, ``**``/``__``, links and images as their text, code fences)
``.html``  the text of the page (``.htm`` too): scripts, styles, ``<head>`` and comments
           dropped, one line per block element (``<p>``, ``<div>``, ``<li>``, ``<br>``, cells)
``.docx``  the paragraphs of a Word document, tables included (one line per cell), in order
``.pdf``   the text layer of a PDF, page after page, lines the page wrapped joined again
           into their paragraphs; a PDF without a text layer is refused
=========  ==================================================================================

Offsets of mentions and evidence, and the document text in the graph (``nif:isString``),
refer to this extracted text, not to the bytes of the file. Files larger than
``reader.MAX_DOCUMENT_BYTES`` and texts longer than :data:`MAX_DOCUMENT_CHARS` are refused,
so that no input can take unbounded time or memory. Every failure is an
:class:`~policykg.extract.errors.InputError` naming the file.

*Why these libraries:* HTML through lxml's parser (libxml2): Python 3.11.7's
``html.parser`` took 99 s on 200,000 characters of ``<!--`` (quadratic), lxml 1.3 ms; and
lxml is already there for python-docx. PDF through pypdf: the same text as pdfminer.six on
the test files, 2.7 times faster (0.18 s against 0.49 s on a 9-page report), pure Python
without dependencies.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import unicodedata
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from .errors import Errors, InputError
from .reader import decode_bytes, read_bytes

__all__ = [
    "FORMATS",
    "FORMAT_LIST",
    "MAX_DOCUMENT_CHARS",
    "check_format",
    "display_name",
    "document_text",
    "docx_text",
    "html_text",
    "is_document",
    "markdown_text",
    "pdf_text",
    "read_document",
    "reflow",
]

#: Accepted file suffixes (compared case-insensitively) and what each is.
FORMATS: dict[str, str] = {
    ".txt": "plain text",
    ".md": "Markdown",
    ".html": "HTML",
    ".htm": "HTML",
    ".docx": "Word",
    ".pdf": "PDF",
}
#: The accepted suffixes as a message lists them.
FORMAT_LIST = ", ".join(FORMATS)
#: Longest text extracted from one document (about 20 government work reports; spaCy's own
#: ``max_length``): at about 11 µs a character, 11 s and 250 MB of memory.
MAX_DOCUMENT_CHARS = 1_000_000
#: Most bytes the parts of a .docx may unpack to (a zip bomb is refused before it is opened).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024

# pypdf logs warnings about damaged PDFs; without a handler they would reach stderr through
# logging's last resort. An application that configures logging still sees them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())


def display_name(name: str) -> str:
    """``name`` as valid Unicode: the bytes of a file name that are not UTF-8 (which Python
    keeps as lone surrogates) become U+FFFD, so that the name can be written anywhere."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="replace")
    return name


def is_document(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` has one of the accepted suffixes."""
    return Path(path).suffix.lower() in FORMATS


def check_format(path: str | os.PathLike[str]) -> str:
    """The accepted suffix of ``path`` (lower case); E020 names a file of any other kind."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(Errors.E020.format(path=os.fspath(path), formats=FORMAT_LIST))
    return suffix


def read_document(path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """The text of the document at ``path``, by its suffix (see the table above).

    ``encoding`` forces the decoding of ``.txt``, ``.md`` and ``.html`` files; it is ignored
    for ``.docx`` and ``.pdf``, which say their own.
    """
    check_format(path)
    return document_text(read_bytes(path), path, encoding)


def document_text(data: bytes, path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """The text of a document's bytes ``data`` read from ``path`` (whose suffix says the
    format), as :func:`read_document` gives it; for callers that need the bytes too."""
    suffix = check_format(path)
    name = os.fspath(path)
    if not data:
        raise InputError(Errors.E004.format(name=name))
    if suffix == ".docx":
        text = docx_text(data, name)
    elif suffix == ".pdf":
        text = pdf_text(data, name)
    elif suffix in (".html", ".htm"):
        text = html_text(data, name, encoding)
    else:
        text = decode_bytes(data, name, encoding)
        if suffix == ".md":
            text = markdown_text(text)
    if not text.strip():
        raise InputError(Errors.E004.format(name=name))
    if len(text) > MAX_DOCUMENT_CHARS:
        raise InputError(Errors.E022.format(name=name, length=len(text), limit=MAX_DOCUMENT_CHARS))
    return text


# ----------------------------------------------------------------------------- Markdown

#: Block markup at the start of a line: headings, quotes, bullets (not "1." numbering,
#: which Chinese documents use for their own headings).
_MD_LINE_START = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|(?:>[ \t]?)+|[-*+][ \t]+)")
_MD_FENCE = re.compile(r"^[ \t]{0,3}(?:```|~~~)")
_MD_RULE = re.compile(r"^[ \t]{0,3}(?:(?:[-*_][ \t]*){3,}|=+[ \t]*)$")
#: Closing hashes of a heading; tried only where a run of blanks starts, since a try at every
#: blank of a long run would cost the square of its length.
_MD_CLOSING_HASHES = re.compile(r"(?<![ \t])[ \t]+#+[ \t]*$")
_MD_IMAGE_OR_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_MD_EMPHASIS = re.compile(r"\*\*|__|`")


def markdown_text(text: str) -> str:
    """``text`` without Markdown markup: the words a reader of the rendered page sees.

    Line by line, so line ends (CRLF or LF) and the lines themselves stay where they were;
    only markup characters go. Every expression here is linear in the line's length.
    """
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        end = line[len(body) :]
        if _MD_FENCE.match(body) or _MD_RULE.match(body):
            out.append(end)
            continue
        body = _MD_LINE_START.sub("", body)
        body = _MD_CLOSING_HASHES.sub("", body)
        body = _MD_IMAGE_OR_LINK.sub(r"\1", body)
        body = _MD_EMPHASIS.sub("", body)
        out.append(body + end)
    return "".join(out)


# ----------------------------------------------------------------------------- HTML

#: Elements whose content is not text of the page.
_HTML_SKIP = frozenset(
    {"head", "script", "style", "template", "noscript", "title", "iframe", "object", "svg"}
)
#: Elements that start a new line.
# fmt: off
_HTML_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
    "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
})
# fmt: on
#: Elements whose white space is kept as it is.
_HTML_PRE = frozenset({"pre", "textarea", "listing", "plaintext"})
_ASCII_SPACE = re.compile(r"[ \t\n\r\f]+")
#: ``<meta charset=…>`` or ``content="…; charset=…"`` in the first bytes of a page.
_META_CHARSET = re.compile(
    rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]{0,512}\?>")
#: Declared charsets that are followed (others, such as windows-1252, which any bytes
#: "decode" as, are left to detection). gb2312 and gbk pages are read as GB18030, their
#: superset, and Big5 pages as Big5-HKSCS, as browsers do.
_DECLARED = {
    "utf-8": "utf-8",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "cp950": "cp950",
    "big5hkscs": "big5hkscs",
}


def html_text(data: bytes, name: str, encoding: str | None = None) -> str:
    """The text of an HTML page: a BOM, else ``encoding``, else the page's ``<meta>`` charset
    (UTF-8, GB2312/GBK/GB18030 or Big5), else detection as for ``.txt`` decodes it."""
    from lxml import etree

    text = decode_bytes(data, name, encoding or _declared_charset(data))
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses one in a str
    parser = etree.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        root = etree.fromstring(text, parser)
    except (etree.LxmlError, ValueError) as exc:
        raise InputError(Errors.E023.format(name=name, kind="an HTML page", reason=exc)) from None
    fatal = [e.message for e in parser.error_log if e.level_name == "FATAL"]
    if fatal:  # libxml2 gave up (elements nested more than 2,048 deep): text would be lost
        raise InputError(Errors.E023.format(name=name, kind="an HTML page", reason=fatal[0]))
    if root is None:
        return ""
    return _lines(_html_pieces(root))


def _declared_charset(data: bytes) -> str | None:
    """The codec a page declares in its first 2,048 bytes, if it is one we follow."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None  # a byte-order mark wins
    found = _META_CHARSET.search(data[:2048])
    if found is None:
        return None
    declared = found.group(1).decode("ascii").lower()
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        return None
    return _DECLARED.get(declared) or _DECLARED.get(codec)


def _html_pieces(root: Any) -> list[str]:
    """The text pieces of an HTML tree in document order, "\\n" where a block starts or ends."""
    from lxml import etree

    pieces: list[str] = []
    pre = 0
    walk = etree.iterwalk(root, events=("start", "end"))
    for event, element in walk:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if event == "start":
            if tag in _HTML_SKIP:
                walk.skip_subtree()  # its "end" event still comes, with its tail
                continue
            if tag in _HTML_BLOCKS:
                pieces.append("\n")
            if tag in _HTML_PRE:
                pre += 1
            pieces.append(_space(element.text, pre))
        else:
            if tag in _HTML_PRE:
                pre -= 1
            if tag in _HTML_BLOCKS:
                pieces.append("\n")
            if element is not root:
                pieces.append(_space(element.tail, pre))
    return pieces


def _space(text: str | None, pre: int) -> str:
    """HTML white space: runs of ASCII white space are one space, except inside <pre>."""
    if not text:
        return ""
    return text if pre else _ASCII_SPACE.sub(" ", text)


def _lines(pieces: list[str]) -> str:
    """Pieces joined into lines: stripped of ASCII spaces, no empty line, "\\n" after each."""
    lines = (line.strip(" \t\r") for line in "".join(pieces).split("\n"))
    return "".join(line + "\n" for line in lines if line)


# ----------------------------------------------------------------------------- Word


def docx_text(data: bytes, name: str) -> str:
    """The paragraphs of a .docx body in order, each table cell's paragraphs as lines."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        reason = str(exc) or type(exc).__name__
        raise InputError(
            Errors.E023.format(name=name, kind="a Word document", reason=reason)
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        reason = f"it unpacks to {unpacked:,} bytes, more than {MAX_UNPACKED_BYTES:,}"
        raise InputError(Errors.E023.format(name=name, kind="a Word document", reason=reason))
    import docx
    from docx.table import Table

    try:
        document = docx.Document(BytesIO(data))
        lines: list[str] = []
        stack: list[Any] = list(reversed(list(document.iter_inner_content())))
        while stack:  # depth first, without recursion: tables nest in cells
            item = stack.pop()
            if isinstance(item, Table):
                cells = []
                seen: set[int] = set()
                for row in item.rows:
                    for cell in row.cells:
                        if id(cell._tc) not in seen:  # a merged cell is listed once a column
                            seen.add(id(cell._tc))
                            cells.append(cell)
                for cell in reversed(cells):
                    stack.extend(reversed(list(cell.iter_inner_content())))
            else:
                lines.append(item.text)
    except Exception as exc:  # a damaged file can fail anywhere inside python-docx
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            Errors.E023.format(name=name, kind="a Word document", reason=reason)
        ) from None
    return _clean("\n".join(lines) + "\n")


# ----------------------------------------------------------------------------- PDF


def pdf_text(data: bytes, name: str) -> str:
    """The text layer of a PDF, page after page; E024 when no page has any text."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(Errors.E025.format(name=name))
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except FileNotDecryptedError:
        raise InputError(Errors.E025.format(name=name)) from None
    except Exception as exc:  # a damaged file can fail anywhere inside pypdf
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(Errors.E023.format(name=name, kind="a PDF", reason=reason)) from None
    text = _clean("".join(page if page.endswith("\n") else page + "\n" for page in pages))
    if not text.strip():
        raise InputError(Errors.E024.format(name=name))
    return reflow(text)


#: A PDF line at least this share of the widest line's width is a full line...
_FULL_LINE = 0.9
#: ...when the widest is at least this many columns (a CJK character is two).
_MIN_FULL_WIDTH = 40
#: ...and a full line that does not end with one of these runs on into the next line.
_LINE_ENDS = tuple("。！？：；!?:;”’」』）)…")


def reflow(text: str) -> str:
    """Lines a PDF wrapped, joined again into their paragraphs.

    A PDF's text layer breaks a paragraph wherever the page was full; sentences cut in two
    would lose their names and relations (entity F1 0.76 instead of 0.85 on the work report
    in seeds/). A line about as wide as the widest line of the document, that does not end
    with a sentence's or a clause's closing punctuation, runs on into the next one.
    """
    lines = text.split("\n")
    widths = [_width(line.rstrip()) for line in lines]
    widest = max(widths, default=0)
    if widest < _MIN_FULL_WIDTH:
        return text
    out = []
    for line, width, last in zip(lines, widths, range(len(lines) - 1, -1, -1), strict=True):
        out.append(line)
        if last:
            runs_on = width >= _FULL_LINE * widest and not line.rstrip().endswith(_LINE_ENDS)
            out.append("" if runs_on else "\n")
    return "".join(out)


def _width(line: str) -> int:
    """Columns a line takes: two for a wide (CJK) character, one for any other."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _clean(text: str) -> str:
    """Extracted text without the control characters a text file cannot hold (NUL from an
    unmapped glyph, say); a form feed (page break) becomes a line end."""
    if not any(unicodedata.category(ch) == "Cc" for ch in set(text) - {"\t", "\n", "\r"}):
        return text
    return "".join(
        "\n" if ch == "\f" else ch
        for ch in text
        if ch in "\t\n\r\f" or unicodedata.category(ch) != "Cc"
    )
