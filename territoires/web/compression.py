"""Text answers compressed as the client accepts (`Accept-Encoding`): Brotli, else gzip, else as
they are. WSGI middleware between the whole-response cache and Flask, so that what the cache
keeps is already compressed: a document is compressed once per build and encoding, not once per
request. A streamed answer (a large SPARQL result) is compressed as it streams.

Each encoding of an answer is a representation of its own: its ETag gets the encoding as a
suffix (`"…-gzip"`), `Vary` names `Accept-Encoding`, and a conditional request naming an
encoded ETag is answered 304 like one naming the plain one.
"""

from __future__ import annotations

import gzip
import zlib

import brotli
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header, quote_etag, unquote_etag

MIN_BYTES = 860            # below this, compression saves less than the headers cost
WHOLE_BYTES = 8 << 20      # bodies up to this length are compressed whole, larger ones stream
CODINGS = ("br", "gzip")   # preferred first
_COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/xml",
                 "application/n-triples", "application/n-quads", "application/trig")
_SUFFIXES = ("+json", "+xml")


def choose(accept_encoding: str | None) -> str:
    """The encoding to answer in: the client's preferred among ours, or "identity"."""
    if not accept_encoding:
        return "identity"
    accepted = parse_accept_header(accept_encoding, Accept)
    best = max(CODINGS, key=lambda c: (accepted[c], -CODINGS.index(c)))
    return best if accepted[best] > 0 else "identity"


def compressible(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith(_COMPRESSIBLE) or media_type.endswith(_SUFFIXES)


def compress(data: bytes, coding: str) -> bytes:
    if coding == "br":
        return brotli.compress(data, quality=5)
    return gzip.compress(data, compresslevel=6, mtime=0)


def _streaming(chunks, coding: str):
    if coding == "br":
        compressor = brotli.Compressor(quality=4)
        for chunk in chunks:
            if out := compressor.process(chunk):
                yield out
        yield compressor.finish()
        return
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)   # a gzip stream
    for chunk in chunks:
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()


class Compress:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        coding = choose(environ.get("HTTP_ACCEPT_ENCODING"))
        if coding != "identity":
            _plain_validators(environ, coding)
        started: list = []

        def capture(status, headers, exc_info=None):
            started[:] = [status, headers, exc_info]
            return lambda data: None   # the write() callable: our views never use it

        body = self.app(environ, capture)
        status, headers, exc_info = started
        content_type = _header(headers, "content-type") or ""
        if not compressible(content_type):
            start_response(status, headers, exc_info)
            return body
        headers = _vary(headers)
        if coding == "identity" or _header(headers, "content-encoding") or \
                status[:3] not in ("200", "304"):
            start_response(status, headers, exc_info)
            return body
        return self._encoded(status, headers, exc_info, body, coding, environ, start_response)

    def _encoded(self, status, headers, exc_info, body, coding, environ, start_response):
        headers = _coded_etag(headers, coding)
        if status.startswith("304"):
            start_response(status, headers, exc_info)
            return body
        length = _header(headers, "content-length")
        known = length is not None and length.isdigit()
        if known and int(length) < MIN_BYTES:
            start_response(status, _coded_etag(headers, coding, undo=True), exc_info)
            return body
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Encoding", coding))
        if environ["REQUEST_METHOD"] == "HEAD":   # no body: its encoded length is not known
            start_response(status, headers, exc_info)
            return body
        if known and int(length) <= WHOLE_BYTES:
            try:
                data = compress(b"".join(body), coding)
            finally:
                if hasattr(body, "close"):
                    body.close()
            start_response(status, headers + [("Content-Length", str(len(data)))], exc_info)
            return [data]
        start_response(status, headers, exc_info)
        return _Closing(_streaming(body, coding), body)


class _Closing:
    """An iterable that closes the app's iterable after it, as WSGI requires."""

    def __init__(self, chunks, closing):
        self.chunks, self.closing = chunks, closing

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        if hasattr(self.closing, "close"):
            self.closing.close()


def _header(headers, name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _vary(headers):
    """`Vary` names Accept-Encoding: the answer depends on it, compressed or not."""
    vary = _header(headers, "vary")
    if vary and "accept-encoding" in vary.lower():
        return headers
    rest = [(k, v) for k, v in headers if k.lower() != "vary"]
    return rest + [("Vary", f"{vary}, Accept-Encoding" if vary else "Accept-Encoding")]


def _coded_etag(headers, coding: str, undo: bool = False):
    """The ETag of the encoded representation (or, with `undo`, of the plain one again)."""
    out = []
    for name, value in headers:
        if name.lower() == "etag":
            tag, weak = unquote_etag(value)
            suffix = f"-{coding}"
            tag = tag.removesuffix(suffix) if undo else tag + suffix
            value = quote_etag(tag, weak)
        out.append((name, value))
    return out


def _plain_validators(environ, coding: str) -> None:
    """A client names the ETag it holds, the encoded one: the app compares plain ones."""
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match:
        environ["HTTP_IF_NONE_MATCH"] = match.replace(f'-{coding}"', '"')
