"""The application factory: the settings, the live build's source and the caches on one
`Context`, the blueprints of each protocol, and the whole-response cache in front."""

from __future__ import annotations

import threading
import time

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import config
from ..config import Settings
from ..vocabulary.namespaces import Vocabulary
from ..store import Conflict, NoBuild, open_publication
from . import assets, changes, documents, errors, exports, lookup, memento, metadata, sparql
from .caching import policy
from .caching.lru import ByteLRU
from .caching.responses import ResponseCache
from .compression import Compress
from .context import KEY, Context, context, store
from .documents.entities.geography import geography
from .documents.entities.programme import programme
from .documents.labels import term_labels
from .hosts import RefuseBadHosts
from .security import SecurityHeaders
from .lookup.index import name_index
from .metadata.void import statistics


WATCH_SECONDS = 1.0


def create_app(settings: Settings | None = None) -> Flask:
    """The web front end. Refuses to start (raises `store.Conflict`) when a setting given to it
    contradicts the manifest of the build it would serve."""
    settings = settings or config.from_environment()
    app = Flask(__name__, static_folder=None)   # assets.py serves them, fingerprinted
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.jinja_env.globals["asset"] = assets.asset
    app.json.ensure_ascii = False
    publication = open_publication(settings, prefixes=lambda base: Vocabulary(base).prefixes(),
                                   prepare=lambda store: _prepare(app, store))
    app.extensions[KEY] = Context(settings, publication,
                                  results=ByteLRU(settings.result_cache_bytes),
                                  policies=policy.policies(settings))
    try:
        publication.current()      # a conflict is refused now, not at the first request
    except NoBuild:
        pass                       # answered 503 until a build is published
    _watch(publication, WATCH_SECONDS)
    for package in (sparql, documents, metadata, lookup, memento, changes, exports):
        for blueprint in package.blueprints:
            app.register_blueprint(blueprint)
    app.register_blueprint(assets.bp)
    # Outside in: the Host is checked, a kept response replayed, else Flask answers and the
    # answer is compressed (so that what is kept is compressed once).
    app.wsgi_app = RefuseBadHosts(ResponseCache(Compress(app.wsgi_app), publication,
                                                settings.response_cache_bytes,
                                                settings.response_cache_dir,
                                                settings.response_share_cpu_ms / 1000))
    if settings.proxy_hops:
        # Links point at the public host and scheme the proxy was asked for (and the host check
        # and the response cache, inside, see them).
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_prefix=hops)
    # Outermost: every answer, made by Flask, replayed or refused, gets the security headers.
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
    # Flask runs these last first: CORS, then the cache headers and 304 of the route's kind.
    for hook in AFTER_REQUEST:
        app.after_request(hook)
    errors.register(app)
    return app


def _watch(publication, seconds: float) -> None:
    """Look for a new build every `seconds`, so that it is prepared as soon as it is published
    rather than at the first request after it (which a cache in front may make rare)."""
    def look() -> None:
        while True:
            time.sleep(seconds)
            try:
                publication.current()
            except Exception:   # noqa: BLE001 — answered to the requests that meet it
                pass

    threading.Thread(target=look, daemon=True, name="territoires-watch").start()


def _prepare(app: Flask, store) -> None:
    """What a build needs before it is served, computed aside so that no request waits for it:
    the name index (seconds on the whole data), the vocabulary's labels, the statistics, the
    communes and EPCI the entity pages read, the programme's table and its maps of France (the
    home page's, the programme's and its phases')."""
    with app.app_context():
        for value in (name_index, term_labels, statistics, geography, programme):
            value(store)


def _cache_headers(response: Response) -> Response:
    """What caches in front may keep, per kind of answer (caching/policy.py)."""
    try:
        published_at = store().manifest.published_at
    except (NoBuild, Conflict):
        published_at = None
    return policy.apply(response, context().policies, published_at)


def _cors(response: Response) -> Response:
    """Every response is readable from any origin: the data is public and read-only."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Content-Location, Vary"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


# What every answer gets on its way out, whichever package made it.
AFTER_REQUEST = (_cache_headers, _cors)
