"""What data.gouv.fr's harvester would take from a DCAT catalogue: a test helper that reads it the
way udata's DCAT backend does (udata/harvest/backends/dcat.py, udata/core/dataset/rdf.py and
udata/rdf.py, read at commit 25b5a2dd of opendatateam/udata), written anew for the tests:

- the format from the URL's extension, else from the answer's Content-Type;
- each `dcat:Dataset` (or `dcat:DatasetSeries`) with a title;
- a text in the platform's language (`fr`) when there is one, otherwise the first one read;
- the temporal coverage from the first `dcterms:temporal`: a literal (an ISO interval, a year or a
  month), or a resource with `schema:`, then `dcat:`, then `scovo:` start and end dates — an IRI
  udata would fetch first (here: reported, not fetched); dates must read as dates;
- contact points from `dcat:contactPoint` as vCards (name, e-mail, contact page), else FOAF;
- distributions with their URL (download, else access), title, format, media type, licence;
- spatial coverage from geometries only (GeoJSON or WKT literals of the `dcterms:spatial`
  objects), as udata reads it;
- licences from `dcterms:license` (their label or description when given as resources).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, RDF, RDFS, SKOS
from rdflib.resource import Resource

LANGUAGE = "fr"          # data.gouv.fr's DEFAULT_LANGUAGE
SCHEMA = Namespace("http://schema.org/")
SCV = Namespace("http://purl.org/NET/scovo#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GEOSPARQL = Namespace("http://www.opengis.net/ont/geosparql#")
IANA = "https://www.iana.org/assignments/media-types/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MIME_FORMATS = {"application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
                "text/n3": "n3", "application/x-turtle": "turtle", "text/turtle": "turtle",
                "application/n-triples": "nt", "application/ld+json": "json-ld",
                "application/json": "json-ld", "application/trig": "trig"}


@dataclass
class Harvested:
    title: str | None
    title_language: str | None
    first_title_language: str | None     # what a reader taking the first title would take
    description: str | None
    licences: list[str]
    temporal: tuple[datetime.date | None, datetime.date | None] | None
    would_fetch: list[str] = field(default_factory=list)
    contact_points: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)
    distributions: list[dict] = field(default_factory=list)
    spatial: list[dict] = field(default_factory=list)


def rdf_format(content_type: str) -> str | None:
    return MIME_FORMATS.get(content_type.split(";", 1)[0].strip())


def harvest(text: str, content_type: str) -> list[Harvested]:
    fmt = rdf_format(content_type)
    assert fmt, f"udata cannot read {content_type!r}"
    graph = Graph().parse(data=text, format=fmt)
    nodes = dict.fromkeys([*graph.subjects(RDF.type, DCAT.Dataset),
                           *graph.subjects(RDF.type, DCAT.DatasetSeries)])
    found = [dataset(graph.resource(node)) for node in nodes]
    return [d for d in found if d.title]     # udata skips a dataset without a title


def in_language(resource: Resource, predicate: URIRef):
    values = list(resource.objects(predicate))
    for value in values:
        if isinstance(value, Literal) and value.language == LANGUAGE:
            return value
    return values[0] if values else None


def text(resource: Resource | None, predicate: URIRef, unwrap=()) -> str | None:
    value = in_language(resource, predicate) if resource is not None else None
    if isinstance(value, Resource):
        for inner in unwrap:
            if found := text(value, inner):
                return found
        value = value.identifier
    return value.toPython() if value is not None else None


def unique_values(resource: Resource, predicate: URIRef, unwrap=()) -> list[str]:
    found = []
    for value in resource.objects(predicate):
        if isinstance(value, Resource):
            inner = [t for t in (text(value, u) for u in unwrap) if t]
            found.append(inner[0] if inner else value.identifier.toPython())
        else:
            found.append(value.toPython())
    return list(dict.fromkeys(str(v) for v in found if v))


def dataset(d: Resource) -> Harvested:
    titles = list(d.objects(DCTERMS.title))
    title = in_language(d, DCTERMS.title)
    would_fetch: list[str] = []
    return Harvested(
        title=title.toPython() if title is not None else None,
        title_language=getattr(title, "language", None),
        first_title_language=getattr(titles[0], "language", None) if titles else None,
        description=text(d, DCTERMS.description) or text(d, DCTERMS.abstract),
        licences=unique_values(d, DCTERMS.license, (RDFS.label, DCTERMS.description)),
        temporal=temporal(d.value(DCTERMS.temporal), would_fetch),
        would_fetch=would_fetch,
        contact_points=[c for c in map(contact, d.objects(DCAT.contactPoint)) if any(c)],
        distributions=[x for x in map(distribution, d.objects(DCAT.distribution)) if x],
        spatial=spatial(d),
    )


def temporal(value, would_fetch: list[str]):
    if value is None:
        return None
    if isinstance(value, Literal):
        return temporal_literal(str(value))
    if isinstance(value.identifier, URIRef):
        would_fetch.append(str(value.identifier))   # udata parses the IRI from the network
        return None
    for start, end in ((SCHEMA.startDate, SCHEMA.endDate), (DCAT.startDate, DCAT.endDate),
                       (SCV.min, SCV.max)):
        first, last = value.value(start), value.value(end)
        if first is not None or last is not None:
            bounds = tuple(None if b is None else b.toPython() for b in (first, last))
            # udata keeps them in date fields: anything else fails its validation
            ok = all(b is None or isinstance(b, datetime.date) for b in bounds)
            return bounds if ok else None
    return None


def temporal_literal(value: str):
    if value.count("/") == 1:
        start, end = value.split("/")
        return datetime.date.fromisoformat(start[:10]), datetime.date.fromisoformat(end[:10])
    if value.count("-") == 0 and value.isdigit():
        return datetime.date(int(value), 1, 1), datetime.date(int(value), 12, 31)
    return None


def contact(obj) -> tuple[str | None, str | None, str | None]:
    if isinstance(obj, Literal):
        return obj.toPython(), None, None
    name = text(obj, VCARD.fn) or text(obj, VCARD["organization-name"])
    email = text(obj, VCARD.hasEmail) or text(obj, VCARD.email)
    page = text(obj, VCARD.hasURL) or text(obj, VCARD.url)
    if not any((name, email, page)):       # a FOAF agent instead
        name = text(obj, FOAF.name) or text(obj, SKOS.prefLabel)
        email = text(obj, FOAF.mbox)
        if obj.value(ORG.memberOf) is not None:
            name = f"{name} ({text(obj.value(ORG.memberOf), FOAF.name)})"
    email = str(email).replace("mailto:", "").strip() if email else None
    return name, email, page


def distribution(distrib: Resource) -> dict | None:
    url = text(distrib, DCAT.downloadURL) or text(distrib, DCAT.accessURL)
    if not url:
        return None                          # udata makes no resource without a URL
    fmt = text(distrib, DCTERMS["format"], (RDFS.label,))
    if fmt and fmt.startswith(EU_FILE_TYPE):
        fmt = fmt[len(EU_FILE_TYPE):].lower()
    mime = text(distrib, DCAT.mediaType, (RDFS.label,))
    return {"url": str(url), "title": text(distrib, DCTERMS.title) or url.rsplit("/", 1)[-1],
            "format": fmt, "mime": mime[len(IANA):] if mime and mime.startswith(IANA) else mime,
            "licence": text(distrib, DCTERMS.license),
            "api": distrib.value(DCAT.accessService) is not None}


def spatial(d: Resource) -> list[dict]:
    geometries = []
    for term in d.objects(DCTERMS.spatial):
        if isinstance(term, Literal):
            continue                          # a bounding box literal (ArcGIS): not ours
        for obj in term.objects():
            if isinstance(obj, Literal) and obj.datatype == GEOSPARQL.geoJSONLiteral:
                geometries.append(json.loads(str(obj)))
            elif isinstance(obj, Literal) and obj.datatype == GEOSPARQL.wktLiteral:
                geometries.append({"wkt": str(obj)})
    return geometries
