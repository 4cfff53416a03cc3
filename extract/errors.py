"""Coded error messages and the exceptions of policykg, in one place (as in ``spacy/errors.py``).

Raise with the message template of a code, filled in with ``str.format``::

    raise InputError(Errors.E004.format(name=path))

Every message names the bad input and says what to do about it, on one line, so that the CLI
can print it as it is. To add a message, append a new code with the next free number at the end
of its group; never renumber, reuse or delete a code (tests and users grep for them).
"""

from __future__ import annotations

import re

__all__ = ["DataError", "Errors", "InputError", "PolicyKGError", "UsageError"]

_CODE = re.compile(r"E\d{3}")


class Errors:
    """Message templates: the attribute name is the code, and each message starts with it."""

    # -- reading documents (extract/reader.py): E001-E009 --------------------------------------
    E001 = "E001 {path} does not exist; check the path of the document"
    E002 = "E002 {path} is a directory, not a document; give the path of a text file"
    E003 = "E003 cannot read {path}: {reason}; check that the file is readable"
    E004 = "E004 {name} is empty; give a document that contains text"
    E005 = "E005 {name} looks like a binary file ({detail}); give a plain-text document"
    E006 = (
        "E006 cannot decode {name}: byte 0x{byte:02X} at offset {offset} is not UTF-8 and the "
        "file does not read as GB18030/GBK or Big5 Chinese text either; convert the file to "
        "UTF-8 or name its encoding with --encoding"
    )
    E007 = (
        "E007 cannot decode {name}: it starts with a {encoding} byte-order mark but is not valid "
        "{encoding} (byte offset {offset}: {reason}); convert the file to UTF-8"
    )
    E008 = (
        "E008 cannot decode {name} as {encoding}: byte 0x{byte:02X} at offset {offset} "
        "({reason}); give the file's encoding with --encoding, or leave it out to detect it"
    )
    E009 = (
        "E009 unknown text encoding {encoding!r}; give one Python knows, such as utf-8, "
        "utf-16, gb18030, gbk, big5 or big5hkscs"
    )

    # -- gold and predicted annotations (extract/evaluate.py): E010-E019 ---------------------
    E010 = "E010 cannot read annotations {path}: {reason}; give a JSON file as in SCHEMA.md"
    E011 = "E011 {name} is not a JSON object but {kind}; give a JSON file as in SCHEMA.md"
    E012 = (
        "E012 {name} has no 'entities' list; give a JSON object with an 'entities' list "
        "(and optionally a 'relations' list) as in SCHEMA.md"
    )
    E013 = "E013 {name}: {where} must be a list, not {kind}; fix the file as in SCHEMA.md"
    E014 = "E014 {name}: {where} must be a JSON object, not {kind}; fix the file as in SCHEMA.md"
    E015 = (
        "E015 {name}: {where} must be a string or a number, not {kind}; "
        "fix the file as in SCHEMA.md"
    )

    # -- document formats and sizes (extract/formats.py): E020-E029 --------------------------
    E020 = (
        "E020 {path} is not a document format policykg reads; give {formats} files "
        "(or convert it to one)"
    )
    E021 = (
        "E021 {path} is {size:,} bytes, more than the {limit:,} bytes policykg reads from one "
        "document; split it into smaller documents"
    )
    E022 = (
        "E022 {name} holds {length:,} characters of text, more than the {limit:,} policykg "
        "extracts from one document; split it into smaller documents"
    )
    E023 = "E023 cannot read {name} as {kind}: {reason}; check that the file is not damaged"
    E024 = (
        "E024 {name} has no text layer (its pages are images, such as a scan); run OCR on it "
        "first or give the text as a .txt file"
    )
    E025 = "E025 {name} is encrypted; decrypt it first or give the text as a .txt file"
    E026 = "E026 {path} is not a regular file; give the path of a document file"


class PolicyKGError(Exception):
    """Base class of the errors policykg raises on purpose (not bugs)."""

    @property
    def code(self) -> str:
        """The code the message starts with (``"E004"``), or ``""`` for an uncoded message."""
        message = str(self.args[0]) if self.args else ""
        found = _CODE.match(message)
        return found.group() if found else ""


class InputError(PolicyKGError):
    """An input document or annotation file cannot be used; the message says which and why.

    The CLI turns it into a one-line message and exit status 1.
    """


class UsageError(PolicyKGError):
    """The request itself cannot be carried out (an unknown encoding, an output folder inside
    an input folder): the CLI turns it into a one-line message and exit status 2."""


class DataError(PolicyKGError):
    """A packaged data file (lexicon, patterns) is missing or malformed: a bug to report."""
