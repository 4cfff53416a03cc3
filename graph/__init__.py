"""Graph stage: extractions in, one RDF graph (rdflib) with a networkx view out."""
