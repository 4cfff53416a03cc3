"""Read a document file into text whose character offsets are those of the file.

Chinese documents come as UTF-8 (with or without a byte-order mark), UTF-16 with a BOM, or
GB18030/GBK, often with CRLF line ends. The text is returned exactly as decoded: only the BOM
is removed, line ends are NOT translated, so every offset an extractor reports indexes the
decoded file. Anything that is not a usable text document (missing, binary, empty, in an
encoding we cannot tell) raises :class:`InputError` with a message naming the file.
"""

from __future__ import annotations

import codecs
import os
import unicodedata
from pathlib import Path

from .errors import Errors, InputError

__all__ = ["decode_bytes", "read_text"]

#: Byte-order marks, longest first (the UTF-32-LE mark starts with the UTF-16-LE one).
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
#: Control characters that do belong in text files.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
#: More control characters than this share of the text: not a text document.
_MAX_CONTROL_SHARE = 0.1
#: GB18030 is accepted only when at least this share of the non-ASCII characters is in GB2312
#: (the common Chinese characters and punctuation): Shift-JIS or Big5 bytes read as GB18030
#: decode to rare characters instead.
_MIN_GB2312_SHARE = 0.9
#: ...and at least this share of them is CJK ideographs (real Chinese text: about 0.9).
_MIN_IDEOGRAPH_SHARE = 0.5


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of the document at ``path``, decoded by :func:`decode_bytes`.

    A missing file, a directory or an unreadable file raises :class:`InputError` naming it.
    """
    name = os.fspath(path)
    file = Path(name)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(Errors.E001.format(path=name)) from None
    except IsADirectoryError:
        raise InputError(Errors.E002.format(path=name)) from None
    except OSError as exc:
        if file.is_dir():  # Windows reports a directory as PermissionError
            raise InputError(Errors.E002.format(path=name)) from None
        reason = exc.strerror or type(exc).__name__
        raise InputError(Errors.E003.format(path=name, reason=reason)) from None
    return decode_bytes(data, name)


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Decode a document's bytes: BOM, else strict UTF-8, else GB18030 if it reads as Chinese.

    Line ends are kept as they are and the BOM is dropped, so offsets into the result are
    offsets into the decoded file. ``name`` is only used in error messages.
    """
    if not data:
        raise InputError(Errors.E004.format(name=name))
    text = _decode_with_bom(data, name)
    if text is None:
        nul = data.find(b"\x00")
        if nul >= 0:
            raise InputError(Errors.E005.format(name=name, detail=f"NUL byte at offset {nul}"))
        text = _decode_without_bom(data, name)
    _check_text(text, name)
    return text


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
    """Strict UTF-8, else GB18030 when the result is plausibly Chinese, else InputError."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if not text.strip() or _plausibly_chinese(text):  # blank text: E004 says it is empty
            return text
    offset = utf8_error.start
    raise InputError(Errors.E006.format(name=name, byte=data[offset], offset=offset)) from None


def _plausibly_chinese(text: str) -> bool:
    """Whether text decoded as GB18030 reads as Chinese rather than as mojibake.

    No control characters; most non-ASCII characters are common (GB2312) and ideographs.
    """
    if any(_is_control(ch) for ch in text):
        return False
    non_ascii = "".join(ch for ch in text if ord(ch) > 0x7F)
    if not non_ascii:
        return False
    # Python's GB2312 codec has no "?", so each "?" stands for one character outside GB2312.
    uncommon = non_ascii.encode("gb2312", errors="replace").count(b"?")
    ideographs = sum(1 for ch in non_ascii if _is_ideograph(ch))
    n = len(non_ascii)
    return n - uncommon >= _MIN_GB2312_SHARE * n and ideographs >= _MIN_IDEOGRAPH_SHARE * n


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


def _is_ideograph(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
        or 0x3400 <= code <= 0x4DBF  # Extension A
        or 0xF900 <= code <= 0xFAFF  # Compatibility Ideographs
        or 0x20000 <= code <= 0x3FFFF  # Extensions B and later (planes 2 and 3)
    )
