"""The application's state, reached one way: `context()`. It holds the settings, the live
build's source and the caches, all per application (so two apps in one process share nothing).
`store()` is the live build for the current request, fixed for the whole request, and `hosts()`
maps its base onto the host the request came on."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import current_app, g, request

from ..config import Settings
from ..vocabulary.namespaces import Vocabulary
from ..store import Publication, Store
from .caching.lru import ByteLRU
from .caching.policy import Policy
from .caching.values import PerBuild
from .hosts import HostMap

KEY = "territoires"
T = TypeVar("T")


@dataclass
class Context:
    settings: Settings
    publication: Publication
    documents: ByteLRU = field(default_factory=ByteLRU)   # rendered documents
    results: ByteLRU = field(default_factory=ByteLRU)     # complete SPARQL answers
    values: PerBuild = field(default_factory=PerBuild)    # computed once per build
    policies: dict[str, Policy] = field(default_factory=dict)   # Cache-Control per kind


def context() -> Context:
    return current_app.extensions[KEY]


def store() -> Store:
    """The live build's store, the same for the whole request even if a rebuild lands."""
    if "store" not in g:
        g.store = context().publication.current()
    return g.store


def vocabulary() -> Vocabulary:
    return Vocabulary(store().base)


def hosts() -> HostMap:
    # Not `request.host_url`: werkzeug turns it into an IRI, its punycode decoded (`bücher`),
    # which a `Link` header cannot carry.
    return HostMap(store().base, f"{request.scheme}://{request.host}/")


def per_build(compute: Callable[[Store], T]) -> Callable[[Store], T]:
    """`compute(store)` once per build and per application: the value is held on the app under
    the function and the build (version and base), never in a module global."""
    @functools.wraps(compute)
    def get(live: Store) -> T:
        return context().values.get(compute, live, compute)
    return get
