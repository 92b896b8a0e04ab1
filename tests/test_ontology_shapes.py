"""The ontology (ontology/territoires.ttl), its source description and the SHACL shapes
(shapes/territoires.ttl): they parse against any base, the shapes are valid SHACL, every term is
declared and documented in French and English, and every required constraint fires on a small
invalid graph (naming the right shape and path) and stays silent on the same graph made valid."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SH, SKOS, TIME, XSD

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "territoires.ttl"
ONTOLOGY_SOURCE = ROOT / "ontology" / "source.ttl"
SHAPES = ROOT / "shapes" / "territoires.ttl"
MODEL = ROOT / "docs" / "MODEL.md"
BASE = "https://data.example.fr/"

TI = Namespace(BASE + "def/territoires#")
TISH = Namespace(BASE + "shapes/territoires#")
SCHEMA = Namespace("https://schema.org/")
PAV = Namespace("http://purl.org/pav/")
VANN = Namespace("http://purl.org/vocab/vann/")
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
SCHEMES = ["forme-juridique", "regime-fiscal", "role", "pilier", "secteur", "mode-etablissement"]


def iri(path: str) -> URIRef:
    return URIRef(BASE + path)


def parse(path: Path, base: str = BASE) -> Graph:
    return Graph().parse(path, format="turtle", publicID=base)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return parse(ONTOLOGY)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse(SHAPES)


def _luhn_module():
    spec = importlib.util.spec_from_file_location("luhn_regex", ROOT / "shapes" / "luhn_regex.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------------------------
# Parsing with a relative base
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [ONTOLOGY, ONTOLOGY_SOURCE, SHAPES], ids=lambda p: p.name)
def test_files_use_relative_iris_only(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"^\s*@base\b|^\s*BASE\b", text, re.M | re.I), "never write @base"
    assert "data.example.fr" not in text, "never an absolute IRI under the base"
    # Parsed against two different bases, the project's IRIs follow the base.
    for base in (BASE, "http://127.0.0.1:8000/"):
        graph = parse(path, base)
        assert len(graph) > 0
        mine = {str(t) for triple in graph for t in triple
                if isinstance(t, URIRef) and re.match(r"^[a-z]+:", str(t)) is None}
        assert not mine, f"unresolved IRIs: {sorted(mine)[:5]}"
        assert any(str(t).startswith(base + "def/territoires") for triple in graph for t in triple)


def test_ontology_header(ontology):
    onto = iri("def/territoires")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionIRI) == iri("def/territoires/0.1.0")
    assert ontology.value(onto, OWL.versionInfo) is not None
    assert ontology.value(onto, DCTERMS.license) == LICENCE
    assert ontology.value(onto, DCTERMS.creator) is not None
    assert ontology.value(onto, DCTERMS.publisher) is not None
    assert str(ontology.value(onto, VANN.preferredNamespacePrefix)) == "ti"
    for prop in (DCTERMS.title, DCTERMS.description):
        assert {o.language for o in ontology.objects(onto, prop)} >= {"fr", "en"}, prop


def test_ontology_source_description():
    graph = parse(ONTOLOGY_SOURCE)
    named = iri("graph/ontologie")
    assert (named, RDF.type, TI.SourceGraph) in graph
    assert {o.language for o in graph.objects(named, DCTERMS.title)} == {"fr", "en"}
    assert graph.value(named, PROV.wasDerivedFrom) == iri("def/territoires")
    assert graph.value(named, DCTERMS.source) == iri("def/territoires")
    assert graph.value(named, DCTERMS.license) == LICENCE
    assert graph.value(named, PAV.retrievedOn) == Literal("2026-11-28", datatype=XSD.date)


# ------------------------------------------------------------------------------------------------
# Terms and concepts
# ------------------------------------------------------------------------------------------------

def _ti_terms_in(text: str) -> set[str]:
    return set(re.findall(r"\bti:([A-Za-z][A-Za-z0-9_-]*[A-Za-z0-9])", text))


def _used_ti_terms(shapes_graph: Graph) -> set[str]:
    used = {str(t)[len(str(TI)):] for triple in shapes_graph for t in triple
            if isinstance(t, URIRef) and str(t).startswith(str(TI))}
    used |= _ti_terms_in(MODEL.read_text(encoding="utf-8"))
    return used


def test_model_and_shapes_mention_the_terms(shapes):
    used = _used_ti_terms(shapes)
    # a guard against a broken extraction, which would make the next test vacuous
    assert {"EPCI", "siren", "codeInsee", "TerritoireIndustrie", "SourceGraph"} <= used


def _langs(graph: Graph, subject, prop) -> set[str]:
    return {o.language for o in graph.objects(subject, prop) if isinstance(o, Literal)}


def test_every_term_is_declared_with_french_and_english_documentation(ontology, shapes):
    declared_types = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDFS.Datatype,
                      QB.DataStructureDefinition}
    problems = []
    for name in sorted(_used_ti_terms(shapes)):
        term = TI[name]
        types = set(ontology.objects(term, RDF.type))
        if not types & declared_types:
            problems.append(f"ti:{name} is not declared")
            continue
        for prop in (RDFS.label, SKOS.definition):
            missing = {"fr", "en"} - _langs(ontology, term, prop)
            if missing:
                problems.append(f"ti:{name} lacks {prop.n3()} in {sorted(missing)}")
        if ontology.value(term, RDFS.isDefinedBy) != iri("def/territoires"):
            problems.append(f"ti:{name} lacks rdfs:isDefinedBy")
    assert not problems, "\n".join(problems)


def test_every_ontology_term_is_documented(ontology):
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(TI))
             and (s, RDF.type, QB.ComponentSpecification) not in ontology}
    assert len(terms) >= 45
    for term in terms:
        assert {"fr", "en"} <= _langs(ontology, term, RDFS.label), term
        assert {"fr", "en"} <= _langs(ontology, term, SKOS.definition), term


def test_classes_and_properties_required_by_the_brief(ontology):
    classes = ["Programme", "Phase", "TerritoireIndustrie", "EPCI", "Commune", "CommuneDeleguee",
               "CommuneAssociee", "ArrondissementMunicipal", "Departement", "Region", "PlanActions",
               "SourceGraph"]
    for name in classes:
        assert (TI[name], RDF.type, OWL.Class) in ontology, name
    for name in ("SIREN", "CodeInsee"):
        assert (TI[name], RDF.type, RDFS.Datatype) in ontology
        restriction = ontology.value(TI[name], OWL.equivalentClass)
        assert ontology.value(restriction, OWL.onDatatype) == XSD.string
        facets = list(ontology.items(ontology.value(restriction, OWL.withRestrictions)))
        assert ontology.value(facets[0], XSD.pattern) is not None


@pytest.mark.parametrize("sub, relation, sup", [
    (TI.TerritoireIndustrie, RDFS.subClassOf, ORG.OrganizationalCollaboration),
    (TI.EPCI, RDFS.subClassOf, ORG.FormalOrganization),
    (TI.EPCI, RDFS.subClassOf, SCHEMA.GovernmentOrganization),
    (TI.Commune, RDFS.subClassOf, SCHEMA.AdministrativeArea),
    (TI.PlanActions, RDFS.subClassOf, PROV.Plan),
    (TI.Programme, RDFS.subClassOf, SCHEMA.Project),
    (TI.Phase, RDFS.subClassOf, SCHEMA.Project),
    (TI.SourceGraph, RDFS.subClassOf, URIRef("http://rdfs.org/ns/void#Dataset")),
    (TI.siren, RDFS.subPropertyOf, DCTERMS.identifier),
    (TI.codeInsee, RDFS.subPropertyOf, DCTERMS.identifier),
    (TI.formeJuridique, RDFS.subPropertyOf, ORG.classification),
    (TI.regimeFiscal, RDFS.subPropertyOf, ORG.classification),
    (TI.dateLabellisation, RDFS.subPropertyOf, DCTERMS.date),
    (TI.populationTotale, RDFS.subPropertyOf, TI.population),
    (TI.populationMunicipale, RDFS.subPropertyOf, TI.population),
    (TI.periode, RDFS.subPropertyOf, TIME.hasTime),
    (TI.Commune, SKOS.exactMatch, URIRef("http://rdf.insee.fr/def/geo#Commune")),
    (TI.Departement, SKOS.exactMatch, URIRef("http://rdf.insee.fr/def/geo#Departement")),
    (TI.codeInsee, SKOS.exactMatch, URIRef("http://rdf.insee.fr/def/geo#codeINSEE")),
    (TI.siren, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/P1616")),
    (TI.codeInsee, SKOS.closeMatch, URIRef("http://www.wikidata.org/entity/P374")),
    (TI.population, SKOS.closeMatch, URIRef("http://www.wikidata.org/entity/P1082")),
    (TI.secteur, RDF.type, QB.DimensionProperty),
    (TI.periodeReference, RDF.type, QB.DimensionProperty),
    (TI.salaireNetMoyenMensuel, RDF.type, QB.MeasureProperty),
    (TI["dsd-salaires"], RDF.type, QB.DataStructureDefinition),
    (TI["dsd-industrie-nationale"], RDF.type, QB.DataStructureDefinition),
], ids=lambda t: t.n3() if hasattr(t, "n3") else str(t))
def test_alignments(ontology, sub, relation, sup):
    assert (sub, relation, sup) in ontology


def test_shared_properties_have_no_rdfs_domain(ontology):
    """rdfs:domain entails types: properties used by several classes only document theirs."""
    for name in ("phase", "periode", "siren", "codeInsee", "population", "departement", "region",
                 "chefLieu", "communeDeRattachement"):
        assert ontology.value(TI[name], RDFS.domain) is None, name
        assert ontology.value(TI[name], SCHEMA.domainIncludes) is not None, name


@pytest.mark.parametrize("scheme, concepts", [
    ("forme-juridique", {"CC", "CA", "CU", "METRO", "MET69"}),
    ("regime-fiscal", {"FPU", "FA"}),
    ("role", {"membre", "elu-referent", "referent-industriel", "president", "dirigeant", "maire"}),
    ("pilier", {"innovation", "transitions", "foncier", "competences", "metiers-filieres"}),
    ("secteur", {"industrie", "construction", "tertiaire"}),
    ("concept-population", {"municipale", "totale"}),
])
def test_concept_schemes(ontology, scheme, concepts):
    scheme_iri = iri(f"def/{scheme}")
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in ontology
    assert {"fr", "en"} <= _langs(ontology, scheme_iri, SKOS.prefLabel)
    members = set(ontology.subjects(SKOS.inScheme, scheme_iri))
    assert members == {iri(f"def/{scheme}/{c}") for c in concepts}
    for concept in members:
        assert (concept, RDF.type, SKOS.Concept) in ontology
        assert _langs(ontology, concept, SKOS.prefLabel) == {"fr", "en"}, concept
        assert {"fr", "en"} <= _langs(ontology, concept, SKOS.definition), concept
        if scheme in ("forme-juridique", "regime-fiscal"):
            assert str(ontology.value(concept, SKOS.notation)) == str(concept).rsplit("/", 1)[-1]
        if scheme == "role":
            assert (concept, RDF.type, ORG.Role) in ontology


def test_every_concept_is_in_a_scheme_with_french_and_english_labels(ontology):
    concepts = set(ontology.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 26
    for concept in concepts:
        schemes = set(ontology.objects(concept, SKOS.inScheme))
        assert schemes and all((s, RDF.type, SKOS.ConceptScheme) in ontology for s in schemes)
        assert _langs(ontology, concept, SKOS.prefLabel) == {"fr", "en"}


# ------------------------------------------------------------------------------------------------
# The shapes are valid SHACL, and every shape speaks French and English
# ------------------------------------------------------------------------------------------------

def _shacl_shacl() -> Graph:
    path = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"
    return Graph().parse(path, format="turtle")


def test_shapes_conform_to_shacl_shacl(shapes):
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=_shacl_shacl(), inference="rdfs")
    assert conforms, text


def test_shacl_shacl_check_can_fail():
    broken = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <{TISH}Broken> a sh:PropertyShape ; sh:path <{TI}siren> ; sh:minCount "one" .""",
                           format="turtle")
    conforms, _, _ = pyshacl.validate(broken, shacl_graph=_shacl_shacl(), inference="rdfs")
    assert not conforms


