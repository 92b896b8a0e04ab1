"""Every table of a page downloads as CSV (its columns, all its rows, the order the page was
sorted in), and its SPARQL query, run on the endpoint, gives the same rows (issue 21, item 1)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from territoires.sources import snapshot
from territoires.vocabulary import formats

from .conftest import BASE
from .test_entity_pages import page, parse

TERRITORY = "/doc/territoire/alliances-luxe-precision-doubs"
EPCI = "/doc/epci/242500361"          # Grand Besançon Métropole
DEPARTEMENT = "/doc/departement/25"


class Downloads(HTMLParser):
    """Each table's column titles, its pager's page count and the links under it."""

    def __init__(self):
        super().__init__()
        self.headers: dict[str, list[str]] = {}
        self.links: dict[str, dict[str, str]] = {}
        self.table = self.last = None
        self.in_th = self.in_link = False
        self.href = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id", "").startswith("table-"):
            self.table = self.last = attrs["id"][len("table-"):]
            self.headers[self.table] = []
        elif tag == "th" and self.table:
            self.in_th = True
            self.headers[self.table].append("")
        elif tag == "p" and "tableau" in (attrs.get("class") or "").split() and self.last:
            self.links[self.last] = {}
        elif tag == "a" and self.last in self.links and self.table is None:
            self.in_link, self.href = True, attrs["href"]
            self.links[self.last][self.href] = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag == "th":
            self.in_th = False
        elif tag == "a":
            self.in_link = False
        elif tag == "p" and self.last in self.links:
            self.last = None

    def handle_data(self, data):
        if self.in_th:
            self.headers[self.table][-1] += data
        elif self.in_link and self.last in self.links:
            self.links[self.last][self.href] += data


def downloads(body: str) -> Downloads:
    found = Downloads()
    found.feed(body)
    found.headers = {t: [h.strip().rstrip(" ▲▼").strip() for h in hs]
                     for t, hs in found.headers.items()}
    return found


def link(found: Downloads, table: str, words: str) -> str:
    return next(href for href, text in found.links[table].items() if words in text)


def csv_rows(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def every_row(client, path: str, table: str, **args) -> list[list[str]]:
    """The table's rows as the page shows them, paged through to the last."""
    first = page(client, path, **args)
    rows = [r for r in parse(first).tables[f"table-{table}"] if r]
    total = _pages(first, table)
    for number in range(2, total + 1):
        body = page(client, path, **args, **{f"{table}-page": number})
        rows += [r for r in parse(body).tables[f"table-{table}"] if r]
    return rows


def _pages(body: str, table: str) -> int:
    marker = f'aria-label="pages du tableau'
    start = body.find(f'id="table-{table}"')
    nav = body.find(marker, start)
    end = body.find("</nav>", nav)
    if nav < 0 or body.find("<table", start + 1, nav) > 0:
        return 1
    return body[nav:end].count("<a href") + 1


def plain(cell: str) -> str:
    """A page's cell as the CSV writes it: figures without their French spaces, `—` empty."""
    text = cell.replace("\u00a0", "").replace("\u202f", "")
    return "" if text == "—" else (text if text.replace(" ", "").isdigit() is False
                                   else text.replace(" ", ""))


XL = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PROGRAMME = "/doc/programme/territoires-d-industrie"
PHASE = "/doc/phase/territoires-d-industrie-2"
PAGES = [(TERRITORY, "communes"), (TERRITORY, "epci"), (EPCI, "communes"),
         (DEPARTEMENT, "communes"), (DEPARTEMENT, "epci"), (EPCI, "liens"),
         (PROGRAMME, "territoires"), (PHASE, "territoires"), ("/doc/commune/25223", "rattachees"),
         (DEPARTEMENT, "territoires"), ("/doc/region/27", "departements")]


