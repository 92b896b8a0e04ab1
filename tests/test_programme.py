"""The programme's official lists on the small sources (a cut of the lists: the Doubs, an EPT,
single communes): the curated territories are their official records, the groupements are what
they are, and a list that cannot be read faithfully is refused with its place."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from territoires.build.pipeline import map_sources
from territoires.config import ROOT
from territoires.sources import SourceError
from territoires.vocabulary.namespaces import DCTERMS, GEO, ORG, RDF, SKOS, Vocabulary

from .conftest import BASE, settings_for

V = Vocabulary(BASE)
TI = V.ti
ALLIANCES = V.id("territoire", "alliances-luxe-precision-doubs")
HAUT_DOUBS = V.id("territoire", "haut-doubs")
PHASE2 = "ti_phase2_geom.geojson.gz"
PHASE1 = "ti_phase1_geom.geojson.gz"


def graph_of(sources, name):
    return next(s.graph for s in sources.graphs if s.name == name)


def union(sources):
    found = sources.graphs[0].graph.__class__()
    for source in sources.graphs:
        found += source.graph
    return found


@pytest.fixture(scope="module")
def programme(sources):
    return graph_of(sources, "programme")


def test_the_curated_territories_are_their_official_records(programme, sources):
    everything = union(sources)
    assert everything.value(ALLIANCES, TI.identifiantOfficiel) == Literal("ti-2701")
    assert programme.value(ALLIANCES, DCTERMS.identifier) == Literal("phase-2/ti-2701")
    assert programme.value(HAUT_DOUBS, DCTERMS.identifier) == Literal("phase-1/ti-2704")
    assert set(everything.objects(ALLIANCES, SKOS.prefLabel)) == {
        Literal("Alliances Luxe et Précision Doubs", lang="fr")}
    assert Literal("Alliances Luxe & Précision, Doubs", lang="fr") in set(
        everything.objects(ALLIANCES, SKOS.altLabel))
    assert set(everything.objects(HAUT_DOUBS, SKOS.prefLabel)) == {
        Literal("Haut-Doubs Horloger", lang="fr")}
    # no second resource for the same official record
    assert len(set(programme.subjects(TI.identifiantOfficiel, Literal("ti-2701")))) == 1


def test_alliances_keeps_its_curated_facts(sources, programme):
    """The article's and the curated CSV's facts sit on the official record's IRI."""
    curated = [(p, o) for name in ("article", "territoires")
               for p, o in graph_of(sources, name).predicate_objects(ALLIANCES)]
    predicates = {p for p, _ in curated}
    assert {TI.dateLabellisation, TI.periodeLabellisation, ORG.hasPost, TI.planActions,
            DCTERMS.description, DCTERMS.replaces} <= predicates
    assert SKOS.prefLabel not in predicates   # the name is the official list's
    everything = union(sources)
    assert all((ALLIANCES, p, o) in everything for p, o in curated)
    assert programme.value(ALLIANCES, DCTERMS.identifier) == Literal("phase-2/ti-2701")


def test_alliances_has_six_epci_and_its_communes_then_and_now(programme, sources):
    members = set(programme.objects(ALLIANCES, ORG.hasMember))
    assert len(members) == 6 and all("/id/epci/" in str(m) for m in members)
    assert programme.value(ALLIANCES, TI.nombreCommunes) == Literal(255)
    history = graph_of(sources, "historique")
    then = history.value(ALLIANCES, TI.perimetreLabellisation)
    now = history.value(ALLIANCES, TI.perimetreActuel)
    assert str(then).endswith("/perimetre/2023")
    assert len(set(history.objects(then, TI.communeCouverte))) == 255
    assert len(set(history.objects(now, TI.communeCouverte))) == 252


def test_alliances_continues_haut_doubs_with_the_overlap(programme):
    assert (ALLIANCES, TI.succedeA, HAUT_DOUBS) in programme
    node = URIRef(f"{ALLIANCES}#continuite-haut-doubs")
    assert programme.value(node, TI.territoirePredecesseur) == HAUT_DOUBS
    assert programme.value(node, TI.epciCommuns) == Literal(5)
    assert programme.value(node, TI.partCommune).toPython() == Decimal("0.83")
    assert programme.value(node, TI.partCommunePredecesseur).toPython() == Decimal("1.00")
    assert programme.value(node, TI.modeEtablissement) == V.concept("mode-etablissement", "deduit")


