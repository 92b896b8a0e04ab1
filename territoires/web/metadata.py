"""The dataset as a whole: its dumps, its VoID description and its DCAT catalogue.

    /dump/                   the build's dumps (HTML or JSON)
    /dump/<file>             one dump, as published: a gzip file, served as `application/gzip`
                             (a download that stays compressed on disk, whatever the client)
    /.well-known/void[.ext]  VoID: counts, partitions, subsets per named graph, linksets
    /catalogue[.ext]         DCAT (DCAT-AP style): catalogue, dataset, distributions, SPARQL service

VoID and DCAT are negotiated: Turtle for machines that say nothing, HTML for browsers, and every
other RDF format. Their IRIs live under the canonical base; only HTML links follow the host.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pyoxigraph as ox
from flask import Blueprint, jsonify, render_template, request, send_file
from rdflib import Graph, Literal, URIRef

from ..namespaces import (DCAT, DCTERMS, FOAF, LICENCE_OUVERTE, OWL, RDF, RDFS, SD, SKOS, VOID,
                          XSD)
from .. import statistics
from . import error_response
from .documents_served import Described, PerVersion, hosts, serve, territoires
from .published import Build
from .rendering import FORMATS, HostMap, etag, send, split_extension

bp = Blueprint("metadata", __name__)

# Offer order: Turtle first for clients that state no preference.
METADATA_FORMATS = list(FORMATS.values())

IANA = "https://www.iana.org/assignments/media-types/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
DUMP_FORMATS = {  # dump kind → (RDF media type, EU file type, French title)
    "nq": ("application/n-quads", "RDF_N_QUADS", "N-Quads, un graphe nommé par source"),
    "nt": ("application/n-triples", "RDF_N_TRIPLES", "N-Triples, graphe union"),
    "ttl": ("text/turtle", "RDF_TURTLE", "Turtle, graphe union"),
}
FRANCE = URIRef("http://publications.europa.eu/resource/authority/country/FRA")
FRENCH = URIRef("http://publications.europa.eu/resource/authority/language/FRA")
THEMES = [URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON"),
          URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE"),
          URIRef("http://publications.europa.eu/resource/authority/data-theme/REGI")]
KEYWORDS = ["territoires d'industrie", "industrie", "réindustrialisation", "intercommunalité",
            "EPCI", "commune", "code officiel géographique", "SIREN", "données liées"]
TITLE = {"fr": "Territoires d'industrie : graphe de connaissances",
         "en": "Territoires d'industrie (industry territories): knowledge graph"}
DESCRIPTION = {
    "fr": "Le programme national Territoires d'industrie en données liées (RDF) : ses phases, "
          "les territoires labellisés, les intercommunalités (EPCI) et communes qu'ils couvrent, "
          "leur gouvernance et leur financement, avec le Code officiel géographique complet "
          "(toutes les communes et EPCI de France) ; chaque fait renvoie à sa source.",
    "en": "France's national Territoires d'industrie programme as linked data (RDF): its phases, "
          "the labelled territories, the intercommunalities (EPCI) and communes they cover, their "
          "governance and funding, with the complete official geographic code (every commune and "
          "EPCI of France); every fact points to its source.",
}


# --- dumps ------------------------------------------------------------------------------------

def _dumps(build: Build) -> list[dict]:
    """The dumps the build's manifest lists: the only files /dump/ can ever serve."""
    listed = []
    for kind, entry in build.manifest.get("dumps", {}).items():
        name = entry["file"].rsplit("/", 1)[-1]
        media_type, _, title = DUMP_FORMATS.get(kind, ("application/octet-stream", "", name))
        listed.append({"kind": kind, "name": name, "bytes": entry["bytes"],
                       "media_type": media_type, "title": title})
    return listed


@bp.route("/dump/", methods=["GET", "HEAD"])
def dumps():
    build = territoires().published.current()
    listed = _dumps(build)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        response = jsonify({"version": build.version,
                            "dumps": [{**d, "url": f"{hosts().root}dump/{d['name']}",
                                       "encoding": "gzip"} for d in listed]})
        response.headers["Vary"] = "Accept"
        return response
    body = render_template("dumps.html", dumps=listed, version=build.version).encode()
    return send(body, "text/html", etag(build.version, "dumps", hosts().root), {"Vary": "Accept"})


