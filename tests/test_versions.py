"""Dataset versions and /changes: every published build kept (bounded), the triples added and
removed per named graph between consecutive versions, the RDF Patch that turns one dump into the
next, and a page that says it in words."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace

from territoires.build.pipeline import build
from territoires.web import create_app

from .conftest import settings_for


def quads(build_dir) -> set[bytes]:
    return set(gzip.decompress((build_dir / "dump" / "territoires.nq.gz").read_bytes()).splitlines())


def graph_of(line: bytes) -> str:
    return line.rsplit(b" ", 2)[1].strip(b"<>").decode()


def test_versions_are_kept_with_their_changes_and_patch(data_copy, tmp_path):
    settings = replace(settings_for(data_copy, tmp_path / "out"), versions_kept=3)
    first = build(settings)
    old = quads(settings.current_build.resolve())
    # A change a data steward makes: a person's name spelt otherwise in the article's graph
    # (in every property that states it: the shapes check that they agree).
    article = data_copy / "data" / "article" / "gouvernance.ttl"
    article.write_text(article.read_text(encoding="utf-8").replace("Bôle", "Bole"),
                       encoding="utf-8")
    second = build(settings)
    new = quads(settings.current_build.resolve())
    assert first.version != second.version

    client = create_app(settings).test_client()
    listed = json.loads(client.get("/changes", headers={"Accept": "application/json"}).data)
    assert [v["version"] for v in listed] == [second.version, first.version]
    changes = listed[0]["changes"]
    assert changes["previous"] == first.version
    for kind, lines in (("added", new - old), ("removed", old - new)):
        expected = {}
        for line in lines:
            expected[graph_of(line)] = expected.get(graph_of(line), 0) + 1
        assert changes[kind] == expected and expected, kind

    patch = client.get(f"/changes/{second.version}.rdfp")
    assert patch.status_code == 200 and patch.content_type.startswith("application/rdf-patch")
    assert patch.headers["ETag"] and patch.headers["Cache-Control"].startswith("public")
    again = client.get(f"/changes/{second.version}.rdfp",
                       headers={"If-None-Match": patch.headers["ETag"]})
    assert again.status_code == 304
    lines = patch.data.decode().splitlines()
    assert lines[0] == f"H id <urn:territoires:version:{second.version}> ."
    assert f"H prev <urn:territoires:version:{first.version}> ." in lines
    applied = set(old)
    for line in lines:
        if line.startswith("D "):
            applied.remove(line[2:].encode())
        elif line.startswith("A "):
            applied.add(line[2:].encode())
    assert applied == new

    page = client.get("/changes", headers={"Accept": "text/html"}).data.decode()
    assert second.version in page and first.version in page and "retiré" in page
    assert client.get("/changes/0000000000000000.rdfp").status_code == 404


def test_retention_is_bounded(data_copy, tmp_path):
    settings = replace(settings_for(data_copy, tmp_path / "out"), versions_kept=2)
    article = data_copy / "data" / "article" / "gouvernance.ttl"
    text = article.read_text(encoding="utf-8")
    made = []
    for name in ("Bole", "Bôle-A", "Bôle-B"):
        article.write_text(text.replace("Bôle", name), encoding="utf-8")
        made.append(build(settings).version)
    kept = [json.loads((d / "build.json").read_text())["version"]
            for d in (settings.output_dir / "builds").iterdir()]
    assert sorted(kept) == sorted(made[-2:])
