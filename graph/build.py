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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from policykg.extract import Entity, EntityType, Extraction, normalize_label
from policykg.extract.resolve import entity_keys, qualified

from .iris import DEFAULT_BASE, IriMinter
from .model import DocumentText, KnowledgeGraph, MentionSpan
from .terms import Triple, iri, literal
from .turtle import triples_of
from .vocab import ENTITY_CLASSES, NIF, PKG, RELATION_PROPERTIES

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


def _t(node: URIRef) -> str:
    return iri(str(node))


_RDF_TYPE = _t(RDF.type)
_PREF_LABEL = _t(SKOS.prefLabel)
_ALT_LABEL = _t(SKOS.altLabel)
_MENTIONED_IN = _t(PKG.mentionedIn)
_MENTION = _t(PKG.mention)
_MENTION_CLASS = _t(PKG.Mention)
_ANCHOR_OF = _t(NIF.anchorOf)
_REFERENCE_CONTEXT = _t(NIF.referenceContext)
_RULE = _t(PKG.rule)
_MERGE_CLASS = _t(PKG.Merge)
_MERGED_INTO = _t(PKG.mergedInto)
_DERIVED_FROM = _t(PROV.wasDerivedFrom)
_IDENTIFIER = _t(DCTERMS.identifier)
_SURFACE_FORM = _t(PKG.surfaceForm)
_DELIVERED_AT = _t(PKG.deliveredAt)
_ASSERTION_CLASS = _t(PKG.Assertion)
_SUBJECT = _t(RDF.subject)
_PREDICATE = _t(RDF.predicate)
_OBJECT = _t(RDF.object)
_EVIDENCE = _t(PKG.evidence)
_DOCUMENT_CLASS = _t(PKG.Document)
_CONTEXT_CLASS = _t(NIF.Context)
_IS_STRING = _t(NIF.isString)
_ATTRIBUTE = _t(PKG.attribute)
_BEGIN_INDEX = _t(NIF.beginIndex)
_END_INDEX = _t(NIF.endIndex)
_NON_NEGATIVE = str(XSD.nonNegativeInteger)


class _Member(NamedTuple):
    """One entity of one document, with the key that orders merge members (a tuple: a
    corpus has hundreds of thousands, and a frozen dataclass is slow to make)."""

    document: int
    entity: Entity
    order: tuple[str, int, int]


def build_graph(extractions: Iterable[Extraction], base: str = DEFAULT_BASE) -> KnowledgeGraph:
    """The knowledge graph of these extractions, with instance IRIs under ``base``.

    ValueError when ``base`` is not a usable IRI, two extractions share a document name, a
    document repeats an entity id, a label normalises to nothing, or a relation names an
    entity its document does not have.
    """
    plan = GraphPlan(extractions, base)
    triples: set[Triple] = set(plan.shared_triples())
    for index in range(len(plan.documents)):
        part = plan.document_part(index)
        triples |= part.own
        triples |= part.links
    return KnowledgeGraph.from_triples(triples)


@dataclass(frozen=True)
class DocumentPart:
    """What one document contributes to the graph, as N-Triples term strings.

    ``statements`` are the statements of the document alone, grouped by subject (each
    subject's predicate and object pairs; not to be changed): about its own nodes (the
    document, its mentions, assertions and merge records) and its entities' links to them
    (``pkg:mentionedIn`` it, ``pkg:mention`` of its spans); :attr:`own` the same as triples.
    ``links`` are the relation triples it asserts, which other documents may assert too.
    ``mentions`` and ``assertions`` are what the HTML view shows of it.
    """

    name: str
    iri: str
    #: The IRIs of the graph nodes of the document's entities, sorted.
    entities: tuple[str, ...]
    statements: Mapping[str, Set[tuple[str, str]]]
    links: frozenset[Triple]
    text: DocumentText
    mentions: tuple[MentionSpan, ...]
    #: (assertion IRI, head IRI, tail IRI, relation type, evidence, rule), one per assertion.
    assertions: tuple[tuple[str, str, str, str, str, str], ...]

    @cached_property
    def own(self) -> frozenset[Triple]:
        """The document's own statements (:attr:`statements`) as triples."""
        return frozenset(triples_of(self.statements))

    @property
    def own_count(self) -> int:
        """The number of the document's own statements."""
        return sum(map(len, self.statements.values()))