@bp.route("/dump/<name>", methods=["GET", "HEAD"])
def dump(name: str):
    build = territoires().published.current()
    # Never join the requested name to a path: only a name the manifest lists is served.
    if name not in {d["name"] for d in _dumps(build)}:
        return error_response(404, f"Pas de fichier {name!r} dans /dump/ / no such dump")
    path = build.dump(name)
    if path is None:
        return error_response(404, f"Ce serveur n'a pas de copie des fichiers de la version "
                                   f"{build.version} (magasin distant) / this server reads a "
                                   f"remote store and holds no copy of the dumps of version "
                                   f"{build.version}: {name} is not available here")
    response = send_file(path, mimetype="application/gzip", as_attachment=True,
                         download_name=name, etag=etag(build.version, "dump", name),
                         conditional=True, max_age=3600)
    return response


# --- VoID -------------------------------------------------------------------------------------

def dataset_iri(base: str) -> URIRef:
    return URIRef(f"{base}.well-known/void#territoires")


def _void_graph(build: Build, base: str) -> Graph:
    stats = _statistics.get(build)
    ds = dataset_iri(base)
    g = _graph(base)
    g.add((URIRef(f"{base}.well-known/void"), FOAF.primaryTopic, ds))
    g.add((ds, RDF.type, VOID.Dataset))
    for lang, text in TITLE.items():
        g.add((ds, DCTERMS.title, Literal(text, lang=lang)))
    g.add((ds, DCTERMS.license, LICENCE_OUVERTE))
    g.add((ds, RDFS.seeAlso, URIRef(f"{base}catalogue")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    g.add((ds, VOID.uriSpace, Literal(base)))
    g.add((ds, VOID.rootResource, URIRef(f"{base}id/programme/territoires-d-industrie")))
    for example in _examples(build):
        g.add((ds, VOID.exampleResource, URIRef(example)))
    for entry in _dumps(build):
        g.add((ds, VOID.dataDump, URIRef(f"{base}dump/{entry['name']}")))
    for namespace in territoires().vocab.prefixes().values():
        g.add((ds, VOID.vocabulary, URIRef(namespace)))
    g.add((ds, DCTERMS.conformsTo, URIRef(f"{base}shapes/territoires")))
    g.add((ds, OWL.versionInfo, Literal(build.version)))
    for name, value in (("triples", stats.triples), ("entities", stats.entities),
                        ("classes", len(stats.classes)), ("properties", len(stats.properties)),
                        ("distinctSubjects", stats.distinct_subjects),
                        ("distinctObjects", stats.distinct_objects)):
        g.add((ds, VOID[name], Literal(value)))
    for index, (cls, count) in enumerate(sorted(stats.classes.items()), start=1):
        part = URIRef(f"{ds}-classe-{index}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count)))
    for index, (prop, count) in enumerate(sorted(stats.properties.items()), start=1):
        part = URIRef(f"{ds}-propriete-{index}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(count)))
    for graph, count in sorted(stats.graphs.items()):
        subset = URIRef(graph)
        g.add((ds, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, subset))
        g.add((subset, VOID.triples, Literal(count)))
    for linkset in stats.linksets:
        node = URIRef(linkset.graph)
        g.add((ds, VOID.subset, node))
        g.add((node, RDF.type, VOID.Linkset))
        g.add((node, VOID.subjectsTarget, ds))
        g.add((node, VOID.triples, Literal(linkset.triples)))
        for predicate in linkset.predicates:
            g.add((node, VOID.linkPredicate, URIRef(predicate)))
    return g


def _examples(build: Build) -> list[str]:
    """A few typical resources: the territories (a handful, found through the type index)."""
    ti = territoires().vocab.ti
    rows = build.store.query(f"SELECT ?t WHERE {{ ?t a <{ti.TerritoireIndustrie}> }} ORDER BY ?t "
                             "LIMIT 3", use_default_graph_as_union=True)
    return [row[0].value for row in rows]


_statistics = PerVersion(lambda build: statistics.load(build.path) or statistics.compute(
    build.store, territoires().settings.base_uri))


# --- DCAT -------------------------------------------------------------------------------------

def _dcat_graph(build: Build, base: str) -> Graph:
    g = _graph(base)
    catalogue, ds = URIRef(f"{base}catalogue"), dataset_iri(base)
    service = URIRef(f"{base}catalogue#service-sparql")
    publisher = URIRef(f"{base}id/organisation/projet-territoires")
    modified = Literal(_published_at(build), datatype=XSD.dateTime)

    g.add((catalogue, RDF.type, DCAT.Catalog))
    g.add((catalogue, DCTERMS.title, Literal("Catalogue des données Territoires d'industrie",
                                             lang="fr")))
    g.add((catalogue, DCTERMS.title, Literal("Territoires d'industrie data catalogue", lang="en")))
    g.add((catalogue, DCTERMS.description, Literal(DESCRIPTION["fr"], lang="fr")))
    g.add((catalogue, DCTERMS.publisher, publisher))
    g.add((catalogue, DCTERMS.language, FRENCH))
    g.add((catalogue, DCTERMS.license, LICENCE_OUVERTE))
    g.add((catalogue, DCTERMS.modified, modified))
    g.add((catalogue, FOAF.homepage, URIRef(base)))
    g.add((catalogue, DCAT.dataset, ds))
    g.add((catalogue, DCAT.service, service))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("Projet territoires")))

    g.add((ds, RDF.type, DCAT.Dataset))
    for lang in ("fr", "en"):
        g.add((ds, DCTERMS.title, Literal(TITLE[lang], lang=lang)))
        g.add((ds, DCTERMS.description, Literal(DESCRIPTION[lang], lang=lang)))
    for keyword in KEYWORDS:
        g.add((ds, DCAT.keyword, Literal(keyword, lang="fr")))
    for theme in THEMES:
        g.add((ds, DCAT.theme, theme))
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((ds, DCTERMS.license, LICENCE_OUVERTE))
    g.add((ds, DCTERMS.language, FRENCH))
    g.add((ds, DCTERMS.spatial, FRANCE))
    g.add((ds, DCTERMS.modified, modified))
    g.add((ds, DCTERMS.identifier, Literal(str(ds))))
    g.add((ds, DCAT.version, Literal(build.version)))
    g.add((ds, OWL.versionInfo, Literal(build.version)))
    g.add((ds, DCAT.landingPage, URIRef(base)))
    g.add((ds, DCTERMS.conformsTo, URIRef(f"{base}def/territoires")))
    g.add((ds, RDFS.seeAlso, URIRef(f"{base}.well-known/void")))
    _temporal(g, ds, build, base)

    for entry in _dumps(build):
        distribution = URIRef(f"{base}catalogue#dump-{entry['kind']}")
        url = URIRef(f"{base}dump/{entry['name']}")
        media_type, file_type, title = DUMP_FORMATS.get(entry["kind"], ("", "", entry["name"]))
        g.add((ds, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(title, lang="fr")))
        g.add((distribution, DCAT.accessURL, url))
        g.add((distribution, DCAT.downloadURL, url))
        if media_type:
            g.add((distribution, DCAT.mediaType, URIRef(IANA + media_type)))
            g.add((distribution, DCTERMS["format"], URIRef(EU_FILE_TYPE + file_type)))
        g.add((distribution, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
        g.add((distribution, DCAT.byteSize, Literal(entry["bytes"], datatype=XSD.nonNegativeInteger)))
        g.add((distribution, DCTERMS.license, LICENCE_OUVERTE))
        g.add((distribution, DCTERMS.modified, modified))

    endpoint = URIRef(f"{base}sparql")
    access = URIRef(f"{base}catalogue#acces-sparql")
    g.add((ds, DCAT.distribution, access))
    g.add((access, RDF.type, DCAT.Distribution))
    g.add((access, DCTERMS.title, Literal("Point d'accès SPARQL", lang="fr")))
    g.add((access, DCAT.accessURL, endpoint))
    g.add((access, DCAT.accessService, service))
    g.add((access, DCTERMS.license, LICENCE_OUVERTE))

    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal("Point d'accès SPARQL 1.1", lang="fr")))
    g.add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCTERMS.license, LICENCE_OUVERTE))
    g.add((service, DCAT.landingPage, URIRef(f"{base}requete")))
    return g


