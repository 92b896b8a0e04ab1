"""Hostile HTTP requests, one for each way a request has been (or could be) made to fail: the
suite sends every one to the app in-process and to a real server, and none may be answered 500
or take more than `MAX_SECONDS`. An entry may also say which statuses it expects.

Grow it: each finding of a review goes in as a request, with why it is here."""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from dataclasses import dataclass, field

from territoires.config import ROOT

from .sparql import FLAT_CHAINS

MAX_SECONDS = 5.0
BASE = "https://data.example.fr/"


@dataclass(frozen=True)
class Hostile:
    why: str
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expect: tuple[int, ...] = ()     # statuses it must get (empty: anything below 500)


def q(**params) -> str:
    return urllib.parse.urlencode(params)


def form(**params) -> tuple[dict, bytes]:
    return {"Content-Type": "application/x-www-form-urlencoded"}, q(**params).encode()


def reconcile(queries) -> Hostile:
    headers, body = form(queries=queries if isinstance(queries, str) else json.dumps(queries))
    return Hostile(f"reconcile batch {str(queries)[:60]}", "/reconcile", "POST", headers, body)


# The fingerprint of a file outside the static folder, as an attacker who knows the file would.
README_DIGEST = hashlib.sha256((ROOT / "README.md").read_bytes()).hexdigest()[:12]
NESTED_JSON = "[" * 100_000 + "]" * 100_000
NESTED_IN_A_URL = "[" * 1200 + "]" * 1200     # deeper than Python's JSON, shorter than a URL
LONG_NAME = " ".join(["saint", "martin", "sur", "doubs", "val", "mont"] * 15)[:500]