@pytest.mark.parametrize("path, table", PAGES)
def test_each_table_downloads_as_csv_with_its_columns_and_rows(client, path, table):
    found = downloads(page(client, path))
    assert table in found.links, (path, table, list(found.links))
    rows = csv_rows(client, link(found, table, "CSV"))
    assert rows[0] == found.headers[table]
    shown = every_row(client, path, table)
    assert len(rows) - 1 == len(shown) > 0
    # the same cells, in the same order (figures as plain numbers)
    if table != "liens":     # a link's resource is named in both, but its IRI's end on the page
        assert [[plain(c) for c in r] for r in shown] == rows[1:]


def test_the_csv_keeps_the_order_the_page_was_sorted_in(client):
    found = downloads(page(client, TERRITORY, **{"communes-tri": "-population"}))
    url = link(found, "communes", "CSV")
    assert "communes-tri=-population" in url
    rows = csv_rows(client, url)[1:]
    figures = [int(r[3]) for r in rows if r[3]]
    assert figures == sorted(figures, reverse=True) and len(figures) > 200
    assert rows[0][1] == "Besançon"


@pytest.mark.parametrize("path, table, key", [(TERRITORY, "communes", 0), (TERRITORY, "epci", 1),
                                              (EPCI, "communes", 0), (DEPARTEMENT, "communes", 0),
                                              (EPCI, "liens", None), (PROGRAMME, "territoires", 0),
                                              (PHASE, "territoires", 0),
                                              (DEPARTEMENT, "epci", 1), (DEPARTEMENT, "territoires", 0),
                                              ("/doc/region/27", "epci", 1),
                                              ("/doc/commune/25223", "rattachees", 0)])
def test_the_query_of_a_table_gives_its_rows_on_the_endpoint(client, path, table, key):
    found = downloads(page(client, path))
    editor = link(found, table, "requête SPARQL")
    assert urlsplit(editor).path == "/requete"       # the editor, not raw JSON
    query = parse_qs(urlsplit(editor).query)["query"][0]
    result = client.get("/sparql", query_string={"query": query},
                        headers={"Accept": "text/csv"})
    assert result.status_code == 200
    answered = list(csv.reader(io.StringIO(result.get_data(as_text=True))))[1:]
    table_rows = csv_rows(client, link(found, table, "CSV"))[1:]
    assert len(answered) == len(table_rows)
    if key is not None:
        assert sorted(r[key] for r in answered) == sorted(r[key] for r in table_rows)
    # the page's own link to the result is the endpoint's CSV
    direct = link(found, table, "résultat")
    assert parse_qs(urlsplit(direct).query)["format"] == ["csv"]
    assert client.get(direct).mimetype == "text/csv"


def test_an_unknown_table_or_page_is_a_404_naming_it(client):
    wrong = client.get("/export/nulle/doc/territoire/alliances-luxe-precision-doubs.csv")
    assert wrong.status_code == 404
    assert "nulle" in wrong.get_data(as_text=True) and "communes" in wrong.get_data(as_text=True)
    missing = client.get("/export/communes/doc/territoire/aucun.csv")
    assert missing.status_code == 404 and "aucun" in missing.get_data(as_text=True)
    assert client.get("/export/communes/doc/territoire/alliances-luxe-precision-doubs.ttl"
                      ).status_code == 404


# --- the CSV dumps of the main entities ------------------------------------------------------

def dump_rows(client, name: str) -> list[dict[str, str]]:
    response = client.get(f"/dump/{name}")
    assert response.status_code == 200, name
    return list(csv.DictReader(io.StringIO(gzip.decompress(response.data).decode("utf-8"))))


