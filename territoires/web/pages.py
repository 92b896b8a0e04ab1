"""Pages for people: the home page (what the dataset is, its size, its territories, example
queries one click from running) and the query page (`/requete`), whose small script sends the
query to /sparql and shows the answer as a table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, render_template, request

from .documents_served import PerVersion, hosts, territoires
from .published import Build
from .rendering import etag, send

bp = Blueprint("pages", __name__)


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    title_en: str
    description: list[str]
    query: str


def read_example(path: Path, base: str) -> Example:
    """A `queries/*.rq` file: `# title:`, `# title-en:`, description comments, then the query,
    whose `BASE` line is replaced by the configured base."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line[1:].strip() for line in lines if line.startswith("#")]
    fields = {k.strip(): v.strip() for k, _, v in (h.partition(":") for h in header[:2])}
    body = [f"BASE <{base}>" if line.startswith("BASE ") else line
            for line in lines if not line.startswith("#")]
    return Example(path.stem, fields.get("title", path.stem), fields.get("title-en", ""),
                   header[2:], "\n".join(body).strip() + "\n")


def examples() -> list[Example]:
    settings = territoires().settings
    return [read_example(path, settings.base_uri)
            for path in sorted(settings.queries_dir.glob("*.rq"))]


def _territories(build: Build) -> list[dict]:
    """The labelled territories (a handful: found through the type index), with their phase."""
    ti = territoires().vocab.ti
    rows = build.store.query(f"""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?t (SAMPLE(?name) AS ?label) (SAMPLE(?number) AS ?phase) WHERE {{
          ?t a <{ti.TerritoireIndustrie}> ; skos:prefLabel ?name .
          OPTIONAL {{ ?t <{ti.phase}>/<{ti.numeroPhase}> ?number }}
        }} GROUP BY ?t ORDER BY DESC(?phase) ?label""", use_default_graph_as_union=True)
    return [{"iri": t.value, "label": label.value, "phase": phase.value if phase else ""}
            for t, label, phase in rows]


_territory_list = PerVersion(_territories)


@bp.route("/", methods=["GET", "HEAD"])
def home():
    build = territoires().published.current()
    host = hosts()
    body = render_template("home.html", manifest=build.manifest, version=build.version,
                           territories=_territory_list.get(build), examples=examples(),
                           hosts=host).encode()
    return send(body, "text/html", etag(build.version, "home", host.root))


@bp.route("/requete", methods=["GET", "HEAD"])
def query_page():
    base = territoires().settings.base_uri
    query = request.args.get("query", "")
    return render_template("requete.html", query=query, examples=examples(), base=base,
                           hosts=hosts())
