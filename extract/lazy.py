"""Names of a package imported from their modules when first asked for.

``policykg.extract`` and ``policykg.graph`` export names whose modules load heavy libraries
(spaCy, rdflib, networkx); a package sets its module ``__getattr__`` to :func:`lazy_names`
so that importing it, or one light name of it, loads none of them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_names(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports each name of ``modules`` from
    its (relative) module on first use and keeps it in the package, so later uses are plain
    attribute reads; AttributeError for any other name."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        namespace[name] = value
        return value

    return __getattr__
