"""Tests of output/querying.py: queries on a graph file or a store folder, split from the API
so that they import no NLP or RDF library (the queries themselves are tested through the
API, which re-exports them, in test_output_api.py and test_output_stores.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from policykg.output import api, querying

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_e07ead4074b87c09.txt"


def test_the_api_re_exports_the_queries() -> None:
    for name in querying.__all__:
        assert getattr(api, name) is getattr(querying, name), name
        assert name in api.__all__


def test_a_query_imports_pyoxigraph_alone(tmp_path: Path) -> None:
    """A SELECT and a named query on a graph file import neither spaCy, rdflib, networkx,
    pyshacl nor the rule tables' libraries; a CONSTRUCT needs rdflib for its graph."""
    (tmp_path / "graph.ttl").write_text(
        '@prefix skos: <http://www.w3.org/2004/02/skos/core#> . <urn:a> skos:prefLabel "甲" .',
        "utf-8",
    )
    heavy = ["spacy", "rdflib", "networkx", "pyshacl", "yaml", "ahocorasick_rs"]
    script = (
        "import json, sys\n"
        "from policykg.output.querying import query, query_named\n"
        f"graph = {str(tmp_path / 'graph.ttl')!r}\n"
        "rows = query(graph, 'SELECT ?l WHERE { ?s skos:prefLabel ?l }').rows\n"
        "named = query_named(graph, 'targets').rows\n"
        f"print(json.dumps([rows, named, sorted(m for m in {heavy!r} if m in sys.modules)]))\n"
        "query(graph, 'CONSTRUCT WHERE { ?s ?p ?o }')\n"
        "print('rdflib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ['[[["\\u7532"]], [], []]', "True"]
