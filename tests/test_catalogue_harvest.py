"""A catalogue harvested as meant: what data.gouv.fr's harvester (udata) would read from
`/catalogue` (tests/udata_dcat.py reproduces its reading), the contact point set at build, and
DCAT-AP 3's SHACL shapes (vendored unmodified in vendor/dcat-ap/) run on it with pyshacl."""

from __future__ import annotations

import datetime
import shutil
import urllib.request
import warnings
from dataclasses import replace

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from territoires import queries
from territoires.build.pipeline import build
from territoires.config import ROOT, from_environment
from territoires.web import create_app
from territoires.web.metadata.dcat import day
from territoires.web.metadata.texts import DESCRIPTION, TITLE

from .conftest import settings_for
from .udata_dcat import harvest

LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
DCAT_AP = ROOT / "vendor" / "dcat-ap"
# Warnings of DCAT-AP's recommended shapes we accept, and why (README, "The catalogue"):
ACCEPTED = {
    # The catalogue's spatial coverage is the EU authority's France: no geometry is published.
    ("http://publications.europa.eu/resource/authority/country/FRA", "http://www.w3.org/ns/dcat#bbox"),
    ("http://publications.europa.eu/resource/authority/country/FRA",
     "http://www.w3.org/ns/dcat#centroid"),
    # When the catalogue was first issued is not known to a build (dct:modified is given).
    ("{base}catalogue", "http://purl.org/dc/terms/issued"),
    # The publisher's kind (ADMS publisher type) depends on who publishes: not said.
    ("{base}id/organisation/projet-territoires", "http://purl.org/dc/terms/type"),
}


def fetch(url: str, accept: str = "*/*") -> tuple[str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read().decode("utf-8"), answer.headers["Content-Type"]


def test_udata_reads_the_french_title_and_the_temporal_coverage(server, store):
    """udata's harvest of /catalogue (fetched as it fetches: Accept */*): one dataset, its
    French title and description, its licence, its temporal coverage read inline as dates, a
    contact point, and the distributions."""
    text, content_type = fetch(server + "catalogue")
    found = harvest(text, content_type)
    assert len(found) == 1
    dataset = found[0]
    assert (dataset.title, dataset.title_language) == (TITLE["fr"], "fr")
    assert dataset.first_title_language == "fr"    # for a reader that takes the first one
    assert dataset.description == DESCRIPTION["fr"]
    assert dataset.licences == [LICENCE_OUVERTE]
    assert dataset.would_fetch == []               # nothing to fetch from elsewhere
    row = next(iter(store.select(queries.get("metadata/temporal-coverage"))))
    expected = (datetime.date.fromisoformat(day(row["from"].value)),
                datetime.date.fromisoformat(day(row["to"].value, last=True)))
    assert dataset.temporal == expected and expected[0] < expected[1]
    assert dataset.contact_points == [("Projet territoires", None, None)]
    urls = {d["url"]: d for d in dataset.distributions}
    dumps = [d for d in urls if "/dump/" in d]
    assert len(dumps) == 6 and all(urls[d]["licence"] == LICENCE_OUVERTE for d in dumps)
    assert {urls[d]["format"] for d in dumps} == {"rdf_turtle", "rdf_n_triples", "rdf_n_quads",
                                                  "csv"}
    assert urls[store.base + "sparql"]["api"] is True
    assert dataset.spatial == []     # udata reads geometries only; none is published


@pytest.mark.build   # a build of its own
def test_contact_point_is_set_at_build(settings, tmp_path):
    """TERRITOIRES_CONTACT_POINT_* at build time: recorded in the manifest, read by udata."""
    for part in ("data", "ontology", "shapes"):
        shutil.copytree(settings.data_dir.parent / part, tmp_path / part)
    given = from_environment({"TERRITOIRES_CONTACT_POINT_NAME": "Cellule données",
                              "TERRITOIRES_CONTACT_POINT_EMAIL": "donnees@example.fr",
                              "TERRITOIRES_CONTACT_POINT_URL": "https://example.fr/contact"})
    built = replace(settings_for(tmp_path, tmp_path / "output"),
                    contact_point_name=given.contact_point_name,
                    contact_point_email=given.contact_point_email,
                    contact_point_url=given.contact_point_url)
    manifest = build(built)
    assert manifest.contact_point["email"] == "donnees@example.fr"
    client = create_app(replace(built, query_executors=1)).test_client()
    answer = client.get("/catalogue", headers={"Accept": "text/turtle"})
    dataset = harvest(answer.get_data(as_text=True), answer.headers["Content-Type"])[0]
    assert dataset.contact_points == [("Cellule données", "donnees@example.fr",
                                       "https://example.fr/contact")]


@pytest.mark.parametrize("variable, value", [("TERRITOIRES_CONTACT_POINT_EMAIL", "nobody"),
                                             ("TERRITOIRES_CONTACT_POINT_URL", "ftp://x")])
def test_a_bad_contact_point_is_named(variable, value):
    with pytest.raises(ValueError, match=variable):
        from_environment({variable: value})


def test_dcat_ap_3_shapes_hold(client, store):
    """DCAT-AP 3.0.1's shapes: mandatory (shapes.ttl), recommended (shapes_recommended.ttl, as
    warnings), ranges (range.ttl) and deprecated terms; no violation, only accepted warnings."""
    pyshacl = pytest.importorskip("pyshacl")
    answer = client.get("/catalogue", headers={"Accept": "text/turtle"})
    data = Graph().parse(data=answer.get_data(as_text=True), format="turtle")
    accepted = {(node.format(base=store.base), path) for node, path in ACCEPTED}
    for name in ("shapes.ttl", "shapes_recommended.ttl", "range.ttl", "deprecateduris.ttl"):
        shapes = Graph().parse(DCAT_AP / name, format="turtle")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            conforms, report, text = pyshacl.validate(data, shacl_graph=shapes,
                                                      inference="none", allow_warnings=True)
        assert conforms, f"{name}:\n{text[:3000]}"
        found = {(str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)))
                 for r in report.subjects(RDF.type, SH.ValidationResult)}
        assert found <= accepted, f"{name}: unexpected {sorted(found - accepted)}"

