"""The SPARQL endpoint is read-only and safe: no update, no outbound request, limits that hold,
runaway queries that stop, and a server that keeps answering others meanwhile. Real servers,
real sockets; every test is bounded in time."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from territoires.store import Crashed, Job
from territoires.store.executor import Executors

from .conftest import start_server
from .test_sparql_protocol import fetch, form, get

BASE = "https://data.example.fr/"
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SMALL = f"ASK {{ <{BASE}id/epci/242500361> ?p ?o }}"
TIMEOUT = 2.0


def stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except Exception:
        process.kill()


@pytest.fixture(scope="module")
def strict(published, settings):
    """A server with a 2 s timeout and a 10 kB answer cap (default workers and threads)."""
    process, url = start_server(settings, "--query-timeout", str(TIMEOUT),
                                env={"TERRITOIRES_MAX_RESULT_BYTES": "10000"})
    yield process, url
    stop(process)


def warm(url: str) -> None:
    """Start the executors of every worker: they start lazily, and a cheap query (SMALL) is
    answered in the worker without one. Light and heavy queries, each new to the result cache."""
    light = f"ASK {{ <{BASE}id/epci/242500361> ?p ?o FILTER(true) }}"
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    queries = [f"{query} # warm {i}" for i in range(16) for query in (light, heavy)]
    with ThreadPoolExecutor(8) as pool:
        assert all(r[0] == 200 for r in pool.map(lambda q: get(url, query=q), queries))


def timed_get(url: str, **params) -> tuple[float, int, bytes]:
    started = time.monotonic()
    status, _, body = get(url, **params)
    return time.monotonic() - started, status, body


def count(url: str) -> int:
    status, _, body = get(url, query=COUNT_QUADS)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# ---- read-only -------------------------------------------------------------------------------

UPDATES = [
    f"INSERT DATA {{ <{BASE}id/x> <{BASE}def/p> 1 }}",
    f"PREFIX ti: <{BASE}def/territoires#> INSERT {{ ?s ti:x 1 }} WHERE {{ ?s ?p ?o }}",
    "DELETE WHERE { ?s ?p ?o }",
    "delete { ?s ?p ?o } where { ?s ?p ?o }",
    "LOAD <https://example.org/data.ttl>",
    f"CLEAR GRAPH <{BASE}graph/cog>",
    "DROP ALL",
    "CREATE GRAPH <urn:x>",
    f"ADD <{BASE}graph/cog> TO <urn:x>",
    f"WITH <{BASE}graph/cog> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
]


def test_updates_are_refused_and_change_nothing(server, published):
    before = count(server)
    assert before == published.quads
    for update in UPDATES:
        answers = [
            get(server, update=update),
            get(server, query=update),
            fetch(server + "sparql", method="POST", data=form(update=update),
                  headers={"Content-Type": "application/x-www-form-urlencoded"}),
            fetch(server + "sparql", method="POST", data=form(query=update),
                  headers={"Content-Type": "application/x-www-form-urlencoded"}),
            fetch(server + "sparql", method="POST", data=update.encode(),
                  headers={"Content-Type": "application/sparql-update"}),
            fetch(server + "sparql", method="POST", data=update.encode(),
                  headers={"Content-Type": "application/sparql-query"}),
        ]
        for status, _, body in answers:
            assert status in (400, 403), (update, status, body)
            assert b"read-only" in body or b"syntax error" in body
    assert count(server) == before
    status, _, body = get(server, query=f"ASK {{ <{BASE}id/x> ?p ?o }}")
    assert json.loads(body)["boolean"] is False


# ---- no outbound request ---------------------------------------------------------------------


class Listener:
    """A TCP listener on loopback that records every connection it gets."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections: list[bytes] = []
        self._running = True
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while self._running:
            try:
                connection, _ = self.socket.accept()
            except (socket.timeout, OSError):
                continue
            connection.settimeout(1)
            try:
                self.connections.append(connection.recv(4096))
            except OSError:
                self.connections.append(b"")
            connection.close()

    def close(self):
        self._running = False
        self._thread.join(timeout=2)
        self.socket.close()


@pytest.fixture()
def listener():
    listening = Listener()
    yield listening
    listening.close()


