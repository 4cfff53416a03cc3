"""The vocabulary: PKG and ontology.ttl define the same terms, each labelled and described."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as rdfns
from rdflib.namespace import FOAF, ORG, OWL, PROV, RDF, RDFS

from policykg.extract import EntityType, RelationType
from policykg.extract.schema import RELATION_SIGNATURES
from policykg.graph import ENTITY_CLASSES, NIF, PKG, PREFIXES, RELATION_PROPERTIES, load_ontology
from policykg.graph.vocab import new_graph

PKG_NS = "https://w3id.org/policykg/vocab#"
DEFINING_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology()


def _terms(namespace: type[rdfns.DefinedNamespace]) -> set[URIRef]:
    return {URIRef(term) for term in dir(namespace)}


def test_pkg_and_ontology_define_the_same_terms(ontology: Graph) -> None:
    defined = {
        s
        for t in DEFINING_TYPES
        for s in ontology.subjects(RDF.type, t)
        if str(s).startswith(PKG_NS)
    }
    mentioned = {s for s in ontology.subjects() if str(s).startswith(PKG_NS)}
    assert _terms(PKG) == defined
    assert mentioned == defined
    assert len(defined) == 36  # 14 classes, 13 object and 9 datatype properties


def test_every_term_has_zh_and_en_labels_and_an_en_comment(ontology: Graph) -> None:
    for term in sorted(_terms(PKG)):
        labels = list(ontology.objects(term, RDFS.label))
        assert sorted(str(lit.language) for lit in labels if isinstance(lit, Literal)) == [
            "en",
            "zh",
        ]
        assert all(str(lit).strip() for lit in labels), term
        comments = [c for c in ontology.objects(term, RDFS.comment) if isinstance(c, Literal)]
        assert [c.language for c in comments] == ["en"], term


def test_ontology_header_and_no_blank_nodes(ontology: Graph) -> None:
    header = URIRef("https://w3id.org/policykg/vocab")
    assert (header, RDF.type, OWL.Ontology) in ontology
    assert not [t for t in ontology if any(isinstance(node, BNode) for node in t)]


def test_ontology_parses_with_oxigraph_too(ontology: Graph) -> None:
    text = ontology.serialize(format="turtle")
    assert len(list(pyoxigraph.parse(text, pyoxigraph.RdfFormat.TURTLE))) == len(ontology)


@pytest.mark.parametrize(
    ("cls", "superclasses"),
    [
        (PKG.Organization, {PKG.Entity, ORG.Organization, PROV.Agent}),
        (PKG.Person, {PKG.Entity, FOAF.Person, PROV.Agent}),
        (PKG.Event, {PKG.Entity, PROV.Activity}),
        (PKG.Task, {PKG.Entity}),
        (PKG.Document, {FOAF.Document, NIF.Context, PROV.Entity}),
        (PKG.Mention, {NIF.Phrase}),
        (PKG.Assertion, {RDF.Statement, PROV.Entity}),
    ],
)
def test_superclasses(ontology: Graph, cls: URIRef, superclasses: set[URIRef]) -> None:
    assert set(ontology.objects(cls, RDFS.subClassOf)) == superclasses


def test_entity_classes_cover_the_schema(ontology: Graph) -> None:
    assert set(ENTITY_CLASSES) == set(EntityType)
    for entity_type, cls in ENTITY_CLASSES.items():
        assert cls == URIRef(PKG_NS + entity_type.value)
        assert (cls, RDFS.subClassOf, PKG.Entity) in ontology


def test_relation_properties_cover_the_schema(ontology: Graph) -> None:
    assert set(RELATION_PROPERTIES) == set(RelationType)
    for rel_type, prop in RELATION_PROPERTIES.items():
        assert prop == URIRef(PKG_NS + rel_type.value)
        assert (prop, RDF.type, OWL.ObjectProperty) in ontology


@pytest.mark.parametrize("rel_type", list(RelationType))
def test_relation_domain_and_range_follow_the_signatures(
    ontology: Graph, rel_type: RelationType
) -> None:
    """A single admitted type is the domain (range); several are pkg:Entity."""
    heads, tails = RELATION_SIGNATURES[rel_type]
    prop = RELATION_PROPERTIES[rel_type]

    def expected(types: frozenset[EntityType]) -> URIRef:
        return ENTITY_CLASSES[next(iter(types))] if len(types) == 1 else PKG.Entity

    assert list(ontology.objects(prop, RDFS.domain)) == [expected(heads)]
    assert list(ontology.objects(prop, RDFS.range)) == [expected(tails)]


def test_unknown_terms_are_errors() -> None:
    with pytest.raises(AttributeError, match="term 'Polcy' not in namespace"):
        _ = PKG.Polcy
    with pytest.raises(AttributeError, match="term 'beginIdx' not in namespace"):
        _ = NIF.beginIdx


def test_namespaces() -> None:
    assert str(PKG) == PKG_NS
    assert str(NIF) == "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
    assert PKG.as_jsonld_context("pkg")["@context"]["hasTarget"] == "pkg:hasTarget"


def test_the_prefixes_are_the_namespaces_of_the_terms() -> None:
    namespaces = {
        "dcterms": rdfns.DCTERMS,
        "foaf": FOAF,
        "nif": NIF,
        "org": ORG,
        "owl": OWL,
        "pkg": PKG,
        "prov": PROV,
        "rdf": RDF,
        "rdfs": RDFS,
        "skos": rdfns.SKOS,
        "xsd": rdfns.XSD,
    }
    assert {prefix: str(ns) for prefix, ns in PREFIXES.items()} == {
        prefix: str(ns) for prefix, ns in namespaces.items()
    }


def test_new_graph_binds_exactly_the_policykg_prefixes() -> None:
    bound = {prefix: str(ns) for prefix, ns in new_graph().namespaces()}
    assert bound == {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    assert sorted(bound) == [
        "dcterms",
        "foaf",
        "nif",
        "org",
        "owl",
        "pkg",
        "prov",
        "rdf",
        "rdfs",
        "skos",
        "xsd",
    ]
