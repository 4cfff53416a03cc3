"""Coded error messages and the exceptions of policykg, in one place (as in ``spacy/errors.py``).

Raise with the message template of a code, filled in with ``str.format``::

    raise InputError(Errors.E004.format(name=path))

Every message names the bad input and says what to do about it, on one line, so that the CLI
can print it as it is. To add a message, append a new code with the next free number at the end
of its group; never renumber, reuse or delete a code (tests and users grep for them).
"""

from __future__ import annotations

import re

__all__ = ["DataError", "Errors", "InputError", "PolicyKGError"]

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
        "file is not GB18030/GBK Chinese text either; convert the file to UTF-8"
    )
    E007 = (
        "E007 cannot decode {name}: it starts with a {encoding} byte-order mark but is not valid "
        "{encoding} (byte offset {offset}: {reason}); convert the file to UTF-8"
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


class DataError(PolicyKGError):
    """A packaged data file (lexicon, patterns) is missing or malformed: a bug to report."""
