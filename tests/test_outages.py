"""Issue 20's outages 1–3, each as a regression test: the attack is refused or contained, and a
cheap query is answered meanwhile. The guard's bounds and the heaviness estimate are checked
in-process; the memory cap and the lanes against real servers (bounded in time, loopback)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from territoires.config import Settings
from territoires.vocabulary.namespaces import RDF
from territoires.store import Busy, Job, TimedOut, Unavailable
from territoires.store.executor import Executors
from territoires.store.local import LocalStore
from territoires.web.sparql import guard

from .conftest import start_server, stop
from .hostile.sparql import CARTESIAN_COUNT, FLAT_CHAINS, NESTED_REPLACE
from .test_sparql_protocol import fetch, get
from .test_sparql_safety import _executors_of, warm

BASE = "https://data.example.fr/"
PROBE = f"ASK {{ <{BASE}id/epci/242500361> ?p ?o }}"
# The same, in an executor: the worker answers no FILTER itself (web/sparql/cheap.py).
EXECUTED_PROBE = f"ASK {{ <{BASE}id/epci/242500361> ?p ?o FILTER(true) }}"


# ---- outage 1: a query's size is bounded, not only its nesting ------------------------------


@pytest.fixture()
def evaluations(monkeypatch) -> list[str]:
    """The queries that reached the store's executors during the test."""
    seen: list[str] = []
    original = LocalStore.answer

    def recorded(self, job, timeout):
        seen.append(job.query)
        return original(self, job, timeout)

    monkeypatch.setattr(LocalStore, "answer", recorded)
    return seen


@pytest.mark.parametrize("name", FLAT_CHAINS)
def test_a_flat_chain_is_refused_naming_its_bound(client, evaluations, name):
    query, bound = FLAT_CHAINS[name]
    response = client.post("/sparql", data=query.encode(),
                           content_type="application/sparql-query")
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text
    limit = {"terms": 20_000, "operators": 1_000, "graph patterns": 500}[bound]
    assert f" {bound}; this endpoint accepts at most {limit:,}" in text, text
    figure = int(text.split("it has ")[1].split(" ")[0].replace(",", ""))
    assert figure > limit
    assert evaluations == []       # refused before any executor saw it
    probe = f"{EXECUTED_PROBE} # after {name}"    # not in the result cache
    assert client.get("/sparql", query_string={"query": probe}).status_code == 200
    assert evaluations == [probe]


def test_the_bounds_are_settings():
    query = "SELECT ?x WHERE { BIND(1+1+1+1 AS ?x) }"
    assert guard.inspect(query, 1000, bounds=guard.Bounds(operators=3)).heavy == ""
    with pytest.raises(guard.Refused, match="it has 3 operators; this endpoint accepts at most 2"):
        guard.inspect(query, 1000, bounds=guard.Bounds(operators=2))
    with pytest.raises(ValueError, match="TERRITOIRES_MAX_QUERY_PATTERNS"):
        Settings(max_query_patterns=0)


def test_the_examples_are_within_the_bounds_and_light(settings):
    examples = sorted(settings.examples_dir.rglob("*.rq"))
    assert examples
    for path in examples:
        inspection = guard.inspect(path.read_text(encoding="utf-8"), 100_000)
        assert inspection.heavy == "", (path.name, inspection.heavy)


@pytest.mark.parametrize("query, why", [
    (CARTESIAN_COUNT, "3 triple patterns of variables only"),
    ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "COUNT over a triple pattern"),
    ("SELECT DISTINCT ?o WHERE { ?s ?p ?o }", "DISTINCT over a triple pattern"),
    (NESTED_REPLACE, "string functions nested 8 deep"),
])
def test_expensive_queries_are_marked_heavy(query, why):
    assert why in guard.inspect(query, 100_000).heavy


@pytest.mark.parametrize("query", [
    PROBE,
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10",          # one pattern, streamed, no sort
    "SELECT ?a ?b ?c WHERE { ?a ?b <urn:x> . ?a ?b ?c }",   # a projection is no pattern
    "SELECT ?s WHERE { VALUES ?s { <urn:a> } ?s ?p ?o . ?o ?q ?r }",   # VALUES binds ?s
    'SELECT ?x WHERE { BIND(REPLACE(REPLACE("ab", "a", "b"), "b", "c") AS ?x) }',
])
def test_cheap_queries_are_light(query):
    assert guard.inspect(query, 100_000).heavy == ""


