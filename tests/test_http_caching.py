"""What caches in front may keep, per kind of answer; the two validators; a new build changing
them; compression negotiated and kept compressed."""

from __future__ import annotations

import gzip
import re
import time
from dataclasses import replace

import brotli
import pytest

from territoires.build.pipeline import build
from territoires.config import ROOT
from flask import Blueprint

from territoires.web.assets import _encoded
from territoires.web import create_app
from territoires.web.caching import policy
from territoires.web.routing import Route, register

from .conftest import copy_with_extra_source, organisation_turtle, settings_for

TURTLE = {"Accept": "text/turtle"}
BUILD = "public, max-age=300, stale-while-revalidate=60, stale-if-error=86400"
SHORT = "public, max-age=60, stale-while-revalidate=60, stale-if-error=86400"


@pytest.mark.parametrize("path, headers, policy", [
    ("/doc/epci/242500361", TURTLE, BUILD),
    ("/doc/epci/242500361.html", {}, BUILD),
    ("/def/territoires", TURTLE, BUILD),
    ("/shapes/territoires", TURTLE, BUILD),
    ("/.well-known/void", TURTLE, BUILD),
    ("/catalogue", TURTLE, BUILD),
    ("/", {}, BUILD),
    ("/dump/", {}, BUILD),
    ("/requete", {}, BUILD),
    ("/sparql?query=ASK%7B%7D", {}, SHORT),
    ("/sparql", TURTLE, SHORT),
    ("/search?q=Morteau", {}, SHORT),
    ("/reconcile", {}, SHORT),
    ("/reconcile/suggest/entity?prefix=mort", {}, SHORT),
])
def test_what_caches_may_keep_per_kind(client, published, path, headers, policy):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == policy
    assert response.last_modified is not None
    assert response.headers.get("ETag") or path.startswith(("/search", "/reconcile", "/requete"))


def test_every_route_declares_its_cache_kind(app):
    """A route is declared in its package's table with a kind (web/routing.py): none is left to
    a view that might forget it."""
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 40
    undeclared = [rule.rule for rule in rules
                  if getattr(app.view_functions[rule.endpoint], "cache_kind", None)
                  not in policy.KINDS]
    assert undeclared == []
    kinds = {rule.rule: app.view_functions[rule.endpoint].cache_kind for rule in rules}
    assert kinds["/memento/<int:year>/<path:rest>"] == kinds["/changes"] == "document"
    assert kinds["/reconcile/v1/match"] == policy.NO_STORE


def test_a_route_of_no_known_kind_is_refused():
    with pytest.raises(ValueError, match="/x: unknown cache kind 'forever'"):
        register(Blueprint("x", __name__), [Route("/x", lambda: "", "forever")])


MEMENTO = "/memento/2023/id/territoire/alliances-luxe-precision-doubs"


@pytest.mark.parametrize("path, headers", [
    (MEMENTO, TURTLE),
    (MEMENTO + ".nt", {}),
    ("/timemap/id/epci/242500361", {}),
    ("/changes", {"Accept": "text/html"}),
    ("/changes", {"Accept": "application/json"}),
    ("/changes?format=json", {}),
])
def test_mementos_and_changes_are_cached_and_revalidated_like_documents(client, path, headers):
    first = client.get(path, headers=headers)
    assert first.status_code == 200, path
    assert first.headers["Cache-Control"] == BUILD
    assert first.headers["ETag"] and first.last_modified is not None
    for validator in ({"If-None-Match": first.headers["ETag"]},
                      {"If-Modified-Since": first.headers["Last-Modified"]}):
        for _ in range(2):   # answered by Flask, then replayed by the response cache
            again = client.get(path, headers={**headers, **validator})
            assert again.status_code == 304, (path, validator)
            assert again.data == b"" and again.headers["ETag"] == first.headers["ETag"]


def test_a_memento_and_its_document_have_different_validators(client):
    memento = client.get(MEMENTO, headers=TURTLE)
    document = client.get("/doc/territoire/alliances-luxe-precision-doubs", headers=TURTLE)
    assert memento.headers["ETag"] != document.headers["ETag"]
    assert memento.data != document.data


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


@pytest.mark.parametrize("path, headers, read", [
    ("/doc/epci/242500361", TURTLE, {"accept"}),
    ("/doc/epci/242500361.ttl", TURTLE, set()),
    ("/.well-known/void", TURTLE, {"accept"}),
    ("/catalogue.ttl", TURTLE, set()),
    (MEMENTO, TURTLE, {"accept"}),
    (MEMENTO + ".nt", TURTLE, set()),
    ("/changes", {"Accept": "application/json"}, {"accept"}),
    ("/changes?format=json", {"Accept": "application/json"}, set()),
    ("/search?q=Morteau", {"Accept": "text/html"}, {"accept"}),
    ("/search?q=Morteau&format=json", {}, set()),
    ("/timegate/id/epci/242500361", {}, {"accept-datetime"}),
])
def test_vary_names_what_the_negotiation_read_and_nothing_else(client, path, headers, read):
    response = client.get(path, headers={**headers, "Accept-Encoding": "identity"})
    assert response.status_code in (200, 302), path
    assert vary(response) - {"accept-encoding"} == read


def test_a_redirect_is_cacheable_too(client):
    response = client.get("/id/epci/242500361")
    assert response.status_code == 303 and response.headers["Cache-Control"] == BUILD
    assert response.last_modified is not None


