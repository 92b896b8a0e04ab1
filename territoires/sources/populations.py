"""Legal populations over time as RDF Data Cube observations, each saying its concept, its
vintage and its producer (`graph/populations`, dataset `id/statistique/populations-legales`,
structure `ti:dsd-populations`).

Dimensions `ti:zone` (a commune, an EPCI, a territory), `ti:conceptPopulation` (municipale or
totale, `def/concept-population`) and `ti:periodeReference` (Insee's millésime: the census
reference year of the figure); measure `ti:populationLegale`; attributes unit, source, producer
(`ti:producteur`: Insee or the DGCL) and how the figure was established (`ti:modeEtablissement`:
`reference` when it is an official figure, `deduit` when this project summed it, with the
reasoning in an `rdfs:comment`).

The figures come from every vendored vintage of the official geography (`data/historique/YYYY/
populations.csv.gz`, see `vintages.py`): communes' municipal populations (Insee), EPCI's
municipal and total populations (the DGCL's list of EPCI). A territory's population, and an
EPCI's of a millésime the DGCL list does not give, is the sum of its communes' over its
perimeter in the geography of the vintage that carries that millésime. The areas published are
the curated territories (`graph/territoires`), their EPCI and every commune that belonged to one
of those EPCI in a vintage: the areas the programme's questions are about, and few enough for
the Data Cube integrity constraints (IC-12 compares observations pairwise) and SHACL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

from ..vocabulary.namespaces import (DCTERMS, LICENCE_OUVERTE, ORG, PROV, QB, RDF, RDFS, SKOS,
    SDMX_ATTRIBUTE, UNIT, XSD, Vocabulary)
from . import vintages
from .base import SourceError, SourceGraph
from .snapshot import SnapshotError

DATASET = "populations-legales"
MUNICIPALE, TOTALE = "municipale", "totale"

# Insee's millésime of the communes' populations each package carries: the Insee page its README
# cites (Besançon: 116,466 in the 2016 figures, 117,912 in 2019's, 118,258 in 2020's, 120,057 in
# 2022's, 118,489 in 2023's). 2022's and 2023's packages carry the same millésime, as do 2025's
# and 2026's; 2020's has no commune list.
COMMUNE_MILLESIME: dict[int, int] = {2019: 2016, 2021: 2019, 2022: 2020, 2023: 2020, 2024: 2022,
                                     2025: 2023, 2026: 2023}
# The DGCL list of EPCI of year Y gives the populations in force on 1 January Y, Insee's of Y-3:
# its municipal figures equal the sums of those communes' in 1,067 (2019), 1,247 (2022), 1,247
# (2023) and 1,208 (2025) of the EPCI. 2026's package repeats 2025's list (same figures).
EPCI_MILLESIME: dict[int, int] = {2019: 2016, 2020: 2017, 2021: 2018, 2022: 2019, 2023: 2020,
                                  2024: 2021, 2025: 2022, 2026: 2022}
INSEE_PAGES: dict[int, str] = {
    2016: "https://www.insee.fr/fr/statistiques/3677855",
    2019: "https://www.insee.fr/fr/statistiques/6011070?sommaire=6011075",
    2020: "https://www.insee.fr/fr/statistiques/6683035?sommaire=6683037",
    2022: "https://www.insee.fr/fr/statistiques/8290591?sommaire=8290669",
    2023: "https://www.insee.fr/fr/statistiques/8680726?sommaire=8681011",
}
DGCL_LIST = URIRef("https://www.collectivites-locales.gouv.fr/institutions/"
                   "liste-et-composition-des-epci-fiscalite-propre")
# The vintage the pages and ti:population read today (the current snapshot's communes).
REFERENCE_VINTAGE = str(COMMUNE_MILLESIME[vintages.CURRENT])
REFERENCE_SOURCE = URIRef(INSEE_PAGES[COMMUNE_MILLESIME[vintages.CURRENT]])


@dataclass(frozen=True)
class Figure:
    """One population of one area: its concept, millésime, producer, source, and for a figure
    this project computed, the reasoning (a comment)."""
    area: URIRef
    code: str           # names the observation: INSEE code, SIREN, territory slug
    concept: str        # MUNICIPALE or TOTALE
    millesime: int
    population: int
    producer: str       # "insee" or "dgcl": an organisation's slug
    source: URIRef
    reasoning: str = ""


def observation_iri(vocab: Vocabulary, figure: Figure) -> URIRef:
    """`…/populations-legales/2023/25056` for a municipal population (the IRIs published before
    the concepts were), `…/2022/242500361/totale` for a total one."""
    tail = "" if figure.concept == MUNICIPALE else f"/{figure.concept}"
    return URIRef(f"{vocab.id('statistique', DATASET)}/{figure.millesime}/{figure.code}{tail}")


def observations(vocab: Vocabulary, graph: Graph, figures: Iterable[Figure]) -> int:
    """Add one observation per figure to `graph` (all at once: `addN`); returns how many."""
    ti, dataset, context = vocab.ti, vocab.id("statistique", DATASET), graph
    reference, deduced = (vocab.concept("mode-etablissement", m) for m in ("reference", "deduit"))
    concepts = {c: vocab.concept("concept-population", c) for c in (MUNICIPALE, TOTALE)}
    producers: dict[str, URIRef] = {}
    quads, count = [], 0
    for f in figures:
        obs = observation_iri(vocab, f)
        producer = producers.setdefault(f.producer, vocab.id("organisation", f.producer))
        quads += [(obs, RDF.type, QB.Observation, context), (obs, QB.dataSet, dataset, context),
                  (obs, ti.zone, f.area, context), (obs, ti.conceptPopulation, concepts[f.concept], context),
                  (obs, ti.periodeReference, Literal(str(f.millesime), datatype=XSD.gYear), context),
                  (obs, ti.populationLegale, Literal(f.population, datatype=XSD.integer), context),
                  (obs, SDMX_ATTRIBUTE.unitMeasure, UNIT.NUM, context),
                  (obs, DCTERMS.source, f.source, context), (obs, ti.producteur, producer, context),
                  (obs, ti.modeEtablissement, deduced if f.reasoning else reference, context)]
        if f.reasoning:
            quads.append((obs, RDFS.comment, Literal(f.reasoning, lang="fr"), context))
        count += 1
    graph.addN(quads)
    return count


# -- reading the vintages ------------------------------------------------------------------

@dataclass
class Vintages:
    """Each vintage's populations and EPCI members, read from the vendored files."""
    communes: dict[int, dict[str, int]]                    # year → INSEE code → municipale
    epci: dict[int, dict[str, tuple[int, int]]]            # year → SIREN → (municipale, totale)
    members: dict[int, dict[str, list[str]]]               # year → SIREN → INSEE codes

    @classmethod
    def read(cls, root: Path, epci_of: dict[int, dict[str, str]] | None = None) -> "Vintages":
        """`epci_of` (year → commune → SIREN), when the history has read it already, saves
        reading the memberships again."""
        communes, epci, members = {}, {}, {}
        for year in vintages.YEARS:
            communes[year], epci[year] = {}, {}
            path = vintages.directory(root, year) / "populations.csv.gz"
            try:
                rows = vintages.table(root, year, "populations")
                memberships = ([(s, c) for c, s in epci_of[year].items()] if epci_of else
                               vintages.table(root, year, "epci_membres"))
            except SnapshotError as error:
                raise SourceError(error.where, error.message) from None
            for line, (level, code, municipale, totale) in enumerate(rows, start=2):
                try:
                    if level == "commune":
                        communes[year][code] = int(municipale)
                    elif level == "epci":
                        epci[year][code] = (int(municipale), int(totale))
                    else:
                        raise ValueError(f"niveau {level!r}: expected commune or epci")
                except ValueError as error:
                    raise SourceError(f"{path}:{line}", str(error)) from None
            by_epci: dict[str, list[str]] = defaultdict(list)
            for siren, code in memberships:
                by_epci[siren].append(code)
            members[year] = dict(by_epci)
        return cls(communes, epci, members)


