"""The history of the official geography since 2019 (`graph/historique`), from the vendored
vintages (`data/historique/YYYY/`, read by `timeline.py`).

One stable IRI per code, never one per vintage; the graph `graph/cog` keeps the current state
plain, this graph says what changed and when. Only what did not hold in every vintage is stated,
so the graph grows with the changes, not with the number of vintages:

- each vintage `id/millesime/YYYY` (an OWL-Time interval from 1 January) and each run of
  consecutive vintages `id/millesime/AAAA-BBBB` that something holds in (`ti:millesime` lists
  the vintages a run covers, for queries by year);
- `ti:existeDurant` on a commune (of any kind) or EPCI that did not exist in every vintage; an
  IRI that no longer exists is a `ti:EntiteDisparue` saying what it was (`ti:etaitUne`), its
  last name and code, and what it became (`ti:fusionneeDans`, `ti:devenue`, `dcterms:isReplacedBy`);
- names that changed: one `ti:NomDate` per run of the same name, former names as
  `skos:hiddenLabel` (search and reconciliation find them);
- EPCI memberships that did not hold in every vintage: `org:Membership` (org:member the
  commune, org:organization the EPCI, org:memberDuring the run); a current member with none
  has been a member of its EPCI in every vintage;
- events, as Insee's COG types them (what the vintages let one tell apart): `ti:Fusion`
  (`ti:CreationCommuneNouvelle` 32, `ti:FusionAssociation` 33), `ti:ChangementDeCode` (41, 50),
  `ti:Retablissement` (21), `ti:Creation` (20).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from . import snapshot, vintages
from ..vocabulary.locations import Locations
from ..vocabulary.namespaces import DCTERMS, ORG, PAV, PROV, RDF, RDFS, SKOS, TIME, XSD, Vocabulary
from .timeline import ACTUELLE, CODE, NOM, RATTACHEMENT, Run, Timeline
from .base import SourceError, SourceGraph

PACKAGE = "@etalab/decoupage-administratif"
PACKAGE_HOME = f"https://www.npmjs.com/package/{PACKAGE}"
PACKAGE_PAGE = f"{PACKAGE_HOME}/v/"
# Insee's event type of a code change (timeline.CodeChange.cause) → its class.
CODE_CHANGES = {"41": "ChangementDeCodeDepartement", "50": "ChangementDeCodeChefLieu"}


def is_history(directory: Path) -> bool:
    """A source directory holding vintages (`YYYY/epci.csv.gz`) rather than files of its own."""
    return any((directory / str(year) / "epci.csv.gz").exists() for year in vintages.YEARS)


class HistoryMapper:
    def __init__(self, vocab: Vocabulary, timeline: Timeline, graph: Graph):
        self.vocab, self.ti, self.timeline = vocab, vocab.ti, timeline
        self.graph = graph
        self._add = graph.add
        self._periods: dict[Run, URIRef] = {}

    # -- vintages and runs of vintages ------------------------------------------------------

    def _from_reference(self, node: URIRef, years: list[int]) -> None:
        """Read in the official vintages, not deduced: the provenance every dated membership,
        interval and instant carries (tish:Provenance-*). Its sources are the vintages it was
        computed from (`years`), each a version of the package (`package_version`)."""
        for year in years:
            self._add((node, DCTERMS.source, self.package_version(year)))
        self._add((node, self.ti.modeEtablissement,
                   self.vocab.concept("mode-etablissement", "reference")))

    @staticmethod
    def _read_in(run: Run) -> list[int]:
        """The vintages a run is read in: its own, and the next, where it no longer held (its
        end is read there)."""
        following = vintages.YEARS.index(run.last) + 1
        return [year for year in vintages.YEARS if run.covers(year)] + list(
            vintages.YEARS[following:following + 1])

    def package_version(self, year: int) -> URIRef:
        """The package version a vintage is read from, described once in this graph."""
        version = vintages.VERSIONS[year]
        page = URIRef(PACKAGE_PAGE + version)
        if (page, PAV.version, None) not in self.graph:
            self._add((page, DCTERMS.title, Literal(f"{PACKAGE} {version}")))
            self._add((page, PAV.version, Literal(version)))
            self._add((page, DCTERMS.isVersionOf, URIRef(PACKAGE_HOME)))
            self._add((page, RDFS.comment, Literal(
                f"Version du paquet npm {PACKAGE} qui donne le découpage administratif "
                f"au 1er janvier {year} (COG {year}).", lang="fr")))
        return page

    def vintage(self, year: int) -> URIRef:
        return self.vocab.id("millesime", str(year))

    def vintages(self) -> None:
        for year in vintages.YEARS:
            iri = self.vintage(year)
            self._interval(iri, Run(year, year))
            self._add((iri, RDF.type, self.ti.Millesime))
            self._add((iri, self.ti.annee, Literal(year, datatype=XSD.integer)))
            label = f"COG {year}"
            self._add((iri, RDFS.label, Literal(label, lang="fr")))
            self._add((iri, SKOS.prefLabel, Literal(label, lang="fr")))
            self._add((iri, PAV.version, Literal(vintages.VERSIONS[year])))
            self._add((iri, PROV.wasDerivedFrom, self.package_version(year)))
            self._add((URIRef(f"{iri}#debut"), RDF.type, TIME.Instant))
            self._from_reference(URIRef(f"{iri}#debut"), [year])
            self._add((URIRef(f"{iri}#debut"), TIME.inXSDDate,
                       Literal(f"{year}-01-01", datatype=XSD.date)))
            if year in vintages.WITHOUT_COMMUNES:
                self._add((iri, RDFS.comment, Literal(
                    "Millésime sans liste des communes : seuls les EPCI et leurs membres sont "
                    "publiés ; les communes y sont déduites des millésimes voisins.", lang="fr")))

    def period(self, run: Run) -> URIRef:
        """The vintage itself for a run of one, else `id/millesime/AAAA-BBBB`, minted once."""
        if run.first == run.last:
            return self.vintage(run.first)
        if run not in self._periods:
            iri = self.vocab.id("millesime", f"{run.first}-{run.last}")
            self._periods[run] = iri
            self._interval(iri, run)
            self._add((iri, RDF.type, self.ti.PeriodeMillesimes))
            self._add((iri, RDFS.label, Literal(f"COG {run.first}–{run.last}", lang="fr")))
        return self._periods[run]

    def _interval(self, iri: URIRef, run: Run) -> None:
        self._add((iri, RDF.type, TIME.Interval))
        self._from_reference(iri, self._read_in(run))
        self._add((iri, TIME.hasBeginning, URIRef(f"{self.vintage(run.first)}#debut")))
        following = vintages.YEARS.index(run.last) + 1
        if following < len(vintages.YEARS):   # the current vintage's end is not known yet
            self._add((iri, TIME.hasEnd,
                       URIRef(f"{self.vintage(vintages.YEARS[following])}#debut")))
        for year in vintages.YEARS:
            if run.covers(year):
                self._add((iri, self.ti.millesime, self.vintage(year)))

    # -- communes of every kind, and EPCI ----------------------------------------------------

    def places(self) -> None:
        current = self.timeline.communes[vintages.CURRENT]
        for key in sorted(self.timeline.keys()):
            kind, cls = snapshot.COMMUNE_KINDS[key[0]]
            iri = self.vocab.id(kind, key[1])
            self.existence(iri, self.timeline.commune_runs(key))
            names = self.timeline.name_runs(key)
            if key not in current:
                last = self.timeline.communes[names[-1][0].last][key]
                self.disappeared(iri, cls, last[NOM], "codeInsee", "CodeInsee", last[CODE])
                if key[0] != ACTUELLE:      # a commune's end is its event's (events())
                    self.became(iri, key, names[-1][0].last, last)
            self.names(iri, names)

    def became(self, iri: URIRef, key, last_year: int, last: list[str]) -> None:
        """What a former commune déléguée, associée or arrondissement became: the same code
        under another kind the next vintage (a commune associée turned déléguée: `ti:devenue`),
        else the commune it belonged to, carried forward to today (`dcterms:isReplacedBy`)."""
        after = vintages.YEARS[vintages.YEARS.index(last_year) + 1]
        for other, (kind, _) in snapshot.COMMUNE_KINDS.items():
            if other != key[0] and (other, key[1]) in self.timeline.communes[after]:
                self._add((iri, self.ti.devenue, self.vocab.id(kind, key[1])))
                self._add((iri, DCTERMS.isReplacedBy, self.vocab.id(kind, key[1])))
                return
        if last[RATTACHEMENT]:
            now = self.timeline.carried_forward(last[RATTACHEMENT], last_year)
            if now is not None:
                self._add((iri, DCTERMS.isReplacedBy, self.vocab.id("commune", now)))

    def epcis(self) -> None:
        for siren in sorted(self.timeline.sirens()):
            iri = self.vocab.id("epci", siren)
            years = self.timeline.epci_years(siren)
            names = self.timeline.epci_name_runs(siren)
            self.existence(iri, _merge_runs(names))
            if siren not in self.timeline.epci[vintages.CURRENT]:
                self.disappeared(iri, "EPCI", names[-1][1], "siren", "SIREN", siren)
                after = vintages.YEARS.index(years[-1]) + 1
                for other in sorted(self.timeline.epci_successors(
                        siren, vintages.YEARS[after])):
                    self._add((iri, DCTERMS.isReplacedBy, self.vocab.id("epci", other)))
            elif years[0] != vintages.YEARS[0]:
                for other in sorted(self._predecessors(siren, years[0])):
                    self._add((iri, DCTERMS.replaces, self.vocab.id("epci", other)))
            self.names(iri, names)

    def _predecessors(self, siren: str, year: int) -> set[str]:
        before = self.timeline.epci_of[vintages.YEARS[vintages.YEARS.index(year) - 1]]
        return {before[code] for code, held_by in self.timeline.epci_of[year].items()
                if held_by == siren and code in before and before[code] != siren}

    def existence(self, iri: URIRef, runs: list[Run]) -> None:
        if len(runs) == 1 and runs[0].whole:
            return
        for run in runs:
            self._add((iri, self.ti.existeDurant, self.period(run)))

    def disappeared(self, iri: URIRef, cls: str, name: str, prop: str, datatype: str,
                    code: str) -> None:
        self._add((iri, RDF.type, self.ti.EntiteDisparue))
        self._add((iri, self.ti.etaitUne, self.ti[cls]))
        if cls == "EPCI":   # an organisation still, its communes' org:organization (W3C ORG)
            self._add((iri, RDF.type, ORG.Organization))
        self._add((iri, SKOS.prefLabel, Literal(name, lang="fr")))
        self._add((iri, RDFS.label, Literal(name, lang="fr")))
        self._add((iri, self.ti[prop], Literal(code)))
        self._add((iri, DCTERMS.identifier, Literal(code, datatype=self.ti[datatype])))

    def names(self, iri: URIRef, runs: list[tuple[Run, str]]) -> None:
        """A dated name per run when the name changed; former names as hidden labels."""
        if len({name for _, name in runs}) < 2:
            return
        for run, name in runs:
            node = URIRef(f"{iri}#nom-{run.first}")
            self._add((iri, self.ti.nomDate, node))
            self._add((node, RDF.type, self.ti.NomDate))
            self._add((node, self.ti.nom, Literal(name, lang="fr")))
            self._add((node, self.ti.valableDurant, self.period(run)))
            if name != runs[-1][1]:
                self._add((iri, SKOS.hiddenLabel, Literal(name, lang="fr")))

    # -- memberships and events -------------------------------------------------------------

    def memberships(self) -> None:
        role = self.vocab.concept("role", "membre")
        for (code, siren), runs in sorted(self.timeline.memberships().items()):
            if len(runs) == 1 and runs[0].whole:
                continue
            commune = self.vocab.id("commune", code)
            for run in runs:
                node = URIRef(f"{commune}#epci-{siren}-{run.first}")
                self._add((node, RDF.type, ORG.Membership))
                self._add((node, ORG.member, commune))
                self._add((node, ORG.organization, self.vocab.id("epci", siren)))
                self._add((node, ORG.role, role))
                self._add((node, ORG.memberDuring, self.period(run)))
                self._from_reference(node, self._read_in(run))

    def events(self) -> None:
        """Insee's kinds of event, told apart (timeline.py says how): mergers, code changes,
        re-establishments, creations. What replaced a commune is said on the commune only when
        it no longer exists: a current commune is never "replaced"."""
        current = self.timeline.communes_in(vintages.CURRENT)
        for merger in self.timeline.mergers:
            self.merger(merger, current)
        for change in self.timeline.code_changes:
            event = self._event(self.vocab.id("commune", change.new), "changement-code",
                                CODE_CHANGES[change.cause], change.year)
            old, new = self.vocab.id("commune", change.old), self.vocab.id("commune", change.new)
            self._add((event, RDF.type, self.ti.ChangementDeCode))
            self._add((event, self.ti.ancienCode, old))
            self._add((event, self.ti.nouveauCode, new))
            if change.old not in current:
                self._add((old, DCTERMS.isReplacedBy, new))
        for appearance in self.timeline.appearances():
            commune = self.vocab.id("commune", appearance.code)
            name, cls = appearance.fragment.rsplit("-", 1)[0], "Creation"
            if appearance.within:
                cls = "Retablissement"
            event = self._event(commune, name, cls, appearance.year)
            self._add((event, self.ti.communeCreee, commune))
            if appearance.within:
                self._add((event, self.ti.retablieDe, self.vocab.id("commune", appearance.within)))

    def merger(self, merger, current: set[str]) -> None:
        """A merger; a commune nouvelle when the merged communes became its communes déléguées
        (event 32), a fusion-association when they became communes associées (33), else a
        merger whose kind the vintages do not tell (31, or 32 without communes déléguées)."""
        into = self.vocab.id("commune", merger.into)
        table = self.timeline.communes[merger.year]
        kinds = {kind for code in merger.merged for kind in ("commune-deleguee", "commune-associee")
                 if (kind, code) in table}
        cls = {"commune-deleguee": "CreationCommuneNouvelle",
               "commune-associee": "FusionAssociation"}.get(next(iter(kinds)), "Fusion") \
            if len(kinds) == 1 else "Fusion"
        event = self._event(into, "fusion", cls, merger.year)
        if cls != "Fusion":
            self._add((event, RDF.type, self.ti.Fusion))
        self._add((event, self.ti.communeNouvelle, into))
        for code in merger.merged:
            merged = self.vocab.id("commune", code)
            self._add((event, self.ti.communeFusionnee, merged))
            if code not in current:
                self._add((merged, self.ti.fusionneeDans, into))
                self._add((merged, DCTERMS.isReplacedBy, into))
            if ("commune-deleguee", code) in table:
                self._add((merged, self.ti.devenue, self.vocab.id("commune-deleguee", code)))
            elif ("commune-associee", code) in table:
                self._add((merged, self.ti.devenue, self.vocab.id("commune-associee", code)))

    def _event(self, owner: URIRef, name: str, cls: str, year: int) -> URIRef:
        event = URIRef(f"{owner}#{name}-{year}")
        self._add((event, RDF.type, self.ti[cls]))
        self._add((event, self.ti.millesime, self.vintage(year)))
        self._add((event, self.ti.dateEffet, Literal(f"{year}-01-01", datatype=XSD.date)))
        return event


def _merge_runs(named: list[tuple[Run, str]]) -> list[Run]:
    """Runs of existence from runs of names: adjacent runs joined whatever the name."""
    merged: list[Run] = []
    for run, _ in named:
        if merged and vintages.YEARS.index(run.first) == vintages.YEARS.index(merged[-1].last) + 1:
            merged[-1] = Run(merged[-1].first, run.last)
        else:
            merged.append(run)
    return merged


@dataclass
class HistorySource(SourceGraph):
    """The history graph, with the timeline it was made from (the territories' perimeters are
    added to it once the territory lists are mapped: `perimeters.py`)."""

    timeline: Timeline | None = None


def load(vocab: Vocabulary, directory: Path, graph: Graph) -> HistorySource:
    """Map the vintages under `directory` into `graph`."""
    try:
        timeline = Timeline.read(directory)
    except snapshot.SnapshotError as error:
        raise SourceError(error.where, error.message) from None
    mapper = HistoryMapper(vocab, timeline, graph)
    mapper.vintages()
    mapper.places()
    mapper.epcis()
    mapper.memberships()
    mapper.events()
    files = sorted(directory.glob("*/*.csv.gz"))
    return HistorySource("historique", graph.identifier, graph, files, Locations(), timeline)


__all__ = ["HistorySource", "is_history", "load"]
