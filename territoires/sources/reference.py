"""The official reference snapshot (régions, départements, communes, EPCI) mapped to RDF.

Reads the gzip CSV files written by `snapshot.py`; every IRI is minted from an official code, and
each is minted once: a code that appears twice for the same kind of entity is an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from . import snapshot
from ..vocabulary.locations import Location, Locations
from ..vocabulary.namespaces import DCTERMS, ORG, OWL, RDF, RDFS, SKOS, XSD, Vocabulary
from .base import SourceError, SourceGraph

# Legal forms of the DGCL list that are no EPCI → the powers they exercise. The Métropole de Lyon
# (MET69, SIREN 200046977) is a collectivité à statut particulier (code général des collectivités
# territoriales, art. L3611-1) exercising on its territory the powers of a métropole and of the
# département; the DGCL lists it among the EPCI à fiscalité propre, with its communes.
SPECIAL_STATUS = {"MET69": ("EPCI", "Departement")}


def _rows(directory: Path, name: str) -> Iterator[tuple[Location, dict[str, str]]]:
    path = directory / f"{name}.csv.gz"
    try:
        for line, row in snapshot.rows(directory, name):
            yield Location(path, line), row
    except snapshot.SnapshotError as error:
        raise SourceError(error.where, error.message) from None


class ReferenceMapper:
    """Maps the snapshot into one graph; `mint` guarantees one IRI per entity."""

    def __init__(self, vocab: Vocabulary, directory: Path, graph: Graph):
        self.vocab = vocab
        self.ti = vocab.ti
        self.dir = directory
        self.graph = graph
        self.locations = Locations()
        self._add = self.graph.add
        self._minted: dict[URIRef, Location] = {}

    def mint(self, kind: str, code: str, cls: str, location: Location) -> URIRef:
        iri = self.vocab.id(kind, code)
        if iri in self._minted:
            raise SourceError(location, f"{kind} {code} is already defined at "
                                        f"{self._minted[iri]}: an IRI is never minted twice")
        self._minted[iri] = location
        self.locations.add(iri, location)
        self._add((iri, RDF.type, self.ti[cls]))
        return iri

    def label(self, iri: URIRef, name: str) -> None:
        lit = Literal(name, lang="fr")
        self._add((iri, SKOS.prefLabel, lit))
        self._add((iri, RDFS.label, lit))

    def code(self, iri: URIRef, prop: str, datatype: str, value: str) -> None:
        self._add((iri, self.ti[prop], Literal(value)))
        self._add((iri, DCTERMS.identifier, Literal(value, datatype=self.ti[datatype])))

    def integer(self, iri: URIRef, prop: str, value: str, location: Location) -> None:
        if value == "":
            return
        try:
            number = int(value)
        except ValueError:
            raise SourceError(location, f"{prop} {value!r} is not an integer") from None
        self._add((iri, self.ti[prop], Literal(number, datatype=XSD.integer)))

    def collectivity(self, kind: str, row: dict[str, str], location: Location) -> None:
        """An overseas collectivity, which the package lists both as a région and as a
        département: both IRIs stay (they were published) and say the same thing, the
        département's being the one its zones point to (`ti:collectiviteOutreMer`)."""
        code = row["code"]
        iri = self.mint(kind, code, "CollectiviteOutreMer", location)
        self.label(iri, row["nom"])
        self.code(iri, "codeInsee", "CodeInsee", code)
        if kind == "region":
            self._add((iri, OWL.sameAs, self.vocab.id("departement", code)))
        # Only a chef-lieu among the collectivity's own zones: the package names Saint-Pierre
        # (97502, in Saint-Pierre-et-Miquelon) as the TAAF's, which is not theirs.
        if row["chef_lieu"].startswith(code):
            self._add((iri, self.ti.chefLieu, self.vocab.id("commune", row["chef_lieu"])))

    # -- the five files --------------------------------------------------------------------

    def regions(self) -> None:
        for loc, row in _rows(self.dir, "regions"):
            if row["code"] in snapshot.OVERSEAS_COLLECTIVITIES:
                self.collectivity("region", row, loc)
                continue
            iri = self.mint("region", row["code"], "Region", loc)
            self.label(iri, row["nom"])
            self.code(iri, "codeInsee", "CodeInsee", row["code"])
            if row["chef_lieu"]:
                self._add((iri, self.ti.chefLieu, self.vocab.id("commune", row["chef_lieu"])))

    def departements(self) -> None:
        for loc, row in _rows(self.dir, "departements"):
            if row["code"] in snapshot.OVERSEAS_COLLECTIVITIES:
                self.collectivity("departement", row, loc)
                continue
            iri = self.mint("departement", row["code"], "Departement", loc)
            self.label(iri, row["nom"])
            self.code(iri, "codeInsee", "CodeInsee", row["code"])
            self._add((iri, self.ti.region, self.vocab.id("region", row["region"])))
            if row["chef_lieu"]:
                self._add((iri, self.ti.chefLieu, self.vocab.id("commune", row["chef_lieu"])))

    def communes(self) -> dict[str, str]:
        """Map every commune-like entity; return each current commune's département code."""
        departement_of: dict[str, str] = {}
        for loc, row in _rows(self.dir, "communes"):
            try:
                kind, cls = snapshot.COMMUNE_KINDS[row["type"]]
            except KeyError:
                raise SourceError(loc, f"unknown commune type {row['type']!r}") from None
            code = row["code"]
            zone = snapshot.overseas_zone_class(row["departement"])
            iri = self.mint(kind, code, zone or cls, loc)
            self.label(iri, row["nom"])
            self.code(iri, "codeInsee", "CodeInsee", code)
            if row["siren"]:
                self.code(iri, "siren", "SIREN", row["siren"])
            self.integer(iri, "population", row["population"], loc)
            for postcode in row["codes_postaux"].split():
                self._add((iri, self.ti.codePostal, Literal(postcode)))
            if zone:    # in its collectivity, not in a département or a région
                self._add((iri, self.ti.collectiviteOutreMer,
                           self.vocab.id("departement", row["departement"])))
                continue
            self._add((iri, self.ti.departement, self.vocab.id("departement", row["departement"])))
            self._add((iri, self.ti.region, self.vocab.id("region", row["region"])))
            if row["rattachement"] and kind != "commune":
                self._add((iri, self.ti.communeDeRattachement,
                           self.vocab.id("commune", row["rattachement"])))
            if kind == "commune":
                departement_of[code] = row["departement"]
        return departement_of

    def epci(self, departement_of: dict[str, str]) -> None:
        forms = {}
        for loc, row in _rows(self.dir, "epci"):
            special = row["type"] in SPECIAL_STATUS
            iri = self.mint("epci", row["siren"], "CollectiviteStatutParticulier" if special
                            else "EPCI", loc)
            for powers in SPECIAL_STATUS.get(row["type"], ()):
                self._add((iri, self.ti.exerceLesCompetencesDe, self.ti[powers]))
            self.label(iri, row["nom"])
            self.code(iri, "siren", "SIREN", row["siren"])
            forms[row["siren"]] = iri
            self._add((iri, self.ti.formeJuridique, self.vocab.concept("forme-juridique", row["type"])))
            self._add((iri, self.ti.regimeFiscal,
                       self.vocab.concept("regime-fiscal", row["mode_financement"])))
            self.integer(iri, "populationTotale", row["population_totale"], loc)
            self.integer(iri, "populationMunicipale", row["population_municipale"], loc)
        departements: dict[URIRef, set[str]] = {}
        for loc, row in _rows(self.dir, "epci_membres"):
            epci = forms.get(row["epci"])
            if epci is None:
                raise SourceError(loc, f"EPCI {row['epci']} is not in epci.csv.gz")
            if row["commune"] not in departement_of:
                raise SourceError(loc, f"member {row['commune']} of EPCI {row['epci']} "
                                       "is not a current commune")
            self._add((epci, ORG.hasMember, self.vocab.id("commune", row["commune"])))
            self.locations.add(epci, loc, ORG.hasMember)
            departements.setdefault(epci, set()).add(departement_of[row["commune"]])
        for epci, codes in departements.items():
            for code in sorted(codes):
                self._add((epci, self.ti.departement, self.vocab.id("departement", code)))


def load(vocab: Vocabulary, directory: Path, graph: Graph) -> SourceGraph:
    """Map the snapshot in `directory` into `graph`."""
    mapper = ReferenceMapper(vocab, directory, graph)
    mapper.regions()
    mapper.departements()
    mapper.epci(mapper.communes())
    files = sorted(directory.glob("*.csv.gz"))
    return SourceGraph("cog", graph.identifier, graph, files, mapper.locations)
