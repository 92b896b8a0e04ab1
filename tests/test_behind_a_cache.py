"""Two instances of the server behind a real nginx cache, configured by the recipe shipped in
deploy/nginx.conf: repeated dereferences and queries are answered by nginx, compressed and plain
clients both get correct bodies, a rebuild is visible through the cache within the max-age, and
no answer mixes two versions."""

from __future__ import annotations

import gzip
import http.client
import re
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from bench.peers import nginx_config
from territoires.build.pipeline import build

from .conftest import (copy_with_extra_source, free_port, organisation_turtle, serve_copy,
                       settings_for, start_server, stop)

MAX_AGE = 2
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(),
                                reason="nginx is not installed (.ci/run installs it)")


def get(port: int, path: str, **headers) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def behind(settings, published, tmp_path_factory):
    """Two servers on one output directory (which a test may rebuild), nginx in front."""
    root = tmp_path_factory.mktemp("behind")
    env = {"TERRITOIRES_PROXY_HOPS": "1", "TERRITOIRES_CACHE_MAX_AGE": str(MAX_AGE),
           "TERRITOIRES_CACHE_SPARQL_MAX_AGE": str(MAX_AGE),
           "TERRITOIRES_CACHE_STALE_WHILE_REVALIDATE": "0"}
    private, first, first_url = serve_copy(settings, root, "--workers", "1", env=env)
    second, second_url = start_server(private, "--workers", "1", env=env)
    ports = [urllib.parse.urlsplit(url).port for url in (first_url, second_url)]
    listen = free_port()
    work = root / "nginx"
    work.mkdir()
    conf = nginx_config(ports, listen, work)
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(work)],
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 15
    while True:
        try:
            get(listen, "/sparql?query=ASK%7B%7D")
            break
        except OSError:
            assert nginx.poll() is None, nginx.stderr.read()
            assert time.monotonic() < deadline, "nginx did not answer"
            time.sleep(0.1)
    yield listen, private, root
    nginx.terminate()
    nginx.wait(timeout=10)
    for process in (first, second):
        stop(process)


def test_repeated_requests_are_answered_by_the_cache(behind):
    port, _, _ = behind
    paths = [("/doc/epci/242500361", "text/turtle"), ("/id/commune/25056", "text/html"),
             ("/sparql?" + urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) "
                                                   "WHERE { ?s a ?c }"}),
              "application/sparql-results+json"),
             ("/doc/commune/25056", "text/html")]
    statuses = []
    for path, accept in paths * 5:
        status, headers, _ = get(port, path, Accept=accept)
        assert status in (200, 303), (path, status, _)
        statuses.append(headers["x-cache-status"])
    hits = statuses.count("HIT") / len(statuses)
    print(f"\nbehind nginx: {statuses.count('HIT')} hits of {len(statuses)} ({hits:.0%})")
    assert statuses[len(paths):].count("HIT") >= len(statuses) - 2 * len(paths)


def test_compressed_and_plain_clients_both_get_the_right_body(behind):
    port, _, _ = behind
    for _ in range(2):   # from the origin, then from the cache
        _, plain_headers, plain = get(port, "/doc/epci/242500361", Accept="text/turtle")
        _, headers, body = get(port, "/doc/epci/242500361", Accept="text/turtle",
                               Accept_Encoding="gzip")
        assert "content-encoding" not in plain_headers and plain.startswith(b"@prefix")
        assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == plain


def test_a_rebuild_is_visible_through_the_cache_within_the_max_age(behind, settings):
    port, private, root = behind
    _, _, before = get(port, "/dump/", Accept="application/json")
    assert get(port, "/dump/", Accept="application/json")[1]["x-cache-status"] == "HIT"
    copy_with_extra_source(settings, root, "essai", "Essai", organisation_turtle("Essai nginx"))
    new = build(settings_for(root, private.output_dir)).version
    started, seen = time.monotonic(), {}
    while True:
        status, headers, body = get(port, "/", Accept="text/html")
        version = re.search(rb"version <code>([0-9a-f]{16})</code>", body).group(1).decode()
        # One answer, one version: the validator and the body never disagree.
        assert seen.setdefault(headers["etag"], version) == version
        if version == new:
            break
        # The max-age, and the moments the origin takes to see the new build and prepare it.
        assert time.monotonic() - started < MAX_AGE + 2.5, "the new build is not visible"
        time.sleep(0.2)
    print(f"\nthe new build was visible through nginx after {time.monotonic() - started:.1f} s")
