"""Extractions in, one knowledge graph out: entities merged across documents, all traced.

Merging: two entities are one node when they have the same type and share a normalised
surface form (label or alias, ``policykg.extract.normalize_label``), transitively
(union-find). The node's preferred label is the label of its earliest member, members being
ordered by (document name, start of the first mention, position in the extraction); so the
result does not depend on the order the extractions are given in. Every other distinct
surface form (labels and aliases, exact strings) is an ``skos:altLabel``. The node's IRI is
minted from its type and preferred label.

What each part becomes (no blank nodes anywhere, so serialisations are stable):

- document: ``pkg:Document`` and ``nif:Context``; ``dcterms:identifier`` its name; when the
  text is known, ``nif:isString`` and ``nif:beginIndex``/``nif:endIndex`` 0..len; metadata
  ``title``/``creator``/``publisher``/``description``/``subject``/``spatial`` (@zh),
  ``meeting`` as ``dcterms:relation`` (@zh), ``date`` (xsd:date when ISO),
  ``source``/``language`` as Dublin Core terms, any other key as ``pkg:attribute
  "key=value"``; ``pkg:deliveredAt`` the Event node of the header's meeting.
- entity: ``pkg:<Type>``, ``skos:prefLabel``/``skos:altLabel`` (@zh), ``pkg:mentionedIn``
  each document, ``pkg:mention`` each mention with known offsets; ``Entity.attributes`` as
  typed literals (``pkg:value`` xsd:decimal, ``pkg:unit``, ``pkg:comparator``, ``pkg:year``
  xsd:gYear, ``pkg:modality``), any other key, or a value not of its datatype, as
  ``pkg:attribute "key=value"``.
- mention: ``pkg:Mention`` with ``nif:beginIndex``, ``nif:endIndex``, ``nif:anchorOf``,
  ``nif:referenceContext`` (the document) and ``pkg:rule``. A span is one node: two entities
  found on the same span share it.
- relation: the direct triple ``head pkg:<type> tail`` and a ``pkg:Assertion`` with
  ``rdf:subject``/``rdf:predicate``/``rdf:object``, ``prov:wasDerivedFrom`` the document,
  ``pkg:evidence`` (@zh), the evidence's ``nif:beginIndex``/``nif:endIndex`` when known and
  ``pkg:rule``. Empty rules and evidence and negative (unknown) offsets are left out.
"""

from __future__ import annotations

import datetime
import itertools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from policykg.extract import Entity, EntityType, Extraction, normalize_label
from policykg.extract.resolve import entity_keys, qualified

from .iris import DEFAULT_BASE, IriMinter
from .model import KnowledgeGraph
from .vocab import ENTITY_CLASSES, NIF, PKG, RELATION_PROPERTIES, new_graph

#: Language tag of labels, titles and quotes.
LANG = "zh"

#: The lexical form of an xsd:date without time zone.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: Document metadata keys written as Dublin Core terms, and whether the value is Chinese text.
METADATA_TERMS: dict[str, tuple[URIRef, bool]] = {
    "title": (DCTERMS.title, True),
    "creator": (DCTERMS.creator, True),
    "publisher": (DCTERMS.publisher, True),
    "description": (DCTERMS.description, True),
    "subject": (DCTERMS.subject, True),
    "spatial": (DCTERMS.spatial, True),
    "meeting": (DCTERMS.relation, True),
    "source": (DCTERMS.source, False),
    "language": (DCTERMS.language, False),
}

#: Rules of merges across documents: a shared normalised form, or a shared resolution key
#: (区人民政府 in one document, 区政府 in another; 市委 and 呼伦贝尔市委 of the same city).
MERGE_SAME_FORM = "graph.merge.same-form"
MERGE_RESOLUTION_KEY = "graph.merge.resolution-key"

#: Entity attribute keys written as properties of their own: property, datatype, lexical form.
ATTRIBUTE_TERMS: dict[str, tuple[URIRef, URIRef, re.Pattern[str]]] = {
    "value": (PKG.value, XSD.decimal, re.compile(r"[0-9]+(?:\.[0-9]+)?")),
    "year": (PKG.year, XSD.gYear, re.compile(r"[0-9]{4}")),
    "unit": (PKG.unit, XSD.string, re.compile(r".+", re.DOTALL)),
    "comparator": (PKG.comparator, XSD.string, re.compile(r"[A-Za-z]+")),
    "modality": (PKG.modality, XSD.string, re.compile(r".+", re.DOTALL)),
    "place": (DCTERMS.spatial, XSD.string, re.compile(r".+", re.DOTALL)),
}


@dataclass(frozen=True, slots=True)
class _Member:
    """One entity of one document, with the key that orders merge members."""

    document: int
    entity: Entity
    order: tuple[str, int, int]


