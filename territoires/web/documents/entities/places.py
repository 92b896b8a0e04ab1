"""The pages of the official geography, in the territory page's shape (a summary, then tables):
an EPCI and its communes, a commune and where it belongs, a département or a région and its
EPCI and communes."""

from __future__ import annotations

from ....store import Store
from ....vocabulary.namespaces import ORG
from .charts import Bar, bars
from .data import Known, count, integer, link, select, table_query
from .geography import Geography, geography
from .french import date, number, of, plural
from .model import Block, Column, EntityPage, Fact, Table, Text
from .people import leaders, population_source
from .populations import current_vintages, populations_block
from .territory import communes_block

AREA_EPCI_COLUMNS = (Column("nom", "EPCI"), Column("siren", "SIREN"),
                     Column("forme", "forme juridique"), Column("population", "population", True))
TERRITORY_COLUMNS = (Column("nom", "territoire"), Column("phase", "phase", True),
                     Column("identifiant", "identifiant ANCT"))
DEPARTEMENT_COLUMNS = (Column("code", "code"), Column("nom", "département"),
                       Column("communes", "communes", True),
                       Column("population", "population", True))


def _code_fact(known: Known, local: str, label: str) -> list[Fact]:
    value = known.term(local)
    return [Fact(label, (Text(value.value),))] if value is not None else []


def _links_fact(known: Known, local: str, label: str) -> list[Fact]:
    values = known.all(known.ti + local)
    return [Fact(label, tuple(known.link(v.value) for v in values))] if values else []


def _population_fact(live: Store, known: Known, local: str) -> list[Fact]:
    """The current population with its concept and millésime (a commune's is its municipal
    population, an EPCI's the DGCL list's total one)."""
    value = integer(known.term(local))
    if value is None:
        return []
    vintages = current_vintages(live)
    words = vintages.epci_words() if local == "populationTotale" else vintages.communes_words()
    return [Fact("population", (Text(f"{number(value)} habitants", value=str(value)),
                                Text(f" — {words}"), population_source(live, [known.iri])))]


def epci_page(live: Store, known: Known, kind: str = "EPCI (intercommunalité)",
              of_it: str = "de l'EPCI") -> EntityPage:
    """An EPCI's page; an établissement public territorial's and the Métropole de Lyon's too,
    named as what they are (`kind`, and `of_it` in the chart's title)."""
    hosts = known.hosts
    geo = geography(live)
    # an EPT's communes are its own members (the reference's EPCI memberships do not hold them)
    communes = geo.communes_of([known.iri]) or [
        geo.communes[m.value] for m in known.all(str(ORG.hasMember)) if m.value in geo.communes]
    territories = select(live, "epci-territories", epci=known.iri)
    facts = _code_fact(known, "siren", "SIREN") + _links_fact(known, "formeJuridique", "forme")
    facts += _links_fact(known, "regimeFiscal", "régime fiscal")
    facts += [Fact("communes", (Text(number(len(communes)), value=str(len(communes))),))]
    facts += _population_fact(live, known, "populationTotale")
    facts += _links_fact(known, "departement", "département(s)")
    if territories:
        facts.append(Fact("territoire(s) d'industrie", _with_phases(hosts, territories)))
    facts += leaders(live, known.iri, hosts)
    block = communes_block(communes, geo, hosts, with_epci=False, live=live)
    block.table.query = table_query(live, "epci-communes", epci=known.iri)
    biggest = sorted(communes, key=lambda c: -(c.population or 0))[:10]
    block.chart = bars("graphique-communes", f"Les communes les plus peuplées {of_it}",
                       [Bar(c.name, c.population) for c in biggest], "hab.")
    return EntityPage(kind, facts, populations_block(live, known.iri, known.name(known.iri),
                                                     hosts) + [block])


def commune_page(live: Store, known: Known) -> EntityPage:
    hosts = known.hosts
    rows = select(live, "commune-context", commune=known.iri)
    facts = _code_fact(known, "codeInsee", "code Insee")
    facts += _population_fact(live, known, "population")
    postcodes = sorted(v.value for v in known.all(known.ti + "codePostal"))
    if postcodes:
        facts.append(Fact("code(s) postal(aux)", (Text(", ".join(postcodes)),)))
    epci = {row["epci"].value: link(hosts, row["epci"], row.get("epciName"))
            for row in rows if "epci" in row}
    territories = {row["territory"].value: row for row in rows if "territory" in row}
    if epci:
        facts.append(Fact("EPCI", tuple(epci.values())))
    facts += _attachment_facts(live, known)
    facts += _links_fact(known, "departement", "département") + _links_fact(known, "region", "région")
    if territories:
        facts.append(Fact("territoire(s) d'industrie",
                          _with_phases(hosts, list(territories.values()))))
    attached = [(Text(row.get("attachedCode", row["attached"]).value.rsplit("/", 1)[-1]),
                 link(hosts, row["attached"], row.get("attachedName")))
                for row in rows if "attached" in row]
    blocks = populations_block(live, known.iri, known.name(known.iri), hosts)
    if attached:
        table = Table("rattachees", (Column("code", "code Insee"), Column("nom", "nom")),
                      attached, "nom", "Communes déléguées ou associées",
                      query=table_query(live, "commune-attached", commune=known.iri))
        blocks.append(Block("rattachees", "Communes déléguées ou associées", "table", table=table))
    return EntityPage(_commune_kind(known), facts, blocks)


