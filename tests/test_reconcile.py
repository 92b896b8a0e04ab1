"""The reconciliation service (W3C Entity Reconciliation API as OpenRefine speaks it) and /search,
through the real server on the whole data: manifest, OpenRefine-shaped batches, name variants, constraints,
preview, suggest, JSONP, escaping and bad input."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from .conftest import BASE

TI = BASE + "def/territoires#"
FOAF_PERSON = "http://xmlns.com/foaf/0.1/Person"


def request(url: str, data: dict | bytes | None = None, accept: str = "*/*",
            content_type: str | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body); errors are answers too."""
    if isinstance(data, dict):
        data = urllib.parse.urlencode(data).encode()
        content_type = content_type or "application/x-www-form-urlencoded"
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def reconcile(full_server: str, queries: dict) -> dict:
    """One OpenRefine batch: `queries=` form-encoded in a POST."""
    status, headers, body = request(full_server + "reconcile", {"queries": json.dumps(queries)})
    assert status == 200, body
    assert headers["Content-Type"].startswith("application/json")
    return json.loads(body)


def top(answer: dict, key: str) -> dict:
    results = answer[key]["result"]
    assert results, f"no candidate for {key}"
    return results[0]


def test_manifest(full_server):
    status, headers, body = request(full_server + "reconcile")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    manifest = json.loads(body)
    assert "0.2" in manifest["versions"] and manifest["name"]
    assert manifest["identifierSpace"] == BASE + "id/"
    assert manifest["schemaSpace"] == TI
    types = {t["id"] for t in manifest["defaultTypes"]}
    assert types == {TI + "TerritoireIndustrie", TI + "EPCI", TI + "Commune", FOAF_PERSON,
                     TI + "Departement", TI + "Region", TI + "CommuneDeleguee"}
    assert all(t["name"] for t in manifest["defaultTypes"])
    assert manifest["view"]["url"] == full_server + "doc/{{id}}"
    assert manifest["preview"]["url"] == full_server + "reconcile/preview?id={{id}}"
    assert manifest["preview"]["width"] > 0 and manifest["preview"]["height"] > 0
    for kind in ("entity", "type", "property"):
        suggest = manifest["suggest"][kind]
        assert suggest["service_url"] == full_server + "reconcile"
        assert suggest["service_path"] == f"/suggest/{kind}"
    assert "Access-Control-Allow-Origin" in headers


VARIANTS = [
    # (query, type, expected id, exact)
    ("CC du Plateau du Russey", TI + "EPCI", "epci/242504355", True),
    ("cc du plateau de russey", None, "epci/242504355", True),
    ("Communauté de communes du Plateau de Russey", "EPCI", "epci/242504355", True),
    ("Besançon", None, "commune/25056", True),
    ("BESANCON", TI + "Commune", "commune/25056", True),
    ("besancon", "ti:Commune", "commune/25056", True),
    ("Besançon", TI + "EPCI", "epci/242500361", False),
    ("Grand Besançon Métropole", TI + "EPCI", "epci/242500361", True),
    ("Communauté urbaine Grand Besançon Métropole", None, "epci/242500361", True),
    ("Besanson", "commune", "commune/25056", False),
    ("Alliances Luxe et Précision Doubs", TI + "TerritoireIndustrie", "territoire/alliances-luxe-precision-doubs", True),
    ("Cedric Bole", FOAF_PERSON, "personne/cedric-bole", True),
    ("Val de Morteau", TI + "EPCI", "epci/242504116", True),
    ("25056", None, "commune/25056", True),
]


def test_name_variants_find_the_right_entity(full_server):
    queries = {f"q{i}": {"query": q, **({"type": t} if t else {}), "limit": 5}
               for i, (q, t, _, _) in enumerate(VARIANTS)}
    answer = reconcile(full_server, queries)
    assert set(answer) == set(queries)
    for i, (query, _, expected, exact) in enumerate(VARIANTS):
        results = answer[f"q{i}"]["result"]
        assert results[0]["id"] == expected, (query, results[:3])
        assert results[0]["match"] is exact, (query, results[0])
        scores = [r["score"] for r in results]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= s <= 100 for s in scores)
        assert (results[0]["score"] == 100) is exact
        assert sum(r["match"] for r in results) <= 1
        for r in results:
            assert r["name"] and r["type"] and all(t["id"] and t["name"] for t in r["type"])
            assert isinstance(r["match"], bool) and len(results) <= 5


