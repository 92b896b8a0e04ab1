"""The load generator: a pool of threads, each with its own keep-alive http.client connection to
127.0.0.1, cycling through an item's requests; bounded in requests AND in time; every latency
recorded. A 303 is followed on the same connection and counted as one operation."""

from __future__ import annotations

import http.client
import itertools
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from .peers import HOST
from .workloads import Request


@dataclass
class Outcome:
    concurrency: int
    requests: int = 0           # operations answered with a 2xx
    errors: int = 0             # non-2xx answers and broken connections
    timeouts: int = 0           # no answer within the client timeout
    reconnects: int = 0         # keep-alive connections closed by the server, reopened
    cache_hits: int = 0         # answers marked `X-Cache: hit` (the project's result cache)
    elapsed_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    by_request: dict[int, list[float]] = field(default_factory=dict)  # few-request items only

    def summary(self) -> dict:
        ordered = sorted(self.latencies_ms)
        return {
            "concurrency": self.concurrency,
            "requests": self.requests,
            "errors": self.errors,
            "timeouts": self.timeouts,
            "reconnects": self.reconnects,
            "cache_hits": self.cache_hits,
            "elapsed_s": round(self.elapsed_s, 3),
            "rps": round(self.requests / self.elapsed_s, 2) if self.elapsed_s > 0 else 0.0,
            "p50_ms": _percentile(ordered, 50),
            "p99_ms": _percentile(ordered, 99),
            "max_ms": round(ordered[-1], 2) if ordered else None,
            "error_samples": self.error_samples[:3],
            **({"p50_ms_by_request": [_percentile(sorted(self.by_request.get(i, [])), 50)
                                      for i in range(max(self.by_request) + 1)]}
               if self.by_request else {}),
        }


def _percentile(ordered: list[float], pct: float) -> float | None:
    if not ordered:
        return None
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[rank], 2)


class _Client:
    def __init__(self, port: int, timeout: float):
        self.port, self.timeout = port, timeout
        self.connection: http.client.HTTPConnection | None = None
        self.served = 0       # requests answered on the current connection
        self.reconnects = 0   # idle keep-alive connections the server had closed

    def _get(self, target: str, accept: str) -> tuple[int, dict, bytes]:
        """One GET; a keep-alive connection the server closed while idle is reopened and the
        (idempotent) request sent again once, as HTTP clients do (RFC 9112 §9.3.1)."""
        reused = self.connection is not None and self.served > 0
        try:
            return self._send(target, accept)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
            self.reconnects += 1
            return self._send(target, accept)

    def _send(self, target: str, accept: str) -> tuple[int, dict, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            self.served = 0
        self.connection.request("GET", target, headers={"Accept": accept})
        response = self.connection.getresponse()
        body = response.read()
        self.served += 1
        if response.will_close:
            self.close()
        return response.status, response.headers, body

    def fetch(self, request: Request) -> tuple[int, bytes, bool]:
        """(status, body, whether the answer came from a result cache)."""
        status, headers, body = self._get(request.target, request.accept)
        if request.follow and status in (301, 302, 303, 307, 308):
            location = urllib.parse.urlsplit(headers.get("Location", ""))
            target = location.path + (f"?{location.query}" if location.query else "")
            status, headers, body = self._get(target, request.accept)
        return status, body, headers.get("X-Cache", "").lower() == "hit"

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def drive(port: int, requests: list[Request], concurrency: int, max_requests: int,
          max_seconds: float, timeout: float = 30, stop_on_timeout: bool = False,
          start: int = 0) -> Outcome:
    """Send up to `max_requests` operations in at most `max_seconds` (no new request starts
    after it) from `concurrency` threads. With `stop_on_timeout`, the first timeout ends the
    run (for a peer that would otherwise queue every later request behind a slow one). The
    cycle starts at request `start`, so that successive runs ask for other constants."""
    outcome = Outcome(concurrency)
    counter = itertools.count()
    lock = threading.Lock()
    stop = threading.Event()
    started = time.perf_counter()
    deadline = started + max_seconds

    def worker() -> None:
        client = _Client(port, timeout)
        latencies, errors, timeouts, samples, indexed, hits = [], 0, 0, [], [], 0
        try:
            while not stop.is_set():
                index = next(counter)
                if index >= max_requests or time.perf_counter() >= deadline:
                    break
                position = (start + index) % len(requests)
                request = requests[position]
                began = time.perf_counter()
                try:
                    status, body, hit = client.fetch(request)
                except (TimeoutError, socket.timeout):
                    timeouts += 1
                    client.close()
                    if stop_on_timeout:
                        stop.set()
                    continue
                except (OSError, http.client.HTTPException) as error:
                    errors += 1
                    samples.append(f"{type(error).__name__}: {error}")
                    client.close()
                    continue
                latency = (time.perf_counter() - began) * 1000
                if 200 <= status < 300:
                    latencies.append(latency)
                    hits += hit
                    if per_request:
                        indexed.append((position, latency))
                else:
                    errors += 1
                    samples.append(f"HTTP {status}: {body[:200]!r}")
        finally:
            client.close()
            with lock:
                outcome.latencies_ms.extend(latencies)
                outcome.errors += errors
                outcome.timeouts += timeouts
                outcome.reconnects += client.reconnects
                outcome.cache_hits += hits
                for position, latency in indexed:
                    outcome.by_request.setdefault(position, []).append(latency)
                outcome.error_samples.extend(samples)

    per_request = len(requests) <= 20

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.elapsed_s = time.perf_counter() - started
    outcome.requests = len(outcome.latencies_ms)
    return outcome
