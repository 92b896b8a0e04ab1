"""Realistic mistakes a data steward makes in the sources, each a text edit of one real file
(tests/test_mutations.py applies them one at a time to a copy of the sources).

A mutation replaces `old` (which must occur in the file: once, or `count` times) by `new`. The
report must name the file and the line the steward changed: the line of the replacement, or the
line of `at` (its last occurrence in the mutated file) when the change removed a line or the
fact is reported on its resource. A mistake the project
knowingly lets through says why in `limit`."""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "    dcterms:source <id/document/article-grand-besancon-territoire-d-industrie> ."
ALLIANCES = 'alliances-luxe-precision-doubs,"Alliances Luxe & Précision, Doubs",2,'
HAUT_DOUBS = "haut-doubs,Haut-Doubs,1,"


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str                 # under data/
    old: str
    new: str
    count: int = 1            # occurrences replaced (0: all of them, at least one)
    at: str | None = None     # the line to be named, when it is not the replacement's
    limit: str | None = None  # why the project lets this one through

    def apply(self, text: str) -> str:
        found = text.count(self.old)
        if found == 0 or (self.count and found != self.count):
            raise AssertionError(f"mutation {self.name!r}: {self.old!r} occurs {found} time(s) "
                                 f"in {self.file}, expected {self.count or 'some'}")
        return text.replace(self.old, self.new)

    def line_in(self, mutated: str) -> int:
        if self.at is not None:
            index = mutated.rfind(self.at)
            assert index >= 0, f"mutation {self.name!r}: {self.at!r} not in the mutated file"
        else:
            index = mutated.find(self.new) + len(self.new) - len(self.new.lstrip("\n"))
        return mutated[:index].count("\n") + 1


CSV = "territoires/territoires.csv"
GOUVERNANCE = "article/gouvernance.ttl"
PROGRAMME = "article/programme.ttl"
STATISTIQUES = "article/statistiques.ttl"
TERRITOIRE = "article/territoire.ttl"

