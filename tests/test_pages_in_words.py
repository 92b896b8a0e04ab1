"""The programme's, a phase's, a funding's and a plan's pages, and those of former entities,
written for people (issue 21, item 5): amounts as amounts, periods as dates, what is unknown
said, a merged commune in words, roles and counts in good French."""

from __future__ import annotations

import html
import re

from .test_entity_pages import page, parse

FUNDING = "/doc/financement/enveloppe-territoires-d-industrie-2023-2027"
PLAN = "/doc/plan/alliances-luxe-precision-doubs-grand-besancon"
PHASE = "/doc/phase/territoires-d-industrie-2"


def summary(body: str) -> str:
    """The page as people read it: its summary and blocks, the folded triples left out, tags
    dropped, spaces made plain."""
    main = body[body.find("<main"):body.find('<section id="donnees"')]
    text = re.sub(r"<svg.*?</svg>", " ", main, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text).replace("\u00a0", " ").replace("&#39;", "'")
    return re.sub(r"\s+", " ", text)


def test_the_funding_page_gives_its_amount_period_and_the_unknown_share(client):
    body = page(client, FUNDING)
    text = summary(body)
    assert parse(body).facts["montant"] == ["500000000"]
    assert "500 millions d'euros (500 000 000 €)" in text
    assert "de 2023 à 2027 (5 ans)" in text
    assert "183" in text and "la part de chaque territoire n'est pas connue" in text
    assert "#montant" not in text and "montant monétaire" not in text


def test_the_phase_page_gives_its_period_and_its_funding(client):
    text = summary(page(client, PHASE))
    assert "de novembre 2023 à 2027" in text
    assert "Enveloppe de l'État pour les Territoires d'industrie, 2023-2027 : 500 millions" in text
    assert "la part de chacun n'est pas connue" in text


def test_the_plan_page_gives_its_territory_pillars_and_what_is_unknown(client):
    body = page(client, PLAN)
    text = summary(body)
    assert "jusqu'en 2027 (son début n'est pas connu)" in text
    assert "Ses 5 piliers" in text and "soutien à l'innovation" in text
    assert "1 lien entrant" in text and "1 liens" not in text
    assert "1 ressource ou lien pointe ici" in text


def test_the_programme_page_says_when_and_by_whom(client):
    text = summary(page(client, "/doc/programme/territoires-d-industrie"))
    assert "lancé en 2018" in text and "créé par État" in text


def test_a_merged_commune_is_said_in_words(client):
    text = summary(page(client, "/doc/commune/25533"))      # Saraz
    assert "Ancienne commune" in text
    assert "le 1er janvier 2025 dans Éternoz-Vallée-du-Lison" in text
    assert "commune déléguée d'Éternoz-Vallée-du-Lison depuis le 1er janvier 2025" in text
    assert "membre de la CC Loue-Lison (COG 2019–2024)" in text
    assert "adhésion" not in text and "epci-200068070-2019" not in text
    # the links to it named for people: the merger by its date, the perimeters' gaps by why
    assert "fusion de communes du 1er janvier 2025" in text and "#fusion-2025" not in text
    assert "Saraz (25533) a fusionné dans Éternoz-Vallée-du-Lison (25223)" in text
    assert "#ecart-" not in text


def test_roles_are_named_for_people_and_in_the_feminine_for_a_woman(client):
    text = summary(page(client, "/doc/personne/nathalie-auge"))
    assert "dirigeante d'Augé Microtechnic Group" in text
    assert "référente industrielle du territoire" in text
    roles = text[text.find("Ses rôles"):text.find("Liens entrants")]
    assert "dirigeant " not in roles and "référent " not in roles and "membre — " not in text
    assert "rôle de dirigeant d'Augé Microtechnic Group" in text     # her membership, named
    territory = summary(page(client, "/doc/territoire/alliances-luxe-precision-doubs"))
    assert "référente industrielle Nathalie Augé" in territory
    assert "élu référent Cédric Bôle" in territory


def test_figures_carry_their_unit_in_the_plural(client):
    tables = parse(page(client, "/doc/statistique/emplois-industriels-detruits")).tables
    figure = "2\u00a0500\u00a0000"
    rows = [r for rows in tables.values() for r in rows if figure in r]
    assert rows and rows[0][rows[0].index(figure) + 1] == "emplois"   # its unit beside it, plural


def test_an_ept_is_named_as_what_it_is(client):
    body = html.unescape(page(client, "/doc/ept/200057990"))
    text = summary(body)
    assert "Établissement public territorial" in text
    assert "Les communes les plus peuplées de l'établissement public territorial" in body
    assert "peuplées de l'EPCI" not in body


def test_a_commune_deleguee_says_of_which_commune_and_since_when(client):
    text = summary(page(client, "/doc/commune-deleguee/25533"))
    assert "Commune déléguée" in text
    assert "commune déléguée d'Éternoz-Vallée-du-Lison depuis le 1er janvier 2025" in text
    assert "la commune Saraz (25533)" in text


def test_the_territory_page_says_its_share_of_the_envelope_is_unknown(client):
    text = summary(page(client, "/doc/territoire/alliances-luxe-precision-doubs"))
    funding = text[text.find("Son financement"):]
    assert "500 millions d'euros (500 000 000 €)" in funding
    assert "La part de ce territoire dans cette enveloppe n'est pas connue" in funding


def test_a_table_its_chart_sums_up_is_folded_until_the_reader_sorts_it(client):
    """On a phone the territory page stays a few screens: the populations' table sits folded
    under its charts, and opens once the reader sorts or pages it (the link lands on it)."""
    folded = re.compile(r'<details class="tableau"( open)?><summary>Les chiffres des graphiques '
                        r'\((\d+)\)</summary>\s*<div class="table-wrap">\s*<table[^>]*'
                        r'id="table-populations"')
    found = folded.search(page(client, "/doc/territoire/alliances-luxe-precision-doubs"))
    assert found and found.group(1) is None and int(found.group(2)) > 1
    sorted_page = page(client, "/doc/territoire/alliances-luxe-precision-doubs",
                       **{"populations-tri": "millesime"})
    assert folded.search(sorted_page).group(1) == " open"
    # the commune table, which no chart sums up, is never folded
    communes = page(client, "/doc/territoire/alliances-luxe-precision-doubs").split(
        'id="communes"')[1].split("<section")[0]
    assert 'id="table-communes"' in communes and "<details" not in communes