class PartContext(NamedTuple):
    """What one document's part of the graph takes from the merge, as plain data: a part is
    a function of its extraction and this, so that a cache of written parts can be keyed by
    the two, and a worker process that holds the extraction needs only this to make it."""

    #: The base IRI of the graph.
    base: str
    #: The document's IRI.
    document: str
    #: Each entity of the document (by id, in the extraction's order): its node's IRI, type
    #: and preferred label.
    nodes: Mapping[str, tuple[str, str, str]]
    #: The document's merge records: (entity id, surface form, rule, node IRI).
    merges: tuple[tuple[str, str, str, str], ...]


@dataclass(frozen=True)
class PlanNode:
    """A graph node of merged entities: its IRI, type, preferred label and other forms."""

    iri: str
    type: EntityType
    label: str
    aliases: tuple[str, ...]


class GraphPlan:
    """The merge of a set of extractions, from which the graph is written part by part.

    Building the plan is the only step that sees every document at once (entities merge
    across documents); it holds the entities, not their statements. The statements are made
    per document (:meth:`document_part`), so that a corpus graph can be streamed to a file
    one document at a time, and once for the entities (:meth:`shared_triples`).
    """

    def __init__(self, extractions: Iterable[Extraction], base: str = DEFAULT_BASE) -> None:
        self.minter = IriMinter(base)
        self.documents = _sorted_documents(extractions)
        self.doc_iris = [str(self.minter.document(ext.document)) for ext in self.documents]
        self.nodes: list[PlanNode] = []
        self.iri_of: dict[tuple[int, str], str] = {}
        #: Per document index: its members' merge records (member, surface form, rule, node).
        self._merges: dict[int, list[tuple[_Member, str, str, str]]] = {}
        forms = _Forms()
        for cluster in _clusters(_members(self.documents)):
            first = cluster[0].entity
            place = first.attributes.get("place")
            node = str(self.minter.entity(first.type, qualified(first.type, first.label, place)))
            aliases = tuple(sorted(_surface_forms(cluster, forms) - {first.label}))
            self.nodes.append(PlanNode(node, first.type, first.label, aliases))
            for member in cluster:
                self.iri_of[(member.document, member.entity.id)] = node
            for member, form, rule in _merges(cluster, forms):
                self._merges.setdefault(member.document, []).append((member, form, rule, node))
        #: The graph node of each entity IRI.
        self.node_of = {node.iri: node for node in self.nodes}

    def part_context(self, index: int) -> PartContext:
        """What document ``index``'s part takes from the merge (:class:`PartContext`)."""
        ext = self.documents[index]
        nodes = {}
        for ent in ext.entities:
            node = self.node_of[self.iri_of[(index, ent.id)]]
            nodes[ent.id] = (node.iri, node.type.value, node.label)
        merges = tuple(
            (member.entity.id, form, rule, node)
            for member, form, rule, node in self._merges.get(index, [])
        )
        return PartContext(self.minter.base, self.doc_iris[index], nodes, merges)

    def parts(self) -> Iterator[DocumentPart]:
        """Every document's part, in :meth:`document_order`, each extraction let go once its
        part is made (so a corpus is not held twice): the plan streams its parts only once,
        and :meth:`shared_triples` must be taken before."""
        for index in self.document_order():
            part = self.document_part(index)
            self.release(index)
            yield part

    def release(self, index: int) -> None:
        """Let go of document ``index``'s extraction (its part is written): only its name
        and metadata stay; its part can no longer be made."""
        ext = self.documents[index]
        self.documents[index] = Extraction(ext.document, "", [], [], ext.metadata)
        self._merges.pop(index, None)

    def document_order(self) -> list[int]:
        """Document indexes in the order their parts are written (by document IRI)."""
        return sorted(range(len(self.documents)), key=lambda i: self.doc_iris[i])

    def shared_statements(self) -> dict[str, set[tuple[str, str]]]:
        """The statements that describe the entities whatever document they came from (class,
        labels and typed attributes), grouped by subject as the Turtle and N-Triples writers
        take them: a corpus has ~750,000, and a set of triples cost more to make, to group
        for writing and to let go than the groups made at once."""
        out: dict[str, set[tuple[str, str]]] = {}
        classes = {kind: iri(str(term)) for kind, term in ENTITY_CLASSES.items()}
        for node in self.nodes:
            pairs = out.setdefault(iri(node.iri), set())
            pairs.add((_RDF_TYPE, classes[node.type]))
            pairs.add((_PREF_LABEL, literal(node.label, LANG)))
            pairs.update((_ALT_LABEL, literal(alt, LANG)) for alt in node.aliases)
        for index, ext in enumerate(self.documents):
            for ent in ext.entities:
                if ent.attributes:  # most have none
                    pairs = out.setdefault(iri(self.iri_of[(index, ent.id)]), set())
                    pairs.update(_attribute(k, value) for k, value in ent.attributes.items())
        return out

    def shared_triples(self) -> set[Triple]:
        """:meth:`shared_statements` as triples."""
        return set(triples_of(self.shared_statements()))

    def document_part(self, index: int, extraction: Extraction | None = None) -> DocumentPart:
        """The statements and view of document ``index`` (of :attr:`documents`).

        ``extraction`` is the document's whole extraction when the plan was made from its
        summary (its entities, with their earliest mention, and no relations or text: what
        the merge needs)."""
        ext = self.documents[index] if extraction is None else extraction
        return document_part(ext, self.part_context(index))


