"""Federated queries: SERVICE reaches the allow-listed endpoints only. The Wikidata endpoint is
replaced by a local Oxigraph server loaded with Wikidata-shaped fixture data."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from territoires.config import ROOT

from .conftest import start_server
from .test_linking import FIXTURES, _serve

WIKIDATA = "https://query.wikidata.org/sparql"
EXAMPLE = ROOT / "examples" / "federation" / "epci-wikidata.rq"


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory):
    process, url = _serve(FIXTURES / "wikidata.ttl", tmp_path_factory.mktemp("wikidata"))
    yield url
    process.kill()


@pytest.fixture(scope="module")
def federating(published, settings, wikidata):
    process, url = start_server(settings, env={"TERRITOIRES_SERVICE_ALLOWLIST": wikidata,
                                               "TERRITOIRES_SERVICE_ALLOW_LOCAL": "1"})
    yield url
    process.terminate()
    process.wait(timeout=15)


def select(server: str, query: str) -> tuple[int, dict | str]:
    request = urllib.request.Request(server + "sparql", data=urllib.parse.urlencode(
        {"query": query}).encode(), headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_documented_example_joins_our_epci_with_wikidata(federating, wikidata):
    query = EXAMPLE.read_text().replace(WIKIDATA, wikidata)
    status, results = select(federating, query)
    assert status == 200, results
    rows = {b["siren"]["value"]: b for b in results["results"]["bindings"]}
    # The fixture gives Grand Besançon Métropole an item; our label and theirs both come back.
    assert rows["242500361"]["element"]["value"].startswith("http://www.wikidata.org/entity/Q")
    assert rows["242500361"]["libelleWikidata"]["value"] == "Grand Besançon Métropole"
    assert rows["242500361"]["nom"]["value"] == "CU Grand Besançon Métropole"
    assert set(rows) <= {"242504116", "242504355", "200023075", "242504181", "200068070", "242500361"}


def test_any_other_endpoint_is_still_refused(federating, wikidata):
    other = wikidata.replace("/query", "/other")
    status, message = select(federating, f"SELECT * WHERE {{ SERVICE <{other}> {{ ?s ?p ?o }} }}")
    assert status == 403 and "not allowed" in message


def test_the_example_is_refused_by_default(server):
    status, message = select(server, EXAMPLE.read_text())
    assert status == 403 and "allow-list (none)" in message