def test_scores_and_types(full_server):
    answer = reconcile(full_server, {"a": {"query": "Besançon"},
                                "b": {"query": "Besançon", "type": TI + "EPCI", "limit": 3}})
    besancon = top(answer, "a")
    assert besancon["name"] == "Besançon" and besancon["score"] == 100 and besancon["match"]
    assert besancon["type"] == [{"id": TI + "Commune", "name": "Commune"}]
    assert "25056" in besancon["description"]
    # The EPCI is a candidate of the untyped query too, below the exact commune.
    assert "epci/242500361" in [r["id"] for r in answer["a"]["result"]]
    epci = top(answer, "b")
    assert epci["name"] == "CU Grand Besançon Métropole" and 0 < epci["score"] < 100
    assert all(r["type"][0]["id"] == TI + "EPCI" for r in answer["b"]["result"])
    assert len(answer["b"]["result"]) <= 3


def test_ambiguous_exact_names_are_never_a_match(full_server):
    answer = reconcile(full_server, {"q0": {"query": "Saint-Martin", "type": TI + "Commune"}})
    results = answer["q0"]["result"]
    exact = [r for r in results if r["score"] == 100]
    assert len(exact) > 1
    assert not any(r["match"] for r in results)


def test_a_departement_narrows_the_candidates(full_server):
    answer = reconcile(full_server, {
        "code": {"query": "Saint-Martin", "type": TI + "Commune",
                 "properties": [{"pid": "departement", "v": "67"}]},
        "name": {"query": "Saint-Martin", "type": TI + "Commune",
                 "properties": [{"pid": "departement", "v": "Bas-Rhin"}]},
        "iri": {"query": "Saint-Martin", "type": TI + "Commune",
                "properties": [{"pid": TI + "departement", "v": {"id": BASE + "id/departement/67"}}]},
        "doubs": {"query": "Doubs", "properties": [{"pid": "departement", "v": "25"}]},
    })
    for key in ("code", "name", "iri"):
        best = top(answer, key)
        assert best["id"] == "commune/67426" and best["match"] and best["score"] == 100, best
        assert all("(67)" in r["description"] for r in answer[key]["result"])
    # "Doubs" names a commune and a département: in the Doubs, both remain, so no match.
    doubs = answer["doubs"]["result"]
    assert {"commune/25204", "departement/25"} <= {r["id"] for r in doubs[:2]}
    assert not any(r["match"] for r in doubs)


def test_codes_narrow_and_match(full_server):
    answer = reconcile(full_server, {
        "siren": {"query": "Grand Besançon", "properties": [{"pid": "siren", "v": "242500361"}]},
        "siren_only": {"query": "", "properties": [{"pid": "siren", "v": "242 500 361"}]},
        "wrong": {"query": "Grand Besançon", "type": TI + "EPCI",
                  "properties": [{"pid": "siren", "v": "200023075"}]},
        "insee": {"query": "Besancon", "properties": [{"pid": "codeInsee", "v": 25056}]},
        "unknown": {"query": "Besançon", "properties": [{"pid": "siren", "v": "000000000"}]},
    })
    assert [r["id"] for r in answer["siren"]["result"]] == ["epci/242500361"]
    assert answer["siren"]["result"][0]["match"] and answer["siren"]["result"][0]["score"] == 100
    assert [r["id"] for r in answer["siren_only"]["result"]] == ["epci/242500361"]
    # The SIREN decides: the EPCI with that SIREN, whatever the name says.
    assert [r["id"] for r in answer["wrong"]["result"]] == ["epci/200023075"]
    assert answer["insee"]["result"][0]["id"] == "commune/25056" and answer["insee"]["result"][0]["match"]
    assert answer["unknown"]["result"] == []


def test_single_query_and_get(full_server):
    status, _, body = request(full_server + "reconcile?query=" + urllib.parse.quote("Besançon"))
    assert status == 200 and json.loads(body)["result"][0]["id"] == "commune/25056"
    q = json.dumps({"query": "Morteau", "type": TI + "Commune"})
    status, _, body = request(full_server + "reconcile?query=" + urllib.parse.quote(q))
    assert status == 200 and json.loads(body)["result"][0]["id"] == "commune/25411"
    queries = json.dumps({"q0": {"query": "Pontarlier", "type": "commune"}})
    status, _, body = request(full_server + "reconcile?queries=" + urllib.parse.quote(queries))
    assert status == 200 and json.loads(body)["q0"]["result"][0]["id"] == "commune/25462"


