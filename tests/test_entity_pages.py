"""Pages written for people, on the small build through the app: the territory's summary states
its communes and inhabitants as the sources give them, its commune table pages through all of
them, and each kind of entity shows a summary, tables and charts, never a membership's IRI."""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest

from territoires.sources import snapshot
from territoires.web.documents.entities.model import PAGE_SIZE
from territoires.vocabulary.names import fold

TERRITORY = "/doc/territoire/alliances-luxe-precision-doubs"
# What the issue (12) says the territory covers; the page computes it, the test checks both.
ISSUE_COMMUNES, ISSUE_INHABITANTS = 252, 304686
# What issue 21 says its 252 communes sum to (municipal populations): the page's headline now.
ISSUE_MUNICIPAL = 296106


class Tables(HTMLParser):
    """The cells of each `<table id>` of a page (their text), and `<data value>` by dt label."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = defaultdict(list)
        self.facts: dict[str, list[str]] = {}
        self.current = None
        self.cell = None
        self.label = None
        self.in_dt = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.current = attrs["id"]
        elif tag == "tr" and self.current:
            self.tables[self.current].append([])
        elif tag == "td" and self.current:
            self.cell = ""
        elif tag == "dt":
            self.in_dt, self.label = True, ""
        elif tag == "data" and self.label is not None:
            self.facts.setdefault(self.label, []).append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag == "td" and self.cell is not None:
            self.tables[self.current][-1].append(self.cell.strip())
            self.cell = None
        elif tag == "dt":
            self.in_dt = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.in_dt:
            self.label += data


def parse(body: str) -> Tables:
    tables = Tables()
    tables.feed(body)
    return tables


def page(client, path: str, **args) -> str:
    response = client.get(path, query_string=args, headers={"Accept": "text/html"})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def municipal(settings, communes: set[str]) -> int:
    """The sum of the communes' municipal populations in the reference snapshot."""
    return sum(int(row["population"] or 0)
               for _, row in snapshot.rows(settings.data_dir / "reference", "communes")
               if row["type"] == "commune-actuelle" and row["code"] in communes)


