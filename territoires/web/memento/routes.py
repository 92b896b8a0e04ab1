"""The TimeGate, the TimeMaps and the mementos (RFC 7089, pattern 2: the original resource
points at a distinct TimeGate), answered through the one answer path (web/answer.py): a
memento is a document kind, with its ETag, its Cache-Control and its 304."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, request

from ...vocabulary import formats
from ...vocabulary.formats import split_extension
from ...store import Store
from ..answer import Described, Target, answer, see_other
from ..context import hosts, store
from ..errors import error_response
from ..http import etag, send
from ..routing import GET, Route, register
from . import history, state, times

bp = Blueprint("memento", __name__)

LINK_FORMAT = formats.Format("link", history.LINK_FORMAT, "link-format")
OFFERS = tuple(f for f in formats.DOCUMENTS if f.rdf is not None)


class Memento:
    """A resource as vintage `year` had it (name, kind, EPCI; a territory's communes); the
    last memento of a resource that ceased also says when it ceased (`gone`)."""

    def __init__(self, year: int, gone: state.End | None = None):
        self.year = year
        self.gone = gone

    def describe(self, live: Store, target: Target) -> Described:
        return Described(state.quads(live, target.iri, self.year, self.gone))

    def page(self, described, live, target, host) -> str:
        raise AssertionError("a memento is offered in RDF only")


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
    root = hosts().root
    links = history.mementos(root, rest, years)
    links[2] = (f'<{root}timemap/{rest}>; rel="self"; type="{history.LINK_FORMAT}"; '
                f'from="{times.http_date(years[0])}"; until="{times.http_date(years[-1])}"')
    body = (",\n".join(links) + "\n").encode()
    return send(body, LINK_FORMAT, etag(store().version, "timemap", rest, root))


def memento(year: int, rest: str):
    stem, named = split_extension(rest)
    years = _years(stem)
    if year not in years:
        return error_response(404, f"pas de mémento {year} / no memento {year} for: {stem}")
    target = Target(store().base + stem, f"memento/{year}/{stem}")
    gone = state.end(store(), target.iri) if year == years[-1] else None
    links = history.mementos(hosts().root, stem, years, year)
    if gone is not None:     # RFC 5829's successor-version: what it became
        links += [f'<{hosts().url(other) or other}>; rel="successor-version"'
                  for other in gone.became]
    return answer(target, Memento(year, gone),
                  formats.choose(OFFERS, request.accept_mimetypes, named),
                  {"Memento-Datetime": times.http_date(year)}, links)


register(bp, [
    Route("/timegate/<path:rest>", timegate, "redirect"),
    Route("/timemap/<path:rest>", timemap, "document"),
    Route("/memento/<int:year>/<path:rest>", memento, "document"),
])
