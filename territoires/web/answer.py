"""The one answer path for every document the site serves — a resource, the ontology, the
shapes, VoID, DCAT, the validation report, a memento, the list of changes — each a `Kind`.

The path does, for all of them and the same way: the format (named, or negotiated by
`vocabulary/formats.py`, whose outcome says the `Vary` it implies), 406, the cache of rendered
bodies, 404, the `Link` header (the alternates, the canonical URL, what the document describes,
and, for a kind that has a history, where it is: `history`, memento/history.py),
`Content-Location`, the ETag and 304. What a route's answers may be kept for is declared with
the route (web/routing.py). What to describe and how to show it to people is the kind's: this
module asks it for the triples (`describe`), for HTML for the page (`page`), for another format
that is not RDF (JSON) for its bytes (`data`), and never goes back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox
from flask import Response, redirect, render_template

from ..vocabulary import formats
from ..vocabulary.formats import Format, Negotiated
from ..store import Store
from .caching.responses import keep
from .context import context, hosts, store, vocabulary
from .errors import error_response
from .hosts import HostMap
from .http import etag, link_header, send
from .lookup.index import name_index
from .lookup.nearest import nearest
from .lookup.search import result_json

Link = tuple[str, str, "str | None"]   # (url, rel, media type), or a link already written (str)


@dataclass(frozen=True)
class Target:
    """What a request asks for: a document about `iri`, at `path` under the base (without an
    extension); `thing` is where the described thing itself lives when it is not the document
    (`id/…`); `addressed`: each format has its own URL (`path.ext`), which the `Link` and
    `Content-Location` headers name."""
    iri: str
    path: str
    thing: str | None = None
    view: tuple[tuple[str, str], ...] = ()   # a page's table parameters (sort, page)
    addressed: bool = True


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

    # Optional: `data(described, fmt, live, target, host) -> bytes`, the document in a format
    # that is neither RDF nor HTML (JSON); `history(target, root) -> [links]`, the Link headers
    # that lead to the history of a resource that has one.


def answer(target: Target, kind: Kind, choice: Negotiated,
           headers: dict[str, str] | None = None, links: Iterable[Link | str] = ()) -> Response:
    """Answer for `target` in the format `choice` holds, with the kind's own `headers` and
    `links` (a memento's date and its neighbours) beside the path's."""
    fmt = choice.format
    if fmt is None:
        names = ", ".join(f.media_type for f in choice.offers)
        return error_response(406, f"Formats disponibles / available formats: {names}",
                              choice.vary)
    live = store()
    keep(share=True)  # the request and the build decide the answer, found or not
    host = hosts()
    # Only HTML (and JSON) links depend on the host, and only HTML tables on the sort and page.
    variant = f"{host.root}{target.view}" if fmt.rdf is None else ""
    key = (target.path, target.iri, fmt.ext, live.version, live.base, variant)
    body = context().documents.get(key)
    if body is None:
        described = kind.describe(live, target)
        if described is None:
            return _not_found(target.iri, fmt, choice)
        body = _render(kind, described, live, target, fmt, host)
        context().documents.put(key, body)
    links = [*_links(host, target, choice), *_history(kind, target, host.root), *links]
    written = {"Link": _link_header(links), **choice.vary}
    if choice.read and target.addressed:
        written["Content-Location"] = f"{host.root}{target.path}.{fmt.ext}"
    return send(body, fmt, etag(live.version, target.path, target.iri, fmt.ext, variant),
                {**written, **(headers or {})})


def see_other(location: str, kind: Kind | None = None, target: Target | None = None,
              status: int = 303, links: Iterable[Link | str] = (),
              vary: dict[str, str] | None = None) -> Response:
    """A redirect to where a thing is answered (an /id/ to its document, a TimeGate to its
    memento), with its `links` and those of its kind's history."""
    response = redirect(location, code=status)
    found = [*links, *(_history(kind, target, hosts().root) if kind and target else [])]
    if found:
        response.headers["Link"] = _link_header(found)
    response.headers.update(vary or {})
    return response


def _history(kind: Kind, target: Target, root: str) -> list[Link | str]:
    """Where the history of the thing is, for a kind that has one."""
    history = getattr(kind, "history", None)
    return list(history(target, root)) if history else []


def _render(kind: Kind, described: Described, live: Store, target: Target, fmt: Format,
            host: HostMap) -> bytes:
    if fmt.rdf is not None:
        return formats.serialize(described.quads, fmt, vocabulary().prefixes())
    if fmt is formats.HTML:
        return kind.page(described, live, target, host).encode()
    return kind.data(described, fmt, live, target, host)   # type: ignore[attr-defined]


def _links(host: HostMap, target: Target, choice: Negotiated) -> list[Link | str]:
    url = f"{host.root}{target.path}"
    links: list[Link | str] = list(choice.alternates(url)) if target.addressed else []
    links.append((url, "canonical", None))
    if target.thing is not None:
        links.append((f"{host.root}{target.thing}", "describes", None))
    return links


def _link_header(links: Iterable[Link | str]) -> str:
    """Links as (url, rel, type) and links already written, in one header."""
    links = list(links)
    written = [link for link in links if isinstance(link, str)]
    made = link_header(link for link in links if not isinstance(link, str))
    return ", ".join(filter(None, [made, *written]))


def not_found_page(iri: str) -> bytes:
    """A 404 page that suggests the entities nearest to what was asked (from the name index)."""
    live = store()
    index = name_index(live)
    path = iri[len(live.base):].removeprefix("id/") if iri.startswith(live.base) else ""
    suggestions = [result_json(index, n, hosts().root) for n in nearest(live, path)] \
        if path else []
    return render_template("not_found.html", iri=iri, hosts=hosts(), suggestions=suggestions,
                           path=path).encode()


def _not_found(iri: str, fmt: Format, choice: Negotiated) -> Response:
    """404 in the format asked: an HTML page, an empty (valid) RDF document, else in words."""
    if fmt is formats.HTML:
        body = not_found_page(iri)
    elif fmt.rdf is not None:
        body = ox.serialize([], format=fmt.rdf)
    else:
        return error_response(404, f"Ressource inconnue / unknown resource: {iri}", choice.vary)
    return Response(body, status=404, content_type=fmt.content_type, headers=choice.vary)