def test_boucle_nord_de_seine_has_its_ept(programme):
    ept = V.id("ept", "200057990")
    for phase in (1, 2):
        territory = next(programme.subjects(DCTERMS.identifier, Literal(f"phase-{phase}/ti-1101")))
        assert set(programme.objects(territory, ORG.hasMember)) == {ept}
    assert (ept, RDF.type, TI.EtablissementPublicTerritorial) in programme
    assert len(set(programme.objects(ept, ORG.hasMember))) == 7
    assert programme.value(ept, TI.departement) == V.id("departement", "92")


def test_an_ept_territory_covers_its_communes_then_and_now(programme, sources):
    territory = next(programme.subjects(DCTERMS.identifier, Literal("phase-2/ti-1101")))
    history = graph_of(sources, "historique")
    communes = set(programme.objects(V.id("ept", "200057990"), ORG.hasMember))
    for prop in (TI.perimetreLabellisation, TI.perimetreActuel):
        perimeter = history.value(territory, prop)
        assert set(history.objects(perimeter, TI.communeCouverte)) == communes


def test_a_territory_of_single_communes_has_them(programme):
    toulon = next(programme.subjects(DCTERMS.identifier, Literal("phase-1/ti-9307")))
    members = set(programme.objects(toulon, ORG.hasMember))
    # expected from the vendored files: the feature's SIRENs, read as communes' SIRENs
    feature = next(f for f in _features(PHASE1) if f["properties"]["id_ti"] == "ti-9307")
    sirens = {s.strip() for s in feature["properties"]["siren_groupement"].split(",")}
    with gzip.open(ROOT / "data" / "reference" / "communes.csv.gz", "rt", encoding="utf-8") as f:
        codes = {row["code"] for row in csv.DictReader(f) if row["siren"] in sirens}
    assert len(codes) == len(sirens) == 5
    assert members == {V.id("commune", c) for c in codes}
    assert programme.value(toulon, TI.nombreCommunes) == Literal(5)
    wkt = str(programme.value(programme.value(toulon, GEO.hasGeometry), GEO.asWKT))
    assert wkt.startswith("MULTIPOINT")   # CRS84, GeoSPARQL's default: no CRS IRI


def test_every_territory_has_its_outline_and_figures(programme):
    territories = set(programme.subjects(RDF.type, TI.TerritoireIndustrie))
    assert len(territories) >= 10
    for territory in territories:
        node = programme.value(territory, GEO.hasGeometry)
        assert programme.value(node, GEO.asWKT).datatype == GEO.wktLiteral
        assert 0 < programme.value(node, TI.nombreSommets).toPython() <= \
            programme.value(node, TI.nombreSommetsSource).toPython()
        assert programme.value(territory, TI.populationMunicipale).toPython() > 0
        assert programme.value(territory, TI.millesimePopulation) == Literal(
            "2023", datatype=programme.value(territory, TI.millesimePopulation).datatype)


def test_the_departements_have_their_outlines(sources):
    contours = graph_of(sources, "contours")
    node = contours.value(V.id("departement", "25"), GEO.hasGeometry)
    assert str(contours.value(node, GEO.asWKT)).startswith("MULTIPOLYGON")   # CRS84, the default


# --- refused lists ------------------------------------------------------------------------


def _features(name: str) -> list[dict]:
    return json.loads(gzip.decompress((ROOT / "data" / "programme" / name).read_bytes()))["features"]


def _mutate(root: Path, name: str, change) -> None:
    path = root / "data" / "programme" / name
    document = json.loads(gzip.decompress(path.read_bytes()))
    change(document["features"])
    path.write_bytes(gzip.compress(json.dumps(document).encode()))


