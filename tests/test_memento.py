"""Memento (RFC 7089) over the vintages of the geography, against a real server on the small
build: TimeGate and Accept-Datetime, TimeMaps in application/link-format, Memento-Datetime and
Link headers; what a memento says is checked against the vendored vintages."""

from __future__ import annotations

import csv
import gzip
import re
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF

from territoires.sources import vintages

from .conftest import BASE
from .test_linked_data import fetch

ALLIANCES = "id/territoire/alliances-luxe-precision-doubs"


def table(settings, year, name):
    path = settings.data_dir / "historique" / str(year) / f"{name}.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def links(header: str) -> dict[str, list[tuple[str, str]]]:
    """rel → [(url, the rest of the link's parameters)] of a Link header or a link-format body."""
    found: dict[str, list[tuple[str, str]]] = {}
    for link in re.split(r",\s*(?=<)", header.strip()):
        url, params = re.fullmatch(r"<([^>]*)>(.*)", link.strip(), re.S).groups()
        rel = re.search(r'rel="([^"]*)"', params).group(1)
        for one in rel.split():
            found.setdefault(one, []).append((url, params))
    return found


def path(url: str) -> str:
    return urlsplit(url).path


def moved_commune(settings) -> str:
    """A Doubs commune whose EPCI changed between two vintages (from the vendored files)."""
    by_code: dict[str, set[str]] = {}
    for year in vintages.YEARS:
        for row in table(settings, year, "epci_membres"):
            if row["commune"].startswith("25"):
                by_code.setdefault(row["commune"], set()).add(row["epci"])
    return next(code for code, epci in sorted(by_code.items()) if len(epci) > 1)


def test_original_resources_point_at_their_timegate_and_timemap(server):
    for url in (f"/{ALLIANCES}", "/doc/epci/242500361"):
        status, headers, _ = fetch(server, url, Accept="text/turtle")
        assert status in (200, 303)
        found = links(headers["Link"])
        stem = url.replace("/doc/", "/id/")
        assert path(found["timegate"][0][0]) == f"/timegate{stem}"
        assert path(found["timemap"][0][0]) == f"/timemap{stem}"


@pytest.mark.parametrize("asked, expected", [
    ("Thu, 09 Nov 2023 10:00:00 GMT", 2023),     # the labelling of Alliances Luxe & Précision
    ("Tue, 01 Jan 2019 00:00:00 GMT", 2019),     # the first instant of a vintage
    ("Mon, 31 Dec 2018 23:59:59 GMT", 2019),     # before any: the first memento
    (None, vintages.CURRENT),                    # no datetime: the latest
])
def test_the_timegate_honours_accept_datetime(server, settings, asked, expected):
    code = moved_commune(settings)
    headers = {"Accept-Datetime": asked} if asked else {}
    status, answer, _ = fetch(server, f"/timegate/id/commune/{code}", **headers)
    assert status == 302
    assert path(answer["Location"]) == f"/memento/{expected}/id/commune/{code}"
    assert "accept-datetime" in answer["Vary"].lower()
    found = links(answer["Link"])
    assert path(found["original"][0][0]) == f"/id/commune/{code}"
    assert found["timemap"] and found["first"] and found["last"]


def test_a_bad_accept_datetime_is_400_in_words(server, settings):
    status, _, body = fetch(server, "/timegate/id/commune/25056", **{"Accept-Datetime": "hier"})
    assert status == 400 and b"RFC 1123" in body


def test_the_timemap_lists_every_vintage_of_a_commune(server, settings):
    code = moved_commune(settings)
    status, headers, body = fetch(server, f"/timemap/id/commune/{code}")
    assert status == 200 and headers["Content-Type"].startswith("application/link-format")
    found = links(body.decode())
    years = [int(path(url).split("/")[2]) for url, _ in found["memento"]]
    assert years == [y for y in vintages.YEARS]     # a commune that existed in every vintage
    for url, params in found["memento"]:
        stamp = re.search(r'datetime="([^"]*)"', params).group(1)
        assert parsedate_to_datetime(stamp).year == int(path(url).split("/")[2])
    assert 'from="' in found["self"][0][1] and 'until="' in found["self"][0][1]


def test_each_memento_says_the_commune_s_epci_of_its_vintage(server, settings):
    code = moved_commune(settings)
    iri = URIRef(f"{BASE}id/commune/{code}")
    for year in vintages.YEARS:
        expected = {r["epci"] for r in table(settings, year, "epci_membres") if r["commune"] == code}
        status, headers, body = fetch(server, f"/memento/{year}/id/commune/{code}",
                                      Accept="text/turtle")
        assert status == 200
        assert parsedate_to_datetime(headers["Memento-Datetime"]).year == year
        assert path(links(headers["Link"])["original"][0][0]) == f"/id/commune/{code}"
        graph = Graph().parse(data=body, format="turtle")
        assert {str(e).rsplit("/", 1)[1] for e in graph.subjects(ORG.hasMember, iri)} == expected


