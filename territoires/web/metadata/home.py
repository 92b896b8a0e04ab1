"""The home page: what the dataset is, its size, its territories, and example queries one click
from running."""

from __future__ import annotations

from flask import Response, render_template

from ...vocabulary import formats
from ... import queries
from ...store import Store
from ..context import context, hosts, per_build, store
from ..http import etag, send
from ..sparql.examples import examples
from .schemaorg import dataset
from .validation import verdict


@per_build
def territories(live: Store) -> list[dict]:
    """The labelled territories (a handful: found through the type index), latest phase first."""
    return [{"iri": row["territory"].value, "label": row["label"].value,
             "phase": row["phase"].value if row["phase"] else ""}
            for row in live.select(queries.get("metadata/territories"))]


def home() -> Response:
    live = store()
    host = hosts()
    body = render_template("home.html", manifest=live.manifest, version=live.version,
                           territories=territories(live), verdict=verdict(live),
                           examples=examples(context().settings.examples_dir, live.base),
                           hosts=host, structured=dataset(live, host)).encode()
    return send(body, formats.HTML, etag(live.version, "home", host.root))
