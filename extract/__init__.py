"""Extraction stage: Chinese policy text in, typed entities and relations out (no RDF here)."""

from .model import Entity, Evidence, Extraction, Mention, Relation
from .normalize import normalize_label
from .schema import EntityType, RelationType

__all__ = [
    "Entity",
    "EntityType",
    "Evidence",
    "Extraction",
    "Mention",
    "Relation",
    "RelationType",
    "normalize_label",
]
