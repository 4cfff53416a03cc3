"""The graph in the formats other tools read: RDF (Turtle, N-Triples, JSON-LD, TriG), graph
files for Gephi and Cytoscape (GraphML, GEXF) and CSV for ``neo4j-admin database import``.

Each function takes a :class:`KnowledgeGraph` and returns text; writing files is the output
stage's business. Every format is deterministic: the same graph gives the same bytes in any
process (rdflib's JSON-LD and TriG writers follow set order, so their output is sorted here).

- JSON-LD: one document with an inline ``@context`` made from the vocabulary
  (:func:`jsonld_context`) and a ``@graph`` of node objects sorted by ``@id``.
- TriG: one named graph per document, named by the document's IRI, holding what that
  document contributed (:func:`document_graphs`); the entities' own descriptions (class,
  labels, typed attributes), which merged documents share, are in the default graph once.
  :func:`standalone_graphs` copies them into each document's graph instead, for stores
  where a document's graph is replaced as a whole (``policykg push``).
- GraphML and GEXF: the networkx view (:meth:`KnowledgeGraph.to_networkx`) with typed
  attributes only (:func:`export_view`).
- CSV: ``nodes.csv`` and ``relationships.csv`` in neo4j-admin's header format
  (:func:`to_neo4j_csv`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter
from networkx.readwrite.graphml import GraphMLWriter
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from .model import KnowledgeGraph
from .vocab import NIF, PKG, PREFIXES, curie, load_ontology, new_graph

__all__ = [
    "ARRAY_DELIMITER",
    "FORMATS",
    "NODE_HEADER",
    "RELATIONSHIP_HEADER",
    "document_graphs",
    "export_view",
    "jsonld_context",
    "standalone_graphs",
    "to_gexf",
    "to_graphml",
    "to_jsonld",
    "to_neo4j_csv",
    "to_ntriples",
    "to_trig",
    "to_turtle",
    "xml_view",
]

#: The export formats, in the order a build writes them.
FORMATS = ("ttl", "nt", "jsonld", "trig", "graphml", "gexf", "csv")

#: How lists (aliases, documents) are joined into one value: neo4j-admin's default array
#: delimiter, used by GraphML and GEXF too. A ";" inside an item becomes "；" (U+FF1B).
ARRAY_DELIMITER = ";"

#: The header of ``nodes.csv`` (neo4j-admin: ``:ID``, ``:LABEL``, typed properties).
NODE_HEADER = (
    "id:ID",
    ":LABEL",
    "label",
    "type",
    "aliases:string[]",
    "documents:string[]",
    "mentions:int",
)
#: The header of ``relationships.csv``.
RELATIONSHIP_HEADER = (
    ":START_ID",
    ":END_ID",
    ":TYPE",
    "evidence",
    "rule",
    "document",
    "evidenceStart:int",
    "evidenceEnd:int",
    "assertion",
)

#: Terms of other vocabularies the graph uses, for the JSON-LD context: name → (IRI, how a
#: value is coerced: "@id", a datatype, "@zh" for a Chinese-tagged literal, or None).
REUSED_TERMS: dict[str, tuple[URIRef, str | None]] = {
    "prefLabel": (SKOS.prefLabel, "@zh"),
    "altLabel": (SKOS.altLabel, "@zh"),
    "identifier": (DCTERMS.identifier, None),
    "title": (DCTERMS.title, "@zh"),
    "date": (DCTERMS.date, str(XSD.date)),
    "anchorOf": (NIF.anchorOf, None),
    "isString": (NIF.isString, None),
    "beginIndex": (NIF.beginIndex, str(XSD.nonNegativeInteger)),
    "endIndex": (NIF.endIndex, str(XSD.nonNegativeInteger)),
    "referenceContext": (NIF.referenceContext, "@id"),
    "wasDerivedFrom": (PROV.wasDerivedFrom, "@id"),
    "subject": (RDF.subject, "@id"),
    "predicate": (RDF.predicate, "@id"),
    "object": (RDF.object, "@id"),
}

#: Characters XML 1.0 cannot hold at all (C0 controls other than tab, newline, return).
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# -- RDF --------------------------------------------------------------------------------------


def to_turtle(graph: KnowledgeGraph) -> str:
    """Turtle, as ``KnowledgeGraph.serialize`` writes it."""
    return graph.serialize("turtle")


def to_ntriples(graph: KnowledgeGraph) -> str:
    """N-Triples, one triple a line, lines sorted."""
    return graph.serialize("nt")


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context of policykg graphs, made from the vocabulary.

    The prefixes of :data:`PREFIXES`; every ``pkg:`` class as a term; every object property
    as a term whose values are IRIs; every datatype property with its range as ``@type``
    (``@language: zh`` for ``rdf:langString``, nothing for ``xsd:string``); and the reused
    terms of :data:`REUSED_TERMS`. A value that does not fit its term's coercion is written
    in full, so the context never changes what a graph says.
    """
    context: dict[str, Any] = {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}
    ontology = load_ontology()
    terms: dict[str, Any] = {}
    for term in sorted(
        (s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(PKG))),
        key=str,
    ):
        name = term[len(str(PKG)) :]
        short = f"pkg:{name}"
        kinds = set(ontology.objects(term, RDF.type))
        if OWL.Class in kinds:
            terms[name] = short
        elif OWL.ObjectProperty in kinds:
            terms[name] = {"@id": short, "@type": "@id"}
        elif OWL.DatatypeProperty in kinds:
            ranges = list(ontology.objects(term, RDFS.range))
            rng = str(ranges[0]) if len(ranges) == 1 else None
            terms[name] = _term(short, "@zh" if rng == str(RDF.langString) else rng)
    for name, (iri, coercion) in REUSED_TERMS.items():
        terms[name] = _term(curie(iri), coercion)
    context.update(sorted(terms.items()))
    return context


