"""The DCAT catalogue (`/catalogue`, DCAT-AP style): the catalogue, the dataset, a distribution per
dump and one for the SPARQL endpoint, and the endpoint as a data service.

Written for the harvesters that read it, data.gouv.fr's (udata) first: the temporal coverage is an
inline `dcterms:PeriodOfTime` with `xsd:date` bounds (udata reads no IRI without fetching it, and
no year), the contact point a vCard given at build (settings `contact_point_*`, recorded in the
manifest), French texts come first (texts.to_quads) for readers that take the first title.
DCAT-AP 3's mandatory and recommended shapes hold (tests/test_catalogue_harvest.py)."""

from __future__ import annotations

from flask import render_template
import calendar

from rdflib import BNode, Graph, Literal, Namespace, URIRef

from ...vocabulary import formats
from ... import queries
from ...vocabulary.namespaces import (DCAT, DCTERMS, FOAF, LICENCE_OUVERTE, OWL, RDF, RDFS, SKOS,
    VCARD, XSD)
from ...store import Store
from ..answer import Described, Target
from ..hosts import HostMap
from .dumps import listed
from .texts import DESCRIPTION, TITLE, metadata_graph, to_quads
from .validation import quality_links
from .void import dataset_iri

PATH = "catalogue"
FRANCE = URIRef("http://publications.europa.eu/resource/authority/country/FRA")
FRENCH = URIRef("http://publications.europa.eu/resource/authority/language/FRA")
THEMES = [URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON"),
          URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE"),
          URIRef("http://publications.europa.eu/resource/authority/data-theme/REGI")]
THEMES_SCHEME = URIRef("http://publications.europa.eu/resource/authority/data-theme")
AVAILABLE = URIRef("http://publications.europa.eu/resource/authority/planned-availability/AVAILABLE")
DCATAP = Namespace("http://data.europa.eu/r5r/")
# DCAT-AP's ranges, stated for the things the catalogue points to (its range shapes check the
# classes of objects, which no inference supplies here).
RANGES = [(DCTERMS.license, DCTERMS.LicenseDocument), (DCTERMS.language, DCTERMS.LinguisticSystem),
          (DCAT.theme, SKOS.Concept), (DCTERMS.spatial, DCTERMS.Location),
          (DCTERMS["format"], DCTERMS.MediaTypeOrExtent), (DCAT.mediaType, DCTERMS.MediaType),
          (DCAT.compressFormat, DCTERMS.MediaType), (DCTERMS.conformsTo, DCTERMS.Standard),
          (DCAT.landingPage, FOAF.Document), (FOAF.homepage, FOAF.Document),
          (DCAT.themeTaxonomy, SKOS.ConceptScheme), (DCATAP.availability, SKOS.Concept),
          (DCAT.contactPoint, VCARD.Kind), (DCTERMS.type, SKOS.Concept)]
# The labels of the EU vocabularies' terms used (a concept without a label breaks DCAT-AP).
LABELS = {
    THEMES[0]: ("Économie et finances", "Economy and finance"),
    THEMES[1]: ("Gouvernement et secteur public", "Government and public sector"),
    THEMES[2]: ("Régions et villes", "Regions and cities"),
    AVAILABLE: ("disponible", "available"),
}
LICENCE_TYPE = URIRef("http://purl.org/adms/licencetype/Attribution")
LABELS[LICENCE_TYPE] = ("attribution", "attribution")
KEYWORDS = ["territoires d'industrie", "industrie", "réindustrialisation", "intercommunalité",
            "EPCI", "commune", "code officiel géographique", "SIREN", "données liées"]


def dcat_graph(live: Store) -> Graph:
    base = live.base
    g = metadata_graph(base)
    modified = Literal(live.manifest.modified, datatype=XSD.dateTime)
    publisher = URIRef(f"{base}id/organisation/projet-territoires")
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("Projet territoires")))
    _catalogue(g, base, publisher, modified)
    _dataset(g, live, publisher, modified)
    _dump_distributions(g, live, modified)
    _sparql_service(g, base, publisher)
    _contact_point(g, live)
    _described_terms(g)
    return g


