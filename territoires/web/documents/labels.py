"""Human names of vocabulary terms, French first: the project's terms from the ontology graph,
the reused vocabularies from a small built-in table, and a readable fallback for anything else."""

from __future__ import annotations

import re

import pyoxigraph as ox

from ... import queries
from ...vocabulary.namespaces import (DCAT, DCTERMS, FOAF, ORG, OWL, PAV, PROV, QB, RDF, RDFS,
    SCHEMA, SKOS, TIME, VOID, Vocabulary)
from ...store import Store
from ..context import per_build

# Predicates that name a resource, most preferred first: enough for a reader to show a link.
NAMING = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title)

LANGUAGES = ("fr", "en", "")

_BUILT_IN: dict[str, tuple[str, str]] = {
    RDF.type: ("type", "type"),
    RDFS.label: ("libellé", "label"),
    RDFS.comment: ("commentaire", "comment"),
    RDFS.seeAlso: ("voir aussi", "see also"),
    RDFS.isDefinedBy: ("défini par", "defined by"),
    RDFS.subClassOf: ("sous-classe de", "subclass of"),
    RDFS.subPropertyOf: ("sous-propriété de", "subproperty of"),
    RDFS.domain: ("domaine", "domain"),
    RDFS.range: ("co-domaine", "range"),
    RDFS.Datatype: ("type de données", "datatype"),
    SKOS.prefLabel: ("nom", "preferred label"),
    SKOS.altLabel: ("autre nom", "alternative label"),
    SKOS.hiddenLabel: ("graphie d'une source, pour la recherche", "hidden label, for search"),
    SKOS.definition: ("définition", "definition"),
    SKOS.notation: ("code", "notation"),
    SKOS.inScheme: ("dans le schéma", "in scheme"),
    SKOS.topConceptOf: ("concept de tête de", "top concept of"),
    SKOS.hasTopConcept: ("concept de tête", "top concept"),
    SKOS.exactMatch: ("correspondance exacte", "exact match"),
    SKOS.closeMatch: ("correspondance proche", "close match"),
    SKOS.Concept: ("concept", "concept"),
    SKOS.ConceptScheme: ("schéma de concepts", "concept scheme"),
    ORG.hasMember: ("a pour membre", "has member"),
    ORG.hasMembership: ("adhésion", "membership"),
    ORG.memberOf: ("membre de", "member of"),
    ORG.hasPost: ("a pour poste", "has post"),
    ORG.postIn: ("poste dans", "post in"),
    ORG.holds: ("occupe le poste", "holds"),
    ORG.heldBy: ("occupé par", "held by"),
    ORG.Post: ("poste", "post"),
    ORG.member: ("membre", "member"),
    ORG.organization: ("organisation", "organization"),
    ORG.role: ("rôle", "role"),
    ORG.memberDuring: ("membre pendant", "member during"),
    ORG.Membership: ("adhésion", "membership"),
    ORG.Role: ("rôle", "role"),
    ORG.FormalOrganization: ("organisation formelle", "formal organization"),
    ORG.OrganizationalCollaboration: ("collaboration entre organisations",
                                      "organizational collaboration"),
    DCTERMS.title: ("titre", "title"),
    DCTERMS.description: ("description", "description"),
    DCTERMS.identifier: ("identifiant", "identifier"),
    DCTERMS.source: ("source", "source"),
    DCTERMS.creator: ("créateur", "creator"),
    DCTERMS.publisher: ("éditeur", "publisher"),
    DCTERMS.license: ("licence", "license"),
    DCTERMS.modified: ("modifié le", "modified"),
    DCTERMS.issued: ("publié le", "issued"),
    DCTERMS.isPartOf: ("fait partie de", "is part of"),
    DCTERMS.replaces: ("remplace", "replaces"),
    DCTERMS.isReplacedBy: ("remplacé par", "is replaced by"),
    DCTERMS.spatial: ("couverture spatiale", "spatial coverage"),
    DCTERMS.temporal: ("couverture temporelle", "temporal coverage"),
    DCTERMS.subject: ("sujet", "subject"),
    DCTERMS.language: ("langue", "language"),
    PROV.wasDerivedFrom: ("dérivé de", "derived from"),
    PROV.Plan: ("plan", "plan"),
    PAV.retrievedOn: ("récupéré le", "retrieved on"),
    PAV.version: ("version", "version"),
    TIME.hasBeginning: ("début", "beginning"),
    TIME.hasEnd: ("fin", "end"),
    TIME.inside: ("observé à", "inside"),
    TIME.inXSDDate: ("date", "date"),
    TIME.inXSDgYear: ("année", "year"),
    TIME.inXSDgYearMonth: ("mois", "month"),
    TIME.hasXSDDuration: ("durée", "duration"),
    TIME.Interval: ("intervalle de temps", "time interval"),
    TIME.Instant: ("instant", "instant"),
    FOAF.name: ("nom", "name"),
    FOAF.Person: ("personne", "person"),
    FOAF.Organization: ("organisation", "organization"),
    FOAF.Document: ("document", "document"),
    SCHEMA.name: ("nom", "name"),
    SCHEMA.givenName: ("prénom", "given name"),
    SCHEMA.familyName: ("nom de famille", "family name"),
    SCHEMA.affiliation: ("affiliation", "affiliation"),
    SCHEMA.location: ("localisation", "location"),
    SCHEMA.about: ("à propos de", "about"),
    SCHEMA.text: ("texte", "text"),
    SCHEMA.spokenByCharacter: ("propos de", "spoken by"),
    SCHEMA.amount: ("montant", "amount"),
    SCHEMA.value: ("valeur", "value"),
    SCHEMA.currency: ("devise", "currency"),
    SCHEMA.funder: ("financeur", "funder"),
    SCHEMA.fundedItem: ("objet financé", "funded item"),
    SCHEMA.domainIncludes: ("s'applique à", "domain includes"),
    SCHEMA.Person: ("personne", "person"),
    SCHEMA.Organization: ("organisation", "organization"),
    SCHEMA.MonetaryGrant: ("subvention", "monetary grant"),
    SCHEMA.MonetaryAmount: ("montant monétaire", "monetary amount"),
    SCHEMA.NewsArticle: ("article d'actualité", "news article"),
    SCHEMA.Quotation: ("citation", "quotation"),
    QB.dataSet: ("jeu de données", "data set"),
    QB.structure: ("structure", "structure"),
    QB.component: ("composante", "component"),
    QB.dimension: ("dimension", "dimension"),
    QB.measure: ("mesure", "measure"),
    QB.attribute: ("attribut", "attribute"),
    QB.measureType: ("type de mesure", "measure type"),
    QB.DataSet: ("jeu de données statistique", "statistical data set"),
    QB.Observation: ("observation", "observation"),
    QB.DataStructureDefinition: ("structure de données", "data structure definition"),
    OWL.Ontology: ("ontologie", "ontology"),
    OWL.Class: ("classe", "class"),
    OWL.ObjectProperty: ("propriété d'objet", "object property"),
    OWL.DatatypeProperty: ("propriété de donnée", "datatype property"),
    OWL.versionInfo: ("version", "version"),
    OWL.versionIRI: ("IRI de version", "version IRI"),
    OWL.sameAs: ("identique à", "same as"),
    OWL.equivalentClass: ("classe équivalente", "equivalent class"),
    OWL.inverseOf: ("inverse de", "inverse of"),
    VOID.Dataset: ("jeu de données", "dataset"),
    VOID.Linkset: ("jeu de liens", "linkset"),
    DCAT.Dataset: ("jeu de données", "dataset"),
}
BUILT_IN = {str(iri): {"fr": fr, "en": en} for iri, (fr, en) in _BUILT_IN.items()}


