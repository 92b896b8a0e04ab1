"""Two front ends (`territoires serve --store`) on one store (a real Oxigraph server, loaded by
`territoires publish`) behind a real nginx configured by deploy/nginx.conf; one front end is
killed — its gunicorn master and workers, SIGKILL, no goodbye — while clients keep asking. nginx
moves on to the other (`proxy_next_upstream`): every request, GET or POST, those in flight at the
kill included, is answered 200 with its own answer; none is lost."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.peers import nginx_config
from .conftest import free_port, start_server, stop
from .test_remote_store import loaded, oxigraph  # noqa: F401  (fixtures: the store, loaded)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLIENTS, REQUESTS = 4, 120          # per client: bounded load, on loopback only
KILL_AFTER = 100                    # answers received before one front end is killed

pytestmark = [pytest.mark.server,
              pytest.mark.skipif(not Path(NGINX).exists(),
                                 reason="nginx is not installed (.ci/run installs it)")]


def _descendants(pid: int) -> list[int]:
    """`pid`'s processes: a gunicorn master and its workers (and their query executors)."""
    children: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        found.append(stack.pop())
        stack.extend(children.get(found[-1], []))
    return found


def _kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL a front end and every process it started (ours: by their ids)."""
    for pid in _descendants(process.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=10)


@pytest.fixture()
def pair(loaded, settings, tmp_path):
    """Two front ends on the loaded store, nginx in front: (nginx port, the processes, ports)."""
    env = {"TERRITOIRES_PROXY_HOPS": "1"}
    started = [start_server(settings, "--store", loaded[0], "--workers", "2", env=env)
               for _ in range(2)]
    ports = [urllib.parse.urlsplit(url).port for _, url in started]
    listen = free_port()
    conf = nginx_config(ports, listen, tmp_path)
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)],
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 15
    while (_status(listen, "GET", "/sparql?query=ASK%7B%7D") or (0,))[0] != 200:
        assert nginx.poll() is None, nginx.stderr.read()
        assert time.monotonic() < deadline, "nginx did not answer"
        time.sleep(0.1)
    yield listen, [process for process, _ in started], ports, tmp_path
    nginx.terminate()
    nginx.wait(timeout=10)
    for process, _ in started:
        if process.poll() is None:
            stop(process)


def _status(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, bytes] | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    except OSError:
        return None
    finally:
        connection.close()


def _request(port: int, number: int) -> tuple[int | None, bool]:
    """Request `number`: a distinct query (never a cache hit), by GET or by POST; whether its
    answer is its own (the constant it asked for comes back)."""
    query = f"SELECT ?n WHERE {{ BIND({number} AS ?n) ?s ?p ?o }} LIMIT 1"
    accept = {"Accept": "application/sparql-results+json"}
    if number % 2:
        answer = _status(port, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                         headers=accept)
    else:
        answer = _status(port, "POST", "/sparql", urllib.parse.urlencode(
            {"query": query}).encode(), {**accept, "Content-Type":
                                         "application/x-www-form-urlencoded"})
    if answer is None:
        return None, False
    status, body = answer
    own = status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == \
        str(number)
    return status, own


def test_a_front_end_killed_under_load_loses_no_request(pair):
    listen, processes, ports, work = pair
    done, lock, killed_at = [], threading.Lock(), []

    def client(first: int) -> None:
        for number in range(first, first + REQUESTS):
            outcome = _request(listen, number)
            with lock:
                done.append((number, *outcome, bool(killed_at)))
                if len(done) == KILL_AFTER and not killed_at:
                    killed_at.append(time.monotonic())
                    _kill_hard(processes[0])

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(0, CLIENTS * REQUESTS, REQUESTS)))
    elapsed = time.monotonic() - started

    assert killed_at and processes[0].poll() is not None
    assert _status(ports[0], "GET", "/sparql?query=ASK%7B%7D") is None   # it is gone
    lost = [(n, status) for n, status, own, _ in done if status != 200 or not own]
    after = sum(1 for *_, late in done if late)
    print(f"\n{len(done)} requests ({after} after the kill) in {elapsed:.1f} s, "
          f"{len(lost)} lost")
    assert len(done) == CLIENTS * REQUESTS and after >= CLIENTS * REQUESTS - KILL_AFTER - CLIENTS
    assert lost == []
    # nginx did meet the dead front end, and moved on: its error log names it.
    log = (work / "error.log").read_text(errors="replace")
    assert f"127.0.0.1:{ports[0]}" in log and "upstream" in log