MUTATIONS = [
    # --- the territory list -------------------------------------------------------------------
    Mutation("SIREN of another Doubs EPCI, Luhn-valid", CSV,
             HAUT_DOUBS + ",2023-11,242504355,", HAUT_DOUBS + ",2023-11,242504496,"),
    Mutation("SIREN with one digit mistyped", CSV,
             HAUT_DOUBS + ",2023-11,242504116,", HAUT_DOUBS + ",2023-11,242504117,"),
    Mutation("SIREN with two digits transposed", CSV,
             ALLIANCES + "2023-11-09,2027,242504181,", ALLIANCES + "2023-11-09,2027,242504811,"),
    Mutation("SIREN of Grand Besançon with its name left on another row", CSV,
             ALLIANCES + "2023-11-09,2027,200068070,CC Loue-Lison,",
             ALLIANCES + "2023-11-09,2027,242500361,CC Loue-Lison,"),
    Mutation("wrong département", CSV, "CC du Pays de Maîche,Pays de Maîche,25,",
             "CC du Pays de Maîche,Pays de Maîche,39,"),
    Mutation("row for an EPCI outside the territory's département", CSV,
             ALLIANCES + "2023-11-09,2027,242504116,CC du Val de Morteau,Val de Morteau,25,",
             ALLIANCES + "2023-11-09,2027,247000623,CC des Quatre Rivières,,25,"),
    Mutation("row for an EPCI of another département, département left blank", CSV,
             ALLIANCES + "2023-11-09,2027,242504116,CC du Val de Morteau,Val de Morteau,25,",
             ALLIANCES + "2023-11-09,2027,247000623,CC des Quatre Rivières,,,"),
    Mutation("row pasted twice", CSV, HAUT_DOUBS + ",2023-11,200068070,CC Loue-Lison,,25,",
             ALLIANCES + "2023-11-09,2027,242504355,CC du Plateau de Russey,Plateau du Russey,25,,,"
             "id/document/article-grand-besancon-territoire-d-industrie,date_labellisation,"
             "L'article date la labellisation du 9 novembre sans l'année ; 2023 est déduit de la "
             "durée de quatre ans et de l'échéance 2027.\n" + HAUT_DOUBS + ",2023-11,200068070,CC Loue-Lison,,25,",
             at=ALLIANCES + "2023-11-09,2027,242504355,"),
    Mutation("label date in French order", CSV, "2023-11-09,2027", "09/11/2023,2027", count=0),
    Mutation("label date with day and month swapped", CSV, "2023-11-09,2027", "2023-09-11,2027",
             count=0),
    Mutation("term ending before it starts", CSV, "1,,2023-11,", "1,,2013-11,", count=0),
    Mutation("end of term one year off", CSV, "2023-11-09,2027,", "2023-11-09,2028,", count=0),
    Mutation("wrong phase", CSV, HAUT_DOUBS, "haut-doubs,Haut-Doubs,2,", count=0),
    Mutation("territory name misspelt", CSV, '"Alliances Luxe & Précision, Doubs"',
             '"Alliance Luxe & Précision, Doubs"', count=0),
    Mutation("territory slug mistyped on one row", CSV,
             HAUT_DOUBS + ",2023-11,242504181,", "haut-doub,Haut-Doubs,1,,2023-11,242504181,"),
    # --- figures --------------------------------------------------------------------------------
    Mutation("salary with a French thousands separator", STATISTIQUES,
             '"2906"^^xsd:decimal', '"2.906"^^xsd:decimal'),
    Mutation("yearly salary instead of monthly", STATISTIQUES,
             '"2344"^^xsd:decimal', '"28128"^^xsd:decimal'),
    Mutation("salary with a decimal comma", STATISTIQUES,
             '"2601"^^xsd:decimal', '"2601,00"^^xsd:decimal'),
    Mutation("share as a fraction instead of a percentage", STATISTIQUES,
             'ti:partRichesseNationale "11"^^xsd:decimal', 'ti:partRichesseNationale "0.11"^^xsd:decimal'),
    Mutation("share with an extra digit", STATISTIQUES,
             'ti:partRichesseNationale "22"^^xsd:decimal', 'ti:partRichesseNationale "220"^^xsd:decimal'),
    Mutation("jobs with an extra zero", STATISTIQUES,
             "ti:emploisDetruits 2500000 ;", "ti:emploisDetruits 25000000 ;"),
    Mutation("reference year mistyped", STATISTIQUES,
             'ti:secteur secteur:construction ;\n    ti:periodeReference "2022"^^xsd:gYear',
             'ti:secteur secteur:construction ;\n    ti:periodeReference "2202"^^xsd:gYear',
             at='    ti:periodeReference "2202"'),
    Mutation("amount in millions of euros", PROGRAMME,
             'schema:value "500000000"^^xsd:decimal', 'schema:value "500"^^xsd:decimal'),
    Mutation("amount in thousands of euros", PROGRAMME,
             'schema:value "500000000"^^xsd:decimal', 'schema:value "500000"^^xsd:decimal',
             limit="€500,000 is a plausible grant: only the amount per beneficiary would tell, "
                   "and SHACL Core cannot divide"),
    Mutation("currency as a symbol", PROGRAMME, 'schema:currency "EUR"', 'schema:currency "€"'),
    Mutation("number of territories with a digit doubled", PROGRAMME,
             "ti:nombreTerritoires 183 ;", "ti:nombreTerritoires 1833 ;"),
    # --- provenance -----------------------------------------------------------------------------
    Mutation("source removed from an observation", STATISTIQUES,
             "    ti:modeEtablissement mode:cite ;\n" + SOURCE + "\n\n"
             "<id/statistique/salaires-nets-moyens-2022/tertiaire>",
             "    ti:modeEtablissement mode:cite .\n\n"
             "<id/statistique/salaires-nets-moyens-2022/tertiaire>",
             at="<id/statistique/salaires-nets-moyens-2022/construction> a qb:Observation"),
    Mutation("source removed from a person", GOUVERNANCE,
             'not from the article."@en ;\n' + SOURCE, 'not from the article."@en .',
             at="<id/personne/anne-vignot> a foaf:Person"),
    Mutation("source removed from a curated membership", GOUVERNANCE,
             "    org:memberDuring <id/epci/242504116#role-cedric-bole-periode> ;\n"
             "    ti:modeEtablissement mode:cite ;\n" + SOURCE,
             "    org:memberDuring <id/epci/242504116#role-cedric-bole-periode> ;\n"
             "    ti:modeEtablissement mode:cite .",
             at="<id/epci/242504116#role-cedric-bole> a org:Membership"),
    Mutation("source given as text", TERRITOIRE,
             "It is to be carried out by 2027.\"@en ;\n" + SOURCE,
             "It is to be carried out by 2027.\"@en ;\n"
             '    dcterms:source "article du Grand Besançon" .',
             at='    dcterms:source "article du Grand Besançon" .'),
    # --- people, links, dates in the curated facts --------------------------------------------
    Mutation("person's name misspelt in one property", GOUVERNANCE,
             'foaf:name "Cédric Bôle"', 'foaf:name "Cédric Bole"'),
    Mutation("family name misspelt", GOUVERNANCE, 'schema:familyName "Augé"',
             'schema:familyName "Auger"'),
    Mutation("membership in a mistyped EPCI", GOUVERNANCE,
             "org:organization <id/epci/242504116> ;", "org:organization <id/epci/242504117> ;"),
    Mutation("company located in a commune code that does not exist", GOUVERNANCE,
             "schema:location <id/commune/25560>", "schema:location <id/commune/25999>"),
    Mutation("company located in another real commune", GOUVERNANCE,
             "schema:location <id/commune/25560>", "schema:location <id/commune/25056>"),
    Mutation("quotation attributed to a mistyped person", GOUVERNANCE,
             "schema:spokenByCharacter <id/personne/anne-vignot>",
             "schema:spokenByCharacter <id/personne/anne-vigot>"),
    Mutation("role start date in French order", GOUVERNANCE,
             'role-nathalie-auge-debut> a time:Instant ;\n    time:inXSDDate "2023-11-09"^^xsd:date',
             'role-nathalie-auge-debut> a time:Instant ;\n    time:inXSDDate "09-11-2023"^^xsd:date',
             at='    time:inXSDDate "09-11-2023"'),
    Mutation("role start date with day and month swapped", GOUVERNANCE,
             'role-nathalie-auge-debut> a time:Instant ;\n    time:inXSDDate "2023-11-09"^^xsd:date',
             'role-nathalie-auge-debut> a time:Instant ;\n    time:inXSDDate "2023-09-11"^^xsd:date',
             at='    time:inXSDDate "2023-09-11"',
             limit="a valid date two months off, in no contradiction with any other fact (the "
                   "role's start is not tied to the label date in the data)"),
    Mutation("label date in the article one decade off", TERRITOIRE,
             'ti:dateLabellisation "2023-11-09"^^xsd:date', 'ti:dateLabellisation "2032-11-09"^^xsd:date'),
    Mutation("funding ending before it starts", PROGRAMME,
             '2023-2027#fin> a time:Instant ;\n    time:inXSDgYear "2027"^^xsd:gYear',
             '2023-2027#fin> a time:Instant ;\n    time:inXSDgYear "2022"^^xsd:gYear',
             at='    time:inXSDgYear "2022"'),
    Mutation("term length contradicting its bounds", TERRITOIRE,
             'time:hasXSDDuration "P4Y"^^xsd:duration', 'time:hasXSDDuration "P6Y"^^xsd:duration'),
    Mutation("plan declined in a mistyped EPCI", TERRITOIRE,
             "dcterms:spatial <id/epci/242500361>", "dcterms:spatial <id/epci/242500362>"),
    Mutation("predecessor territory mistyped", TERRITOIRE,
             "dcterms:replaces <id/territoire/haut-doubs>", "dcterms:replaces <id/territoire/haut-doubs-1>"),
]

