"""`territoires import-territoires`: official lists per commune or per EPCI become a territory
source that the build validates and the server serves."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from territoires.build.pipeline import build
from territoires.cli import main
from territoires.sources import snapshot
from territoires.config import ROOT

from .conftest import BASE, settings_for, start_server
from .hostile.importer import LISTS

FIXTURES = Path(__file__).parent / "fixtures" / "import"
REFERENCE = ROOT / "data" / "reference"
SIX = ["242504116", "242504355", "200023075", "242504181", "200068070", "242500361"]
NAME = "Alliances Luxe & Précision, Doubs"
SLUG = "alliances-luxe-precision-doubs"
HEADER = ["insee_com", "lib_com", "id_ti", "lib_ti"]


def _reference():
    with gzip.open(REFERENCE / "communes.csv.gz", "rt", encoding="utf-8") as handle:
        names = {r["code"]: r["nom"] for r in csv.DictReader(handle) if r["type"] == "commune-actuelle"}
    with gzip.open(REFERENCE / "epci_membres.csv.gz", "rt", encoding="utf-8") as handle:
        members = [(r["epci"], r["commune"]) for r in csv.DictReader(handle) if r["epci"] in SIX]
    return names, members


NAMES, MEMBERS = _reference()


def per_commune_rows(skip: set[str] = frozenset()) -> list[list[str]]:
    """The official per-commune layout for the article's territory: every commune of its six EPCI."""
    return [[code, NAMES[code], "ti-2701", NAME] for _, code in MEMBERS if code not in skip]


def write(path: Path, rows: list[list[str]], header=HEADER, encoding="utf-8", delimiter=",") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["import-territoires", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def output_rows(directory: Path) -> list[dict]:
    with (directory / "territoires.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_six(directory: Path, identifier: str = "ti-2701") -> None:
    rows = output_rows(directory)
    assert sorted(r["epci_siren"] for r in rows) == sorted(SIX)
    official = {r["siren"]: r["nom"] for _, r in snapshot.rows(ROOT / "data" / "reference", "epci")}
    assert {r["epci_siren"]: r["epci_nom"] for r in rows} == {s: official[s] for s in SIX}
    assert {r["territoire"] for r in rows} == {SLUG}
    assert {r["nom"] for r in rows} == {NAME}
    assert {r["identifiant_officiel"] for r in rows} == {identifier}
    assert {r["phase"] for r in rows} == {"2"}


def test_per_commune_list_round_trips_to_the_six_epci(tmp_path, capsys):
    assert len(MEMBERS) == 252
    source = write(tmp_path / "liste.csv", per_commune_rows())
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, source, "--output", out, "--source-url",
                               "https://example.org/liste.csv")
    assert code == 0, stderr
    assert "missing" not in stderr            # every EPCI is wholly covered
    assert_six(out)
    assert "1 territories, 6 EPCI" in stdout
    description = Graph().parse(out / "source.ttl", publicID=BASE)
    graph = URIRef(BASE + "graph/territoires-import")
    fichier = URIRef(BASE + "graph/territoires-import#fichier")
    checksum = URIRef(BASE + "graph/territoires-import#sha256")
    text = description.serialize(format="nt")
    assert (graph, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), fichier) in description
    assert (fichier, URIRef("http://purl.org/dc/terms/title"), Literal("liste.csv")) in description
    assert hashlib.sha256(source.read_bytes()).hexdigest() in text
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence" in text
    assert "https://example.org/liste.csv" in text
    assert description.value(checksum, URIRef("http://spdx.org/rdf/terms#checksumValue")) is not None


def test_latin1_and_semicolons(tmp_path, capsys):
    source = write(tmp_path / "latin1.csv", per_commune_rows(), encoding="latin-1", delimiter=";")
    assert "Précision".encode("latin-1") in source.read_bytes()
    code, stdout, stderr = run(capsys, source, "--output", tmp_path / "out")
    assert code == 0, stderr
    assert "'latin-1'" not in stdout and "cp1252" in stdout and "';'" in stdout
    assert_six(tmp_path / "out")


def test_byte_order_mark(tmp_path, capsys):
    source = write(tmp_path / "bom.csv", per_commune_rows(), encoding="utf-8-sig")
    assert source.read_bytes().startswith(b"\xef\xbb\xbf")
    code, _, stderr = run(capsys, source, "--output", tmp_path / "out")
    assert code == 0, stderr
    assert_six(tmp_path / "out")