# A commune's page says which kind of commune it is.
COMMUNE_KINDS = (("CommuneDeleguee", "Commune déléguée"), ("CommuneAssociee", "Commune associée"),
                 ("ArrondissementMunicipal", "Arrondissement municipal"))


def _commune_kind(known: Known) -> str:
    types = known.types()
    return next((words for local, words in COMMUNE_KINDS if known.ti + local in types), "Commune")


def _attachment_facts(live: Store, known: Known) -> list[Fact]:
    """A commune déléguée or associée in words: `commune déléguée d'Éternoz-Vallée-du-Lison
    depuis le 1er janvier 2025`, and the commune it was before (its own page)."""
    attached = known.term("communeDeRattachement")
    if attached is None:
        return []
    kind = _commune_kind(known).lower()
    name = known.name(attached.value)
    rows = select(live, "became", resource=known.iri)
    day = next((row["date"].value for row in rows if "date" in row), "")
    pieces = [Text(f"{kind} {of(name)[:-len(name)]}"), known.link(attached.value),
              Text(f" depuis le {date(day)}" if day else "")]
    facts = [Fact("statut", tuple(pieces))]
    formers = sorted({row["former"].value for row in rows})
    if formers:
        facts.append(Fact("auparavant", tuple(
            Text(f"la commune {known.name(f)} ({f.rsplit('/', 1)[-1]})", known.hosts.url(f))
            for f in formers)))
    return facts


def _with_phases(hosts, rows: list[dict]) -> tuple[Text, ...]:
    """Each territory a link followed by its phase, latest phase first: `Nom (phase 2), …`."""
    ordered = sorted(rows, key=lambda r: (-(integer(r.get("number")) or 0),
                                          getattr(r.get("territoryName"), "value", "")))
    pieces: list[Text] = []
    for i, row in enumerate(ordered):
        phase = integer(row.get("number"))
        pieces.append(link(hosts, row["territory"], row.get("territoryName")))
        words = f" (phase {phase})" if phase else ""
        pieces.append(Text(words + (", " if i < len(ordered) - 1 else "")))
    return tuple(pieces)


def _territories_block(live: Store, known: Known) -> list[Block]:
    """The territories of both phases in the département or région."""
    rows = select(live, "area-territories", area=known.iri)
    if not rows:
        return []
    cells = [(link(known.hosts, r["territory"], r.get("name")), count(integer(r.get("number"))),
              Text(r["identifier"].value if "identifier" in r else "—")) for r in rows]
    table = Table("territoires", TERRITORY_COLUMNS, cells, "-phase",
                  "Territoires d'industrie des deux phases",
                  query=table_query(live, "area-territories", area=known.iri))
    return [Block("territoires", f"Ses {plural(len(cells), 'territoire')} d'industrie", "table",
                  table=table)]


def area_page(live: Store, known: Known, region: bool) -> EntityPage:
    hosts = known.hosts
    geo = geography(live)
    communes = geo.communes_in(known.iri)
    epci = geo.epci_in(known.iri)
    population = sum(c.population or 0 for c in communes)
    facts = _code_fact(known, "codeInsee", "code Insee")
    facts += _links_fact(known, "region", "région") + _links_fact(known, "chefLieu", "chef-lieu")
    facts += [Fact("communes", (Text(number(len(communes)), value=str(len(communes))),)),
              Fact("EPCI", (Text(number(len(epci)), value=str(len(epci))),)),
              Fact("population des communes", (Text(f"{number(population)} habitants",
                                                    value=str(population)),
                                               Text(f" — {current_vintages(live).communes_words()}"
                                                    f", somme de ses communes")))]
    blocks = _territories_block(live, known)
    blocks += [_departements_block(live, known, geo)] if region else []
    rows = [(Text(e.name, hosts.url(e.iri)), Text(e.siren), Text(e.form), count(e.population))
            for e in epci]
    blocks.append(Block("epci", f"Ses {plural(len(rows), 'intercommunalité')}", "table",
                        table=Table("epci", AREA_EPCI_COLUMNS, rows, "-population",
                                    "EPCI ayant des communes ici",
                                    query=table_query(live, "area-epci", area=known.iri))))
    blocks.append(communes_block(communes, geo, hosts, with_epci=True, live=live))
    blocks[-1].table.query = table_query(live, "area-communes", area=known.iri)
    return EntityPage("Région" if region else "Département", facts, blocks)


def _departements_block(live: Store, known: Known, geo: Geography) -> Block:
    rows = []
    for r in select(live, "region-departements", region=known.iri):
        communes = geo.communes_in(r["departement"].value)
        rows.append((Text(r["code"].value), link(known.hosts, r["departement"], r.get("name")),
                     count(len(communes)), count(sum(c.population or 0 for c in communes))))
    chart = bars("graphique-departements", "Population des départements de la région",
                 [Bar(r[1].text, r[3].sort) for r in sorted(rows, key=lambda r: -r[3].sort)],
                 "hab.")
    return Block("departements", f"Ses {plural(len(rows), 'département')}", "table",
                 table=Table("departements", DEPARTEMENT_COLUMNS, rows, "code"), chart=chart)
