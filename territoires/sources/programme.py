"""The programme's official lists (data/programme/, read by `programme_lists.py`) mapped into
`graph/programme`: every territory of both phases, its groupements as W3C ORG memberships (EPCI,
the EPT of Île-de-France, single communes), its départements, régions, population, commune count
and outline (docs/PROGRAMME.md has the model and its rules).

A groupement's SIREN must be an EPCI of the list's vintage, an EPT of `ept.json` or a commune of
the reference (by its SIREN); anything else is refused with the feature's place. The territories
the curated CSV describes (`identifiant_officiel` and `phase`) keep their slug: they are the same
resources, and their EPCI must be the official record's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from . import geometry, programme_curated, programme_lists, snapshot
from ..vocabulary.locations import Locations
from ..vocabulary.names import fold
from ..vocabulary.namespaces import DCTERMS, ORG, RDF, RDFS, SKOS, TIME, XSD, Vocabulary
from .base import SourceError, SourceGraph
from .programme_curated import Curated
from .programme_lists import Ept, Listed
from .timeline import Timeline

# Where each list was taken from (data/programme/README.md): the `dcterms:source` of what it gives.
SOURCES = {
    2: URIRef("https://github.com/anct-carto/superposeur-anct/blob/"
              "5c5ffe30cc5d4a0e05a99d30a316d196e180f96a/data/geom/geojsonV2/ti_geom.geojson"),
    1: URIRef("https://github.com/anct-carto/superposeur-V2/blob/"
              "3f2b0c0b87604a13831a9f214988878b6a4cb67e/data/admin/polygone-4326_ti.geojson"),
}
EPT_SOURCE = URIRef("https://www.npmjs.com/package/@etalab/decoupage-administratif/v/6.0.0")
# The lists give no dates: a territory's term is its phase's (deduced, said so).
TERMS = {1: ("2018", "2023"), 2: ("2023", "2027")}
TERM_REASONING = ("La liste officielle ne donne pas de dates : la période est celle de la phase "
                  "({0} à {1}).")
# Census year of the reference's communal populations (data/reference/README.md).
POPULATION_VINTAGE = "2023"


def slugify(name: str) -> str:
    """The importer's slug (importer/writing.py): lower-case ASCII words joined by hyphens."""
    return fold(name).replace(" ", "-") or "territoire"


@dataclass
class Reference:
    """What the mapping needs of the current reference snapshot, read from its files."""
    epci: set[str] = field(default_factory=set)
    members: dict[str, set[str]] = field(default_factory=dict)       # EPCI SIREN → communes
    commune_of_siren: dict[str, str] = field(default_factory=dict)   # commune SIREN → INSEE
    departement: dict[str, str] = field(default_factory=dict)        # INSEE → département
    region: dict[str, str] = field(default_factory=dict)             # département → région
    population: dict[str, int] = field(default_factory=dict)         # INSEE → pop. municipale

    @classmethod
    def read(cls, directory: Path) -> "Reference":
        found = cls()
        try:
            for _, row in snapshot.rows(directory, "communes"):
                if row["type"] == "commune-actuelle":
                    found.departement[row["code"]] = row["departement"]
                    found.population[row["code"]] = int(row["population"] or 0)
                    if row["siren"]:
                        found.commune_of_siren[row["siren"]] = row["code"]
            found.epci = {row["siren"] for _, row in snapshot.rows(directory, "epci")}
            for _, row in snapshot.rows(directory, "epci_membres"):
                found.members.setdefault(row["epci"], set()).add(row["commune"])
            found.region = {row["code"]: row["region"]
                            for _, row in snapshot.rows(directory, "departements")}
        except snapshot.SnapshotError as error:
            raise SourceError(error.where, error.message) from None
        return found


@dataclass
class Member:
    kind: str          # "epci", "ept" or "commune"
    code: str          # SIREN, or INSEE code for a commune
    name: str


@dataclass
class Mapped:
    """A territory once mapped: what continuity and the perimeters read."""
    listed: Listed
    iri: URIRef
    slug: str
    members: list[Member]
    curated: bool
    # The communes not reached through an EPCI: single communes and the EPT's members.
    fixed_communes: frozenset[str] = frozenset()

    @property
    def sirens(self) -> set[str]:
        return {g.siren for g in self.listed.groupements}

    @property
    def epci(self) -> set[str]:
        return {m.code for m in self.members if m.kind == "epci"}


def slugs(listed: list[Listed], curated: dict[tuple[int, str], Curated]) -> dict[tuple[int, str], str]:
    """A slug per territory: the curated one, else the slugified official name; a slug two
    territories would share gets `-phase-N` on each, then the id if still shared."""
    wanted = {(t.phase, t.ident): (curated[(t.phase, t.ident)].slug
                                   if (t.phase, t.ident) in curated else slugify(t.name))
              for t in listed}
    fixed = {c.slug for c in curated.values()}
    counts: dict[str, int] = {}
    for slug in wanted.values():
        counts[slug] = counts.get(slug, 0) + 1
    result = {}
    for key, slug in wanted.items():
        if key in curated or (counts[slug] == 1 and slug not in fixed):
            result[key] = slug
        else:
            result[key] = f"{slug}-phase-{key[0]}"
    again: dict[str, int] = {}
    for slug in result.values():
        again[slug] = again.get(slug, 0) + 1
    return {key: slug if again[slug] == 1 else f"{slug}-{key[1]}" for key, slug in result.items()}


