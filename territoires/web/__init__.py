"""The web front end: a Flask app built by `create_app`, stateless apart from read-only caches,
so several instances can stand behind a load balancer."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import config
from ..config import Settings
from ..namespaces import Vocabulary
from .published import NoBuild, open_published
from .response_cache import ResponseCache

log = logging.getLogger(__name__)


class Territoires:
    """What every view needs, kept on `app.extensions["territoires"]`."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.vocab = Vocabulary(settings.base_uri)
        self.published = open_published(settings)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or config.from_environment()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False
    app.extensions["territoires"] = Territoires(settings)

    from . import linkeddata, metadata, pages, reconcile, search, sparql

    for module in (sparql, linkeddata, metadata, pages, search, reconcile):
        app.register_blueprint(module.bp)

    app.wsgi_app = ResponseCache(app.wsgi_app, app.extensions["territoires"].published,
                                 settings.response_cache_bytes, settings.response_cache_dir)
    if settings.proxy_hops:
        # Links point at the public host and scheme the proxy was asked for (and the response
        # cache, inside, keys on them).
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_prefix=hops)
    app.after_request(_cors)
    app.register_error_handler(NoBuild, _no_build)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _cors(response: Response) -> Response:
    """Every response is readable from any origin: the data is public and read-only."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Content-Location, Vary"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def error_response(status: int, message: str) -> Response:
    """An error in the format the client asked for: JSON, HTML or plain text."""
    best = request.accept_mimetypes.best_match(["text/plain", "application/json", "text/html"],
                                               default="text/plain")
    if best == "application/json":
        response = jsonify({"status": status, "error": message})
    elif best == "text/html":
        from markupsafe import escape
        response = Response(f"<!doctype html><html lang=fr><meta charset=utf-8><title>{status}"
                            f"</title><h1>{status}</h1><p>{escape(message)}</p></html>",
                            mimetype="text/html")
    else:
        response = Response(message + "\n", mimetype="text/plain")
    response.status_code = status
    return response


def _http_error(error: HTTPException) -> Response:
    response = error_response(error.code or 500, error.description or error.name)
    for name in ("Allow", "Retry-After"):
        if error.get_headers() and (value := dict(error.get_headers()).get(name)):
            response.headers[name] = value
    return response


def _no_build(error: NoBuild) -> Response:
    response = error_response(503, str(error))
    response.headers["Retry-After"] = "30"
    return response
