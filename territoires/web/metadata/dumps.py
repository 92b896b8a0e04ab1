"""The build's dumps (the graph in RDF, the main entities in CSV): `/dump/` lists them (HTML or
JSON) and `/dump/<file>` serves one as it was published, a gzip file served as `application/gzip` (a download that stays compressed, whatever
the client). Only a file the manifest lists is ever served: a requested name is never joined to
a path before it is found in that list, and a symbolic link in the build's `dump/` (or `dump/`
being one) is not followed."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from flask import jsonify, render_template, request, send_file

from ...vocabulary import formats
from ...store import Store
from ..caching.policy import cacheable
from ..context import hosts, store
from ..errors import error_response
from ..http import etag, send

# Dump kind (writer.DUMPS) → what it holds.
CONTENTS = {
    "nq": (formats.N_QUADS, "N-Quads, un graphe nommé par source"),
    "nt": (formats.N_TRIPLES, "N-Triples, graphe union"),
    "ttl": (formats.TURTLE, "Turtle, graphe union"),
    "csv-territoires": (formats.CSV, "CSV : les territoires d'industrie (phase, identifiant ANCT, "
                                     "population, SIREN de leurs groupements, départements, régions)"),
    "csv-epci": (formats.CSV, "CSV : les EPCI (SIREN, nom, forme juridique, population, "
                              "communes, départements, territoires d'industrie)"),
    "csv-communes": (formats.CSV, "CSV : les communes (code Insee, nom, population, SIREN de "
                                  "leur EPCI, département, région, territoires d'industrie)"),
}


@dataclass(frozen=True)
class Dump:
    kind: str
    name: str
    bytes: int
    format: formats.Format | None    # the format once decompressed (None: unknown kind)
    title: str

    @property
    def rdf(self) -> bool:
        """An RDF dump (VoID's `void:dataDump`), not a table of the main entities."""
        return self.format is not None and self.format.rdf is not None

    @property
    def media_type(self) -> str:
        return self.format.media_type if self.format else "application/octet-stream"


def listed(live: Store) -> list[Dump]:
    """The dumps the build's manifest lists: the only files /dump/ can ever serve."""
    found = []
    for kind, entry in live.manifest.dumps.items():
        name = entry["file"].rsplit("/", 1)[-1]
        fmt, title = CONTENTS.get(kind, (None, name))
        found.append(Dump(kind, name, entry["bytes"], fmt, title))
    return found


def index():
    cacheable("page")
    live = store()
    dumps = listed(live)
    choice = formats.choose(formats.LISTINGS, request.accept_mimetypes)
    if choice.format is formats.JSON:
        response = jsonify({"version": live.version, "dumps": [
            {"kind": d.kind, "name": d.name, "bytes": d.bytes, "media_type": d.media_type,
             "title": d.title, "url": f"{hosts().root}dump/{d.name}", "encoding": "gzip"}
            for d in dumps]})
        response.headers.update(choice.vary)
        return response
    body = render_template("dumps.html", dumps=dumps, version=live.version).encode()
    return send(body, formats.HTML, etag(live.version, "dumps", hosts().root), choice.vary)


def dump(name: str):
    cacheable("document")
    live = store()
    if name not in {d.name for d in listed(live)}:
        return error_response(404, f"Pas de fichier {name!r} dans /dump/ / no such dump")
    path = live.dump(name)
    if path is None:
        return error_response(404, f"Ce serveur n'a pas de copie des fichiers de la version "
                                   f"{live.version} (magasin distant) / this server reads a "
                                   f"remote store and holds no copy of the dumps of version "
                                   f"{live.version}: {name} is not available here")
    if not _a_file_of_the_build(path):
        return error_response(404, f"Pas de fichier {name!r} dans /dump/ / no such dump")
    return send_file(path, mimetype=formats.GZIP.media_type, as_attachment=True,
                     download_name=name, etag=etag(live.version, "dump", name),
                     conditional=True, max_age=3600)


def _a_file_of_the_build(path: Path) -> bool:
    """Whether `path` (the build's `dump/<name>`) is a regular file written there, not a
    symbolic link, nor in a `dump/` that is one: a link put in the output directory would
    serve whatever file it points to."""
    try:
        folder, file = os.lstat(path.parent), os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(folder.st_mode) and stat.S_ISREG(file.st_mode)
