"""`territoires build`: the sources mapped, validated and published as one build, atomically.

    pipeline.py   map → validate, while the writer fills a fresh directory → one atomic rename
    datacube.py   the Data Cube normalised (the recommendation's algorithm) as a derived graph
    validate.py   SHACL on the union of the named graphs; findings at their file and line
    quality.py    the validation report as published: SHACL results and their DQV summary
    writer.py     the writer process: the store, the dumps, the statistics and the versions
    versions.py   the published builds kept as dataset versions, with their RDF Patches
"""

from .pipeline import BuildFailed, build, check, map_sources

__all__ = ["BuildFailed", "build", "check", "map_sources"]
