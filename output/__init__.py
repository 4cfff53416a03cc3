"""Output stage: files, HTML, query results and the command line.

The Python API the ``policykg`` command wraps lives in :mod:`policykg.output.api`; its names
are importable from here as well, loaded on first use so that importing the command line
(``policykg --help``) stays free of spaCy, rdflib, networkx and pyvis::

    >>> from policykg.output import build, query
    >>> result = build(["seeds/"], "out/")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import (
        BuildResult,
        ErrorListing,
        PushResult,
        build,
        evaluate_files,
        extract,
        extract_documents,
        extract_json,
        list_errors,
        list_queries,
        load_graph,
        load_store,
        named_query,
        push,
        query,
        read_query,
        rule_stats,
        serve,
        show,
    )

__all__ = [
    "BuildResult",
    "ErrorListing",
    "PushResult",
    "build",
    "evaluate_files",
    "extract",
    "extract_documents",
    "extract_json",
    "list_errors",
    "list_queries",
    "load_graph",
    "load_store",
    "named_query",
    "push",
    "query",
    "read_query",
    "rule_stats",
    "serve",
    "show",
]


def __getattr__(name: str) -> Any:
    """The API's names, imported from :mod:`policykg.output.api` when first asked for."""
    if name in __all__:
        return getattr(importlib.import_module(".api", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