REQUESTS: list[Hostile] = [
    # --- the Host header ends up in links and Location: only a host is accepted
    Hostile("markup in Host", "/id/epci/242500361", headers={"Host": 'evil"><script>'},
            expect=(400,)),
    Hostile("CRLF in Host", "/", headers={"Host": "a%0d%0aSet-Cookie:x=1"}, expect=(400,)),
    Hostile("space in Host", "/sparql", headers={"Host": "a b"}, expect=(400,)),
    Hostile("port out of range", "/", headers={"Host": "localhost:9999999"}, expect=(400,)),
    Hostile("an IPv6 literal is a host", "/", headers={"Host": "[::1]:8000"}, expect=(200,)),
    # punycode that is no punycode: werkzeug's IDNA decoding failed on every route (500)
    *(Hostile(f"invalid punycode Host on {path}", path, headers={"Host": host}, expect=(400,))
      for host in ("xn--a.example", "xn--zz.example:8000")
      for path in ("/", "/id/epci/242500361", "/doc/epci/242500361", "/search?q=x",
                   "/sparql?query=ASK%7B%7D", "/reconcile")),
    # valid punycode of a non-Latin-1 name: links made of the decoded name were refused by
    # gunicorn in the Link header (500); they keep the name as sent
    Hostile("a Cyrillic punycode Host on /id/", "/id/epci/242500361",
            headers={"Host": "xn--80ak6aa92e.com"}, expect=(303,)),
    Hostile("a Cyrillic punycode Host on /doc/", "/doc/epci/242500361",
            headers={"Host": "xn--80ak6aa92e.com"}, expect=(200,)),
    # --- search and suggest: words repeated, numbers too long, types of the wrong shape
    Hostile("repeated word (divided by zero)", "/search?" + q(q="lyon lyon", format="json"),
            expect=(200,)),
    Hostile("repeated word in suggest", "/reconcile/suggest/entity?" + q(prefix="lyon lyon"),
            expect=(200,)),
    Hostile("5,000-digit limit", "/search?" + q(q="Besançon", limit="9" * 5000), expect=(400,)),
    Hostile("5,000-digit cursor", "/reconcile/suggest/entity?" + q(prefix="b", cursor="9" * 5000),
            expect=(400,)),
    Hostile("nested JSON type", "/reconcile/suggest/entity?" + q(prefix="b", type=NESTED_IN_A_URL),
            expect=(400,)),
    Hostile("a type that is a number", "/reconcile/suggest/entity?" + q(prefix="b", type="[5]"),
            expect=(400,)),
    Hostile("a long query", "/search?" + q(q="x" * 600), expect=(400,)),
    Hostile("unknown type", "/search?" + q(q="x", type="ti:" + "x" * 5000), expect=(400,)),
    Hostile("NUL in q", "/search?q=%00%00&format=json", expect=(200,)),
    # --- reconciliation: nested JSON, absurd values, too much work
    reconcile(NESTED_JSON),
    reconcile({"q0": {"query": "Doubs Doubs"}}),
    reconcile({"q0": {"query": "x", "limit": "9" * 5000}}),
    reconcile({"q0": {"query": "x", "type": 5}}),
    reconcile({"q0": {"query": "x", "type": [[[["EPCI"]]]]}}),
    reconcile({"q0": {"query": "x", "properties": [{"pid": "departement",
                                                     "v": [f"{d:02d}" for d in range(1, 21)]}]}}),
    reconcile({f"q{i}": {"query": LONG_NAME, "properties": [
        {"pid": "departement", "v": ["25", "39", "70", "90", "21"]}]} for i in range(100)}),
    reconcile({f"q{i}": {"query": LONG_NAME} for i in range(100)}),
    reconcile({f"q{i}": {"query": "x"} for i in range(101)}),
    # extend with a property id that is an object or a list (unhashable: was a 500)
    *(Hostile(f"extend with a property id {kind}", "/reconcile", "POST", *form(extend=json.dumps(
        {"ids": ["epci/242500361"], "properties": [{"id": pid}]})), expect=(400,))
      for kind, pid in (("object", {"id": "siren"}), ("list", ["siren"]))),
    *(Hostile(f"v1 extend with a property id {kind}", "/reconcile/v1/extend", "POST",
              {"Content-Type": "application/json"}, json.dumps(
                  {"ids": ["epci/242500361"], "properties": [{"id": pid}]}).encode(),
              expect=(400,))
      for kind, pid in (("object", {"id": "siren"}), ("list", ["siren"]))),
    Hostile("nested JSON body", "/reconcile", "POST", {"Content-Type": "application/json"},
            ('{"queries": ' + NESTED_JSON + "}").encode(), expect=(400,)),
    Hostile("JSONP callback injection", "/reconcile?callback=alert(1)//", expect=(400,)),
    Hostile("unknown entity", "/reconcile/preview?id=" + "x" * 5000, expect=(400, 404)),
    # --- SPARQL: the protocol's limits and refusals
    Hostile("an update", "/sparql", "POST", {"Content-Type": "application/sparql-update"},
            b"DROP ALL", expect=(403,)),
    Hostile("a UTF-16 body", "/sparql", "POST",
            {"Content-Type": "application/sparql-query; charset=utf-16"},
            "ASK {}".encode("utf-16"), expect=(400,)),
    Hostile("deep nesting", "/sparql?" + q(query="SELECT * WHERE " + "{" * 100 + "}" * 100),
            expect=(400,)),
    # a flat chain of operators or patterns overflowed the executor's stack (issue 20, outage 1)
    *(Hostile(f"a flat chain: {name}", "/sparql", "POST",
              {"Content-Type": "application/sparql-query"}, query.encode(), expect=(400,))
      for name, (query, _) in FLAT_CHAINS.items()),
    Hostile("SERVICE to loopback", "/sparql?" + q(
        query="SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"), expect=(403,)),
    Hostile("a query over the length limit", "/sparql", "POST",
            {"Content-Type": "application/sparql-query"}, b"#" * 200_000, expect=(413,)),
    Hostile("a body over the size limit", "/sparql", "POST",
            {"Content-Type": "application/x-www-form-urlencoded"}, b"query=" + b"a" * 2_000_000,
            expect=(413,)),
    Hostile("no query in a POST", "/sparql", "POST",
            {"Content-Type": "application/x-www-form-urlencoded"}, b"", expect=(400,)),
    Hostile("an unknown format", "/sparql?" + q(query="ASK {}", format="x" * 300),
            expect=(400,)),
    Hostile("a named graph that is no IRI", "/sparql?" + q(query="ASK {}",
                                                           **{"default-graph-uri": "<x>"}),
            expect=(400,)),
    Hostile("an Accept of a thousand types", "/sparql?" + q(query="ASK {}"),
            headers={"Accept": ", ".join(f"x/y{i};q=0.{i % 10}" for i in range(1000))},
            expect=(406, 431)),   # gunicorn refuses a header field over 8190 bytes
    # --- documents and files: paths that name nothing, or try to reach a file
    Hostile("a path that is no IRI", "/doc/%3Cscript%3E", expect=(404,)),
    Hostile("NUL in a path", "/id/epci/%00", expect=(404,)),
    Hostile("a very long path", "/doc/" + "a" * 4000, expect=(404,)),
    Hostile("a dump path out of the directory", "/dump/..%2f..%2fbuild.json", expect=(404,)),
    Hostile("a shape path out of the directory", "/shapes/..%2f..%2fpyproject.toml",
            expect=(404,)),
    Hostile("an unknown extension", "/catalogue.xyz", expect=(404,)),
    Hostile("a fingerprinted absolute path (the README)",
            f"/static/{README_DIGEST}/yasgui/{ROOT}/README.md", expect=(404,)),
    Hostile("a vendored absolute path", "/static/000000000000/yasgui/proc/self/mem",
            expect=(404,)),
    Hostile("a name of no shipped file", "/static/proc/self/mem", expect=(404,)),
    Hostile("a weird If-None-Match", "/doc/epci/242500361",
            headers={"If-None-Match": '"' * 5000}, expect=(200,)),
    Hostile("a weird Range", "/dump/territoires.nq.gz", headers={"Range": "bytes=99999999999-"},
            expect=(416, 200)),
]