def test_jsonp(full_server):
    status, headers, body = request(full_server + "reconcile?callback=jQuery123_456")
    assert status == 200 and headers["Content-Type"].startswith("application/javascript")
    text = body.decode()
    found = re.fullmatch(r"/\*\*/jQuery123_456\((.*)\);", text, re.S)
    assert found and json.loads(found.group(1))["identifierSpace"] == BASE + "id/"
    queries = json.dumps({"q0": {"query": "Besançon"}})
    status, headers, body = request(full_server + "reconcile", {"queries": queries, "callback": "cb"})
    found = re.fullmatch(r"/\*\*/cb\((.*)\);", body.decode(), re.S)
    assert status == 200 and json.loads(found.group(1))["q0"]["result"][0]["id"] == "commune/25056"
    status, _, body = request(full_server + "reconcile/suggest/entity?prefix=Besan&callback=s.f")
    assert status == 200 and body.startswith(b"/**/s.f(")
    for bad in ("alert(1)", "a b", "<script>", "x;y"):
        status, headers, body = request(full_server + "reconcile?callback=" + urllib.parse.quote(bad))
        assert status == 400 and b"callback" in body
        assert not headers["Content-Type"].startswith("application/javascript")


def test_preview_is_a_small_escaped_card(full_server):
    status, headers, body = request(full_server + "reconcile/preview?id=commune/25056")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    html = body.decode()
    assert "Besançon" in html and "25056" in html and "Doubs" in html
    assert f'href="{full_server}doc/commune/25056"' in html
    status, _, body = request(full_server + "reconcile/preview?id="
                              + urllib.parse.quote(BASE + "id/territoire/alliances-luxe-precision-doubs"))
    html = body.decode()
    assert status == 200 and "Alliances Luxe et Précision Doubs" in html   # its official name
    status, headers, body = request(full_server + "reconcile/preview?id=" + urllib.parse.quote("<script>x</script>"))
    assert status == 404 and headers["Content-Type"].startswith("application/json")
    assert "unknown entity" in json.loads(body)["error"]
    status, _, _ = request(full_server + "reconcile/preview")
    assert status == 400
    status, _, body = request(full_server + "reconcile/flyout/entity?id=epci/242500361")
    assert status == 200 and "Grand Besançon" in json.loads(body)["html"]


def test_suggest(full_server):
    status, _, body = request(full_server + "reconcile/suggest/entity?prefix=" + urllib.parse.quote("Besan"))
    assert status == 200
    result = json.loads(body)["result"]
    assert result[0]["id"] == "commune/25056" and result[0]["name"] == "Besançon"
    assert "epci/242500361" in [r["id"] for r in result]     # "Grand Besançon": a later word
    assert all(r["notable"] and r["description"] for r in result)
    status, _, body = request(full_server + "reconcile/suggest/entity?prefix=besan&type="
                              + urllib.parse.quote(TI + "EPCI"))
    result = json.loads(body)["result"]
    assert result[0]["id"] == "epci/242500361" and all(r["notable"][0]["id"] == TI + "EPCI" for r in result)
    status, _, body = request(full_server + "reconcile/suggest/entity?prefix=besan&cursor=1&limit=1")
    assert [r["id"] for r in json.loads(body)["result"]] == ["epci/242500361"]
    status, _, body = request(full_server + "reconcile/suggest/type?prefix=ep")
    assert [t["id"] for t in json.loads(body)["result"]] == [TI + "EPCI"]
    status, _, body = request(full_server + "reconcile/suggest/type?prefix=pers")
    assert [t["id"] for t in json.loads(body)["result"]] == [FOAF_PERSON]
    status, _, body = request(full_server + "reconcile/suggest/property?prefix=sir")
    assert [p["id"] for p in json.loads(body)["result"]] == ["siren"]
    status, _, body = request(full_server + "reconcile/suggest/property?prefix=d")
    assert "departement" in [p["id"] for p in json.loads(body)["result"]]


