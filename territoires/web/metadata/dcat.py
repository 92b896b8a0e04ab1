"""The DCAT catalogue (`/catalogue`, DCAT-AP style): the catalogue, the dataset, a distribution per
dump and one for the SPARQL endpoint, and the endpoint as a data service."""

from __future__ import annotations

from flask import render_template
from rdflib import Graph, Literal, URIRef

from ... import formats, queries
from ...namespaces import DCAT, DCTERMS, FOAF, LICENCE_OUVERTE, OWL, RDF, RDFS, XSD
from ...store import Store
from ..documents.answer import Described, Target
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
    _sparql_service(g, base)
    return g


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
    g.add((ds, DCAT.version, Literal(live.version)))
    g.add((ds, OWL.versionInfo, Literal(live.version)))
    g.add((ds, DCAT.landingPage, URIRef(base)))
    g.add((ds, DCTERMS.conformsTo, URIRef(f"{base}def/territoires")))
    g.add((ds, RDFS.seeAlso, URIRef(f"{base}.well-known/void")))
    quality_links(g, ds, live)   # the validation report, as DQV quality metadata
    _temporal(g, ds, live)


def _temporal(g: Graph, ds: URIRef, live: Store) -> None:
    """From the programme's launch to the end of its latest phase, as the graph states them."""
    rows = list(live.select(queries.get("metadata/temporal-coverage")))
    if not rows or rows[0]["from"] is None:
        return
    period = URIRef(f"{live.base}catalogue#periode")
    g.add((ds, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, _date_literal(rows[0]["from"].value)))
    if rows[0]["to"] is not None:
        g.add((period, DCAT.endDate, _date_literal(rows[0]["to"].value)))


def _date_literal(text: str) -> Literal:
    kinds = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
    return Literal(text, datatype=kinds.get(len(text), XSD.string))


def _dump_distributions(g: Graph, live: Store, modified: Literal) -> None:
    base, ds = live.base, dataset_iri(live.base)
    for dump in listed(live):
        distribution = URIRef(f"{base}catalogue#dump-{dump.kind}")
        url = URIRef(f"{base}dump/{dump.name}")
        g.add((ds, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(dump.title, lang="fr")))
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


def _sparql_service(g: Graph, base: str) -> None:
    ds, endpoint = dataset_iri(base), URIRef(f"{base}sparql")
    service = URIRef(f"{base}catalogue#service-sparql")
    access = URIRef(f"{base}catalogue#acces-sparql")
    g.add((ds, DCAT.distribution, access))
    g.add((access, RDF.type, DCAT.Distribution))
    g.add((access, DCTERMS.title, Literal("Point d'accès SPARQL", lang="fr")))
    g.add((access, DCAT.accessURL, endpoint))
    g.add((access, DCAT.accessService, service))
    g.add((access, DCTERMS.license, LICENCE_OUVERTE))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal("Point d'accès SPARQL 1.1", lang="fr")))
    g.add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
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