def _index_of(root: Path, name: str, ident: str, field: str) -> int:
    path = root / "data" / "programme" / name
    features = json.loads(gzip.decompress(path.read_bytes()))["features"]
    return next(i for i, f in enumerate(features) if f["properties"][field] == ident)


def _refusal(root: Path) -> str:
    with pytest.raises(SourceError) as caught:
        map_sources(settings_for(root, root / "output"), lambda _: None)
    return str(caught.value)


def test_an_unknown_siren_is_refused_with_its_feature(data_copy):
    index = _index_of(data_copy, PHASE2, "ti-2701", "id_territoire")

    def change(features):
        features[index]["properties"]["liste_geo"] += "; CC Inconnue (200000001)"
    _mutate(data_copy, PHASE2, change)
    message = _refusal(data_copy)
    assert f"{PHASE2}: feature {index} (ti-2701)" in message
    assert "groupement 200000001 (CC Inconnue)" in message


def test_a_duplicated_id_is_refused_with_both_features(data_copy):
    def change(features):
        features[1]["properties"]["id_ti"] = features[0]["properties"]["id_ti"]
    _mutate(data_copy, PHASE1, change)
    message = _refusal(data_copy)
    assert f"{PHASE1}: feature 1 (" in message and "already the id of feature 0" in message


def test_a_broken_polygon_is_refused_with_its_feature(data_copy):
    def change(features):
        features[0]["geometry"] = {"type": "Polygon", "coordinates": [
            [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}   # a bow tie: the ring crosses itself
    _mutate(data_copy, PHASE2, change)
    message = _refusal(data_copy)
    assert f"{PHASE2}: feature 0 (" in message and "invalid geometry: Self-intersection" in message


def test_a_malformed_liste_geo_is_refused(data_copy):
    def change(features):
        features[0]["properties"]["liste_geo"] = "CC sans SIREN"
    _mutate(data_copy, PHASE2, change)
    assert "liste_geo, groupement 1: 'CC sans SIREN' is not 'NAME (SIREN)'" in _refusal(data_copy)


def test_a_curated_row_that_contradicts_the_list_is_refused(data_copy):
    csv = data_copy / "data" / "territoires" / "territoires.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    # Haut-Doubs's rows without CC Loue-Lison: the official record has five EPCI.
    kept = [line for line in lines if not (line.startswith("haut-doubs,") and "200068070" in line)]
    csv.write_text("\n".join(kept) + "\n", encoding="utf-8")
    message = _refusal(data_copy)
    first = next(i for i, line in enumerate(kept, start=1) if line.startswith("haut-doubs,"))
    assert message.startswith(f"{csv}:{first}: the curated territory haut-doubs names ti-2704 "
                              f"of phase 1 ({PHASE1}" .replace(PHASE1, str(data_copy / "data" / "programme" / PHASE1)))
    assert "only in the official list 200068070" in message


def test_the_article_total_is_checked_against_a_whole_list(data_copy):
    description = data_copy / "data" / "programme" / "source.ttl"
    text = description.read_text(encoding="utf-8").replace("    ti:extrait true ;\n", "")
    description.write_text(text, encoding="utf-8")
    message = _refusal(data_copy)
    assert "programme.ttl:" in message and "phase 2 has 183 territories here" in message


def test_a_stated_succession_the_lists_do_not_support_is_refused(data_copy):
    article = data_copy / "data" / "article" / "territoire.ttl"
    text = article.read_text(encoding="utf-8")
    boucle = "<id/territoire/boucle-nord-de-la-seine>"
    article.write_text(text.replace("dcterms:replaces <id/territoire/haut-doubs>",
                                    f"dcterms:replaces <id/territoire/haut-doubs> , {boucle}"),
                       encoding="utf-8")
    message = _refusal(data_copy)
    assert "territoire.ttl:" in message and "share too few groupements" in message


def test_an_unchanged_copy_maps(data_copy):
    shutil.rmtree(data_copy / "output", ignore_errors=True)
    sources = map_sources(settings_for(data_copy, data_copy / "output"), lambda _: None)
    assert any(s.name == "programme" and len(s) > 0 for s in sources.graphs)
