"""Serving a described thing in the format a client wants: negotiation (or an explicit
extension), 404/406 answers, `Link` / `Content-Location` / `Vary` headers, ETag and 304, and the
cache of rendered bodies. The routes (linkeddata.py, metadata.py) only say what to describe."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Response, current_app, render_template

from . import error_response
from .published import Build
from .rendering import (FORMATS, ByteLRU, Format, HostMap, etag, host_root, link_header,
                        negotiate, send, serialize)
from .response_cache import keep


@dataclass
class Described:
    """One thing ready to render: its triples for RDF, and how to render its HTML page."""
    quads: list[ox.Quad]
    html: Callable[[HostMap], str]


Describer = Callable[[Build, HostMap], "Described | None"]


def territoires():
    return current_app.extensions["territoires"]


def hosts() -> HostMap:
    return HostMap(territoires().settings.base_uri, host_root())


def serve(iri: str, document_path: str, fmt: Format | None, describer: Describer,
          thing_path: str | None = None, formats: list[Format] | None = None) -> Response:
    """Answer for the document at `document_path` (host-relative, no extension) about `iri`.

    `fmt` is the format an extension named, or None to negotiate it from Accept. `thing_path`
    is where the described thing itself lives when it is not the document (`id/…`)."""
    formats = formats or list(FORMATS.values())
    negotiated = fmt is None
    fmt = fmt or negotiate(formats)
    if fmt is None:
        names = ", ".join(f.media_type for f in formats)
        response = error_response(406, f"Formats disponibles / available formats: {names}")
        response.headers["Vary"] = "Accept"
        return response
    build = territoires().published.current()
    keep(share=True)  # the request and the version decide the answer, found or not
    host = hosts()
    variant = host.root if fmt.rdf is None else ""  # only HTML links depend on the host
    key = (iri, fmt.ext, build.version, variant)
    body = _cache().get(key)
    if body is None:
        described = describer(build, host)
        if described is None:
            return _not_found(iri, fmt, negotiated)
        body = render(described, fmt, host)
        _cache().put(key, body)

    headers = {"Link": link_header(_links(host, document_path, thing_path, formats))}
    if negotiated:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = f"{host.root}{document_path}.{fmt.ext}"
    return send(body, fmt.media_type, etag(build.version, iri, fmt.ext, variant), headers)


def render(described: Described, fmt: Format, host: HostMap) -> bytes:
    if fmt.rdf is None:
        return described.html(host).encode()
    return serialize(described.quads, fmt, territoires().vocab.prefixes())


def _links(host: HostMap, document_path: str, thing_path: str | None, formats: list[Format]):
    links = [(f"{host.root}{document_path}.{f.ext}", "alternate", f.media_type) for f in formats]
    links.append((f"{host.root}{document_path}", "canonical", None))
    if thing_path is not None:
        links.append((f"{host.root}{thing_path}", "describes", None))
    return links


def _not_found(iri: str, fmt: Format, negotiated: bool) -> Response:
    """404 in the format asked: an HTML page, or an empty (valid) RDF document."""
    if fmt.rdf is None:
        body = render_template("not_found.html", iri=iri, hosts=hosts()).encode()
    else:
        body = ox.serialize([], format=fmt.rdf)
    charset = "; charset=utf-8" if fmt.media_type.startswith("text/") else ""
    response = Response(body, status=404, content_type=fmt.media_type + charset)
    if negotiated:
        response.headers["Vary"] = "Accept"
    return response


_lock = threading.Lock()


def _cache() -> ByteLRU:
    """One bounded cache per app (per worker process), created on first use."""
    extensions = current_app.extensions
    cache = extensions.get("territoires.documents")
    if cache is None:
        with _lock:
            cache = extensions.setdefault("territoires.documents", ByteLRU())
    return cache


class PerVersion:
    """A value computed once per dataset version (in this worker), e.g. the vocabulary labels or
    the VoID statistics: recomputed when a new build is published, never per request."""

    def __init__(self, compute: Callable[[Build], object]):
        self.compute = compute
        self._lock = threading.Lock()
        self._version: str | None = None
        self._value = None

    def get(self, build: Build):
        if self._version != build.version:
            with self._lock:
                if self._version != build.version:
                    self._value = self.compute(build)
                    self._version = build.version
        return self._value
