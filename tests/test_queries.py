"""The example queries of `examples/*.rq`: each one parses, is documented by its title comments,
keeps the base in its one `BASE` line, and answers on the real build.

The expected answers are written by hand from the sources (the article, the official
geography of the Code officiel géographique), never copied from a query's output.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from territoires.config import ROOT

from .conftest import BASE

QUERIES_DIR = ROOT / "examples"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))

ARTICLE = f"{BASE}id/document/article-grand-besancon-territoire-d-industrie"
ARTICLE_GRAPH = f"{BASE}graph/article-grand-besancon"
ALLIANCES = f"{BASE}id/territoire/alliances-luxe-precision-doubs"
HAUT_DOUBS = f"{BASE}id/territoire/haut-doubs"

# The six intercommunalités named by the article, by SIREN (official EPCI list), with the number
# of member communes of each in the Code officiel géographique.
COMMUNES_PER_EPCI = {
    "242500361": 67,  # CU Grand Besançon Métropole
    "200068070": 71,  # CC Loue-Lison
    "242504116": 8,   # CC du Val de Morteau
    "242504355": 17,  # CC du Plateau de Russey
    "200023075": 42,  # CC du Pays de Maîche
    "242504181": 47,  # CC des Portes du Haut-Doubs
}
GRAND_BESANCON = "242500361"
HAUT_DOUBS_EPCI = {"242504116", "242504355", "200023075", "242504181", "200068070"}


# --- helpers ----------------------------------------------------------------------------------

def run(full_store: ox.Store, name: str) -> list[dict[str, object]]:
    """Rows of one query file (by its file-name prefix, e.g. "01"), each a {variable: term} dict."""
    (path,) = [p for p in QUERY_FILES if p.name.startswith(f"{name}-")]
    solutions = full_store.engine.query(path.read_text(encoding="utf-8"), **full_store.dataset())
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names} for row in solutions]


def iri(term) -> str | None:
    assert term is None or isinstance(term, ox.NamedNode), term
    return None if term is None else term.value


def text(term) -> str | None:
    assert term is None or isinstance(term, ox.Literal), term
    return None if term is None else term.value


def number(term) -> Decimal:
    assert isinstance(term, ox.Literal), term
    return Decimal(term.value)


def header(path: Path) -> list[str]:
    """The comment lines at the top of a query file."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


# --- every query file -------------------------------------------------------------------------