def build_graph(extractions: Iterable[Extraction], base: str = DEFAULT_BASE) -> KnowledgeGraph:
    """The knowledge graph of these extractions, with instance IRIs under ``base``.

    ValueError when ``base`` is not a usable IRI, two extractions share a document name, a
    document repeats an entity id, a label normalises to nothing, or a relation names an
    entity its document does not have.
    """
    minter = IriMinter(base)
    documents = _sorted_documents(extractions)
    members = _members(documents)
    graph = new_graph()

    doc_iris = [minter.document(ext.document) for ext in documents]
    for ext, doc_iri in zip(documents, doc_iris, strict=True):
        _add_document(graph, doc_iri, ext)

    iri_of: dict[tuple[int, str], URIRef] = {}
    for cluster in _clusters(members):
        first = cluster[0].entity
        node = minter.entity(
            first.type, qualified(first.type, first.label, first.attributes.get("place"))
        )
        graph.add((node, RDF.type, ENTITY_CLASSES[first.type]))
        graph.add((node, SKOS.prefLabel, Literal(first.label, lang=LANG)))
        for alt in sorted(_surface_forms(cluster) - {first.label}):
            graph.add((node, SKOS.altLabel, Literal(alt, lang=LANG)))
        for member in cluster:
            iri_of[(member.document, member.entity.id)] = node
            _add_member(
                graph,
                minter,
                node,
                documents[member.document],
                doc_iris[member.document],
                member.entity,
            )
        for member, form, rule in _merges(cluster):
            document = documents[member.document].document
            record = minter.merge(document, node, form)
            graph.add((record, RDF.type, PKG.Merge))
            graph.add((record, PKG.mergedInto, node))
            graph.add((record, PROV.wasDerivedFrom, doc_iris[member.document]))
            graph.add((record, DCTERMS.identifier, Literal(member.entity.id)))
            graph.add((record, PKG.surfaceForm, Literal(form, lang=LANG)))
            graph.add((record, PKG.rule, Literal(rule)))

    for index, ext in enumerate(documents):
        meeting = _meeting_entity(ext)
        if meeting is not None:
            graph.add((doc_iris[index], PKG.deliveredAt, iri_of[(index, meeting)]))
        for rel in ext.relations:
            head = _lookup(iri_of, index, ext, rel.head)
            tail = _lookup(iri_of, index, ext, rel.tail)
            prop = RELATION_PROPERTIES[rel.type]
            start, end = rel.evidence.start, rel.evidence.end
            node = minter.assertion(ext.document, head, rel.type, tail, start, end, rel.rule)
            graph.add((head, prop, tail))
            graph.add((node, RDF.type, PKG.Assertion))
            graph.add((node, RDF.subject, head))
            graph.add((node, RDF.predicate, prop))
            graph.add((node, RDF.object, tail))
            graph.add((node, PROV.wasDerivedFrom, doc_iris[index]))
            if rel.evidence.text:
                graph.add((node, PKG.evidence, Literal(rel.evidence.text, lang=LANG)))
            if 0 <= start <= end:
                _add_span(graph, node, start, end)
            if rel.rule:
                graph.add((node, PKG.rule, Literal(rel.rule)))
    return KnowledgeGraph(graph)


def _meeting_entity(ext: Extraction) -> str | None:
    """The id of the Event the header's meeting names, if the extraction has it."""
    meeting = normalize_label(ext.metadata.get("meeting", ""))
    if not meeting:
        return None
    for ent in ext.entities:
        if ent.type is EntityType.EVENT and meeting in {
            normalize_label(f) for f in [ent.label, *ent.aliases]
        }:
            return ent.id
    return None


def _sorted_documents(extractions: Iterable[Extraction]) -> list[Extraction]:
    """The extractions by document name; ValueError naming a name given twice."""
    documents = sorted(extractions, key=lambda ext: ext.document)
    for before, after in itertools.pairwise(documents):
        if before.document == after.document:
            raise ValueError(f"document {after.document!r} is given more than once")
    return documents


def _members(documents: list[Extraction]) -> list[_Member]:
    """Every entity of every document, with its merge order; checks ids and labels."""
    members: list[_Member] = []
    for index, ext in enumerate(documents):
        seen: set[str] = set()
        for position, ent in enumerate(ext.entities):
            if ent.id in seen:
                raise ValueError(f"{ext.document}: entity id {ent.id!r} is used twice")
            seen.add(ent.id)
            if not normalize_label(ent.label):
                raise ValueError(f"{ext.document}: entity {ent.id!r} has an empty label")
            starts = [m.start for m in ent.mentions if m.start >= 0]
            first = min(starts, default=sys.maxsize)
            members.append(_Member(index, ent, (ext.document, first, position)))
    return members