class ProgrammeMapper:
    def __init__(self, vocab: Vocabulary, graph: Graph, reference: Reference,
                 timeline: Timeline, ept: dict[str, Ept]):
        self.vocab, self.ti, self.graph = vocab, vocab.ti, graph
        self.reference, self.timeline, self.ept = reference, timeline, ept
        self.add = graph.add
        self.locations = Locations()
        self.epts_used: set[str] = set()

    def member(self, territory: Listed, siren: str, name: str) -> Member:
        """What a listed SIREN is, in this order: an EPCI of the list's vintage (or of now),
        an EPT, a commune."""
        vintage = programme_lists.VINTAGES[territory.phase]
        if siren in self.timeline.epci.get(vintage, {}) or siren in self.reference.epci:
            return Member("epci", siren, name)
        if siren in self.ept:
            return Member("ept", siren, self.ept[siren].name)
        if siren in self.reference.commune_of_siren:
            return Member("commune", self.reference.commune_of_siren[siren], name)
        raise SourceError(territory.place, f"groupement {siren} ({name or 'no name'}) is "
                                           f"neither an EPCI of COG {vintage}, an EPT of "
                                           f"{programme_lists.EPT_FILE} nor a commune of the "
                                           "reference")

    def territory(self, listed: Listed, slug: str, curated: Curated | None) -> Mapped:
        members = [self.member(listed, g.siren, g.name) for g in listed.groupements]
        iri = self.vocab.id("territoire", slug)
        fixed = {m.code for m in members if m.kind == "commune"}
        fixed |= {c for m in members if m.kind == "ept" for c in self.ept[m.code].communes}
        mapped = Mapped(listed, iri, slug, members, curated is not None, frozenset(fixed))
        if curated is not None:   # its EPCI are its official record's, neither more nor fewer
            programme_curated.compare(listed, mapped.epci, curated)
        self.locations.add(iri, listed.place)
        self._identity(mapped)
        if not mapped.curated:
            self._term(iri, listed.phase)
        for member in members:
            self._membership(iri, member, listed.phase)
        communes = self.communes_now(mapped)
        self._areas(iri, communes)
        self._figures(iri, mapped, communes)
        geometry.add(self.graph, self.vocab, iri, listed.geometry, SOURCES[listed.phase])
        return mapped

    def _identity(self, mapped: Mapped) -> None:
        ti, iri, listed = self.ti, mapped.iri, mapped.listed
        name = Literal(listed.name, lang="fr")
        self.add((iri, RDF.type, ti.TerritoireIndustrie))
        self.add((iri, RDF.type, ORG.OrganizationalCollaboration))
        self.add((iri, SKOS.prefLabel, name))
        self.add((iri, RDFS.label, name))
        self.add((iri, ti.phase, self.vocab.id("phase", f"territoires-d-industrie-{listed.phase}")))
        self.add((iri, ti.identifiantOfficiel, Literal(listed.ident)))
        self.add((iri, DCTERMS.identifier, Literal(f"phase-{listed.phase}/{listed.ident}")))
        self._provenance(iri, SOURCES[listed.phase])

    def _provenance(self, iri: URIRef, source: URIRef, reasoning: str = "") -> None:
        self.add((iri, DCTERMS.source, source))
        mode = "deduit" if reasoning else "reference"
        self.add((iri, self.ti.modeEtablissement, self.vocab.concept("mode-etablissement", mode)))
        if reasoning:
            self.add((iri, RDFS.comment, Literal(reasoning, lang="fr")))

    def _term(self, iri: URIRef, phase: int) -> None:
        """The term of a territory the curated CSV does not date: its phase's years."""
        start, end = TERMS[phase]
        reasoning = TERM_REASONING.format(start, end)
        period = URIRef(f"{iri}#periode")
        self.add((iri, self.ti.periodeLabellisation, period))
        self.add((period, RDF.type, TIME.Interval))
        self._provenance(period, SOURCES[phase], reasoning)
        for name, year, link in (("debut", start, TIME.hasBeginning), ("fin", end, TIME.hasEnd)):
            instant = URIRef(f"{iri}#{name}")
            self.add((period, link, instant))
            self.add((instant, RDF.type, TIME.Instant))
            self.add((instant, TIME.inXSDgYear, Literal(year, datatype=XSD.gYear)))
            self._provenance(instant, SOURCES[phase], reasoning)

    def _membership(self, territory: URIRef, member: Member, phase: int) -> None:
        agent = self.vocab.id(member.kind, member.code)
        if member.kind == "ept":
            self.epts_used.add(member.code)
        membership = URIRef(f"{territory}#membre-{member.code}")
        self.add((territory, ORG.hasMember, agent))
        self.add((agent, ORG.hasMembership, membership))
        self.add((membership, RDF.type, ORG.Membership))
        self.add((membership, ORG.member, agent))
        self.add((membership, ORG.organization, territory))
        self.add((membership, ORG.role, self.vocab.concept("role", "membre")))
        self.add((membership, ORG.memberDuring, URIRef(f"{territory}#periode")))
        self._provenance(membership, SOURCES[phase])

    def communes_now(self, mapped: Mapped) -> set[str]:
        """The current communes (reference) the territory's groupements cover."""
        found: set[str] = set()
        for member in mapped.members:
            if member.kind == "epci":
                found |= self.reference.members.get(member.code, set())
            elif member.kind == "ept":
                found |= set(self.ept[member.code].communes)
            elif member.code in self.reference.departement:
                found.add(member.code)
        return found

    def communes_then(self, mapped: Mapped) -> set[str]:
        """The communes covered in the list's vintage: its EPCI's members that year, with the
        EPT's and the single communes."""
        communes_of = self.timeline.members_of(programme_lists.VINTAGES[mapped.listed.phase])
        found = {code for siren in mapped.epci for code in communes_of.get(siren, ())}
        for member in mapped.members:
            if member.kind == "ept":
                found |= set(self.ept[member.code].communes)
            elif member.kind == "commune":
                found.add(member.code)
        return found

    def _areas(self, iri: URIRef, communes: set[str]) -> None:
        departements = {self.reference.departement[c] for c in communes
                        if c in self.reference.departement}
        for code in sorted(departements):
            self.add((iri, self.ti.departement, self.vocab.id("departement", code)))
        for code in sorted({self.reference.region[d] for d in departements}):
            self.add((iri, self.ti.region, self.vocab.id("region", code)))

    def _figures(self, iri: URIRef, mapped: Mapped, communes: set[str]) -> None:
        population = sum(self.reference.population.get(c, 0) for c in communes)
        self.add((iri, self.ti.populationMunicipale, Literal(population, datatype=XSD.integer)))
        self.add((iri, self.ti.millesimePopulation,
                  Literal(POPULATION_VINTAGE, datatype=XSD.gYear)))
        self.add((iri, self.ti.nombreCommunes,
                  Literal(len(self.communes_then(mapped)), datatype=XSD.integer)))

    def ept_entities(self) -> None:
        """Each EPT a list names, as what it is: an établissement public territorial."""
        ti = self.ti
        for siren in sorted(self.epts_used):
            ept, iri = self.ept[siren], self.vocab.id("ept", siren)
            name = Literal(ept.name, lang="fr")
            for cls in (ti.EtablissementPublicTerritorial, ORG.Organization):
                self.add((iri, RDF.type, cls))
            self.add((iri, SKOS.prefLabel, name))
            self.add((iri, RDFS.label, name))
            self.add((iri, ti.siren, Literal(siren)))
            self.add((iri, DCTERMS.source, EPT_SOURCE))
            for code in sorted({self.reference.departement[c] for c in ept.communes
                                if c in self.reference.departement}):
                self.add((iri, ti.departement, self.vocab.id("departement", code)))
            for code in ept.communes:
                self.add((iri, ORG.hasMember, self.vocab.id("commune", code)))

    def phase_counts(self, mapped: list[Mapped]) -> None:
        for phase in sorted({m.listed.phase for m in mapped}):
            count = sum(1 for m in mapped if m.listed.phase == phase)
            self.add((self.vocab.id("phase", f"territoires-d-industrie-{phase}"),
                      self.ti.nombreTerritoiresOfficiels, Literal(count, datatype=XSD.integer)))


