"""How long the caches in front — browsers, proxies, CDNs — may keep each kind of answer, in one
place.

Every answer made from the published data is valid until the next build. The route says which
kind of answer it gives: each row of a package's route table carries its kind (web/routing.py),
set before the view runs; a view that knows more of one answer may change it (`cacheable`,
`no_store`: a SPARQL query that reaches another endpoint). After it, `apply` writes the kind's
`Cache-Control` and, for what comes from the build, `Last-Modified` (when the build was
published), then answers a conditional GET (`If-None-Match`, `If-Modified-Since`) with 304.

| kind | what | Cache-Control |
| --- | --- | --- |
| document | /doc/, /def/, /graph/, /shapes/, VoID, DCAT, /validation, mementos, TimeMaps, /changes | public, max-age, stale-while-revalidate, stale-if-error |
| redirect | /id/ → 303, TimeGate → 302 | the same |
| page | home, dumps, query page, crawlers' files | the same |
| lookup | /search, /reconcile, suggest, preview | the SPARQL max-age |
| sparql | /sparql GET answers, the service description | the SPARQL max-age |
| static | fingerprinted assets | a year, immutable |
| no-store | what must never be kept (POST-only routes) | no-store |

Errors, POST answers and answers of no kind (a request no route took) say `no-store`: nothing
private or erroneous is kept. The ages are settings (`cache_max_age`, `cache_sparql_max_age`,
`cache_stale_while_revalidate`, `cache_stale_if_error`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, request

from ...config import Settings

KIND = "territoires.cache_kind"
YEAR = 365 * 24 * 3600
FROM_THE_BUILD = ("document", "redirect", "page", "lookup", "sparql")
NO_STORE = "no-store"
KINDS = (*FROM_THE_BUILD, "static", NO_STORE)   # what a route may declare


@dataclass(frozen=True)
class Policy:
    max_age: int
    stale_while_revalidate: int = 0
    stale_if_error: int = 0
    immutable: bool = False

    @property
    def header(self) -> str:
        parts = ["public", f"max-age={self.max_age}"]
        if self.stale_while_revalidate:
            parts.append(f"stale-while-revalidate={self.stale_while_revalidate}")
        if self.stale_if_error:
            parts.append(f"stale-if-error={self.stale_if_error}")
        if self.immutable:
            parts.append("immutable")
        return ", ".join(parts)


def policies(settings: Settings) -> dict[str, Policy]:
    swr, sie = settings.cache_stale_while_revalidate, settings.cache_stale_if_error
    build = Policy(settings.cache_max_age, swr, sie)
    short = Policy(settings.cache_sparql_max_age, swr, sie)
    return {"document": build, "redirect": build, "page": build, "lookup": short,
            "sparql": short, "static": Policy(YEAR, immutable=True)}


def cacheable(kind: str) -> None:
    """Say what kind of answer the current request gets (see the table above): the route's
    table does it for every request; a view only to change it for one answer."""
    request.environ[KIND] = kind


def no_store() -> None:
    """This answer must not be kept, whatever its route's kind."""
    cacheable(NO_STORE)


def apply(response: Response, table: dict[str, Policy], published_at: float | None) -> Response:
    """The kind's headers on a response, and 304 to a matching conditional GET."""
    kind = request.environ.get(KIND)
    if response.status_code >= 400 or kind not in table or request.method not in ("GET", "HEAD"):
        response.headers["Cache-Control"] = "no-store"
        return response
    response.headers["Cache-Control"] = table[kind].header
    if kind in FROM_THE_BUILD and published_at:
        response.last_modified = int(published_at)
    if response.status_code == 200:
        return response.make_conditional(request)
    return response
