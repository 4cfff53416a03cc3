"""Deterministic, ASCII-safe IRIs for everything the graph stage mints.

The same input always gives the same IRI, in any process, so graphs built on different runs
or machines can be merged and diffed. Minted IRIs hold only ASCII letters, digits and
``._-/`` after the base: no CJK, spaces, ``%`` or brackets, so they need no escaping in
Turtle, SPARQL, HTML or a URL bar.

Layout under the base (``DEFAULT_BASE`` unless configured):

- entity: ``entity/<type lower-case>/<sha1("Type\\x00normalised label")[:12]>``
- document: ``doc/<document key>``, the key being ``<ascii slug of the name>-<sha1(name)[:8]>``
- mention: ``mention/<document key>/<start>-<end>``
- assertion: ``assertion/<document key>/<sha1(head, relation, tail, start, end, rule)[:12]>``
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import URIRef

from policykg.extract import EntityType, RelationType, normalize_label

#: Where instance IRIs live unless the caller says otherwise.
DEFAULT_BASE = "https://w3id.org/policykg/id/"

#: An absolute http(s) IRI of safe ASCII characters that ends in "/" or "#".
_BASE = re.compile(
    r"https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/-]*)?[/#]"
)
#: Characters a document slug keeps; every run of other characters becomes one "_".
_SLUG_DROP = re.compile(r"[^A-Za-z0-9._-]+")
#: Longest slug kept from a document name (the hash keeps longer names apart).
SLUG_MAX = 64


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def validate_base(base: str) -> str:
    """Return ``base`` if it can prefix minted IRIs; ValueError naming it otherwise."""
    if not _BASE.fullmatch(base):
        raise ValueError(
            f"invalid base IRI {base!r}: expected an absolute http(s) IRI of ASCII letters, "
            "digits and ._~-/ that ends in '/' or '#'"
        )
    return base


@lru_cache(maxsize=1 << 14)
def document_key(name: str) -> str:
    """The IRI-safe key of a document: an ASCII slug of its name plus 8 hex of its SHA-1.

    The slug keeps the name recognisable; the hash keeps names that slug alike apart. A name
    with nothing ASCII to keep gets the hash alone.
    """
    slug = _SLUG_DROP.sub("_", name).strip("_")[:SLUG_MAX]
    digest = _sha1(name)[:8]
    return f"{slug}-{digest}" if slug else digest


@dataclass(frozen=True, slots=True)
class IriMinter:
    """Mints the IRIs of one graph under a validated base."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        validate_base(self.base)

    def entity(self, entity_type: EntityType, label: str) -> URIRef:
        """The IRI of the entity of this type whose label normalises like ``label``."""
        digest = _sha1(f"{entity_type.value}\x00{normalize_label(label)}")[:12]
        return URIRef(f"{self.base}entity/{entity_type.value.lower()}/{digest}")

    def document(self, name: str) -> URIRef:
        """The IRI of the document called ``name``."""
        return URIRef(f"{self.base}doc/{document_key(name)}")

    def mention(self, document: str, start: int, end: int) -> URIRef:
        """The IRI of the span ``start:end`` of a document (ValueError on a bad span)."""
        return URIRef(self.mention_iri(document, start, end))

    def mention_iri(self, document: str, start: int, end: int) -> str:
        """:meth:`mention` as a plain string (a corpus mints millions: no rdflib term)."""
        _check_span(start, end)
        return f"{self.base}mention/{document_key(document)}/{start}-{end}"

    def assertion(
        self,
        document: str,
        head: URIRef,
        relation: RelationType,
        tail: URIRef,
        start: int,
        end: int,
        rule: str,
    ) -> URIRef:
        """The IRI of one relation statement read from a document at evidence ``start:end``."""
        return URIRef(self.assertion_iri(document, head, relation, tail, start, end, rule))

    def assertion_iri(
        self,
        document: str,
        head: str,
        relation: RelationType,
        tail: str,
        start: int,
        end: int,
        rule: str,
    ) -> str:
        """:meth:`assertion` as a plain string, of the head's and the tail's IRI strings."""
        parts = (str(head), relation.value, str(tail), str(start), str(end), rule)
        digest = _sha1("\x00".join(parts))[:12]
        return f"{self.base}assertion/{document_key(document)}/{digest}"

    def merge(self, document: str, node: URIRef, form: str) -> URIRef:
        """The IRI of the record that a document's surface form was merged into ``node``."""
        return URIRef(self.merge_iri(document, node, form))

    def merge_iri(self, document: str, node: str, form: str) -> str:
        """:meth:`merge` as a plain string, of the node's IRI string."""
        digest = _sha1(f"{node}\x00{form}")[:12]
        return f"{self.base}merge/{document_key(document)}/{digest}"


def _check_span(start: int, end: int) -> None:
    if not 0 <= start <= end:
        raise ValueError(f"invalid span {start}-{end}: need 0 <= start <= end")
