"""The one SPARQL HTTP client (territoires/store/sparql_client.py) against a small real HTTP
server in this process: credentials sent only once the server asks, and never shown; one
keep-alive connection per thread; retries as `Retries` says; answers that pyoxigraph alone would
refuse (Virtuoso's blank node labels) read. Against real SPARQL servers: test_linking.py
(retries, Retry-After, timeouts), test_remote_store.py, test_virtuoso.py (digest auth)."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest

from territoires.store.sparql_client import (HttpError, NoAnswer, Reply, Retries, SparqlClient,
    SparqlError, Unreachable, parse_answer)

ANSWER = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
    {"n": {"type": "literal", "value": "1"}}]}}).encode()


class Server:
    """HTTP/1.1 (keep-alive), answering SPARQL JSON; asks for basic credentials if `password`."""

    def __init__(self, password: str | None = None):
        self.seen: list[dict] = []
        self.connections: set[int] = set()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.seen.append(dict(self.headers))
                owner.connections.add(self.client_address[1])
                expected = "Basic " + base64.b64encode(f"user:{password}".encode()).decode()
                if password is not None and self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="test"')
                    self.send_header("Content-Length", "6")
                    self.end_headers()
                    self.wfile.write(b"denied")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(ANSWER)))
                self.end_headers()
                self.wfile.write(ANSWER)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def plain():
    server = Server()
    yield server
    server.close()


@pytest.fixture()
def guarded():
    server = Server(password="pa:ss@word")
    yield server
    server.close()


def test_one_keep_alive_connection_per_thread(plain):
    client = SparqlClient(f"http://127.0.0.1:{plain.port}/sparql")
    for _ in range(3):
        assert client.select("ASK {}") == [{"n": "1"}]
    assert len(plain.seen) == 3 and len(plain.connections) == 1
    assert plain.seen[0]["User-Agent"].startswith("territoires/")


def test_credentials_go_only_once_asked_and_then_with_each_request(guarded):
    client = SparqlClient(f"http://user:pa%3Ass%40word@127.0.0.1:{guarded.port}/sparql")
    assert client.select("ASK {}") == [{"n": "1"}]
    assert client.select("ASK {}") == [{"n": "1"}]
    assert [("Authorization" in headers) for headers in guarded.seen] == [False, True, True]
    assert client.url == f"http://127.0.0.1:{guarded.port}/sparql"   # no password to print


def test_wrong_credentials_fail_at_once_without_showing_them(guarded):
    client = SparqlClient(f"http://user:nope-secret@127.0.0.1:{guarded.port}/sparql",
                          retries=Retries(3, backoff=0))
    with pytest.raises(HttpError) as failure:
        client.select("ASK {}")
    assert failure.value.status == 401 and "HTTP 401" in str(failure.value)
    assert "nope-secret" not in str(failure.value)
    assert len(guarded.seen) == 2      # asked once, answered once: no retry can fix it


def test_retries_wait_as_told_then_give_up_in_words():
    retries = Retries(2, backoff=1.0, max_backoff=1.5, max_retry_after=10)
    busy = HttpError("POST http://x/: HTTP 503", 503, "")
    assert retries.wait(1, busy) == 1.0 and retries.wait(2, busy) == 1.5
    assert retries.wait(1, HttpError("HTTP 429", 429, "", retry_after=4.0)) == 4.0
    with pytest.raises(SparqlError, match="asks to wait 60 s"):
        retries.wait(1, HttpError("HTTP 429", 429, "", retry_after=60.0))
    with pytest.raises(HttpError, match=r"gave up after 3 attempts"):
        retries.wait(3, busy)
    with pytest.raises(HttpError, match="HTTP 400"):
        retries.wait(1, HttpError("HTTP 400", 400, ""))   # retrying cannot fix it


def test_a_dead_port_and_a_silent_server_are_errors_in_words():
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(NoAnswer, match=r"timed out: no answer within 0.3 s"):
            SparqlClient(f"http://127.0.0.1:{port}/sparql", timeout=0.3).select("ASK {}")
    with pytest.raises(Unreachable, match="is unreachable .connection failed"):
        SparqlClient(f"http://127.0.0.1:{port}/sparql", timeout=1).select("ASK {}")


def test_virtuoso_blank_node_labels_are_read_and_kept_apart():
    body = json.dumps({"head": {"vars": ["b"]}, "results": {"bindings": [
        {"b": {"type": "bnode", "value": "nodeID://b10001"}},
        {"b": {"type": "bnode", "value": "nodeID___b10001"}},
        {"b": {"type": "bnode", "value": "nodeID://b10001"}}]}}).encode()
    reply = Reply(200, "application/sparql-results+json", None)
    nodes = [row["b"] for row in parse_answer(body, reply, "http://x/")]
    assert all(isinstance(node, ox.BlankNode) for node in nodes)
    assert nodes[0] == nodes[2] and nodes[0] != nodes[1]


def test_a_refusal_sent_before_the_body_is_read_is_the_answer_not_a_broken_pipe():
    """Virtuoso refuses wrong credentials with a 401 as soon as it has the headers, and closes
    without reading the body: the client, still sending a graph, gets a broken pipe, and must
    report the 401 it was sent (it reported the store unreachable, after four attempts)."""
    import socket

    refusal = (b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n"
               b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port, requests = listener.getsockname()[1], []

    def refuse() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                head = b""
                while b"\r\n\r\n" not in head:
                    head += connection.recv(4096)
                requests.append(head.split(b"\r\n", 1)[0])
                connection.sendall(refusal)
                # then closed without reading the body: what is left unread makes it a reset

    threading.Thread(target=refuse, daemon=True).start()
    try:
        client = SparqlClient(f"http://user:wrong@127.0.0.1:{port}/sparql-graph-crud-auth",
                              retries=Retries(3, backoff=0), timeout=5)
        with pytest.raises(HttpError) as failure:
            client.put_graph("https://example.org/g", b"<a> <b> <c> .\n" * 1_000_000)
        assert failure.value.status == 401 and "wrong" not in str(failure.value)
        assert len(requests) == 2          # asked once, answered once, never retried
    finally:
        listener.close()