def _temporal(g: Graph, ds: URIRef, build: Build, base: str) -> None:
    """From the programme's launch to the end of its latest phase, as the graph states them."""
    ti = territoires().vocab.ti
    rows = list(build.store.query(f"""
        PREFIX time: <http://www.w3.org/2006/time#>
        SELECT (MIN(STR(?start)) AS ?from) (MAX(STR(?end)) AS ?to) WHERE {{
          ?programme a <{ti.Programme}> ; <{ti.lanceEn}> ?start .
          OPTIONAL {{ ?programme <{ti.phase}>/<{ti.periode}>/time:hasEnd
                        /(time:inXSDDate|time:inXSDgYear|time:inXSDgYearMonth) ?end }}
        }}""", use_default_graph_as_union=True))
    if not rows or rows[0][0] is None:
        return
    period = URIRef(f"{base}catalogue#periode")
    g.add((ds, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, _date_literal(rows[0][0].value)))
    if rows[0][1] is not None:
        g.add((period, DCAT.endDate, _date_literal(rows[0][1].value)))


def _date_literal(text: str) -> Literal:
    kinds = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
    return Literal(text, datatype=kinds.get(len(text), XSD.string))


def _published_at(build: Build) -> str:
    """When the build was published: its manifest's modification time."""
    return datetime.fromtimestamp(build.published_at, timezone.utc).replace(
        microsecond=0).isoformat()


