"""Route tables: each package lists its routes in one table (its `routes.py`), every row saying
what the route's answers may be kept for (a kind of caching/policy.py). A route cannot be
declared without its kind, so no answer goes out without the policy its route was given; a
view may still say `no_store()` (or another kind) for one answer it knows more about. A row may
also name the request headers every answer of the route depends on (`vary`), whatever the view
negotiated: they are added to its `Vary` here, never by hand in a view."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Blueprint, make_response

from .caching import policy

GET = ("GET", "HEAD")


@dataclass(frozen=True)
class Route:
    rule: str
    view: Callable
    cache: str                        # a kind of caching/policy.py (policy.NO_STORE: never kept)
    methods: tuple[str, ...] = GET
    endpoint: str | None = None       # the view's name unless said
    vary: tuple[str, ...] = ()        # request headers every answer depends on


def register(bp: Blueprint, routes: Iterable[Route]) -> None:
    """Add a package's route table to its blueprint."""
    for route in routes:
        if route.cache not in policy.KINDS:
            raise ValueError(f"{route.rule}: unknown cache kind {route.cache!r} "
                             f"(one of {', '.join(policy.KINDS)})")
        bp.add_url_rule(route.rule, route.endpoint or route.view.__name__,
                        declared(route.view, route.cache, route.vary),
                        methods=list(route.methods))


@functools.cache
def declared(view: Callable, kind: str, vary: tuple[str, ...] = ()) -> Callable:
    """`view`, saying its route's cache kind before it runs and adding the route's `vary` to its
    answer (one function per view, kind and vary, so that two rules of one endpoint share it)."""
    @functools.wraps(view)
    def run(*args, **kwargs):
        policy.cacheable(kind)
        if not vary:
            return view(*args, **kwargs)
        response = make_response(view(*args, **kwargs))
        response.vary.update(vary)
        return response

    run.cache_kind = kind   # type: ignore[attr-defined] — what tests and tools read
    return run
