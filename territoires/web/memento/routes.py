"""The TimeGate, the TimeMaps and the mementos (RFC 7089, pattern 2: the original resource
points at a distinct TimeGate), answered through the one answer path (web/answer.py): a
memento and a TimeMap are document kinds, with their ETag, their Cache-Control, their 304 and
the cache of rendered bodies; each has a page for people (HTML, negotiated) beside its RDF or
its link-format."""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox
from flask import Blueprint, render_template, request

from ...vocabulary import formats
from ...vocabulary.formats import split_extension
from ...store import Store
from ..answer import Described, Target, answer, see_other
from ..context import context, hosts, store
from ..errors import error_response
from ..hosts import HostMap
from ..routing import Route, register
from . import history, state, times
from .page import Links, memento_page, timemap_page

bp = Blueprint("memento", __name__)

LINK_FORMAT = formats.Format("link", history.LINK_FORMAT, "link-format")
OFFERS = formats.DOCUMENTS                   # Turtle first, then the page for people
TIMEMAP_OFFERS = (LINK_FORMAT, formats.HTML)  # link-format unless a browser asks for HTML


class Memento:
    """A resource as vintage `year` had it (name, kind, EPCI; an EPCI's or a territory's
    communes); the last memento of a resource that ceased also says when it ceased. `gone`:
    when it ceased (None: it exists), which its page says whatever the vintage."""

    def __init__(self, year: int, gone: state.End | None = None, last: bool = False):
        self.year, self.gone, self.last = year, gone, last

    def describe(self, live: Store, target: Target) -> Described:
        found = _history(live, target.iri)
        snapshot = found.at(self.year, self.gone if self.last else None)
        return Described(state.quads(snapshot, live.base), found)

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        shown = memento_page(live, described.content, self.year, self.gone,
                             Links(host.root, live.base))
        return render_template("memento.html", page=shown, hosts=host, formats=OFFERS,
                               document_path=target.path, version=live.version)


class TimeMap:
    """Every memento of a resource: application/link-format for clients, a page for people."""

    def __init__(self, gone: state.End | None):
        self.gone = gone

    def describe(self, live: Store, target: Target) -> Described:
        return Described([], _history(live, target.iri))

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        shown = timemap_page(described.content, self.gone, Links(host.root, live.base))
        return render_template("timemap.html", page=shown, hosts=host, version=live.version)

    def data(self, described: Described, fmt: formats.Format, live: Store, target: Target,
             host: HostMap) -> bytes:
        found, root = described.content, host.root
        rest = target.path.removeprefix("timemap/")
        years = list(found.years)
        links = history.mementos(root, rest, years)
        links[2] = (f'<{root}timemap/{rest}>; rel="self"; type="{history.LINK_FORMAT}"; '
                    f'from="{times.http_date(years[0])}"; until="{times.http_date(years[-1])}"')
        return (",\n".join(links) + "\n").encode()


def _history(live: Store, iri: str) -> state.History:
    """The resource's history, read once per build: its mementos in every format and its
    TimeMap are sliced from it."""
    key = ("history", iri, live.version, live.base)
    found = context().documents.get(key)
    if found is None:
        found = state.History.read(live, iri)
        context().documents.put(key, found)
    return found


def _years(rest: str) -> list[int]:
    """The resource's vintages; empty for an IRI that names nothing with a history."""
    if not history.has_history(rest):
        return []
    try:
        iri = ox.NamedNode(store().base + rest).value
    except ValueError:
        return []
    return state.years(store(), iri)


def _no_history(rest: str):
    return error_response(404, f"pas d'historique / no history for: {rest}")


def timegate(rest: str):
    years = _years(rest)
    if not years:
        return _no_history(rest)
    gone = state.end(store(), store().base + rest)
    try:
        chosen = times.negotiate(years, request.headers.get(times.HEADER),
                                 gone.since if gone else None)
    except times.BadDatetime as error:
        return error_response(400, str(error))
    root = hosts().root
    links = history.mementos(root, rest, years, chosen.year)
    if chosen.gone:
        # It no longer existed at that date: no memento is what it was then. The original
        # says so (ti:EntiteDisparue, when it ceased, what it became); its last memento is
        # linked (rel="last memento"), and it says when it ceased too.
        return see_other(f"{root}{rest}", status=302, links=links, vary=chosen.vary)
    return see_other(f"{root}memento/{chosen.year}/{rest}", status=302, links=links,
                     vary=chosen.vary)


def timemap(rest: str):
    years = _years(rest)
    if not years:
        return _no_history(rest)
    # One URL for both (`?format=link` names the link-format): no alternates per format.
    choice = formats.choose(TIMEMAP_OFFERS, request.accept_mimetypes,
                            LINK_FORMAT if request.args.get("format") == "link" else None)
    if choice.format is None and choice.read:   # Memento clients were never refused: link-format
        choice = replace(choice, format=LINK_FORMAT)
    return answer(Target(store().base + rest, f"timemap/{rest}", thing=rest, addressed=False),
                  TimeMap(state.end(store(), store().base + rest)), choice)


def memento(year: int, rest: str):
    stem, named = split_extension(rest)
    years = _years(stem)
    if year not in years:
        return error_response(404, f"pas de mémento {year} / no memento {year} for: {stem}")
    target = Target(store().base + stem, f"memento/{year}/{stem}")
    gone, last = state.end(store(), target.iri), year == years[-1]
    links = history.mementos(hosts().root, stem, years, year)
    if gone is not None and last:     # RFC 5829's successor-version: what it became
        links += [f'<{hosts().url(other) or other}>; rel="successor-version"'
                  for other in gone.became]
    return answer(target, Memento(year, gone, last),
                  formats.choose(OFFERS, request.accept_mimetypes, named),
                  {"Memento-Datetime": times.http_date(year)}, links)


register(bp, [
    Route("/timegate/<path:rest>", timegate, "redirect"),
    Route("/timemap/<path:rest>", timemap, "document"),
    Route("/memento/<int:year>/<path:rest>", memento, "document"),
])
