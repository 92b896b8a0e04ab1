"""What our answers carry: a strong validator (ETag) answered with 304 when it matches, and
`Link` headers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from flask import Response, request

from ..vocabulary.formats import Format


def link_header(links: Iterable[tuple[str, str, str | None]]) -> str:
    """A `Link` header from (url, rel, media type or None)."""
    parts = []
    for url, rel, media_type in links:
        part = f'<{url}>; rel="{rel}"'
        if media_type:
            part += f'; type="{media_type}"'
        parts.append(part)
    return ", ".join(parts)


def etag(version: str, *variant: str) -> str:
    """A strong validator: same dataset version and same variant, same bytes."""
    return hashlib.sha256("\0".join((version, *variant)).encode()).hexdigest()[:24]


def send(body: bytes, fmt: Format, tag: str, headers: dict[str, str] | None = None,
         status: int = 200) -> Response:
    """A response with its ETag, answering 304 to a matching If-None-Match (and HEAD bodiless)."""
    response = Response(body, status=status, content_type=fmt.content_type, headers=headers)
    response.set_etag(tag)
    return response.make_conditional(request)
