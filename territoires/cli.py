"""The `territoires` command: build, validate, refresh the reference data, serve, publish."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from datetime import date
from pathlib import Path

from . import config

EXIT_INVALID = 1   # the data does not conform, or a source is wrong
EXIT_USAGE = 2


def _progress(quiet: bool):
    started = time.perf_counter()

    def say(message: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    return say


# A command run by `run`, the process's entry point, ends the process: it may leave what it
# mapped to the process's end (_LEFT_TO_THE_EXIT), which `run` then ends without freeing it
# object by object, and need not take the cyclic collector up again. A caller of `main` in a
# process that goes on (a test) gets neither.
_ENDING = False
_LEFT_TO_THE_EXIT: list = []


def _leave_to_the_exit() -> list | None:
    """Where a command run by `run` leaves its mapped graphs, with the collector paused (taken
    up again, it would first visit every object allocated meanwhile: 1.5 s after a build)."""
    if not _ENDING:
        return None
    gc.disable()
    return _LEFT_TO_THE_EXIT


def cmd_build(args, settings) -> int:
    from .build.pipeline import BuildFailed, build

    try:
        manifest = build(settings, _progress(args.quiet), hold=_leave_to_the_exit())
    except BuildFailed as failure:
        if failure.report is not None:
            sys.stderr.write(failure.report.text())
        print(f"territoires build: {failure}", file=sys.stderr)
        return EXIT_INVALID
    print(manifest.version)
    return 0


def cmd_validate(args, settings) -> int:
    from .build import incremental
    from .build.pipeline import check, map_sources
    from .build.quality import report_graph
    from .build.validate import load_shapes

    paths = [Path(p) for p in args.paths]
    for path in paths:
        if not path.exists():
            print(f"territoires validate: {path}: no such file or directory", file=sys.stderr)
            return EXIT_USAGE
    extra = [p if p.is_dir() else p.parent for p in paths]
    progress = _progress(args.quiet)
    shapes = load_shapes(settings.shapes_dir, settings.base_uri)
    report = sources = None
    # The steward's loop: one changed file, validated against the cache of the last full run.
    if len(paths) == 1 and paths[0].is_file() and args.format != "turtle" and not args.full:
        report = incremental.fast(settings, paths[0], shapes, progress)
    if report is None:
        files = incremental.digests(settings)   # what this validation reads, before it reads it
        left = _leave_to_the_exit()
        sources = map_sources(settings, progress, extra=extra)
        if left is not None:
            left.append(sources)
        report = check(settings, sources, progress, shapes)
        if all(_inside(d, settings) for d in extra):
            try:
                incremental.write(settings, sources, report, files)
            except OSError as error:   # the report stands without its cache
                progress(f"no validation cache written in {settings.output_dir}: "
                         f"{error.strerror or error}")
    if paths:
        report = report.only_in(paths)
    # Turtle: the report and its DQV summary, the graph a build publishes at /validation.
    turtle = lambda: report_graph(report, sources, shapes, settings.base_uri).serialize(  # noqa: E731
        format="turtle")
    output = {"text": report.text, "json": report.json, "turtle": turtle}[args.format]()
    sys.stdout.write(output)
    return 0 if report.conforms else EXIT_INVALID


def _inside(directory: Path, settings) -> bool:
    """A directory of the configured sources (the cache describes those, not extra ones)."""
    where = directory.resolve()
    return any(where == root.resolve() or root.resolve() in where.parents
               for root in (settings.data_dir, settings.ontology_dir, settings.shapes_dir))


def cmd_refresh_reference(args, settings) -> int:
    from .sources import snapshot

    if args.millesime is not None:
        return _refresh_vintages(args.millesime, settings.data_dir / "historique")
    return snapshot.main(args.version, settings.data_dir / "reference")


def cmd_refresh_programme(args, settings) -> int:
    from .sources import programme_files

    return programme_files.main(Path(args.file), args.kind, settings.data_dir)


def _refresh_vintages(which: str, root: Path) -> int:
    """`refresh-reference --millesime YYYY|all`: the vintages of the history (vintages.py)."""
    from .sources import vintages

    years = vintages.YEARS if which == "all" else (int(which) if which.isdigit() else 0,)
    for year in years:
        try:
            counts = vintages.refresh(year, root)
        except ValueError as error:
            print(f"territoires refresh-reference: {error}", file=sys.stderr)
            return EXIT_USAGE
        print(f"{year} ({vintages.VERSIONS[year]}): " + ", ".join(
            f"{name} {count} rows" for name, count in counts.items()), file=sys.stderr)
    return 0


def cmd_serve(args, settings) -> int:
    from .web.gunicorn import serve

    return serve(settings)


def cmd_publish(args, settings) -> int:
    from .store.publish import command

    return command(args, settings, _progress(args.quiet))


def cmd_link(args, settings) -> int:
    from .linking import command

    return command(args, settings)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="territoires", description=__doc__)
    main.add_argument("--base-uri", help="canonical base of every IRI (env TERRITOIRES_BASE_URI)")
    main.add_argument("--data-dir", help="directory of the sources")
    main.add_argument("--output-dir", help="where builds are published")
    main.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    commands = main.add_subparsers(dest="command", required=True)
    _add_build_commands(commands)
    _add_serve_commands(commands)
    _add_link_command(commands)

    from .importer import add_parser as add_import_parser
    add_import_parser(commands)
    return main


def _add_build_commands(commands) -> None:
    build = commands.add_parser("build", help="map, validate and publish the graph")
    build.set_defaults(run=cmd_build)

    validate = commands.add_parser("validate", help="SHACL report for the graph or some files")
    validate.add_argument("paths", nargs="*", metavar="PATH",
                          help="report only on these source files or directories")
    validate.add_argument("--format", choices=["text", "json", "turtle"], default="text")
    validate.add_argument("--full", action="store_true",
                          help="validate everything, even if one FILE changed since the cached "
                               "validation (which a full run writes, and `validate FILE` reads)")
    validate.set_defaults(run=cmd_validate)

    refresh = commands.add_parser("refresh-reference",
                                  help="re-vendor the official reference snapshot from npm")
    refresh.add_argument("--version", default="6.0.0", help="@etalab/decoupage-administratif version")
    refresh.add_argument("--millesime", metavar="YYYY|all",
                         help="re-vendor a vintage of the history (data/historique/YYYY/) "
                              "from its package version instead")
    refresh.set_defaults(run=cmd_refresh_reference)

    programme = commands.add_parser(
        "refresh-programme", help="vendor a local copy of an official list of the programme "
                                  "(data/programme/) or an outline file (data/contours/)")
    programme.add_argument("file", help="the local file (GeoJSON or ept.json, plain or gzip)")
    programme.add_argument("--as", dest="kind", required=True,
                           choices=["phase-1", "phase-2", "ept", "departements", "regions"])
    programme.set_defaults(run=cmd_refresh_programme)


def _add_serve_commands(commands) -> None:
    serve = commands.add_parser("serve", help="serve the published graph over HTTP")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument("--threads", type=int, help="threads per worker")
    serve.add_argument("--query-timeout", type=float, help="seconds")
    serve.add_argument("--store", dest="store_url", help="remote SPARQL endpoint instead of the embedded store")
    serve.set_defaults(run=cmd_serve)

    publish = commands.add_parser(
        "publish", help="load the published build into a remote SPARQL store, graph by graph")
    publish.add_argument("--to", required=True, metavar="GSP_URL",
                         help="the store's SPARQL 1.1 Graph Store Protocol endpoint "
                              "(Oxigraph: http://HOST:7878/store)")
    publish.add_argument("--query-url", metavar="URL",
                         help="the store's SPARQL query endpoint (default: GSP_URL's /store "
                              "replaced by /query, as Oxigraph lays them out)")
    publish.set_defaults(run=cmd_publish)


def _add_link_command(commands) -> None:
    link = commands.add_parser("link", help="link entities to Wikidata or Insee by official code")
    link.add_argument("target", choices=["wikidata", "insee"])
    link.add_argument("--endpoint", help="SPARQL endpoint (default: the public one)")
    link.add_argument("--batch-size", type=int, default=200, help="codes per query (200)")
    link.add_argument("--timeout", type=float, default=60.0, help="seconds per request (60)")
    link.add_argument("--retries", type=int, default=5, help="retries of a failing request (5)")
    link.add_argument("--output", help="output directory (default data/links/TARGET/)")
    link.add_argument("--reference-date", type=date.fromisoformat,
                      help="Insee: version valid on this day (default 2026-01-01)")
    link.add_argument("--kinds", help="comma-separated kinds of entity (default: all)")
    link.add_argument("--contact", help="e-mail or URL for the User-Agent (env TERRITOIRES_CONTACT)")
    resume = link.add_mutually_exclusive_group()
    resume.add_argument("--resume", dest="restart", action="store_false",
                        help="skip the batches an interrupted run finished (default)")
    resume.add_argument("--restart", dest="restart", action="store_true",
                        help="start over, ignoring an interrupted run")
    link.set_defaults(run=cmd_link, restart=False)


def main(argv: list[str] | None = None) -> int:
    # Imported here, not at the top: query executor processes re-import this script (the
    # "spawn" start method) and must not pay for rdflib.
    from .sources import SourceError

    args = parser().parse_args(argv)
    overrides = {k: getattr(args, k, None) for k in
                 ("base_uri", "data_dir", "output_dir", "host", "port", "workers", "threads",
                  "query_timeout", "store_url")}
    settings = config.from_environment().override(**overrides)
    try:
        return args.run(args, settings)
    except SourceError as error:
        print(f"territoires {args.command}: {error}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """The `territoires` command: `main`, then the process's end; once a command has left its
    graphs (_LEFT_TO_THE_EXIT), without the interpreter's teardown, which would free them one
    object at a time (about 0.9 s after a build) for a process about to vanish."""
    global _ENDING
    _ENDING = True
    status = main()
    if _LEFT_TO_THE_EXIT:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    run()
