"""The workloads: what each server is asked, with constants that vary from request to request
(picked from data/reference/*.csv.gz and data/territoires/*.csv with a fixed seed, so no cache
answers a benchmark by itself), plus a "hot" workload that repeats the example queries as a
dashboard would.

An item is one kind of request; `requests(server)` gives the list of requests the load generator
cycles through for that server, or None where the item does not apply (the peers have no /id/)."""

from __future__ import annotations

import csv
import random
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from territoires.sources import snapshot

from .peers import ROOT, Server

SEED = 20260511
RESULTS_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


@dataclass(frozen=True)
class Request:
    target: str          # path and query string
    accept: str
    follow: bool = False  # a 303 is followed (on the same connection), as one operation


@dataclass
class Item:
    workload: str
    name: str
    description: str
    requests: Callable[[Server], list[Request] | None]
    slow: bool = False  # analytics: capped harder on the slow peer
    names: list[str] | None = None  # of the requests, where there are few (hot)


WORKLOADS = ("dereferencing", "selective", "analytics", "hot")


def _rows(data_dir: Path, name: str) -> list[dict]:
    return [row for _, row in snapshot.rows(data_dir / "reference", name)]


def _territories(data_dir: Path) -> list[str]:
    slugs = []
    for path in sorted((data_dir / "territoires").glob("*.csv")):
        with open(path, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row.get("territoire") and row["territoire"] not in slugs:
                    slugs.append(row["territoire"])
    return slugs


def construct(iri: str) -> str:
    """The peers' equivalent of a document: the resource's triples and its incoming links, on
    the union default graph."""
    return (f"CONSTRUCT {{ <{iri}> ?p ?o . ?x ?q <{iri}> }}\n"
            f"WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?x ?q <{iri}> }} }}")


def _sparql(queries: list[str], accept: str) -> Callable[[Server], list[Request]]:
    return lambda server: [Request(server.sparql_target(q), accept) for q in queries]


def example_queries(base: str) -> list[tuple[str, str]]:
    """examples/*.rq with their BASE line set to the build's base URI."""
    found = []
    for path in sorted((ROOT / "examples").glob("*.rq")):
        text = re.sub(r"(?m)^BASE <[^>]*>", f"BASE <{base}>", path.read_text(encoding="utf-8"))
        found.append((path.stem, text))
    if not found:   # an empty workload would benchmark nothing and report it as a result
        raise FileNotFoundError(f"no example query in {ROOT / 'examples'}")
    return found


def build_items(base: str, data_dir: Path = ROOT / "data", resources: int = 200,
                variants: int = 200, crawl: int = 20_000) -> list[Item]:
    """The workloads, their resources and constants picked from the sources of the build
    benchmarked (`data_dir`)."""
    rng = random.Random(SEED)
    communes = [r for r in _rows(data_dir, "communes") if r["type"] == "commune-actuelle"]
    epcis = _rows(data_dir, "epci")
    members = _rows(data_dir, "epci_membres")
    departements = _rows(data_dir, "departements")
    territories = _territories(data_dir)
    prefixes = (f"PREFIX ti: <{base}def/territoires#>\nPREFIX org: <http://www.w3.org/ns/org#>\n"
                f"PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")

    # ---- dereferencing: communes, EPCI, départements and territories ------------------------
    n_epci, n_dep = resources * 3 // 10, min(len(departements), resources // 8)
    paths = ([f"territoire/{slug}" for slug in territories[: resources // 10]]
             + [f"departement/{r['code']}" for r in rng.sample(departements, n_dep)]
             + [f"epci/{r['siren']}" for r in rng.sample(epcis, n_epci)])
    paths += [f"commune/{r['code']}" for r in rng.sample(communes, resources - len(paths))]
    rng.shuffle(paths)
    iris = [f"{base}id/{p}" for p in paths]

    def via_id(server: Server):
        if server.kind != "project":
            return None
        return [Request(f"/id/{p}", TURTLE, follow=True) for p in paths]

    def doc(server: Server):
        if server.kind == "project":
            return [Request(f"/doc/{p}", TURTLE) for p in paths]
        return [Request(server.sparql_target(construct(iri)), TURTLE) for iri in iris]

    # A crawler: every request another commune, nothing asked twice in a run (nor in the next:
    # each run starts where the previous one stopped).
    crawled = [f"commune/{r['code']}" for r in rng.sample(communes, min(crawl, len(communes)))]

    def crawler(server: Server):
        if server.kind == "project":
            return [Request(f"/doc/{p}", TURTLE) for p in crawled]
        return [Request(server.sparql_target(construct(f"{base}id/{p}")), TURTLE)
                for p in crawled]

    items = [
        Item("dereferencing", "doc", f"{len(paths)} resources as Turtle from /doc/ "
             "(peers: CONSTRUCT of the resource and its incoming links)", doc),
        Item("dereferencing", "crawl", f"{len(crawled):,} distinct communes as Turtle, none "
             "asked twice (peers: CONSTRUCT)", crawler),
        Item("dereferencing", "id → 303 → doc", "the same resources through /id/, following "
             "the 303 (two HTTP requests per operation; project only)", via_id),
    ]

    # ---- selective SPARQL -------------------------------------------------------------------
    # Every request of a run has its own constants (up to `variants`, by default twice the
    # requests of a run), so a result cache keyed by the query cannot answer the benchmark.
    picked = rng.sample(epcis, len(epcis))
    sirens = [("epci", r["siren"]) for r in picked]
    sirens += [("commune", r["siren"]) for r in rng.sample(communes, max(0, variants - len(sirens)))]
    by_siren = [prefixes + "SELECT ?entite ?nom ?population WHERE {\n"
                f"  ?entite ti:siren \"{siren}\" ; skos:prefLabel ?nom .\n"
                "  OPTIONAL { ?entite ti:populationTotale ?population }\n}"
                for _, siren in sirens[:variants]]
    # LIMIT above any EPCI's size: the same answer, a distinct query past the 1,255 EPCI.
    member_lists = [prefixes + "SELECT ?commune ?nom WHERE {\n"
                    f"  <{base}id/epci/{picked[i % len(picked)]['siren']}> org:hasMember "
                    "?commune .\n  ?commune skos:prefLabel ?nom .\n"
                    f"}} ORDER BY ?nom LIMIT {1000 + i}" for i in range(variants)]
    pairs = rng.sample(members, min(variants, len(members)))
    asks = []
    for index, pair in enumerate(pairs):  # every other one is a commune of another EPCI: false
        commune = pair["commune"] if index % 2 == 0 else rng.choice(communes)["code"]
        asks.append(prefixes + f"ASK {{ <{base}id/epci/{pair['epci']}> org:hasMember "
                               f"<{base}id/commune/{commune}> }}")
    described = [f"{base}id/epci/{r['siren']}" for r in picked]
    described += [f"{base}id/commune/{r['code']}"
                  for r in rng.sample(communes, max(0, variants - len(described)))]
    rng.shuffle(described)
    constructs = [construct(iri) for iri in described[:variants]]
    items += [
        Item("selective", "EPCI by SIREN", "SELECT an EPCI (past the 1,255 EPCI, a commune), "
             "its name and population by SIREN", _sparql(by_siren, RESULTS_JSON)),
        Item("selective", "members of an EPCI", "SELECT the member communes of an EPCI and "
             "their names", _sparql(member_lists, RESULTS_JSON)),
        Item("selective", "ASK membership", "ASK whether a commune is a member of an EPCI "
             "(half true, half false)", _sparql(asks, RESULTS_JSON)),
        Item("selective", "CONSTRUCT resource", "CONSTRUCT an EPCI or commune and its incoming "
             "links", _sparql(constructs, TURTLE)),
    ]

    # ---- analytics SPARQL -------------------------------------------------------------------
    thresholds = rng.sample(range(0, 100_000), variants)
    by_form = [prefixes + "SELECT ?forme (COUNT(?epci) AS ?epcis) (SUM(?population) AS "
               "?habitants) (SUM(?membres) AS ?communes) WHERE {\n"
               "  { SELECT ?epci (COUNT(?commune) AS ?membres) WHERE { ?epci a ti:EPCI ; "
               "org:hasMember ?commune } GROUP BY ?epci }\n"
               "  ?epci ti:formeJuridique ?forme ; ti:populationTotale ?population .\n"
               f"  FILTER(?population >= {k})\n}} GROUP BY ?forme ORDER BY DESC(?habitants)"
               for k in thresholds]
    caps = rng.sample(range(100_000, 8_000_000), variants)
    top10 = [prefixes + "SELECT ?epci ?nom ?population WHERE {\n"
             "  ?epci a ti:EPCI ; skos:prefLabel ?nom ; ti:populationTotale ?population .\n"
             f"  FILTER(?population <= {cap})\n"
             "} ORDER BY DESC(?population) LIMIT 10" for cap in caps]
    needles: list[str] = []
    seen: set[str] = set()
    while len(needles) < variants:
        name = rng.choice(communes)["nom"].lower().replace("\\", "").replace('"', "")
        length = min(len(name), rng.randrange(3, 8))
        start = rng.randrange(0, len(name) - length + 1)
        needle = name[start:start + length]
        if needle not in seen:
            seen.add(needle)
            needles.append(needle)
    search = [prefixes + "SELECT ?commune ?nom WHERE {\n"
              "  ?commune a ti:Commune ; skos:prefLabel ?nom .\n"
              f"  FILTER(CONTAINS(LCASE(STR(?nom)), \"{needle}\"))\n}} ORDER BY ?nom LIMIT 100"
              for needle in needles]
    per_territory = [prefixes + "SELECT ?territoire (SUM(?population) AS ?habitants) "
                     "(COUNT(?commune) AS ?communes) WHERE {\n"
                     "  { SELECT DISTINCT ?territoire ?commune ?population WHERE {\n"
                     "    ?territoire a ti:TerritoireIndustrie ; org:hasMember ?epci .\n"
                     "    ?epci org:hasMember ?commune . ?commune ti:population ?population .\n"
                     f"    FILTER(?population >= {k % 5000}) }} }}\n}} GROUP BY ?territoire "
                     f"LIMIT {1000 + i}" for i, k in enumerate(thresholds)]
    # LIMIT changes nothing but the text: a result cache keyed by the query would miss.
    count = [f"SELECT (COUNT(*) AS ?triples) WHERE {{ ?s ?p ?o }} LIMIT {1 + i}"
             for i in range(variants)]
    items += [
        Item("analytics", "population by legal form", "population and commune count per EPCI "
             "legal form (sub-query over every EPCI's members)",
             _sparql(by_form, RESULTS_JSON), slow=True),
        Item("analytics", "top-10 EPCI", "top-10 EPCI by population under a varying cap",
             _sparql(top10, RESULTS_JSON), slow=True),
        Item("analytics", "name search", "case-insensitive search of commune names "
             "(CONTAINS(LCASE(...)))", _sparql(search, RESULTS_JSON), slow=True),
        Item("analytics", "population per territory", "population of each territory summed "
             "over its communes", _sparql(per_territory, RESULTS_JSON), slow=True),
        Item("analytics", "count triples", "COUNT(*) of every triple in the union",
             _sparql(count, RESULTS_JSON), slow=True),
    ]

    # ---- hot: the example queries, repeated ---------------------------------------------------
    examples = example_queries(base)

    def hot(server: Server):
        return [Request(server.sparql_target(text), _accept_for(text)) for _, text in examples]

    items.append(Item("hot", "example queries", f"the {len(examples)} examples/*.rq in turn, "
                      "repeated as a dashboard would", hot,
                      names=[name for name, _ in examples]))
    return items


def _accept_for(query: str) -> str:
    body = re.sub(r"(?m)#.*$", "", query)
    body = re.sub(r"(?is)^\s*(BASE\s*<[^>]*>\s*|PREFIX\s+\S*\s*<[^>]*>\s*)*", "", body)
    return TURTLE if re.match(r"(?i)\s*(CONSTRUCT|DESCRIBE)", body) else RESULTS_JSON


def decode(target: str) -> str:
    """The query of a SPARQL request target (for error reports)."""
    return urllib.parse.parse_qs(urllib.parse.urlsplit(target).query).get("query", [""])[0]