@pytest.mark.parametrize("asked, year", [
    ("Thu, 09 Nov 2023 00:00:00 GMT", 2023),   # its label date
    ("Sat, 15 Mar 2025 12:00:00 GMT", 2025),   # in its term, after the mergers of 2025
])
def test_what_a_territory_looked_like_on_a_day(server, settings, asked, year):
    status, answer, _ = fetch(server, f"/timegate/{ALLIANCES}", **{"Accept-Datetime": asked})
    assert status == 302
    status, headers, body = fetch(server, path(answer["Location"]) + ".nt")
    assert status == 200 and parsedate_to_datetime(headers["Memento-Datetime"]).year == year
    graph = Graph().parse(data=body, format="nt")
    territory = URIRef(BASE + ALLIANCES)
    covered = {str(c).rsplit("/", 1)[1] for e in graph.objects(territory, ORG.hasMember)
               for c in graph.objects(e, ORG.hasMember)}
    with open(settings.data_dir / "territoires" / "territoires.csv", encoding="utf-8") as handle:
        epci = {r["epci_siren"] for r in csv.DictReader(handle)
                if r["territoire"] == ALLIANCES.rsplit("/", 1)[1]}
    assert covered == {r["commune"] for r in table(settings, year, "epci_membres") if r["epci"] in epci}


def test_no_memento_outside_the_history(server):
    assert fetch(server, "/timegate/id/personne/cedric-bole")[0] == 404
    assert fetch(server, "/memento/2023/id/commune/99999")[0] == 404
    assert fetch(server, f"/memento/2022/{ALLIANCES}")[0] == 404   # labelled in 2023


def test_a_memento_is_a_document_with_its_validators_and_alternates(server):
    """Through the one answer path: ETag, Cache-Control and 304 over the real server, and the
    Link header of a document (its alternates, canonical URL) beside the memento's own."""
    url = f"/memento/2023/{ALLIANCES}"
    status, headers, _ = fetch(server, url, Accept="text/turtle")
    assert status == 200 and headers["ETag"] and "max-age" in headers["Cache-Control"]
    found = links(headers["Link"])
    assert path(found["original"][0][0]) == f"/{ALLIANCES}"
    assert path(found["canonical"][0][0]) == url
    assert {path(u) for u, _ in found["alternate"]} >= {url + ".ttl", url + ".nt"}
    assert path(headers["Content-Location"]) == url + ".ttl"
    again = fetch(server, url, Accept="text/turtle", **{"If-None-Match": headers["ETag"]})
    assert again[0] == 304 and again[2] == b""
    status, headers, _ = fetch(server, url + ".html")   # and as a page for people
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert parsedate_to_datetime(headers["Memento-Datetime"]).year == 2023


def test_only_resources_with_a_history_point_at_a_timegate(server):
    status, headers, _ = fetch(server, "/doc/personne/cedric-bole", Accept="text/turtle")
    assert status == 200
    assert "timegate" not in links(headers["Link"])
    status, headers, _ = fetch(server, "/id/personne/cedric-bole")
    assert status == 303 and "timegate" not in links(headers["Link"])
    assert "describedby" in links(headers["Link"])


# --- a resource after it ceased to exist (issue 19, item 8) -----------------------------------

TI = f"{BASE}def/territoires#"


def ceased_commune(settings) -> tuple[str, int]:
    """A Doubs commune of the vintages that is no commune today, and its last vintage (from
    the vendored files)."""
    years = [y for y in vintages.YEARS if y not in vintages.WITHOUT_COMMUNES]
    present = {y: {r["code"] for r in table(settings, y, "communes")
                   if r["type"] == "commune-actuelle" and r["code"].startswith("25")} for y in years}
    code = min(set().union(*present.values()) - present[vintages.CURRENT])
    return code, max(y for y in years if code in present[y])


def after(year: int) -> int:
    return vintages.YEARS[vintages.YEARS.index(year) + 1]