# ---- a real server: the attacks run while a probe is answered -------------------------------


def vm_rss_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((l for l in status.splitlines() if l.startswith("VmRSS:")), None)
    return int(line.split()[1]) if line else None


class Sampler:
    """The largest resident size of the server's executors, sampled every 10 ms."""

    def __init__(self, arbiter: int):
        self.arbiter, self.largest_kib, self.running = arbiter, 0, True
        self.largest_pid = 0
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while self.running:
            for pid in _executors_of(self.arbiter):
                if (vm_rss_kib(pid) or 0) > self.largest_kib:
                    self.largest_kib, self.largest_pid = vm_rss_kib(pid) or 0, pid
            time.sleep(0.01)

    def stop(self) -> int:
        self.running = False
        self.thread.join(timeout=5)
        return self.largest_kib


def probe(url: str, tag: str) -> float:
    """Seconds to answer a cheap ASK in the light lane's executor (not in the result cache:
    `tag` makes it new)."""
    started = time.monotonic()
    status, _, body = get(url, query=f"{EXECUTED_PROBE} # {tag}")
    assert status == 200, body
    return time.monotonic() - started


@pytest.fixture(scope="module")
def capped(published, settings):
    """A server of one worker whose executors may use 1 GiB each."""
    process, url = start_server(settings, "--workers", "1",
                                env={"TERRITOIRES_EXECUTOR_MEMORY_MIB": str(CAP_MIB)})
    yield process, url
    stop(process)


CAP_MIB = 1024


@pytest.mark.server   # a real server
def test_flat_chains_never_reach_an_executor(capped):
    process, url = capped
    warm(url)
    before = set(_executors_of(process.pid))
    for name, (query, _) in FLAT_CHAINS.items():
        status, _, body = fetch(url + "sparql", method="POST", data=query.encode(),
                                headers={"Content-Type": "application/sparql-query"})
        assert status == 400 and b"too complex" in body, (name, status, body[:200])
        assert probe(url, f"chain {name}") < 1.0
    # none died, none was replaced (others may have started since: executors start lazily)
    assert before and before <= set(_executors_of(process.pid))


@pytest.mark.server   # a real server
def test_a_query_past_the_memory_cap_is_a_503_and_others_are_served(capped):
    process, url = capped
    warm(url)
    sampler = Sampler(process.pid)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(get, url, query=NESTED_REPLACE)
        latencies, deadline = [], time.monotonic() + 60
        while not pending.done() and time.monotonic() < deadline:
            latencies.append(probe(url, f"memory {len(latencies)}"))
            time.sleep(0.05)
        status, headers, body = pending.result(timeout=60)
    largest = sampler.stop()
    assert status == 503, body
    assert b"MiB of memory" in body and headers.get("Retry-After")
    assert latencies and max(latencies) < 1.0, latencies
    assert 0 < largest <= CAP_MIB * 1024, largest
    assert sampler.largest_pid not in _executors_of(process.pid), "the executor that ran out " \
        "of memory is still there"
    assert probe(url, "after the memory cap") < 1.0
    print(f"\nmemory cap {CAP_MIB} MiB: largest executor RSS {largest / 1024:.0f} MiB, "
          f"{len(latencies)} probes, slowest {max(latencies) * 1000:.0f} ms")


# ---- outage 3: cheap queries do not wait behind expensive ones ------------------------------

JSON = "application/sparql-results+json"
# Not marked heavy (no pattern of variables only), yet seconds of work: 1,570² × 8 rows.
SLOW_LIGHT = ("SELECT (COUNT(*) AS ?n) WHERE { ?a a ?c . ?d a ?f "
              "VALUES ?k { 1 2 3 4 5 6 7 8 } }")


def job(query: str, heavy: bool = False) -> Job:
    return Job(query, True, None, None, JSON, None, 10_000, heavy=heavy)


def timed_run(executors: Executors, build: Path, query: str, heavy: bool = False,
              timeout: float = 30) -> tuple[float, object]:
    started = time.monotonic()
    try:
        outcome = executors.run(build, {}, job(query, heavy), timeout).outcome
    except Exception as error:   # the test looks at which
        outcome = error
    return time.monotonic() - started, outcome