# --- serving ----------------------------------------------------------------------------------

def _graph(base: str) -> Graph:
    g = Graph()
    for prefix, namespace in territoires().vocab.prefixes().items():
        g.bind(prefix, namespace)
    g.bind("sd", SD)
    g.bind("skos", SKOS)
    return g


def _to_quads(graph: Graph) -> list[ox.Quad]:
    triples = ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return sorted((ox.Quad(t.subject, t.predicate, t.object) for t in triples),
                  key=lambda q: tuple(str(term) for term in q))


def _describer(make_graph, template: str, document_path: str, statistics: bool = False):
    def describer(build: Build, host: HostMap) -> Described:
        quads = _to_quads(make_graph(build, host.base))

        def html(host: HostMap) -> str:
            return render_template(template, build=build, version=build.version, hosts=host,
                                   stats=_statistics.get(build) if statistics else None,
                                   dumps=_dumps(build),
                                   formats=METADATA_FORMATS, quads=len(quads),
                                   title=TITLE, description=DESCRIPTION,
                                   document_path=document_path)
        return Described(quads, html)
    return describer


@bp.route("/.well-known/void", methods=["GET", "HEAD"])
@bp.route("/.well-known/void.<ext>", methods=["GET", "HEAD"])
def void(ext: str | None = None):
    return _serve_metadata(".well-known/void", ext, _describer(_void_graph, "void.html", ".well-known/void",
                                                        statistics=True))


@bp.route("/catalogue", methods=["GET", "HEAD"])
@bp.route("/catalogue.<ext>", methods=["GET", "HEAD"])
def catalogue(ext: str | None = None):
    return _serve_metadata("catalogue", ext, _describer(_dcat_graph, "catalogue.html", "catalogue"))


def _serve_metadata(path: str, ext: str | None, describer):
    fmt = None
    if ext is not None:
        _, fmt = split_extension(f"{path}.{ext}")
        if fmt is None:
            return error_response(404, f"Format inconnu / unknown format: .{ext}")
    iri = territoires().settings.base_uri + path
    return serve(iri, path, fmt, describer, formats=METADATA_FORMATS)