def test_every_shape_has_french_and_english_messages_and_a_severity(shapes):
    named = {s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    named |= {s for p in (SH.targetClass, SH.targetSubjectsOf) for s in shapes.subjects(p, None)}
    assert len(named) > 60
    for shape in named:
        assert {"fr", "en"} <= _langs(shapes, shape, SH.message), shape
        assert shapes.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), shape
    for shape in set(shapes.subjects(SH.message, None)):
        assert {"fr", "en"} <= _langs(shapes, shape, SH.message), shape


# ------------------------------------------------------------------------------------------------
# Validation helpers
# ------------------------------------------------------------------------------------------------

PREFIXES = """
@prefix ti: <def/territoires#> .
@prefix role: <def/role/> .
@prefix forme: <def/forme-juridique/> .
@prefix fiscal: <def/regime-fiscal/> .
@prefix pilier: <def/pilier/> .
@prefix secteur: <def/secteur/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix pav: <http://purl.org/pav/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix mode: <def/mode-etablissement/> .
@prefix sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
"""

# One thing of every kind, all valid. Codes are the official ones (Doubs, Grand Besançon).
VALID = PREFIXES + """
<id/region/27> a ti:Region ; skos:prefLabel "Bourgogne-Franche-Comté"@fr ; ti:codeInsee "27" .
<id/departement/25> a ti:Departement ; skos:prefLabel "Doubs"@fr ; ti:codeInsee "25" ;
    ti:region <id/region/27> ; ti:chefLieu <id/commune/25056> .
<id/commune/25056> a ti:Commune ; skos:prefLabel "Besançon"@fr ; ti:codeInsee "25056" ;
    ti:siren "212500565" ; ti:population 118489 ; ti:codePostal "25000" ;
    ti:departement <id/departement/25> ; ti:region <id/region/27> .
<id/commune/25560> a ti:Commune ; skos:prefLabel "Thise"@fr ; ti:codeInsee "25560" ;
    ti:siren "212505606" ; ti:population 2994 ; ti:codePostal "25220" ;
    ti:departement <id/departement/25> ; ti:region <id/region/27> .
<id/commune-deleguee/25034> a ti:CommuneDeleguee ; skos:prefLabel "Auxon-Dessous"@fr ;
    ti:codeInsee "25034" ; ti:departement <id/departement/25> ; ti:region <id/region/27> ;
    ti:communeDeRattachement <id/commune/25056> .
<id/epci/242500361> a ti:EPCI ; skos:prefLabel "CU Grand Besançon Métropole"@fr ;
    ti:siren "242500361" ; ti:formeJuridique forme:CU ; ti:regimeFiscal fiscal:FPU ;
    ti:populationTotale 203293 ; ti:populationMunicipale 198387 ;
    org:hasMember <id/commune/25056> , <id/commune/25560> ; ti:departement <id/departement/25> .

<id/programme/territoires-d-industrie> a ti:Programme ; skos:prefLabel "Territoires d'industrie"@fr ;
    ti:lanceEn "2018"^^xsd:gYear ; ti:phase <id/phase/territoires-d-industrie-2> .
<id/phase/territoires-d-industrie-2> a ti:Phase ; dcterms:isPartOf <id/programme/territoires-d-industrie> ;
    ti:numeroPhase 2 ; ti:nombreTerritoires 183 ; ti:periode <id/phase/territoires-d-industrie-2#periode> .
<id/phase/territoires-d-industrie-2#periode> a time:Interval ;
    time:hasBeginning <id/phase/territoires-d-industrie-2#debut> .
<id/phase/territoires-d-industrie-2#debut> a time:Instant ; time:inXSDgYearMonth "2023-11"^^xsd:gYearMonth .

<id/territoire/t> a ti:TerritoireIndustrie ; skos:prefLabel "Territoire de test"@fr ;
    ti:dateLabellisation "2023-11-09"^^xsd:date ; ti:periodeLabellisation <id/territoire/t#periode> ;
    ti:phase <id/phase/territoires-d-industrie-2> ; org:hasMember <id/epci/242500361> ;
    org:hasPost <id/territoire/t#poste-elu-referent> ;
    ti:planActions <id/plan/t> .
<id/epci/242500361> org:hasMembership <id/territoire/t#membre-242500361> .
<id/territoire/t#poste-elu-referent> a org:Post ; org:postIn <id/territoire/t> ; org:role role:elu-referent ;
    org:heldBy <id/personne/p> .
<id/territoire/t#periode> a time:Interval ; time:hasBeginning <id/territoire/t#debut> ;
    time:hasEnd <id/territoire/t#fin> ; time:hasXSDDuration "P4Y"^^xsd:duration .
<id/territoire/t#debut> a time:Instant ; time:inXSDDate "2023-11-09"^^xsd:date .
<id/territoire/t#fin> a time:Instant ; time:inXSDgYear "2027"^^xsd:gYear .
<id/territoire/t#membre-242500361> a org:Membership ; org:member <id/epci/242500361> ;
    org:organization <id/territoire/t> ; org:role role:membre ; org:memberDuring <id/territoire/t#periode> .
<id/territoire/t#elu-referent> a org:Membership ; org:member <id/personne/p> ;
    org:organization <id/territoire/t> ; org:role role:elu-referent ;
    org:memberDuring <id/territoire/t#periode> .
<id/personne/p> a foaf:Person , schema:Person ; foaf:name "Personne de test" ;
    org:hasMembership <id/territoire/t#elu-referent> ; org:holds <id/territoire/t#poste-elu-referent> .
<id/organisation/o> a org:FormalOrganization , schema:Organization ; skos:prefLabel "Entreprise de test"@fr ;
    schema:location <id/commune/25560> .
<id/citation/c> a schema:Quotation ; schema:spokenByCharacter <id/personne/p> ;
    schema:text "Une paraphrase."@fr ; dcterms:source <id/document/d> .

<id/financement/f> a schema:MonetaryGrant ; schema:amount <id/financement/f#montant> ;
    ti:periode <id/phase/territoires-d-industrie-2#periode> ; ti:nombreBeneficiaires 183 ;
    ti:objet "industrie verte"@fr .
<id/financement/f#montant> a schema:MonetaryAmount ; schema:value 500000000.0 ; schema:currency "EUR" .
<id/plan/t> a ti:PlanActions ; ti:territoire <id/territoire/t> ; ti:pilier pilier:innovation ;
    ti:objectif "innover"@fr ; dcterms:spatial <id/epci/242500361> .

<id/statistique/s> a qb:DataSet ; qb:structure ti:dsd-salaires .
<id/statistique/s/industrie> a qb:Observation ; qb:dataSet <id/statistique/s> ;
    ti:periodeReference "2022"^^xsd:gYear ; ti:secteur secteur:industrie ; ti:salaireNetMoyenMensuel 2906.0 ;
    sdmx-attribute:unitMeasure unit:CCY_EUR ; schema:currency "EUR" .

<graph/test> a ti:SourceGraph ; dcterms:title "Graphe de test"@fr ; prov:wasDerivedFrom <id/document/d> ;
    dcterms:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence> ;
    pav:retrievedOn "2026-11-28"^^xsd:date .

"""