def test_search_json(full_server):
    status, headers, body = request(full_server + "search?q=" + urllib.parse.quote("Besançon"),
                                    accept="application/json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    answer = json.loads(body)
    first = answer["results"][0]
    assert first["id"] == BASE + "id/commune/25056" and first["match"] and first["score"] == 100
    assert first["url"] == full_server + "doc/commune/25056"
    assert answer["index"]["entities"] > 35_000
    status, _, body = request(full_server + "search?format=json&type=epci&q=" + urllib.parse.quote("Besançon"))
    assert json.loads(body)["results"][0]["id"] == BASE + "id/epci/242500361"
    status, _, body = request(full_server + "search?format=json&type=nope&q=x")
    assert status == 400


def test_search_html_has_a_box_links_on_this_host_and_escapes(full_server):
    status, headers, body = request(full_server + "search?q=" + urllib.parse.quote("Plateau du Russey"),
                                    accept="text/html")
    html = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<form' in html and 'name="q"' in html and 'value="Plateau du Russey"' in html
    assert f'href="{full_server}doc/epci/242504355"' in html
    assert 'href="https://data.example.fr/' not in html
    hostile = '"><script>alert(1)</script>'
    status, _, body = request(full_server + "search?q=" + urllib.parse.quote(hostile), accept="text/html")
    html = body.decode()
    assert status == 200 and "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    status, _, body = request(full_server + "search", accept="text/html")
    assert status == 200 and b'name="q"' in body


BAD_BATCHES = [
    ("{not json", 400, "invalid JSON"),
    ("[1, 2]", 400, "JSON object"),
    ("null", 400, "JSON object"),
    ('{"q0": 5}', 400, "q0"),
    ('{"q0": {"query": ["x"]}}', 400, "q0.query"),
    ('{"q0": {"query": "x", "limit": -1}}', 400, "limit"),
    ('{"q0": {"query": "x", "limit": "many"}}', 400, "limit"),
    ('{"q0": {"query": "x", "type": "ti:Nothing"}}', 400, "unknown type"),
    ('{"q0": {"query": "x", "properties": "siren"}}', 400, "properties"),
    ('{"q0": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}}', 400, "unknown property"),
    ('{"q0": {"query": "x", "properties": [{"pid": "siren", "v": [[1]]}]}}', 400, "properties"),
    ('{"q0": {"query": "' + "x" * 600 + '"}}', 400, "at most"),
]


@pytest.mark.parametrize("raw,status,message", BAD_BATCHES)
def test_bad_batches_are_readable_4xx(full_server, raw, status, message):
    got, headers, body = request(full_server + "reconcile", {"queries": raw})
    assert got == status, body
    assert message in json.loads(body)["error"]


def test_odd_but_valid_input_never_fails(full_server):
    odd = {"empty": {"query": ""}, "spaces": {"query": "   "}, "punct": {"query": "---"},
           "null_type": {"query": "Besançon", "type": None}, "zero": {"query": "Morteau", "limit": 0},
           "nodept": {"query": "Morteau", "properties": [{"pid": "departement", "v": "Atlantide"}]},
           "unicode": {"query": "Œuilly ǅ 🏭"}, "string": "Besançon", "list_type":
           {"query": "Morteau", "type": [TI + "Commune", TI + "EPCI"]}}
    answer = reconcile(full_server, odd)
    assert answer["empty"]["result"] == [] and answer["nodept"]["result"] == []
    assert answer["string"]["result"][0]["id"] == "commune/25056"
    assert answer["list_type"]["result"][0]["id"] == "commune/25411"
    assert 0 < len(answer["zero"]["result"]) <= 10


def test_huge_batches_are_refused(full_server):
    many = {f"q{i}": {"query": "Besançon"} for i in range(101)}
    status, _, body = request(full_server + "reconcile", {"queries": json.dumps(many)})
    assert status == 413 and "at most 100" in json.loads(body)["error"]
    # just over the 1 MB bound, so the client has sent it all before the 413 closes the connection
    big = {"queries": json.dumps({"q0": {"query": "x" * 1_000_100}})}
    status, _, _ = request(full_server + "reconcile", big)
    assert status == 413


def test_json_body_is_accepted(full_server):
    body = json.dumps({"queries": {"q0": {"query": "Ornans", "type": TI + "Commune"}}}).encode()
    status, _, answer = request(full_server + "reconcile", body, content_type="application/json")
    assert status == 200 and json.loads(answer)["q0"]["result"][0]["id"] == "commune/25434"
    status, _, answer = request(full_server + "reconcile", b"{oops", content_type="application/json")
    assert status == 400


def test_batch_latency(full_server):
    """An OpenRefine batch of 10 queries, once the index is built: reported, and well under a
    second (the index is built once per version and worker; its build time is reported too)."""
    queries = {f"q{i}": {"query": q, "type": t} for i, (q, t, _, _) in enumerate(VARIANTS[:10])}
    for _ in range(4):            # both workers have built their index
        reconcile(full_server, queries)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        reconcile(full_server, queries)
        timings.append(time.perf_counter() - started)
    _, _, body = request(full_server + "search?format=json&q=Besancon")
    build_seconds = json.loads(body)["index"]["build_seconds"]
    print(f"\nindex build {build_seconds:.2f} s; batch of 10 queries: median "
          f"{sorted(timings)[2] * 1000:.0f} ms, best {min(timings) * 1000:.0f} ms")
    assert sorted(timings)[2] < 1.0
