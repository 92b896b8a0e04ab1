"""A resilient SPARQL client over SPARQLWrapper: a descriptive User-Agent, a timeout per request,
and retries with exponential back-off that honour `429 Too Many Requests` / `503` with
`Retry-After` (seconds or an HTTP date), other 5xx answers, timeouts and dropped connections.

    client = SparqlClient("https://query.wikidata.org/sparql", user_agent(contact="…"))
    rows = client.select(query_text)     # [{"item": "http://…"}, …]

Only SELECT is used; every row is a dict of variable → lexical value (IRI or literal text).
Errors that retrying cannot fix (a malformed query, 404, 401…) are raised at once as
`SparqlError`; a request still failing after `retries` attempts raises `SparqlError` too.
"""

from __future__ import annotations

import email.utils
import http.client
import platform
import socket
import sys
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timezone

from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper import __version__ as SPARQLWRAPPER_VERSION
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, SPARQLWrapperException

RETRYABLE_STATUS = {429, 500, 502, 503, 504}


def project_version() -> str:
    try:
        from importlib.metadata import version

        return version("territoires")
    except Exception:   # not installed (running from a checkout)
        return "0.1.0"


def user_agent(contact: str = "", home: str = "") -> str:
    """`<client>/<version> (<contact>) <library>/<version>`: the form the Wikimedia User-Agent
    policy asks for (a client name, its version, a way to reach its operator). `home` is the
    site of the published graph (the base URI), `contact` an e-mail or URL of its operator."""
    reach = "; ".join(part for part in (contact, home) if part) or "no contact given"
    return (f"territoires-linker/{project_version()} ({reach}) "
            f"SPARQLWrapper/{SPARQLWRAPPER_VERSION} Python/{platform.python_version()}")


class SparqlError(Exception):
    """A query that failed for good (after the retries, or at once if retrying cannot help)."""


class Transient(Exception):
    """One failed attempt worth retrying; `retry_after` is the server's wish, in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


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


@dataclass
class SparqlClient:
    endpoint: str
    agent: str = field(default_factory=user_agent)
    timeout: float = 60.0           # seconds, per request (connect, and each read of the answer)
    retries: int = 5                # further attempts after the first
    backoff: float = 2.0            # first wait; doubles on each retry
    max_backoff: float = 120.0      # cap on our own waits
    max_retry_after: float = 900.0  # a server asking for longer than this: give up instead
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True)
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0               # attempts made (for progress and tests)

    def select(self, query: str) -> list[dict[str, str]]:
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(query)
            except Transient as failure:
                if attempt > self.retries:
                    raise SparqlError(f"{self.endpoint}: {failure.reason} "
                                      f"(gave up after {attempt} attempt(s))") from None
                if failure.retry_after is not None:
                    if failure.retry_after > self.max_retry_after:
                        raise SparqlError(f"{self.endpoint}: {failure.reason}, server asks to wait "
                                          f"{failure.retry_after:.0f}s (more than "
                                          f"{self.max_retry_after:.0f}s)") from None
                    wait = failure.retry_after
                else:
                    wait = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                self.log(f"  {failure.reason}; retry {attempt}/{self.retries} in {wait:.1f}s")
                self.sleep(wait)

    def _once(self, query: str) -> list[dict[str, str]]:
        wrapper = SPARQLWrapper(self.endpoint, agent=self.agent, returnFormat=JSON)
        wrapper.setMethod(POST)   # VALUES blocks make long queries; POST has no URL limit
        # setTimeout() truncates to whole seconds (0.5 → 0: no timeout at all); the attribute
        # is what urlopen() receives.
        wrapper.timeout = self.timeout
        wrapper.setQuery(query)
        self.requests += 1
        try:
            result = wrapper.query()
            data = result.convert()   # reads the body: a stall here is a timeout too
        except urllib.error.HTTPError as error:
            if error.code in RETRYABLE_STATUS:
                raise Transient(f"HTTP {error.code}",
                                parse_retry_after(error.headers.get("Retry-After"))) from None
            raise SparqlError(f"{self.endpoint}: HTTP {error.code} {error.reason}") from None
        except EndPointInternalError as error:          # SPARQLWrapper's name for HTTP 500
            raise Transient(f"HTTP 500 ({_short(error)})") from None
        except SPARQLWrapperException as error:          # 400, 401, 404, 414: retrying won't help
            raise SparqlError(f"{self.endpoint}: {_short(error)}") from None
        except (TimeoutError, socket.timeout):
            raise Transient(f"timed out after {self.timeout:g}s") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise Transient(f"timed out after {self.timeout:g}s") from None
            raise Transient(f"connection failed ({error.reason})") from None
        except (ConnectionError, http.client.HTTPException) as error:
            raise Transient(f"connection failed ({type(error).__name__}: {error})") from None
        except ValueError as error:                      # the body is not JSON
            raise Transient(f"unreadable answer ({error})") from None
        if not isinstance(data, dict) or "results" not in data:
            raise Transient("answer is not SPARQL JSON results")
        return [{name: cell["value"] for name, cell in row.items()}
                for row in data["results"]["bindings"]]


def _short(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 300 else text[:300] + "…"