def validate(data: Graph, shapes_graph: Graph) -> tuple[bool, list[dict]]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none",
                                          advanced=True, allow_warnings=True)
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        results.append({
            "shape": report.value(node, SH.sourceShape), "path": report.value(node, SH.resultPath),
            "focus": report.value(node, SH.focusNode), "value": report.value(node, SH.value),
            "severity": report.value(node, SH.resultSeverity),
            "messages": {m.language: str(m) for m in report.objects(node, SH.resultMessage)},
        })
    return bool(conforms), results


# The classes whose resources are curated (or come from a territory list): each must cite its
# source and say how its facts were established (tish:Provenance-*).
CURATED = [TI.Programme, TI.Phase, TI.TerritoireIndustrie, TI.PlanActions, ORG.Membership, ORG.Post,
           TIME.Interval, TIME.Instant, FOAF.Person, SCHEMA.Organization, SCHEMA.MonetaryGrant,
           SCHEMA.MonetaryAmount, SCHEMA.Quotation, QB.DataSet, QB.Observation]


@pytest.fixture(scope="module")
def valid_graph(ontology) -> Graph:
    graph = Graph().parse(data=VALID, format="turtle", publicID=BASE)
    for cls in CURATED:
        for resource in set(graph.subjects(RDF.type, cls)):
            graph.add((resource, DCTERMS.source, iri("id/document/d")))
            graph.add((resource, TI.modeEtablissement, iri("def/mode-etablissement/cite")))
    graph += ontology  # the union of the named graphs holds the concept schemes
    return graph


