"""The history of the official geography (graph/historique): every vintage of
`@etalab/decoupage-administratif` since 2019 as the graph holds it.

Expectations are read from the vendored vintage files with the csv module, independently of the
code that maps them (territoires/sources/timeline.py)."""

from __future__ import annotations

import csv
import gzip
import shutil
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from territoires import queries
from territoires.sources import snapshot, vintages
from territoires.config import ROOT

from .conftest import BASE

HISTORY = ROOT / "data" / "historique"
PREFIXES = (f"PREFIX ti: <{BASE}def/territoires#> PREFIX org: <http://www.w3.org/ns/org#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> ")


def table(root: Path, year: int, name: str) -> list[dict[str, str]]:
    with gzip.open(root / str(year) / f"{name}.csv.gz", "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def actuelles(root: Path, year: int) -> dict[str, dict[str, str]]:
    """The communes of a vintage (the zones of the overseas collectivities, whose code starts
    with their collectivity's, are no communes: tests/test_overseas.py)."""
    return {r["code"]: r for r in table(root, year, "communes") if r["type"] == "commune-actuelle"
            and r["code"][:3] not in snapshot.OVERSEAS_COLLECTIVITIES}


def scalar(store, query: str) -> int:
    return int(next(iter(store.engine.query(PREFIXES + query, **store.dataset())))[0].value)


def values(store, query: str) -> list[str]:
    return sorted(row[0].value for row in store.engine.query(PREFIXES + query, **store.dataset()))


def in_vintage(year: int, cls: str) -> str:
    """What exists in a vintage: current things with no dated existence, and those whose dated
    existence covers the vintage."""
    return f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
      {{ ?x a ti:{cls} FILTER NOT EXISTS {{ ?x ti:existeDurant ?any }} }}
      UNION
      {{ ?x ti:existeDurant/ti:millesime/ti:annee {year} .
         {{ ?x a ti:{cls} }} UNION {{ ?x ti:etaitUne ti:{cls} }} }} }}"""


def members_in(year: int) -> str:
    return f"""SELECT (COUNT(*) AS ?n) WHERE {{
      {{ ?m org:member ?c ; org:organization ?e ; org:memberDuring/ti:millesime/ti:annee {year} }}
      UNION
      {{ VALUES ?kind {{ ti:EPCI ti:CollectiviteStatutParticulier }}   # the package's EPCI
         ?e a ?kind ; org:hasMember ?c .
         FILTER NOT EXISTS {{ ?d org:member ?c ; org:organization ?e ;
                                 org:memberDuring/ti:millesime ?v }} }} }}"""


@pytest.mark.parametrize("year", vintages.YEARS)
def test_each_vintage_counts_equal_the_vendored_files(full_store, year):
    # The package's EPCI: the graph's, and the Métropole de Lyon (tests/test_lyon.py).
    assert scalar(full_store, in_vintage(year, "EPCI")) + scalar(
        full_store, in_vintage(year, "CollectiviteStatutParticulier")) == \
        len(table(HISTORY, year, "epci"))
    assert scalar(full_store, members_in(year)) == len(table(HISTORY, year, "epci_membres"))
    if year not in vintages.WITHOUT_COMMUNES:
        assert scalar(full_store, in_vintage(year, "Commune")) == len(actuelles(HISTORY, year))


def test_the_current_vintage_is_the_reference_snapshot():
    """The history's last vintage and graph/cog are the same geography."""
    def pairs(path):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return sorted((r["epci"], r["commune"]) for r in csv.DictReader(handle))
    assert pairs(HISTORY / str(vintages.CURRENT) / "epci_membres.csv.gz") == \
        pairs(ROOT / "data" / "reference" / "epci_membres.csv.gz")


# --- three communes of the Doubs, each with its full history (the small build) ---------------

def epci_by_year(root: Path, code: str) -> dict[int, str]:
    return {year: r["epci"] for year in vintages.YEARS
            for r in table(root, year, "epci_membres") if r["commune"] == code}


def graph_epci_by_year(store, code: str) -> dict[int, str]:
    rows = store.select(queries.get("history/epci-by-year"),
                        commune=ox.NamedNode(f"{BASE}id/commune/{code}"))
    found = defaultdict(list)
    for row in rows:
        found[int(row["annee"].value)].append(row["epci"].value.rsplit("/", 1)[1])
    assert all(len(e) == 1 for e in found.values()), found
    return {year: e[0] for year, e in found.items()}


