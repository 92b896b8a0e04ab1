"""The build's output from its canonical N-Quads: the store, its statistics and the dumps (the
graph in three RDF formats; the territories, EPCI and communes as CSV, queried from the store
once it is loaded), in the new build directory.

`territoires build` runs this in a process of its own while it validates (`main(TARGET)`, by
pipeline.WRITER_MAIN; the N-Quads spooled in TARGET by the build's forked child, which
then becomes this module by exec): the writing is Oxigraph's loader and zlib, native code that
overlaps the validation's pure Python on another core. A fresh process, because RocksDB's
background threads do not survive a fork: a process forked from one that had opened a store
(a test, a server) would wait for them for ever.

What it wrote goes in WRITTEN (a manifest without shapes nor build timings), or, if it could not
write, the reason in FAILED; the build publishes nothing until it has read one of them.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import os
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from .. import queries
from ..store import statistics
from . import versions
from ..store.local import LocalStore
from ..store.manifest import Manifest

DUMPS = {"nq": "territoires.nq.gz", "nt": "territoires.nt.gz", "ttl": "territoires.ttl.gz"}
# The main entities as tables, beside the RDF dumps: kind → (file, its query in queries/dumps/).
CSV_DUMPS = {"csv-territoires": ("territoires-d-industrie.csv.gz", "dumps/territoires"),
             "csv-epci": ("epci.csv.gz", "dumps/epci"),
             "csv-communes": ("communes.csv.gz", "dumps/communes")}
SPOOL = ".nquads"          # the sorted N-Quads lines the build hands over
GRAPHS = ".graphs.json"    # named graph → triples
WRITTEN = ".written.json"
FAILED = ".failed"


def load_store(nquads: list[bytes], path: Path | None = None,
               union: list[bytes] | None = None) -> ox.Store:
    """An Oxigraph store holding the quads: on disk at `path`, or in memory. With `union` (the
    distinct triples of every graph, as N-Triples lines), the default graph holds them too: the
    union is then read from one graph's indexes instead of merged across graphs per query
    (1.1 to 2.4 times faster on the benchmark's analytics), and counts each triple once."""
    store = ox.Store(str(path)) if path else ox.Store()
    store.bulk_load(b"\n".join(nquads), format=ox.RdfFormat.N_QUADS)
    if union is not None:
        store.bulk_load(b"\n".join(union), format=ox.RdfFormat.N_TRIPLES)
    return store


def union(nquads: list[bytes]) -> list[bytes]:
    """The union graph as sorted N-Triples lines: the graph term dropped (IRIs hold no spaces),
    each triple once."""
    return sorted({line.rsplit(b" ", 2)[0] + b" ." for line in nquads})


def write(target: Path, nquads: list[bytes], graphs: dict[str, int], base: str,
          prefixes: dict[str, str]) -> Manifest:
    """Load the store in a thread while the dumps are written: both spend most of their time
    in native code that releases the GIL (Oxigraph's loader, zlib), so on two cores they
    overlap (about 2.5 s of the build)."""
    triples = union(nquads)
    failure: list[BaseException] = []
    tables: dict[str, dict] = {}

    def load() -> None:
        try:
            engine = load_store(nquads, target / "store", union=triples)
            engine.flush()
            # Read as the server reads it: the default graph holds the union.
            store = LocalStore(engine, Manifest("", base, default_graph="union"))
            statistics.save(statistics.compute(store), target)
            tables.update(write_tables(target / "dump", engine, base))
            del store, engine  # closed here; the server opens it read-only
        except BaseException as error:
            failure.append(error)

    (target / "dump").mkdir()     # before the loader, which writes the CSV dumps there
    loader = threading.Thread(target=load, name="store-loader")
    loader.start()
    try:
        dumps = _write_dumps(target / "dump", nquads, triples, prefixes)
    finally:
        loader.join()
    if failure:
        raise failure[0]
    return Manifest(version=hashlib.sha256(b"\n".join(nquads)).hexdigest()[:16], base_uri=base,
                    quads=len(nquads), triples=len(triples), graphs=graphs,
                    dumps={**dumps, **tables},
                    default_graph="union")   # the server reads the union from the default graph


def _write_dumps(directory: Path, nquads: list[bytes], triples: list[bytes],
                 prefixes: dict[str, str]) -> dict[str, dict]:
    gzip_lines(directory / DUMPS["nq"], nquads)
    gzip_lines(directory / DUMPS["nt"], triples)
    turtle = ox.serialize(ox.parse(b"\n".join(triples), format=ox.RdfFormat.N_TRIPLES),
                          format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    gzip_lines(directory / DUMPS["ttl"], [turtle])
    return {kind: {"file": f"dump/{name}", "bytes": (directory / name).stat().st_size}
            for kind, name in DUMPS.items()}


def write_tables(directory: Path, engine: ox.Store, base: str) -> dict[str, dict]:
    """The CSV dumps: each query of CSV_DUMPS run on the union graph, its results written as
    SPARQL 1.1 CSV (a header row of its variables, RFC 4180 quoting, CRLF), gzip-compressed like
    the RDF dumps."""
    found = {}
    for kind, (name, query) in CSV_DUMPS.items():
        results = engine.query(queries.get(query).text, base_iri=base)
        gzip_lines(directory / name, [results.serialize(format=ox.QueryResultsFormat.CSV)])
        found[kind] = {"file": f"dump/{name}", "bytes": (directory / name).stat().st_size}
    return found


def gzip_lines(path: Path, lines: list[bytes]) -> None:
    """Write lines gzip-compressed, with no timestamp in the header (same input, same bytes)."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                filename="", compresslevel=6) as out:
        out.write(b"\n".join(line.rstrip(b"\n") for line in lines) + b"\n")


def main(argv: list[str]) -> int:
    """Write the build spooled in `argv[0]` (handed over as described above)."""
    target = Path(argv[0])
    started = time.perf_counter()
    try:
        handed = json.loads((target / GRAPHS).read_text(encoding="utf-8"))
        data = (target / SPOOL).read_bytes()
        (target / SPOOL).unlink()
        (target / GRAPHS).unlink()
        nquads = data.split(b"\n") if data else []
        manifest = write(target, nquads, handed["graphs"], handed["base"], handed["prefixes"])
        versions.record(target, nquads, manifest.version, handed["base"])
        timings = {**handed["timings"], "store+dumps": round(time.perf_counter() - started, 3)}
        (target / WRITTEN).write_text(
            Manifest(**{**manifest.__dict__, "timings": timings}).to_json(), encoding="utf-8")
        return 0
    except OSError as error:   # a full disk, a vanished directory: said in words
        _failed(target, error.strerror or str(error))
        return exit_status(error)
    except Exception as error:   # noqa: BLE001 — anything else, named, for the build to say
        _failed(target, f"{type(error).__name__}: {error}")
    return 1


# On a full disk the reason cannot be written to FAILED either (the file is made, its text is
# not): the exit status carries the error's number too, ERRNO_STATUS + errno.
ERRNO_STATUS = 64


def exit_status(error: OSError) -> int:
    return ERRNO_STATUS + error.errno if error.errno and error.errno < 256 - ERRNO_STATUS else 1


def failure(target: Path, status: int) -> OSError | None:
    """Why the writer of `target` failed, from what it wrote and its exit status (None: it
    left no word, nor an error number)."""
    try:
        said = (target / FAILED).read_text(encoding="utf-8").strip()
    except OSError:
        said = ""
    number = status - ERRNO_STATUS if status > ERRNO_STATUS else None
    if number is not None:
        return OSError(number, said or f"{os.strerror(number)} ({errno.errorcode.get(number)})")
    return OSError(said) if said or (target / FAILED).exists() else None


def _failed(target: Path, reason: str) -> None:
    try:
        (target / FAILED).write_text(reason, encoding="utf-8")
    except OSError:
        pass   # the build then says the writer failed without a reason


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
