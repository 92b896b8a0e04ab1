"""The validation report published with the data (issue 9, item 6): every build stores its SHACL
report, warnings included, and a DQV summary; the server serves it at /validation (RDF and HTML,
negotiated, cached like VoID); VoID and DCAT link to it; the home page shows its verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from territoires.build.pipeline import build
from territoires.vocabulary.namespaces import RDF, SH
from territoires.build.quality import DQV

from .conftest import BASE, settings_for
from .test_build import run_cli

VALIDATION = URIRef(BASE + "validation")
DATASET = URIRef(BASE + ".well-known/void#territoires")


def served(client, path: str = "/validation", accept: str = "text/turtle") -> Graph:
    answer = client.get(path, headers={"Accept": accept})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return Graph().parse(data=answer.get_data(as_text=True), format="turtle")


@pytest.mark.build   # a build of its own
def test_the_published_report_is_what_validate_prints(client, settings, published, monkeypatch):
    monkeypatch.setenv("TERRITOIRES_ONTOLOGY_DIR", str(settings.ontology_dir))
    monkeypatch.setenv("TERRITOIRES_SHAPES_DIR", str(settings.shapes_dir))
    printed = run_cli("--quiet", "--data-dir", settings.data_dir, "validate", "--format", "turtle")
    assert printed.returncode == 0, printed.stderr
    from_cli = Graph().parse(data=printed.stdout, format="turtle")
    from_server = served(client)
    stored = Graph().parse(settings.current_build / published.validation, format="nt")
    assert len(from_cli) > 100
    assert isomorphic(from_cli, from_server), "the served report is not validate's"
    assert isomorphic(from_server, stored)


def _measure(graph: Graph, metric: str, on: URIRef) -> int:
    for measurement in graph.subjects(DQV.isMeasurementOf, URIRef(f"{VALIDATION}#{metric}")):
        if (measurement, DQV.computedOn, on) in graph:
            return int(graph.value(measurement, DQV.value))
    raise AssertionError(f"no measurement of {metric} on {on}")


def test_the_summary_counts_the_report(client, published):
    graph = served(client)
    report = URIRef(f"{VALIDATION}#rapport")
    assert (report, RDF.type, SH.ValidationReport) in graph
    assert graph.value(report, SH.conforms) == Literal(True)
    results = list(graph.objects(report, SH.result))
    by_severity = {s: sum(1 for r in results if graph.value(r, SH.resultSeverity) == s)
                   for s in (SH.Violation, SH.Warning, SH.Info)}
    assert _measure(graph, "violations", DATASET) == by_severity[SH.Violation] == 0
    assert _measure(graph, "avertissements", DATASET) == by_severity[SH.Warning]
    assert _measure(graph, "formes", DATASET) > 100
    checked = _measure(graph, "noeuds-controles", DATASET)
    per_graph = {g: _measure(graph, "noeuds-controles", URIRef(g)) for g in published.graphs}
    assert 0 < max(per_graph.values()) <= checked
    assert per_graph[BASE + "graph/cog"] > 500           # the communes, EPCI… of the Doubs cut
    for g in published.graphs:                            # every graph has its measurements
        assert (URIRef(g), DQV.hasQualityMeasurement, None) in graph


def test_a_build_with_only_warnings_publishes_them(data_copy, tmp_path):
    figures = data_copy / "data" / "article" / "statistiques.ttl"
    figures.write_text(figures.read_text().replace('"2906"^^xsd:decimal', '"2.906"^^xsd:decimal'))
    settings = settings_for(data_copy, tmp_path / "output")
    manifest = build(settings)
    graph = Graph().parse(settings.current_build / manifest.validation, format="nt")
    warned = [r for r in graph.subjects(SH.sourceShape, URIRef(BASE + "shapes/territoires#Plausible-salaire"))]
    assert len(warned) == 1
    assert graph.value(warned[0], SH.resultSeverity) == SH.Warning
    assert graph.value(warned[0], SH.value) == Literal("2.906", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#decimal"))
    assert graph.value(URIRef(f"{VALIDATION}#rapport"), SH.conforms) == Literal(True)


def test_void_and_dcat_link_to_the_report(client):
    for path in ("/.well-known/void", "/catalogue"):
        graph = served(client, path)
        assert (DATASET, DQV.hasQualityMetadata, VALIDATION) in graph, path
        assert (DATASET, DQV.hasQualityMeasurement, URIRef(f"{VALIDATION}#violations-jeu")) in graph


def test_the_report_is_negotiated_and_cached_like_void(client):
    page = client.get("/validation", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "text/html" in page.content_type
    assert 'id="verdict"' in page.get_data(as_text=True)
    assert "Accept" in page.headers["Vary"]
    as_jsonld = client.get("/validation.jsonld")
    assert as_jsonld.status_code == 200 and as_jsonld.content_type.startswith("application/ld+json")
    turtle = client.get("/validation", headers={"Accept": "text/turtle"})
    assert turtle.headers["Cache-Control"].startswith("public, max-age=")
    assert turtle.headers["Last-Modified"]
    again = client.get("/validation", headers={"Accept": "text/turtle",
                                               "If-None-Match": turtle.headers["ETag"]})
    assert again.status_code == 304


def test_the_home_page_shows_the_verdict(client):
    graph = served(client)
    warnings = _measure(graph, "avertissements", DATASET)
    home = client.get("/").get_data(as_text=True)
    verdict = home[home.index('id="validation"'):].split("</p>", 1)[0]
    assert "conforme / conforms" in verdict and 'href="/validation"' in verdict
    assert f"{warnings} avertissement(s)" in verdict


def test_an_older_build_without_report_is_still_served(published, settings, tmp_path):
    from dataclasses import replace
    from territoires.store.local import LocalStore
    store = LocalStore.open(settings.current_build.resolve())
    store.manifest = replace(store.manifest, validation="")
    assert store.validation() == []
    assert Path(settings.current_build / published.validation).exists()
