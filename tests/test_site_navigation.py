"""Every page type says where the site's parts are (issue 21 item 7): the header links to search,
the query editor, downloads, versions, validation and the catalogue; a skip link leads past them
to the main content; the favicon is declared and served (no 404 per page)."""

from __future__ import annotations

import re

import pytest

PAGES = ["/", "/search?q=doubs", "/requete", "/doc/commune/25056", "/doc/epci/242500361",
         "/doc/territoire/alliances-luxe-precision-doubs", "/doc/personne/nathalie-auge",
         "/doc/programme/territoires-d-industrie", "/def/territoires", "/dump/", "/changes",
         "/validation", "/catalogue", "/.well-known/void", "/doc/commune/inconnue-x"]
HEADER_LINKS = {"/search": "Recherche", "/requete": "Requête SPARQL", "/dump/": "Téléchargements",
                "/changes": "Versions", "/validation": "Validation", "/catalogue": "Catalogue"}


def html(client, path: str) -> str:
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.status_code in (200, 404), (path, answer.status_code)
    assert answer.content_type.startswith("text/html"), path
    return answer.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_the_sites_parts_in_its_header(client, path):
    header = re.search(r'<header class="site">.*?</header>', html(client, path), re.S).group(0)
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", header, re.S).group(1)
    links = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav))
    for href, text in HEADER_LINKS.items():
        assert links.get(href) == text, (path, href, links)
    for href in HEADER_LINKS:          # every link leads to a page, not a 404
        assert client.get(href, headers={"Accept": "text/html"}).status_code == 200, href


@pytest.mark.parametrize("path", PAGES)
def test_every_page_declares_the_favicon_and_a_skip_link(client, path):
    page = html(client, path)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    answer = client.get(icon)
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert answer.get_data().startswith(b"<svg")
    skip = re.search(r'<body>\s*<a class="skip" href="#([a-z-]+)">', page).group(1)
    assert re.search(rf'<main id="{skip}"', page), path
    assert page.index('class="skip"') < page.index('<header class="site">')


def test_favicon_ico_is_sent_to_the_svg_icon(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    assert re.fullmatch(r"/static/[0-9a-f]{12}/favicon\.svg", answer.headers["Location"])
    assert client.get(answer.headers["Location"]).status_code == 200
