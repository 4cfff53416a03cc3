"""Read a document file into text whose character offsets are those of the file.

Chinese documents come as UTF-8 (with or without a byte-order mark), UTF-16 with a BOM,
GB18030/GBK or Big5, often with CRLF line ends. The text is returned exactly as decoded: only
the BOM is removed, line ends are NOT translated, so every offset an extractor reports indexes
the decoded file. GB18030 and Big5 can both decode the same bytes without error; the one whose
text is mostly common Chinese characters and punctuation (``data/common_chars.txt``) wins,
since the wrong one yields rare characters. ``encoding`` forces one codec instead. Anything
that is not a usable text document (missing, binary, empty, too large, in an encoding we
cannot tell) raises :class:`InputError` with a message naming the file.
"""

from __future__ import annotations

import codecs
import os
import stat
import unicodedata
from pathlib import Path

from .errors import Errors, InputError, UsageError

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "chinese_score",
    "decode_bytes",
    "read_bytes",
    "read_text",
    "validate_encoding",
]

#: Byte-order marks, longest first (the UTF-32-LE mark starts with the UTF-16-LE one).
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
#: Legacy Chinese encodings tried, in this order, on bytes that are not UTF-8 (label, codec).
#: cp950 is Big5 as Windows and most Big5 files write it.
_LEGACY = (("GB18030", "gb18030"), ("Big5", "cp950"))
#: Control characters that do belong in text files.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
#: More control characters than this share of the text: not a text document.
_MAX_CONTROL_SHARE = 0.1
#: A legacy decoding is taken only when at least this share of its non-ASCII characters are
#: common Chinese characters or punctuation: real text scores about 0.9, Big5 read as GB18030
#: (or the reverse), Shift-JIS or Korean about 0.1.
_MIN_COMMON_SHARE = 0.5
#: Files larger than this are refused before they are read (32 MiB; a long report is 100 KB
#: of text, and the limit on the text itself is ``formats.MAX_DOCUMENT_CHARS``).
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024


def read_text(path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """The text of the document at ``path``, decoded by :func:`decode_bytes`.

    A missing file, a directory, a file that is not a regular file or is larger than
    :data:`MAX_DOCUMENT_BYTES`, or an unreadable file raises :class:`InputError` naming it.
    """
    name = os.fspath(path)
    return decode_bytes(read_bytes(path), name, encoding)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the file at ``path``, at most :data:`MAX_DOCUMENT_BYTES` of them.

    Only regular files are read (not a device such as ``/dev/zero`` or a pipe, which could
    never end), and never more than the limit, whatever the file claims its size is.
    """
    name = os.fspath(path)
    file = Path(name)
    try:
        info = file.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(Errors.E002.format(path=name))
        if not stat.S_ISREG(info.st_mode):
            raise InputError(Errors.E026.format(path=name))
        if info.st_size > MAX_DOCUMENT_BYTES:
            raise InputError(
                Errors.E021.format(path=name, size=info.st_size, limit=MAX_DOCUMENT_BYTES)
            )
        with file.open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(Errors.E001.format(path=name)) from None
    except IsADirectoryError:
        raise InputError(Errors.E002.format(path=name)) from None
    except OSError as exc:
        if file.is_dir():  # Windows reports a directory as PermissionError
            raise InputError(Errors.E002.format(path=name)) from None
        reason = exc.strerror or type(exc).__name__
        raise InputError(Errors.E003.format(path=name, reason=reason)) from None
    if len(data) > MAX_DOCUMENT_BYTES:  # it grew while we read it
        raise InputError(Errors.E021.format(path=name, size=len(data), limit=MAX_DOCUMENT_BYTES))
    return data


def validate_encoding(encoding: str) -> str:
    """The codec name of ``encoding`` (``"GBK"`` → ``"gbk"``); :class:`UsageError` (E009) when
    Python has no such text encoding (``"rot13"`` and ``"base64"`` are no text encodings)."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    # bytes.decode refuses the codecs that are not text encodings by this mark
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise UsageError(Errors.E009.format(encoding=encoding))
    return info.name


def decode_bytes(data: bytes, name: str = "<bytes>", encoding: str | None = None) -> str:
    """Decode a document's bytes: BOM, else strict UTF-8, else GB18030 or Big5 if it reads as
    Chinese; with ``encoding``, exactly that codec (a leading BOM is still dropped).

    Line ends are kept as they are and the BOM is dropped, so offsets into the result are
    offsets into the decoded file. ``name`` is only used in error messages.
    """
    if not data:
        raise InputError(Errors.E004.format(name=name))
    if encoding is not None:
        text = _decode_as(data, name, validate_encoding(encoding))
    else:
        decoded = _decode_with_bom(data, name)
        if decoded is None:
            nul = data.find(b"\x00")
            if nul >= 0:
                raise InputError(Errors.E005.format(name=name, detail=f"NUL byte at offset {nul}"))
            decoded = _decode_without_bom(data, name)
        text = decoded
    _check_text(text, name)
    return text


def _decode_as(data: bytes, name: str, codec: str) -> str:
    """``data`` decoded with ``codec``, strictly; E008 names the first bad byte."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            Errors.E008.format(
                name=name, encoding=codec, byte=data[exc.start], offset=exc.start, reason=exc.reason
            )
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _decode_with_bom(data: bytes, name: str) -> str | None:
    """The text after a byte-order mark, or None when the data has no BOM."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    Errors.E007.format(
                        name=name, encoding=label, offset=len(bom) + exc.start, reason=exc.reason
                    )
                ) from None
    return None


def _decode_without_bom(data: bytes, name: str) -> str:
    """Strict UTF-8, else the legacy Chinese decoding that reads most like Chinese text."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    best: tuple[float, str] | None = None
    for _, codec in _LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not text.strip():  # blank text: E004 says it is empty
            return text
        score = chinese_score(text)
        if best is None or score > best[0]:
            best = (score, text)
    if best is not None and best[0] >= _MIN_COMMON_SHARE:
        return best[1]
    offset = utf8_error.start
    raise InputError(Errors.E006.format(name=name, byte=data[offset], offset=offset)) from None


def chinese_score(text: str) -> float:
    """How much ``text`` reads like Chinese: the share of its non-ASCII characters that are
    common Chinese characters or punctuation (0 with control characters in it)."""
    if any(_is_control(ch) for ch in text):
        return 0.0
    from .resources import common_characters  # with the rule tables: PyYAML, Aho-Corasick

    common = common_characters()
    non_ascii = [ch for ch in text if ord(ch) > 0x7F]
    if not non_ascii:
        return 0.0
    return sum(1 for ch in non_ascii if ch in common) / len(non_ascii)


def _check_text(text: str, name: str) -> None:
    """Reject decoded text that is binary (NUL, mostly control characters) or empty."""
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(
            Errors.E005.format(name=name, detail=f"NUL character at character offset {nul}")
        )
    controls = sum(1 for ch in text if _is_control(ch))
    if controls > _MAX_CONTROL_SHARE * len(text):
        detail = f"{controls} of {len(text)} characters are control characters"
        raise InputError(Errors.E005.format(name=name, detail=detail))
    if not text.strip():
        raise InputError(Errors.E004.format(name=name))


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS
