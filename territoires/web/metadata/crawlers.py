"""What crawlers read first: `/robots.txt` (the sitemap, and the heavy endpoints kept out) and
`/sitemap.xml` (every document of the build: a thing's `/doc/` page, each vocabulary, graph and
shapes document, the site's own pages), split into `/sitemap-<n>.xml` pages under a sitemap
index when there are more than the protocol's 50,000 URLs (sitemaps.org)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flask import Response, abort

from ... import queries
from ...store import Store
from ..caching.responses import keep
from ..context import hosts, per_build, store

SKOLEM = ".well-known/genid/"    # blank nodes, skolemized: parts of their owners' documents
PAGE = 50_000           # URLs per sitemap (the protocol's limit)
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
PAGES = ["", "requete", "catalogue", ".well-known/void", "dump/", "shapes/territoires"]
# Kept out of crawlers' way: answers computed per request (a crawler following every query link
# would run them all), and the dumps (tens of megabytes, listed in the catalogue).
DISALLOWED = ["/sparql", "/reconcile", "/search", "/requete?query=", "/dump/*.gz$"]


@per_build
def documents(live: Store) -> list[str]:
    """The paths of the build's documents: each IRI under the base without a fragment names
    one (a fragment's description is part of its document); a thing's is under /doc/."""
    base, found = live.base, set(PAGES)
    for (subject,) in live.select(queries.get("void/subjects")):
        iri = getattr(subject, "value", "")
        path = iri[len(base):]
        if iri.startswith(base) and "#" not in iri and not path.startswith(SKOLEM):
            found.add("doc/" + path[3:] if path.startswith("id/") else path)
    return sorted(found)


def _xml(root: ET.Element) -> Response:
    keep(share=True)    # the request and the version decide it; writing 4 MB costs 0.4 s
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/xml")


def _urlset(paths: list[str], modified: str) -> ET.Element:
    urlset = ET.Element("urlset", xmlns=NAMESPACE)
    root = hosts().root
    for path in paths:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = root + path
        ET.SubElement(url, "lastmod").text = modified
    return urlset


def sitemap() -> Response:
    live = store()
    paths, modified = documents(live), live.manifest.modified
    if len(paths) <= PAGE:
        return _xml(_urlset(paths, modified))
    index = ET.Element("sitemapindex", xmlns=NAMESPACE)
    for number in range(1, (len(paths) + PAGE - 1) // PAGE + 1):
        entry = ET.SubElement(index, "sitemap")
        ET.SubElement(entry, "loc").text = f"{hosts().root}sitemap-{number}.xml"
        ET.SubElement(entry, "lastmod").text = modified
    return _xml(index)


def sitemap_page(number: int) -> Response:
    live = store()
    paths = documents(live)
    if len(paths) <= PAGE or not 1 <= number <= (len(paths) + PAGE - 1) // PAGE:
        abort(404)
    return _xml(_urlset(paths[(number - 1) * PAGE:number * PAGE], live.manifest.modified))


def robots() -> Response:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /", "",
             f"Sitemap: {hosts().root}sitemap.xml", ""]
    return Response("\n".join(lines), mimetype="text/plain")
