"""The pages of the programme and its phases, their map of France and their CSV, on the small
build with the programme's fixture (tests/programme_build.py): every figure is compared with
the fixture's own Turtle, read here by rdflib, never written in the test."""

from __future__ import annotations

import csv
import io
import re

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from .conftest import BASE
from .test_maps import points
from .programme_build import (FIXTURE, programme_app, programme_client,  # noqa: F401
                              programme_published, programme_settings)

TI = Namespace(BASE + "def/territoires#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
PROGRAMME = "/doc/programme/territoires-d-industrie.html"
PHASE = "/doc/phase/territoires-d-industrie-{}.html"


@pytest.fixture(scope="module")
def fixture_graph() -> Graph:
    return Graph().parse(FIXTURE / "programme" / "programme.ttl", publicID=BASE)


def territories(graph: Graph, phase: int | None = None) -> set[str]:
    found = set(graph.subjects(RDF.type, TI.TerritoireIndustrie))
    if phase is not None:
        found = {t for t in found
                 if graph.value(t, TI.phase)
                 == URIRef(f"{BASE}id/phase/territoires-d-industrie-{phase}")}
    return {str(t) for t in found}


def svg_of(page: str, block: str) -> str:
    section = page[page.index(f'<section id="{block}"'):]
    return section[:section.index("</svg>") + 6]


def map_links(svg: str) -> list[str]:
    return re.findall(r'<a href="http://localhost/id/([^"]+)"><title>[^<]+</title><path', svg)


def test_each_phase_map_has_one_link_per_territory(programme_client, fixture_graph):
    page = programme_client.get(PROGRAMME).get_data(as_text=True)
    for phase in (1, 2):
        links = map_links(svg_of(page, f"carte-phase-{phase}"))
        assert sorted(BASE + "id/" + l for l in links) == sorted(territories(fixture_graph, phase))
        alone = programme_client.get(PHASE.format(phase)).get_data(as_text=True)
        assert sorted(map_links(svg_of(alone, f"carte-phase-{phase}"))) == sorted(links)


def test_the_map_is_described_by_its_caption_that_points_to_the_table(programme_client):
    page = programme_client.get(PHASE.format(2)).get_data(as_text=True)
    svg = svg_of(page, "carte-phase-2")
    described = re.search(r'aria-describedby="([^"]+)"', svg).group(1)
    caption = re.search(rf'<figcaption id="{described}">(.*?)</figcaption>', page, re.S).group(1)
    assert 'href="#territoires"' in caption and 'id="territoires"' in page
    assert "http" not in re.sub(r'href="http://localhost/[^"]*"', "", svg)   # no other host


def test_ouest_guyanais_is_drawn_in_the_guyane_inset(programme_client):
    svg = svg_of(programme_client.get(PHASE.format(2)).get_data(as_text=True), "carte-phase-2")
    assert_drawn_in_inset(svg, "Guyane", "ouest-guyanais", "Ouest Guyanais")


def assert_drawn_in_inset(svg: str, inset: str, slug: str, name: str) -> None:
    """The territory's outline lies inside the frame of the inset named `inset`."""
    frame = re.search(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/>'
                      rf'<text[^>]*>{inset}</text>', svg)
    x, y, width, height = map(float, frame.groups())
    path = re.search(rf'territoire/{slug}"><title>{name}</title><path d="([^"]+)"', svg).group(1)
    xy = points(path)
    assert x <= xy[:, 0].min() and xy[:, 0].max() <= x + width
    assert y <= xy[:, 1].min() and xy[:, 1].max() <= y + height


def table_rows(page: str) -> list[str]:
    body = page[page.index('id="table-territoires"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    return re.findall(r'<tr><td data-label="territoire"><a href="http://localhost/id/([^"]+)"',
                      body)


def test_the_table_lists_every_territory_and_sorts_on_the_server(programme_client, fixture_graph):
    page = programme_client.get(PROGRAMME).get_data(as_text=True)
    assert sorted(BASE + "id/" + r for r in table_rows(page)) == sorted(territories(fixture_graph))
    by_population = table_rows(programme_client.get(
        PROGRAMME + "?territoires-tri=-population").get_data(as_text=True))
    population = {str(t).rsplit("id/", 1)[1]: int(p) for t, p in
                  fixture_graph.subject_objects(TI.populationMunicipale)}
    assert [population[r] for r in by_population] == sorted(population.values(), reverse=True)
    assert 'aria-sort="descending"' in programme_client.get(
        PROGRAMME + "?territoires-tri=-population").get_data(as_text=True)


