"""`territoires link insee`: our régions, départements, EPCI and communes (current communes,
communes déléguées and associées, municipal arrondissements) matched to Insee's Code officiel
géographique in RDF (https://rdf.insee.fr/sparql, ontology http://rdf.insee.fr/def/geo#).

Each kind is looked up by its igeo class and `igeo:codeINSEE` (for an EPCI, an
`igeo:Intercommunalite`, the code is its SIREN). Insee publishes one resource per *version* of a
territory, valid from `igeo:dateDebut` (absent: since ever) until `igeo:dateFin` excluded
(absent: still valid); the version kept is the one valid at the reference date
(`--reference-date`, default 2026-01-01, the date of the COG 2026 our snapshot comes from).

Links are `skos:exactMatch`, not `owl:sameAs`: our IRI names the territory whatever its version
(`id/commune/25056` stays the same IRI from one COG to the next) while Insee's names one version;
identity would merge what Insee keeps apart (a version's dates, its successor's facts once the
next run links the next version). An exact match says the two can be used interchangeably for the
state at the reference date, which is what a code match proves. Data: Licence Ouverte 2.0.
"""

from __future__ import annotations

from datetime import date

import pyoxigraph as ox

from ..vocabulary.namespaces import IGEO, LICENCE_OUVERTE, SKOS, XSD
from .linker import Linker, EntityKind

ENDPOINT = "https://rdf.insee.fr/sparql"
XSD_TOKEN = str(XSD.token)
XSD_DATE = ox.NamedNode(str(XSD.date))

CLASSES = {   # kind -> (igeo class, label fr, label en)
    "region": ("Region", "régions par leur code Insee", "regions by INSEE code"),
    "departement": ("Departement", "départements par leur code Insee",
                    "départements by INSEE code"),
    "epci": ("Intercommunalite", "EPCI (intercommunalités) par leur SIREN",
             "EPCI (intercommunalités) by SIREN"),
    "commune": ("Commune", "communes par leur code Insee", "communes by INSEE code"),
    "commune-deleguee": ("CommuneDeleguee", "communes déléguées par leur code Insee",
                         "communes déléguées by INSEE code"),
    "commune-associee": ("CommuneAssociee", "communes associées par leur code Insee",
                         "communes associées by INSEE code"),
    "arrondissement-municipal": ("ArrondissementMunicipal",
                                 "arrondissements municipaux par leur code Insee",
                                 "municipal arrondissements by INSEE code"),
}


def linker(reference_date: date) -> Linker:
    day = reference_date.isoformat()
    return Linker(
        name="insee",
        graph="liens-insee",
        endpoint=ENDPOINT,
        predicate=("skos:exactMatch", str(SKOS)),
        licence=str(LICENCE_OUVERTE),
        objects_target="http://id.insee.fr/geo/",
        source="https://rdf.insee.fr/",
        title_fr="Liens vers le Code officiel géographique de l'Insee (RDF)",
        title_en="Links to Insee's Code officiel géographique (RDF)",
        comment_fr=(f"Chaque entité est reliée par skos:exactMatch à la version Insee de même "
                    f"classe et de même code (igeo:codeINSEE ; le SIREN pour un EPCI) valide le "
                    f"{day}. Insee publie une ressource par version d'un territoire, alors que nos "
                    "IRI désignent le territoire quelle que soit sa version : d'où une "
                    "correspondance exacte plutôt qu'une identité (owl:sameAs). Les codes sans "
                    "version valide, avec plusieurs, ou partagés sont listés dans rapport.json."),
        comment_en=(f"Every entity is linked with skos:exactMatch to the Insee version of the same "
                    f"class and code (igeo:codeINSEE; the SIREN for an EPCI) valid on {day}. Insee "
                    "publishes one resource per version of a territory, while our IRIs name the "
                    "territory whatever its version: hence an exact match rather than identity "
                    "(owl:sameAs). Codes with no valid version, several, or shared ones are "
                    "listed in rapport.json."),
        targets=tuple(EntityKind(kind, "linking/insee", (("class", ox.NamedNode(IGEO + cls)),
                                                     ("day", ox.Literal(day, datatype=XSD_DATE))),
                             fr, en, (XSD_TOKEN,))
                      for kind, (cls, fr, en) in CLASSES.items()),
        versioned=True,
    )
