"""`territoires build` and `territoires validate` as a data steward runs them."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
import pytest

from territoires.store import statistics
from territoires.build.pipeline import build, map_sources
from territoires.cli import main

from .conftest import BASE


def run_cli(*args) -> SimpleNamespace:
    """`territoires ARGS` as a steward runs it, in this process: its exit status and what it
    printed on each stream."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(arg) for arg in args])
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root (following the `current` link) with the hash of its bytes."""
    digests = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != ".lock":
            digests[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    digests["current ->"] = os.readlink(root / "current")
    return digests


def test_manifest_and_dumps(published, settings):
    current = settings.current_build
    manifest = json.loads((current / "build.json").read_text())
    assert manifest == json.loads(published.to_json())
    assert re.fullmatch(r"[0-9a-f]{16}", manifest["version"])
    assert set(manifest["graphs"]) == {f"{BASE}graph/{g}" for g in
                                       ("cog", "ontologie", "territoires", "article-grand-besancon", "sources",
                                        "historique", "liens-geo-api", "liens-annuaire-entreprises",
                                        "populations", "programme", "contours", "cube-normalise")}
    assert manifest["quads"] == sum(manifest["graphs"].values())
    nquads = gzip.decompress((current / "dump/territoires.nq.gz").read_bytes())
    assert len(list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))) == manifest["quads"]
    ntriples = gzip.decompress((current / "dump/territoires.nt.gz").read_bytes())
    assert len(list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))) == manifest["triples"]
    turtle = gzip.decompress((current / "dump/territoires.ttl.gz").read_bytes())
    assert len(set(ox.parse(turtle, format=ox.RdfFormat.TURTLE))) == manifest["triples"]
    store = ox.Store.read_only(str(current / "store"))
    # The named graphs, plus their union materialized once in the default graph.
    assert manifest["default_graph"] == "union"
    in_default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert in_default == manifest["triples"]
    assert len(store) == manifest["quads"] + manifest["triples"]
    assert {str(g.value) for g in store.named_graphs()} == set(manifest["graphs"])


def test_every_named_graph_is_described(store):
    query = f"""PREFIX ti: <{BASE}def/territoires#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?g WHERE {{ GRAPH ?g {{}} FILTER NOT EXISTS {{
            GRAPH <{BASE}graph/sources> {{ ?g a ti:SourceGraph ; dcterms:license ?l }} }} }}"""
    assert list(store.engine.query(query)) == []


@pytest.mark.build   # a build of its own
def test_same_inputs_same_hash_and_bytes(published, settings, tmp_path):
    again = build(replace(settings, output_dir=tmp_path))
    assert again.version == published.version
    for dump in ("territoires.nq.gz", "territoires.nt.gz", "territoires.ttl.gz"):
        first = (settings.current_build / "dump" / dump).read_bytes()
        assert (tmp_path / "current" / "dump" / dump).read_bytes() == first, dump


def test_invalid_source_fails_and_leaves_the_published_output_byte_identical(
        published, settings, data_copy):
    before = tree_digest(settings.output_dir)
    people = data_copy / "data" / "article" / "gouvernance.ttl"
    text = people.read_text()
    assert 'foaf:name "Cédric Bôle"' in text
    people.write_text(text.replace('foaf:name "Cédric Bôle"', 'foaf:nick "Cédric Bôle"'))

    result = run_cli("--data-dir", data_copy / "data", "--output-dir", settings.output_dir, "build")

    assert result.returncode == 1
    assert "nothing was published" in result.stderr
    assert re.search(r"gouvernance\.ttl:\d+: Violation", result.stderr), result.stderr
    assert "id/personne/cedric-bole" in result.stderr
    assert tree_digest(settings.output_dir) == before


def test_bad_csv_names_file_and_line_and_publishes_nothing(published, settings, data_copy):
    before = tree_digest(settings.output_dir)
    csv_path = data_copy / "data" / "territoires" / "territoires.csv"
    lines = csv_path.read_text().splitlines()
    lines[2] = lines[2].replace("Plateau du Russey", "Plateau du Rousset")
    csv_path.write_text("\n".join(lines) + "\n")

    result = run_cli("--data-dir", data_copy / "data", "--output-dir", settings.output_dir, "build")

    assert result.returncode == 1
    assert re.search(r"territoires\.csv:3: epci_libelle_source 'Plateau du Rousset' matches no EPCI",
                     result.stderr), result.stderr
    assert tree_digest(settings.output_dir) == before


def test_ambiguous_name_fails_loudly(settings, data_copy):
    # Two official EPCI are named "CC du Pays de …"-alike only within several départements;
    # without a département, a name shared by several EPCI must not be guessed.
    from territoires.vocabulary.names import name_key
    from territoires.sources.territories import EpciIndex

    sources = map_sources(settings, lambda _: None)
    index = EpciIndex(next(g.graph for g in sources.graphs if g.name == "cog"), sources_vocab())
    shared = next(key for key, sirens in index.by_key.items() if len(sirens) > 1)
    siren = index.by_key[shared][0]
    csv_path = data_copy / "data" / "territoires" / "territoires.csv"
    csv_path.write_text(csv_path.read_text()
                        + f"autre,Autre,2,2023-11-09,2027,{siren},{index.by_siren[siren].name},"
                          f"{shared},,\n")

    result = run_cli("--data-dir", data_copy / "data", "validate")

    assert result.returncode == 1
    assert "is ambiguous" in result.stderr and "territoires.csv:13" in result.stderr
    assert name_key(index.by_siren[siren].name) == shared


def sources_vocab():
    from territoires.vocabulary.namespaces import Vocabulary
    return Vocabulary(BASE)


def test_validate_reports_file_line_as_text_and_json(data_copy):
    people = data_copy / "data" / "article" / "gouvernance.ttl"
    people.write_text(people.read_text().replace('foaf:name "Nathalie Augé"', 'foaf:nick "N. A."'))

    text = run_cli("--data-dir", data_copy / "data", "validate", people)
    as_json = run_cli("--data-dir", data_copy / "data", "validate", "--format", "json", people)
    turtle = run_cli("--data-dir", data_copy / "data", "validate", "--format", "turtle", people)

    assert text.returncode == as_json.returncode == turtle.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["conforms"] is False
    hit = next(r for r in report["results"] if r["focusNode"].endswith("id/personne/nathalie-auge"))
    assert hit["file"] == str(people) and isinstance(hit["line"], int)
    assert people.read_text().splitlines()[hit["line"] - 1].strip()  # points at a real line
    assert hit["resultPath"] == "http://xmlns.com/foaf/0.1/name"
    assert hit["message"]["fr"] and hit["message"]["en"]
    assert f"gouvernance.ttl:{hit['line']}: Violation" in text.stdout
    assert "sh:ValidationReport" in turtle.stdout or "ValidationReport" in turtle.stdout


@pytest.mark.build   # a build of its own
def test_validate_conforms_on_the_real_sources(settings):
    """`territoires validate` on the real sources cut to the Doubs (the whole data is validated
    by every build: see test_the_whole_real_data_builds)."""
    result = run_cli("--data-dir", settings.data_dir, "validate", "--format", "json")
    assert result.returncode == 0, result.stdout[-2000:]
    report = json.loads(result.stdout)
    assert report["conforms"] is True
    # Every resource now cites its source and says how it was established: nothing to report.
    assert report["results"] == [], report["results"][:3]


def test_the_whole_real_data_builds(full_build, full_settings):
    """The whole official data and every curated source conform, so the build published them,
    with every graph of the small build and the whole of France's communes."""
    manifest = json.loads((full_settings.current_build / "build.json").read_text())
    # the same, but for the date a manifest read back from its file takes from the file
    # (full_build is read back in every worker but the one that built it)
    assert manifest == {key: value for key, value in json.loads(full_build.to_json()).items()
                        if key != "published_at"}
    assert set(full_build.graphs) == {f"{BASE}graph/{name}" for name in (
        "cog", "liens-geo-api", "liens-annuaire-entreprises", "historique", "territoires",
        "ontologie", "article-grand-besancon", "contours", "programme", "populations", "sources",
        "cube-normalise")}
    assert full_build.quads > 500_000
    assert full_build.graphs[f"{BASE}graph/cog"] > 400_000


