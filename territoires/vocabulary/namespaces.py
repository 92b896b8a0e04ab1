"""Namespaces: the reused vocabularies (fixed) and the project's own, which live under the
configured base URI and are therefore built per base."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SH, SKOS, TIME, VOID, XSD

SCHEMA = Namespace("https://schema.org/")
PAV = Namespace("http://purl.org/pav/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
WD = Namespace("http://www.wikidata.org/entity/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")   # GeoSPARQL 1.1
# The WKT literals' reference system: longitude, latitude (WGS 84), as GeoJSON gives them.
CRS84 = URIRef("http://www.opengis.net/def/crs/OGC/1.3/CRS84")

LICENCE_OUVERTE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
# The dataset's IRI, relative to the base (Vocabulary.dataset).
DATASET_PATH = ".well-known/void#territoires"

__all__ = ["DCAT", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "QB", "RDF", "RDFS", "SH", "SKOS",
           "TIME", "VCARD", "VOID", "XSD", "SCHEMA", "PAV", "SD", "IGEO", "WD", "WDT",
           "SDMX_ATTRIBUTE", "UNIT", "GEO", "CRS84", "LICENCE_OUVERTE", "DATASET_PATH", "Vocabulary"]


@dataclass(frozen=True)
class Vocabulary:
    """The project's IRIs under one base: `Vocabulary("https://data.example.fr/").ti.EPCI`."""

    base: str

    @property
    def ti(self) -> Namespace:
        return Namespace(self.base + "def/territoires#")

    def concept(self, scheme: str, code: str) -> URIRef:
        return URIRef(f"{self.base}def/{scheme}/{code}")

    def id(self, kind: str, key: str) -> URIRef:
        return URIRef(f"{self.base}id/{kind}/{key}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{name}")

    def dataset(self) -> URIRef:
        """The dataset as VoID and DCAT describe it (/.well-known/void): the one IRI that every
        link set's void:subjectsTarget names, in the store as in the served VoID."""
        return URIRef(f"{self.base}{DATASET_PATH}")

    def prefixes(self) -> dict[str, str]:
        """Prefixes for serialisations and query pages."""
        return {
            "ti": str(self.ti), "forme": f"{self.base}def/forme-juridique/",
            "fiscal": f"{self.base}def/regime-fiscal/", "role": f"{self.base}def/role/",
            "pilier": f"{self.base}def/pilier/", "secteur": f"{self.base}def/secteur/",
            "mode": f"{self.base}def/mode-etablissement/",
            "org": str(ORG), "skos": str(SKOS), "dcterms": str(DCTERMS), "prov": str(PROV),
            "time": str(TIME), "foaf": str(FOAF), "qb": str(QB), "schema": str(SCHEMA),
            "pav": str(PAV), "void": str(VOID), "dcat": str(DCAT), "igeo": str(IGEO),
            "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD), "geo": str(GEO),
        }