@pytest.mark.parametrize("path, method", [("/id/epci/000000000", "GET"),
                                          ("/doc/nothing/here", "GET"),
                                          ("/sparql?query=NOT+SPARQL", "GET"),
                                          ("/search?q=" + "x" * 600, "GET"),
                                          ("/reconcile", "POST")])
def test_errors_and_posts_are_never_kept(client, path, method):
    response = client.open(path, method=method, data={"queries": "{}"} if method == "POST" else None)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_query_that_reaches_another_endpoint_is_not_kept(client):
    query = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    assert client.get("/sparql", query_string={"query": query}).headers["Cache-Control"] \
        == "no-store"   # refused here; allowed, its answer would depend on Wikidata


def test_static_assets_are_fingerprinted_and_immutable(client):
    page = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
    css = re.search(r'href="(/static/[0-9a-f]{12}/style\.css)"', page).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(css.replace(css.split("/")[2], "0" * 12)).status_code == 404


def test_vendored_assets_are_compressed_once_and_decode_to_the_file(client):
    page = client.get("/requete", headers={"Accept": "text/html"}).get_data(as_text=True)
    script = re.search(r'src="(/static/[0-9a-f]{12}/yasgui/yasgui\.min\.js)"', page).group(1)
    original = (ROOT / "vendor" / "yasgui" / "yasgui.min.js").read_bytes()
    for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get(script, headers={"Accept-Encoding": coding})
        assert response.headers["Content-Encoding"] == coding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decode(response.get_data()) == original
    compressed = _encoded.cache_info().misses
    for _ in range(5):
        client.get(script, headers={"Accept-Encoding": "br"})
    assert _encoded.cache_info().misses == compressed   # ~0.1 s of Brotli once, not per request
    assert client.get(script).get_data() == original


@pytest.mark.parametrize("path, headers", [("/doc/epci/242500361", TURTLE),
                                          ("/id/epci/242500361", {}),
                                          ("/sparql?query=ASK%7B%7D", {}),
                                          ("/", {})])
def test_both_validators_answer_304(client, path, headers):
    first = client.get(path, headers=headers)
    for validator in ({"If-None-Match": first.headers.get("ETag")},
                      {"If-Modified-Since": first.headers["Last-Modified"]}):
        if None in validator.values():
            continue   # a redirect has no ETag
        for _ in range(2):   # answered by Flask, then replayed by the response cache
            again = client.get(path, headers={**headers, **validator})
            assert again.status_code == 304, (path, validator)
            assert again.data == b""


@pytest.mark.build   # a build of its own
def test_a_new_build_changes_both_validators(settings, tmp_path):
    output = tmp_path / "output"
    build(replace(settings, output_dir=output))
    client = create_app(replace(settings, output_dir=output, query_executors=1)).test_client()
    first = client.get("/doc/epci/242500361", headers=TURTLE)
    time.sleep(1.1)   # Last-Modified has whole seconds
    root = copy_with_extra_source(settings, tmp_path / "sources", "essai", "Essai",
                                  organisation_turtle("Essai de validateurs"))
    second_build = build(settings_for(root, output))
    deadline = time.monotonic() + 30
    while client.get("/dump/", headers={"Accept": "application/json"}).get_json()["version"] \
            != second_build.version:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = client.get("/doc/epci/242500361", headers=TURTLE)
    assert second.headers["ETag"] != first.headers["ETag"]
    assert second.last_modified > first.last_modified
    stale = client.get("/doc/epci/242500361", headers={**TURTLE,
                                                      "If-None-Match": first.headers["ETag"]})
    assert stale.status_code == 200


@pytest.mark.parametrize("accept_encoding, coding", [("gzip", "gzip"), ("br", "br"),
                                                     ("gzip, br", "br"), ("br;q=0, gzip", "gzip"),
                                                     ("identity", None), (None, None)])
def test_compression_is_negotiated_and_bodies_are_right(client, accept_encoding, coding):
    plain = client.get("/doc/epci/242500361", headers={**TURTLE, "Accept-Encoding": "identity"})
    headers = {**TURTLE, **({"Accept-Encoding": accept_encoding} if accept_encoding else {})}
    for _ in range(2):   # rendered and compressed, then replayed compressed
        response = client.get("/doc/epci/242500361", headers=headers)
        assert response.headers.get("Content-Encoding") == coding
        assert "Accept-Encoding" in response.headers["Vary"]
        body = response.data
        decoded = gzip.decompress(body) if coding == "gzip" else \
            brotli.decompress(body) if coding == "br" else body
        assert decoded == plain.data
        assert int(response.headers["Content-Length"]) == len(body)
        if coding:
            assert len(body) < len(plain.data) / 3
            assert response.headers["ETag"] == plain.headers["ETag"][:-1] + f'-{coding}"'


def test_an_encoded_etag_revalidates(client):
    first = client.get("/doc/epci/242500361", headers={**TURTLE, "Accept-Encoding": "gzip"})
    again = client.get("/doc/epci/242500361", headers={**TURTLE, "Accept-Encoding": "gzip",
                                                       "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == first.headers["ETag"]


def test_a_large_answer_is_compressed_too(client):
    query = "SELECT * WHERE { ?s ?p ?o VALUES ?x { 1 2 } } LIMIT 25000"
    plain = client.get("/sparql", query_string={"query": query}).data
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == plain and len(response.data) < len(plain) / 10


def test_small_and_binary_answers_are_sent_as_they_are(client):
    small = client.get("/sparql?query=ASK%7B%7D", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers   # a few bytes: nothing to gain
    dump = client.get("/dump/territoires.nt.gz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in dump.headers    # a gzip file already
