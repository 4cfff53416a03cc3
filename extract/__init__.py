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

from .errors import DataError, Errors, InputError, PolicyKGError
from .model import Entity, Evidence, Extraction, Mention, Relation
from .normalize import normalize_label
from .reader import decode_bytes, read_text
from .schema import EntityType, RelationType

if TYPE_CHECKING:
    from .pipeline import PIPELINE_VERSION, extract_text, extract_texts, make_nlp

__all__ = [
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
    "decode_bytes",
    "extract_file",
    "extract_text",
    "extract_texts",
    "make_nlp",
    "normalize_label",
    "read_text",
]

_LAZY = {"PIPELINE_VERSION", "extract_text", "extract_texts", "make_nlp"}


def __getattr__(name: str) -> Any:
    """Load the spaCy pipeline only when one of its names is asked for."""
    if name in _LAZY:
        return getattr(import_module(".pipeline", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def extract_file(path: str | os.PathLike[str]) -> Extraction:
    """Read a document (any supported encoding) and extract it; named by its file name."""
    from .pipeline import extract_text

    return extract_text(read_text(path), Path(path).name)
