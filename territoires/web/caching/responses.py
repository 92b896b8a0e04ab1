"""Whole responses to GET requests, kept per dataset version and replayed in front of Flask.

Dereferencing a resource, following an `/id/` redirect or repeating a dashboard's SPARQL query
asks again for bytes that only the request and the published build decide. A view says so with
`keep()`; its response is then kept whole (status, headers, body) under everything that decides
it (path, query string, Accept, the encoding chosen, host and scheme, the build's version and
base), and the next such request is answered here without routing, negotiation or rendering:
the cost of a dictionary lookup. A new build changes the version in every key, so nothing stale is ever replayed.

HEAD and conditional requests (If-None-Match → 304) are answered from the kept GET response;
requests with a Range, and responses not marked, pass through untouched. `X-Cache: hit` marks
replayed responses. The memory is bounded (`response_cache_bytes` per worker).

With a shared directory (`response_cache_dir`, which `territoires serve` makes for its workers),
a response kept with `keep(share=True)` (a rendered document) is also written there (shared.py:
a private directory, plain data, no code), so the other workers replay it instead of rendering it
again: a document is rendered once per version, not once per worker. Cheap answers stay in memory:
redirects and SPARQL answers (mostly asked once), and any document that took less CPU time to
render than `share_above` seconds (`response_share_cpu_ms`), which costs less than the file.
Each worker writes at most 4 × `response_cache_bytes`; the directories of other versions are
removed when a worker first sees a new one.
"""

from __future__ import annotations

import time
from pathlib import Path

from flask import request
from werkzeug.http import parse_date, parse_etags, remove_entity_headers, unquote_etag

from ...store import NoBuild
from ..compression import choose
from .lru import ByteLRU
from .shared import SharedResponses, Whole

MARK = "territoires.keep_response"
KEPT_STATUSES = ("200", "303", "404")
SHARED_FACTOR = 4   # bytes a worker may write to the shared directory, × its memory bound
SHARE = "share"


def keep(share: bool = False) -> None:
    """Mark the current request's response as kept whole for the next identical request (the
    view vouches that only the request and the dataset version decide it); with `share`, for
    the other workers too."""
    request.environ[MARK] = SHARE if share else True


class ResponseCache:
    """WSGI middleware in front of the Flask app; `publication` gives the live build."""

    def __init__(self, app, publication, max_bytes: int, shared_dir: str = "",
                 share_above: float = 0.0):
        self.app = app
        self.publication = publication
        self.kept = ByteLRU(max_bytes)
        self.share_above = share_above   # seconds of CPU time a shared response took
        self.shared = (SharedResponses(Path(shared_dir), SHARED_FACTOR * max_bytes)
                       if shared_dir else None)

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        whole = self.kept.get(key)
        if whole is None and self.shared is not None:
            whole = self.shared.get(key)
            if whole is not None:
                self.kept.put(key, whole)
        if whole is not None:
            return _replay(whole, environ, start_response)
        return self._pass_and_keep(key, environ, start_response)

    def _key(self, environ) -> tuple | None:
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "HEAD") or "HTTP_RANGE" in environ or self.kept.max_bytes <= 0:
            return None
        try:
            store = self.publication.current()
        except NoBuild:
            return None
        return (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT"),
                choose(environ.get("HTTP_ACCEPT_ENCODING")),
                environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
                environ.get("SERVER_PORT"), environ["wsgi.url_scheme"], store.base, store.version)

    def _pass_and_keep(self, key: tuple, environ, start_response):
        started: list = []

        def capture(status, headers, exc_info=None):
            started[:] = [status, headers]
            return start_response(status, headers, exc_info)

        began = time.thread_time()
        body = self.app(environ, capture)
        conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        if (not environ.get(MARK) or environ["REQUEST_METHOD"] != "GET" or conditional
                or not started or started[0][:3] not in KEPT_STATUSES
                or not self.kept.fits(_content_length(started[1]))):
            return body  # a streamed answer too large to keep is never read into memory
        try:
            chunks = list(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        status, headers = started
        etag = next((unquote_etag(v)[0] for k, v in headers if k.lower() == "etag"), None)
        whole = Whole(status, headers, chunks[0] if len(chunks) == 1 else b"".join(chunks), etag)
        self.kept.put(key, whole)
        if (self.shared is not None and environ[MARK] == SHARE
                and time.thread_time() - began >= self.share_above):
            self.shared.put(key, whole)
        return chunks


def _not_modified(whole: Whole, environ) -> bool:
    """The client's copy is the kept one: its ETag matches, or, when it sends none, the kept
    response is no newer than its date (RFC 9110 § 13.2.2)."""
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match:
        return whole.etag is not None and parse_etags(match).contains_weak(whole.etag)
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    if since is None:
        return False
    modified = parse_date(next((v for k, v in whole.headers if k.lower() == "last-modified"),
                               None))
    return modified is not None and modified <= since


def _content_length(headers: list[tuple[str, str]]) -> int:
    value = next((v for k, v in headers if k.lower() == "content-length"), "")
    return int(value) if value.isdigit() else 1 << 62  # unknown: never kept


def _replay(whole: Whole, environ, start_response):
    headers = [(k, v) for k, v in whole.headers if k.lower() != "x-cache"]
    headers.append(("X-Cache", "hit"))
    if _not_modified(whole, environ):
        remove_entity_headers(headers)
        start_response("304 Not Modified", headers)
        return []
    start_response(whole.status, headers)
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [whole.body]
