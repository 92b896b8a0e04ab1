"""The query page, `/requete`: a form whose small script (static/requete.js) sends the query to
/sparql and shows the answer as a table, with the example queries one click away."""

from __future__ import annotations

from flask import render_template, request

from ..caching.policy import cacheable
from ..context import context, hosts, store
from .examples import examples


def query_page():
    cacheable("page")
    base = store().base
    return render_template("requete.html", query=request.args.get("query", ""),
                           examples=examples(context().settings.queries_dir, base), base=base,
                           hosts=hosts())