def pick(texts: dict[str, str]) -> str | None:
    """The French text, else the English one, else one without language, else any."""
    for lang in LANGUAGES:
        if lang in texts:
            return texts[lang]
    return next(iter(texts.values()), None)


def fallback(iri: str) -> str:
    """`…#dateLabellisation` → `date labellisation`: better than a bare IRI."""
    local = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return re.sub(r"(?<=[a-zà-ÿ])(?=[A-Z])", " ", local).replace("-", " ").lower() or iri


def ontology_labels(live: Store) -> dict[str, dict[str, str]]:
    """{term: {lang: label}} of every term named in the ontology graph (one selective query,
    bounded by the graph)."""
    graph = ox.NamedNode(str(Vocabulary(live.base).graph("ontologie")))
    labels: dict[str, dict[str, str]] = {}
    for row in live.select(queries.get("vocabulary/term-labels"), graph=graph):
        term, predicate, text = row["term"], row["predicate"], row["label"]
        # rdfs:label (the ontology's convention for terms) wins over other naming predicates.
        slot = labels.setdefault(term.value, {})
        if predicate.value == str(RDFS.label) or text.language not in slot:
            slot[text.language or ""] = text.value
    return labels


class TermLabels:
    """Names of vocabulary terms (predicates, classes, datatypes) for one dataset version."""

    def __init__(self, from_ontology: dict[str, dict[str, str]]):
        self.table = {**BUILT_IN, **from_ontology}

    def name(self, iri: str) -> str:
        return pick(self.table.get(iri, {})) or fallback(iri)

    def known(self, iri: str) -> bool:
        return iri in self.table


@per_build
def term_labels(live: Store) -> TermLabels:
    """The names of the build's vocabulary terms, computed once per build."""
    return TermLabels(ontology_labels(live))
