"""How long the caches in front — browsers, proxies, CDNs — may keep each kind of answer, in one
place.

Every answer made from the published data is valid until the next build. A view says which
kind of answer it gives (`cacheable(kind)`); after it, `apply` writes the kind's
`Cache-Control` and, for what comes from the build, `Last-Modified` (when the build was
published), then answers a conditional GET (`If-None-Match`, `If-Modified-Since`) with 304.

| kind | what | Cache-Control |
| --- | --- | --- |
| document | /doc/, /def/, /graph/, /shapes/, VoID, DCAT, /validation | public, max-age, stale-while-revalidate, stale-if-error |
| redirect | /id/ → 303 | the same |
| page | home, dumps, query page | the same |
| lookup | /search, /reconcile, suggest, preview | the SPARQL max-age |
| sparql | /sparql GET answers, the service description | the SPARQL max-age |
| static | fingerprinted assets | a year, immutable |

Errors and answers of no kind (POST, anything unmarked) say `no-store`: nothing private or
erroneous is kept. The ages are settings (`cache_max_age`, `cache_sparql_max_age`,
`cache_stale_while_revalidate`, `cache_stale_if_error`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, request

from ...config import Settings

KIND = "territoires.cache_kind"
YEAR = 365 * 24 * 3600
FROM_THE_BUILD = ("document", "redirect", "page", "lookup", "sparql")


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
    """Say what kind of answer the current request gets (see the table above)."""
    request.environ[KIND] = kind


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