def _clusters(members: list[_Member]) -> list[list[_Member]]:
    """Members grouped by type and shared normalised surface form, each group in order."""
    parent = list(range(len(members)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, str], int] = {}
    for i, member in enumerate(members):
        ent = member.entity
        for key in sorted(_keys(ent)):
            j = owner.setdefault((ent.type.value, key), i)
            root_i, root_j = find(i), find(j)
            if root_i != root_j:
                parent[max(root_i, root_j)] = min(root_i, root_j)

    groups: dict[int, list[_Member]] = {}
    for i, member in enumerate(members):
        groups.setdefault(find(i), []).append(member)
    return [sorted(group, key=lambda m: m.order) for group in groups.values()]


def _keys(ent: Entity) -> set[str]:
    """The keys that merge an entity across documents (``policykg.extract.entity_keys``)."""
    return entity_keys(ent.type, [ent.label, *ent.aliases], ent.attributes.get("place"))


def _merges(cluster: list[_Member]) -> list[tuple[_Member, str, str]]:
    """Every merge that made the cluster: (member, surface form, rule), in member order.

    Within a document, each alias was merged by the rule the extraction names; across
    documents, each member after the first joined by a shared form or by a resolution key.
    """
    out: list[tuple[_Member, str, str]] = []
    seen_forms: set[str] = set()
    for n, member in enumerate(cluster):
        ent = member.entity
        forms = {normalize_label(f) for f in [ent.label, *ent.aliases]}
        if n > 0:
            rule = MERGE_SAME_FORM if forms & seen_forms else MERGE_RESOLUTION_KEY
            out.append((member, ent.label, rule))
        seen_forms |= forms
        out.extend((member, form, rule) for form, rule in sorted(ent.merged.items()))
    return out


def _surface_forms(cluster: list[_Member]) -> set[str]:
    """All labels and aliases of a group that normalise to something."""
    forms: set[str] = set()
    for member in cluster:
        for form in [member.entity.label, *member.entity.aliases]:
            if normalize_label(form):
                forms.add(form)
    return forms


def _add_document(graph: Graph, node: URIRef, ext: Extraction) -> None:
    graph.add((node, RDF.type, PKG.Document))
    graph.add((node, RDF.type, NIF.Context))
    graph.add((node, DCTERMS.identifier, Literal(ext.document)))
    if ext.text:
        graph.add((node, NIF.isString, Literal(ext.text)))
        _add_span(graph, node, 0, len(ext.text))
    for key, value in sorted(ext.metadata.items()):
        if key == "date":
            graph.add((node, DCTERMS.date, _date(value)))
        elif key in METADATA_TERMS:
            term, chinese = METADATA_TERMS[key]
            graph.add((node, term, Literal(value, lang=LANG if chinese else None)))
        else:
            graph.add((node, PKG.attribute, Literal(f"{key}={value}")))


def _add_member(
    graph: Graph,
    minter: IriMinter,
    node: URIRef,
    ext: Extraction,
    doc_iri: URIRef,
    ent: Entity,
) -> None:
    """What one document says of a merged entity: where it is mentioned, its attributes."""
    graph.add((node, PKG.mentionedIn, doc_iri))
    for key, value in sorted(ent.attributes.items()):
        graph.add(_attribute(node, key, value))
    for mention in ent.mentions:
        if not 0 <= mention.start <= mention.end:
            continue
        span = minter.mention(ext.document, mention.start, mention.end)
        graph.add((node, PKG.mention, span))
        graph.add((span, RDF.type, PKG.Mention))
        _add_span(graph, span, mention.start, mention.end)
        graph.add((span, NIF.anchorOf, Literal(mention.text)))
        graph.add((span, NIF.referenceContext, doc_iri))
        if mention.rule:
            graph.add((span, PKG.rule, Literal(mention.rule)))


def _attribute(node: URIRef, key: str, value: str) -> tuple[URIRef, URIRef, Literal]:
    """The triple of one entity attribute: typed when the key has a term and the value fits."""
    term = ATTRIBUTE_TERMS.get(key)
    if term is not None and term[2].fullmatch(value):
        prop, datatype, _ = term
        return node, prop, Literal(value, datatype=None if datatype == XSD.string else datatype)
    return node, PKG.attribute, Literal(f"{key}={value}")


def _add_span(graph: Graph, node: URIRef, start: int, end: int) -> None:
    graph.add((node, NIF.beginIndex, Literal(start, datatype=XSD.nonNegativeInteger)))
    graph.add((node, NIF.endIndex, Literal(end, datatype=XSD.nonNegativeInteger)))


def _date(value: str) -> Literal:
    """An ISO date as xsd:date, anything else as a plain literal."""
    if not _ISO_DATE.fullmatch(value):  # fromisoformat alone also takes 20220301, 2022-W09-2
        return Literal(value)
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return Literal(value)
    return Literal(value, datatype=XSD.date)


def _lookup(iri_of: dict[tuple[int, str], URIRef], index: int, ext: Extraction, id_: str) -> URIRef:
    try:
        return iri_of[(index, id_)]
    except KeyError:
        raise ValueError(f"{ext.document}: a relation names unknown entity {id_!r}") from None
