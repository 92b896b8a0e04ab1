"""`territoires link wikidata|insee` against a real SPARQL server: the `oxigraph` CLI serving
fixture data in each endpoint's shape (tests/fixtures/linking/), sometimes behind a small HTTP
proxy that answers 429 / 503 or stalls, to check retries, back-off and resumable progress."""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID

from territoires import cli
from territoires.linking import linker_agent, linker_for, run
from territoires.store.sparql_client import Retries, SparqlClient, SparqlError, parse_retry_after
from territoires.linking.codes import read_codes
from territoires.linking.linker import DESCRIPTION, LINKS, REPORT, STATE

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "linking"
BASE = "https://data.example.fr/"
TI = Namespace(BASE + "def/territoires#")
PAV = Namespace("http://purl.org/pav/")
WD = "http://www.wikidata.org/entity/"
INSEE = "http://id.insee.fr/geo/"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_DATETIME = URIRef("http://www.w3.org/2001/XMLSchema#dateTime")

# A dozen codes of the reference snapshot, with one of each case in the fixtures.
CODES = {
    "region": ["27", "84"],
    "departement": ["25", "2A", "75"],
    "epci": ["200000172", "242500361"],
    "commune": ["01001", "25056", "25462", "25560", "75056"],
    "arrondissement-municipal": ["75101"],
}
INSEE_CODES = {**CODES, "commune-deleguee": ["01015"]}


# --- servers ----------------------------------------------------------------------------------

