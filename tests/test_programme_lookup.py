"""Search, reconciliation and data extension over the official territories (the small build's
cut of the lists): a territory is found by its name, the article's wording and its ANCT id
with or without its phase; an EPCI's or a commune's territories are given per phase."""

from __future__ import annotations

import json

import pytest

ALLIANCES = "territoire/alliances-luxe-precision-doubs"
HAUT_DOUBS = "territoire/haut-doubs"


def search(client, q, **params):
    answer = client.get("/search", query_string={"q": q, "format": "json", **params})
    assert answer.status_code == 200, answer.data[:300]
    return [r["id"].split("/id/", 1)[-1] for r in answer.get_json()["results"]]


def test_an_anct_id_without_its_phase_finds_every_phase(client):
    found = search(client, "ti-2704")
    assert HAUT_DOUBS in found
    # ti-2704 is Grand Chalon in phase 2, outside the small cut; every hit is a ti-2704
    assert all(r.startswith("territoire/") for r in found)


def test_an_anct_id_with_its_phase_finds_one(client):
    assert search(client, "phase-1/ti-2704") == [HAUT_DOUBS]
    assert search(client, "PHASE-2/TI-2701") == [ALLIANCES]
    assert search(client, "phase-2/ti-2704") == []


def test_both_phases_of_an_id_are_two_territories(client):
    found = search(client, "ti-1101")
    assert len(found) == 2 and len(set(found)) == 2


@pytest.mark.parametrize("name", ["Alliances Luxe et Précision Doubs",
                                  "Alliances Luxe & Précision, Doubs", "Haut-Doubs Horloger"])
def test_a_territory_is_found_by_its_names(client, name):
    assert search(client, name)[0] in (ALLIANCES, HAUT_DOUBS)


def _reconcile(client, queries):
    answer = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert answer.status_code == 200, answer.data[:300]
    return answer.get_json()


def test_reconciliation_by_type_and_qualified_id(client):
    answer = _reconcile(client, {
        "q0": {"query": "Boucle Nord de Seine", "type": "ti:TerritoireIndustrie"},
        "q1": {"query": "Haut-Doubs", "type": "ti:TerritoireIndustrie",
               "properties": [{"pid": "identifiantQualifie", "v": "phase-1/ti-2704"}]}})
    boucle = [r["id"] for r in answer["q0"]["result"]]
    assert {"territoire/boucle-nord-de-seine", "territoire/boucle-nord-de-la-seine"} <= set(boucle)
    assert [r["id"] for r in answer["q1"]["result"]][:1] == [HAUT_DOUBS]
    assert answer["q1"]["result"][0]["match"] is True


def test_data_extension_gives_an_epcis_territories_per_phase(client):
    extend = {"ids": ["epci/242504116", "commune/92004"],
              "properties": [{"id": "territoirePhase1"}, {"id": "territoirePhase2"}]}
    answer = client.post("/reconcile", data={"extend": json.dumps(extend)})
    assert answer.status_code == 200, answer.data[:300]
    rows = answer.get_json()["rows"]
    morteau = rows["epci/242504116"]
    assert [v["id"] for v in morteau["territoirePhase1"]] == [HAUT_DOUBS]
    assert [v["id"] for v in morteau["territoirePhase2"]] == [ALLIANCES]
    # Asnières-sur-Seine, through the EPT Boucle Nord de Seine, in both phases
    asnieres = rows["commune/92004"]
    assert [v["id"] for v in asnieres["territoirePhase1"]] == ["territoire/boucle-nord-de-la-seine"]
    assert [v["id"] for v in asnieres["territoirePhase2"]] == ["territoire/boucle-nord-de-seine"]