@dataclass(frozen=True)
class Territory:
    iri: URIRef
    slug: str
    epci: tuple[str, ...]    # SIRENs


def curated_territories(vocab: Vocabulary, territories: Graph) -> list[Territory]:
    found = []
    for iri in sorted(set(territories.subjects(RDF.type, vocab.ti.TerritoireIndustrie))):
        sirens = sorted(str(territories.value(e, vocab.ti.siren) or str(e).rsplit("/", 1)[-1])
                        for e in territories.objects(iri, ORG.hasMember))
        if sirens:
            found.append(Territory(iri, str(iri).rstrip("/").rsplit("/", 1)[-1], tuple(sirens)))
    return found


def figures(vocab: Vocabulary, read: Vintages, territories: list[Territory]) -> list[Figure]:
    """Every figure of the territories, their EPCI and the communes those EPCI ever had: one per
    area, concept and millésime (the first vintage that carries a millésime gives it)."""
    sirens = sorted({s for t in territories for s in t.epci})
    scope = {c for members in read.members.values() for s in sirens for c in members.get(s, ())}
    found: dict[tuple[str, str, int], Figure] = {}

    def add(figure: Figure) -> None:
        found.setdefault((figure.code, figure.concept, figure.millesime), figure)

    for year in vintages.YEARS:
        millesime = COMMUNE_MILLESIME.get(year)
        if millesime is not None:
            source = URIRef(INSEE_PAGES[millesime])
            for code in sorted(scope & read.communes[year].keys()):
                add(Figure(vocab.id("commune", code), code, MUNICIPALE, millesime,
                           read.communes[year][code], "insee", source))
        for siren in sirens:
            if siren in read.epci[year]:
                municipale, totale = read.epci[year][siren]
                for concept, value in ((MUNICIPALE, municipale), (TOTALE, totale)):
                    add(Figure(vocab.id("epci", siren), siren, concept, EPCI_MILLESIME[year],
                               value, "dgcl", DGCL_LIST))
    for year in vintages.YEARS:     # after the official figures: a sum never replaces one
        for figure in _sums(vocab, read, year, sirens, territories, found):
            add(figure)
    return [found[key] for key in sorted(found, key=lambda k: (k[0], k[1], k[2]))]