def _term(short: str, coercion: str | None) -> dict[str, str]:
    """A term definition: coerced to IRIs, a language, a datatype or nothing."""
    if coercion == "@zh":
        return {"@id": short, "@language": "zh"}
    if coercion is None or coercion == str(XSD.string):
        return {"@id": short}
    return {"@id": short, "@type": coercion if coercion == "@id" else curie(coercion)}


def to_jsonld(graph: KnowledgeGraph) -> str:
    """JSON-LD with the vocabulary's context inline; nodes sorted by ``@id``, values sorted.

    rdflib writes the node objects (compacted with :func:`jsonld_context`); their order, and
    the order of the values of a property, is then made canonical here.
    """
    context = jsonld_context()
    text = graph.rdf.serialize(format="json-ld", context=context, auto_compact=True)
    data = json.loads(text)
    nodes = data.get("@graph", [] if not data or set(data) == {"@context"} else [data])
    if isinstance(nodes, dict):
        nodes = [nodes]
    nodes = [{key: value for key, value in node.items() if key != "@context"} for node in nodes]
    ordered = sorted((_canonical(node) for node in nodes), key=lambda n: str(n.get("@id", "")))
    document = {"@context": context, "@graph": ordered}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _canonical(node: dict[str, Any]) -> dict[str, Any]:
    """A node object with ``@id`` and ``@type`` first, then its keys sorted, lists sorted."""
    keys = sorted(node, key=lambda k: ({"@id": 0, "@type": 1}.get(k, 2), k))
    return {key: _sorted_values(node[key]) for key in keys}


def _sorted_values(value: Any) -> Any:
    if isinstance(value, list):
        return sorted((_sorted_values(v) for v in value), key=_sort_key)
    if isinstance(value, dict):
        return {key: _sorted_values(value[key]) for key in sorted(value)}
    return value


