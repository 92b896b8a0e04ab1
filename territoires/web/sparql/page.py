"""The query page, `/requete` (and `/sparql` for a browser that asks for HTML): YASGUI, vendored
unmodified under vendor/yasgui/ and served as assets, set up by static/requete.js to query this
endpoint only — highlighting, completion, syntax errors at their position, Ctrl+Enter, paged
tables, CSV/JSON downloads, shareable links — with the example queries one click away.

Nothing is fetched from another host: the prefixes YASGUI completes come from
`/requete/prefixes.json` (the project's namespaces, in prefix.cc's shape), the classes and
properties it completes are those the build uses (its statistics), written into the page, and its
remote completers (Linked Open Vocabularies) are left off. Without JavaScript the page is a plain
form that asks /sparql for a chosen format."""

from __future__ import annotations

from flask import jsonify, render_template, request

from ...vocabulary.namespaces import RDF, Vocabulary
from ..caching.policy import cacheable
from ..context import context, hosts, per_build, store
from .examples import examples

# Namespaces of the build's own IRIs, for completion and for tables shown with prefixes.
ENTITY_KINDS = ("territoire", "epci", "commune", "departement", "region", "personne",
                "organisation")


def prefixes(base: str) -> dict[str, str]:
    """The prefixes the editor offers: the project's vocabularies and its entity namespaces."""
    found = {"rdf": str(RDF), **Vocabulary(base).prefixes()}
    found.update({kind: f"{base}id/{kind}/" for kind in ENTITY_KINDS})
    return dict(sorted(found.items()))


@per_build
def vocabulary_terms(live) -> dict[str, list[str]]:
    """The classes and properties the build uses (its VoID partitions), for completion."""
    stats = live.statistics()
    return {"classes": sorted(stats.classes), "properties": sorted(stats.properties)}


def query_page():
    cacheable("page")   # also when /sparql shows it to a browser (that route is "sparql")
    live = store()
    base = live.base
    return render_template("requete.html", query=request.args.get("query", ""),
                           examples=examples(context().settings.examples_dir, base), base=base,
                           hosts=hosts(), terms=vocabulary_terms(live), prefixes=prefixes(base))


def prefix_list():
    return jsonify(prefixes(store().base))