def service_queries(port: int) -> list[str]:
    endpoint = f"http://127.0.0.1:{port}/sparql"
    return [
        f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{endpoint}> {{ ?s ?p ?o }} }}",
        f"PREFIX remote: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE remote:sparql {{ }} }}",
        f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> {{ }} }}",
        f"PREFIX : <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICESILENT:sparql {{ }} }}",
        f"SELECT * WHERE {{ ?s ?p trueSERVICE <{endpoint}> {{ }} }}",
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1\\u003a{port}/sparql> {{ }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{endpoint}> {{ }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c FILTER(?a<?b)SERVICE<{endpoint}>#>\n{{ }} }}",
        f"SELECT * WHERE {{ BIND(<{endpoint}> AS ?e) SERVICE ?e {{ }} }}",
    ]


def assert_all_refused(url: str, listener: Listener, expected: bytes) -> None:
    for query in service_queries(listener.port):
        status, _, body = fetch(url + "sparql", method="POST", data=form(query=query),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 403, (query, status, body)
        assert expected in body, body
    time.sleep(0.5)
    assert listener.connections == []


def test_service_is_refused_and_nothing_goes_out(server, listener):
    assert_all_refused(server, listener, b"SERVICE")


def test_loopback_is_refused_even_when_allow_listed(settings, published, listener):
    allowed = f"http://127.0.0.1:{listener.port}/sparql"
    process, url = start_server(settings, env={"TERRITOIRES_SERVICE_ALLOWLIST": allowed})
    try:
        status, _, body = fetch(url + "sparql")
        assert allowed.encode() in body  # the service description names the allow-list
        status, _, body = get(url, query=f"SELECT * WHERE {{ SERVICE <{allowed}> {{ }} }}")
        assert status == 403 and b"non-public address 127.0.0.1" in body
        assert_all_refused(url, listener, b"SERVICE")
    finally:
        stop(process)


@pytest.mark.server   # starts real servers or executors
def test_executors_have_no_network(settings, published, listener):
    """Under the guard, the executors themselves cannot reach any address (when the system
    allows unprivileged network namespaces); the guard is bypassed here on purpose."""
    executors = Executors(1, isolate_network=True)
    job = Job(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}",
              True, None, None, "application/sparql-results+json", None, 10_000)
    outcome = executors.run(settings.current_build.resolve(), {}, job, 10).outcome
    if "unreachable" not in outcome.detail:
        pytest.skip(f"no network namespace on this system: {outcome}")
    assert outcome.status == "error"
    time.sleep(0.3)
    assert listener.connections == []


# ---- runaway queries -------------------------------------------------------------------------


def executor_cpu_seconds(server_pid: int) -> dict[int, float]:
    """CPU time used so far by each grandchild of the server: the executors of its workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, times = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
            times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    workers = {pid for pid, parent in parents.items() if parent == server_pid}
    return {pid: times[pid] for pid, parent in parents.items() if parent in workers}


def test_runaway_query_stops_at_the_timeout_while_others_are_served(strict):
    process, url = strict
    warm(url)
    with ThreadPoolExecutor(1) as pool:
        runaway = pool.submit(timed_get, url, query=CARTESIAN)
        time.sleep(0.5)
        fast = [timed_get(url, query=SMALL) for _ in range(3)]
        elapsed, status, body = runaway.result(timeout=TIMEOUT + 10)
    assert all(status == 200 for _, status, _ in fast)
    assert max(latency for latency, _, _ in fast) < 1.0, fast
    assert status == 503 and f"exceeded the {TIMEOUT:g} s timeout".encode() in body
    assert TIMEOUT <= elapsed < TIMEOUT + 1.5, elapsed
    # Nothing burns CPU any more: the runaway executor was killed, not left running.
    before = executor_cpu_seconds(process.pid)
    time.sleep(1.0)
    after = executor_cpu_seconds(process.pid)
    assert after, "no executor found"
    assert all(after[pid] - before.get(pid, 0) < 0.3 for pid in after), (before, after)
    assert get(url, query=SMALL)[0] == 200


def test_pathological_regex_does_not_freeze_others(strict):
    _, url = strict
    warm(url)
    regex = ("SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "
             "?label FILTER(REGEX(CONCAT(?label, ?label, ?label), \"(a+)+$\")) }")
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(timed_get, url, query=regex)
        time.sleep(0.2)
        latency, status, _ = timed_get(url, query=SMALL)
        elapsed, regex_status, _ = slow.result(timeout=TIMEOUT + 10)
    assert status == 200 and latency < 1.0
    assert regex_status in (200, 503) and elapsed < TIMEOUT + 1.5


def test_deep_nesting_is_refused_and_the_server_stays_up(server):
    for query in ("SELECT * WHERE " + "{" * 10_000 + "}" * 10_000,
                  "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
                  "SELECT * WHERE { ?s ?p " + "[ ?p " * 10_000 + "1" + " ]" * 10_000 + " }"):
        status, _, body = fetch(server + "sparql", method="POST", data=form(query=query),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 400 and b"nested too deep" in body
    assert get(server, query=SMALL)[0] == 200


@pytest.mark.server   # starts real servers or executors
def test_a_crashing_executor_is_replaced(settings, published):
    """What the depth limit guards against, should a query slip through: the parser's stack
    overflow kills only the executor, which is replaced."""
    executors = Executors(1, isolate_network=True)
    build = settings.current_build.resolve()

    def job(query: str) -> Job:
        return Job(query, True, None, None, "application/sparql-results+json", None, 10_000)

    with pytest.raises(Crashed):
        executors.run(build, {}, job("SELECT * WHERE " + "{" * 100_000 + "}" * 100_000), 30)
    assert executors.run(build, {}, job(SMALL), 30).outcome.status == "ok"


def _executors_of(arbiter: int) -> list[int]:
    """The query executor processes under a server (its workers' children spawned by
    multiprocessing)."""
    def children(pid: int) -> list[int]:   # of every thread: requests' threads spawn them
        return [int(c) for task in Path(f"/proc/{pid}/task").glob("*")
                for c in (task / "children").read_text().split()]

    found = []
    for worker in children(arbiter):
        for child in children(worker):
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"multiprocessing" in cmdline:
                found.append(child)
    return found


@pytest.mark.server   # starts real servers or executors
def test_an_executor_dying_mid_query_is_a_server_fault(settings, published):
    """Killed or out of memory while a query runs: the client gets a 5xx with a retry hint,
    not a 400 that blames its query; the next query is answered."""
    process, url = start_server(settings, "--workers", "1")
    try:
        warm(url)
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(get, url, query=CARTESIAN)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not pending.done():
                time.sleep(0.5)
                for pid in _executors_of(process.pid):
                    os.kill(pid, signal.SIGKILL)
            status, headers, body = pending.result(timeout=60)
        assert status == 503, body
        assert headers.get("Retry-After") and b"try again" in body
        assert get(url, query=SMALL)[0] == 200
    finally:
        stop(process)


# ---- limits ----------------------------------------------------------------------------------


def test_half_open_connections_do_not_block_others(strict):
    _, url = strict
    warm(url)
    port = int(urllib.parse.urlsplit(url).port)
    stalled = []
    try:
        for _ in range(50):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(b"GET /sparql?query=ASK")   # a request line that never ends
            stalled.append(connection)
        time.sleep(0.5)
        latency, status, _ = timed_get(url, query=SMALL)
        assert status == 200 and latency < 1.0, latency
    finally:
        for connection in stalled:
            connection.close()


def test_a_stalled_client_is_dropped(strict):
    """A request that never completes loses its server thread after the stall timeout."""
    from territoires.web.gunicorn import CLIENT_STALL_TIMEOUT

    _, url = strict
    port = int(urllib.parse.urlsplit(url).port)
    connection = socket.create_connection(("127.0.0.1", port), timeout=CLIENT_STALL_TIMEOUT + 5)
    try:
        connection.sendall(b"GET /sparql?query=ASK")
        started = time.monotonic()
        try:
            data = connection.recv(1024)
        except ConnectionResetError:
            data = b""
        waited = time.monotonic() - started
        assert not data.startswith(b"HTTP/1.1 200")
        assert CLIENT_STALL_TIMEOUT - 1 < waited < CLIENT_STALL_TIMEOUT + 4, waited
    finally:
        connection.close()


def test_stalled_request_bodies_do_not_block_others(strict):
    """A body announced and never sent holds a thread only until the stall timeout, and never
    all of them: the server that serves (gunicorn's threads with a socket timeout) is chosen
    for this; granian 2.8 waits for such a body for ever (bench/granian_app.py)."""
    from territoires.web.gunicorn import CLIENT_STALL_TIMEOUT

    _, url = strict
    warm(url)
    port = int(urllib.parse.urlsplit(url).port)
    stalled = [socket.create_connection(("127.0.0.1", port), timeout=CLIENT_STALL_TIMEOUT + 5)
               for _ in range(20)]
    try:
        for connection in stalled:
            connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                               b"application/sparql-query\r\nContent-Length: 100\r\n\r\nASK {")
        time.sleep(0.5)
        latency, status, _ = timed_get(url, query=SMALL)
        assert status == 200 and latency < 1.0, latency
        started = time.monotonic()
        answer = stalled[0].recv(1024)
        waited = time.monotonic() - started
        assert not answer.startswith(b"HTTP/1.1 200") and waited < CLIENT_STALL_TIMEOUT + 4
    finally:
        for connection in stalled:
            connection.close()


def test_answer_cap(strict):
    _, url = strict
    status, _, body = get(url, query="CONSTRUCT WHERE { ?s ?p ?o }")
    assert status == 422
    assert b"10,000-byte limit" in body and b"LIMIT" in body and b"dump/territoires.nt.gz" in body
    status, _, body = get(url, query="CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5")
    assert status == 200 and len(body) < 10_000


def test_size_limits(server):
    status, _, body = fetch(server + "sparql", method="POST", data=b"x" * 1_000_001,
                            headers={"Content-Type": "application/sparql-query"})
    assert status == 413 and b"1,000,000-byte limit" in body
    status, _, body = fetch(server + "sparql", method="POST",
                            data=form(query="ASK {} #" + "x" * 100_000),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413 and b"100,000" in body
    assert get(server, query=SMALL)[0] == 200