def test_a_timegate_after_a_commune_ceased_answers_the_original(server, settings):
    code, last = ceased_commune(settings)
    gone = f"Mon, 15 Mar {after(last)} 12:00:00 GMT"
    status, answer, _ = fetch(server, f"/timegate/id/commune/{code}", **{"Accept-Datetime": gone})
    assert status == 302 and path(answer["Location"]) == f"/id/commune/{code}"
    assert "accept-datetime" in answer["Vary"].lower()
    found = links(answer["Link"])
    assert path(found["last"][0][0]) == f"/memento/{last}/id/commune/{code}"
    # before it ceased, its memento of that date
    alive = f"Mon, 15 Mar {last} 12:00:00 GMT"
    status, answer, _ = fetch(server, f"/timegate/id/commune/{code}", **{"Accept-Datetime": alive})
    assert status == 302 and path(answer["Location"]) == f"/memento/{last}/id/commune/{code}"
    # the original says it is gone, and when: its last run of vintages ends then
    status, _, body = fetch(server, f"/doc/commune/{code}", Accept="text/turtle")
    graph = Graph().parse(data=body, format="turtle", publicID=BASE)
    assert (URIRef(f"{BASE}id/commune/{code}"), URIRef(str(RDF.type)),
            URIRef(TI + "EntiteDisparue")) in graph


def test_the_last_memento_of_a_ceased_commune_says_it_ceased(server, settings):
    code, last = ceased_commune(settings)
    status, headers, body = fetch(server, f"/memento/{last}/id/commune/{code}",
                                  Accept="text/turtle")
    assert status == 200
    graph = Graph().parse(data=body, format="turtle", publicID=BASE)
    iri = URIRef(f"{BASE}id/commune/{code}")
    assert [str(o) for o in graph.objects(iri, URIRef(TI + "disparueLe"))] == \
        [f"{after(last)}-01-01"]
    became = {str(o) for o in graph.objects(iri, DCTERMS.isReplacedBy)}
    assert became and all(b.startswith(f"{BASE}id/commune/") for b in became)
    successors = {path(u) for u, _ in links(headers["Link"])["successor-version"]}
    assert successors == {"/" + b[len(BASE):] for b in became}
    # an earlier memento says nothing of an end it had not reached
    earlier = [y for y in vintages.YEARS if y < last]
    if earlier:
        _, _, body = fetch(server, f"/memento/{earlier[-1]}/id/commune/{code}", Accept="text/turtle")
        graph = Graph().parse(data=body, format="turtle", publicID=BASE)
        assert not set(graph.objects(iri, URIRef(TI + "disparueLe")))


def test_a_former_commune_associee_says_what_it_became(server, settings):
    rows = {y: {(r["type"], r["code"]) for r in table(settings, y, "communes")}
            for y in (2024, 2025)}
    # In the files: 25010 (Alaise) associée in 2024, déléguée in 2025.
    assert ("commune-associee", "25010") in rows[2024]
    assert ("commune-deleguee", "25010") in rows[2025] and ("commune-associee", "25010") not in rows[2025]
    status, _, body = fetch(server, "/doc/commune-associee/25010", Accept="text/turtle")
    assert status == 200
    graph = Graph().parse(data=body, format="turtle", publicID=BASE)
    iri = URIRef(f"{BASE}id/commune-associee/25010")
    assert set(graph.objects(iri, URIRef(TI + "devenue"))) == \
        {URIRef(f"{BASE}id/commune-deleguee/25010")}
    assert (iri, URIRef(TI + "etaitUne"), URIRef(TI + "CommuneAssociee")) in graph


def test_the_negotiation_knows_when_a_resource_ceased():
    from datetime import date, datetime, timezone
    from territoires.web.memento import times
    ceased = date(2024, 1, 1)
    assert times.negotiate([2019, 2023], "Mon, 01 Jan 2024 00:00:00 GMT", ceased) == \
        times.Chosen(2023, gone=True)
    assert times.negotiate([2019, 2023], "Sun, 31 Dec 2023 23:59:59 GMT", ceased) == \
        times.Chosen(2023, gone=False)
    assert times.negotiate([2019, 2023], None, ceased).gone      # now: it is gone
    assert not times.negotiate([2019, 2023], None, None).gone    # it still exists
    assert datetime(2024, 1, 1, tzinfo=timezone.utc) == times.moment(2024)


def test_every_former_entity_says_what_it_became(full_store):
    """The audit query of the issue, on the whole build: no former commune (of any kind) or
    EPCI without what it became."""
    rows = list(full_store.engine.query(f"""PREFIX ti: <{TI}> PREFIX dcterms: <{DCTERMS}>
        SELECT ?x WHERE {{ ?x a ti:EntiteDisparue .
          FILTER NOT EXISTS {{ ?x ti:devenue|ti:fusionneeDans|dcterms:isReplacedBy ?y }} }}""",
        **full_store.dataset()))
    assert rows == []