def _sums(vocab: Vocabulary, read: Vintages, year: int, sirens: list[str],
          territories: list[Territory], found: dict) -> list[Figure]:
    """The municipal sums of a vintage's communes over each EPCI and territory of that vintage,
    and each territory's total as the sum of its EPCI's (the DGCL's) totals."""
    out = []
    millesime = COMMUNE_MILLESIME.get(year)
    members, populations = read.members[year], read.communes[year]
    if millesime is not None:
        source = URIRef(INSEE_PAGES[millesime])
        for siren in sirens:
            codes = members.get(siren)
            if codes and (siren, MUNICIPALE, millesime) not in found:
                out.append(Figure(vocab.id("epci", siren), siren, MUNICIPALE, millesime,
                                  sum(populations.get(c, 0) for c in codes), "insee", source,
                                  _reasoning(len(codes), millesime, year)))
        for t in territories:
            if all(s in members for s in t.epci):
                codes = {c for s in t.epci for c in members[s]}
                out.append(Figure(t.iri, t.slug, MUNICIPALE, millesime,
                                  sum(populations.get(c, 0) for c in codes), "insee", source,
                                  _reasoning(len(codes), millesime, year)))
    for t in territories:
        if all(s in read.epci[year] for s in t.epci):
            out.append(Figure(t.iri, t.slug, TOTALE, EPCI_MILLESIME[year],
                              sum(read.epci[year][s][1] for s in t.epci), "dgcl", DGCL_LIST,
                              f"Somme des populations totales de ses {len(t.epci)} EPCI dans la "
                              f"liste des EPCI de la DGCL de {year} (populations légales "
                              f"{EPCI_MILLESIME[year]} de l'Insee), calculée par ce projet."))
    return out


def _reasoning(communes: int, millesime: int, year: int) -> str:
    return (f"Somme des populations municipales {millesime} (Insee) de ses {communes} communes "
            f"dans la géographie du 1er janvier {year} (COG {year}), calculée par ce projet.")


# -- the named graph -------------------------------------------------------------------------

def load(vocab: Vocabulary, history_dir: Path, curated: list[SourceGraph], dataset: Dataset,
         descriptions: Graph, epci_of: dict[int, dict[str, str]] | None = None) -> SourceGraph:
    """`graph/populations`: every vintage's populations of the curated territories' areas
    (`epci_of`: the history's memberships by year, if read already)."""
    iri = vocab.graph("populations")
    graph = dataset.graph(iri)
    read = Vintages.read(history_dir, epci_of)
    territories = [t for source in curated for t in curated_territories(vocab, source.graph)]
    _dataset(vocab, graph)
    _producers(vocab, graph)
    observations(vocab, graph, figures(vocab, read, territories))
    _describe(vocab, descriptions, iri, [source.iri for source in curated])
    files = sorted(history_dir.glob("*/populations.csv.gz"))
    return SourceGraph("populations", iri, graph, files + [f for s in curated for f in s.files])


