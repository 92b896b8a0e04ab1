"""Search everywhere: a box on every page, every label the graph carries indexed (hidden labels
for misspellings and former names, communes déléguées and associées, codes), exact and prefix
matches ranked before fuzzy ones, and a 404 that suggests the nearest entities."""

from __future__ import annotations

import pytest

from territoires.vocabulary.names import name_key

from .conftest import app_with_extra_source

HIDDEN = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<id/commune/25056> skos:hiddenLabel "Bezanson"@fr , "Vesontio"@la .
"""


def results(client, q: str, **args) -> list[dict]:
    response = client.get("/search", query_string={"q": q, "format": "json", **args})
    assert response.status_code == 200
    return response.get_json()["results"]


@pytest.mark.parametrize("path", ["/", "/search?q=doubs", "/doc/commune/25056", "/requete",
                                  "/doc/territoire/haut-doubs", "/def/territoires"])
def test_every_page_has_the_search_box(client, path):
    body = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'role="search"' in body and 'id="recherche-site"' in body and 'action="/search"' in body


def test_communes_deleguees_are_found_by_name_and_code(client):
    found = results(client, "Seynod")
    assert found[0]["name"] == "Seynod" and found[0]["match"]
    assert found[0]["type_name"] == "Commune déléguée"
    assert found[0]["id"].endswith("/id/commune-deleguee/74268")
    by_code = results(client, "74268")
    assert "/id/commune-deleguee/74268" in {r["id"].split(".fr")[1] for r in by_code}


def test_a_merged_commune_is_found_by_its_name_and_its_code(client):
    """Le Gratteris (25297) merged into Mamirolle in 2025 (graph/historique): its IRI still
    dereferences, so search and reconciliation find it, as a former entity."""
    found = results(client, "Le Gratteris")
    assert found[0]["id"].endswith("/id/commune/25297") and found[0]["match"]
    assert found[0]["type_name"].startswith("Entité disparue")
    assert "/id/commune/25297" in {r["id"].split(".fr")[1] for r in results(client, "25297")}
    answer = client.post("/reconcile", data={"queries": '{"q0": {"query": "Le Gratteris"}}'})
    assert answer.get_json()["q0"]["result"][0]["id"] == "commune/25297"


@pytest.mark.parametrize("q", ["besan", "mort", "pont", "saint"])
def test_exact_and_prefix_matches_come_before_fuzzy_ones(client, q):
    found = results(client, q, limit=20)

    def tier(result) -> int:
        key = name_key(result["name"])
        if key == name_key(q):
            return 0
        if key.startswith(name_key(q)):
            return 1
        return 2 if any(w.startswith(name_key(q)) for w in key.split()) else 3
    tiers = [tier(r) for r in found]
    assert tiers == sorted(tiers), [(r["name"], r["score"]) for r in found]
    assert tiers[0] < 3


def test_a_prefix_beats_a_closer_looking_fuzzy_name(client):
    names = [r["name"] for r in results(client, "besan")]
    assert names[:2] == ["Besançon", "CU Grand Besançon Métropole"]


@pytest.fixture(scope="module")
def hidden_client(settings, tmp_path_factory):
    """An app on a build where a commune carries hidden labels (a misspelling, a former name)."""
    return app_with_extra_source(settings, tmp_path_factory.mktemp("hidden"), "noms-caches",
                                 "Noms cachés", HIDDEN).test_client()


def test_hidden_labels_are_matched_but_never_shown(hidden_client):
    for q in ("Bezanson", "vesontio"):
        found = results(hidden_client, q)
        assert found[0]["id"].endswith("/id/commune/25056") and found[0]["match"], q
        assert found[0]["name"] == "Besançon"
    reconciled = hidden_client.post("/reconcile", data={
        "queries": '{"q0": {"query": "Bezanson", "type": "commune"}}'}).get_json()
    assert reconciled["q0"]["result"][0]["id"].endswith("commune/25056")


@pytest.mark.parametrize("path, expected", [
    ("/id/commune/besancon", "/doc/commune/25056"),
    ("/doc/commune/besancon", "/doc/commune/25056"),
    ("/id/epci/grand-besancon", "/doc/epci/242500361"),
    ("/id/commune/25057x", "/doc/commune/25057"),
    ("/doc/epci/242500362", "/doc/epci/242500361"),
])
def test_not_found_suggests_the_nearest_entities(client, path, expected):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "<h1>Ressource inconnue" in body and "/static/" in body and 'role="search"' in body
    assert 'id="suggestions"' in body
    if expected:
        first = body.split('<ul class="suggestions">')[1].split('href="')[1].split('"')[0]
        assert first.endswith(expected)


def test_not_found_stays_plain_for_machines(client):
    response = client.get("/id/commune/99999", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["status"] == 404