def test_renamed_columns_are_mapped_by_options(tmp_path, capsys):
    header = ["COM_CODE", "COM_NOM", "TI_ID", "TI_LIBELLE"]
    source = write(tmp_path / "renamed.csv", per_commune_rows(), header=header)
    code, _, stderr = run(capsys, source, "--output", tmp_path / "no")
    assert code == 1 and "no column for insee_com" in stderr and "--column" in stderr
    assert not (tmp_path / "no").exists()
    code, _, stderr = run(capsys, source, "--output", tmp_path / "out", "--column", "insee_com=COM_CODE",
                          "--column", "lib_com=COM_NOM", "--column", "id_ti=TI_ID",
                          "--column", "lib_ti=TI_LIBELLE")
    assert code == 0, stderr
    assert_six(tmp_path / "out")
    code, _, stderr = run(capsys, source, "--output", tmp_path / "x", "--column", "insee_com=NOPE")
    assert code == 1 and "NOPE" in stderr


def test_unknown_commune_code_names_file_and_line_and_writes_nothing(tmp_path, capsys):
    rows = per_commune_rows()
    rows.insert(9, ["99999", "Nulle-Part", "ti-2701", NAME])       # file line 11
    rows.insert(20, ["ABCDE", "Pas un code", "ti-2701", NAME])     # file line 22
    source = write(tmp_path / "bad.csv", rows)
    out = tmp_path / "out"
    code, _, stderr = run(capsys, source, "--output", out)
    assert code == 1
    assert f"{source}:11: commune 99999 (Nulle-Part) is not in the reference data" in stderr
    assert f"{source}:22: commune code 'ABCDE' is not an INSEE code" in stderr
    assert "nothing written" in stderr
    assert not (out / "territoires.csv").exists() and not (out / "source.ttl").exists()


def test_partly_covered_epci_is_a_warning_with_the_missing_communes(tmp_path, capsys):
    russey = sorted(code for epci, code in MEMBERS if epci == "242504355")
    missing = russey[:2]
    source = write(tmp_path / "partial.csv", per_commune_rows(skip=set(missing)))
    code, _, stderr = run(capsys, source, "--output", tmp_path / "out")
    assert code == 0, stderr
    warning = next(line for line in stderr.splitlines() if "242504355" in line)
    assert f"{source}:" in warning and "warning:" in warning
    assert f"covers {len(russey) - 2} of the {len(russey)} communes" in warning
    for commune in missing:
        assert f"{commune} {NAMES[commune]}" in warning
    assert_six(tmp_path / "out")       # the EPCI is still the territory's


def test_per_epci_layout(tmp_path, capsys):
    code, stdout, stderr = run(capsys, FIXTURES / "par-epci.csv", "--output", tmp_path / "out",
                               "--column", "lib_ti=Nom du territoire")
    assert code == 0, stderr
    assert "epci layout" in stdout
    assert_six(tmp_path / "out")
    bad = tmp_path / "bad-epci.csv"
    bad.write_text("id_ti,lib_ti,siren_epci\nti-1,Un territoire,242500361\n"
                   "ti-1,Un territoire,123456789\nti-1,Un territoire,12345\n", encoding="utf-8")
    code, _, stderr = run(capsys, bad, "--output", tmp_path / "bad")
    assert code == 1
    assert f"{bad}:3: EPCI SIREN 123456789 is not an EPCI of the reference data" in stderr
    assert f"{bad}:4: EPCI SIREN '12345' is not 9 digits" in stderr
    assert not (tmp_path / "bad").exists()


def test_contradictory_territory_names_are_errors(tmp_path, capsys):
    rows = per_commune_rows()
    rows[5][3] = "Autre nom"
    source = write(tmp_path / "contradiction.csv", rows)
    code, _, stderr = run(capsys, source, "--output", tmp_path / "out")
    assert code == 1 and f"{source}:7: territory ti-2701: name 'Autre nom' contradicts" in stderr


def _get(url: str, accept: str = "*/*") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


