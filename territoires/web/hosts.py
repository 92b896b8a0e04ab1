"""The requesting host and the canonical base: links in pages follow the host the reader
browses, while RDF bodies keep the canonical IRIs."""

from __future__ import annotations

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

    def sparql(self, query: str) -> str:
        return f"{self.root}sparql?query={quote(query, safe='')}"

    def query_page(self, query: str) -> str:
        return f"{self.root}requete?query={quote(query, safe='')}"
