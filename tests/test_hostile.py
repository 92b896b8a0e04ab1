"""The hostile corpus (tests/hostile/): no route answers 500 to any of it, each answer comes
within a bounded time, and the statuses an entry expects are the ones it gets — in-process and
through a real server. The worst time is printed."""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from .hostile.http import MAX_SECONDS, REQUESTS, Hostile


def check(entry: Hostile, status: int, seconds: float) -> None:
    assert status < 500, (entry.why, status)
    assert seconds < MAX_SECONDS, (entry.why, seconds)
    if entry.expect:
        assert status in entry.expect, (entry.why, status)


def report(capsys, where: str, timings: list[tuple[float, str]]) -> None:
    worst = max(timings)
    with capsys.disabled():
        print(f"\nhostile corpus {where}: {len(timings)} requests, worst {worst[0]:.2f} s "
              f"({worst[1]})")


def test_the_corpus_in_process(app, capsys):
    timings = []
    for entry in REQUESTS:
        headers = dict(entry.headers)
        host = headers.pop("Host", None)
        environ = EnvironBuilder(entry.path, method=entry.method, headers=headers,
                                 data=entry.body, environ_overrides={"HTTP_HOST": host} if host
                                 else None).get_environ()
        started = time.monotonic()
        # The app itself, not Flask's test client: the client makes the request's URL for its
        # cookies, which fails on a Host the app must refuse.
        body, status, _ = run_wsgi_app(app, environ, buffered=True)
        b"".join(body)
        seconds = time.monotonic() - started
        check(entry, int(status.split()[0]), seconds)
        timings.append((seconds, entry.why))
    report(capsys, "in-process", timings)


@pytest.mark.server
def test_the_corpus_through_a_real_server(server, capsys):
    parts = urlsplit(server)
    timings = []
    for entry in REQUESTS:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        started = time.monotonic()
        try:
            connection.putrequest(entry.method, entry.path, skip_host="Host" in entry.headers,
                                  skip_accept_encoding=True)
            for name, value in entry.headers.items():
                connection.putheader(name, value)
            if entry.body is not None:
                connection.putheader("Content-Length", str(len(entry.body)))
            connection.endheaders(entry.body)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (ConnectionResetError, BrokenPipeError):
            status = 413   # the server refused a body too large to read, and said so first
        finally:
            connection.close()
        seconds = time.monotonic() - started
        check(entry, status, seconds)
        timings.append((seconds, entry.why))
    report(capsys, "through gunicorn", timings)
