"""Whole responses to GET requests, kept per dataset version and replayed in front of Flask.

Dereferencing a resource, following an `/id/` redirect or repeating a dashboard's SPARQL query
asks again for bytes that only the request and the published version decide. A view says so
with `keep()`; its response is then kept whole (status, headers, body) under everything that
decides it (path, query string, Accept, host and scheme, dataset version), and the next such
request is answered here without routing, negotiation or rendering: the cost of a dictionary
lookup. A new build changes the version in every key, so nothing stale is ever replayed.

HEAD and conditional requests (If-None-Match → 304) are answered from the kept GET response;
requests with a Range, and responses not marked, pass through untouched. `X-Cache: hit` marks
replayed responses. The memory is bounded (`response_cache_bytes` per worker).
"""

from __future__ import annotations

from flask import request
from werkzeug.http import parse_etags, remove_entity_headers, unquote_etag

from .published import NoBuild
from .rendering import ByteLRU

MARK = "territoires.keep_response"
KEPT_STATUSES = ("200", "303", "404")


def keep() -> None:
    """Mark the current request's response as kept whole for the next identical request (the
    view vouches that only the request and the dataset version decide it)."""
    request.environ[MARK] = True


class Whole(bytes):
    """A kept response's body, with its status line and headers."""
    status: str
    headers: list[tuple[str, str]]
    etag: str | None


class ResponseCache:
    """WSGI middleware in front of the Flask app; `published` gives the live version."""

    def __init__(self, app, published, max_bytes: int):
        self.app = app
        self.published = published
        self.kept = ByteLRU(max_bytes)

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        whole = self.kept.get(key)
        if whole is not None:
            return _replay(whole, environ, start_response)
        return self._pass_and_keep(key, environ, start_response)

    def _key(self, environ) -> tuple | None:
        method = environ["REQUEST_METHOD"]
        if method not in ("GET", "HEAD") or "HTTP_RANGE" in environ or self.kept.max_bytes <= 0:
            return None
        try:
            version = self.published.current().version
        except NoBuild:
            return None
        return (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT"),
                environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
                environ.get("SERVER_PORT"), environ["wsgi.url_scheme"], version)

    def _pass_and_keep(self, key: tuple, environ, start_response):
        started: list = []

        def capture(status, headers, exc_info=None):
            started[:] = [status, headers]
            return start_response(status, headers, exc_info)

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
        whole = Whole(b"".join(chunks))
        whole.status, whole.headers = started
        whole.etag = next((unquote_etag(v)[0] for k, v in whole.headers if k.lower() == "etag"),
                          None)
        self.kept.put(key, whole)
        return chunks


def _content_length(headers: list[tuple[str, str]]) -> int:
    value = next((v for k, v in headers if k.lower() == "content-length"), "")
    return int(value) if value.isdigit() else 1 << 62  # unknown: never kept


def _replay(whole: Whole, environ, start_response):
    headers = [(k, v) for k, v in whole.headers if k.lower() != "x-cache"]
    headers.append(("X-Cache", "hit"))
    match = environ.get("HTTP_IF_NONE_MATCH")
    if whole.etag is not None and match and parse_etags(match).contains_weak(whole.etag):
        remove_entity_headers(headers)
        start_response("304 Not Modified", headers)
        return []
    start_response(whole.status, headers)
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [bytes(whole)]
