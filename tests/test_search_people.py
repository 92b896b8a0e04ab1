"""Search as people use it (issue 21): the site's name finds the programme and its phases, a
person is found by name with or without accents, a territory comes before the communes that
share its distinctive word, a name typed as it sounds is found, former entities say what became
of them, results are paged, and the page shows no raw score."""

from __future__ import annotations

import re

import pytest

from territoires.web import create_app

PAGE = 20


def search(client, q, **params) -> dict:
    answer = client.get("/search", query_string={"q": q, "format": "json", **params})
    assert answer.status_code == 200, answer.data[:300]
    return answer.get_json()


def ids(client, q, **params) -> list[str]:
    return [r["id"].split("/id/", 1)[-1] for r in search(client, q, **params)["results"]]


def test_the_sites_name_finds_the_programme_then_its_phases(client):
    found = ids(client, "Territoires d'industrie")
    assert found[0] == "programme/territoires-d-industrie"
    assert set(found[1:3]) == {"phase/territoires-d-industrie-1", "phase/territoires-d-industrie-2"}


@pytest.mark.parametrize("q", ["augé", "Auge", "AUGE", "nathalie auge", "Nathalie Augé"])
def test_a_person_is_found_by_name_with_or_without_accents(client, q):
    assert "personne/nathalie-auge" in ids(client, q)[:3], q


def test_a_territory_comes_first_for_its_distinctive_word(client):
    assert ids(client, "Luxe")[0] == "territoire/alliances-luxe-precision-doubs"
    assert ids(client, "précision")[0] == "territoire/alliances-luxe-precision-doubs"


def test_a_departement_word_is_not_a_territorys_distinctive_word(client):
    """"Doubs" names the département (and a commune), not the territory "… Doubs"."""
    found = ids(client, "Doubs")
    assert found.index("departement/25") < found.index("territoire/alliances-luxe-precision-doubs")


def test_a_name_typed_as_it_sounds_is_found_first(client):
    assert ids(client, "morto")[0] == "commune/25411"        # Morteau
    assert ids(client, "besanson")[0] == "commune/25056"     # Besançon


def test_a_former_commune_says_what_became_of_it(client):
    """Saraz merged into Éternoz-Vallée-du-Lison (25223): its former commune and its commune
    déléguée are two rows, and each says which it is."""
    results = {r["id"].split("/id/", 1)[-1]: r for r in search(client, "saraz")["results"]}
    former, delegated = results["commune/25533"], results["commune-deleguee/25533"]
    assert former["former"] and former["description"].startswith("Ancienne commune")
    assert "fusionnée dans Éternoz-Vallée-du-Lison" in former["description"]
    assert former["successor"]["id"].endswith("/id/commune/25223")
    assert "former" not in delegated
    assert "rattachée à Éternoz-Vallée-du-Lison" in delegated["description"]
    page = client.get("/search", query_string={"q": "saraz"}).get_data(as_text=True)
    row = re.search(r'<tr class="former">.*?</tr>', page, re.S).group(0)
    assert "ancienne" in row and '/doc/commune/25223"' in row


def test_results_past_a_page_are_paged(client):
    first = search(client, "mont")
    assert len(first["results"]) == PAGE and first["next"]
    following = client.get(first["next"]).get_json()
    assert following["offset"] == PAGE and following["results"]
    seen = {r["id"] for r in first["results"]}
    assert seen.isdisjoint(r["id"] for r in following["results"])
    assert following["results"] == search(client, "mont", limit=2 * PAGE)["results"][PAGE:]
    page = client.get("/search", query_string={"q": "mont"}).get_data(as_text=True)
    assert 'rel="next"' in page and "plus de résultats" in page and "offset=20" in page
    only = search(client, "doubs", type="departement")
    assert len(only["results"]) == 1 and only["next"] is None


def test_paging_parameters_are_checked(client):
    for offset in ("-1", "x", "100000"):
        answer = client.get("/search", query_string={"q": "mont", "offset": offset})
        assert answer.status_code == 400 and b"offset" in answer.data, offset


def test_the_page_shows_no_raw_score(client):
    page = client.get("/search", query_string={"q": "morteau"}).get_data(as_text=True)
    table = re.search(r'<table class="data results">.*?</table>', page, re.S).group(0)
    assert "score" not in table and not re.search(r"<td[^>]*>\s*\d+\.\d\s*</td>", table)


@pytest.fixture(scope="module")
def full_client(full_build, full_settings):
    return create_app(full_settings).test_client()


def test_on_the_whole_data_a_territory_comes_before_homonymous_communes(full_client):
    found = ids(full_client, "Luxe")
    assert found[0] == "territoire/alliances-luxe-precision-doubs"
    assert found.index("commune/16196") > 0 and "commune/40167" in found    # Luxé, Luxey
    assert ids(full_client, "morto")[0] == "commune/25411"
    assert "personne/nathalie-auge" in ids(full_client, "augé")[:3]
