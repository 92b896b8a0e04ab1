"""Pages for people: the home page, the query page, the escaping of data in HTML, and pages that
need nothing from another host."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from markupsafe import escape


from .conftest import app_with_extra_source
from .test_linked_data import fetch

QUERY_TITLES = [str(escape("Intercommunalités d'Alliances Luxe & Précision, Doubs"))]


class Resources(HTMLParser):
    """The URLs a page makes the browser load by itself: scripts, styles, images, frames."""

    def __init__(self):
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source") and attrs.get("src"):
            self.loaded.append(attrs["src"])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "") or \
                tag == "link" and "icon" in (attrs.get("rel") or ""):
            self.loaded.append(attrs["href"])


def loaded_urls(html: bytes) -> list[str]:
    parser = Resources()
    parser.feed(html.decode())
    return parser.loaded


def test_home_describes_the_dataset(server, published):
    status, headers, body = fetch(server, "/", Accept="text/html")
    assert status == 200 and headers["ETag"]
    text = body.decode()
    assert "Territoires d'industrie" in text and 'lang="en"' in text
    assert f"{published.quads:,}".replace(",", " ") in text
    assert published.version in text
    for graph in published.graphs:
        assert graph in text


def test_home_leads_with_the_programme_and_its_phases(server):
    _, _, body = fetch(server, "/")
    text = body.decode()
    assert text.index('<section id="programme">') < text.index('<section id="chiffres">')
    assert f'href="{server}id/programme/territoires-d-industrie"' in text
    for phase in (1, 2):
        assert f'href="{server}id/phase/territoires-d-industrie-{phase}">phase {phase}</a>' in text


def test_home_lists_example_queries_one_click_from_running(server, settings):
    _, _, body = fetch(server, "/")
    text = body.decode()
    files = sorted(settings.examples_dir.glob("*.rq"))
    assert text.count('class="run"') == len(files)
    for title in QUERY_TITLES:
        assert title in text
    links = re.findall(r'href="([^"]*requete\?query=[^"]*)"', text)
    assert len(links) >= len(files)
    assert quote(f"BASE <{settings.base_uri}>", safe="") in links[0]  # the configured base
    assert "data.example.fr%2F%3E" in links[0] or settings.base_uri != "https://data.example.fr/"
    assert len(re.findall(r'href="[^"]*/sparql\?query=', text)) >= len(files)


def test_home_links_dumps_and_metadata(server):
    _, _, body = fetch(server, "/")
    for path in (b'href="/dump/"', b'href="/.well-known/void"', b'href="/catalogue"',
                 b'href="/requete"', b'href="/def/territoires"'):
        assert path in body


def test_query_page_is_prefilled_and_escaped(server):
    query = 'SELECT * WHERE { ?s ?p "</textarea><script>alert(1)</script>" }'
    status, _, body = fetch(server, "/requete?query=" + quote(query))
    assert status == 200
    assert b"<script>alert(1)" not in body
    assert b"&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert re.search(rb'src="/static/[0-9a-f]{12}/requete.js"', body)


@pytest.mark.parametrize("path", ["/", "/requete", "/doc/territoire/alliances-luxe-precision-doubs",
                                  "/def/territoires", "/shapes/territoires", "/catalogue",
                                  "/.well-known/void", "/dump/", "/doc/epci/242500361"])
def test_pages_load_nothing_from_another_host(server, path):
    status, _, body = fetch(server, path, Accept="text/html")
    assert status == 200
    loaded = loaded_urls(body)
    assert loaded, "every page loads at least the stylesheet"
    for url in loaded:
        parts = urlsplit(url)
        assert not parts.scheme or f"{parts.scheme}://{parts.netloc}/" == server, url
    assert b"@import" not in body and b"fonts.googleapis" not in body


def test_static_files_are_served(server):
    for name, kind in (("style.css", "text/css"), ("requete.js", "text/javascript")):
        status, headers, body = fetch(server, f"/static/{name}")
        assert status == 200 and headers["Content-Type"].startswith(kind) and body
    _, _, css = fetch(server, "/static/style.css")
    assert b"url(" not in css and b"@import" not in css


# --- a literal holding markup -----------------------------------------------------------------

DATA = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<id/organisation/essai> a org:FormalOrganization , schema:Organization ;
    skos:prefLabel "<script>alert('x')</script> & Cie"@fr ;
    rdfs:label "<script>alert('x')</script> & Cie"@fr ;
    rdfs:comment "\\"><img src=x onerror=alert(1)>" ;
    rdfs:seeAlso <javascript:alert(1)> ;
    <def/territoires#modeEtablissement> <def/mode-etablissement/cite> ;
    <http://purl.org/dc/terms/source> <id/document/article-grand-besancon-territoire-d-industrie> .
"""


@pytest.fixture(scope="module")
def markup_app(settings, tmp_path_factory):
    """An app on a build whose data holds markup in literals and a javascript: IRI."""
    return app_with_extra_source(settings, tmp_path_factory.mktemp("markup"), "essai",
                                 "Essai <b>balisé</b>", DATA)


def test_markup_in_literals_is_escaped(markup_app):
    client = markup_app.test_client()
    response = client.get("/doc/organisation/essai", headers={"Accept": "text/html"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Cie" in body
    assert 'href="javascript:' not in body
    graph_page = client.get("/graph/essai", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<b>balisé</b>" not in graph_page and "&lt;b&gt;balisé&lt;/b&gt;" in graph_page