def pick(root: Path, test) -> str:
    """The first commune of the Doubs (by code) for which `test(code)` holds in the files."""
    codes = sorted({c for y in vintages.YEARS if y not in vintages.WITHOUT_COMMUNES
                    for c in actuelles(root, y) if c.startswith("25")})
    return next(code for code in codes if test(code))


def test_a_merged_commune_with_its_full_history(store, settings):
    root = settings.data_dir / "historique"
    years = [y for y in vintages.YEARS if y not in vintages.WITHOUT_COMMUNES]
    present = {y: set(actuelles(root, y)) for y in years}
    code = pick(root, lambda c: c in present[years[0]] and c not in present[years[-1]])
    last = max(y for y in years if code in present[y])
    after = years[years.index(last) + 1]
    rows = table(root, after, "communes")
    # It joined the commune it is attached to, or the one that lists it among its former codes.
    into = next(r["rattachement"] if r["code"] == code else r["code"] for r in rows
                if r["code"] == code and r["type"] != "commune-actuelle"
                or code in r["anciens_codes"].split())
    iri = f"<{BASE}id/commune/{code}>"
    assert values(store, f"SELECT ?c WHERE {{ {iri} a ?c }}") == [f"{BASE}def/territoires#EntiteDisparue"]
    assert values(store, f"SELECT ?c WHERE {{ {iri} ti:etaitUne ?c }}") == [f"{BASE}def/territoires#Commune"]
    assert values(store, f"SELECT ?c WHERE {{ {iri} ti:fusionneeDans ?c }}") == [f"{BASE}id/commune/{into}"]
    lived = values(store, f"SELECT ?y WHERE {{ {iri} ti:existeDurant/ti:millesime/ti:annee ?y }}")
    assert int(max(lived)) == last and int(min(lived)) == years[0]
    merger = values(store, f"""SELECT ?y WHERE {{ ?f a ti:Fusion ; ti:communeFusionnee {iri} ;
                                ti:communeNouvelle <{BASE}id/commune/{into}> ;
                                ti:millesime/ti:annee ?y }}""")
    assert merger == [str(after)]
    assert values(store, f"SELECT ?l WHERE {{ {iri} skos:prefLabel ?l }}") == \
        [actuelles(root, last)[code]["nom"]]
    assert graph_epci_by_year(store, code) == epci_by_year(root, code)


def test_a_commune_that_changed_epci_with_its_full_history(store, settings):
    root = settings.data_dir / "historique"
    code = pick(root, lambda c: len(set(epci_by_year(root, c).values())) > 1
                and c in actuelles(root, vintages.CURRENT))
    expected = epci_by_year(root, code)
    assert len(set(expected.values())) > 1
    assert graph_epci_by_year(store, code) == expected
    current = values(store, f"SELECT ?e WHERE {{ ?e org:hasMember <{BASE}id/commune/{code}> }}")
    assert current == [f"{BASE}id/epci/{expected[vintages.CURRENT]}"]


def test_a_renamed_commune_with_its_full_history(store, settings):
    root = settings.data_dir / "historique"
    years = [y for y in vintages.YEARS if y not in vintages.WITHOUT_COMMUNES]
    names = lambda c: [actuelles(root, y)[c]["nom"] for y in years if c in actuelles(root, y)]
    code = pick(root, lambda c: c in actuelles(root, vintages.CURRENT) and len(set(names(c))) > 1)
    iri = f"<{BASE}id/commune/{code}>"
    dated = store.engine.query(PREFIXES + f"""SELECT ?nom ?y WHERE {{ {iri} ti:nomDate ?n .
        ?n ti:nom ?nom ; ti:valableDurant/ti:millesime/ti:annee ?y }}""", **store.dataset())
    by_year = {int(r["y"].value): r["nom"].value for r in dated}
    assert [by_year[y] for y in years] == names(code)
    former = set(names(code)) - {names(code)[-1]}
    assert values(store, f"SELECT ?l WHERE {{ {iri} skos:hiddenLabel ?l }}") == sorted(former)
    assert values(store, f"SELECT ?l WHERE {{ {iri} skos:prefLabel ?l }}") == [names(code)[-1]]


