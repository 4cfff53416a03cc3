"""Extraction stage: Chinese policy text in, typed entities and relations out (no RDF here).

    >>> from policykg.extract import extract_text
    >>> extraction = extract_text("一要慎终如始抓好疫情防控。", "speech.txt")

The names below are imported from their modules on first use: the spaCy pipeline with an
extraction function, the readers and the rule tables (PyYAML, Aho-Corasick) with theirs, so
that the model classes and the errors (used by the graph stage and the command line) load
without them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .lazy import lazy_names

if TYPE_CHECKING:
    from .errors import DataError, Errors, InputError, PolicyKGError, UsageError
    from .formats import FORMATS, display_name, read_document
    from .model import Entity, Evidence, Extraction, Mention, Relation
    from .normalize import normalize_label
    from .pipeline import PIPELINE_VERSION, extract_text, extract_texts, make_nlp
    from .reader import decode_bytes, read_text, validate_encoding
    from .schema import EntityType, RelationType

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

#: The module of each name of ``__all__`` but :func:`extract_file`.
_MODULES: Final = {
    **dict.fromkeys(
        ("DataError", "Errors", "InputError", "PolicyKGError", "UsageError"), ".errors"
    ),
    **dict.fromkeys(("FORMATS", "display_name", "read_document"), ".formats"),
    **dict.fromkeys(("Entity", "Evidence", "Extraction", "Mention", "Relation"), ".model"),
    "normalize_label": ".normalize",
    **dict.fromkeys(("PIPELINE_VERSION", "extract_text", "extract_texts", "make_nlp"), ".pipeline"),
    **dict.fromkeys(("decode_bytes", "read_text", "validate_encoding"), ".reader"),
    **dict.fromkeys(("EntityType", "RelationType"), ".schema"),
}


#: Each name of ``__all__`` is imported from its module when first asked for.
__getattr__ = lazy_names(__name__, _MODULES)


def extract_file(path: str | os.PathLike[str], encoding: str | None = None) -> Extraction:
    """Read a document (any accepted format and encoding, or ``encoding``) and extract it;
    named by its file name."""
    from .formats import display_name, read_document
    from .pipeline import extract_text

    return extract_text(read_document(path, encoding), display_name(Path(path).name))