def test_the_csv_dumps_hold_the_main_entities_with_their_codes_and_memberships(client, settings):
    listing = json.loads(client.get("/dump/", headers={"Accept": "application/json"}).data)
    names = {d["name"]: d for d in listing["dumps"]}
    assert {"territoires-d-industrie.csv.gz", "epci.csv.gz", "communes.csv.gz"} <= set(names)
    assert names["communes.csv.gz"]["media_type"] == "text/csv"
    communes = {r["code_insee"]: r for r in dump_rows(client, "communes.csv.gz")}
    reference = settings.data_dir / "reference"
    current = {row["code"] for _, row in snapshot.rows(reference, "communes")
               if row["type"] == "commune-actuelle"}
    assert set(communes) == current
    besancon = communes["25056"]
    assert besancon["nom"] == "Besançon" and besancon["epci_siren"] == "242500361"
    assert besancon["departement_code"] == "25" and besancon["region_code"] == "27"
    assert BASE + "id/territoire/alliances-luxe-precision-doubs" in besancon["territoires"]
    epci = {r["siren"]: r for r in dump_rows(client, "epci.csv.gz")}
    members = sum(1 for _, row in snapshot.rows(reference, "epci_membres")
                  if row["epci"] == "242500361")
    assert int(epci["242500361"]["nombre_communes"]) == members
    territories = {r["territoire"]: r for r in dump_rows(client, "territoires-d-industrie.csv.gz")}
    alliances = territories[BASE + "id/territoire/alliances-luxe-precision-doubs"]
    assert "242500361" in alliances["groupements_siren"].split(";")
    assert len(alliances["groupements_siren"].split(";")) == 6


def test_the_csv_dumps_are_in_the_catalogue_and_on_the_downloads_page(client):
    catalogue = client.get("/catalogue", headers={"Accept": "text/turtle"})
    assert catalogue.status_code == 200
    graph = Graph().parse(data=catalogue.get_data(as_text=True), format="turtle")
    csv_distributions = {str(graph.value(d, DCAT.downloadURL))
                         for d in graph.subjects(DCAT.mediaType,
                                                 URIRef(formats.IANA + "text/csv"))}
    assert {BASE + f"dump/{n}" for n in ("territoires-d-industrie.csv.gz", "epci.csv.gz",
                                          "communes.csv.gz")} <= csv_distributions
    downloads = page(client, "/dump/")
    assert "communes.csv.gz" in downloads and "CSV : les communes" in downloads


def test_a_table_downloads_as_a_spreadsheet_too(client):
    """XLSX (XlsxWriter): one sheet, the header row, one row per row of the table, figures as
    numbers; read back here with the standard library (it is a zip of XML parts)."""
    found = downloads(page(client, TERRITORY, **{"communes-tri": "-population"}))
    url = link(found, "communes", "XLSX")
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == formats.XLSX.media_type
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
        strings = [t.text for t in ElementTree.fromstring(book.read("xl/sharedStrings.xml")
                                                          ).iter(f"{XL}t")]
    rows = sheet.findall(f"{XL}sheetData/{XL}row")
    table = csv_rows(client, link(found, "communes", "CSV"))
    assert len(rows) == len(table) == 253
    assert strings[:4] == table[0]
    first = [c.findtext(f"{XL}v") for c in rows[1].findall(f"{XL}c")]
    assert rows[1].findall(f"{XL}c")[3].get("t") is None       # a number, not a string
    assert float(first[3]) == float(table[1][3])                # the largest population first


def test_the_page_s_queries_include_its_tables_and_no_link_opens_raw_json(client):
    """"The query that reproduces this page" left the commune table out, and "résultat direct"
    opened raw SPARQL JSON: the RDF section now names each table's query (in the editor), and
    every link to /sparql on a page or on the home page asks for CSV."""
    body = page(client, TERRITORY)
    section = body[body.find('<section id="donnees"'):]
    found = downloads(body)
    communes_query = parse_qs(urlsplit(link(found, "communes", "requête SPARQL")).query)["query"]
    queries_listed = [parse_qs(urlsplit(h.replace("&amp;", "&")).query).get("query")
                      for h in re.findall(r'href="([^"]*/requete\?[^"]*)"', section)]
    assert communes_query in queries_listed
    for text in (body, page(client, "/")):
        hrefs = re.findall(r'href="([^"]*/sparql\?[^"]*)"', text)
        assert hrefs
        for href in hrefs:
            assert parse_qs(urlsplit(href.replace("&amp;", "&")).query).get("format") == ["csv"]
