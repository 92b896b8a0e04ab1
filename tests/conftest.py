"""Shared fixtures, by layer:

- the fast layer: the small sources (tests/small_data.py) built once, their store, and the app
  on them in-process (`small`, `small_store`, `app`, `client`);
- the build layer: tests that make builds or SHACL validations of their own (a changed copy
  of the sources, a second build, one validation per mutation): in-process but seconds each;
- the server layer: a real gunicorn (`server`) on the small build;
- the full layer: the real sources mapped once and built once (`sources`, `published`, `store`),
  for what only the whole official data can show.

A test's layer follows from the fixtures it uses (see `pytest_collection_modifyitems`):
`make test-fast` runs the fast layer alone; a test of the build layer that no fixture names is
marked `@pytest.mark.build` where it is defined."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from territoires.build.pipeline import build, map_sources
from territoires.config import Settings
from territoires.store import Manifest
from territoires.store.local import LocalStore
from territoires.web import create_app

from .small_data import make_small_data

BASE = "https://data.example.fr/"

# Fixtures that put a test in a slower layer than the fast one.
FULL = {"full_settings", "full_sources", "full_build", "full_store", "full_server"}
SERVER = {"server", "loaded", "private", "strict", "federating", "listener", "wikidata",
          "endpoints", "behind"}
BUILD = {"data_copy", "outcomes", "other_base", "programme_settings"}
BROWSER = {"browser"}
# Modules whose server tests assert times (an answer under a second while an attack runs): those
# run alone, after the parallel part of `make test`, so the other worker's load cannot fail them.
SERIAL = {"test_outages", "test_slow_clients", "test_sparql_safety", "test_failover",
          "test_bench_smoke"}


def pytest_collection_modifyitems(items):
    for item in items:
        fixtures = set(item.fixturenames)
        if fixtures & BROWSER:
            item.add_marker("browser")
        if fixtures & FULL:
            item.add_marker("full")
        if fixtures & SERVER:
            item.add_marker("server")
        if fixtures & BUILD:
            item.add_marker("build")
        if (item.get_closest_marker("server")
                and item.module.__name__.rpartition(".")[2] in SERIAL):
            item.add_marker("serial")


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    """The small sources (tests/small_data.py), made once, and where they are built."""
    root = make_small_data(tmp_path_factory.mktemp("small"))
    return settings_for(root, root / "output")


@pytest.fixture(scope="session")
def published(settings) -> Manifest:
    """The small sources built once and published under `settings.output_dir`: the build the
    fast and server layers read; returns its manifest."""
    return build(settings)


@pytest.fixture(scope="session")
def store(published, settings) -> LocalStore:
    """The published build's store as the server opens it."""
    return LocalStore.open(settings.current_build.resolve())


@pytest.fixture(scope="session")
def app(published, settings):
    """The web front end on the small build, in this process (one query executor)."""
    return create_app(replace(settings, query_executors=1))


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def full_settings(tmp_path_factory, worker_id) -> Settings:
    """The whole real data, and where it is built: one directory for the whole run, which the
    parallel workers of `pytest -n` share (see `full_build`)."""
    root = tmp_path_factory.getbasetemp()
    shared = root if worker_id == "master" else root.parent
    return Settings(base_uri=BASE, output_dir=shared / "full")


@pytest.fixture(scope="session")
def full_sources(full_settings):
    """Every real source mapped to RDF (not validated, not published)."""
    return map_sources(full_settings, lambda _: None)


