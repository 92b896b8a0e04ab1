"""Every format the project reads, writes or negotiates, in one table, and the one negotiation.

A `Format` says what a client may call it (its extension, its media type and the aliases clients
send), what the W3C calls it (the format IRI of the SPARQL service description), how the engine
writes it (pyoxigraph's RDF or query-results format) and how the EU names it (DCAT file types).
The lists below are offers: their order matters, since a client that states no preference
(no Accept, `*/*`, equal qualities) gets the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

W3C = "http://www.w3.org/ns/formats/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Format:
    ext: str                            # the document extension, also a short name
    media_type: str
    label: str
    aliases: tuple[str, ...] = ()       # other media types clients send for it
    w3c: str | None = None              # W3C format IRI (SPARQL service description)
    rdf: ox.RdfFormat | None = None     # the engine's RDF serializer, if it is RDF
    results: ox.QueryResultsFormat | None = None  # the engine's results serializer
    eu_file_type: str | None = None     # EU file-type authority code (DCAT distributions)

    @property
    def quads(self) -> bool:
        """Whether the format carries the named graph of each triple (JSON-LD could, but our
        documents use it for plain triples, as its readers expect)."""
        return (self.rdf is not None and self.rdf.supports_datasets
                and self.rdf != ox.RdfFormat.JSON_LD)

    @property
    def content_type(self) -> str:
        """The Content-Type header: text formats say their charset."""
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith("text/") else "")

    def accepts(self, media_type: str) -> bool:
        return media_type == self.media_type or media_type in self.aliases


TURTLE = Format("ttl", "text/turtle", "Turtle", ("application/turtle", "application/x-turtle"),
                W3C + "Turtle", ox.RdfFormat.TURTLE, eu_file_type="RDF_TURTLE")
N_TRIPLES = Format("nt", "application/n-triples", "N-Triples", (), W3C + "N-Triples",
                   ox.RdfFormat.N_TRIPLES, eu_file_type="RDF_N_TRIPLES")
N_QUADS = Format("nq", "application/n-quads", "N-Quads", (), W3C + "N-Quads",
                 ox.RdfFormat.N_QUADS, eu_file_type="RDF_N_QUADS")
TRIG = Format("trig", "application/trig", "TriG", (), W3C + "TriG", ox.RdfFormat.TRIG,
              eu_file_type="RDF_TRIG")
JSON_LD = Format("jsonld", "application/ld+json", "JSON-LD", ("application/x-json+ld",),
                 W3C + "JSON-LD", ox.RdfFormat.JSON_LD, eu_file_type="JSON_LD")
RDF_XML = Format("rdf", "application/rdf+xml", "RDF/XML", (), W3C + "RDF_XML",
                 ox.RdfFormat.RDF_XML, eu_file_type="RDF_XML")
HTML = Format("html", "text/html", "HTML", eu_file_type="HTML")
JSON = Format("json", "application/json", "JSON", eu_file_type="JSON")
TEXT = Format("txt", "text/plain", "text", eu_file_type="TXT")
JAVASCRIPT = Format("js", "application/javascript", "JavaScript")
GZIP = Format("gz", "application/gzip", "gzip", ("application/x-gzip",), eu_file_type="GZIP")

RESULTS_JSON = Format("srj", "application/sparql-results+json", "SPARQL JSON",
                      ("application/json",), W3C + "SPARQL_Results_JSON",
                      results=ox.QueryResultsFormat.JSON, eu_file_type="JSON")
RESULTS_XML = Format("srx", "application/sparql-results+xml", "SPARQL XML", (),
                     W3C + "SPARQL_Results_XML", results=ox.QueryResultsFormat.XML,
                     eu_file_type="XML")
CSV = Format("csv", "text/csv", "CSV", (), W3C + "SPARQL_Results_CSV",
             results=ox.QueryResultsFormat.CSV, eu_file_type="CSV")
TSV = Format("tsv", "text/tab-separated-values", "TSV", (), W3C + "SPARQL_Results_TSV",
             results=ox.QueryResultsFormat.TSV, eu_file_type="TSV")
# A page's table as a spreadsheet (web/exports/).
XLSX = Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "XLSX", eu_file_type="XLSX")

# Documents (/doc/…, /def/…, VoID, DCAT): machines that say nothing get Turtle; browsers say
# text/html explicitly.
DOCUMENTS: tuple[Format, ...] = (TURTLE, HTML, N_TRIPLES, JSON_LD, RDF_XML, N_QUADS, TRIG)
# Answers of SELECT and ASK, then of CONSTRUCT and DESCRIBE (the first of each is the default).
RESULTS: tuple[Format, ...] = (RESULTS_JSON, RESULTS_XML, CSV, TSV)
GRAPHS: tuple[Format, ...] = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, N_QUADS, TRIG)
# Pages that are lists (search, dumps) and error messages.
LISTINGS: tuple[Format, ...] = (HTML, JSON)
ERRORS: tuple[Format, ...] = (TEXT, JSON, HTML)

BY_EXTENSION = {f.ext: f for f in DOCUMENTS}
_ALL = (*DOCUMENTS, *RESULTS, JSON, TEXT, JAVASCRIPT, GZIP)


def by_media_type(media_type: str, offers: Sequence[Format] = _ALL) -> Format | None:
    """The format of `offers` a media type (without parameters) names, canonical or alias."""
    media_type = media_type.split(";", 1)[0].strip().lower()
    canonical = next((f for f in offers if f.media_type == media_type), None)
    return canonical or next((f for f in offers if media_type in f.aliases), None)


def negotiate(offers: Sequence[Format], accept: MIMEAccept | str | None) -> Format | None:
    """The format of `offers` an Accept header prefers; the first offer when the header is
    missing or empty; None when it accepts none of them. Canonical media types are matched
    before aliases, so `*/*` and equal qualities choose them."""
    if isinstance(accept, str):
        accept = parse_accept_header(accept, MIMEAccept)
    if not accept:
        return offers[0]
    candidates = [f.media_type for f in offers] + [a for f in offers for a in f.aliases]
    match = accept.best_match(candidates)
    return None if match is None else by_media_type(match, offers)


@dataclass(frozen=True)
class Negotiated:
    """A negotiation's outcome: the format chosen (None: none of the offers is acceptable), the
    offers, and the request header the choice read — what the answer's `Vary` must name, and
    nothing else (a format named by an extension or a parameter read no header)."""
    format: Format | None
    offers: tuple[Format, ...]
    read: str | None = "Accept"

    @property
    def vary(self) -> dict[str, str]:
        """The `Vary` header the choice implies (none when it read no header)."""
        return {"Vary": self.read} if self.read else {}

    def alternates(self, url: str) -> list[tuple[str, str, str]]:
        """(url, rel, media type) of each offer, for a `Link` header: the document at `url`
        in every format it has, each named by its extension."""
        return [(f"{url}.{f.ext}", "alternate", f.media_type) for f in self.offers]


def choose(offers: Sequence[Format], accept: MIMEAccept | str | None,
           named: Format | None = None, header: str = "Accept") -> Negotiated:
    """The one negotiation, with what it read: `named` (an extension, a parameter) when given,
    else the format `accept` (the value of `header`) prefers among `offers`; a named format
    that is not offered is no format (406)."""
    if named is not None:
        return Negotiated(named if named in offers else None, tuple(offers), None)
    return Negotiated(negotiate(offers, accept), tuple(offers), header)


def split_extension(path: str) -> tuple[str, Format | None]:
    """`territoire/x.ttl` → (`territoire/x`, Turtle); a path without a document extension is
    kept."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in BY_EXTENSION and "/" not in ext:
        return stem, BY_EXTENSION[ext]
    return path, None


def serialize(quads: list[ox.Quad], fmt: Format, prefixes: dict[str, str]) -> bytes:
    """RDF bytes in `fmt`; triple formats drop the graph names and the duplicates they leave."""
    if fmt.quads:
        return ox.serialize(quads, format=fmt.rdf, prefixes=prefixes)
    triples = list(dict.fromkeys(q.triple for q in quads))
    options = {} if fmt.rdf == ox.RdfFormat.N_TRIPLES else {"prefixes": prefixes}
    return ox.serialize(triples, format=fmt.rdf, **options)