def _described_terms(g: Graph) -> None:
    """The classes DCAT-AP's ranges expect of the things pointed to, and the labels it expects
    of the concepts among them."""
    g.add((LICENCE_OUVERTE, DCTERMS.type, LICENCE_TYPE))
    for predicate, kind in RANGES:
        for thing in set(g.objects(None, predicate)):
            if isinstance(thing, URIRef):
                g.add((thing, RDF.type, kind))
    for concept, (fr, en) in LABELS.items():
        g.add((concept, SKOS.prefLabel, Literal(fr, lang="fr")))
        g.add((concept, SKOS.prefLabel, Literal(en, lang="en")))
    g.add((THEMES_SCHEME, DCTERMS.title, Literal("Data theme", lang="en")))


def _catalogue(g: Graph, base: str, publisher: URIRef, modified: Literal) -> None:
    catalogue = URIRef(f"{base}catalogue")
    g.add((catalogue, RDF.type, DCAT.Catalog))
    g.add((catalogue, DCTERMS.title, Literal("Catalogue des données Territoires d'industrie",
                                             lang="fr")))
    g.add((catalogue, DCTERMS.title, Literal("Territoires d'industrie data catalogue", lang="en")))
    g.add((catalogue, DCTERMS.description, Literal(DESCRIPTION["fr"], lang="fr")))
    g.add((catalogue, DCTERMS.publisher, publisher))
    g.add((catalogue, DCTERMS.language, FRENCH))
    g.add((catalogue, DCTERMS.license, LICENCE_OUVERTE))
    g.add((catalogue, DCTERMS.modified, modified))
    g.add((catalogue, FOAF.homepage, URIRef(base)))
    g.add((catalogue, DCTERMS.spatial, FRANCE))
    g.add((catalogue, DCAT.themeTaxonomy, THEMES_SCHEME))
    g.add((catalogue, DCAT.dataset, dataset_iri(base)))
    g.add((catalogue, DCAT.service, URIRef(f"{base}catalogue#service-sparql")))


def _dataset(g: Graph, live: Store, publisher: URIRef, modified: Literal) -> None:
    base, ds = live.base, dataset_iri(live.base)
    g.add((ds, RDF.type, DCAT.Dataset))
    for lang in ("fr", "en"):
        g.add((ds, DCTERMS.title, Literal(TITLE[lang], lang=lang)))
        g.add((ds, DCTERMS.description, Literal(DESCRIPTION[lang], lang=lang)))
    for keyword in KEYWORDS:
        g.add((ds, DCAT.keyword, Literal(keyword, lang="fr")))
    for theme in THEMES:
        g.add((ds, DCAT.theme, theme))
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((ds, DCTERMS.license, LICENCE_OUVERTE))
    g.add((ds, DCTERMS.language, FRENCH))
    g.add((ds, DCTERMS.spatial, FRANCE))
    g.add((ds, DCTERMS.modified, modified))
    g.add((ds, DCTERMS.identifier, Literal(str(ds))))
    g.add((ds, URIRef(DCAT + "version"), Literal(live.version)))   # DCAT 3: not in rdflib's DCAT 2 list
    g.add((ds, OWL.versionInfo, Literal(live.version)))
    g.add((ds, DCAT.landingPage, URIRef(base)))
    g.add((ds, DCTERMS.conformsTo, URIRef(f"{base}def/territoires")))
    g.add((ds, RDFS.seeAlso, URIRef(f"{base}.well-known/void")))
    quality_links(g, ds, live)   # the validation report, as DQV quality metadata
    _temporal(g, ds, live)


def _temporal(g: Graph, ds: URIRef, live: Store) -> None:
    """From the programme's launch to the end of its latest phase, as the graph states them (a
    year or a month stands for its first day, or its last)."""
    rows = list(live.select(queries.get("metadata/temporal-coverage")))
    if not rows or rows[0]["from"] is None:
        return
    period = BNode("periode")     # a fixed label: the same bytes, the same ETag, every time
    g.add((ds, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(day(rows[0]["from"].value), datatype=XSD.date)))
    if rows[0]["to"] is not None:
        g.add((period, DCAT.endDate, Literal(day(rows[0]["to"].value, last=True),
                                             datatype=XSD.date)))


def day(text: str, last: bool = False) -> str:
    """`2019` → `2019-01-01` (or `2019-12-31`), `2019-11` → `2019-11-01` (or `-30`); a date as
    it is."""
    parts = text.split("-")
    if len(parts) == 1:
        return f"{text}-12-31" if last else f"{text}-01-01"
    if len(parts) == 2:
        days = calendar.monthrange(int(parts[0]), int(parts[1]))[1] if last else 1
        return f"{text}-{days:02d}"
    return text