@pytest.mark.server   # starts real servers
def test_imported_list_validates_builds_and_is_served(data_copy, tmp_path, capsys):
    source = write(tmp_path / "liste.csv", per_commune_rows(), encoding="cp1252", delimiter=";")
    imported = data_copy / "data" / "territoires-import"
    # The article's territory is also in data/territoires/, dated to the day: the import keeps
    # those dates rather than the phase's default (2023-11), so the two sources agree.
    code = main(["--data-dir", str(data_copy / "data"), "import-territoires", str(source)])
    stderr = capsys.readouterr().err
    assert code == 0, stderr
    assert "also defined at" in stderr and "2023-11-09–2027 are kept" in stderr
    rows = (imported / "territoires.csv").read_text().splitlines()
    assert all(",2023-11-09,2027," in row for row in rows[1:]), rows[:3]
    assert (imported / "territoires.csv").exists() and (imported / "source.ttl").exists()

    # `territoires validate` in a process of its own, while this one builds the same data.
    validate = subprocess.Popen(
        [sys.executable, "-m", "territoires.cli", "--base-uri", BASE, "--data-dir",
         str(data_copy / "data"), "-q", "validate", str(imported)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    settings = settings_for(data_copy, tmp_path / "output")
    manifest = build(settings)
    assert BASE + "graph/territoires-import" in manifest.graphs
    out, err = validate.communicate(timeout=300)
    assert validate.returncode == 0, out + err

    process, url = start_server(settings, "--workers", "1")
    try:
        query = f"""SELECT ?epci WHERE {{ GRAPH <{BASE}graph/territoires-import> {{
            <{BASE}id/territoire/{SLUG}> <http://www.w3.org/ns/org#hasMember> ?epci }} }}"""
        status, body = _get(url + "sparql?query=" + urllib.parse.quote(query),
                            "application/sparql-results+json")
        assert status == 200
        found = sorted(b["epci"]["value"].rsplit("/", 1)[-1]
                       for b in json.loads(body)["results"]["bindings"])
        assert found == sorted(SIX)
        status, body = _get(f"{url}doc/territoire/{SLUG}.ttl")
        assert status == 200 and b"ti-2701" in body
        status, body = _get(f"{url}graph/territoires-import", "text/turtle")
        assert status == 200 and b"liste.csv" in body
    finally:
        process.terminate()
        process.wait(timeout=10)


# ---- hostile lists (tests/hostile/importer.py) ------------------------------------------------

@pytest.mark.parametrize("hostile", LISTS, ids=lambda h: h.why)
def test_a_hostile_list_is_refused_in_words(hostile, tmp_path, capsys):
    valid = [",".join(row) for row in per_commune_rows()]
    source = tmp_path / "liste.csv"
    source.write_bytes(hostile.make(valid))
    out = tmp_path / "out"
    code, _, stderr = run(capsys, source, "--output", out)
    assert code == 1, stderr
    assert hostile.says in stderr and "liste.csv:" in stderr, stderr[-500:]
    assert "Traceback" not in stderr
    assert not out.exists()


def test_messages_of_one_kind_are_summed_up(tmp_path, capsys):
    """A list repeating a commune ten thousand times warns fifty times, then counts the rest."""
    rows = per_commune_rows()
    source = write(tmp_path / "repeated.csv", rows + [rows[0]] * 10_000)
    code, stdout, stderr = run(capsys, source, "--output", tmp_path / "out")
    assert code == 0, stderr
    assert sum("warning: commune" in line and "is listed twice" in line
               for line in stderr.splitlines()) == 50
    assert "… and 9,950 more like: commune … is listed twice" in stderr
    assert len(stderr.splitlines()) < 60


def test_a_list_of_an_older_cog_is_carried_forward_with_a_warning_per_changed_code(
        tmp_path, capsys):
    """`--millesime 2023`: the list's codes are those of COG 2023 (read from the vendored
    vintage); the communes that merged since are counted as the commune they merged into,
    each with a warning, and the territory keeps the six EPCI of its year."""
    history = ROOT / "data" / "historique"

    def rows(year, name):
        with gzip.open(history / str(year) / f"{name}.csv.gz", "rt", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    codes = [r["commune"] for r in rows(2023, "epci_membres") if r["epci"] in SIX]
    names = {r["code"]: r["nom"] for r in rows(2023, "communes") if r["type"] == "commune-actuelle"}
    gone = {c for c in codes if c not in NAMES}
    assert gone, "the Doubs changed between 2023 and today"
    source = write(tmp_path / "liste-2023.csv", [[c, names[c], "ti-2701", NAME] for c in codes])
    code, _, stderr = run(capsys, source, "--output", tmp_path / "out", "--millesime", "2023")
    assert code == 0, stderr
    assert_six(tmp_path / "out")
    warned = {re.search(r"(\w+) \([^)]*\) of COG 2023 is", line).group(1)
              for line in stderr.splitlines() if "of COG 2023 is" in line}
    assert warned == gone
    code, _, stderr = run(capsys, source, "--output", tmp_path / "out2", "--millesime", "2020")
    assert code == 1 and "--millesime 2020: no commune list" in stderr


# ---- refusals that write nothing, options written as RDF terms (issue 20) ---------------------

def test_a_file_name_that_is_not_utf8_is_refused_and_nothing_is_written(tmp_path):
    """Through the real command line (the name reaches it as bytes, as a shell passes it)."""
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"liste-\xe9t\xe9.csv")          # Latin-1 bytes: no UTF-8 name
    write(folder / name, per_commune_rows())
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "territoires.cli", "import-territoires",
                           os.fsencode(folder / name), "--output", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 1, done.stderr
    assert "the file name is not UTF-8" in done.stderr and "liste-\\xe9t\\xe9.csv" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["in", name]   # no stray file


@pytest.mark.parametrize("option, value", [
    ("--source-url", "https://example.org/x> ; <http://purl.org/dc/terms/creator> <http://evil"),
    ("--source-url", "https://example.org/a b"),
    ("--source-url", "javascript:alert(1)"),
    ("--source-url", "liste.csv"),
    ("--licence", 'https://x.org/l> . <a> <b> "c'),
    ("--licence", "no scheme"),
])
def test_an_option_that_is_no_iri_is_refused(tmp_path, capsys, option, value):
    source = write(tmp_path / "liste.csv", per_commune_rows())
    out = tmp_path / "out"
    code, _, stderr = run(capsys, source, "--output", out, option, value)
    assert code == 1 and option in stderr, stderr
    assert "not an absolute IRI" in stderr or "not an http(s) URL" in stderr, stderr
    assert not out.exists()


def test_options_and_the_file_name_are_written_as_rdf_terms(tmp_path, capsys):
    """A file name holding Turtle's quotes and newlines is one literal; the IRIs given are the
    objects of their triples, nothing more."""
    name = 'liste " ; dcterms:creator "x\\\n.csv'
    source = write(tmp_path / name, per_commune_rows())
    out = tmp_path / "out"
    url, licence = "https://www.example.org/liste?a=1&b=é", "https://spdx.org/licenses/etalab-2.0"
    code, _, stderr = run(capsys, source, "--output", out, "--source-url", url,
                          "--licence", licence)
    assert code == 0, stderr
    graph = Graph().parse(out / "source.ttl", format="turtle", publicID=BASE)
    subject = URIRef(BASE + "graph/territoires-import")
    dcterms = "http://purl.org/dc/terms/"
    assert set(graph.objects(subject, URIRef(dcterms + "source"))) == {URIRef(url)}
    assert set(graph.objects(subject, URIRef(dcterms + "license"))) == {URIRef(licence)}
    assert set(graph.objects(URIRef(BASE + "graph/territoires-import#fichier"),
                             URIRef(dcterms + "title"))) == {Literal(name)}
    assert not list(graph.triples((None, URIRef(dcterms + "creator"), None)))


def test_a_failed_write_leaves_no_file(tmp_path, capsys, monkeypatch):
    """The second file failing (a full disk) removes the first one written aside: neither
    territoires.csv nor a temporary file is left."""
    import os

    from territoires.importer import writing

    source = write(tmp_path / "liste.csv", per_commune_rows())
    out = tmp_path / "out"
    real, calls = os.fdopen, []

    def full_disk_on_the_second(fd, *args, **kwargs):
        calls.append(fd)
        if len(calls) == 2:
            os.close(fd)
            raise OSError(28, "No space left on device")
        return real(fd, *args, **kwargs)

    monkeypatch.setattr(writing.os, "fdopen", full_disk_on_the_second)
    code, _, stderr = run(capsys, source, "--output", out)
    assert code == 1 and "No space left on device; nothing written" in stderr, stderr
    assert list(out.iterdir()) == []