@pytest.fixture(scope="module")
def valid_report(valid_graph, shapes):
    return validate(valid_graph, shapes)


def test_valid_graph_conforms(valid_report):
    conforms, results = valid_report
    assert conforms and not results, results


def test_ontology_and_its_description_conform(ontology, shapes):
    graph = Graph() + ontology + parse(ONTOLOGY_SOURCE)
    conforms, results = validate(graph, shapes)
    assert conforms, results


# ------------------------------------------------------------------------------------------------
# The Luhn check and the Insee code, value by value
# ------------------------------------------------------------------------------------------------

def test_luhn_pattern_in_shapes_is_the_generated_one(shapes):
    generated = _luhn_module().pattern()
    assert shapes.value(TISH.SirenCleLuhn, SH.pattern) == Literal(generated)


def test_luhn_regex_agrees_with_the_reference_algorithm():
    module = _luhn_module()
    compiled = re.compile(module.pattern())
    for number in range(0, 10 ** 9, 9_973 * 7):  # ~14,000 numbers spread over the range
        value = f"{number:09d}"
        for last in range(10):
            candidate = value[:8] + str(last)
            assert bool(compiled.search(candidate)) == module.luhn_valid(candidate), candidate


def _siren_graph(values: list[str]) -> Graph:
    graph = Graph()
    for index, value in enumerate(values):
        graph.add((iri(f"id/organisation/o{index}"), TI.siren, Literal(value)))
    return graph