def _contact_point(g: Graph, live: Store) -> None:
    """The contact point of the dataset and of the endpoint: a vCard organisation."""
    given = live.manifest.contact_point or {"name": "Projet territoires"}
    base = live.base
    contact = URIRef(f"{base}catalogue#contact")
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(given.get("name") or "Projet territoires")))
    if given.get("email"):
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{given['email']}")))
    if given.get("url"):
        g.add((contact, VCARD.hasURL, URIRef(given["url"])))
    for subject in (dataset_iri(base), URIRef(f"{base}catalogue#service-sparql")):
        g.add((subject, DCAT.contactPoint, contact))


def _dump_distributions(g: Graph, live: Store, modified: Literal) -> None:
    base, ds = live.base, dataset_iri(live.base)
    for dump in listed(live):
        distribution = URIRef(f"{base}catalogue#dump-{dump.kind}")
        url = URIRef(f"{base}dump/{dump.name}")
        g.add((ds, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(dump.title, lang="fr")))
        g.add((distribution, DCTERMS.description, Literal(
            f"{'Le graphe' if dump.rdf else 'Les données'} de la version {live.version}, "
            f"compressé{'' if dump.rdf else 'es'} (gzip) : {dump.title}.",
            lang="fr")))
        g.add((distribution, DCATAP.availability, AVAILABLE))
        g.add((distribution, DCAT.accessURL, url))
        g.add((distribution, DCAT.downloadURL, url))
        if dump.format is not None:
            g.add((distribution, DCAT.mediaType, URIRef(formats.IANA + dump.media_type)))
            g.add((distribution, DCTERMS["format"],
                   URIRef(formats.EU_FILE_TYPE + dump.format.eu_file_type)))
        g.add((distribution, DCAT.compressFormat, URIRef(formats.IANA + formats.GZIP.media_type)))
        g.add((distribution, DCAT.byteSize, Literal(dump.bytes, datatype=XSD.nonNegativeInteger)))
        g.add((distribution, DCTERMS.license, LICENCE_OUVERTE))
        g.add((distribution, DCTERMS.modified, modified))


def _sparql_service(g: Graph, base: str, publisher: URIRef) -> None:
    ds, endpoint = dataset_iri(base), URIRef(f"{base}sparql")
    service = URIRef(f"{base}catalogue#service-sparql")
    access = URIRef(f"{base}catalogue#acces-sparql")
    g.add((ds, DCAT.distribution, access))
    g.add((access, RDF.type, DCAT.Distribution))
    g.add((access, DCTERMS.title, Literal("Point d'accès SPARQL", lang="fr")))
    g.add((access, DCTERMS.description, Literal(
        "Le graphe interrogé en SPARQL 1.1 ; réponses en JSON (par défaut), XML, CSV, TSV ou, "
        "pour CONSTRUCT et DESCRIBE, dans les formats RDF usuels.", lang="fr")))
    g.add((access, DCTERMS["format"], URIRef(formats.EU_FILE_TYPE + formats.RESULTS_JSON.eu_file_type)))
    g.add((access, DCAT.mediaType, URIRef(formats.IANA + formats.RESULTS_JSON.media_type)))
    g.add((access, DCATAP.availability, AVAILABLE))
    g.add((access, DCAT.accessURL, endpoint))
    g.add((access, DCAT.accessService, service))
    g.add((access, DCTERMS.license, LICENCE_OUVERTE))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal("Point d'accès SPARQL 1.1", lang="fr")))
    g.add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))   # its SPARQL service description
    g.add((service, DCTERMS.publisher, publisher))
    for keyword in ("SPARQL", *KEYWORDS):
        g.add((service, DCAT.keyword, Literal(keyword, lang="fr")))
    for theme in THEMES:
        g.add((service, DCAT.theme, theme))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCTERMS.license, LICENCE_OUVERTE))
    g.add((service, DCAT.landingPage, URIRef(f"{base}requete")))


class Catalogue:
    def describe(self, live: Store, target: Target) -> Described:
        return Described(to_quads(dcat_graph(live)))

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        return render_template("catalogue.html", version=live.version, hosts=host,
                               dumps=listed(live), formats=formats.DOCUMENTS, title=TITLE,
                               description=DESCRIPTION, document_path=PATH)
