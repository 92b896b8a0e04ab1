"""Security headers on every answer, whichever part of the server made it (a view, an error, the
response cache's replay, the Host check's 400): WSGI middleware, outermost.

Threat model: the data is public and read-only, so what is defended is the reader's browser.
A literal of the data, a search term or a path echoed in a page or an error could carry markup;
the templates escape it, and these headers are the second wall:

- `X-Content-Type-Options: nosniff` on every answer: a `text/plain` error echoing a request's
  markup, or a Turtle document holding `<script>`, is never sniffed into HTML or a script;
- on HTML, a strict `Content-Security-Policy`: the pages load nothing from elsewhere and run
  no inline script (the JSON-LD block is data, not run), so scripts, styles, images, fonts and
  requests are allowed from this origin only (and the query editor's two fixed <style>
  elements, by their hash), forms post here only, and no page may be framed;
- `X-Frame-Options: DENY` for browsers without `frame-ancestors`;
- `Referrer-Policy: strict-origin-when-cross-origin`: a link followed to another site tells it
  the origin, never the path and query (a SPARQL query typed in the editor).

A header the application already set is left as it is."""

from __future__ import annotations

# The query editor's results table (the column resizer in vendor/yasgui/) adds two <style>
# elements of fixed text: allowed by their SHA-256 (tests/test_security_headers.py finds them in
# the vendored script), so that no other inline style is.
EDITOR_STYLES = ("sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=",   # the table's layout
                 "sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg=")   # cursor while dragging
CSP = ("default-src 'none'; script-src 'self'; "
       f"style-src 'self' {' '.join(repr(h) for h in EDITOR_STYLES)}; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
EVERY_ANSWER = (("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "strict-origin-when-cross-origin"),
                ("X-Frame-Options", "DENY"))
HTML_ANSWER = (("Content-Security-Policy", CSP),)


def with_security_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers` with the security headers an answer of their content type lacks."""
    present = {name.lower() for name, _ in headers}
    kind = next((value for name, value in headers if name.lower() == "content-type"), "")
    wanted = EVERY_ANSWER + (HTML_ANSWER if _html(kind) else ())
    return headers + [(name, value) for name, value in wanted if name.lower() not in present]


def _html(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in ("text/html", "application/xhtml+xml")


class SecurityHeaders:
    """WSGI middleware: every answer leaves with `with_security_headers`."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            return start_response(status, with_security_headers(list(headers)), exc_info)

        return self.app(environ, start)