def test_a_phase_page_lists_its_territories_only(programme_client, fixture_graph):
    for phase in (1, 2):
        page = programme_client.get(PHASE.format(phase)).get_data(as_text=True)
        assert {BASE + "id/" + r for r in table_rows(page)} == territories(fixture_graph, phase)


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8"), newline="")))


def test_the_csv_has_one_row_per_territory_with_the_pages_figures(programme_client,
                                                                  fixture_graph):
    page = programme_client.get(PROGRAMME).get_data(as_text=True)
    href = re.search(r'<p class="telechargement"><a href="([^"]+)"', page).group(1)
    answer = programme_client.get(href)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert answer.headers["Content-Disposition"] == \
        'attachment; filename="territoires-d-industrie.csv"'
    rows = read_csv(answer)
    assert sorted(r["iri"] for r in rows) == sorted(territories(fixture_graph))
    for row in rows:
        iri = URIRef(row["iri"])
        assert row["identifiant_qualifie"] == str(fixture_graph.value(iri, URIRef(
            "http://purl.org/dc/terms/identifier")))
        assert int(row["population_municipale"]) == int(fixture_graph.value(
            iri, TI.populationMunicipale))
        assert int(row["nombre_epci"]) == len(list(fixture_graph.objects(
            iri, URIRef("http://www.w3.org/ns/org#hasMember"))))
    assert programme_client.get(href, headers={"If-None-Match": answer.headers["ETag"]}
                                ).status_code == 304
    assert answer.headers["Cache-Control"].startswith("public")


def test_a_phase_csv_and_an_unknown_one(programme_client, fixture_graph):
    rows = read_csv(programme_client.get("/export/territoires-d-industrie-phase-1.csv"))
    assert {r["iri"] for r in rows} == territories(fixture_graph, 1)
    missing = programme_client.get("/export/territoires-d-industrie-phase-7.csv")
    assert missing.status_code == 404
    assert "territoires-d-industrie-phase-7.csv" in missing.get_data(as_text=True)


