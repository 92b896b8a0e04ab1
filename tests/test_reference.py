"""The reference mapping is complete and faithful to the vendored official files."""

from __future__ import annotations

import csv
import gzip
from collections import Counter

import pytest

from territoires.config import ROOT
from territoires.sources import snapshot

from .conftest import BASE

REFERENCE = ROOT / "data" / "reference"
PREFIXES = f"PREFIX ti: <{BASE}def/territoires#> PREFIX org: <http://www.w3.org/ns/org#> "
CLASSES = {"commune-actuelle": "Commune", "commune-deleguee": "CommuneDeleguee",
           "commune-associee": "CommuneAssociee", "arrondissement-municipal": "ArrondissementMunicipal"}


def rows(name):
    with gzip.open(REFERENCE / f"{name}.csv.gz", "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def count(full_store, cls):
    query = PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ti:{cls} }}"
    return int(next(iter(full_store.engine.query(query, **full_store.dataset())))["n"].value)


def value(full_store, iri, prop):
    query = PREFIXES + f"SELECT ?v WHERE {{ <{BASE}{iri}> {prop} ?v }}"
    return [s["v"].value for s in full_store.engine.query(query, **full_store.dataset())]


def test_counts_equal_the_official_files(full_store):
    # The package lists the overseas collectivities as régions and départements, their zones as
    # communes; Insee does not (tests/test_overseas.py): 26 - 8, 109 - 8, 34,969 - 94.
    overseas = snapshot.OVERSEAS_COLLECTIVITIES
    assert count(full_store, "Region") == len(
        [r for r in rows("regions") if r["code"] not in overseas]) == 18
    assert count(full_store, "Departement") == len(
        [r for r in rows("departements") if r["code"] not in overseas]) == 101
    assert count(full_store, "CollectiviteOutreMer") == 2 * len(overseas)
    # The package lists the Métropole de Lyon among the EPCI; the graph types it as the
    # collectivité à statut particulier it is (tests/test_lyon.py).
    assert count(full_store, "EPCI") + count(full_store, "CollectiviteStatutParticulier") == \
        len(rows("epci")) == 1255
    by_type = Counter(r["type"] for r in rows("communes") if r["departement"] not in overseas)
    assert by_type["commune-actuelle"] == 34875
    for kind, cls in CLASSES.items():
        assert count(full_store, cls) == by_type[kind], cls


def test_memberships_equal_the_official_files(full_store):
    query = PREFIXES + """SELECT (COUNT(*) AS ?n) WHERE {
        VALUES ?kind { ti:EPCI ti:CollectiviteStatutParticulier }   # the package's EPCI, Lyon too
        ?e a ?kind ; org:hasMember ?c }"""
    n = int(next(iter(full_store.engine.query(query, **full_store.dataset())))["n"].value)
    assert n == len(rows("epci_membres")) == 34871


@pytest.mark.parametrize("iri, prop, expected", [
    # Values read in @etalab/decoupage-administratif 6.0.0 (communes.json, epci.json).
    ("id/commune/25560", "ti:population", "2994"),
    ("id/commune/25056", "ti:population", "118489"),
    ("id/commune/25560", "ti:siren", "212505606"),
    ("id/epci/242500361", "ti:populationTotale", "203293"),
    ("id/epci/200068070", "ti:populationTotale", "25811"),
    ("id/epci/242504355", "ti:populationTotale", "7285"),
    ("id/arrondissement-municipal/13201", "ti:population", "37599"),
])
def test_sample_values_equal_the_source(full_store, iri, prop, expected):
    assert value(full_store, iri, prop) == [expected]


@pytest.mark.parametrize("siren, members", [
    ("242504116", 8), ("242504355", 17), ("200023075", 42), ("242504181", 47),
    ("200068070", 71), ("242500361", 67), ("200000172", None)])
def test_member_counts(full_store, siren, members):
    expected = members if members is not None else next(
        sum(1 for m in rows("epci_membres") if m["epci"] == siren) for _ in [0])
    assert len(value(full_store, f"id/epci/{siren}", "org:hasMember")) == expected


def test_shared_codes_keep_distinct_uris_and_types(full_store):
    """584 communes déléguées share their code with a current commune: both exist, apart."""
    shared = Counter(r["code"] for r in rows("communes"))
    code = next(c for c, n in sorted(shared.items()) if n > 1)
    assert value(full_store, f"id/commune/{code}", "a") == [f"{BASE}def/territoires#Commune"]
    assert value(full_store, f"id/commune-deleguee/{code}", "a") == [f"{BASE}def/territoires#CommuneDeleguee"]
    assert value(full_store, f"id/commune-deleguee/{code}", "ti:communeDeRattachement")


def test_no_uri_is_minted_twice(full_store):
    query = PREFIXES + """SELECT ?x (COUNT(?t) AS ?n) WHERE {
        GRAPH ?g { ?x a ?t FILTER(STRSTARTS(STR(?t), STR(ti:))) } } GROUP BY ?x HAVING (?n > 1)"""
    assert list(full_store.engine.query(query)) == []


def test_corsica_codes(full_store):
    assert value(full_store, "id/commune/2A004", "ti:codeInsee") == ["2A004"]
    assert value(full_store, "id/departement/2B", "ti:codeInsee") == ["2B"]
