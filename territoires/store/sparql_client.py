"""The one SPARQL HTTP client: every request the project sends to a SPARQL server goes through
`SparqlClient` — the remote store's queries (`store/remote.py`), `territoires publish`'s Graph
Store Protocol writes (`store/publish.py`) and the linkers' SELECTs (`linking/`).

    client = SparqlClient("https://query.wikidata.org/sparql", user_agent("ops@example.org"),
                          timeout=60, retries=Retries(5))
    rows = client.select(text)                 # [{"item": "http://…"}, …] lexical values
    client.query(text, dataset)                # pyoxigraph solutions, boolean or triples
    client.put_graph(iri, ntriples_bytes)      # GSP: the graph replaced at once

Over the standard library's `http.client`: one keep-alive connection per thread (reopened at
once when the server closed it meanwhile), a User-Agent naming the project, its version and a
contact, a timeout per request (connect, and each read of the answer), credentials from the URL
(basic or digest, as the server asks: `http_auth.py`), and retries with exponential back-off
that honour `Retry-After` (seconds or an HTTP date) on 429 and 503, also after other 5xx
answers, timeouts and dropped connections. Errors that retrying cannot fix (a malformed query,
404, 401…) fail at once. Every error is a `SparqlError` saying what was asked of which URL.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import platform
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timezone
from typing import TypeVar
from urllib.parse import quote, urlencode, urlsplit

import pyoxigraph as ox

from ..vocabulary import formats
from .http_auth import Credentials, without_credentials

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
ANSWERS = f"{formats.RESULTS_JSON.media_type}, {formats.N_TRIPLES.media_type}"
T = TypeVar("T")


def project_version() -> str:
    try:
        from importlib.metadata import version

        return version("territoires")
    except Exception:   # not installed (running from a checkout)
        return "0.1.0"


def user_agent(contact: str = "", home: str = "", product: str = "territoires") -> str:
    """`<client>/<version> (<contact>) Python/<version>`: the form the Wikimedia User-Agent
    policy asks for (a client name, its version, a way to reach its operator). `home` is the
    site of the published graph (the base URI), `contact` an e-mail or URL of its operator."""
    reach = "; ".join(part for part in (contact, home) if part) or "no contact given"
    return f"{product}/{project_version()} ({reach}) Python/{platform.python_version()}"


class SparqlError(Exception):
    """A request that failed; `retryable` if trying again later may succeed."""

    def __init__(self, message: str, retryable: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.retryable, self.retry_after = retryable, retry_after


class Unreachable(SparqlError):
    """No connection, or one dropped before the answer came."""


class NoAnswer(SparqlError):
    """Nothing came within the timeout."""


class HttpError(SparqlError):
    """The server answered with an error status."""

    def __init__(self, message: str, status: int, detail: str, retry_after: float | None = None):
        super().__init__(message, status in RETRYABLE_STATUS, retry_after)
        self.status, self.detail = status, detail


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date (RFC 9110)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True)
class Retries:
    """How often a failing request is tried again, and how long to wait in between."""
    count: int = 0                  # further attempts after the first
    backoff: float = 2.0            # first wait; doubles on each retry
    max_backoff: float = 120.0      # cap on our own waits
    max_retry_after: float = 900.0  # a server asking for longer than this: give up instead

    def wait(self, attempt: int, failure: SparqlError) -> float:
        """Seconds before attempt `attempt + 1`; raises the failure (in words) if none is due."""
        if not failure.retryable or attempt > self.count:
            if failure.retryable and attempt > 1:
                failure.args = (f"{failure} (gave up after {attempt} attempts)",)
            raise failure
        if failure.retry_after is None:
            return min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        if failure.retry_after > self.max_retry_after:
            raise SparqlError(f"{failure}; the server asks to wait {failure.retry_after:.0f} s "
                              f"(more than {self.max_retry_after:.0f} s)") from None
        return failure.retry_after


@dataclass(frozen=True)
class Reply:
    """An answer whose headers are in; its body is read through the client."""
    status: int
    media_type: str          # without parameters, lower case
    response: http.client.HTTPResponse

    def header(self, name: str) -> str | None:
        return self.response.getheader(name)


@dataclass
class SparqlClient:
    url: str
    agent: str = field(default_factory=user_agent)
    timeout: float = 60.0
    retries: Retries = Retries()
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True)
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0               # attempts made (for progress and tests)

    def __post_init__(self):
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {without_credentials(self.url)}")
        self.credentials = Credentials.of(self.url)
        self.url = without_credentials(self.url)   # what messages name
        self._https, self._host, self._port = parts.scheme == "https", parts.hostname, parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._local = threading.local()

    # ---- the protocols ---------------------------------------------------------------------

    def post_query(self, text: str, dataset: list[tuple[str, str]] = (), accept: str = ANSWERS,
                   timeout: float | None = None) -> Reply:
        """POST a query (and its dataset) once; the reply as soon as its headers are in."""
        body = urlencode([("query", text), *dataset]).encode()
        return self.send("POST", self._path, body, {
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}, timeout)

    def query(self, text: str, dataset: list[tuple[str, str]] = (),
              timeout: float | None = None):
        """A query's answer, parsed with pyoxigraph: solutions, a boolean, or triples."""
        def once():
            reply = self.post_query(text, dataset, ANSWERS, timeout)
            return parse_answer(self.expect_ok(reply, "POST", timeout), reply, self.url)
        return self.retrying(once)

    def select(self, text: str) -> list[dict[str, str]]:
        """A SELECT's rows: each a dict of variable → lexical value (IRI or literal text)."""
        def once():
            reply = self.post_query(text, (), formats.RESULTS_JSON.media_type)
            body = self.expect_ok(reply, "POST", None)
            solutions = parse_answer(body, reply, self.url)
            if not isinstance(solutions, ox.QuerySolutions):
                raise SparqlError(f"{self.url}: the answer is not SPARQL JSON results", True)
            names = [variable.value for variable in solutions.variables]
            return [{name: row[name].value for name in names if row[name] is not None}
                    for row in solutions]
        return self.retrying(once)

    def put_graph(self, graph: str, body: bytes,
                  media_type: str = formats.N_TRIPLES.media_type) -> None:
        """Graph Store Protocol: replace the graph `graph` by `body`, at once."""
        self._graph_store("PUT", graph, body, {"Content-Type": media_type})

    def delete_graph(self, graph: str, missing_ok: bool = True) -> None:
        self._graph_store("DELETE", graph, None, {}, missing=missing_ok)

    def _graph_store(self, method: str, graph: str, body: bytes | None, headers: dict,
                     missing: bool = False) -> None:
        target = f"{self._path}{'&' if '?' in self._path else '?'}graph={quote(graph, safe='')}"

        def once():
            reply = self.send(method, target, body, headers, None)
            if not (missing and reply.status == 404):
                self.expect_ok(reply, method, None, f" <{graph}>")
            else:
                self.read_all(reply, None)
        self.retrying(once)

    # ---- one request -----------------------------------------------------------------------

    def retrying(self, once: Callable[[], T]) -> T:
        """`once()` again while it fails in a way worth retrying, as `retries` allows."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return once()
            except SparqlError as failure:
                wait = self.retries.wait(attempt, failure)
                self.log(f"  {failure}; retry {attempt}/{self.retries.count} in {wait:.1f}s")
                self.sleep(wait)

    def expect_ok(self, reply: Reply, method: str, timeout: float | None,
                  what: str = "") -> bytes:
        """The body of a 2xx reply; an `HttpError` in words for any other status."""
        body = self.read_all(reply, timeout)
        if 200 <= reply.status < 300:
            return body
        detail = " ".join(body[:500].decode("utf-8", "replace").split())
        reason = http.client.responses.get(reply.status, "")
        raise HttpError(f"{method} {self.url}{what}: HTTP {reply.status} {reason}"
                        + (f": {detail}" if detail else ""), reply.status, detail,
                        parse_retry_after(reply.header("Retry-After")))

    def send(self, method: str, target: str, body: bytes | None, headers: dict,
             timeout: float | None) -> Reply:
        """One request, answering the server's challenge for the credentials once."""
        reply = self._exchange(method, target, body, headers, timeout)
        if reply.status == 401 and self.credentials is not None and \
                self.credentials.challenged(reply.response.headers.get_all("WWW-Authenticate")
                                            or []):
            self.read_all(reply, timeout)
            reply = self._exchange(method, target, body, headers, timeout)
        return reply

    def _exchange(self, method: str, target: str, body: bytes | None, headers: dict,
                  timeout: float | None) -> Reply:
        timeout = self.timeout if timeout is None else timeout
        headers = {"User-Agent": self.agent, **headers}
        if self.credentials is not None and (auth := self.credentials.header(method, target)):
            headers["Authorization"] = auth
        for again in (False, True):
            connection = self._connection(timeout)
            reused = connection.sock is not None
            self.requests += 1
            try:
                try:
                    connection.request(method, target, body, headers)
                except (BrokenPipeError, ConnectionResetError):
                    if body is None:
                        raise
                    # The server may answer before it has read the whole body, then close
                    # (Virtuoso refusing credentials: a 401): its answer is still there to read.
                    # If it said nothing, getresponse fails as a closed connection does.
                response = connection.getresponse()
            except (TimeoutError, socket.timeout):
                self.drop()
                raise NoAnswer(f"{self.url} timed out: no answer within {timeout:g} s",
                               True) from None
            except (OSError, http.client.HTTPException) as error:
                # A kept-alive connection the server closed meanwhile: once more, afresh.
                self.drop()
                if again or not reused or \
                        not isinstance(error, (ConnectionError, http.client.BadStatusLine)):
                    raise Unreachable(f"{self.url} is unreachable (connection failed: "
                                      f"{error})", True) from None
                continue
            media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            return Reply(response.status, media_type, response)
        raise AssertionError("unreachable")

    # ---- reading answers -------------------------------------------------------------------

    def read_all(self, reply: Reply, timeout: float | None) -> bytes:
        try:
            return reply.response.read()
        except (TimeoutError, socket.timeout):
            self.drop()
            raise NoAnswer(f"{self.url} timed out: no answer within "
                           f"{self.timeout if timeout is None else timeout:g} s", True) from None
        except (OSError, http.client.HTTPException) as error:
            self.drop()
            raise Unreachable(f"{self.url} failed mid-answer: {error}", True) from None

    def read_chunk(self, reply: Reply, timeout: float, size: int = 1 << 16) -> bytes:
        """The next chunk of a reply's body within `timeout` (b"" at its end); a timeout here is
        Python's own TimeoutError, for the caller's deadline."""
        self._set_timeout(timeout)
        try:
            return reply.response.read(size)
        except (TimeoutError, socket.timeout):
            self.drop()
            raise
        except (OSError, http.client.HTTPException) as error:
            self.drop()
            raise Unreachable(f"{self.url} failed mid-answer: {error}", True) from None

    # ---- connections -----------------------------------------------------------------------

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._host, self._port, timeout=timeout)
            self._local.connection = connection
        connection.timeout = timeout
        self._set_timeout(timeout)
        return connection

    def _set_timeout(self, seconds: float) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None and connection.sock is not None:
            connection.sock.settimeout(seconds)

    def drop(self) -> None:
        """Close this thread's connection (after an error, or a reply left unread)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def parse_answer(body: bytes, reply: Reply, url: str):
    """A query's answer in SPARQL JSON results or N-Triples, as pyoxigraph's objects."""
    fmt = formats.by_media_type(reply.media_type, (formats.RESULTS_JSON, formats.N_TRIPLES))
    try:
        if fmt is formats.RESULTS_JSON:
            if b'"bnode"' in body:
                body = _blank_nodes_renamed(body)
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if fmt is formats.N_TRIPLES:
            return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as error:
        raise SparqlError(f"{url}: unreadable answer ({error})", True) from None
    raise SparqlError(f"{url} answered in an unexpected format '{reply.media_type}'", True)


def _blank_nodes_renamed(body: bytes) -> bytes:
    """SPARQL JSON results whose blank node labels are valid ones: Virtuoso names them
    `nodeID://b10001`, which no RDF syntax allows (pyoxigraph refuses them). Each label maps to
    one valid label, and two labels never to the same one (`_` and every other character that
    is neither a letter nor a digit are written as `_` and their code point in hex)."""
    results = json.loads(body)
    for row in results.get("results", {}).get("bindings", ()):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}_"
                                        for c in term["value"])
    return json.dumps(results).encode()
