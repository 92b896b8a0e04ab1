"""Which resources have a history, and the `Link` headers that lead to it (RFC 7089): written
here once, added by the answer path (web/answer.py) to every original resource that has one,
and by the TimeGate, the TimeMaps and the mementos to their own answers."""

from __future__ import annotations

from .state import years
from .times import http_date

LINK_FORMAT = "application/link-format"
# The kinds of resource that have a history (the path after id/).
KINDS = ("commune/", "commune-deleguee/", "commune-associee/", "arrondissement-municipal/",
         "epci/", "territoire/")


def has_history(path: str) -> bool:
    """Whether a thing's path (`id/…`) names a kind of resource that has a history: the thing
    itself (`id/territoire/x`), not a resource under it (its perimeter of a vintage,
    `id/territoire/x/perimetre/2023`, which is one vintage already)."""
    if not path.startswith("id/"):
        return False
    kind = next((k for k in KINDS if path[3:].startswith(k)), None)
    return kind is not None and "/" not in path[3 + len(kind):]


def original(root: str, path: str) -> list[str]:
    """What an original resource says of its history: where its TimeGate and TimeMap are (none
    for a resource of a kind without history)."""
    if not has_history(path):
        return []
    return [f'<{root}timegate/{path}>; rel="timegate"',
            f'<{root}timemap/{path}>; rel="timemap"; type="{LINK_FORMAT}"']


def mementos(root: str, path: str, years: list[int], chosen: int | None = None) -> list[str]:
    """The original, its TimeGate and TimeMap, and its mementos: all of them for the TimeMap
    (`chosen` None), else the chosen one, the first and the last."""
    links = [f'<{root}{path}>; rel="original"', *original(root, path)]
    for year in years:
        rels = ["memento"]
        if year == years[0]:
            rels.insert(0, "first")
        if year == years[-1]:
            rels.insert(0, "last")
        if chosen is None or year == chosen or len(rels) > 1:
            links.append(f'<{root}memento/{year}/{path}>; rel="{" ".join(rels)}"; '
                         f'datetime="{http_date(year)}"')
    return links


def on_a_date(live, root: str, path: str) -> dict | None:
    """What an original resource's page links to in time: its mementos (vintage → URL) and its
    TimeMap page; None for a resource without history."""
    if not has_history(path):
        return None
    found = years(live, live.base + path)
    if not found:
        return None
    return {"mementos": [(year, f"{root}memento/{year}/{path}") for year in found],
            "timemap": f"{root}timemap/{path}"}