@pytest.mark.build   # a build of its own
def test_base_uri_sets_every_minted_iri(settings, tmp_path):
    other = "http://127.0.0.1:8000/"
    sources = map_sources(replace(settings, base_uri=other, output_dir=tmp_path), lambda _: None)
    subjects = {str(s) for g in sources.graphs for s in g.graph.subjects()}
    assert f"{other}id/epci/242500361" in subjects
    assert f"{other}id/territoire/alliances-luxe-precision-doubs" in subjects
    assert not any(s.startswith(BASE) for s in subjects)


def test_the_void_statistics_are_computed_at_build_time(published, settings, store):
    """The server reads them from the build (no per-worker scan); they equal a scan of the
    union as the server sees it."""
    saved = statistics.load(settings.current_build)
    assert saved is not None
    scanned = statistics.compute(store)
    assert saved.triples == published.triples == scanned.triples
    assert (saved.entities, saved.classes, saved.properties, saved.graphs, saved.linksets) == \
        (scanned.entities, scanned.classes, scanned.properties, scanned.graphs, scanned.linksets)
    assert saved.graphs == published.graphs


@pytest.mark.build   # a build of its own
def test_a_second_build_learns_at_once_that_one_is_running(settings, published, tmp_path):
    """The lock is taken before any work: the second build does not map and validate first."""
    import fcntl

    from territoires.build.pipeline import BuildFailed

    output = tmp_path / "output"
    output.mkdir()
    said = []
    with open(output / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            build(replace(settings, output_dir=output), said.append)
            raise AssertionError("the second build ran")
        except BuildFailed as failure:
            assert "another build is running" in str(failure)
    assert said == []   # nothing mapped, nothing validated


def test_what_a_killed_build_left_is_removed_by_the_next(settings, published, data_copy,
                                                          tmp_path):
    output = tmp_path / "output"
    first = build(replace(settings, output_dir=output))
    left = output / "builds" / "20260101T000000-99999"
    (left / "store").mkdir(parents=True)
    (left / "dump").mkdir()
    (left / "dump" / "territoires.nq.gz").write_bytes(b"x" * 1000)
    people = data_copy / "data" / "article" / "gouvernance.ttl"
    people.write_text(people.read_text().replace('foaf:name "Cédric Bôle"', 'foaf:nick "C. B."'))
    result = run_cli("--data-dir", data_copy / "data", "--output-dir", output, "build")
    assert result.returncode == 1            # the build fails, and still cleans up first
    assert not left.exists()
    assert json.loads((output / "current" / "build.json").read_text())["version"] == first.version


@pytest.mark.build   # a build of its own
def test_a_failed_write_fails_in_words(settings, published, tmp_path):
    """A write refused by the system (here every file capped at 100 kB, as a full disk stops
    them), in the build or in its writer process: `territoires build: <what failed>`, exit 1,
    no traceback, nothing published, nothing left behind."""
    import resource
    import signal
    import subprocess
    import sys

    output = tmp_path / "output"
    build(replace(settings, output_dir=output))
    before = tree_digest(output)

    def capped() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a failed write, not a killed process

    result = subprocess.run(
        [sys.executable, "-m", "territoires.cli", "--base-uri", settings.base_uri,
         "--data-dir", str(settings.data_dir), "--output-dir", str(output), "build"],
        preexec_fn=capped, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "territoires build: could not write the build" in result.stderr
    assert "File too large" in result.stderr and "nothing was published" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(output) == before


def test_a_fact_two_sources_disagree_on_names_both_places(data_copy):
    """The territory list and the article date the label differently: the report names the
    article's line and the list's row."""
    listing = data_copy / "data" / "territoires" / "territoires.csv"
    listing.write_text(listing.read_text().replace("2023-11-09,2027", "2023-09-11,2027"))
    result = run_cli("--data-dir", data_copy / "data", "validate", listing.parent,
                     data_copy / "data" / "article")
    assert result.returncode == 1
    article = (data_copy / "data" / "article" / "territoire.ttl").read_text().splitlines()
    line = next(i for i, text in enumerate(article, 1) if "ti:dateLabellisation" in text)
    assert re.search(rf"territoire\.ttl:{line}: Violation: .*date de labellisation.*\n"
                     rf"(    .*\n)*?    also stated at \S*territoires\.csv:2\n", result.stdout), \
        result.stdout[:3000]
