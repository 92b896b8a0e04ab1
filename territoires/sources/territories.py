"""Territory lists: CSV files with one row per territory and EPCI (layout in data/territoires/README.md).

Each EPCI is named by its SIREN and by its official name (`epci_nom`), which must be the reference
name of that SIREN (compared by name key): a SIREN that passes the Luhn check but names another EPCI
is caught there. When a row also gives the EPCI's name as its source writes it, that name must
resolve, among the official EPCI of the row's département, to exactly that SIREN, and it is kept
as an alternative label. Every error names the file and line.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from ..vocabulary.locations import Location, Locations
from ..vocabulary.names import fold, name_key
from ..vocabulary.namespaces import DCTERMS, ORG, RDF, RDFS, SKOS, TIME, XSD, Vocabulary
from .base import SourceError, SourceGraph

REQUIRED = ["territoire", "nom", "phase", "date_labellisation", "fin_mandat", "epci_siren",
            "epci_nom"]
OPTIONAL = ["epci_libelle_source", "departement", "identifiant_officiel", "debut_mandat", "source",
            "deduit", "raisonnement"]
TERRITORY_FIELDS = ["nom", "phase", "date_labellisation", "fin_mandat", "identifiant_officiel",
                    "debut_mandat", "source"]
# What the `deduit` column may name: the row's facts that are deduced rather than read.
DEDUCIBLE = {"date_labellisation", "debut_mandat", "fin_mandat", "epci"}

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SIREN = re.compile(r"^\d{9}$")

# A date as precise as the source knows it, with the OWL-Time property that carries it.
DATE_FORMS = [
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date, TIME.inXSDDate),
    (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth, TIME.inXSDgYearMonth),
    (re.compile(r"^\d{4}$"), XSD.gYear, TIME.inXSDgYear),
]


@dataclass(frozen=True)
class Epci:
    iri: URIRef
    name: str
    departements: frozenset[str]


class EpciIndex:
    """The official EPCI, looked up by SIREN or by name within a département."""

    def __init__(self, reference: Graph, vocab: Vocabulary):
        ti = vocab.ti
        dept_prefix = len(str(vocab.id("departement", "")))
        self.by_siren: dict[str, Epci] = {}
        for iri in reference.subjects(RDF.type, ti.EPCI):
            siren = str(reference.value(iri, ti.siren))
            depts = frozenset(str(d)[dept_prefix:] for d in reference.objects(iri, ti.departement))
            self.by_siren[siren] = Epci(iri, str(reference.value(iri, SKOS.prefLabel)), depts)
        self.by_key: dict[str, list[str]] = defaultdict(list)
        for siren, epci in self.by_siren.items():
            self.by_key[name_key(epci.name)].append(siren)

    def resolve(self, name: str, departement: str | None = None) -> list[str]:
        """SIRENs of the EPCI whose name matches `name` (within `departement` if given)."""
        sirens = self.by_key.get(name_key(name), [])
        if departement:
            sirens = [s for s in sirens if departement in self.by_siren[s].departements]
        return sorted(sirens)


def parse_date(value: str, location: Location, column: str):
    for pattern, datatype, time_property in DATE_FORMS:
        if pattern.match(value):
            return Literal(value, datatype=datatype), time_property
    raise SourceError(location, f"{column} {value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")


def read_rows(path: Path):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(path, f"not UTF-8 ({error})") from None
    reader = csv.DictReader(text.splitlines(), delimiter=";" if text.count(";") > text.count(",") else ",")
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(Location(path, 1), f"missing column(s) {', '.join(missing)}; "
                                             f"expected {', '.join(REQUIRED + OPTIONAL)}")
    for row in reader:
        yield Location(path, reader.line_num), {k: (v or "").strip() for k, v in row.items() if k}


class TerritoryMapper:
    def __init__(self, vocab: Vocabulary, epci: EpciIndex, graph: Graph):
        self.vocab = vocab
        self.ti = vocab.ti
        self.epci = epci
        self.graph = graph
        self.locations = Locations()
        self.territories: dict[str, tuple[Location, dict[str, str]]] = {}
        self.members: set[tuple[str, str]] = set()

    def row(self, location: Location, row: dict[str, str]) -> None:
        for column in REQUIRED:
            if not row.get(column) and not (column == "date_labellisation" and row.get("debut_mandat")):
                raise SourceError(location, f"empty {column}")
        unknown = set(row.get("deduit", "").split()) - DEDUCIBLE
        if unknown:
            raise SourceError(location, f"deduit names {', '.join(sorted(unknown))}; expected "
                                        f"some of {', '.join(sorted(DEDUCIBLE))}")
        slug = row["territoire"]
        if not SLUG.match(slug):
            raise SourceError(location, f"territoire {slug!r} is not a slug (a-z, 0-9, -)")
        if not row["phase"].isdigit():
            raise SourceError(location, f"phase {row['phase']!r} is not a number")
        self._territory(slug, location, row)
        self._member(slug, location, row)

    def _territory(self, slug: str, location: Location, row: dict[str, str]) -> None:
        if slug in self.territories:
            first_location, first = self.territories[slug]
            for column in TERRITORY_FIELDS:
                if row.get(column, "") != first.get(column, ""):
                    raise SourceError(location, f"{column} {row.get(column)!r} contradicts "
                                                f"{first.get(column)!r} given at {first_location}")
            return
        self.territories[slug] = (location, row)
        ti, add = self.ti, self.graph.add
        iri = self.vocab.id("territoire", slug)
        self.locations.add(iri, location)
        add((iri, RDF.type, ti.TerritoireIndustrie))
        label = Literal(row["nom"], lang="fr")
        if row.get("identifiant_officiel"):
            # The official list names it (programme.py: its prefLabel); this is another wording.
            add((iri, SKOS.altLabel, label))
        else:
            add((iri, SKOS.prefLabel, label))
            add((iri, RDFS.label, label))
        add((iri, ti.phase, self.vocab.id("phase", f"territoires-d-industrie-{row['phase']}")))
        if row.get("identifiant_officiel"):
            add((iri, ti.identifiantOfficiel, Literal(row["identifiant_officiel"])))
        # The term starts at the label date, or at `debut_mandat` when the label date is unknown.
        start_column = "date_labellisation" if row["date_labellisation"] else "debut_mandat"
        start, start_property = parse_date(row[start_column], location, start_column)
        end, end_property = parse_date(row["fin_mandat"], location, "fin_mandat")
        if str(end)[:4] < str(start)[:4]:
            raise SourceError(location, f"fin_mandat {end} is before {start_column} {start}")
        if row["date_labellisation"]:
            add((iri, ti.dateLabellisation, start))
        period = URIRef(f"{iri}#periode")
        self.locations.add(period, location)
        add((iri, ti.periodeLabellisation, period))
        add((period, RDF.type, TIME.Interval))
        deduced = set(row.get("deduit", "").split())
        self._provenance(iri, row, deduced - {"epci"})
        self._provenance(period, row, deduced & {start_column, "fin_mandat"})
        for name, value, prop, link, column in (
                ("debut", start, start_property, TIME.hasBeginning, start_column),
                ("fin", end, end_property, TIME.hasEnd, "fin_mandat")):
            instant = URIRef(f"{iri}#{name}")
            self.locations.add(instant, location)
            add((period, link, instant))
            add((instant, RDF.type, TIME.Instant))
            add((instant, prop, value))
            self._provenance(instant, row, deduced & {column})

    def _provenance(self, iri: URIRef, row: dict[str, str], deduced: set[str]) -> None:
        """How the row's facts about `iri` were established (docs/MODEL.md, "Provenance"): its
        source, and whether they are cited or deduced (with the row's reasoning)."""
        if row.get("source"):
            self.graph.add((iri, DCTERMS.source, URIRef(self.vocab.base + row["source"])
                            if not re.match(r"^[a-z][a-z0-9+.-]*:", row["source"])
                            else URIRef(row["source"])))
        mode = "deduit" if deduced else "cite"
        self.graph.add((iri, self.ti.modeEtablissement, self.vocab.concept("mode-etablissement", mode)))
        if deduced and row.get("raisonnement"):
            self.graph.add((iri, RDFS.comment, Literal(row["raisonnement"], lang="fr")))

    def _member(self, slug: str, location: Location, row: dict[str, str]) -> None:
        siren = row["epci_siren"]
        if not SIREN.match(siren):
            raise SourceError(location, f"epci_siren {siren!r} is not 9 digits")
        epci = self.epci.by_siren.get(siren)
        if epci is None:
            raise SourceError(location, f"epci_siren {siren} is not an EPCI of the reference data")
        self._check_official_name(location, row["epci_nom"], siren, row.get("departement") or None)
        if (slug, siren) in self.members:
            raise SourceError(location, f"EPCI {siren} is listed twice for territoire {slug}")
        self.members.add((slug, siren))
        departement = row.get("departement") or None
        if departement and departement not in epci.departements:
            raise SourceError(location, f"EPCI {siren} ({epci.name}) has no commune in "
                                        f"département {departement}")
        if row.get("epci_libelle_source"):
            self._check_name(location, row["epci_libelle_source"], siren, departement)
        add = self.graph.add
        territory = self.vocab.id("territoire", slug)
        membership = URIRef(f"{territory}#membre-{siren}")
        self.locations.add(membership, location)
        self.locations.add(territory, location, ORG.hasMember)
        add((territory, ORG.hasMember, epci.iri))
        # W3C ORG: org:hasMembership is the inverse of org:member, so it points from the member
        add((epci.iri, ORG.hasMembership, membership))
        add((membership, RDF.type, ORG.Membership))
        add((membership, ORG.member, epci.iri))
        add((membership, ORG.organization, territory))
        add((membership, ORG.role, self.vocab.concept("role", "membre")))
        add((membership, ORG.memberDuring, URIRef(f"{territory}#periode")))
        self._provenance(membership, row, set(row.get("deduit", "").split()) & {"epci"})
        if row.get("epci_libelle_source"):
            name = row["epci_libelle_source"]
            add((epci.iri, label_kind(name, epci.name), Literal(name, lang="fr")))

    def _check_official_name(self, location: Location, name: str, siren: str,
                             departement: str | None) -> None:
        """`epci_nom` is the reference name of `epci_siren`: a valid SIREN of another EPCI (a
        typo that keeps the check digit right, a row copied from a neighbour) is caught here."""
        official = self.epci.by_siren[siren].name
        if name_key(name) == name_key(official):
            return
        named = [s for s in self.epci.resolve(name, departement) if s != siren]
        hint = f"; {name!r} is EPCI {', '.join(named)}" if named else ""
        raise SourceError(location, f"epci_nom {name!r} is not the name of EPCI {siren}, "
                                    f"which is {official!r}: check epci_siren{hint}")

    def _check_name(self, location: Location, name: str, siren: str, departement: str | None):
        found = self.epci.resolve(name, departement)
        where = f" in département {departement}" if departement else ""
        if not found:
            raise SourceError(location, f"epci_libelle_source {name!r} matches no EPCI{where}")
        if len(found) > 1:
            names = ", ".join(f"{s} ({self.epci.by_siren[s].name})" for s in found)
            raise SourceError(location, f"epci_libelle_source {name!r} is ambiguous{where}: {names}")
        if found[0] != siren:
            raise SourceError(location, f"epci_libelle_source {name!r} is EPCI {found[0]} "
                                        f"({self.epci.by_siren[found[0]].name}), not {siren}")


def label_kind(source_name: str, official: str):
    """A source's spelling of an EPCI is a label to show (skos:altLabel) when it is the official
    name short of its legal form and leading articles ("Val de Morteau" for "CC du Val de
    Morteau"), and a misspelling kept for search only (skos:hiddenLabel) otherwise ("Plateau du
    Russey" for "CC du Plateau de Russey")."""
    words, key = fold(official).split(), name_key(official).split()
    first = words.index(key[0]) if key else 0
    return SKOS.altLabel if fold(source_name) == " ".join(words[first:]) else SKOS.hiddenLabel


def load(vocab: Vocabulary, directory: Path, graph: Graph, epci: EpciIndex) -> SourceGraph:
    """Map the territory lists of `directory` into `graph`."""
    files = sorted(directory.glob("*.csv"))
    mapper = TerritoryMapper(vocab, epci, graph)
    for path in files:
        for location, row in read_rows(path):
            mapper.row(location, row)
    return SourceGraph(directory.name, graph.identifier, graph, files, mapper.locations)
