"""Hostile SPARQL queries of issue 20, one class each, for the outage tests (tests/test_outages.py),
the hostile corpus (http.py) and the soak (bench/soak.py).

Flat chains: thousands of operators or patterns at bracket depth 1, 14–90 kB, each of which
overflowed an executor's stack before the guard bounded a query's size (the parser recurses once
per link). Heavy queries: cheap to send, expensive to answer, for the memory cap and the lanes."""

from __future__ import annotations

LINKS = 5000   # well past the bounds (1,000 operators, 500 patterns), short of the length limit


def _chain(head: str, link: str, separator: str, tail: str, links: int = LINKS) -> str:
    return head + separator.join([link] * links) + tail


# name → (query, the bound it must be refused by)
FLAT_CHAINS: dict[str, tuple[str, str]] = {
    "plus": (_chain("SELECT ?x WHERE { BIND(", "1", "+", " AS ?x) }"), "operators"),
    "or": (_chain("SELECT * WHERE { FILTER(", "true", "||", ") }"), "operators"),
    "and": (_chain("SELECT * WHERE { ?s ?p ?o FILTER(", "?o", "&&", ") }"), "operators"),
    "union": (_chain("SELECT * WHERE { ", "{ ?s ?p ?o }", " UNION ", " }"), "graph patterns"),
    "optional": (_chain("SELECT * WHERE { ?s ?p ?o ", "OPTIONAL { ?s ?p ?o }", " ", " }", 4000),
                 "graph patterns"),
    "minus": (_chain("SELECT * WHERE { ?s ?p ?o ", "MINUS { ?s ?p ?o }", " ", " }"),
              "graph patterns"),
    "filter": (_chain("SELECT * WHERE { ?s ?p ?o ", "FILTER(true)", " ", " }"), "graph patterns"),
    "path": (_chain("SELECT * WHERE { ?s ", "<http://example.org/p>", "/", " ?o }", 2500),
             "operators"),
    "prefixed path": (_chain("PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ", "ex:p", "/",
                             " ?o }"), "operators"),
    "terms": (_chain("SELECT * WHERE { VALUES ?x { ", "1", " ", " } }", 25_000), "terms"),
}

# Each REPLACE makes 16 characters of every one: eight of them nested make 2^33 characters of
# "ab" (issue 20: such a query grew an executor from 291 to 2,204 MB in 2.5 s, then answered 200).
NESTED_REPLACE = ("SELECT (STRLEN(?x) AS ?n) WHERE { BIND(" + "REPLACE(" * 8 + '"ab"'
                  + (', ".", "' + "$0" * 16 + '")') * 8 + " AS ?x) }")

# A product of the whole graph with itself, three times: never finishes on any real build.
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
