"""Extraction stage: Chinese policy text in, typed entities and relations out (no RDF here).

    >>> from policykg.extract import extract_text
    >>> extraction = extract_text("一要慎终如始抓好疫情防控。", "speech.txt")
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataError, Errors, InputError, PolicyKGError
from .model import Entity, Evidence, Extraction, Mention, Relation
from .normalize import normalize_label
from .pipeline import PIPELINE_VERSION, extract_text, extract_texts, make_nlp
from .reader import decode_bytes, read_text
from .schema import EntityType, RelationType

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


def extract_file(path: str | os.PathLike[str]) -> Extraction:
    """Read a document (any supported encoding) and extract it; named by its file name."""
    return extract_text(read_text(path), Path(path).name)
