"""Time travel for people (issue 21, item 3; issue 19's memento gaps), in process on the small
build: HTML mementos with the differences from today in words, the TimeMap page, an EPCI's
memento listing the same communes as its territory's, mementos replayed from the cache, the
pages' links to their dates and to /changes, every kept version's RDF Patch, and the TimeGate
of an overseas zone."""

from __future__ import annotations

import csv
import gzip
import html
import re
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import ORG, RDF

from territoires import queries
from territoires.sources import reference, snapshot, vintages
from territoires.vocabulary.namespaces import Vocabulary

from .conftest import BASE

ALLIANCES = "id/territoire/alliances-luxe-precision-doubs"
HTML = {"Accept": "text/html"}
TURTLE = {"Accept": "text/turtle"}
TI = BASE + "def/territoires#"


def table(settings, year, name):
    with gzip.open(settings.data_dir / "historique" / str(year) / f"{name}.csv.gz", "rt",
                   encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def names(settings, year, kind="communes", key="code"):
    return {r[key]: r["nom"] for r in table(settings, year, kind)}


class Links(HTMLParser):
    """The links of a page's <main>, with their text."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""
        self._main = False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._main = True
        if tag == "a" and self._main:
            self._href, self._text = dict(attrs).get("href"), ""

    def handle_endtag(self, tag):
        if tag == "main":
            self._main = False
        if tag == "a" and self._href is not None:
            self.found.append((self._href, self._text.strip()))
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text += data


def links_of(body: bytes) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(body.decode())
    return parser.found


def section(body: bytes, ident: str) -> str:
    """The text of a page's <section id=…>, tags removed."""
    text = body.decode()
    start = text.index(f'<section id="{ident}"')
    inner = re.sub(r"<[^>]+>", " ", text[start:text.index("</section>", start)])
    return re.sub(r"\s+", " ", html.unescape(inner))


def moved_commune(settings) -> tuple[str, int, str, str]:
    """A Doubs commune whose EPCI in the first vintage is not today's: (code, year, EPCI then,
    EPCI today)."""
    first, today = vintages.YEARS[0], vintages.YEARS[-1]
    then = {r["commune"]: r["epci"] for r in table(settings, first, "epci_membres")}
    now = {r["commune"]: r["epci"] for r in table(settings, today, "epci_membres")}
    code = next(c for c in sorted(then) if c.startswith("25") and c in now and then[c] != now[c])
    return code, first, then[code], now[code]


def test_a_memento_answers_html_with_its_datetime(client, settings):
    code, year, _, _ = moved_commune(settings)
    response = client.get(f"/memento/{year}/id/commune/{code}", headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert parsedate_to_datetime(response.headers["Memento-Datetime"]).year == year
    assert "accept" in response.headers["Vary"].lower()
    assert names(settings, year)[code] in response.get_data(as_text=True)


def test_a_memento_says_in_words_what_changed_since(client, settings):
    """The EPCI of the vintage and today's, by their names in the vendored vintages."""
    code, year, then, now = moved_commune(settings)
    body = client.get(f"/memento/{year}/id/commune/{code}", headers=HTML).data
    said = section(body, "changements")
    said = said[said.index("Intercommunalité"):]           # the sentences, not the heading
    epci_then = names(settings, year, "epci", "siren")[then]
    epci_now = names(settings, vintages.YEARS[-1], "epci", "siren")[now]
    assert said.index(epci_then) < said.index("aujourd'hui") < said.index(epci_now)
    # each EPCI is a link: the one of then to its memento of that vintage, today's to its page
    found = dict((text, href) for href, text in links_of(body))
    assert found[epci_then].endswith(f"/memento/{year}/id/epci/{then}")
    assert found[epci_now].endswith(f"/id/epci/{now}")


def test_the_memento_of_today_says_nothing_changed(client):
    body = client.get(f"/memento/{vintages.YEARS[-1]}/id/epci/242500361", headers=HTML).data
    assert "même chose" in section(body, "changements")


def test_an_epci_memento_says_which_communes_left_since(client, settings):
    """Grand Besançon: the communes of its first vintage that are not in it today are named."""
    year, epci = vintages.YEARS[0], "242500361"
    members = lambda y: {r["commune"] for r in table(settings, y, "epci_membres")  # noqa: E731
                         if r["epci"] == epci}
    left = members(year) - members(vintages.YEARS[-1])
    assert left, "the fixture's Grand Besançon lost a commune since 2019"
    said = section(client.get(f"/memento/{year}/id/epci/{epci}", headers=HTML).data,
                   "changements")
    assert "Plus membre" in said
    today = vintages.YEARS[-1]
    existing = names(settings, today)
    epci_today = {r["commune"]: r["epci"] for r in table(settings, today, "epci_membres")}
    for code in left:   # each named, with what became of it
        name = names(settings, year)[code]
        fate = said[said.index(name) + len(name):][:200]
        if code in existing:
            epci = names(settings, today, "epci", "siren")[epci_today[code]]
            assert fate.startswith(f" (aujourd'hui dans {epci}")
        else:
            assert fate.startswith(" (n'existe plus depuis le 1er janvier")


def test_the_timemap_page_of_a_commune_that_ceased_says_so(client, settings):
    """Le Gratteris merged into Mamirolle in 2025 (the vendored vintages)."""
    last = max(y for y in vintages.YEARS if y not in vintages.WITHOUT_COMMUNES
               and "25297" in names(settings, y))
    assert last < vintages.YEARS[-1]
    body = client.get("/timemap/id/commune/25297", headers=HTML).get_data(as_text=True)
    assert f"N'existe plus depuis le 1er janvier {last + 1}" in html.unescape(body)


def test_the_timemap_page_links_every_memento(client):
    response = client.get(f"/timemap/{ALLIANCES}", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    linked = sorted(int(m.group(1)) for href, _ in links_of(response.data)
                    if (m := re.search(rf"/memento/(\d{{4}})/{ALLIANCES}$", href)))
    listed = client.get(f"/timemap/{ALLIANCES}").get_data(as_text=True)
    assert listed.startswith("<")                       # link-format without an Accept
    assert linked == sorted(int(y) for y in re.findall(rf"/memento/(\d{{4}})/{ALLIANCES}>",
                                                         listed))
    assert linked and linked[0] == 2023                 # labelled in 2023


def test_the_timemap_stays_link_format_for_memento_clients(client):
    for accept in ("application/link-format", "*/*", "text/turtle"):
        response = client.get("/timemap/id/epci/242500361", headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == "application/link-format"
    named = client.get("/timemap/id/epci/242500361?format=link", headers=HTML)
    assert named.mimetype == "application/link-format"


def members_in(body: bytes, epci: str) -> set[str]:
    graph = Graph().parse(data=body, format="turtle")
    return {str(c) for c in graph.objects(URIRef(f"{BASE}id/epci/{epci}"), ORG.hasMember)}


def territory_epci(settings) -> set[str]:
    with open(settings.data_dir / "territoires" / "territoires.csv", encoding="utf-8") as handle:
        return {r["epci_siren"] for r in csv.DictReader(handle)
                if r["territoire"] == ALLIANCES.rsplit("/", 1)[1]}


@pytest.mark.parametrize("year", [2023, vintages.YEARS[-1]])
def test_an_epci_memento_lists_the_communes_its_territory_s_memento_lists(client, settings,
                                                                          year):
    territory = client.get(f"/memento/{year}/{ALLIANCES}", headers=TURTLE).data
    for epci in territory_epci(settings):
        own = client.get(f"/memento/{year}/id/epci/{epci}", headers=TURTLE)
        assert own.status_code == 200
        listed = members_in(own.data, epci)
        expected = {f"{BASE}id/commune/{r['commune']}" for r in
                    table(settings, year, "epci_membres") if r["epci"] == epci}
        assert listed == members_in(territory, epci) == expected and listed


def test_a_memento_is_replayed_from_the_cache(client):
    url = f"/memento/2023/{ALLIANCES}"
    first = client.get(url, headers=HTML)
    again = client.get(url, headers=HTML)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("X-Cache") == "hit" and again.data == first.data


@pytest.mark.parametrize("path", [ALLIANCES, "id/epci/242500361", "id/commune/25056"])
def test_the_pages_link_their_dates(client, path):
    body = client.get(f"/doc/{path.removeprefix('id/')}", headers=HTML).data
    hrefs = [href for href, _ in links_of(body)]
    assert any(href.endswith(f"/timemap/{path}") for href in hrefs)
    years = client.get(f"/timemap/{path}").get_data(as_text=True)
    for year in re.findall(rf"/memento/(\d{{4}})/{path}>", years):
        assert any(href.endswith(f"/memento/{year}/{path}") for href in hrefs)


def test_every_page_links_the_changes(client):
    body = client.get("/doc/commune/25056", headers=HTML).get_data(as_text=True)
    footer = body[body.index("<footer"):]
    assert 'href="/changes"' in footer


# --- the patches of the kept versions ---------------------------------------------------------

PATCH_LINE = re.compile(r"(H) (\S+) (.*) \.|(TX|TC|TA) \.|([AD]) (.*)")


def parse_patch(text: str) -> tuple[dict[str, str], list[tuple[str, ox.Quad]]]:
    """An RDF Patch (https://afs.github.io/rdf-patch/): its headers, and its changes as
    (A or D, quad), each quad read by the N-Quads parser; AssertionError on any other line."""
    headers, changes, transactions = {}, [], []
    for number, line in enumerate(text.splitlines(), 1):
        match = PATCH_LINE.fullmatch(line)
        assert match, f"line {number} is not RDF Patch: {line!r}"
        if match.group(1):
            assert not changes and not transactions, f"line {number}: a header after changes"
            headers[match.group(2)] = match.group(3)
        elif match.group(4):
            transactions.append(match.group(4))
        else:
            quads = list(ox.parse(match.group(6).encode(), format=ox.RdfFormat.N_QUADS))
            assert len(quads) == 1, f"line {number}: not one quad"
            changes.append((match.group(5), quads[0]))
    assert transactions == ["TX", "TC"], transactions
    return headers, changes


def test_every_kept_version_s_patch_downloads_and_parses(client, store, settings):
    listed = client.get("/changes?format=json").get_json()
    assert listed
    for entry in listed:
        if entry["changes"] is None:   # made before versions were recorded: nothing to give
            continue
        assert entry["patch"], entry["version"]
        response = client.get(entry["patch"].removeprefix("http://localhost"))
        assert response.status_code == 200
        assert response.mimetype == "application/rdf-patch"
        headers, changes = parse_patch(response.get_data(as_text=True))
        assert headers["id"] == f"<urn:territoires:version:{entry['version']}>"
        added = sum(1 for op, _ in changes if op == "A")
        assert added == sum(entry["changes"]["added"].values())
        if entry["changes"]["previous"] is None:   # the first: all of its quads, none removed
            assert "prev" not in headers and added == entry["quads"]
            if entry["version"] == store.version:   # the quads of the published dump
                dump = settings.current_build / "dump" / "territoires.nq.gz"
                assert {q for _, q in changes} == set(ox.parse(
                    gzip.decompress(dump.read_bytes()), format=ox.RdfFormat.N_QUADS))


def test_the_changes_page_links_each_patch(client):
    body = client.get("/changes", headers=HTML).data
    versions = client.get("/changes?format=json").get_json()
    hrefs = {href for href, _ in links_of(body)}
    for entry in versions:
        if entry["patch"]:
            assert f"/changes/{entry['version']}.rdfp" in hrefs


# --- the TimeGate of an overseas zone (issue 19) ----------------------------------------------

@pytest.fixture(scope="module")
def overseas(tmp_path_factory):
    """A reference of a commune, a Polynesian commune, a TAAF district, a circonscription of
    Wallis-et-Futuna and Clipperton (the vendored layout) mapped, with two vintages."""
    directory = tmp_path_factory.mktemp("overseas")

    def write(name, rows):
        layout = snapshot.LAYOUTS[name]
        snapshot.write_csv_gz(directory / f"{name}.csv.gz", layout,
                              [[row.get(c, "") for c in layout] for row in rows])

    places = [("01", "Guadeloupe", "97105"), ("984", "Terres australes", "98412"),
              ("986", "Wallis et Futuna", "98613"), ("987", "Polynésie française", "98735"),
              ("989", "Île de Clipperton", "98901")]
    write("regions", [{"code": c, "nom": n, "chef_lieu": cl} for c, n, cl in places])
    write("departements", [{"code": "971" if c == "01" else c, "nom": n, "region": c,
                            "chef_lieu": cl} for c, n, cl in places])
    write("communes", [{"type": "commune-actuelle", "code": code, "nom": name,
                        "departement": "971" if region == "01" else region, "region": region}
                       for region, name, code in places])
    write("epci", [])
    write("epci_membres", [])
    graph = Graph(identifier=URIRef(f"{BASE}graph/cog"))
    reference.load(Vocabulary(BASE), directory, graph)
    engine = ox.Store()
    engine.load(graph.serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES)
    for year in (2023, 2026):
        vintage = ox.NamedNode(f"{BASE}id/millesime/{year}")
        engine.add(ox.Quad(vintage, ox.NamedNode(str(RDF.type)), ox.NamedNode(TI + "Millesime")))
        engine.add(ox.Quad(vintage, ox.NamedNode(TI + "annee"), ox.Literal(
            str(year), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    return engine


def run(engine, name, **bindings):
    return list(engine.query(queries.get(name).text, base_iri=BASE,
                             substitutions={ox.Variable(k): v for k, v in bindings.items()}))


@pytest.mark.parametrize("code", ["97105", "98412", "98613", "98735", "98901"])
def test_an_overseas_zone_has_a_memento_in_every_vintage(overseas, code):
    resource = ox.NamedNode(f"{BASE}id/commune/{code}")
    assert [int(r["annee"].value) for r in run(overseas, "history/years", resource=resource)] \
        == [2023, 2026]
    assert run(overseas, "history/kind", resource=resource)   # its page says what it is


def test_a_territory_s_perimeter_of_a_vintage_points_at_no_timegate(client):
    """A perimeter (`…/perimetre/2023`) is one vintage already: it has no history to lead to
    (its TimeGate answered 404)."""
    territory = client.get(f"/doc/{ALLIANCES.removeprefix('id/')}", headers=TURTLE)
    assert "timegate" in territory.headers["Link"]
    graph = Graph().parse(data=territory.data, format="turtle")
    perimeters = {str(o) for o in graph.objects(URIRef(BASE + ALLIANCES), None)
                  if "/perimetre/" in str(o)}
    assert perimeters
    for iri in perimeters:
        path = iri.removeprefix(BASE)
        answer = client.get(f"/doc/{path.removeprefix('id/')}", headers=TURTLE)
        assert answer.status_code == 200 and "timegate" not in answer.headers.get("Link", "")
        assert client.get(f"/timegate/{path}").status_code == 404


@pytest.mark.parametrize("code", ["97501", "98412", "98613", "98735", "98901"])
def test_the_timegate_of_an_overseas_zone_answers_on_the_whole_data(full_server, code):
    """Saint-Pierre-et-Miquelon, a TAAF district, a circonscription of Wallis-et-Futuna, a
    Polynesian commune and Clipperton: typed as zones since issue 19, their TimeGate answered
    404."""
    from .test_linked_data import fetch

    status, headers, _ = fetch(full_server, f"/timegate/id/commune/{code}",
                               **{"Accept-Datetime": "Thu, 09 Nov 2023 10:00:00 GMT"})
    assert status == 302
    memento = re.sub(r"^https?://[^/]+", "", headers["Location"])
    assert memento == f"/memento/2023/id/commune/{code}"
    status, headers, body = fetch(full_server, memento, Accept="text/html")
    assert status == 200 and parsedate_to_datetime(headers["Memento-Datetime"]).year == 2023
