"""HTML documentation of the ontology and of the shapes: the terms (classes, properties,
datatypes, concept schemes) and the rules, each with its French and English texts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ...vocabulary.namespaces import DCTERMS, OWL, QB, RDF, RDFS, SCHEMA, SH, SKOS
from ..hosts import HostMap
from .labels import TermLabels, pick
from .view import Link

Index = dict[str, dict[str, list]]


def _index(quads) -> Index:
    index: Index = defaultdict(lambda: defaultdict(list))
    for quad in quads:
        if isinstance(quad.subject, ox.NamedNode):
            index[quad.subject.value][quad.predicate.value].append(quad.object)
    return index


def _texts(objects: list) -> dict[str, str]:
    return {o.language or "": o.value for o in objects if isinstance(o, ox.Literal)}


@dataclass
class Term:
    anchor: str
    iri: str
    href: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    relations: list[tuple[str, list[Link]]] = field(default_factory=list)


@dataclass
class Group:
    title: str
    terms: list[Term]


@dataclass
class Documentation:
    iri: str
    title: str
    description: str
    facts: list[tuple[str, str]]
    groups: list[Group]


_RELATIONS = (RDFS.subClassOf, RDFS.subPropertyOf, SCHEMA.domainIncludes, RDFS.domain,
              RDFS.range, OWL.inverseOf, SKOS.inScheme, SKOS.notation, SKOS.exactMatch,
              SKOS.closeMatch, QB.component)


def _term(iri: str, facts: dict[str, list], terms: TermLabels, hosts: HostMap) -> Term:
    labels = _texts(facts.get(str(RDFS.label), []) or facts.get(str(SKOS.prefLabel), []))
    definitions = _texts(facts.get(str(SKOS.definition), []) or facts.get(str(RDFS.comment), []))
    relations = []
    for predicate in map(str, _RELATIONS):
        values = [Link(terms.name(o.value), hosts.url(o.value), not hosts.local(o.value))
                  if isinstance(o, ox.NamedNode) else Link(o.value)
                  for o in facts.get(predicate, []) if not isinstance(o, ox.BlankNode)]
        if values:
            relations.append((terms.name(predicate), values))
    anchor = iri.partition("#")[2] or iri.rstrip("/").rsplit("/", 1)[-1]
    return Term(anchor, iri, hosts.url(iri), labels.get("fr", ""), labels.get("en", ""),
                definitions.get("fr", ""), definitions.get("en", ""), relations)


def ontology(quads: list[ox.Quad], iri: str, terms: TermLabels, hosts: HostMap) -> Documentation:
    index = _index(quads)
    kinds = [("Classes", OWL.Class), ("Propriétés d'objet / object properties", OWL.ObjectProperty),
             ("Propriétés de données / datatype properties", OWL.DatatypeProperty),
             ("Types de données / datatypes", RDFS.Datatype),
             ("Schémas de concepts / concept schemes", SKOS.ConceptScheme),
             ("Concepts", SKOS.Concept),
             ("Structures statistiques / data structures", QB.DataStructureDefinition)]
    groups = []
    for title, kind in kinds:
        members = sorted(s for s, facts in index.items()
                         if ox.NamedNode(str(kind)) in facts.get(str(RDF.type), []))
        if members:
            groups.append(Group(title, [_term(s, index[s], terms, hosts) for s in members]))
    head = index.get(iri, {})
    return Documentation(iri, pick(_texts(head.get(str(DCTERMS.title), []))) or iri,
                         pick(_texts(head.get(str(DCTERMS.description), []))) or "",
                         _facts(head, (OWL.versionInfo, DCTERMS.modified, DCTERMS.license)),
                         groups)


def _facts(head: dict[str, list], predicates) -> list[tuple[str, str]]:
    names = {str(OWL.versionInfo): "version", str(DCTERMS.modified): "modifiée le / modified",
             str(DCTERMS.license): "licence"}
    return [(names[str(p)], o.value) for p in predicates for o in head.get(str(p), [])]


@dataclass
class Shape:
    anchor: str
    iri: str
    kind: str
    constraints: list[tuple[str, str]]
    message_fr: str
    message_en: str


def shapes(triples: list[ox.Triple], iri: str, terms: TermLabels, hosts: HostMap):
    index = _index(triples)
    head = index.get(iri, {})
    listed = []
    kinds = {str(SH.PropertyShape): "forme de propriété / property shape",
             str(SH.NodeShape): "forme de nœud / node shape"}
    for subject, facts in sorted(index.items()):
        kind = next((kinds[o.value] for o in facts.get(str(RDF.type), []) if o.value in kinds), None)
        if kind is None:
            continue
        constraints = [(predicate.rpartition("#")[2], _short(o, terms))
                       for predicate, objects in sorted(facts.items())
                       if predicate.startswith(str(SH)) and predicate != str(SH.message)
                       for o in objects]
        messages = _texts(facts.get(str(SH.message), []))
        listed.append(Shape(subject.partition("#")[2], subject, kind, constraints,
                            messages.get("fr", ""), messages.get("en", "")))
    return {"iri": iri, "title": pick(_texts(head.get(str(DCTERMS.title), []))) or iri,
            "description": pick(_texts(head.get(str(DCTERMS.description), []))) or "",
            "shapes": listed}


def _short(term, terms: TermLabels) -> str:
    """A constraint's value, short enough to read (the generated Luhn pattern is 30 kB)."""
    if isinstance(term, ox.NamedNode):
        text = terms.name(term.value) if terms.known(term.value) else term.value
    elif isinstance(term, ox.BlankNode):
        text = "[…]"
    else:
        text = term.value
    return text if len(text) <= 120 else text[:117] + "…"