@pytest.fixture(scope="session")
def full_build(full_settings) -> Manifest:
    """The whole real data built once per run, as `make run` builds it; returns its manifest.
    The first worker to need it builds it under a lock and the others read it (a build is 40 s
    and 1.3 GiB: two at once on two cores would cost both workers that time). The full layer
    only reads that build, never rebuilds into it."""
    import fcntl

    # Not output/.lock: the build takes that one itself, and refuses to wait on it.
    with open(full_settings.output_dir.with_name("full-build.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (full_settings.current_build / "build.json").exists():
            return Manifest.read(full_settings.current_build.resolve())
        return build(full_settings)


@pytest.fixture(scope="session")
def full_store(full_build, full_settings) -> LocalStore:
    return LocalStore.open(full_settings.current_build.resolve())


@pytest.fixture()
def data_copy(settings, tmp_path) -> Path:
    """A private copy of the small sources (data/, ontology/, shapes/) that a test may break."""
    for name in ("data", "ontology", "shapes"):
        shutil.copytree(settings.data_dir.parent / name, tmp_path / name)
    return tmp_path


def settings_for(root: Path, output: Path, base: str = BASE) -> Settings:
    return Settings(base_uri=base, data_dir=root / "data", ontology_dir=root / "ontology",
                    shapes_dir=root / "shapes", output_dir=output)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings: Settings, *extra: str, env: dict | None = None):
    """`territoires serve` as a real process (gunicorn) on a free loopback port; returns
    (process, base URL) once it answers."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    import tempfile

    port = free_port()
    # Its log in a file, not a pipe: a pipe nobody reads fills and stops the server, and a
    # failing test can quote the file (server_log).
    log = tempfile.NamedTemporaryFile("w+", prefix=f"server-{port}-", suffix=".log")
    process = subprocess.Popen(
        [sys.executable, "-m", "territoires.cli", "--output-dir", str(settings.output_dir),
         "serve", "--host", "127.0.0.1", "--port", str(port), *extra],
        env={**os.environ, **(env or {})},   # the base is the build's
        stdout=subprocess.DEVNULL, stderr=log, text=True)
    process.log = log
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {server_log(process)}")
        try:
            urllib.request.urlopen(url + "sparql?query=ASK%7B%7D", timeout=2).read()
            return process, url
        except Exception:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not answer within 30 s")


@pytest.fixture(scope="session")
def server(published, settings):
    """The production server (gunicorn, 2 workers) serving the session's build."""
    process, url = start_server(settings, "--workers", "2")
    yield url
    stop(process)


def wait_until_served(url: str, version: str, timeout: float = 60) -> None:
    """Wait until the server at `url` serves `version`: a new build is prepared (its indexes
    built) before it is served, in a few seconds."""
    import json
    import time
    import urllib.request

    deadline, running = time.monotonic() + timeout, 0
    while True:   # several answers in a row, on fresh connections: every worker has switched
        request = urllib.request.Request(url + "dump/", headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            running = running + 1 if json.loads(answer.read())["version"] == version else 0
        if running == 8:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} does not serve version {version} after {timeout} s")
        time.sleep(0.1)


def server_log(process, tail: int = 4000) -> str:
    """The end of what a server started by `start_server` has written to stderr."""
    with open(process.log.name, encoding="utf-8", errors="replace") as log:
        return log.read()[-tail:]


def stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except Exception:
        process.kill()


@pytest.fixture(scope="session")
def full_server(full_build, full_settings):
    """The production server (gunicorn, 2 workers) serving the whole real data."""
    process, url = start_server(full_settings, "--workers", "2")
    yield url
    stop(process)


@pytest.fixture(scope="session")
def sources(settings):
    """The small sources mapped to RDF (not validated, not published)."""
    return map_sources(settings, lambda _: None)


SOURCE_DESCRIPTION = """@prefix ti: <def/territoires#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix pav: <http://purl.org/pav/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<graph/{name}> a ti:SourceGraph ;
    dcterms:title {title}@fr , "Test source"@en ;
    prov:wasDerivedFrom <https://example.org/{name}> ;
    dcterms:source <https://example.org/{name}> ;
    dcterms:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence> ;
    pav:retrievedOn "2026-01-01"^^xsd:date .
"""


def serve_copy(settings: Settings, root: Path, *extra: str, env: dict | None = None):
    """A server of its own on a copy of the session build, in an output directory under `root`
    that the test may rebuild into; returns (its settings, process, base URL)."""
    import os

    output = root / "output"
    live = settings.current_build.resolve()
    shutil.copytree(live, output / "builds" / live.name)
    os.symlink(f"builds/{live.name}", output / "current")
    private = settings_for(root, output)
    process, url = start_server(private, *extra, env=env)
    return private, process, url


def organisation_turtle(label: str) -> str:
    """A curated source's Turtle: one organisation, <id/organisation/essai>, named `label`,
    citing its source as every curated resource must."""
    return f"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ti: <def/territoires#> .
<id/organisation/essai> a org:FormalOrganization , schema:Organization ;
    skos:prefLabel "{label}"@fr ;
    ti:modeEtablissement <def/mode-etablissement/cite> ;
    dcterms:source <id/document/article-grand-besancon-territoire-d-industrie> .
"""


def copy_with_extra_source(settings: Settings, root: Path, name: str, title: str,
                           turtle: str) -> Path:
    """Copy the sources of `settings` (data/, ontology/, shapes/) under root and add a curated
    Turtle source `name` (graph/{name}) holding `turtle`; returns root."""
    import json

    for part in ("data", "ontology", "shapes"):
        shutil.copytree(settings.data_dir.parent / part, root / part)
    directory = root / "data" / name
    directory.mkdir()
    (directory / "source.ttl").write_text(
        SOURCE_DESCRIPTION.format(name=name, title=json.dumps(title, ensure_ascii=False)),
        encoding="utf-8")
    (directory / f"{name}.ttl").write_text(turtle, encoding="utf-8")
    return root


def app_with_extra_source(settings: Settings, root: Path, name: str, title: str, turtle: str):
    """The app on a build of the sources of `settings` plus the curated source `turtle`."""
    from territoires.build.pipeline import build
    from territoires.web import create_app

    extended = settings_for(copy_with_extra_source(settings, root, name, title, turtle),
                            root / "output")
    build(extended)
    return create_app(extended)
