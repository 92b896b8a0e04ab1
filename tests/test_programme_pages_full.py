"""The programme's pages on the whole real data (ANCT's lists of both phases), as `make run`
builds it: every territory has its link on its phase's map and its row in the table and the
CSV, Ouest Guyanais (Guyane) is drawn in its inset and has its own map, an EPT's page says its
territories. Expected figures are counted in the build's own store, never written here."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest

from territoires.web import create_app

from .test_programme_pages import assert_drawn_in_inset

COUNT = """PREFIX ti: <{base}def/territoires#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?territory ?number ?wkt WHERE {{ ?territory a ti:TerritoireIndustrie ;
  ti:phase/ti:numeroPhase ?number .
  OPTIONAL {{ ?territory geo:hasGeometry/geo:asWKT ?wkt }} }}"""


@pytest.fixture(scope="module")
def full_client(full_build, full_settings):
    return create_app(replace(full_settings, query_executors=1)).test_client()


@pytest.fixture(scope="module")
def by_phase(full_store):
    rows = full_store.engine.query(COUNT.format(base=full_store.base), **full_store.dataset())
    found: dict[int, dict[str, bool]] = {}
    for row in rows:
        found.setdefault(int(row["number"].value), {})[row["territory"].value] = \
            row["wkt"] is not None
    return found


def test_each_phase_map_links_each_territory_and_the_csv_lists_them(full_client, by_phase,
                                                                    full_store):
    assert sorted(by_phase) == [1, 2]
    for phase, territories in by_phase.items():
        page = full_client.get(f"/doc/phase/territoires-d-industrie-{phase}.html"
                               ).get_data(as_text=True)
        svg = page[page.index(f'<section id="carte-phase-{phase}"'):]
        svg = svg[:svg.index("</svg>")]
        links = re.findall(r'<a href="http://localhost/id/([^"]+)"><title>', svg)
        assert sorted(full_store.base + "id/" + l for l in links) == \
            sorted(t for t, drawn in territories.items() if drawn)
        answer = full_client.get(f"/export/territoires-d-industrie-phase-{phase}.csv")
        rows = list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8"), newline="")))
        assert sorted(r["iri"] for r in rows) == sorted(territories)
    everything = full_client.get("/export/territoires-d-industrie.csv").get_data().decode()
    assert len(list(csv.DictReader(io.StringIO(everything, newline="")))) == \
        sum(len(t) for t in by_phase.values())


def test_ouest_guyanais_has_its_inset_and_its_map(full_client):
    page = full_client.get("/doc/phase/territoires-d-industrie-2.html").get_data(as_text=True)
    assert_drawn_in_inset(page, "Guyane", "ouest-guyanais", "Ouest Guyanais")
    own = full_client.get("/doc/territoire/ouest-guyanais.html").get_data(as_text=True)
    assert '<g class="sujet"><title>Ouest Guyanais</title><path d="M' in own
    assert 'href="http://localhost/id/departement/973"><title>Guyane</title>' in own


def test_an_ept_page_says_its_territories_and_their_phases(full_client, full_store):
    rows = full_store.engine.query(
        "PREFIX org: <http://www.w3.org/ns/org#> SELECT DISTINCT ?t WHERE { ?m org:member "
        f"<{full_store.base}id/ept/200057990> ; org:organization ?t }}", **full_store.dataset())
    expected = {r["t"].value.rsplit("/", 1)[1] for r in rows}
    page = full_client.get("/doc/ept/200057990.html").get_data(as_text=True)
    assert "Établissement public territorial" in page
    found = set(re.findall(r'id/territoire/([^"]+)">[^<]+</a> \(phase \d\)', page))
    assert expected and found == expected