def read_all(directory: Path) -> list[Listed]:
    return [t for phase in sorted(programme_lists.PHASE_FILES)
            for t in programme_lists.read_phase(directory, phase)]


def load(vocab: Vocabulary, directory: Path, graph: Graph, reference_dir: Path,
         timeline: Timeline, territories: Sequence[SourceGraph]
         ) -> tuple[SourceGraph, list[Mapped]]:
    """Map both lists of `directory` into `graph`; returns the source and the territories."""
    listed = read_all(directory)
    programme_curated.check_names(vocab, territories, listed)
    curated = programme_curated.curated_of(vocab, territories)
    mapper = ProgrammeMapper(vocab, graph, Reference.read(reference_dir), timeline,
                             programme_lists.read_ept(directory))
    slug_of = slugs(listed, curated)
    mapped = [mapper.territory(t, slug_of[(t.phase, t.ident)], curated.get((t.phase, t.ident)))
              for t in listed]
    mapper.ept_entities()
    mapper.phase_counts(mapped)
    files = [directory / programme_lists.PHASE_FILES[p] for p in sorted(programme_lists.PHASE_FILES)]
    files.append(directory / programme_lists.EPT_FILE)
    return SourceGraph(directory.name, graph.identifier, graph, files, mapper.locations), mapped


def is_programme(directory: Path) -> bool:
    return (directory / programme_lists.PHASE_FILES[2]).exists() or \
        (directory / programme_lists.PHASE_FILES[1]).exists()


__all__ = ["load", "is_programme", "slugify", "Mapped", "Reference"]