def _sort_key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def document_graphs(graph: KnowledgeGraph) -> dict[URIRef | None, Graph]:
    """The graph split by document: ``None`` is the default graph, each IRI a document's.

    A document's graph holds the document node, its mentions and the entities'
    ``pkg:mention`` links to them, its assertions and the relation triples they restate,
    its merge records and the entities' ``pkg:mentionedIn`` links to it. A relation that
    several documents assert is in each of their graphs. The default graph holds the rest:
    what describes an entity whatever document it came from (class, labels, typed
    attributes). The union of all the graphs is the graph.
    """
    g = graph.rdf
    documents = set(g.subjects(RDF.type, PKG.Document))
    home: dict[Node, URIRef] = {doc: doc for doc in documents if isinstance(doc, URIRef)}
    for prop in (NIF.referenceContext, PROV.wasDerivedFrom):
        for node, doc in sorted(g.subject_objects(prop), key=_key, reverse=True):
            if doc in documents and isinstance(doc, URIRef):
                home[node] = doc  # sorted descending: the smallest document wins
    asserted: dict[tuple[Node, Node, Node], set[URIRef]] = {}
    for node in g.subjects(RDF.type, PKG.Assertion):
        source = home.get(node)
        head = _one(g, node, RDF.subject)
        pred = _one(g, node, RDF.predicate)
        tail = _one(g, node, RDF.object)
        if source is not None and head is not None and pred is not None and tail is not None:
            asserted.setdefault((head, pred, tail), set()).add(source)

    parts: dict[URIRef | None, Graph] = {}

    def part(name: URIRef | None) -> Graph:
        if name not in parts:
            parts[name] = new_graph()
        return parts[name]

    for s, p, o in g:
        if s in home:
            part(home[s]).add((s, p, o))
        elif p == PKG.mentionedIn and o in documents and isinstance(o, URIRef):
            part(o).add((s, p, o))
        elif p == PKG.mention and o in home:
            part(home[o]).add((s, p, o))
        elif (s, p, o) in asserted:
            for doc in asserted[(s, p, o)]:
                part(doc).add((s, p, o))
        else:
            part(None).add((s, p, o))
    return dict(sorted(parts.items(), key=lambda item: "" if item[0] is None else str(item[0])))


def standalone_graphs(graph: KnowledgeGraph) -> dict[URIRef | None, Graph]:
    """The graph split by document, each document's graph complete in itself.

    Each document's graph is its :func:`document_graphs` part plus the descriptions (every
    triple with the entity as subject: class, labels, typed attributes) of the entities
    ``pkg:mentionedIn`` it, so that replacing or dropping one document's graph in a store
    replaces or drops everything that document says, shared descriptions included. A
    description shared by several documents is in each of their graphs. ``None`` holds
    what describes no document's entity (empty, and left out, for a graph ``build_graph``
    made). The union of the graphs is the graph.
    """
    parts = document_graphs(graph)
    shared = parts.pop(None, None)
    rest = new_graph()
    if shared is not None:
        for subject in sorted(set(shared.subjects()), key=_key):
            homes = [
                doc
                for doc in graph.rdf.objects(subject, PKG.mentionedIn)
                if isinstance(doc, URIRef) and doc in parts
            ]
            described = list(shared.triples((subject, None, None)))
            for doc in homes:
                for triple in described:
                    parts[doc].add(triple)
            if not homes:
                for triple in described:
                    rest.add(triple)
    if len(rest):
        parts[None] = rest
    return dict(sorted(parts.items(), key=lambda item: "" if item[0] is None else str(item[0])))


def _one(g: Graph, subject: Node, predicate: URIRef) -> Node | None:
    return min(g.objects(subject, predicate), key=_key, default=None)


def _key(item: Any) -> str:
    return repr(item)


