"""What search engines read: the home page's schema.org `Dataset` JSON-LD (the same facts as the
DCAT catalogue), `/robots.txt` and `/sitemap.xml` (every document of the build, each answering;
a sitemap index past the page size)."""

from __future__ import annotations

import json
import re
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS

from territoires.web.context import store
from territoires.web.metadata import crawlers
from territoires.web.metadata.texts import TITLE

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def get(url: str, accept: str = "*/*") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status, answer.headers["Content-Type"], answer.read()


def structured_data(html: str) -> dict:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_home_page_describes_the_dataset_in_schema_org(server):
    _, _, body = get(server, "text/html")
    dataset = structured_data(body.decode())
    assert dataset["@context"] == "https://schema.org/" and dataset["@type"] == "Dataset"
    assert dataset["name"] == TITLE["fr"] and dataset["inLanguage"] == "fr"
    assert 50 <= len(dataset["description"]) <= 5000       # what dataset search asks for
    catalogue = Graph().parse(data=get(server + "catalogue", "text/turtle")[2], format="turtle")
    (period,) = catalogue.objects(None, DCTERMS.temporal)
    start, end = catalogue.value(period, DCAT.startDate), catalogue.value(period, DCAT.endDate)
    assert dataset["temporalCoverage"] == f"{start}/{end}"
    assert dataset["license"] in {str(o) for o in catalogue.objects(None, DCTERMS.license)}
    for download in dataset["distribution"]:
        assert download["contentUrl"].startswith(server)
        assert get(download["contentUrl"])[0] == 200
    assert dataset["includedInDataCatalog"]["url"] == server + "catalogue"


def test_robots_points_to_the_sitemap_and_keeps_heavy_endpoints_out(server):
    status, content_type, body = get(server + "robots.txt")
    assert status == 200 and content_type.startswith("text/plain")
    assert f"Sitemap: {server}sitemap.xml" in body.decode().splitlines()
    robots = RobotFileParser()
    robots.parse(body.decode().splitlines())
    for path in ("", "doc/territoire/alliances-luxe-precision-doubs", "catalogue", "requete",
                 "def/territoires", "dump/", "static/style.css", "sitemap.xml"):
        assert robots.can_fetch("AnyBot", server + path), path
    for path in ("sparql", "sparql?query=ASK%7B%7D", "reconcile", "search?q=Doubs",
                 "requete?query=ASK%7B%7D"):
        assert not robots.can_fetch("AnyBot", server + path), path


def test_sitemap_lists_every_document_and_each_answers(server, client, store):
    status, content_type, body = get(server + "sitemap.xml")
    assert status == 200 and content_type.startswith("application/xml")
    urls = [loc.text for loc in ET.fromstring(body).iter(SITEMAP + "loc")]
    assert len(urls) == len(set(urls)) > 500
    paths = {urlsplit(url).path for url in urls}
    assert {"/", "/catalogue", "/doc/territoire/alliances-luxe-precision-doubs",
            "/doc/epci/242500361", "/doc/commune/25056", "/def/territoires"} <= paths
    assert not any(p.startswith(("/sparql", "/id/")) or "#" in p for p in paths)
    for path in sorted(paths):      # every one a document that answers (in process: faster)
        answer = client.get(path, headers={"Accept": "text/html"})
        assert answer.status_code == 200, path


def test_a_large_sitemap_is_paged_under_an_index(app, monkeypatch):
    client = app.test_client()
    with app.test_request_context():
        everything = ["http://localhost/" + path for path in crawlers.documents(store())]
    monkeypatch.setattr(crawlers, "PAGE", 100)     # before any sitemap is asked (and kept)
    index = ET.fromstring(client.get("/sitemap.xml").data)
    assert index.tag == SITEMAP + "sitemapindex"
    pages = [loc.text for loc in index.iter(SITEMAP + "loc")]
    assert len(pages) == -(-len(everything) // 100)
    paged = []
    for page in pages:
        answer = client.get(urlsplit(page).path)
        assert answer.status_code == 200
        listed = [loc.text for loc in ET.fromstring(answer.data).iter(SITEMAP + "loc")]
        assert 0 < len(listed) <= 100
        paged += listed
    assert paged == everything
    assert client.get(f"/sitemap-{len(pages) + 1}.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404