def document_part(ext: Extraction, context: PartContext) -> DocumentPart:
    """The statements and view of the document of extraction ``ext`` in a graph, given its
    part of the merge (``context``): a function of the two alone, so that a worker process
    that holds the extraction makes the part from the context it is sent."""
    minter = _minter(context.base)
    nodes = context.nodes
    doc = context.document
    doc_term = iri(doc)
    # grouped by subject as they are made: a part's Turtle sorts subjects, not triples
    own: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
    for s, p, o in _document_triples(doc_term, ext):
        own[s].add((p, o))
    links: set[Triple] = set()
    spans: dict[tuple[str, int, int], list[tuple[str, str]]] = {}
    mention_iri = minter.mention_iri
    for ent in ext.entities:
        node = nodes[ent.id][0]
        entity = own[iri(node)]
        entity.add((_MENTIONED_IN, doc_term))
        for mention in ent.mentions:
            start, end = mention.start, mention.end
            if not 0 <= start <= end:
                continue
            span = iri(mention_iri(ext.document, start, end))
            entity.add((_MENTION, span))
            pairs = own[span]
            pairs.add((_RDF_TYPE, _MENTION_CLASS))
            pairs.add((_BEGIN_INDEX, _index(start)))
            pairs.add((_END_INDEX, _index(end)))
            pairs.add((_ANCHOR_OF, literal(mention.text)))
            pairs.add((_REFERENCE_CONTEXT, doc_term))
            if mention.rule:
                pairs.add((_RULE, _plain(mention.rule)))
            spans.setdefault((node, start, end), []).append((mention.text, mention.rule))
    for entity_id, form, rule, node in context.merges:
        record = own[iri(minter.merge_iri(ext.document, node, form))]
        record.add((_RDF_TYPE, _MERGE_CLASS))
        record.add((_MERGED_INTO, iri(node)))
        record.add((_DERIVED_FROM, doc_term))
        record.add((_IDENTIFIER, literal(entity_id)))
        record.add((_SURFACE_FORM, literal(form, LANG)))
        record.add((_RULE, _plain(rule)))
    meeting = _meeting_entity(ext)
    if meeting is not None:
        own[doc_term].add((_DELIVERED_AT, iri(nodes[meeting][0])))
    assertions: dict[str, tuple[str, str, str, str, str, str]] = {}
    for rel in ext.relations:
        head = _lookup(nodes, ext, rel.head)
        tail = _lookup(nodes, ext, rel.tail)
        prop = iri(str(RELATION_PROPERTIES[rel.type]))
        start, end = rel.evidence.start, rel.evidence.end
        node = minter.assertion_iri(ext.document, head, rel.type, tail, start, end, rel.rule)
        links.add((iri(head), prop, iri(tail)))
        pairs = own[iri(node)]
        pairs.add((_RDF_TYPE, _ASSERTION_CLASS))
        pairs.add((_SUBJECT, iri(head)))
        pairs.add((_PREDICATE, prop))
        pairs.add((_OBJECT, iri(tail)))
        pairs.add((_DERIVED_FROM, doc_term))
        if rel.evidence.text:
            pairs.add((_EVIDENCE, literal(rel.evidence.text, LANG)))
        if 0 <= start <= end:
            pairs.add((_BEGIN_INDEX, _index(start)))
            pairs.add((_END_INDEX, _index(end)))
        if rel.rule:
            pairs.add((_RULE, _plain(rel.rule)))
        seen = assertions.get(node)
        fields = (node, head, tail, str(rel.type), rel.evidence.text, rel.rule)
        assertions[node] = fields if seen is None else min(seen, fields)
    mentions = tuple(
        sorted(
            (
                MentionSpan(
                    entity=node,
                    document=ext.document,
                    start=start,
                    end=end,
                    text=min(text for text, _ in found),
                    rule=min((rule for _, rule in found if rule), default=""),
                )
                for (node, start, end), found in spans.items()
            ),
            key=lambda m: (m.start, m.end, m.entity),
        )
    )
    text = DocumentText(doc, ext.document, ext.metadata.get("title", ""), ext.text)
    return DocumentPart(
        ext.document,
        doc,
        tuple(sorted({nodes[ent.id][0] for ent in ext.entities})),
        dict(own),  # a plain dict: looking up a subject it lacks adds nothing
        frozenset(links),
        text,
        mentions,
        tuple(assertions[key] for key in sorted(assertions)),
    )


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
            mentions = ent.mentions
            if len(mentions) == 1:  # a summary keeps only the earliest
                first = mentions[0].start if mentions[0].start >= 0 else sys.maxsize
            else:
                first = min((m.start for m in mentions if m.start >= 0), default=sys.maxsize)
            members.append(_Member(index, ent, (ext.document, first, position)))
    return members


