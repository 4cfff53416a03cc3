"""Graph stage: extractions in, one RDF graph (rdflib) with a networkx view out.

The names below are imported from their modules when first asked for, so that a query on a
store folder (:mod:`.query`, :mod:`.paging`) loads pyoxigraph without rdflib, networkx or
pyshacl, which take a second or more to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from policykg.extract.lazy import lazy_names

if TYPE_CHECKING:
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

#: The module of each name of ``__all__``.
_MODULES: Final = {
    "build_graph": ".build",
    **dict.fromkeys(("DEFAULT_BASE", "IriMinter", "document_key", "validate_base"), ".iris"),
    **dict.fromkeys(("DocumentText", "KnowledgeGraph", "MentionSpan"), ".model"),
    **dict.fromkeys(
        (
            "NamedQuery",
            "QueryError",
            "QueryRefused",
            "QueryResult",
            "QueryStore",
            "Term",
            "check_query",
            "load_rdf",
            "load_turtle",
            "named_queries",
            "run_query",
            "run_query_rdflib",
            "write_store",
        ),
        ".query",
    ),
    **dict.fromkeys(
        ("ENTITY_CLASSES", "NIF", "PKG", "PREFIXES", "RELATION_PROPERTIES", "load_ontology"),
        ".vocab",
    ),
}


#: Each name of ``__all__`` is imported from its module when first asked for.
__getattr__ = lazy_names(__name__, _MODULES)