def test_the_programme_page_answers_from_the_cache_of_documents(programme_client):
    first = programme_client.get(PROGRAMME)
    assert first.status_code == 200 and first.headers["ETag"]
    again = programme_client.get(PROGRAMME, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.headers["Cache-Control"] == programme_client.get(
        "/doc/departement/25.html").headers["Cache-Control"]


DCTERMS = Namespace("http://purl.org/dc/terms/")


def test_a_territory_page_has_its_map_over_its_departements(programme_client, fixture_graph):
    for slug in ("ouest-guyanais", "alliances-luxe-precision-doubs"):
        iri = URIRef(f"{BASE}id/territoire/{slug}")
        page = programme_client.get(f"/doc/territoire/{slug}.html").get_data(as_text=True)
        svg = svg_of(page, "carte")
        name = fixture_graph.value(iri, SKOS.prefLabel)
        assert re.search(rf'<g class="sujet"><title>{re.escape(str(name))}</title><path d="M', svg)
        departements = {str(d).rsplit("id/", 1)[1]
                        for d in fixture_graph.objects(iri, TI.departement)}
        assert set(map_links(svg)) == departements


def test_a_territory_page_gives_its_anct_id_with_its_phase(programme_client, fixture_graph):
    for iri in territories(fixture_graph):
        slug = iri.rsplit("/", 1)[1]
        page = programme_client.get(f"/doc/territoire/{slug}.html").get_data(as_text=True)
        qualified = str(fixture_graph.value(URIRef(iri), DCTERMS.identifier))
        phase, identifier = qualified.split("/")
        assert (f'<dd><data value="{qualified}">{identifier} (phase {phase[-1]})</data></dd>'
                in page)


def test_continuity_is_shown_both_ways_with_its_figures(programme_client, fixture_graph):
    for node in fixture_graph.subjects(RDF.type, TI.Continuite):
        successor = str(fixture_graph.value(node, TI.territoireSuccesseur)).rsplit("/", 1)[1]
        predecessor = str(fixture_graph.value(node, TI.territoirePredecesseur)).rsplit("/", 1)[1]
        shared = int(fixture_graph.value(node, TI.epciCommuns))
        share = round(float(fixture_graph.value(node, TI.partCommune)) * 100)
        page = programme_client.get(f"/doc/territoire/{successor}.html").get_data(as_text=True)
        block = page[page.index('<section id="continuite"'):]
        block = block[:block.index("</section>")]
        assert f'href="http://localhost/id/territoire/{predecessor}"' in block
        assert f"{shared} groupement" in block and f"soit {share} %" in block
        before = programme_client.get(f"/doc/territoire/{predecessor}.html").get_data(as_text=True)
        assert f'Continué en phase 2 par le territoire <a href="http://localhost/id/territoire/' \
               f'{successor}"' in before


def phases_of(graph: Graph) -> dict[str, int]:
    return {str(t): int(str(graph.value(t, TI.phase))[-1])
            for t in graph.subjects(RDF.type, TI.TerritoireIndustrie)}


def test_departement_and_region_pages_list_their_territories_of_both_phases(programme_client,
                                                                             fixture_graph):
    phase = phases_of(fixture_graph)
    for predicate, kind in ((TI.departement, "departement"), (TI.region, "region")):
        for area in set(fixture_graph.objects(None, predicate)):
            expected = {str(t) for t in fixture_graph.subjects(predicate, area)}
            page = programme_client.get(f"/doc/{kind}/{str(area).rsplit('/', 1)[1]}.html"
                                        ).get_data(as_text=True)
            block = page[page.index('id="table-territoires"'):]
            block = block[:block.index("</table>")]
            rows = re.findall(r'href="http://localhost/id/(territoire/[^"]+)">[^<]+</a></td>'
                              r'<td data-label="phase" class="num"><data value="(\d)">', block)
            assert {BASE + "id/" + t: int(p) for t, p in rows} == {t: phase[t] for t in expected}
            assert {phase[t] for t in expected} == {1, 2}   # the fixture has both in each


def test_an_epci_and_its_communes_say_their_territories_and_phases(programme_client,
                                                                   fixture_graph, programme_app):
    from territoires.sources import snapshot
    phase = phases_of(fixture_graph)
    ORG = Namespace("http://www.w3.org/ns/org#")
    epci = URIRef(BASE + "id/epci/242504116")
    expected = sorted((str(t).rsplit("/", 1)[1], phase[str(t)])
                      for t in fixture_graph.subjects(ORG.hasMember, epci))
    reference = programme_app.extensions["territoires"].settings.data_dir / "reference"
    commune = next(r["commune"] for _, r in snapshot.rows(reference, "epci_membres")
                   if r["epci"] == "242504116")
    for path in ("/doc/epci/242504116.html", f"/doc/commune/{commune}.html"):
        page = programme_client.get(path).get_data(as_text=True)
        fact = page[page.index("territoire(s) d&#39;industrie</dt>"):]
        fact = fact[:fact.index("</dd>")]
        found = re.findall(r'id/territoire/([^"]+)">[^<]+</a> \(phase (\d)\)', fact)
        assert sorted((t, int(p)) for t, p in found) == expected


def test_the_home_page_gives_the_programme_in_figures_and_its_map(programme_client,
                                                                  fixture_graph):
    page = programme_client.get("/").get_data(as_text=True)
    latest = max(phases_of(fixture_graph).values())
    svg = page[page.index('<figure class="carte" id="carte-accueil">'):]
    svg = svg[:svg.index("</svg>")]
    assert sorted(BASE + "id/" + l for l in map_links(svg)) == \
        sorted(territories(fixture_graph, latest))
    start = page.index('id="table-phases"')
    table = page[start:page.index("</table>", start)]
    for phase in (1, 2):
        members = [URIRef(t) for t in territories(fixture_graph, phase)]
        communes = sum(int(fixture_graph.value(t, TI.nombreCommunes)) for t in members)
        people = sum(int(fixture_graph.value(t, TI.populationMunicipale)) for t in members)
        row = re.search(rf'phase {phase}</a></th>(.*?)</tr>', table).group(1)
        cells = [re.sub(r"\D", "", c.split("<span")[0])
                 for c in re.findall(r'<td class="num">(.*?)</td>', row)]
        assert cells == [str(len(members)), str(communes), str(people)]
    assert page.index('id="programme"') < page.index('id="chiffres"')
