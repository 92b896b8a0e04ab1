"""How a document leaves the server: its formats and their negotiation, RDF serialisation, the
mapping between canonical IRIs and the requesting host, validators (ETag), `Link` headers and a
bounded cache of rendered bodies."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
from flask import Response, request


@dataclass(frozen=True)
class Format:
    ext: str
    media_type: str
    label: str
    rdf: ox.RdfFormat | None = None  # None: the HTML page

    @property
    def quads(self) -> bool:
        """Whether the format carries the named graph of each triple."""
        return self.rdf is not None and self.rdf.supports_datasets and self.rdf != ox.RdfFormat.JSON_LD


# Offer order matters: on a tie (`*/*`, no Accept, `text/*`) the first wins. Machines that do not
# say what they want get Turtle; browsers say text/html explicitly.
FORMATS: dict[str, Format] = {f.ext: f for f in (
    Format("ttl", "text/turtle", "Turtle", ox.RdfFormat.TURTLE),
    Format("html", "text/html", "HTML"),
    Format("nt", "application/n-triples", "N-Triples", ox.RdfFormat.N_TRIPLES),
    Format("jsonld", "application/ld+json", "JSON-LD", ox.RdfFormat.JSON_LD),
    Format("rdf", "application/rdf+xml", "RDF/XML", ox.RdfFormat.RDF_XML),
    Format("nq", "application/n-quads", "N-Quads", ox.RdfFormat.N_QUADS),
    Format("trig", "application/trig", "TriG", ox.RdfFormat.TRIG),
)}
_BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS.values()}


def negotiate(formats: Iterable[Format] = FORMATS.values()) -> Format | None:
    """The format the request's Accept header prefers among `formats`; None if none is acceptable.
    A request without Accept takes the first."""
    offers = [f.media_type for f in formats]
    if not request.accept_mimetypes:
        return _BY_MEDIA_TYPE[offers[0]]
    best = request.accept_mimetypes.best_match(offers)
    return _BY_MEDIA_TYPE[best] if best else None


def split_extension(path: str) -> tuple[str, Format | None]:
    """`territoire/x.ttl` → (`territoire/x`, Turtle); a path without a known extension is kept."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in FORMATS and "/" not in ext:
        return stem, FORMATS[ext]
    return path, None


def serialize(quads: list[ox.Quad], fmt: Format, prefixes: dict[str, str]) -> bytes:
    """RDF bytes in `fmt`; triple formats drop the graph names and the duplicates they leave."""
    if fmt.quads:
        return ox.serialize(quads, format=fmt.rdf, prefixes=prefixes)
    triples = list(dict.fromkeys(q.triple for q in quads))
    options = {} if fmt.rdf == ox.RdfFormat.N_TRIPLES else {"prefixes": prefixes}
    return ox.serialize(triples, format=fmt.rdf, **options)


# --- the requesting host ----------------------------------------------------------------------

def host_root() -> str:
    """Root URL of the host the request came on (scheme, host, port, script root, '/')."""
    return request.host_url


class HostMap:
    """Canonical IRIs under the base ↔ URLs on the requesting host: links must stay on the host
    the reader browses, while RDF bodies keep the canonical IRIs."""

    def __init__(self, base: str, root: str):
        self.base = base
        self.root = root

    def url(self, iri: str) -> str | None:
        """Where a link to `iri` points; None for schemes a browser should not follow from data
        (`javascript:`, `data:`…): such IRIs are shown as text."""
        if iri.startswith(self.base):
            return self.root + iri[len(self.base):]
        return iri if iri.startswith(("http://", "https://")) else None

    def local(self, iri: str) -> bool:
        return iri.startswith(self.base)

    def sparql(self, query: str) -> str:
        return f"{self.root}sparql?query={quote(query, safe='')}"

    def query_page(self, query: str) -> str:
        return f"{self.root}requete?query={quote(query, safe='')}"


def link_header(links: Iterable[tuple[str, str, str | None]]) -> str:
    """A `Link` header from (url, rel, media type or None)."""
    parts = []
    for url, rel, media_type in links:
        part = f'<{url}>; rel="{rel}"'
        if media_type:
            part += f'; type="{media_type}"'
        parts.append(part)
    return ", ".join(parts)


def etag(version: str, *variant: str) -> str:
    """A strong validator: same dataset version and same variant, same bytes."""
    return hashlib.sha256("\0".join((version, *variant)).encode()).hexdigest()[:24]


def send(body: bytes, media_type: str, tag: str, headers: dict[str, str] | None = None,
         status: int = 200) -> Response:
    """A response with its ETag, answering 304 to a matching If-None-Match (and HEAD bodiless)."""
    charset = "; charset=utf-8" if media_type.startswith("text/") else ""
    response = Response(body, status=status, content_type=media_type + charset, headers=headers)
    response.set_etag(tag)
    return response.make_conditional(request)


# --- cache ------------------------------------------------------------------------------------

class ByteLRU:
    """A thread-safe LRU of rendered bodies bounded by their total size: dereferencing the same
    resource again costs a dictionary lookup, and memory stays bounded however many are asked."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple[bytes, int]] = OrderedDict()  # value, its weight
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def fits(self, size: int) -> bool:
        """Whether a body of `size` bytes would be kept (one huge body would evict the rest)."""
        return 0 < self.max_bytes and size <= self.max_bytes // 8

    def put(self, key: tuple, value: bytes) -> None:
        if not self.fits(len(value)):
            return
        # The key counts too: varied queries make keys as large as their small answers.
        weight = len(value) + len(repr(key))
        with self._lock:
            old = self._items.pop(key, None)
            self._size -= old[1] if old is not None else 0
            self._items[key] = (value, weight)
            self._size += weight
            while self._size > self.max_bytes:
                _, (_, evicted) = self._items.popitem(last=False)
                self._size -= evicted