GOOD_SIRENS = ["242500361", "212505606", "200068070", "242504355", "212500565"]


def test_luhn_accepts_real_sirens(shapes):
    conforms, results = validate(_siren_graph(GOOD_SIRENS), shapes)
    assert conforms, results


@pytest.mark.parametrize("value, shapes_expected", [
    ("242500362", {TISH.SirenCleLuhn}),
    ("24250036", {TISH.SirenCleLuhn, TISH.SirenFormat}),
    ("24250036A", {TISH.SirenCleLuhn, TISH.SirenFormat}),
    ("2425003610", {TISH.SirenCleLuhn, TISH.SirenFormat}),
    (" 242500361", {TISH.SirenCleLuhn, TISH.SirenFormat}),
])
def test_luhn_rejects(shapes, value, shapes_expected):
    conforms, results = validate(_siren_graph([value]), shapes)
    assert not conforms
    assert {r["shape"] for r in results} == shapes_expected
    for result in results:
        assert result["path"] == TI.siren
        assert result["focus"] == iri("id/organisation/o0")
        assert result["value"] == Literal(value)
        assert {"fr", "en"} <= set(result["messages"])


def _commune_graph(codes: list[str]) -> Graph:
    graph = Graph().parse(data=PREFIXES + """
        <id/region/27> a ti:Region ; skos:prefLabel "R"@fr ; ti:codeInsee "27" .
        <id/departement/25> a ti:Departement ; skos:prefLabel "D"@fr ; ti:codeInsee "25" ;
            ti:region <id/region/27> .""", format="turtle", publicID=BASE)
    for index, code in enumerate(codes):
        commune = iri(f"id/commune/c{index}")
        graph.add((commune, RDF.type, TI.Commune))
        graph.add((commune, SKOS.prefLabel, Literal(f"C{index}", lang="fr")))
        graph.add((commune, TI.codeInsee, Literal(code)))
        graph.add((commune, TI.departement, iri("id/departement/25")))
        graph.add((commune, TI.region, iri("id/region/27")))
    return graph


def test_insee_code_accepts_official_codes(shapes):
    conforms, results = validate(_commune_graph(["25560", "2A004", "2B033", "97101", "98735",
                                                 "75056", "13201", "97611", "01001"]), shapes)
    assert conforms, results


@pytest.mark.parametrize("code", ["20004", "2C004", "2500", "255600", "96001", "00001", "97901",
                                  "2a004", "25 560"])
def test_insee_code_rejects(shapes, code):
    conforms, results = validate(_commune_graph([code]), shapes)
    assert not conforms
    assert [(r["shape"], r["path"], r["value"]) for r in results] == \
        [(TISH.CodeInseeCommune, TI.codeInsee, Literal(code))]


# ------------------------------------------------------------------------------------------------
# Each required constraint: fires on a small invalid graph, silent on the valid one
# ------------------------------------------------------------------------------------------------

T = iri("id/territoire/t")
EPCI = iri("id/epci/242500361")
BESANCON = iri("id/commune/25056")
DEPT = iri("id/departement/25")
REGION = iri("id/region/27")
MEMBERSHIP = iri("id/territoire/t#membre-242500361")
AMOUNT = iri("id/financement/f#montant")
PERSON = iri("id/personne/p")
SOURCE_GRAPH = iri("graph/test")
INSTANT = iri("id/territoire/t#debut")
INTERVAL = iri("id/territoire/t#periode")
OBSERVATION = iri("id/statistique/s/industrie")
ORGANISATION = iri("id/organisation/o")
POST = iri("id/territoire/t#poste-elu-referent")
UNIT_MEASURE = URIRef("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure")


def drop(subject, prop):
    return lambda g: g.remove((subject, prop, None))


def put(subject, prop, *values):
    def change(graph):
        graph.remove((subject, prop, None))
        for value in values:
            graph.add((subject, prop, value))
    return change


def add(subject, prop, value):
    return lambda g: g.add((subject, prop, value))


def both(*changes):
    def change(graph):
        for c in changes:
            c(graph)
    return change


