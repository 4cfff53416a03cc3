"""Graph stage: extractions in, one RDF graph (rdflib) with a networkx view out."""

from .build import build_graph
from .iris import DEFAULT_BASE, IriMinter, document_key, validate_base
from .model import DocumentText, KnowledgeGraph, MentionSpan
from .query import QueryError, QueryResult, load_turtle, run_query
from .vocab import ENTITY_CLASSES, NIF, PKG, PREFIXES, RELATION_PROPERTIES, load_ontology

__all__ = [
    "DEFAULT_BASE",
    "ENTITY_CLASSES",
    "NIF",
    "PKG",
    "PREFIXES",
    "RELATION_PROPERTIES",
    "DocumentText",
    "IriMinter",
    "KnowledgeGraph",
    "MentionSpan",
    "QueryError",
    "QueryResult",
    "build_graph",
    "document_key",
    "load_ontology",
    "load_turtle",
    "run_query",
    "validate_base",
]
