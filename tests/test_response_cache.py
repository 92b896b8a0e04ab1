"""Whole GET responses replayed in front of Flask (web/caching/responses.py), through a real
one-worker server (one worker: one cache): a replay is byte-identical to what Flask answered, is
never given for another Accept, host or version, answers HEAD and If-None-Match, and keeps
nothing over its bound."""

from __future__ import annotations

import http.client
import urllib.parse

import pytest

from territoires.build.pipeline import build
from territoires.web.caching.shared import version_directory

from .conftest import copy_with_extra_source, organisation_turtle, serve_copy, wait_until_served

EPCI = "/doc/epci/242500361"   # Grand Besançon Métropole: a document of about 16 kB
COMMUNE = "/doc/commune/25056"
ESSAI = "organisation/essai"
DATA = organisation_turtle("Essai de réponse gardée")
UNSTABLE = {"date", "x-cache"}   # set per response (by gunicorn, by the cache)


@pytest.fixture(scope="module")
def private(published, settings, tmp_path_factory):
    root = tmp_path_factory.mktemp("responses")
    private_settings, process, url = serve_copy(settings, root, "--workers", "1")
    yield root, private_settings, urllib.parse.urlsplit(url).port
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def small(published, settings, tmp_path_factory):
    """A server whose response cache keeps only bodies up to 10,000 bytes (1/8 of its bound)."""
    root = tmp_path_factory.mktemp("small-responses")
    _, process, url = serve_copy(settings, root, "--workers", "1",
                                 env={"TERRITOIRES_RESPONSE_CACHE_BYTES": "80000"})
    yield urllib.parse.urlsplit(url).port
    process.terminate()
    process.wait(timeout=10)


def fetch(port: int, path: str, method: str = "GET", **headers):
    """(status, headers with lower-case names, body) on a fresh connection; no redirect is
    followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers={k.replace("_", "-"): v
                                                  for k, v in headers.items()})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def stable(headers: dict) -> dict:
    return {k: v for k, v in headers.items() if k not in UNSTABLE}


def test_a_replay_is_what_flask_answered(private):
    _, _, port = private
    status, first, body = fetch(port, EPCI, Accept="text/turtle")
    assert status == 200 and first.get("x-cache") != "hit"
    status, again, replayed = fetch(port, EPCI, Accept="text/turtle")
    assert status == 200 and again["x-cache"] == "hit"
    assert replayed == body and stable(again) == stable(first)


def test_another_accept_or_host_is_not_replayed(private):
    _, _, port = private
    fetch(port, COMMUNE, Accept="text/turtle")
    assert fetch(port, COMMUNE, Accept="text/turtle")[1]["x-cache"] == "hit"
    status, headers, body = fetch(port, COMMUNE, Accept="application/n-triples")
    assert status == 200 and headers.get("x-cache") != "hit"
    assert headers["content-type"].startswith("application/n-triples")
    status, headers, _ = fetch(port, COMMUNE, Accept="text/turtle", Host="miroir.example:8080")
    assert status == 200 and headers.get("x-cache") != "hit"
    assert "http://miroir.example:8080/doc/commune/25056.ttl" in headers["content-location"]


def test_head_and_if_none_match_are_answered_from_the_kept_get(private):
    _, _, port = private
    _, headers, body = fetch(port, EPCI, Accept="text/html")
    status, head, nothing = fetch(port, EPCI, "HEAD", Accept="text/html")
    assert status == 200 and head["x-cache"] == "hit" and nothing == b""
    assert int(head["content-length"]) == len(body)
    status, _, nothing = fetch(port, EPCI, Accept="text/html", If_None_Match=headers["etag"])
    assert status == 304 and nothing == b""
    status, _, again = fetch(port, EPCI, Accept="text/html", If_None_Match='"autre"')
    assert status == 200 and again == body


def test_redirects_and_unknown_resources_are_replayed(private):
    _, _, port = private
    first = fetch(port, "/id/epci/242500361")
    again = fetch(port, "/id/epci/242500361")
    assert first[0] == again[0] == 303 and again[1]["x-cache"] == "hit"
    assert again[1]["location"] == first[1]["location"]
    assert first[1]["location"].endswith("/doc/epci/242500361")
    assert fetch(port, "/id/epci/000000000")[0] == 404
    assert fetch(port, "/id/epci/000000000")[1]["x-cache"] == "hit"


def test_post_requests_pass_through(private):
    _, _, port = private
    for _ in range(2):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", "/sparql", body="ASK { ?s ?p ?o }",
                           headers={"Content-Type": "application/sparql-query"})
        response = connection.getresponse()
        assert response.status == 200 and response.read() == b'{"head":{},"boolean":true}'
        connection.close()


def test_a_new_version_is_never_answered_from_a_kept_response(private, settings):
    root, private_settings, port = private
    kept_404 = f"/id/{ESSAI}"
    assert fetch(port, kept_404)[0] == 404
    assert fetch(port, kept_404)[1]["x-cache"] == "hit"
    _, _, before = fetch(port, "/doc/" + ESSAI, Accept="text/turtle")
    copy_with_extra_source(settings, root, "essai", "Essai de réponse gardée", DATA)
    wait_until_served(f"http://127.0.0.1:{port}/", build(private_settings).version)
    status, headers, _ = fetch(port, kept_404)
    assert status == 303 and headers.get("x-cache") != "hit"
    status, headers, after = fetch(port, "/doc/" + ESSAI, Accept="text/turtle")
    assert status == 200 and "Essai de réponse gardée".encode() in after and after != before


def test_nothing_over_the_bound_is_kept(small):
    port = small
    _, _, body = fetch(port, EPCI, Accept="text/turtle")
    assert len(body) > 10_000
    assert fetch(port, EPCI, Accept="text/turtle")[1].get("x-cache") != "hit"
    _, _, tiny = fetch(port, "/id/commune/25056")
    assert len(tiny) < 10_000
    assert fetch(port, "/id/commune/25056")[1]["x-cache"] == "hit"


@pytest.fixture(scope="module")
def shared(published, settings, tmp_path_factory):
    """Two workers sharing their kept responses in a directory the test can look into."""
    root = tmp_path_factory.mktemp("shared-responses")
    directory = root / "kept"
    _, process, url = serve_copy(settings, root, "--workers", "2",
                                 env={"TERRITOIRES_RESPONSE_CACHE_DIR": str(directory),
                                      "TERRITOIRES_RESPONSE_SHARE_CPU_MS": "0"})
    yield urllib.parse.urlsplit(url).port, directory, published.version
    process.terminate()
    process.wait(timeout=10)


def test_workers_share_what_one_of_them_rendered(shared):
    port, directory, version = shared

    def files() -> int:
        kept = directory / version_directory(version)
        return len(list(kept.iterdir())) if kept.exists() else 0

    before = files()
    # A SPARQL answer stays in its worker's memory (cheaper than a file write).
    assert fetch(port, "/sparql?query=ASK%7B%7D")[0] == 200
    assert fetch(port, "/sparql?query=ASK%7B%7D")[0] == 200
    assert files() == before
    status, first, body = fetch(port, COMMUNE, Accept="application/ld+json")
    assert status == 200 and first.get("x-cache") != "hit"
    assert files() == before + 1   # written once, for the other worker
    # Fresh connections land on either worker: every one is a replay of the same bytes.
    for _ in range(12):
        status, headers, again = fetch(port, COMMUNE, Accept="application/ld+json")
        assert (status, headers["x-cache"], again) == (200, "hit", body)
    assert files() == before + 1