# --- issue 19: what validation let through ---------------------------------------------------
# The share of 1973 and that of 2023, from the first figure to the second (swapped below).
_SHARES_BETWEEN = (
    '"^^xsd:decimal ;\n'
    "    sdmx-attribute:unitMeasure unit:PERCENT ;\n"
    "    ti:modeEtablissement mode:cite ;\n" + SOURCE + "\n\n"
    "<id/statistique/industrie-nationale/part-richesse-2023> a qb:Observation ;\n"
    '    rdfs:label "Part de la richesse nationale produite par l\'industrie, 2023"@fr , '
    '"Share of industry in national wealth, 2023"@en ;\n'
    "    qb:dataSet <id/statistique/industrie-nationale> ;\n"
    '    ti:periodeReference "2023"^^xsd:gYear ;\n'
    '    ti:partRichesseNationale "')
_GRANT = "<id/financement/enveloppe-territoires-d-industrie-2023-2027"

MUTATIONS += [
    # an EPCI replaced coherently by a neighbour's (SIREN, official name, source wording)
    Mutation("EPCI replaced by its neighbour's, name and wording with it", CSV,
             ALLIANCES + "2023-11-09,2027,242504116,CC du Val de Morteau,Val de Morteau,25,",
             ALLIANCES + "2023-11-09,2027,200069565,CC des Lacs et Montagnes du Haut-Doubs,"
                         "Lacs et Montagnes du Haut-Doubs,25,"),
    Mutation("phase-1 EPCI replaced by its neighbour's, official name with it", CSV,
             HAUT_DOUBS + ",2023-11,200023075,CC du Pays de Maîche,",
             HAUT_DOUBS + ",2023-11,242504371,CC du Pays de Sancey-Belleherbe,"),
    # an EPCI added to the wrong phase's territory
    Mutation("Grand Besançon added to the phase-1 territory", CSV,
             HAUT_DOUBS + ",2023-11,200068070,CC Loue-Lison,,25,",
             HAUT_DOUBS + ",2023-11,242500361,CU Grand Besançon Métropole,,25,ti-2704,2018,"
                          "id/document/article-grand-besancon-territoire-d-industrie,,\n"
             + HAUT_DOUBS + ",2023-11,200068070,CC Loue-Lison,,25,",
             at=HAUT_DOUBS + ",2023-11,242500361,"),
    # a role moved to the wrong organisation or territory
    Mutation("presidency moved to a neighbouring EPCI", GOUVERNANCE,
             "org:organization <id/epci/242504116> ;", "org:organization <id/epci/242504355> ;"),
    Mutation("industrial referent's post moved to the phase-1 territory", GOUVERNANCE,
             "org:postIn <id/territoire/alliances-luxe-precision-doubs> ;\n"
             '    ti:libelleOrganisationSource "Alliances Luxe & Précision Doubs"@fr ;\n'
             "    org:role role:referent-industriel ;",
             "org:postIn <id/territoire/haut-doubs> ;\n"
             '    ti:libelleOrganisationSource "Alliances Luxe & Précision Doubs"@fr ;\n'
             "    org:role role:referent-industriel ;"),
    Mutation("elected referent's phase-1 membership moved to the phase-2 territory", GOUVERNANCE,
             "org:organization <id/territoire/haut-doubs> ;",
             "org:organization <id/territoire/alliances-luxe-precision-doubs> ;"),
    Mutation("company head's membership moved to another organisation", GOUVERNANCE,
             "org:organization <id/organisation/auge-microtechnic> ;",
             "org:organization <id/organisation/insee> ;"),
    Mutation("quoted person affiliated to another EPCI", GOUVERNANCE,
             "schema:affiliation <id/epci/242500361> ;", "schema:affiliation <id/epci/242504116> ;"),
    # a count that disagrees with what it counts
    Mutation("beneficiaries of the envelope with two digits swapped", PROGRAMME,
             "ti:nombreBeneficiaires 183 ;", "ti:nombreBeneficiaires 138 ;"),
    Mutation("beneficiaries of the envelope as many as the first phase's territories", PROGRAMME,
             "ti:nombreBeneficiaires 183 ;", "ti:nombreBeneficiaires 149 ;"),
    # a label without its language tag
    Mutation("post's name without its language tag", GOUVERNANCE,
             '"Présidence de la communauté de communes du Val de Morteau"@fr ,',
             '"Présidence de la communauté de communes du Val de Morteau" ,'),
    Mutation("dataset title without its language tag", STATISTIQUES,
             'dcterms:title "Salaires nets mensuels moyens par secteur, 2022"@fr',
             'dcterms:title "Salaires nets mensuels moyens par secteur, 2022"'),
    Mutation("English label of the programme without its tag", PROGRAMME,
             'rdfs:label "Territoires d\'industrie"@fr , "Industrial Territories"@en ;',
             'rdfs:label "Territoires d\'industrie"@fr , "Industrial Territories" ;'),
    # a figure swapped with its neighbour, in a series its statement constrains ("halved")
    Mutation("shares of 1973 and 2023 swapped", STATISTIQUES,
             'ti:partRichesseNationale "22' + _SHARES_BETWEEN + '11"',
             'ti:partRichesseNationale "11' + _SHARES_BETWEEN + '22"'),
    Mutation("share of 2023 mistyped, no longer half of 1973's", STATISTIQUES,
             'ti:partRichesseNationale "11"^^xsd:decimal', 'ti:partRichesseNationale "17"^^xsd:decimal'),
    # an interval whose start was edited: reported at the start's line
    Mutation("funding starting after it ends", PROGRAMME,
             '2023-2027#debut> a time:Instant ;\n    time:inXSDgYear "2023"^^xsd:gYear',
             '2023-2027#debut> a time:Instant ;\n    time:inXSDgYear "2028"^^xsd:gYear',
             at='    time:inXSDgYear "2028"'),
    Mutation("territory's term starting after it ends", TERRITOIRE,
             'doubs#debut> a time:Instant ;\n    time:inXSDDate "2023-11-09"^^xsd:date',
             'doubs#debut> a time:Instant ;\n    time:inXSDDate "2028-11-09"^^xsd:date',
             at='    time:inXSDDate "2028-11-09"'),
]
