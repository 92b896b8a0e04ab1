"""One error response, in the format the client asked for (plain text, JSON or HTML), and the
handlers that turn exceptions into it."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from ..vocabulary import formats
from ..store import Conflict, NoBuild


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error in the format the client asked for: plain text unless it prefers JSON or HTML."""
    fmt = formats.negotiate(formats.ERRORS, request.accept_mimetypes) or formats.TEXT
    if fmt is formats.JSON:
        response = jsonify({"status": status, "error": message})
    elif fmt is formats.HTML:
        response = Response(f"<!doctype html><html lang=fr><meta charset=utf-8><title>{status}"
                            f"</title><h1>{status}</h1><p>{escape(message)}</p></html>",
                            content_type=fmt.content_type)
    else:
        response = Response(message + "\n", content_type=fmt.content_type)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def register(app: Flask) -> None:
    app.register_error_handler(NoBuild, _unavailable)
    app.register_error_handler(Conflict, _unavailable)
    app.register_error_handler(HTTPException, _http_error)


def _http_error(error: HTTPException) -> Response:
    kept = {name: value for name, value in error.get_headers() if name in ("Allow", "Retry-After")}
    return error_response(error.code or 500, error.description or error.name, kept)


def _unavailable(error: Exception) -> Response:
    """No build to serve (yet), a store that does not answer, or a build the settings refuse."""
    return error_response(503, str(error), {"Retry-After": "30"})
