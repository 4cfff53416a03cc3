"""How long the export formats and SHACL validation take on the seeds (and the corpus).

Builds the graph of the seed documents (and of ``../shared/corpus`` if present) with the
real extraction rules, then times, per graph: each export format of ``policykg build
--format``, and ``validate_graph`` as a whole and shape by shape (pyshacl's
``use_shapes``), to show where validation spends its time. Times are CPU seconds of this
process (medians), printed with their ratio to writing Turtle, which ``build`` always did:
the machines here are shared and noisy, so ratios are what count.

Usage: ``python benchmarks/exports.py [--repeat 3] [--no-corpus]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib.namespace import RDF, SH

from policykg.graph import KnowledgeGraph, build_graph
from policykg.graph import exports as ex
from policykg.graph.validate import load_shapes, validate_graph
from policykg.output.api import extract_documents

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus"


def cpu(run: Callable[[], Any], repeat: int) -> float:
    """Median CPU time of ``run`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def measure(name: str, graph: KnowledgeGraph, repeat: int) -> None:
    print(f"\n{name}: {len(graph)} triples")
    runs: dict[str, Callable[[], Any]] = {
        "ttl": lambda: ex.to_turtle(graph),
        "nt": lambda: ex.to_ntriples(graph),
        "jsonld": lambda: ex.to_jsonld(graph),
        "trig": lambda: ex.to_trig(graph),
        "graphml": lambda: ex.to_graphml(graph),
        "gexf": lambda: ex.to_gexf(graph),
        "csv": lambda: ex.to_neo4j_csv(graph),
        "validate": lambda: validate_graph(graph),
    }
    times = {key: cpu(run, repeat) for key, run in runs.items()}
    for key, seconds in times.items():
        print(f"  {key:<10} {seconds:7.2f} s  {seconds / times['ttl']:5.1f} × ttl")
    shapes = load_shapes()
    print("  validation shape by shape (one run each):")
    for shape in sorted(str(s) for s in shapes.subjects(RDF.type, SH.NodeShape)):
        start = time.process_time()
        shacl_validate(
            graph.rdf, shacl_graph=shapes, inference="none", inplace=True, use_shapes=[shape]
        )
        print(f"    {time.process_time() - start:6.2f} s  {shape.split('#')[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-corpus", action="store_true")
    args = parser.parse_args()
    measure("seeds", build_graph(extract_documents([SEEDS])), args.repeat)
    if CORPUS.is_dir() and not args.no_corpus:
        measure("corpus", build_graph(extract_documents([CORPUS])), args.repeat)


if __name__ == "__main__":
    main()