CASES = [
    # SIREN
    ("siren-not-9-digits", put(EPCI, TI.siren, Literal("24250036")), TISH.SirenFormat, EPCI, TI.siren),
    ("siren-luhn", put(EPCI, TI.siren, Literal("242500362")), TISH.SirenCleLuhn, EPCI, TI.siren),
    ("siren-commune-luhn", put(BESANCON, TI.siren, Literal("212500566")), TISH.SirenCleLuhn, BESANCON,
     TI.siren),
    ("siren-typed-integer", put(EPCI, TI.siren, Literal(242500361)), TISH.SirenFormat, EPCI, TI.siren),
    ("epci-without-siren", drop(EPCI, TI.siren), TISH["EPCI-siren"], EPCI, TI.siren),
    # Insee codes
    ("commune-insee-20", put(BESANCON, TI.codeInsee, Literal("20056")), TISH.CodeInseeCommune, BESANCON,
     TI.codeInsee),
    ("commune-without-insee", drop(BESANCON, TI.codeInsee), TISH.CodeInseeCommune, BESANCON, TI.codeInsee),
    ("deleguee-insee", put(iri("id/commune-deleguee/25034"), TI.codeInsee, Literal("2503")),
     TISH.CodeInseeCommune, iri("id/commune-deleguee/25034"), TI.codeInsee),
    ("departement-code", put(DEPT, TI.codeInsee, Literal("20")), TISH["Departement-codeInsee"], DEPT,
     TI.codeInsee),
    ("departement-code-5", put(DEPT, TI.codeInsee, Literal("25056")), TISH["Departement-codeInsee"], DEPT,
     TI.codeInsee),
    ("region-code", put(REGION, TI.codeInsee, Literal("7")), TISH["Region-codeInsee"], REGION, TI.codeInsee),
    ("region-code-letters", put(REGION, TI.codeInsee, Literal("2A")), TISH["Region-codeInsee"], REGION,
     TI.codeInsee),
    # populations
    ("population-negative", put(BESANCON, TI.population, Literal(-1)), TISH.Population, BESANCON,
     TI.population),
    ("population-string", put(BESANCON, TI.population, Literal("118489")), TISH.Population, BESANCON,
     TI.population),
    ("population-decimal", put(BESANCON, TI.population, Literal("118489.5", datatype=XSD.decimal)),
     TISH.Population, BESANCON, TI.population),
    ("population-totale", put(EPCI, TI.populationTotale, Literal(-5)), TISH.PopulationTotale, EPCI,
     TI.populationTotale),
    ("population-municipale", put(EPCI, TI.populationMunicipale, Literal("n/a")), TISH.PopulationMunicipale,
     EPCI, TI.populationMunicipale),
    # EPCI
    ("epci-without-member", drop(EPCI, ORG.hasMember), TISH["EPCI-membres"], EPCI, ORG.hasMember),
    ("epci-member-not-commune", put(EPCI, ORG.hasMember, DEPT), TISH["EPCI-membres"], EPCI, ORG.hasMember),
    ("epci-without-forme", drop(EPCI, TI.formeJuridique), TISH["EPCI-formeJuridique"], EPCI,
     TI.formeJuridique),
    ("epci-two-formes", add(EPCI, TI.formeJuridique, iri("def/forme-juridique/CA")),
     TISH["EPCI-formeJuridique"], EPCI, TI.formeJuridique),
    ("epci-forme-outside-scheme", put(EPCI, TI.formeJuridique, iri("def/regime-fiscal/FPU")),
     TISH["EPCI-formeJuridique"], EPCI, TI.formeJuridique),
    ("epci-forme-unknown", put(EPCI, TI.formeJuridique, iri("def/forme-juridique/SIVU")),
     TISH["EPCI-formeJuridique"], EPCI, TI.formeJuridique),
    ("epci-regime-outside-scheme", put(EPCI, TI.regimeFiscal, iri("def/forme-juridique/CU")),
     TISH["EPCI-regimeFiscal"], EPCI, TI.regimeFiscal),
    # labels
    ("epci-without-label", drop(EPCI, SKOS.prefLabel), TISH["EPCI-prefLabel"], EPCI, SKOS.prefLabel),
    ("commune-without-label", drop(BESANCON, SKOS.prefLabel), TISH["Commune-prefLabel"], BESANCON,
     SKOS.prefLabel),
    ("commune-two-french-labels", add(BESANCON, SKOS.prefLabel, Literal("Besancon", lang="fr")),
     TISH["Commune-prefLabel"], BESANCON, SKOS.prefLabel),
    ("departement-without-label", drop(DEPT, SKOS.prefLabel), TISH["Departement-prefLabel"], DEPT,
     SKOS.prefLabel),
    ("region-without-label", drop(REGION, SKOS.prefLabel), TISH["Region-prefLabel"], REGION, SKOS.prefLabel),
    # geography links
    ("commune-without-departement", drop(BESANCON, TI.departement), TISH["Commune-departement"], BESANCON,
     TI.departement),
    ("commune-departement-wrong-class", put(BESANCON, TI.departement, REGION), TISH["Commune-departement"],
     BESANCON, TI.departement),
    ("commune-without-region", drop(BESANCON, TI.region), TISH["Commune-region"], BESANCON, TI.region),
    ("commune-postcode", put(BESANCON, TI.codePostal, Literal("2500")), TISH["Commune-codePostal"], BESANCON,
     TI.codePostal),
    ("deleguee-without-parent", drop(iri("id/commune-deleguee/25034"), TI.communeDeRattachement),
     TISH.Rattachement, iri("id/commune-deleguee/25034"), TI.communeDeRattachement),
    ("departement-without-region", drop(DEPT, TI.region), TISH["Departement-region"], DEPT, TI.region),
    ("chef-lieu-not-commune", put(DEPT, TI.chefLieu, REGION), TISH["Departement-chefLieu"], DEPT,
     TI.chefLieu),
    # territory
    ("territoire-two-dates", add(T, TI.dateLabellisation, Literal("2023", datatype=XSD.gYear)),
     TISH["Territoire-dateLabellisation"], T, TI.dateLabellisation),
    ("territoire-date-string", put(T, TI.dateLabellisation, Literal("9 novembre 2023")),
     TISH["Territoire-dateLabellisation"], T, TI.dateLabellisation),
    ("territoire-two-dates", add(T, TI.dateLabellisation, Literal("2023", datatype=XSD.gYear)),
     TISH["Territoire-dateLabellisation"], T, TI.dateLabellisation),
    ("territoire-without-term", drop(T, TI.periodeLabellisation), TISH["Territoire-periodeLabellisation"], T,
     TI.periodeLabellisation),
    ("territoire-term-without-end", drop(INTERVAL, TIME.hasEnd), TISH["Territoire-periodeLabellisation"], T,
     TI.periodeLabellisation),
    ("territoire-term-not-interval", both(put(T, TI.periodeLabellisation, INSTANT)),
     TISH["Territoire-periodeLabellisation"], T, TI.periodeLabellisation),
    ("territoire-without-phase", drop(T, TI.phase), TISH["Territoire-phase"], T, TI.phase),
    ("territoire-phase-not-phase", put(T, TI.phase, iri("id/programme/territoires-d-industrie")),
     TISH["Territoire-phase"], T, TI.phase),
    ("territoire-without-member", drop(T, ORG.hasMember), TISH["Territoire-membres"], T, ORG.hasMember),
    # A territory's groupements are EPCI, EPT or single communes: a département is none of them.
    ("territoire-member-not-a-groupement", put(T, ORG.hasMember, DEPT), TISH["Territoire-membres"], T,
     ORG.hasMember),
    ("territoire-without-label", drop(T, SKOS.prefLabel), TISH["Territoire-prefLabel"], T, SKOS.prefLabel),
    # memberships
    ("membership-without-member", drop(MEMBERSHIP, ORG.member), TISH["Membership-member"], MEMBERSHIP,
     ORG.member),
    ("membership-without-organization", drop(MEMBERSHIP, ORG.organization), TISH["Membership-organization"],
     MEMBERSHIP, ORG.organization),
    ("membership-without-role", drop(MEMBERSHIP, ORG.role), TISH["Membership-role"], MEMBERSHIP, ORG.role),
    ("membership-two-roles", add(MEMBERSHIP, ORG.role, iri("def/role/president")), TISH["Membership-role"],
     MEMBERSHIP, ORG.role),
    ("membership-role-not-a-role", put(MEMBERSHIP, ORG.role, iri("def/pilier/foncier")),
     TISH["Membership-role"], MEMBERSHIP, ORG.role),
    ("membership-without-period", drop(MEMBERSHIP, ORG.memberDuring), TISH["Membership-memberDuring"],
     MEMBERSHIP, ORG.memberDuring),
    ("membership-two-members", add(MEMBERSHIP, ORG.member, PERSON), TISH["Membership-member"], MEMBERSHIP,
     ORG.member),
    # W3C ORG: org:hasMembership from the organisation (the old pattern)
    ("membership-linked-from-its-organisation", add(T, ORG.hasMembership, MEMBERSHIP),
     TISH["Adhesion-depuisLeMembre"], MEMBERSHIP, None),
    ("post-without-organisation", drop(POST, ORG.postIn), TISH["Post-organisation"], POST, ORG.postIn),
    ("post-role-not-a-role", put(POST, ORG.role, iri("def/pilier/foncier")), TISH["Post-role"], POST,
     ORG.role),
    ("post-holder-one-way", drop(POST, ORG.heldBy), TISH["Post-titulaire"], POST, None),
    # provenance (issue 9): a source, as an IRI, and how the facts were established
    ("curated-without-source", drop(ORGANISATION, DCTERMS.source), TISH["Provenance-source"],
     ORGANISATION, DCTERMS.source),
    ("curated-source-literal", put(INSTANT, DCTERMS.source, Literal("public record")),
     TISH["Provenance-source"], INSTANT, DCTERMS.source),
    ("curated-without-mode", drop(T, TI.modeEtablissement), TISH["Provenance-mode"], T,
     TI.modeEtablissement),
    ("curated-mode-unknown", put(PERSON, TI.modeEtablissement, iri("def/role/membre")),
     TISH["Provenance-mode"], PERSON, TI.modeEtablissement),
    ("deduced-without-reasoning", put(INSTANT, TI.modeEtablissement, iri("def/mode-etablissement/deduit")),
     TISH["Provenance-raisonnement"], INSTANT, None),
    ("observation-without-unit", drop(OBSERVATION, UNIT_MEASURE), TISH["Observation-unite"], OBSERVATION,
     UNIT_MEASURE),
    # issue 19: a publisher and a language are IRIs
    ("publisher-literal", put(SOURCE_GRAPH, DCTERMS.publisher, Literal("Ministère de l'Intérieur", lang="fr")),
     TISH["Editeur-IRI"], SOURCE_GRAPH, DCTERMS.publisher),
    ("language-literal", put(SOURCE_GRAPH, DCTERMS.language, Literal("fr")), TISH["Langue-IRI"],
     SOURCE_GRAPH, DCTERMS.language),
    # money
    ("amount-without-currency", drop(AMOUNT, SCHEMA.currency), TISH["Montant-devise"], AMOUNT,
     SCHEMA.currency),
    ("amount-currency-lowercase", put(AMOUNT, SCHEMA.currency, Literal("eur")), TISH["Montant-devise"], AMOUNT,
     SCHEMA.currency),
    ("amount-currency-symbol", put(AMOUNT, SCHEMA.currency, Literal("€")), TISH["Montant-devise"], AMOUNT,
     SCHEMA.currency),
    ("amount-without-value", drop(AMOUNT, SCHEMA.value), TISH["Montant-valeur"], AMOUNT, SCHEMA.value),
    ("amount-value-string", put(AMOUNT, SCHEMA.value, Literal("500 M€")), TISH["Montant-valeur"], AMOUNT,
     SCHEMA.value),
    # people, organisations
    ("person-without-name", drop(PERSON, FOAF.name), TISH["Person-name"], PERSON, FOAF.name),
    ("organisation-without-label", drop(ORGANISATION, SKOS.prefLabel), TISH["Organisation-prefLabel"],
     ORGANISATION, SKOS.prefLabel),
    # named graphs
    ("graph-without-source", drop(SOURCE_GRAPH, PROV.wasDerivedFrom), TISH.SourceGraphShape, SOURCE_GRAPH,
     None),
    ("graph-without-licence", drop(SOURCE_GRAPH, DCTERMS.license), TISH["SourceGraph-licence"], SOURCE_GRAPH,
     DCTERMS.license),
    ("graph-licence-literal", put(SOURCE_GRAPH, DCTERMS.license, Literal("Licence Ouverte")),
     TISH["SourceGraph-licence"], SOURCE_GRAPH, DCTERMS.license),
    # time
    ("instant-without-position", drop(INSTANT, TIME.inXSDDate), TISH.InstantShape, INSTANT, None),
    ("instant-two-positions", add(INSTANT, TIME.inXSDgYear, Literal("2023", datatype=XSD.gYear)),
     TISH.InstantShape, INSTANT, None),
    ("instant-date-as-string", put(INSTANT, TIME.inXSDDate, Literal("2023-11-09")), TISH["Instant-date"],
     INSTANT, TIME.inXSDDate),
    ("interval-unplaced", both(drop(INTERVAL, TIME.hasBeginning), drop(INTERVAL, TIME.hasEnd)),
     TISH.IntervalShape, INTERVAL, None),
    # statistics
    ("observation-without-dataset", drop(OBSERVATION, QB.dataSet), TISH["Observation-dataSet"], OBSERVATION,
     QB.dataSet),
    ("observation-without-measure", drop(OBSERVATION, TI.salaireNetMoyenMensuel), TISH.ObservationShape,
     OBSERVATION, None),
    ("observation-sector-outside-scheme", put(OBSERVATION, TI.secteur, iri("def/pilier/innovation")),
     TISH["Observation-secteur"], OBSERVATION, TI.secteur),
]