@pytest.mark.full
@pytest.mark.parametrize("year", vintages.YEARS)
def test_revendoring_a_vintage_is_byte_identical(year, tmp_path):
    """`territoires refresh-reference --millesime YEAR` writes the same bytes (needs npm)."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    vintages.refresh(year, tmp_path)
    for name in vintages.files(year):
        relative = Path(str(year)) / f"{name}.csv.gz"
        assert (tmp_path / relative).read_bytes() == (HISTORY / relative).read_bytes(), relative
    assert (tmp_path / "LICENCE-donnees.txt").read_bytes() == \
        (HISTORY / "LICENCE-donnees.txt").read_bytes()


# --- territories at their labelling and today ------------------------------------------------

def territory_rows(settings) -> dict[str, tuple[str, set[str]]]:
    with open(settings.data_dir / "territoires" / "territoires.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {r["territoire"]: (r["date_labellisation"],
                              {x["epci_siren"] for x in rows if x["territoire"] == r["territoire"]})
            for r in rows}


@pytest.mark.parametrize("slug", ["alliances-luxe-precision-doubs"])
def test_a_territory_at_its_labelling_differs_from_today_exactly_by_the_vintages(
        store, settings, slug):
    root = settings.data_dir / "historique"
    label_date, epci = territory_rows(settings)[slug]
    then = int(label_date[:4])
    covered = {year: {r["commune"] for r in table(root, year, "epci_membres") if r["epci"] in epci}
               for year in (then, vintages.CURRENT)}
    iri = f"<{BASE}id/territoire/{slug}>"

    def perimeter(prop):
        return set(c.rsplit("/", 1)[1] for c in values(
            store, f"SELECT ?c WHERE {{ {iri} ti:{prop}/ti:communeCouverte ?c }}"))
    assert perimeter("perimetreLabellisation") == covered[then]
    assert perimeter("perimetreActuel") == covered[vintages.CURRENT]
    assert covered[then] != covered[vintages.CURRENT]   # the Doubs changed since 2023
    rows = store.engine.query(PREFIXES + f"""SELECT ?c ?why ?kind WHERE {{ {iri} ti:ecartPerimetre ?e .
        ?e ti:commune ?c ; ti:expliquePar ?why . ?why a ?kind }}""", **store.dataset())
    explained = defaultdict(set)   # a merger may also be of a kind of merger (issue 19)
    for r in rows:
        explained[r["c"].value.rsplit("/", 1)[1]].add(r["kind"].value.rsplit("#", 1)[1])
    assert set(explained) == covered[then] ^ covered[vintages.CURRENT]
    # Each difference is explained by what the vintages show for that commune.
    for code, kinds in explained.items():
        merged = code not in actuelles(root, vintages.CURRENT)
        assert ("Fusion" if merged else "Membership") in kinds, code


# --- old identifiers keep working (a real server on the small build) --------------------------

def former_communes(root: Path) -> dict[str, int]:
    """Every code that was a commune in some vintage and is none now → its last vintage."""
    now = set(actuelles(root, vintages.CURRENT))
    last = {}
    for year in vintages.YEARS:
        if year not in vintages.WITHOUT_COMMUNES:
            last.update({code: year for code in actuelles(root, year) if code not in now})
    return last


def test_every_former_commune_still_dereferences_and_says_what_it_became(server, settings):
    from rdflib import Graph, URIRef

    from .test_linked_data import fetch
    root = settings.data_dir / "historique"
    former = former_communes(root)
    assert former
    for code, last in sorted(former.items()):
        status, headers, _ = fetch(server, f"/id/commune/{code}", Accept="text/turtle")
        assert status == 303, code
        status, headers, body = fetch(server, f"/doc/commune/{code}", Accept="text/turtle")
        assert status == 200, code
        graph = Graph().parse(data=body, format="turtle", publicID=BASE)
        iri = URIRef(f"{BASE}id/commune/{code}")
        ti = f"{BASE}def/territoires#"
        assert (iri, URIRef(ti + "etaitUne"), URIRef(ti + "Commune")) in graph
        # Until when: the last run of vintages it existed in ends with its last vintage.
        runs = [str(o).rsplit("/", 1)[1] for o in graph.objects(iri, URIRef(ti + "existeDurant"))]
        assert max(int(r.split("-")[-1]) for r in runs) == last, code
        became = list(graph.objects(iri, URIRef(ti + "fusionneeDans")))
        assert len(became) == 1, code
        assert str(became[0]).startswith(f"{BASE}id/commune/")
        status, _, page = fetch(server, f"/doc/commune/{code}", Accept="text/html")
        assert status == 200 and f"/id/commune/{became[0].rsplit('/', 1)[1]}".encode() in page
