"""The prefixes bound on every graph policykg makes and pre-bound in SPARQL queries, as
plain strings: the query path (Oxigraph) takes them without importing rdflib, and
:data:`policykg.graph.vocab.PREFIXES` makes its namespaces of them."""

from __future__ import annotations

from typing import Final

#: Prefix → namespace IRI.
PREFIX_IRIS: Final = {
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "pkg": "https://w3id.org/policykg/vocab#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
