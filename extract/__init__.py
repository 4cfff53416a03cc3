"""Extraction stage: Chinese policy text in, typed entities and relations out (no RDF here).

    >>> from policykg.extract import extract_text
    >>> extraction = extract_text("一要慎终如始抓好疫情防控。", "speech.txt")

The spaCy pipeline is imported on first use of an extraction function, so that the model
classes (used by the graph stage and the command line) load without spaCy.
"""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError, Errors, InputError, PolicyKGError, UsageError
from .formats import FORMATS, display_name, read_document
from .model import Entity, Evidence, Extraction, Mention, Relation
from .normalize import normalize_label
from .reader import decode_bytes, read_text, validate_encoding
from .schema import EntityType, RelationType

if TYPE_CHECKING:
    from .pipeline import PIPELINE_VERSION, extract_text, extract_texts, make_nlp

__all__ = [
    "FORMATS",
    "PIPELINE_VERSION",
    "DataError",
    "Entity",
    "EntityType",
    "Errors",
    "Evidence",
    "Extraction",
    "InputError",
    "Mention",
    "PolicyKGError",
    "Relation",
    "RelationType",
    "UsageError",
    "decode_bytes",
    "display_name",
    "extract_file",
    "extract_text",
    "extract_texts",
    "make_nlp",
    "normalize_label",
    "read_document",
    "read_text",
    "validate_encoding",
]

_LAZY = {"PIPELINE_VERSION", "extract_text", "extract_texts", "make_nlp"}


def __getattr__(name: str) -> Any:
    """Load the spaCy pipeline only when one of its names is asked for."""
    if name in _LAZY:
        return getattr(import_module(".pipeline", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def extract_file(path: str | os.PathLike[str], encoding: str | None = None) -> Extraction:
    """Read a document (any accepted format and encoding, or ``encoding``) and extract it;
    named by its file name."""
    from .pipeline import extract_text

    return extract_text(read_document(path, encoding), display_name(Path(path).name))
