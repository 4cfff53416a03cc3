"""What an extraction depends on besides its input: the pipeline version and the rule data.

Caches of extractions (``policykg build``'s per-document cache) key on
:func:`pipeline_fingerprint`, so that a cached extraction is never used after the rules
changed. Data files (``extract/data/*``) are hashed, so an edit of a lexicon or a rule file
invalidates the cache by itself; a change of the code that changes what is extracted must
bump :data:`PIPELINE_VERSION`. This module imports no spaCy.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

__all__ = ["DATA_FOLDER", "PIPELINE_VERSION", "pipeline_fingerprint"]

#: Bump when a change of the code (components, rules in Python) changes what is extracted:
#: caches key on it. Changes of ``extract/data/*`` need no bump (they are hashed).
PIPELINE_VERSION = "0.1.0"

#: The rule and character data of the pipeline.
DATA_FOLDER = Path(__file__).resolve().parent / "data"


@cache
def pipeline_fingerprint() -> str:
    """A SHA-256 (hex) of :data:`PIPELINE_VERSION` and every data file (name and bytes),
    computed once per process."""
    digest = hashlib.sha256(b"policykg-pipeline\0" + PIPELINE_VERSION.encode("utf-8") + b"\0")
    for path in sorted(DATA_FOLDER.iterdir()):
        if path.is_file():
            data = path.read_bytes()
            digest.update(f"{path.name}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()