def test_there_are_example_queries():
    assert len(QUERY_FILES) >= 9


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_query_parses(path):
    # an empty in-memory store parses the query, resolves its prefixes and evaluates it
    ox.Store().query(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_query_has_titles_and_description(path):
    lines = header(path)
    assert len(lines) >= 3, "a title, an English title and at least one description line"
    assert re.fullmatch(r"# title: \S.*", lines[0]), lines[0]
    assert re.fullmatch(r"# title-en: \S.*", lines[1]), lines[1]
    assert all(re.fullmatch(r"# \S.*", line) for line in lines[2:]), lines[2:]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_base_is_only_in_the_base_line(path):
    """The server substitutes its own base in the one BASE line: the project's IRIs must be
    relative everywhere else."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if not line.startswith("#")]
    assert body[0] == f"BASE <{BASE}>"
    assert sum(1 for line in lines if BASE in line) == 1
    assert sum(1 for line in body if line.lstrip().upper().startswith("BASE")) == 1


# --- the answers --------------------------------------------------------------------------------

def test_epci_of_the_territory(full_store):
    rows = run(full_store, "01")
    by_siren = {text(r["siren"]): r for r in rows}
    assert set(by_siren) == set(COMMUNES_PER_EPCI)
    assert len(rows) == 6
    for siren, communes in COMMUNES_PER_EPCI.items():
        assert number(by_siren[siren]["nombreCommunes"]) == communes, siren
        assert number(by_siren[siren]["populationTotale"]) > 0
        assert text(by_siren[siren]["nom"])
    assert number(by_siren[GRAND_BESANCON]["populationTotale"]) == 203293
    assert "Grand Besançon" in text(by_siren[GRAND_BESANCON]["nom"])
    assert text(by_siren[GRAND_BESANCON]["formeJuridique"]) == "communauté urbaine"


def test_population_and_communes_of_the_territory(full_store):
    (row,) = run(full_store, "02")
    assert iri(row["territoire"]) == ALLIANCES
    assert number(row["nombreEpci"]) == 6
    assert number(row["nombreCommunes"]) == 67 + 71 + 8 + 17 + 42 + 47 == 252
    # the total is the sum of the six EPCI populations that query 01 lists, each counted once
    populations = [number(r["populationTotale"]) for r in run(full_store, "01")]
    assert number(row["populationTotale"]) == sum(populations)
    assert number(row["populationTotale"]) > 203293


def test_perimeter_change_since_phase_one(full_store):
    rows = run(full_store, "03")
    assert {iri(r["precedent"]) for r in rows} == {HAUT_DOUBS}
    changes = {}
    for r in rows:
        changes.setdefault(text(r["changement"]), set()).add(text(r["siren"]))
    assert changes.get("ajoutée") == {GRAND_BESANCON}
    assert changes.get("retirée", set()) == set()
    assert changes.get("maintenue") == HAUT_DOUBS_EPCI


def test_governance_pair_and_their_other_roles(full_store):
    rows = run(full_store, "04")
    roles = {(text(r["nom"]), iri(r["role"])) for r in rows}
    assert roles == {
        ("Cédric Bôle", f"{BASE}def/role/elu-referent"),
        ("Nathalie Augé", f"{BASE}def/role/referent-industriel"),
    }
    others = {(text(r["nom"]), iri(r["autreRole"]), iri(r["autreOrganisation"])) for r in rows}
    assert ("Cédric Bôle", f"{BASE}def/role/president", f"{BASE}id/epci/242504116") in others
    assert ("Nathalie Augé", f"{BASE}def/role/dirigeant",
            f"{BASE}id/organisation/auge-microtechnic") in others
    # the elected co-lead has held the role since the programme's first version (Haut-Doubs)
    assert ("Cédric Bôle", f"{BASE}def/role/elu-referent", HAUT_DOUBS) in others
    names = {text(r["nomAutreOrganisation"]) for r in rows}
    assert any("Val de Morteau" in n for n in names)
    assert any("Augé Microtechnic" in n for n in names)


def test_people_quoted(full_store):
    rows = run(full_store, "05")
    assert {text(r["nom"]) for r in rows} == {"Anne Vignot"}
    row = rows[0]
    assert iri(row["sujet"]) == ALLIANCES
    assert iri(row["document"]) == ARTICLE
    assert iri(row["affiliation"]) == f"{BASE}id/epci/{GRAND_BESANCON}"
    assert "Grand Besançon" in text(row["texte"])


def test_label_date_and_term(full_store):
    rows = run(full_store, "06")
    assert len(rows) == 1
    (row,) = rows
    assert row["dateLabellisation"] == ox.Literal(
        "2023-11-09", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    assert text(row["debut"]) == "2023-11-09"
    assert text(row["fin"]) == "2027"
    assert text(row["duree"]) == "P4Y"
    assert number(row["numeroPhase"]) == 2


def test_state_funding(full_store):
    rows = run(full_store, "07")
    assert len(rows) == 1
    (row,) = rows
    assert number(row["montant"]) == 500_000_000
    assert text(row["devise"]) == "EUR"
    assert number(row["nombreTerritoires"]) == 183
    assert text(row["debut"]) == "2023"
    assert text(row["fin"]) == "2027"
    assert text(row["duree"]) == "P5Y"
    assert "industrie verte" in text(row["objet"])
    assert iri(row["financeur"]) == f"{BASE}id/organisation/etat"
    assert iri(row["phase"]) == f"{BASE}id/phase/territoires-d-industrie-2"


def test_five_pillars_in_grand_besancon(full_store):
    rows = run(full_store, "08")
    assert {iri(r["epci"]) for r in rows} == {f"{BASE}id/epci/{GRAND_BESANCON}"}
    assert {text(r["libelle"]) for r in rows} == {
        "soutien à l'innovation",
        "transitions écologique et énergétique",
        "accès au foncier",
        "transmission de compétences",
        "promotion des métiers industriels et des filières d'excellence",
    }
    assert len({iri(r["pilier"]) for r in rows}) == 5


def test_salaries_by_sector_2022(full_store):
    rows = run(full_store, "09")
    salaries = {text(r["libelleSecteur"]): number(r["salaireNetMensuelEuros"]) for r in rows}
    assert salaries == {"industrie": 2906, "construction": 2344, "tertiaire": 2601}
    assert len(rows) == 3
    assert {text(r["annee"]) for r in rows} == {"2022"}
    assert {iri(r["source"]) for r in rows} == {ARTICLE}
    assert {text(r["producteur"]) for r in rows} == {"Insee"}


def test_share_of_industry_in_national_wealth(full_store):
    rows = run(full_store, "10")
    assert len(rows) == 2
    by_year = {int(text(r["annee"])): r for r in rows}
    then, now = min(by_year), max(by_year)
    assert then == 1973
    assert now > 1973
    assert number(by_year[then]["partPourcent"]) == 22
    assert number(by_year[now]["partPourcent"]) == 11
    assert {iri(r["source"]) for r in rows} == {ARTICLE}


def test_where_auge_microtechnic_is(full_store):
    rows = run(full_store, "11")
    assert len(rows) == 1
    (row,) = rows
    assert text(row["codeInsee"]) == "25560"
    assert text(row["nomCommune"]) == "Thise"
    assert iri(row["commune"]) == f"{BASE}id/commune/25560"
    assert text(row["siren"]) == GRAND_BESANCON
    assert iri(row["territoire"]) == ALLIANCES


def test_provenance_of_a_fact(full_store):
    rows = run(full_store, "12")
    assert {text(r["valeur"]) for r in rows} == {"2023-11-09"}
    article_rows = [r for r in rows if iri(r["graphe"]) == ARTICLE_GRAPH]
    assert article_rows, "the curated fact is in the article's graph"
    # the article, and the register cited for the one office the article does not give
    assert {iri(r["derivedFrom"]) for r in article_rows} == {
        ARTICLE, f"{BASE}id/document/repertoire-national-des-elus"}
    assert {iri(r["source"]) for r in article_rows} == {ARTICLE}
    assert {iri(r["sourceDuSujet"]) for r in article_rows} == {ARTICLE}
    assert all(text(r["titreSource"]).startswith("Territoire d’industrie") for r in article_rows)
    # the label date's year is deduced (the article gives day and month): marked where it sits
    assert {iri(r["mode"]) for r in rows} == {f"{BASE}def/mode-etablissement/deduit"}


def _vendored(name: str) -> list[dict[str, str]]:
    from territoires.sources import snapshot

    return [row for _, row in snapshot.rows(ROOT / "data" / "reference", name)]


def test_populations_by_vintage_and_the_two_sums(full_store):
    """Query 17: the Data Cube observations carry their Insee vintage and source, one row per
    vintage; the 2023 sum over the territory's communes and the sum of its EPCI's municipal populations are both
    recomputed here from the vendored CSV files, and differ (docs/MODEL.md, "Populations")."""
    rows = run(full_store, "17")
    epci = {r["siren"]: r for r in _vendored("epci")}
    members = {r["commune"] for r in _vendored("epci_membres") if r["epci"] in COMMUNES_PER_EPCI}
    communes = {r["code"]: r for r in _vendored("communes") if r["type"] == "commune-actuelle"}
    vintages = [text(r["millesime"]) for r in rows]
    assert vintages == sorted(set(vintages)) and len(vintages) >= 4     # one row per vintage
    assert all(iri(r["source"]).startswith("https://www.insee.fr/") for r in rows)
    assert len({iri(r["source"]) for r in rows}) == len(rows)           # each its own table
    assert all(number(r["communes"]) == len(members) == sum(COMMUNES_PER_EPCI.values())
               for r in rows)
    (row,) = [r for r in rows if text(r["millesime"]) == "2023"]       # the reference's vintage
    assert number(row["sommeCommunes"]) == sum(int(communes[c]["population"]) for c in members)
    assert number(row["sommeEpci"]) == sum(int(epci[s]["population_municipale"])
                                            for s in COMMUNES_PER_EPCI)
    assert number(row["sommeCommunes"]) != number(row["sommeEpci"])


def test_how_each_fact_was_established(full_store):
    """Query 18: every curated or territory-list resource cites an IRI and says how its facts
    were established; every deduction gives its reasoning."""
    rows = run(full_store, "18")
    modes = {iri(r["ressource"]): iri(r["mode"]).rsplit("/", 1)[1] for r in rows}
    assert set(modes.values()) == {"cite", "deduit", "reference"}
    assert all(isinstance(r["source"], ox.NamedNode) for r in rows)
    deduced = {iri(r["ressource"]) for r in rows if modes[iri(r["ressource"])] == "deduit"}
    reasoned = {iri(r["ressource"]) for r in rows if r["raisonnement"] is not None}
    assert deduced <= reasoned
    for siren in HAUT_DOUBS_EPCI:   # the five Haut-Doubs EPCI are deduced, not read
        assert modes[f"{HAUT_DOUBS}#membre-{siren}"] == "deduit"
    assert modes[f"{ALLIANCES}#membre-{GRAND_BESANCON}"] == "cite"
    vignot = [r for r in rows if iri(r["ressource"]).endswith("#role-anne-vignot")]
    assert {iri(r["source"]) for r in vignot} == {f"{BASE}id/document/repertoire-national-des-elus"}


# --- history of the geography (graph/historique), expected from the vendored vintages --------

HISTORY = ROOT / "data" / "historique"


def vintage(year: int, name: str) -> list[dict[str, str]]:
    import csv
    import gzip
    with gzip.open(HISTORY / str(year) / f"{name}.csv.gz", "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def epci_of(year: int) -> dict[str, str]:
    return {r["commune"]: r["epci"] for r in vintage(year, "epci_membres")}


def test_communes_at_labelling_and_today_with_the_reason(full_store):
    rows = run(full_store, "13")
    six = set(COMMUNES_PER_EPCI)
    then = {c for c, e in epci_of(2023).items() if e in six}
    now = {c for c, e in epci_of(2026).items() if e in six}
    code = lambda r: iri(r["commune"]).rsplit("/", 1)[1]
    assert {code(r) for r in rows if text(r["alaLabellisation"]) == "true"} == then
    assert {code(r) for r in rows if text(r["aujourdhui"]) == "true"} == now
    explained = {code(r) for r in rows if r["raison"] is not None}
    assert explained == then ^ now and explained
    assert all(text(r["explication"]) for r in rows if r["raison"] is not None)


def test_new_communes_since_2019_in_the_doubs(full_store):
    rows = run(full_store, "14")
    expected = set()
    years = [2019, 2021, 2022, 2023, 2024, 2025, 2026]   # the vintages with a commune list
    for before, year in zip(years, years[1:]):
        old = {r["code"] for r in vintage(before, "communes") if r["type"] == "commune-actuelle"}
        rows_now = vintage(year, "communes")
        now = {r["code"]: r for r in rows_now if r["type"] == "commune-actuelle"}
        for gone in old - set(now):
            into = next((r["rattachement"] if r["code"] == gone else r["code"] for r in rows_now
                         if r["code"] == gone and r["type"] != "commune-actuelle"
                         or gone in r["anciens_codes"].split()), None)
            if into and now[into]["departement"] == "25":
                expected.add((into, year))
    found = {(iri(r["communeNouvelle"]).rsplit("/", 1)[1], int(text(r["annee"]))) for r in rows}
    # a merger between 2019 and 2021 is dated 2020 when the 2020 EPCI lists no longer have it
    assert {(c, 2021 if y == 2020 else y) for c, y in found} == expected and expected


def test_epci_whose_perimeter_changed_in_2024(full_store):
    before, after = epci_of(2023), epci_of(2024)
    entered, left = {}, {}
    for commune, epci in after.items():
        if before.get(commune) != epci:
            entered[epci] = entered.get(epci, 0) + 1
    for commune, epci in before.items():
        if after.get(commune) != epci:
            left[epci] = left.get(epci, 0) + 1
    rows = run(full_store, "15")
    found = {iri(r["epci"]).rsplit("/", 1)[1]: (int(number(r["communesEntrees"])),
                                               int(number(r["communesSorties"]))) for r in rows}
    assert found == {e: (entered.get(e, 0), left.get(e, 0)) for e in set(entered) | set(left)}


def test_epci_of_a_commune_in_every_year(full_store):
    rows = run(full_store, "16")
    expected = {year: e for year in (2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026)
                for c, e in epci_of(year).items() if c == "25192"}
    assert {int(text(r["annee"])): iri(r["epci"]).rsplit("/", 1)[1] for r in rows} == expected
    assert len(set(expected.values())) == 2