@pytest.mark.build   # one SHACL validation per case
@pytest.mark.parametrize("name, change, shape, focus, path", CASES, ids=[c[0] for c in CASES])
def test_constraint_fires_on_invalid_graph_only(valid_graph, valid_report, shapes, name, change, shape,
                                                focus, path):
    _, valid_results = valid_report
    assert not [r for r in valid_results if r["shape"] == shape], "fires on the valid graph"
    invalid = Graph()
    invalid += valid_graph
    change(invalid)
    conforms, results = validate(invalid, shapes)
    assert not conforms
    fired = [r for r in results if r["shape"] == shape]
    assert fired, f"{shape} did not fire; got {[(r['shape'], r['path']) for r in results]}"
    # path None: a node shape (no result path) or an inverse path (a blank node)
    assert any(r["focus"] == focus and (r["path"] == path or path is None
                                        and isinstance(r["path"], BNode)) for r in fired), fired
    for result in fired:
        assert result["severity"] == SH.Violation
        assert {"fr", "en"} <= set(result["messages"]), result


def test_every_required_constraint_is_exercised():
    """Guard: the table above covers every property shape that carries a target."""
    exercised = {case[2] for case in CASES}
    required = {TISH[name] for name in (
        "SirenFormat", "SirenCleLuhn", "CodeInseeCommune", "Departement-codeInsee", "Region-codeInsee",
        "Population", "PopulationTotale", "PopulationMunicipale", "EPCI-membres", "EPCI-formeJuridique",
        "EPCI-prefLabel", "Commune-prefLabel", "Departement-prefLabel", "Region-prefLabel",
        "Territoire-dateLabellisation", "Territoire-periodeLabellisation", "Territoire-phase",
        "Territoire-membres", "Membership-member", "Membership-organization", "Membership-role",
        "Membership-memberDuring", "Montant-devise", "Montant-valeur", "Person-name",
        "SourceGraphShape", "SourceGraph-licence", "InstantShape", "Observation-dataSet",
        "ObservationShape", "Adhesion-depuisLeMembre", "Post-organisation", "Post-role",
        "Post-titulaire", "Observation-unite", "Provenance-source", "Provenance-mode",
        "Provenance-raisonnement", "Editeur-IRI", "Langue-IRI")}
    assert required <= exercised, required - exercised


# ------------------------------------------------------------------------------------------------
# Performance rule: the checks on the ~75,000 entities of the reference data are property shapes
# that carry their own target (pyshacl then builds each constraint once for all focus nodes; as
# sh:property of a targeted node shape it rebuilds them per focus node, about 5 times slower:
# 29 s instead of 6 s on the full graph).
# ------------------------------------------------------------------------------------------------

BIG = {TI.Commune, TI.CommuneDeleguee, TI.CommuneAssociee, TI.ArrondissementMunicipal, TI.EPCI,
       TI.siren, TI.population, TI.codeInsee}


def test_big_targets_are_on_property_shapes(shapes):
    for prop in (SH.targetClass, SH.targetSubjectsOf):
        for shape, target in shapes.subject_objects(prop):
            if target in BIG:
                assert shapes.value(shape, SH.path) is not None, \
                    f"{shape} targets {target}: put the target on its property shapes"
                assert shapes.value(shape, SH.property) is None, shape
                assert shapes.value(shape, SH.sparql) is None, f"{shape}: no SPARQL on {target}"
