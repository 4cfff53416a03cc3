"""Graph stage: extractions in, one RDF graph (rdflib) with a networkx view out."""

from .build import build_graph
from .iris import DEFAULT_BASE, IriMinter, document_key, validate_base
from .model import DocumentText, KnowledgeGraph, MentionSpan
from .query import (
    NamedQuery,
    QueryError,
    QueryRefused,
    QueryResult,
    QueryStore,
    Term,
    check_query,
    load_rdf,
    load_turtle,
    named_queries,
    run_query,
    run_query_rdflib,
    write_store,
)
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
    "NamedQuery",
    "QueryError",
    "QueryRefused",
    "QueryResult",
    "QueryStore",
    "Term",
    "build_graph",
    "check_query",
    "document_key",
    "load_ontology",
    "load_rdf",
    "load_turtle",
    "named_queries",
    "run_query",
    "run_query_rdflib",
    "validate_base",
    "write_store",
]
