"""Label normalisation: the key under which labels are compared, merged and scored.

It follows the scoring rules of SCHEMA.md exactly (NFKC, no white space, no quotation marks,
no trailing 。；，、), so that two labels the scorer treats as equal are merged as equal.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

#: Quotation marks removed anywhere in a label (SCHEMA.md scoring rules).
QUOTES = frozenset("“”‘’「」『』\"'《》〈〉")
#: Punctuation removed from the end of a label.
TRAILING = "。；，、;,. "


@lru_cache(maxsize=1 << 16)
def normalize_label(label: str) -> str:
    """The comparison key of a label: NFKC, no white space or quotes, no trailing punctuation.

    Cached: a corpus build normalises the same labels many times over."""
    folded = unicodedata.normalize("NFKC", label)
    kept = "".join(ch for ch in folded if not ch.isspace() and ch not in QUOTES)
    return kept.rstrip(TRAILING)
