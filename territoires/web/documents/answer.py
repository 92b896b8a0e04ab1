"""Answering for a document: the format (an extension, or negotiated from Accept), 404 and 406,
`Link` / `Content-Location` / `Vary` headers, ETag and 304, and the cache of rendered bodies.

What to describe and how to show it to people is a `Kind`'s: the routes name one, this module
asks it for the triples (`describe`) and, for HTML, for the page (`page`), and never goes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox
from flask import Response, render_template, request

from ...vocabulary import formats
from ...vocabulary.formats import Format
from ...store import Store
from ..caching.policy import cacheable
from ..caching.responses import keep
from ..context import context, hosts, store, vocabulary
from ..errors import error_response
from ..hosts import HostMap
from ..http import etag, link_header, send
from ..lookup.index import name_index
from ..lookup.nearest import nearest
from ..lookup.search import result_json


@dataclass(frozen=True)
class Target:
    """What a request asks for: a document about `iri`, at `path` under the base (without an
    extension); `thing` is where the described thing itself lives when it is not the document
    (`id/…`)."""
    iri: str
    path: str
    thing: str | None = None
    view: tuple[tuple[str, str], ...] = ()   # a page's table parameters (sort, page)


@dataclass
class Described:
    """A thing ready to render: its quads for RDF, and what its page shows."""
    quads: list[ox.Quad]
    content: object = None


class Kind(Protocol):
    def describe(self, live: Store, target: Target) -> Described | None:
        """The document's quads (None: nothing is known of it)."""

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        """The document as an HTML page, its links on the requesting host."""


def answer(target: Target, fmt: Format | None, kind: Kind,
           offers: tuple[Format, ...] = formats.DOCUMENTS) -> Response:
    """Answer for `target` in `fmt` (the format an extension named), or in the format Accept
    prefers among `offers`."""
    negotiated = fmt is None
    fmt = fmt or formats.negotiate(offers, request.accept_mimetypes)
    if fmt is None:
        names = ", ".join(f.media_type for f in offers)
        return error_response(406, f"Formats disponibles / available formats: {names}",
                              {"Vary": "Accept"})
    live = store()
    keep(share=True)  # the request and the build decide the answer, found or not
    cacheable("document")
    host = hosts()
    # Only HTML links depend on the host, and only HTML tables on the sort and page asked.
    variant = f"{host.root}{target.view}" if fmt.rdf is None else ""
    key = (target.iri, fmt.ext, live.version, live.base, variant)
    body = context().documents.get(key)
    if body is None:
        described = kind.describe(live, target)
        if described is None:
            return _not_found(target.iri, fmt, negotiated)
        body = _render(kind, described, live, target, fmt, host)
        context().documents.put(key, body)
    headers = {"Link": link_header(_links(host, target, offers))}
    if negotiated:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = f"{host.root}{target.path}.{fmt.ext}"
    return send(body, fmt, etag(live.version, target.iri, fmt.ext, variant), headers)


def _render(kind: Kind, described: Described, live: Store, target: Target, fmt: Format,
            host: HostMap) -> bytes:
    if fmt.rdf is None:
        return kind.page(described, live, target, host).encode()
    return formats.serialize(described.quads, fmt, vocabulary().prefixes())


def _links(host: HostMap, target: Target, offers: tuple[Format, ...]):
    links = [(f"{host.root}{target.path}.{f.ext}", "alternate", f.media_type) for f in offers]
    links.append((f"{host.root}{target.path}", "canonical", None))
    if target.thing is not None:
        links.append((f"{host.root}{target.thing}", "describes", None))
    return links


def not_found_page(iri: str) -> bytes:
    """A 404 page that suggests the entities nearest to what was asked (from the name index)."""
    live = store()
    index = name_index(live)
    path = iri[len(live.base):].removeprefix("id/") if iri.startswith(live.base) else ""
    suggestions = [result_json(index, n, hosts().root) for n in nearest(live, path)] \
        if path else []
    return render_template("not_found.html", iri=iri, hosts=hosts(), suggestions=suggestions,
                           path=path).encode()


def _not_found(iri: str, fmt: Format, negotiated: bool) -> Response:
    """404 in the format asked: an HTML page, or an empty (valid) RDF document."""
    if fmt.rdf is None:
        body = not_found_page(iri)
    else:
        body = ox.serialize([], format=fmt.rdf)
    response = Response(body, status=404, content_type=fmt.content_type)
    if negotiated:
        response.headers["Vary"] = "Accept"
    return response