def to_trig(graph: KnowledgeGraph) -> str:
    """TriG: the prefixes, the default graph, then one named graph per document by IRI.

    Each block is written by rdflib's TriG writer from one graph alone (its Turtle order is
    stable); blocks are concatenated in a fixed order under one set of prefixes.
    """
    header = "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in sorted(PREFIXES.items()))
    blocks = [header]
    for name, part in document_graphs(graph).items():
        dataset = Dataset()
        for prefix, ns in PREFIXES.items():
            dataset.bind(prefix, ns, replace=True)
        target = dataset.default_graph if name is None else dataset.graph(name)
        for triple in part:
            target.add(triple)
        with warnings.catch_warnings():  # rdflib 7's TriG writer uses its own deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            text = dataset.serialize(format="trig")
        body = "".join(
            line for line in text.splitlines(keepends=True) if not line.startswith("@prefix ")
        )
        blocks.append(body.strip("\n") + "\n")
    return "\n".join(blocks)


# -- graph files ------------------------------------------------------------------------------


def export_view(graph: KnowledgeGraph) -> nx.MultiDiGraph:
    """The networkx view with typed, flat attributes, in sorted order, for graph files.

    Nodes (keyed by IRI): ``label`` (preferred label; a document's title or name), ``type``
    (entity class or "Document"), ``kind`` ("entity" or "document"), ``aliases`` and
    ``documents`` (joined with :data:`ARRAY_DELIMITER`), ``mentions`` (int: an entity's
    recorded mentions, a document's mention spans). Edges (keyed by assertion IRI, or
    ``"<entity> mentionedIn <document>"``): ``label`` and ``type`` (relation type or
    "mentionedIn"), ``evidence``, ``rule``, ``document`` and, where the evidence's offsets
    are known, ``evidenceStart`` and ``evidenceEnd`` (int).
    """
    g = graph.rdf
    view = graph.to_networkx()
    spans: dict[Node, int] = {}
    for doc in g.objects(None, NIF.referenceContext):
        spans[doc] = spans.get(doc, 0) + 1
    out = nx.MultiDiGraph()
    for iri, data in view.nodes(data=True):
        node = URIRef(iri)
        if data["kind"] == "entity":
            mentions = sum(1 for _ in g.objects(node, PKG.mention))
        else:
            mentions = spans.get(node, 0)
        out.add_node(
            iri,
            label=data["label"],
            type=data["type"],
            kind=data["kind"],
            aliases=_join(data["aliases"]),
            documents=_join(data["documents"]),
            mentions=mentions,
        )
    for head, tail, key, data in view.edges(keys=True, data=True):
        attrs: dict[str, str | int] = {
            "label": data["type"],
            "type": data["type"],
            "evidence": data["evidence"],
            "rule": data["rule"],
            "document": data["document"],
        }
        if data["type"] != "mentionedIn":
            for name, prop in (("evidenceStart", NIF.beginIndex), ("evidenceEnd", NIF.endIndex)):
                value = _one(g, URIRef(key), prop)
                if isinstance(value, Literal) and isinstance(value.value, int):
                    attrs[name] = value.value
        out.add_edge(head, tail, key=key, **attrs)
    return out


def _join(items: Iterable[str]) -> str:
    return ARRAY_DELIMITER.join(item.replace(ARRAY_DELIMITER, "；") for item in items)


def xml_view(graph: KnowledgeGraph) -> nx.MultiDiGraph:
    """:func:`export_view` with text XML can carry: controls XML 1.0 forbids are dropped,
    and a carriage return becomes a line feed (an XML reader turns CRLF into LF anyway)."""
    view = export_view(graph)
    for _, data in view.nodes(data=True):
        _xml_safe(data)
    for _, _, data in view.edges(data=True):
        _xml_safe(data)
    return view