def _dataset(vocab: Vocabulary, graph: Graph) -> None:
    ti, dataset = vocab.ti, vocab.id("statistique", DATASET)
    graph.add((dataset, RDF.type, QB.DataSet))
    graph.add((dataset, QB.structure, ti["dsd-populations"]))
    for lang, label in (("fr", "Populations légales des territoires, de leurs EPCI et communes, "
                               "par concept et millésime"),
                        ("en", "Legal populations of the territories, their EPCI and communes, "
                               "by concept and vintage")):
        graph.add((dataset, RDFS.label, Literal(label, lang=lang)))
        graph.add((dataset, DCTERMS.title, Literal(label, lang=lang)))
    graph.add((dataset, DCTERMS.description, Literal(
        "Population municipale (Insee) de chaque commune pour chaque millésime des populations "
        "légales repris par une version de la géographie officielle depuis 2019 ; populations "
        "municipale et totale de chaque EPCI selon la liste de la DGCL ; population d'un "
        "territoire (et d'un EPCI pour un millésime que la DGCL ne donne pas) calculée comme la "
        "somme de ses communes dans son périmètre de ce millésime.", lang="fr")))
    graph.add((dataset, DCTERMS.creator, vocab.id("organisation", "insee")))
    graph.add((dataset, DCTERMS.creator, vocab.id("organisation", "dgcl")))
    for millesime in sorted(INSEE_PAGES):
        graph.add((dataset, DCTERMS.source, URIRef(INSEE_PAGES[millesime])))
    graph.add((dataset, DCTERMS.source, DGCL_LIST))
    graph.add((dataset, ti.modeEtablissement, vocab.concept("mode-etablissement", "reference")))


def _producers(vocab: Vocabulary, graph: Graph) -> None:
    """The DGCL (Insee is described with the article's statistics)."""
    dgcl = vocab.id("organisation", "dgcl")
    graph.add((dgcl, RDF.type, ORG.FormalOrganization))
    for lang in ("fr", "en"):
        graph.add((dgcl, SKOS.prefLabel, Literal("DGCL", lang=lang)))
        graph.add((dgcl, RDFS.label, Literal("DGCL", lang=lang)))
    graph.add((dgcl, SKOS.altLabel, Literal("Direction générale des collectivités locales",
                                            lang="fr")))
    graph.add((dgcl, SKOS.altLabel, Literal("Directorate General for Local Authorities",
                                            lang="en")))
    graph.add((dgcl, DCTERMS.source, DGCL_LIST))
    graph.add((dgcl, vocab.ti.modeEtablissement, vocab.concept("mode-etablissement", "reference")))


def _describe(vocab: Vocabulary, graph: Graph, iri: URIRef, derived_from: list[URIRef]) -> None:
    graph.add((iri, RDF.type, vocab.ti.SourceGraph))
    graph.add((iri, DCTERMS.title, Literal(
        "Populations légales par millésime (RDF Data Cube)", lang="fr")))
    graph.add((iri, DCTERMS.title, Literal(
        "Legal populations by vintage (RDF Data Cube)", lang="en")))
    graph.add((iri, PROV.wasDerivedFrom, vocab.graph("historique")))
    for source in derived_from:
        graph.add((iri, PROV.wasDerivedFrom, source))
    graph.add((iri, DCTERMS.license, LICENCE_OUVERTE))
    insee, dgcl = vocab.id("organisation", "insee"), vocab.id("organisation", "dgcl")
    for millesime, page in sorted(INSEE_PAGES.items()):
        graph.add((iri, DCTERMS.source, URIRef(page)))
        graph.add((URIRef(page), DCTERMS.title, Literal(
            f"Insee, populations légales {millesime} (en vigueur au 1er janvier "
            f"{millesime + 3})", lang="fr")))
        graph.add((URIRef(page), DCTERMS.publisher, insee))
    graph.add((iri, DCTERMS.source, DGCL_LIST))
    graph.add((DGCL_LIST, DCTERMS.title, Literal(
        "DGCL, liste et composition des EPCI à fiscalité propre (au 1er janvier de chaque "
        "année), via @etalab/decoupage-administratif", lang="fr")))
    graph.add((DGCL_LIST, DCTERMS.publisher, dgcl))
