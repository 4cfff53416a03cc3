"""The RDF vocabulary of the graph: the ``pkg:`` terms, the NIF terms used, the prefixes.

``PKG`` lists exactly the terms that ``ontology.ttl`` defines (a test keeps the two in step);
with ``_fail = True`` a mistyped term is an ``AttributeError``, not a new IRI.

This module deliberately has no ``from __future__ import annotations``: rdflib's
``DefinedNamespace.as_jsonld_context`` needs the annotations to be real classes.
"""

import importlib.resources

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DefinedNamespace,
)

from policykg.extract import EntityType, RelationType

from .prefixes import PREFIX_IRIS


class PKG(DefinedNamespace):
    """policykg vocabulary

    Classes and properties of the knowledge graphs that policykg builds from Chinese policy
    texts. Defined in ``ontology.ttl`` next to this module.
    """

    _fail = True

    # http://www.w3.org/2002/07/owl#Class
    Assertion: URIRef  # A reified relation statement as read from one document.
    Document: URIRef  # One source text (foaf:Document, nif:Context); offsets count its chars.
    Entity: URIRef  # Common superclass of the nine entity classes.
    Event: URIRef  # A meeting, congress, plenum, conference or named incident.
    Merge: URIRef  # The record that one document's surface form was merged into a node.
    Mention: URIRef  # One occurrence of an entity in a document (a nif:Phrase).
    Organization: URIRef  # A party or state body, committee or group of units.
    Person: URIRef  # A specific person, named or referred to by a unique role.
    Policy: URIRef  # A named policy, reform, rule, campaign or action plan.
    Principle: URIRef  # A guiding theory, instruction or political formulation.
    Problem: URIRef  # A shortcoming, failure or risk the text states as such.
    Strategy: URIRef  # A named long-term development strategy or initiative.
    Target: URIRef  # A quantified or explicitly stated goal.
    Task: URIRef  # Work the speaker assigns, usually enumerated.

    # http://www.w3.org/2002/07/owl#ObjectProperty
    addresses: URIRef  # Task → Problem: an explicit remedy.
    concerns: URIRef  # Problem → any non-Problem entity the problem is about.
    deliveredAt: URIRef  # Document → the meeting its header names.
    deploys: URIRef  # Organization / Person / Event → Task: assigns the task.
    hasTarget: URIRef  # Task / Event → Target: sets the goal.
    heldBy: URIRef  # Event → Organization: convenes the event.
    implements: URIRef  # Organization / Task / Problem → Strategy / Policy / Principle.
    involves: URIRef  # Task → entity named inside the task's own text.
    mention: URIRef  # Entity → one of its mentions.
    mentionedIn: URIRef  # Entity → each document whose extraction contains it.
    mergedInto: URIRef  # Merge record → the node a surface form was merged into.
    partOf: URIRef  # Same-type Organization, Task or Problem → the whole it belongs to.
    proposedBy: URIRef  # Principle / Policy / Task / Target → Person / Organization / Event.

    # http://www.w3.org/2002/07/owl#DatatypeProperty
    attribute: URIRef  # A typed extra without a property of its own, as "key=value".
    comparator: URIRef  # How a target's value bounds it: atLeast, about, atMost, zero…
    modality: URIRef  # The modal word of a task as written (要, 必须, 严禁, 不得).
    unit: URIRef  # The unit of a target's value as written.
    value: URIRef  # The number a target states (xsd:decimal).
    year: URIRef  # The year a target is set for (xsd:gYear).
    evidence: URIRef  # The quoted text that states an asserted relation.
    rule: URIRef  # The rule that produced a mention, an assertion or a merge.
    surfaceForm: URIRef  # The name, as written, that a merge record is about.

    _NS = Namespace("https://w3id.org/policykg/vocab#")


class NIF(DefinedNamespace):
    """NLP Interchange Format (NIF) 2.0 Core: the terms policykg uses

    Only a subset of NIF Core is listed; an unlisted term is an ``AttributeError``.

    Documentation: http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core/nif-core.html
    """

    _fail = True

    # http://www.w3.org/2002/07/owl#Class
    Context: URIRef  # The string that serves as the context for its substrings (a document).
    OffsetBasedString: URIRef  # A string identified by begin and end offsets.
    Phrase: URIRef  # A string that is a phrase.
    String: URIRef  # A sequence of characters.

    # http://www.w3.org/2002/07/owl#DatatypeProperty
    anchorOf: URIRef  # The string as it appears in the context.
    beginIndex: URIRef  # Index of the first character, relative to the context.
    endIndex: URIRef  # Index of the character after the last one, relative to the context.
    isString: URIRef  # The full text of a context.

    # http://www.w3.org/2002/07/owl#ObjectProperty
    referenceContext: URIRef  # The context a string is a substring of.

    _NS = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")


#: The prefixes bound on every graph policykg makes and pre-bound in SPARQL queries.
PREFIXES: dict[str, Namespace] = {prefix: Namespace(ns) for prefix, ns in PREFIX_IRIS.items()}

#: The class of each entity type (its local name is the type's name).
ENTITY_CLASSES: dict[EntityType, URIRef] = {
    EntityType.ORGANIZATION: PKG.Organization,
    EntityType.PERSON: PKG.Person,
    EntityType.STRATEGY: PKG.Strategy,
    EntityType.POLICY: PKG.Policy,
    EntityType.PRINCIPLE: PKG.Principle,
    EntityType.PROBLEM: PKG.Problem,
    EntityType.TASK: PKG.Task,
    EntityType.TARGET: PKG.Target,
    EntityType.EVENT: PKG.Event,
}

#: The property of each relation type (its local name is the type's name).
RELATION_PROPERTIES: dict[RelationType, URIRef] = {
    RelationType.DEPLOYS: PKG.deploys,
    RelationType.IMPLEMENTS: PKG.implements,
    RelationType.INVOLVES: PKG.involves,
    RelationType.HAS_TARGET: PKG.hasTarget,
    RelationType.CONCERNS: PKG.concerns,
    RelationType.ADDRESSES: PKG.addresses,
    RelationType.PROPOSED_BY: PKG.proposedBy,
    RelationType.PART_OF: PKG.partOf,
    RelationType.HELD_BY: PKG.heldBy,
}


def curie(iri: str) -> str:
    """``prefix:local`` for an IRI in one of the :data:`PREFIXES` namespaces, else the IRI."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if iri.startswith(str(namespace)) and len(iri) > len(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return iri


def new_graph() -> Graph:
    """An empty graph with exactly the policykg prefixes bound (no rdflib defaults)."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def load_ontology() -> Graph:
    """The packaged vocabulary (``ontology.ttl``) as a graph."""
    resource = importlib.resources.files(__package__ or "policykg.graph") / "ontology.ttl"
    graph = new_graph()
    graph.parse(data=resource.read_text(encoding="utf-8"), format="turtle")
    return graph
