"""Malformed chunked request bodies (issue 20): a bad chunk size, bad trailers, a bad chunk
extension, a body cut short — sent as raw bytes to the real gunicorn server on `/sparql` and
`/reconcile` — are answered 400 (or the connection closed after a 400), never 500, and the
server answers the next request."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.server

SPARQL = b"query=ASK%7B%7D"
RECONCILE = b'queries={"q0":{"query":"Besan\\u00e7on"}}'


def chunked(*chunks: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


def malformed(body: bytes) -> dict[str, bytes]:
    half = len(body) // 2
    return {
        "a chunk size that is no number": b"zz\r\n" + body + b"\r\n0\r\n\r\n",
        "a negative chunk size": b"-5\r\n" + body + b"\r\n0\r\n\r\n",
        "a chunk size of 40 digits": b"f" * 40 + b"\r\n" + body + b"\r\n0\r\n\r\n",
        "a chunk longer than its size": b"3\r\n" + body + b"\r\n0\r\n\r\n",
        "a chunk with no CRLF after it": b"%x\r\n%s0\r\n\r\n" % (len(body), body),
        "a trailer that is no header": chunked(body)[:-2] + b"not a header\r\n\r\n",
        "a trailer with a bare LF": chunked(body)[:-2] + b"X-T: 1\n\r\n",
        "a trailer of 100 kB": chunked(body)[:-2] + b"X-T: " + b"a" * 100_000 + b"\r\n\r\n",
        "a chunk extension with a bare CR": b"%x;a\rb\r\n%s\r\n0\r\n\r\n" % (len(body), body),
        "a chunk extension that is no token": b"%x;=\"\r\n%s\r\n0\r\n\r\n" % (len(body), body),
        "a chunk-size line of 100 kB never ended": b"%x;%s" % (len(body), b"a" * 100_000),
        "the last chunk missing": b"%x\r\n%s\r\n" % (half, body[:half]),
        "an empty chunk size": b"\r\n" + body + b"\r\n0\r\n\r\n",
    }


CASES = [(path, why, body) for path, valid in (("/sparql", SPARQL), ("/reconcile", RECONCILE))
         for why, body in malformed(valid).items()]


def exchange(server: str, raw: bytes) -> bytes:
    """Send `raw` on a fresh connection and read until the server closes it (or 10 s pass)."""
    parts = urlsplit(server)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)   # a body cut short ends here
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    return answer


def request(path: str, body: bytes) -> bytes:
    return (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n"
            b"Connection: close\r\n\r\n" % path.encode()) + body


def status(answer: bytes) -> int | None:
    first = answer.split(b"\r\n", 1)[0].split()
    return int(first[1]) if len(first) > 1 and first[1].isdigit() else None


@pytest.mark.parametrize("path, why, body", CASES, ids=[f"{p} {w}" for p, w, _ in CASES])
def test_a_malformed_chunked_body_is_a_400(server, path, why, body):
    answer = exchange(server, request(path, body))
    assert status(answer) == 400, (why, answer[:300])
    assert b"Traceback" not in answer


@pytest.mark.parametrize("path, body", [("/sparql", SPARQL), ("/reconcile", RECONCILE)])
def test_a_well_formed_chunked_body_is_answered(server, path, body):
    for raw in (chunked(body), chunked(body[:5], body[5:]),   # extensions are ignored
                b"%x;%s\r\n%s\r\n0\r\n\r\n" % (len(body), b"a" * 1000, body),
                b"%x;name=value\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n" % (len(body), body)):
        answer = exchange(server, request(path, raw))
        assert status(answer) == 200, answer[:300]