def _oxigraph() -> str:
    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if not found:
        pytest.fail("the oxigraph CLI is missing: pip install -e '.[test]'")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(fixture: Path, location: Path):
    binary = _oxigraph()
    subprocess.run([binary, "load", "--location", str(location), "--file", str(fixture)],
                   check=True, capture_output=True, timeout=60)
    port = _free_port()
    process = subprocess.Popen([binary, "serve-read-only", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            pytest.fail(f"oxigraph exited: {process.stderr.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1) as answer:
                if answer.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("oxigraph did not answer within 20 s")
        time.sleep(0.05)
    return process, url


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory):
    started = {}
    try:
        for name in ("wikidata", "insee"):
            started[name] = _serve(FIXTURES / f"{name}.ttl", tmp_path_factory.mktemp(f"oxigraph-{name}"))
        yield {name: url for name, (_process, url) in started.items()}
    finally:
        for process, _url in started.values():
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


class Proxy:
    """An HTTP proxy in front of the SPARQL server: answers `status` (with `retry_after`) to the
    first `refuse` requests, stalls `stall` seconds on the requests numbered in `stall_on`
    (0-based), forwards the others; records when each request came and its User-Agent."""

    def __init__(self, upstream: str, refuse: int = 0, status: int = 429,
                 retry_after: str | None = None, stall_on: set[int] = frozenset(),
                 stall: float = 3.0):
        self.upstream, self.refuse, self.status = upstream, refuse, status
        self.retry_after, self.stall_on, self.stall = retry_after, set(stall_on), stall
        self.arrivals: list[float] = []
        self.agents: list[str] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy.handle(self, None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                proxy.handle(self, self.rfile.read(length))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A stalled request's client has gone by the time it is answered: not an error here.
        self.server.handle_error = lambda request, address: None
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def requests(self) -> int:
        return len(self.arrivals)

    def handle(self, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        with self.lock:
            number = len(self.arrivals)
            self.arrivals.append(time.monotonic())
            self.agents.append(handler.headers.get("User-Agent", ""))
        try:
            if number < self.refuse:
                handler.send_response(self.status)
                if self.retry_after is not None:
                    handler.send_header("Retry-After", self.retry_after)
                handler.send_header("Content-Type", "text/plain")
                handler.send_header("Content-Length", "4")
                handler.end_headers()
                handler.wfile.write(b"busy")
                return
            if number in self.stall_on:
                time.sleep(self.stall)
            query = handler.path.partition("?")[2]
            request = urllib.request.Request(
                self.upstream + ("?" + query if query else ""), data=body,
                method=handler.command,
                headers={k: v for k, v in handler.headers.items()
                         if k.lower() in ("content-type", "accept")})
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status, kind, payload = answer.status, answer.headers.get("Content-Type"), answer.read()
            except urllib.error.HTTPError as error:
                status, kind, payload = error.code, error.headers.get("Content-Type"), error.read()
            handler.send_response(status)
            handler.send_header("Content-Type", kind or "application/octet-stream")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass   # the client gave up (timeout): nothing to answer


def client(url: str, timeout: float = 5.0, retries: int = 2, backoff: float = 0.05) -> SparqlClient:
    return SparqlClient(url, linker_agent("tests@example.org", BASE), timeout=timeout,
                        retries=Retries(retries, backoff), log=lambda _: None)


def link(name, url, output, codes=None, reference_date=date(2026, 1, 1), batch_size=3,
         restart=False, **client_options):
    """Run a linker on the test codes through `url`, the retrieval date pinned to 2026-12-01."""
    return run(linker_for(name, reference_date), client(url, **client_options),
               codes or (INSEE_CODES if name == "insee" else CODES), output,
               batch_size=batch_size, reference_date=reference_date, restart=restart,
               progress=lambda _: None, today=date(2026, 12, 1))


def link_lines(output: Path) -> list[str]:
    return [line for line in (output / LINKS).read_text().splitlines()
            if line.startswith("<")]


def report(output: Path) -> dict:
    return json.loads((output / REPORT).read_text())


def problems(output: Path) -> dict[tuple[str, str], dict]:
    return {(p["kind"], p["code"]): p for p in report(output)["problems"]}


# --- the links and the report -----------------------------------------------------------------

def test_wikidata_links_one_item_per_code(endpoints, tmp_path):
    outcome = link("wikidata", endpoints["wikidata"], tmp_path)
    assert link_lines(tmp_path) == [     # sorted by rdflib: by IRI
        f"<id/arrondissement-municipal/75101> owl:sameAs <{WD}Q975101> .",
        f"<id/commune/25056> owl:sameAs <{WD}Q902556> .",     # the dissolved item is left out
        f"<id/commune/25560> owl:sameAs <{WD}Q902560> .",
        f"<id/departement/25> owl:sameAs <{WD}Q900125> .",
        f"<id/departement/2A> owl:sameAs <{WD}Q900120> .",
        f"<id/epci/200000172> owl:sameAs <{WD}Q900172> .",
        f"<id/epci/242500361> owl:sameAs <{WD}Q900361> .",
        f"<id/region/27> owl:sameAs <{WD}Q900027> .",
        f"<id/region/84> owl:sameAs <{WD}Q900084> .",
    ]
    assert outcome.batches_run == 6 and outcome.batches_skipped == 0
    assert not (tmp_path / STATE).exists()     # a finished run leaves no state


def test_wikidata_ambiguous_missing_and_shared_codes_are_reported_not_linked(endpoints, tmp_path):
    link("wikidata", endpoints["wikidata"], tmp_path)
    found = problems(tmp_path)
    assert found[("commune", "25462")]["status"] == "ambiguous"
    assert found[("commune", "25462")]["candidates"] == [f"{WD}Q902546", f"{WD}Q902547"]
    assert found[("commune", "01001")] == {"status": "missing", "kind": "commune", "code": "01001",
                                          "entity": "id/commune/01001", "candidates": []}
    # One item carries the codes of the département and of the commune of Paris: linking both
    # would make our two entities one.
    assert found[("commune", "75056")]["status"] == "shared"
    assert found[("commune", "75056")]["shared_with"] == ["id/departement/75"]
    assert found[("departement", "75")]["status"] == "shared"
    assert set(found) == {("commune", "25462"), ("commune", "01001"), ("commune", "75056"),
                          ("departement", "75")}
    text = (tmp_path / LINKS).read_text()
    for entity in ("id/commune/25462>", "id/commune/01001>", "id/commune/75056>",
                   "id/departement/75>"):
        assert entity not in text
    counts = report(tmp_path)["counts"]
    assert counts["commune"] == {"codes": 5, "linked": 2, "ambiguous": 1, "missing": 1, "shared": 1}
    assert report(tmp_path)["endpoint"] == endpoints["wikidata"]


def test_insee_links_the_version_valid_at_the_reference_date(endpoints, tmp_path):
    link("insee", endpoints["insee"], tmp_path / "2026")
    lines = link_lines(tmp_path / "2026")
    assert f"<id/commune/25056> skos:exactMatch <{INSEE}commune/0000-c25056-v2> ." in lines
    assert f"<id/epci/242500361> skos:exactMatch <{INSEE}intercommunalite/0000-e361> ." in lines  # xsd:token code
    assert f"<id/commune-deleguee/01015> skos:exactMatch <{INSEE}communeDeleguee/0000-cd01015> ." in lines
    assert f"<id/departement/75> skos:exactMatch <{INSEE}departement/0000-d75> ." in lines
    assert f"<id/commune/75056> skos:exactMatch <{INSEE}commune/0000-c75056> ." in lines
    assert len(lines) == 12
    found = problems(tmp_path / "2026")
    assert found[("commune", "25462")]["status"] == "ambiguous"
    assert found[("commune", "01001")]["status"] == "missing"     # its only version has ended
    assert len(found) == 2

    link("insee", endpoints["insee"], tmp_path / "2024", codes={"commune": ["25056"]},
         reference_date=date(2024, 6, 1))
    assert link_lines(tmp_path / "2024") == [
        f"<id/commune/25056> skos:exactMatch <{INSEE}commune/0000-c25056-v1> ."]


@pytest.mark.parametrize("name", ["wikidata", "insee"])
def test_outputs_parse_with_a_base_and_declare_their_provenance(endpoints, tmp_path, name):
    outcome = link(name, endpoints[name], tmp_path)
    links = Graph().parse(tmp_path / LINKS, format="turtle", publicID=BASE)
    predicate = OWL.sameAs if name == "wikidata" else SKOS.exactMatch
    assert len(links) == len(outcome.links) == len(set(links.subject_objects(predicate)))
    assert all(str(s).startswith(BASE + "id/") for s in links.subjects())

    description = Graph().parse(tmp_path / DESCRIPTION, format="turtle", publicID=BASE)
    graph = URIRef(f"{BASE}graph/liens-{name}")
    assert set(description.subjects(RDF.type, TI.SourceGraph)) == {graph}
    assert (graph, RDF.type, VOID.Linkset) in description
    assert description.value(graph, PROV.wasDerivedFrom) == URIRef(endpoints[name])
    licence = {"wikidata": "http://creativecommons.org/publicdomain/zero/1.0/",
               "insee": "https://www.etalab.gouv.fr/licence-ouverte-open-licence"}[name]
    assert description.value(graph, DCTERMS.license) == URIRef(licence)
    assert description.value(graph, PAV.retrievedOn) == Literal("2026-12-01", datatype=XSD_DATE)
    assert description.value(graph, VOID.linkPredicate) == predicate
    assert description.value(graph, VOID.subjectsTarget) == URIRef(BASE + ".well-known/void#territoires")
    assert description.value(graph, VOID.objectsTarget) is not None
    assert description.value(graph, VOID.triples).toPython() == len(links)
    assert {str(t) for t in description.objects(graph, DCTERMS.title)} and \
        {t.language for t in description.objects(graph, DCTERMS.title)} == {"fr", "en"}
    queries = [str(description.value(a, RDFS.comment))
               for a in description.objects(graph, PROV.wasGeneratedBy)]
    assert len(queries) == len(INSEE_CODES if name == "insee" else CODES)
    assert all("SELECT DISTINCT ?code ?item" in q and "bound to ?code" in q for q in queries)
    marker = "<http://www.wikidata.org/prop/direct/P374>" if name == "wikidata" \
        else "igeo:codeINSEE"
    assert any(marker in q for q in queries)
    activity = next(description.objects(graph, PROV.wasGeneratedBy))
    assert description.value(activity, PROV.used) == URIRef(endpoints[name])
    for moment in (PROV.startedAtTime, PROV.endedAtTime):
        assert description.value(activity, moment).datatype == XSD_DATETIME
    assert ("reference_date" in report(tmp_path)) == (name == "insee")


@pytest.mark.parametrize("name", ["wikidata", "insee"])
def test_the_build_accepts_the_link_directory_as_a_source(endpoints, tmp_path, name):
    """The build's own loaders read the directory, and the description conforms to the shapes
    of source graphs."""
    from pyshacl import validate

    from territoires.config import Settings
    from territoires.vocabulary.namespaces import Vocabulary
    from territoires.sources import describe, source_directories, turtle

    output = tmp_path / "data" / "links" / name
    outcome = link(name, endpoints[name], output)
    assert output in source_directories(Settings(data_dir=tmp_path / "data"))
    iri, description = describe(output, Vocabulary(BASE))
    assert iri == URIRef(f"{BASE}graph/liens-{name}")
    graph = Graph()
    source = turtle.load(name, [output / LINKS], BASE, graph)
    assert len(source) == len(outcome.links)
    shapes = Graph().parse(ROOT / "shapes" / "territoires.ttl", format="turtle", publicID=BASE)
    data = Graph()
    data += description
    conforms, _, text = validate(data, shacl_graph=shapes, advanced=True)
    assert conforms, text


def test_output_is_deterministic(endpoints, tmp_path):
    link("wikidata", endpoints["wikidata"], tmp_path / "a", batch_size=2)
    link("wikidata", endpoints["wikidata"], tmp_path / "b", batch_size=5)
    for name in (LINKS, REPORT):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


# --- the client: User-Agent, 429 / Retry-After, 5xx, timeouts, resumable progress --------------

def test_requests_carry_a_descriptive_user_agent(endpoints, tmp_path):
    with Proxy(endpoints["wikidata"]) as proxy:
        link("wikidata", proxy.url, tmp_path, codes={"region": ["27"]})
    agent = proxy.agents[0]
    assert agent.startswith("territoires-linker/0.1.0 (tests@example.org; https://data.example.fr/)")
    assert re.fullmatch(r"territoires-linker/\S+ \([^)]+\) Python/3\.\d+\.\d+\S*", agent)


def test_a_429_with_retry_after_is_honoured(endpoints, tmp_path):
    with Proxy(endpoints["wikidata"], refuse=1, status=429, retry_after="1") as proxy:
        outcome = link("wikidata", proxy.url, tmp_path, codes={"region": ["27", "84"]})
    assert proxy.requests == 2
    assert proxy.arrivals[1] - proxy.arrivals[0] >= 1.0
    assert [code for _, code, _ in outcome.links] == ["27", "84"]


def test_a_503_is_retried_with_exponential_back_off(endpoints, tmp_path):
    with Proxy(endpoints["wikidata"], refuse=2, status=503) as proxy:
        outcome = link("wikidata", proxy.url, tmp_path, codes={"region": ["27"]}, backoff=0.2)
    assert proxy.requests == 3
    first, second = (proxy.arrivals[i + 1] - proxy.arrivals[i] for i in range(2))
    assert first >= 0.2 and second >= 0.4
    assert len(outcome.links) == 1


def test_retry_after_as_an_http_date():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT",
                             now=1445412480.0) == pytest.approx(10.0)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_errors_that_retrying_cannot_fix_fail_at_once(endpoints):
    with Proxy(endpoints["wikidata"]) as proxy:
        with pytest.raises(SparqlError):
            client(proxy.url, retries=3).select("SELECT nonsense")
    assert proxy.requests == 1


def test_a_server_still_refusing_after_the_retries_is_an_error(endpoints, tmp_path):
    with Proxy(endpoints["wikidata"], refuse=10, status=429, retry_after="0") as proxy:
        with pytest.raises(SparqlError, match="HTTP 429"):
            link("wikidata", proxy.url, tmp_path, codes={"region": ["27"]}, retries=2)
    assert proxy.requests == 3


def test_a_timeout_is_survived_by_a_retry(endpoints, tmp_path):
    with Proxy(endpoints["wikidata"], stall_on={1}, stall=2.0) as proxy:
        started = time.monotonic()
        outcome = link("wikidata", proxy.url, tmp_path, timeout=0.5, retries=1)
    assert time.monotonic() - started < 10
    assert proxy.requests == outcome.batches_run + 1 == 7
    assert len(outcome.links) == 9


def test_an_interrupted_run_keeps_its_batches_and_resumes(endpoints, tmp_path):
    straight = tmp_path / "straight"
    link("wikidata", endpoints["wikidata"], straight)
    output = tmp_path / "interrupted"
    with Proxy(endpoints["wikidata"], stall_on={2}, stall=2.0) as proxy:
        with pytest.raises(SparqlError, match="timed out"):
            link("wikidata", proxy.url, output, timeout=0.5, retries=0)
        state = json.loads((output / STATE).read_text())
        assert len(state["batches"]) == 2             # the two batches before the stall
        assert not (output / LINKS).exists()

        proxy.stall_on.clear()                        # the endpoint is back
        before = proxy.requests
        outcome = link("wikidata", proxy.url, output)
    assert (outcome.batches_skipped, outcome.batches_run) == (2, 4)
    assert proxy.requests - before == 4
    assert not (output / STATE).exists()
    for name in (LINKS, REPORT):
        assert (output / name).read_text().replace(proxy.url, "E") == \
            (straight / name).read_text().replace(endpoints["wikidata"], "E")


def test_restart_ignores_an_interrupted_run(endpoints, tmp_path):
    with Proxy(endpoints["wikidata"], stall_on={1}, stall=2.0) as proxy:
        with pytest.raises(SparqlError):
            link("wikidata", proxy.url, tmp_path, timeout=0.5, retries=0)
        assert (tmp_path / STATE).exists()
        outcome = link("wikidata", proxy.url, tmp_path, restart=True)
    assert (outcome.batches_skipped, outcome.batches_run) == (0, 6)


def test_a_state_made_with_another_endpoint_is_not_reused(endpoints, tmp_path):
    with Proxy(endpoints["wikidata"], stall_on={1}, stall=2.0) as proxy:
        with pytest.raises(SparqlError):
            link("wikidata", proxy.url, tmp_path, timeout=0.5, retries=0)
    outcome = link("wikidata", endpoints["wikidata"], tmp_path)
    assert outcome.batches_skipped == 0


# --- the command ---------------------------------------------------------------------------

def _tiny_reference(directory: Path) -> None:
    """The reference snapshot's files, cut down to the test codes."""
    directory.mkdir(parents=True)
    keep = {"regions.csv.gz": ("code", CODES["region"]),
            "departements.csv.gz": ("code", CODES["departement"]),
            "epci.csv.gz": ("siren", CODES["epci"]),
            "communes.csv.gz": ("code", CODES["commune"] + CODES["arrondissement-municipal"]
                                + INSEE_CODES["commune-deleguee"])}
    for name, (column, codes) in keep.items():
        with gzip.open(ROOT / "data" / "reference" / name, "rt", encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            rows = [row for row in reader if row[column] in codes
                    and (row.get("type") != "commune-actuelle" or row["code"] in CODES["commune"])]
            fields = reader.fieldnames
        with gzip.open(directory / name, "wt", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fields)
            writer.writeheader()
            writer.writerows(rows)


def test_read_codes_from_the_reference_snapshot():
    codes = read_codes(ROOT / "data" / "reference", ["region", "epci", "commune", "commune-deleguee"])
    assert len(codes["region"]) == 26 and "27" in codes["region"]
    assert "242500361" in codes["epci"] and len(codes["epci"]) > 1000
    assert "25056" in codes["commune"] and "75101" not in codes["commune"]
    assert codes["commune"] == sorted(set(codes["commune"]))


def test_command_links_and_reports_on_stderr(endpoints, tmp_path, capsys):
    _tiny_reference(tmp_path / "data" / "reference")
    output = tmp_path / "out"
    status = cli.main(["--data-dir", str(tmp_path / "data"), "link", "insee",
                       "--endpoint", endpoints["insee"], "--batch-size", "2", "--timeout", "5",
                       "--output", str(output), "--contact", "tests@example.org"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.out == ""
    assert "batch 1/" in captured.err and "commune: 5 code(s), 3 linked" in captured.err
    assert len(link_lines(output)) == 12
    assert (output / DESCRIPTION).exists() and (output / REPORT).exists()


def test_command_fails_with_a_message_when_the_endpoint_is_down(tmp_path, capsys):
    _tiny_reference(tmp_path / "data" / "reference")
    status = cli.main(["--data-dir", str(tmp_path / "data"), "link", "wikidata",
                       "--endpoint", f"http://127.0.0.1:{_free_port()}/query", "--retries", "0",
                       "--kinds", "region", "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 1
    assert "connection failed" in err and "run the command again to resume" in err
    assert not (tmp_path / "out" / LINKS).exists()


def test_command_refuses_a_kind_the_linker_does_not_know(tmp_path, capsys):
    status = cli.main(["link", "wikidata", "--kinds", "commune-deleguee",
                       "--output", str(tmp_path)])
    assert status == 2
    assert "wikidata links only" in capsys.readouterr().err