def lane_pids(lane) -> set[int]:
    return {e.process.pid for e in lane.idle if e is not None}


@pytest.mark.server   # starts real executors
def test_a_light_query_past_its_budget_moves_to_the_heavy_lane(settings, published):
    build = settings.current_build.resolve()
    executors = Executors(1, isolate_network=True, light=1, light_budget=0.2, heavy_queue=2)
    try:
        assert timed_run(executors, build, PROBE)[1].status == "ok"          # start both lanes
        assert timed_run(executors, build, PROBE, heavy=True)[1].status == "ok"
        light_before = lane_pids(executors._light)
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(timed_run, executors, build, SLOW_LIGHT)
            time.sleep(0.6)    # past the budget: moved, with its executor
            # The first probe may wait for the light lane's fresh executor to start.
            probes = [timed_run(executors, build, f"{PROBE} # {i}") for i in range(5)]
            probes_done = slow.done()
            _, outcome = slow.result(timeout=60)
        assert outcome.status == "ok", outcome
        typed = sum(1 for _ in ox.Store.read_only(str(build / "store")).quads_for_pattern(
            None, ox.NamedNode(str(RDF.type)), None, ox.DefaultGraph()))
        assert json.loads(outcome.body)["results"]["bindings"][0]["n"]["value"] == \
            str(typed * typed * 8)      # the whole answer, though it changed lanes
        assert all(o.status == "ok" for _, o in probes)
        assert not probes_done              # the probes did not wait for the slow query
        assert max(seconds for seconds, _ in probes[1:]) < 0.5, probes
        assert lane_pids(executors._heavy) == light_before    # it went on in the heavy lane
    finally:
        executors.close()


@pytest.mark.server   # starts real executors
def test_a_full_heavy_lane_refuses_at_once(settings, published):
    build = settings.current_build.resolve()
    executors = Executors(1, isolate_network=True, light=1, heavy_queue=1)
    try:
        assert timed_run(executors, build, PROBE)[1].status == "ok"
        with ThreadPoolExecutor(2) as pool:
            running = [pool.submit(timed_run, executors, build, CARTESIAN_COUNT, True, 4)
                       for _ in range(2)]                     # one runs, one waits
            time.sleep(1.0)
            seconds, refused = timed_run(executors, build, CARTESIAN_COUNT, heavy=True)
            probe_seconds, answered = timed_run(executors, build, f"{PROBE} # full")
            outcomes = [future.result(timeout=30)[1] for future in running]
        assert isinstance(refused, Busy) and seconds < 0.5, (refused, seconds)
        assert "expensive queries are running or waiting" in str(refused)
        assert answered.status == "ok" and probe_seconds < 0.5
        assert all(isinstance(o, (TimedOut, Unavailable)) for o in outcomes), outcomes
    finally:
        executors.close()


@pytest.fixture(scope="module")
def lanes(published, settings):
    """The production server (2 workers, default lanes) with a 5 s deadline."""
    process, url = start_server(settings, "--workers", "2", "--query-timeout", "5")
    yield process, url
    stop(process)


@pytest.mark.server   # a real server
def test_ask_p99_under_100_ms_while_20_heavy_queries_run(lanes):
    _, url = lanes
    warm(url)
    quiet = sorted(probe(url, f"quiet {i}") for i in range(100))   # the machine's own noise
    with ThreadPoolExecutor(20) as pool:
        heavy = [pool.submit(get, url, query=f"{CARTESIAN_COUNT} # {i}") for i in range(20)]
        time.sleep(0.5)     # every heavy query running or queued
        latencies, deadline = [], time.monotonic() + 4
        while time.monotonic() < deadline:
            latencies.append(probe(url, f"lanes {len(latencies)}"))
        answers = [future.result(timeout=60) for future in heavy]
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
    statuses = sorted(status for status, _, _ in answers)
    print(f"\nASK while 20 heavy queries run: {len(latencies)} probes, p50 {p50 * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms (before them: p50 "
          f"{quiet[50] * 1000:.1f} ms, p99 {quiet[99] * 1000:.1f} ms); heavy: {statuses}")
    assert len(latencies) >= 20 and p99 < 0.1, (p99, latencies[-5:])
    assert all(status == 503 for status in statuses)     # stopped or refused, never a 500
    assert all(headers.get("Retry-After") or b"timeout" in body for _, headers, body in answers)