def _xml_safe(data: dict[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = _XML_INVALID.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def to_graphml(graph: KnowledgeGraph) -> str:
    """GraphML (directed, parallel edges kept) with typed keys: see :func:`export_view`.

    Edge ids are the edge keys; yEd, Cytoscape and Gephi read the ``label`` attribute.
    """
    writer = GraphMLWriter(xml_view(graph), encoding="utf-8", prettyprint=True)
    return _xml_text(writer)


def to_gexf(graph: KnowledgeGraph) -> str:
    """GEXF 1.2 for Gephi: the :func:`export_view` attributes, except for edges' ``type``.

    GEXF reserves an edge's ``type`` for directed/undirected, so the relation type is the
    edge's label and its ``relation`` attribute. Edge ids are the edge keys. networkx's
    writer dates the file and names itself; the file says ``policykg`` and has no date, so
    that it is the same on every run.
    """
    view = xml_view(graph)
    gexf = nx.MultiDiGraph()
    gexf.add_nodes_from(view.nodes(data=True))
    for head, tail, key, data in view.edges(keys=True, data=True):
        attrs = {("relation" if name == "type" else name): value for name, value in data.items()}
        gexf.add_edge(head, tail, key=key, id=key, **attrs)
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(gexf)
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = "policykg"
    _drop_edge_attribute(writer, "networkx_key")  # the same as the edge id
    return _xml_text(writer)


def _xml_text(writer: GEXFWriter | GraphMLWriter) -> str:
    """The document a networkx writer built, indented, with Chinese as characters.

    (networkx's own ``str()`` encodes as ASCII: every character a ``&#…;`` reference.)
    """
    writer.indent(writer.xml)
    body = ElementTree.tostring(writer.xml, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body.rstrip("\n") + "\n"


def _drop_edge_attribute(writer: GEXFWriter, title: str) -> None:
    """Remove an edge attribute networkx adds (its declaration and every value)."""
    graph = writer.xml.find("graph")
    if graph is None:
        return
    ids: set[str] = set()
    for attributes in graph.findall("attributes"):
        if attributes.get("class") != "edge":
            continue
        for attribute in attributes.findall("attribute"):
            if attribute.get("title") == title:
                ids.add(attribute.get("id", ""))
                attributes.remove(attribute)
    edges = graph.find("edges")
    for edge in [] if edges is None else edges.findall("edge"):
        for values in edge.findall("attvalues"):
            for value in values.findall("attvalue"):
                if value.get("for") in ids:
                    values.remove(value)


# -- neo4j ------------------------------------------------------------------------------------


def to_neo4j_csv(graph: KnowledgeGraph) -> tuple[str, str]:
    """``nodes.csv`` and ``relationships.csv`` for ``neo4j-admin database import full``.

    Headers :data:`NODE_HEADER` and :data:`RELATIONSHIP_HEADER`; one row per node and per
    edge of :func:`export_view`, in its order. Node labels: ``Entity`` and the entity class,
    or ``Document``; relationship types are the relation types and ``mentionedIn``. Arrays
    use :data:`ARRAY_DELIMITER`, neo4j's default; an empty field is no property. Fields are
    quoted where needed, quotes doubled; evidence can span lines, so import with
    ``--multiline-fields=true``.
    """
    view = export_view(graph)
    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(NODE_HEADER)
    for iri, data in view.nodes(data=True):
        labels = "Document" if data["kind"] == "document" else f"Entity;{data['type']}"
        writer.writerow(
            [
                iri,
                labels,
                data["label"],
                data["type"],
                data["aliases"],
                data["documents"],
                data["mentions"],
            ]
        )
    relationships = io.StringIO()
    writer = csv.writer(relationships, lineterminator="\n")
    writer.writerow(RELATIONSHIP_HEADER)
    for head, tail, key, data in view.edges(keys=True, data=True):
        assertion = "" if data["type"] == "mentionedIn" else key
        writer.writerow(
            [
                head,
                tail,
                data["type"],
                data["evidence"],
                data["rule"],
                data["document"],
                data.get("evidenceStart", ""),
                data.get("evidenceEnd", ""),
                assertion,
            ]
        )
    return nodes.getvalue(), relationships.getvalue()
