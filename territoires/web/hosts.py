"""The requesting host and the canonical base: links in pages follow the host the reader
browses, while RDF bodies keep the canonical IRIs; a Host header that is not a host is refused.
Links keep the host as the client sent it (punycode stays punycode): a header value must be
ASCII, so a decoded name would be refused by the server on its way out."""

from __future__ import annotations

import re
from urllib.parse import quote


class HostMap:
    """Canonical IRIs under the base ↔ URLs on the requesting host: links must stay on the host
    the reader browses, while RDF bodies keep the canonical IRIs."""

    def __init__(self, base: str, root: str):
        self.base = base
        self.root = root

    def url(self, iri: str) -> str | None:
        """Where a link to `iri` points; None for schemes a browser should not follow from data
        (`javascript:`, `data:`…): such IRIs are shown as text."""
        if iri.startswith(self.base):
            return self.root + iri[len(self.base):]
        return iri if iri.startswith(("http://", "https://")) else None

    def local(self, iri: str) -> bool:
        return iri.startswith(self.base)

    def sparql(self, query: str, format: str = "") -> str:
        """The endpoint's URL answering `query` (in `format`, a short name, when given)."""
        named = f"&format={quote(format, safe='')}" if format else ""
        return f"{self.root}sparql?query={quote(query, safe='')}{named}"

    def query_page(self, query: str) -> str:
        return f"{self.root}requete?query={quote(query, safe='')}"


# A Host header is a DNS name or an IP literal, with an optional port (RFC 9110 § 7.2): anything
# else would end up in the links and the Location of our answers.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"   # _: container names
_HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?")


def valid_host(value: str) -> bool:
    return len(value) <= 255 and _HOST.fullmatch(value) is not None and _decodable(value)


def _decodable(value: str) -> bool:
    """Whether a name's punycode labels (`xn--…`) are punycode: werkzeug decodes them to make a
    request's URL, and an invalid one (`xn--a.example`) would fail every route that asks."""
    name = value.rsplit(":", 1)[0] if not value.startswith("[") else ""
    if "xn--" not in name.lower():
        return True
    try:
        name.encode("ascii").decode("idna")
    except UnicodeError:
        return False
    return True


class RefuseBadHosts:
    """WSGI middleware: a request whose Host header is not a host is answered 400, before any
    link is made from it."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST")
        if host is None or valid_host(host):
            return self.app(environ, start_response)
        body = b"400: the Host header is not a host name or address\n"
        start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"),
                                           ("Content-Length", str(len(body)))])
        return [body]
