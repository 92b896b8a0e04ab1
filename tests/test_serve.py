"""The production server itself: long keep-alive connections keep working, and a stopped
server leaves nothing behind."""

from __future__ import annotations

import http.client
import urllib.parse
import urllib.request

import pytest

from .conftest import start_server, stop


def test_a_keep_alive_connection_serves_thousands_of_requests(server):
    """The stall guard is installed once per connection, not once per request (which nested
    wrappers until a RecursionError after ~1,000 requests)."""
    parts = urllib.parse.urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    statuses = set()
    try:
        for _ in range(1500):
            connection.request("GET", "/id/epci/242500361")
            response = connection.getresponse()
            response.read()
            statuses.add(response.status)
    finally:
        connection.close()
    assert statuses == {303}


@pytest.mark.server   # starts real servers or executors
def test_a_stopped_server_leaves_no_temporary_file(settings, published, tmp_path):
    """Workers end with os._exit (no finaliser runs): their executors' spool directories and
    the shared responses are removed before."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    process, url = start_server(settings, "--workers", "2", env={"TMPDIR": str(temporary)})
    try:
        for _ in range(6):   # fresh connections reach both workers and start their executors
            query = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 30000")
            with urllib.request.urlopen(f"{url}sparql?query={query}", timeout=30) as answer:
                assert answer.status == 200 and answer.read()
        assert any(p.name.startswith("territoires-") for p in temporary.iterdir())
    finally:
        stop(process)
    assert list(temporary.iterdir()) == []


def test_a_punycode_host_is_kept_as_sent_in_links(server):
    """Links follow the host as the client sent it: a decoded Cyrillic name (`аррӏе.com`) cannot
    go in a `Link` header, which gunicorn refused (500) on /id/ and /doc/."""
    parts = urllib.parse.urlsplit(server)
    for path, status in (("/id/epci/242500361", 303), ("/doc/epci/242500361", 200)):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": "xn--80ak6aa92e.com"})
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        assert response.status == status
        assert "<http://xn--80ak6aa92e.com/doc/epci/242500361" in response.getheader("Link")