def from_sources(settings) -> dict[str, tuple[set[str], int]]:
    """{territory: (its communes' INSEE codes, the total population of its EPCI)}, read from the
    territory list and the reference snapshot, not from the graph."""
    reference = settings.data_dir / "reference"
    members: dict[str, set[str]] = defaultdict(set)
    for _, row in snapshot.rows(reference, "epci_membres"):
        members[row["epci"]].add(row["commune"])
    population = {row["siren"]: int(row["population_totale"])
                  for _, row in snapshot.rows(reference, "epci")}
    sirens: dict[str, set[str]] = defaultdict(set)
    with open(settings.data_dir / "territoires" / "territoires.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            sirens[row["territoire"]].add(row["epci_siren"])
    return {territory: (set().union(*(members[s] for s in epci)),
                        sum(population[s] for s in epci))
            for territory, epci in sirens.items() if all(s in population for s in epci)}


def test_the_issue_territory_is_found_in_the_data(settings):
    figures = from_sources(settings)
    meant = [t for t, (communes, people) in figures.items()
             if (len(communes), people) == (ISSUE_COMMUNES, ISSUE_INHABITANTS)]
    assert meant == ["alliances-luxe-precision-doubs"]


@pytest.mark.parametrize("territory", ["alliances-luxe-precision-doubs", "haut-doubs"])
def test_territory_summary_states_its_communes_and_inhabitants(client, settings, territory):
    communes, people = from_sources(settings)[territory]
    facts = parse(page(client, f"/doc/territoire/{territory}")).facts
    assert facts["communes"] == [str(len(communes))]
    # the headline is its communes' municipal population; the EPCI's total stated apart
    assert facts["population"] == [str(municipal(settings, communes))]
    assert facts["population totale de ses EPCI"] == [str(people)]
    if territory == "alliances-luxe-precision-doubs":
        assert (int(facts["communes"][0]), int(facts["population totale de ses EPCI"][0])) == \
            (ISSUE_COMMUNES, ISSUE_INHABITANTS)
        assert int(facts["population"][0]) == ISSUE_MUNICIPAL


def test_territory_page_writes_the_figures_for_people(client):
    body = page(client, TERRITORY)
    assert "252</data>" in body and "304\u00a0686 habitants" in body
    assert "Cédric Bôle" in body and "élu référent" in body and "9 novembre 2023" in body
    assert "source : Découpage administratif officiel" in body    # the population's vintage
    for block in ('id="epci"', 'id="communes"', 'id="plan"', 'id="financement"',
                  'id="predecesseur"'):
        assert block in body
    assert '<svg class="chart"' in body and 'role="img"' in body
    assert "EPCI ajoutées (1) : " in body   # Grand Besançon joined the Haut-Doubs' five


def test_commune_table_pages_through_all_communes(client, settings):
    communes, _ = from_sources(settings)["alliances-luxe-precision-doubs"]
    first = parse(page(client, TERRITORY))
    pages = math.ceil(len(communes) / PAGE_SIZE)
    seen: list[str] = []
    for number in range(1, pages + 2):     # one page past the last: the last one again
        rows = parse(page(client, TERRITORY, **{"communes-page": number})).tables["table-communes"]
        rows = [r for r in rows if r]
        if number <= pages:
            seen += [row[0] for row in rows]
        else:
            assert [row[0] for row in rows] == seen[-len(rows):]
    assert len(seen) == len(set(seen)) == len(communes)
    assert set(seen) == communes
    names = [r[1] for r in first.tables["table-communes"] if r]
    assert names == sorted(names, key=fold)            # by name unless asked otherwise


def test_commune_table_sorts_by_population(client, settings):
    reference = settings.data_dir / "reference"
    communes, _ = from_sources(settings)["alliances-luxe-precision-doubs"]
    people = {row["code"]: int(row["population"] or 0)
              for _, row in snapshot.rows(reference, "communes")
              if row["type"] == "commune-actuelle" and row["code"] in communes}
    rows = parse(page(client, TERRITORY, **{"communes-tri": "-population"})).tables["table-communes"]
    codes = [r[0] for r in rows if r]
    assert codes[0] == max(people, key=people.get)
    figures = [people[c] for c in codes]
    assert figures == sorted(figures, reverse=True)


def test_epci_page_lists_every_commune(client, settings):
    reference = settings.data_dir / "reference"
    members = {row["commune"] for _, row in snapshot.rows(reference, "epci_membres")
               if row["epci"] == "242500361"}
    body = page(client, "/doc/epci/242500361")
    assert parse(body).facts["communes"] == [str(len(members))]
    seen = []
    for number in range(1, math.ceil(len(members) / PAGE_SIZE) + 1):
        rows = parse(page(client, "/doc/epci/242500361", **{"communes-page": number}))
        seen += [r[0] for r in rows.tables["table-communes"] if r]
    assert set(seen) == members
    assert "Anne Vignot" in body and "graphique-communes" in body


def test_person_roles_are_sentences_never_membership_iris(client):
    body = page(client, "/doc/personne/cedric-bole")
    readable = body.split('<section id="donnees">')[0]
    assert "président de la CC du Val de Morteau" in re.sub(r"<[^>]+>", "", readable)
    assert "élu référent du territoire" in readable and "depuis 2018" in readable
    assert "#role-" not in re.sub(r'href="[^"]*"', "", readable)
    vignot = page(client, "/doc/personne/anne-vignot")
    # Her office comes from the national register, a described source: named and linked.
    assert "Répertoire national des élus" in vignot and "/id/document/repertoire-national-des-elus" in vignot
    english = re.findall(r'<([a-z]+)[^>]*lang="en"[^>]*>', vignot)
    assert english, "the English strings of the page carry lang"


def test_statistics_page_has_table_chart_units_and_source(client):
    body = page(client, "/doc/statistique/salaires-nets-moyens-2022")
    rows = [r for r in parse(body).tables["table-chiffres"] if r]
    assert len(rows) == 3 and all(r[4] == "€ par mois" for r in rows)
    assert body.count('<svg class="chart"') == 1 and "producteur" in body and "Insee" in body


def test_incoming_links_are_counted_and_paged(client):
    body = page(client, "/doc/departement/25")
    total = int(re.search(r"Liens entrants \((\d+)\)", body).group(1))
    assert total > PAGE_SIZE     # more than one page: never the first page alone
    seen = []
    for number in range(1, math.ceil(total / PAGE_SIZE) + 1):
        rows = parse(page(client, "/doc/departement/25", **{"liens-page": number}))
        seen += [tuple(r) for r in rows.tables["table-liens"] if r]
    assert len(seen) == total


def test_foreign_strings_carry_their_language_and_french_comes_first(client):
    body = page(client, "/doc/programme/territoires-d-industrie")
    assert '<span class="literal" lang="en">Industrial Territories</span>' in body
    assert body.index("Territoires d&#39;industrie</span>") < body.index("Industrial Territories")


def test_duplicate_rows_are_merged(client):
    body = page(client, "/doc/commune/25056")
    triples = body.split('<section id="donnees">')[1]
    assert triples.count('<span class="literal">Besançon</span>') == 1


def test_unknown_parameters_do_not_multiply_pages(client):
    plain = page(client, TERRITORY)
    assert page(client, TERRITORY, x="1", **{"communes-page": "abc"}) == plain


def test_on_the_whole_data_the_pages_state_what_the_sources_say(full_build, full_settings):
    """The whole official data: the territory's figures, and a région of thousands of communes,
    each counted and stated (their render times printed: `pytest -s`)."""
    import time
    from dataclasses import replace

    from territoires.web import create_app

    client = create_app(replace(full_settings, query_executors=1)).test_client()
    communes, people = from_sources(full_settings)["alliances-luxe-precision-doubs"]
    started = time.perf_counter()
    facts = parse(page(client, TERRITORY)).facts
    territory_seconds = time.perf_counter() - started
    assert facts["communes"] == [str(len(communes))] == [str(ISSUE_COMMUNES)]
    assert facts["population totale de ses EPCI"] == [str(people)] == [str(ISSUE_INHABITANTS)]
    assert facts["population"] == [str(municipal(full_settings, communes))] == \
        [str(ISSUE_MUNICIPAL)]
    region = {row["code"] for _, row in snapshot.rows(full_settings.data_dir / "reference",
                                                         "communes")
              if row["type"] == "commune-actuelle" and row["region"] == "27"}
    started = time.perf_counter()
    body = page(client, "/doc/region/27")
    region_seconds = time.perf_counter() - started
    assert parse(body).facts["communes"] == [str(len(region))]
    last = math.ceil(len(region) / PAGE_SIZE)
    rows = parse(page(client, "/doc/region/27", **{"communes-page": last})).tables
    assert 0 < len([r for r in rows["table-communes"] if r]) <= PAGE_SIZE
    print(f"territory page {territory_seconds * 1000:.0f} ms, région 27 "
          f"({len(region)} communes) {region_seconds * 1000:.0f} ms, uncached")


def test_the_territory_page_says_its_communes_at_labelling_and_today(client):
    """Read from graph/historique: the two perimeters' sizes and every difference in words, each
    difference a commune that is in exactly one of them."""
    body = page(client, "/doc/territoire/alliances-luxe-precision-doubs")
    section = body.split('id="perimetre"')[1].split("</section>")[0]
    then = int(re.search(r"À sa labellisation \(périmètre en 2023\) : (\d+) communes", section)[1])
    now = int(re.search(r"Aujourd&#39;hui \(périmètre en 2026\) : (\d+) communes", section)[1])
    assert now == 252 and then != now
    gaps = section.count("<li>") - 2        # one sentence per commune in one perimeter only
    assert gaps >= abs(then - now) and "a fusionné dans" in section
