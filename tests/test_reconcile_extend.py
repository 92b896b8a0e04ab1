"""OpenRefine, fully: data extension of the reconciliation service (property proposals, values),
the Département, Région and commune déléguée types, and every answer of the 0.2 protocol and of
the 1.0 draft validated against the W3C Reconciliation API JSON schemas (vendored unmodified in
vendor/reconciliation-api-schemas/), through the real server on the small build."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from territoires.config import ROOT

from .conftest import BASE
from .test_reconcile import request

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test extra")
referencing = pytest.importorskip("referencing")

SCHEMAS = ROOT / "vendor" / "reconciliation-api-schemas"
TI = BASE + "def/territoires#"
GRAND_BESANCON = "epci/242500361"


def registry(version: str):
    """Every schema of a version, under its `$id` and under the address its siblings' relative
    `$ref`s resolve to (a few files of 0.2 carry the draft's `$id`)."""
    from referencing.jsonschema import DRAFT7

    resources = []
    for path in sorted((SCHEMAS / version).glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resource = referencing.Resource(schema, specification=DRAFT7)
        folder = f"https://reconciliation-api.github.io/specs/{version}/schemas/"
        resources += [(folder + path.name, resource), (schema.get("$id", ""), resource)]
        if version == "1.0-draft":
            resources.append((f"https://reconciliation-api.github.io/specs/draft/schemas/"
                              f"{path.name}", resource))
    return referencing.Registry().with_resources(r for r in resources if r[0])


def validate(version: str, name: str, instance) -> None:
    schema = json.loads((SCHEMAS / version / f"{name}.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, registry=registry(version),
                                           format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{version}/{name}: " + "; ".join(
        f"{list(e.path)}: {e.message[:200]}" for e in errors[:5])


def get(server: str, path: str):
    status, headers, body = request(server + path, accept="application/json")
    assert status == 200, body
    return json.loads(body)


def post_json(server: str, path: str, payload):
    status, _, body = request(server + path, json.dumps(payload).encode(),
                              content_type="application/json")
    return status, json.loads(body)


# --- OpenRefine's reconcile-then-extend (0.2) --------------------------------------------------

def test_openrefine_reconciles_then_extends_grand_besancon(server):
    """What OpenRefine sends: the manifest, a batch of `queries=` (form-encoded POST), the
    property proposals for the chosen type, then `extend=` (form-encoded POST)."""
    manifest = get(server, "reconcile")
    validate("0.2", "manifest", manifest)
    queries = {"q0": {"query": "Grand Besançon Métropole", "type": TI + "EPCI",
                      "type_strict": "should", "limit": 3}}
    validate("0.2", "reconciliation-query-batch", queries)
    status, _, body = request(server + "reconcile", {"queries": json.dumps(queries)})
    assert status == 200, body
    matched = json.loads(body)
    validate("0.2", "reconciliation-result-batch", matched)
    best = matched["q0"]["result"][0]
    assert best["id"] == GRAND_BESANCON and best["match"] is True

    propose = manifest["extend"]["propose_properties"]
    proposals = get(server, propose["service_url"].removeprefix(server) + propose["service_path"]
                    + "?type=" + quote(TI + "EPCI", safe=""))
    validate("0.2", "data-extension-property-proposal", proposals)
    offered = {p["id"] for p in proposals["properties"]}
    assert {"population", "populationSource", "siren", "departement", "region",
            "territoire"} <= offered and "epci" not in offered   # an EPCI has no EPCI

    extend = {"ids": [best["id"]], "properties": [{"id": "population"}, {"id": "siren"},
                                                  {"id": "populationSource"}]}
    validate("0.2", "data-extension-query", extend)
    status, _, body = request(server + "reconcile", {"extend": json.dumps(extend)})
    assert status == 200, body
    extended = json.loads(body)
    validate("0.2", "data-extension-response", extended)
    row = extended["rows"][GRAND_BESANCON]
    assert row["siren"] == [{"str": "242500361"}]
    assert row["population"] == [{"int": population_of(server, GRAND_BESANCON)}]
    assert "COG 2026" in row["populationSource"][0]["str"]   # the vintage, from its source graph
    assert [m["id"] for m in extended["meta"]] == ["population", "siren", "populationSource"]


def population_of(server: str, entity: str) -> int:
    """The EPCI's population as the endpoint states it (the test's own reading of the graph)."""
    query = f"SELECT ?p WHERE {{ <{BASE}id/{entity}> <{TI}populationTotale> ?p }}"
    answer = get(server, "sparql?query=" + quote(query, safe=""))
    return int(answer["results"]["bindings"][0]["p"]["value"])


def test_entity_values_of_a_commune(server):
    extend = {"ids": ["commune/25056", "commune/99999"],
              "properties": [{"id": p} for p in ("codeInsee", "epci", "departement", "region",
                                                 "territoire")]}
    status, _, body = request(server + "reconcile", {"extend": json.dumps(extend)})
    assert status == 200, body
    answer = json.loads(body)
    validate("0.2", "data-extension-response", answer)
    besancon = answer["rows"]["commune/25056"]
    assert besancon["codeInsee"] == [{"str": "25056"}]
    assert besancon["epci"] == [{"id": GRAND_BESANCON, "name": "CU Grand Besançon Métropole"}]
    assert besancon["departement"] == [{"id": "departement/25", "name": "Doubs"}]
    assert besancon["region"][0]["id"] == "region/27"
    assert besancon["territoire"][0]["id"] == "territoire/alliances-luxe-precision-doubs"
    assert all(values == [] for values in answer["rows"]["commune/99999"].values())
    types = {m["id"]: m.get("type", {}).get("id") for m in answer["meta"]}
    assert types["epci"] == TI + "EPCI" and types["codeInsee"] is None


@pytest.mark.parametrize("extend, says", [
    ({"ids": ["epci/242500361"], "properties": [{"id": "altitude"}]}, "altitude"),
    ({"ids": "epci/242500361", "properties": []}, "extend.ids"),
    ({"ids": ["x y"], "properties": [{"id": "siren"}]}, "not an entity id"),
    ({"ids": ["commune/1"] * 101, "properties": [{"id": "siren"}]}, "at most 100"),
    ({"ids": ["epci/242500361"], "properties": [{"id": {"id": "siren"}}]}, "properties[].id"),
    ({"ids": ["epci/242500361"], "properties": [{"id": ["siren"]}]}, "properties[].id"),
])
def test_bad_extensions_say_why(server, extend, says):
    status, _, body = request(server + "reconcile", {"extend": json.dumps(extend)})
    assert status == 400 and says in json.loads(body)["error"]
    status, body = post_json(server, "reconcile/v1/extend", extend)   # the 1.0 draft too
    assert status == 400 and says in json.dumps(body)


# --- types: Département, Région, commune déléguée ----------------------------------------------

@pytest.mark.parametrize("name, kind, expected", [
    ("Doubs", "Departement", "departement/25"),
    ("Bourgogne-Franche-Comté", "Region", "region/27"),
])
def test_departements_and_regions_reconcile(server, name, kind, expected):
    queries = {"q0": {"query": name, "type": TI + kind}}
    status, _, body = request(server + "reconcile", {"queries": json.dumps(queries)})
    best = json.loads(body)["q0"]["result"][0]
    assert status == 200 and best["id"] == expected and best["match"] is True
    proposals = get(server, f"reconcile/properties?type={quote(TI + kind, safe='')}")
    assert "codeInsee" in {p["id"] for p in proposals["properties"]}


def test_communes_deleguees_reconcile(server):
    query = (f"SELECT ?c ?name WHERE {{ ?c a <{TI}CommuneDeleguee> ; "
             f"<http://www.w3.org/2004/02/skos/core#prefLabel> ?name }} ORDER BY ?c LIMIT 1")
    row = get(server, "sparql?query=" + quote(query, safe=""))["results"]["bindings"][0]
    iri, name = row["c"]["value"], row["name"]["value"]
    queries_ = {"q0": {"query": name, "type": TI + "CommuneDeleguee"}}
    status, _, body = request(server + "reconcile", {"queries": json.dumps(queries_)})
    answer = json.loads(body)
    validate("0.2", "reconciliation-result-batch", answer)
    assert status == 200 and answer["q0"]["result"][0]["id"] == iri.removeprefix(BASE + "id/")


# --- the 1.0 draft ------------------------------------------------------------------------------

def test_draft_1_0_manifest_match_and_extend(server):
    manifest = get(server, "reconcile/v1")
    validate("1.0-draft", "manifest", manifest)
    batch = {"queries": [
        {"type": TI + "EPCI", "limit": 3,
         "conditions": [{"matchType": "name", "propertyValue": "Grand Besançon Métropole"}]},
        {"conditions": [{"matchType": "name", "propertyValue": "Besançon"},
                        {"matchType": "property", "propertyId": "codeInsee",
                         "propertyValue": "25056"}]},
    ]}
    validate("1.0-draft", "reconciliation-query-batch", batch)
    status, answer = post_json(server, "reconcile/v1/match", batch)
    assert status == 200, answer
    validate("1.0-draft", "reconciliation-result-batch", answer)
    assert answer["results"][0]["candidates"][0]["id"] == GRAND_BESANCON
    assert answer["results"][1]["candidates"][0]["id"] == "commune/25056"

    proposals = get(server, f"reconcile/v1/extend/propose?type={quote(TI + 'Commune', safe='')}")
    validate("1.0-draft", "data-extension-property-proposal", proposals)
    extend = {"ids": [GRAND_BESANCON], "properties": [{"id": "population"}, {"id": "siren"}]}
    validate("1.0-draft", "data-extension-query", extend)
    status, extended = post_json(server, "reconcile/v1/extend", extend)
    assert status == 200, extended
    validate("1.0-draft", "data-extension-response", extended)
    columns = {c["id"]: c["values"] for c in extended["rows"][0]["properties"]}
    assert columns["siren"] == [{"str": "242500361"}]
    assert columns["population"] == [{"int": population_of(server, GRAND_BESANCON)}]


@pytest.mark.parametrize("version, prefix", [("0.2", "reconcile"), ("1.0-draft", "reconcile/v1")])
def test_suggest_answers_follow_the_schemas(server, version, prefix):
    validate(version, "suggest-entities-response", get(server, f"{prefix}/suggest/entity?prefix=besan"))
    validate(version, "suggest-types-response", get(server, f"{prefix}/suggest/type?prefix=com"))
    validate(version, "suggest-properties-response",
             get(server, f"{prefix}/suggest/property?prefix=s"))


def test_vendored_schemas_are_the_published_ones():
    """The schemas are kept as published (SOURCE.md records where and how to refresh them)."""
    source = (SCHEMAS / "SOURCE.md").read_text(encoding="utf-8")
    assert "reconciliation-api/specs" in source and (SCHEMAS / "LICENSE.md").exists()
    for version in ("0.2", "1.0-draft"):
        names = {p.name for p in (SCHEMAS / version).glob("*.json")}
        assert {"manifest.json", "data-extension-response.json"} <= names
        assert all(json.loads(Path(SCHEMAS / version / n).read_text())["$id"] for n in names
                   if n not in ("openapi.json",))