def _clusters(members: list[_Member]) -> list[list[_Member]]:
    """Members grouped by type and shared normalised surface form, each group in order.

    Members of the same forms (type, label and aliases, place) have the same keys, and so
    the same group: the groups are found over the distinct forms (a corpus repeats each
    about 20 times), then the members put in them, the groups in the order of their first
    member.
    """
    number_of: dict[tuple[EntityType, tuple[str, ...], str | None], int] = {}
    numbers: list[int] = []  # each member's forms, by number
    firsts: list[Entity] = []  # each forms' first entity
    for member in members:
        ent = member.entity
        forms = (ent.type, (ent.label, *ent.aliases), ent.attributes.get("place"))
        number = number_of.get(forms)
        if number is None:
            number = number_of[forms] = len(firsts)
            firsts.append(ent)
        numbers.append(number)

    parent = list(range(len(firsts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[EntityType, str], int] = {}
    for i, ent in enumerate(firsts):
        for key in sorted(_keys(ent)):
            j = owner.setdefault((ent.type, key), i)
            root_i, root_j = find(i), find(j)
            if root_i != root_j:
                parent[max(root_i, root_j)] = min(root_i, root_j)

    roots = [find(i) for i in range(len(firsts))]
    groups: dict[int, list[_Member]] = {}
    for member, number in zip(members, numbers, strict=True):
        groups.setdefault(roots[number], []).append(member)
    return [sorted(group, key=_order) for group in groups.values()]


def _order(member: _Member) -> tuple[str, int, int]:
    return member.order


def _keys(ent: Entity) -> set[str]:
    """The keys that merge an entity across documents (``policykg.extract.entity_keys``)."""
    return entity_keys(ent.type, [ent.label, *ent.aliases], ent.attributes.get("place"))


class _Forms:
    """An entity's label and aliases normalised, found once for each distinct set of them
    (a corpus repeats each about 20 times)."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}

    def of(self, ent: Entity) -> tuple[frozenset[str], frozenset[str]]:
        """The normalised forms of ``ent``, and those of its forms that normalise to
        something."""
        forms = (ent.label, *ent.aliases)
        found = self._found.get(forms)
        if found is None:
            normal = {form: normalize_label(form) for form in forms}
            kept = frozenset(form for form, key in normal.items() if key)
            found = self._found[forms] = (frozenset(normal.values()), kept)
        return found


def _merges(cluster: list[_Member], forms: _Forms) -> list[tuple[_Member, str, str]]:
    """Every merge that made the cluster: (member, surface form, rule), in member order.

    Within a document, each alias was merged by the rule the extraction names; across
    documents, each member after the first joined by a shared form or by a resolution key.
    """
    out: list[tuple[_Member, str, str]] = []
    seen_forms: set[str] = set()
    for n, member in enumerate(cluster):
        ent = member.entity
        normal = forms.of(ent)[0]
        if n > 0:
            rule = MERGE_SAME_FORM if not seen_forms.isdisjoint(normal) else MERGE_RESOLUTION_KEY
            out.append((member, ent.label, rule))
        seen_forms |= normal
        if ent.merged:
            out.extend((member, form, rule) for form, rule in sorted(ent.merged.items()))
    return out


def _surface_forms(cluster: list[_Member], forms: _Forms) -> set[str]:
    """All labels and aliases of a group that normalise to something."""
    found: set[str] = set()
    for member in cluster:
        found |= forms.of(member.entity)[1]
    return found


def _document_triples(node: str, ext: Extraction) -> list[Triple]:
    """The document node: classes, name, text and span, metadata as Dublin Core."""
    out = [
        (node, _RDF_TYPE, _DOCUMENT_CLASS),
        (node, _RDF_TYPE, _CONTEXT_CLASS),
        (node, _IDENTIFIER, literal(ext.document)),
    ]
    if ext.text:
        out.append((node, _IS_STRING, literal(ext.text)))
        out.extend(_span(node, 0, len(ext.text)))
    for key, value in sorted(ext.metadata.items()):
        if key == "date":
            out.append((node, iri(str(DCTERMS.date)), _date(value)))
        elif key in METADATA_TERMS:
            prop, chinese = METADATA_TERMS[key]
            out.append((node, iri(str(prop)), literal(value, LANG if chinese else None)))
        else:
            out.append((node, _ATTRIBUTE, literal(f"{key}={value}")))
    return out


def _attribute(key: str, value: str) -> tuple[str, str]:
    """The predicate and object of one entity attribute: typed when the key has a term and
    the value fits."""
    term = ATTRIBUTE_TERMS.get(key)
    if term is not None and term[2].fullmatch(value):
        prop, datatype, _ = term
        dt = None if datatype == XSD.string else str(datatype)
        return iri(str(prop)), literal(value, datatype=dt)
    return _ATTRIBUTE, literal(f"{key}={value}")


def _span(node: str, start: int, end: int) -> tuple[Triple, Triple]:
    return (node, _BEGIN_INDEX, _index(start)), (node, _END_INDEX, _index(end))


@lru_cache(maxsize=16)
def _minter(base: str) -> IriMinter:
    """The IRI minter of ``base`` (validated once)."""
    return IriMinter(base)


@lru_cache(maxsize=1 << 16)
def _index(offset: int) -> str:
    """An offset's literal (offsets recur in every document)."""
    return literal(str(offset), datatype=_NON_NEGATIVE)


@lru_cache(maxsize=1024)
def _plain(text: str) -> str:
    """A plain literal of a short recurring text: a rule id."""
    return literal(text)


def _date(value: str) -> str:
    """An ISO date as xsd:date, anything else as a plain literal."""
    if not _ISO_DATE.fullmatch(value):  # fromisoformat alone also takes 20220301, 2022-W09-2
        return literal(value)
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return literal(value)
    return literal(value, datatype=str(XSD.date))


def _lookup(nodes: Mapping[str, tuple[str, str, str]], ext: Extraction, id_: str) -> str:
    try:
        return nodes[id_][0]
    except KeyError:
        raise ValueError(f"{ext.document}: a relation names unknown entity {id_!r}") from None
