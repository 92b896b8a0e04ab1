"""Credentials given in a store's URL (`http://USER:PASS@HOST/…`), answered the way the server
asks: HTTP basic or digest (RFC 7616; Virtuoso's Graph Store Protocol asks for digest).

Nothing is sent before the server asks (a password never goes in clear text to a server that
wanted a digest); once it has, the same scheme is sent with every later request, the digest
computed by the standard library's own implementation (urllib's digest handler) from the last
challenge, its nonce counted, until the server challenges again (a stale nonce)."""

from __future__ import annotations

import base64
import threading
import urllib.request
from urllib.parse import unquote, urlsplit, urlunsplit


def without_credentials(url: str) -> str:
    """`url` with its user name and password taken out (what may be printed or logged)."""
    parts = urlsplit(url)
    if not parts.username and not parts.password:
        return url
    netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Credentials:
    """The user name and password of a URL, and the scheme its server asked for."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.url = without_credentials(url)
        self.user = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, self.url, self.user, self.password)
        self._digest = urllib.request.HTTPDigestAuthHandler(passwords)
        self._challenge: dict[str, str] | None = None
        self._basic = False
        self._lock = threading.Lock()   # the digest's nonce count is shared by the threads

    @staticmethod
    def of(url: str) -> "Credentials | None":
        return Credentials(url) if urlsplit(url).username else None

    def header(self, method: str, target: str) -> str | None:
        """The Authorization header for a request, once the server has said which scheme."""
        if self._basic:
            token = f"{self.user}:{self.password}".encode()
            return "Basic " + base64.b64encode(token).decode()
        if self._challenge is None:
            return None
        request = urllib.request.Request(self.url, method=method)
        request.selector = target   # what the digest signs: the path and query sent
        with self._lock:
            answer = self._digest.get_authorization(request, self._challenge)
        return None if answer is None else "Digest " + answer

    def challenged(self, challenges: list[str]) -> bool:
        """Learn the scheme from a 401's WWW-Authenticate headers; False if none can be met.
        (The caller answers one challenge per request: credentials refused twice are wrong.)"""
        for challenge in challenges:
            scheme, _, rest = challenge.strip().partition(" ")
            if scheme.lower() == "digest":
                fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
                self._challenge, self._basic = fields, False
                return True
            if scheme.lower() == "basic" and not self._basic:
                self._basic = True
                return True
        return False
