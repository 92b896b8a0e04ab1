"""A response's head and body leave in one send (web/gunicorn.py, OneSendResponse), on a real
socket whose messages keep their boundaries (a Unix SEQPACKET pair: one send, one message)."""

from __future__ import annotations

import socket

import pytest
from gunicorn.config import Config
from gunicorn.http.parser import RequestParser

from territoires.web.gunicorn import OneSendResponse


def exchange(request: bytes, status: str, headers: list[tuple[str, str]],
             chunks: list[bytes]) -> list[bytes]:
    """The messages the server side sends for `request`, answered with `chunks`."""
    server, client = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    with server, client:
        client.sendall(request)
        req = next(iter(RequestParser(Config(), server, ("127.0.0.1", 1))))
        response = OneSendResponse(req, server, Config())
        response.start_response(status, headers)
        for chunk in chunks:
            response.write(chunk)
        response.close()
        server.shutdown(socket.SHUT_WR)
        messages = []
        while message := client.recv(1 << 20):
            messages.append(message)
        return messages


GET = b"GET /doc/x HTTP/1.1\r\nHost: a\r\n\r\n"


def test_a_whole_answer_is_one_message():
    messages = exchange(GET, "200 OK", [("Content-Length", "5")], [b"hello"])
    assert len(messages) == 1, messages
    head, body = messages[0].split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Content-Length: 5" in head
    assert body == b"hello"


def test_a_head_request_and_a_304_send_the_head_alone():
    head = b"HEAD /doc/x HTTP/1.1\r\nHost: a\r\n\r\n"
    messages = exchange(head, "200 OK", [("Content-Length", "5")], [b"hello"])
    assert len(messages) == 1 and messages[0].endswith(b"\r\n\r\n")
    messages = exchange(GET, "304 Not Modified", [], [])
    assert len(messages) == 1 and messages[0].startswith(b"HTTP/1.1 304")


@pytest.mark.parametrize("chunks", [[b"ab", b"cd"], [b""]])
def test_a_streamed_answer_still_reaches_the_client_whole(chunks):
    messages = exchange(GET, "200 OK", [], chunks)   # no length: chunked
    whole = b"".join(messages)
    assert b"Transfer-Encoding: chunked" in whole
    body = whole.split(b"\r\n\r\n", 1)[1]
    assert body.endswith(b"0\r\n\r\n")
    assert b"".join(chunks) in body.replace(b"2\r\n", b"").replace(b"\r\n", b"")
