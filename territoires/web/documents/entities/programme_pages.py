"""The programme's page and each phase's: their figures, the map of France of each phase (a link
per territory, drawn once per build), the sortable and paged table of their territories and its
CSV (web/exports/ writes the same rows)."""

from __future__ import annotations

from flask import url_for

from ....store import Store
from ....vocabulary.namespaces import DCTERMS
from ... import maps
from .data import Known, count, integer, link, select, table_query
from .money import amount_words, period_words
from .french import number, plural
from .model import Block, Column, EntityPage, Fact, Table, Text
from .programme import Programme, TerritoryRow, programme

TABLE = "territoires"


def columns(rows: list[TerritoryRow], with_phase: bool) -> tuple[Column, ...]:
    vintages = {r.vintage for r in rows if r.vintage}
    population = "population municipale" + (f" {vintages.pop()}" if len(vintages) == 1 else "")
    found = [Column("nom", "territoire"), Column("identifiant", "identifiant ANCT")]
    if with_phase:
        found.append(Column("phase", "phase", True))
    return tuple(found + [Column("regions", "région(s)"),
                          Column("departements", "département(s)"),
                          Column("epci", "EPCI", True), Column("communes", "communes", True),
                          Column("population", population, True)])


def _areas(areas, hosts) -> Text:
    text = ", ".join(f"{a.name} ({a.code})" if a.code != a.name else a.name for a in areas)
    return Text(text or "—", hosts.url(areas[0].iri) if len(areas) == 1 else None)


def table(rows: list[TerritoryRow], hosts, with_phase: bool, caption: str) -> Table:
    """The territories as a sortable, paged table (its rows are the CSV's)."""
    single = len({r.vintage for r in rows if r.vintage}) <= 1
    cells = []
    for r in rows:
        row = [Text(r.name, hosts.url(r.iri)), Text(r.identifier or "—")]
        if with_phase:
            row.append(count(r.number))
        population = count(r.population)
        if not single and r.vintage and r.population is not None:
            population = Text(f"{population.text} ({r.vintage})", sort=r.population,
                              value=str(r.population))
        row += [_areas(r.regions, hosts), _areas(r.departements, hosts), count(r.groupements),
                count(r.communes), population]
        cells.append(tuple(row))
    return Table(TABLE, columns(rows, with_phase), cells, "nom", caption)


def map_block(drawing: maps.Drawing, phase: int, hosts, shown: int) -> Block:
    block_id = f"carte-phase-{phase}"
    svg = maps.render(drawing, hosts.url, f"svg-{block_id}",
                      f"Carte des {shown} territoires d'industrie de la phase {phase}",
                      f"{block_id}-legende")
    caption = [Text("Chaque territoire est un lien vers sa page ; la Guadeloupe, la Martinique, "
                    "la Guyane, La Réunion et Mayotte sont en encarts. Les mêmes territoires, "
                    "avec leurs chiffres, sont dans "), Text("le tableau", f"#{TABLE}"),
               Text(" (l'alternative textuelle de la carte).")]
    return Block(block_id, f"La carte de la phase {phase}", "map", items=caption, chart=svg)


def _table_block(rows: list[TerritoryRow], hosts, with_phase: bool, export: str,
                 query: str) -> Block:
    caption = f"{plural(len(rows), 'territoire')}, triables par colonne"
    block = Block(TABLE, f"Les {plural(len(rows), 'territoire')}", "table",
                  table=table(rows, hosts, with_phase, caption))
    block.table.query = query
    # Beside the table's own CSV (every table has one): the same territories with their codes
    # and IRIs, for reusers who join them with other files.
    block.links = [Text("les mêmes territoires avec leurs codes et IRI (CSV détaillé)",
                        url_for("exports.territories", name=export))]
    return block


def figures(rows: list[TerritoryRow]) -> list[Fact]:
    communes = sum(r.communes or 0 for r in rows)
    population = sum(r.population or 0 for r in rows)
    vintages = sorted({r.vintage for r in rows if r.vintage})
    return [Fact("territoires", (Text(number(len(rows)), value=str(len(rows))),)),
            Fact("communes couvertes", (Text(number(communes), value=str(communes)),)),
            Fact("habitants couverts" + (f" (population municipale {', '.join(vintages)})"
                                         if vintages else ""),
                 (Text(number(population), value=str(population)),))]


def programme_page(live: Store, known: Known) -> EntityPage:
    found = programme(live)
    hosts = known.hosts
    facts = []
    for phase in found.phases():
        rows = [r for r in found.territories if r.number == phase]
        facts.append(Fact(f"phase {phase}", (Text(
            f"{plural(len(rows), 'territoire')}, {number(sum(r.communes or 0 for r in rows))} "
            f"communes, {number(sum(r.population or 0 for r in rows))} habitants"),)))
    launched = known.term("lanceEn")
    if launched is not None:
        facts.insert(0, Fact("lancé en", (Text(launched.value, value=launched.value),)))
    creator = known.one(str(DCTERMS.creator))
    if creator is not None:
        facts.insert(1 if launched is not None else 0, Fact("créé par",
                                                            (known.link(creator.value),)))
    blocks = [_maps(found, phase, hosts) for phase in found.phases() if phase in found.maps]
    blocks.append(_table_block(found.territories, hosts, True, export_name(None),
                               table_query(live, "programme-territories")))
    return EntityPage("Programme", facts, blocks)


def _maps(found: Programme, phase: int, hosts) -> Block:
    shown = len(found.maps[phase].places)
    return map_block(found.maps[phase], phase, hosts, shown)


def phase_page(live: Store, known: Known) -> EntityPage:
    found = programme(live)
    hosts = known.hosts
    rows = found.of_phase(known.iri)
    number_ = known.term("numeroPhase")
    phase = int(number_.value) if number_ is not None else None
    facts = figures(rows)
    for local, label in (("nombreTerritoiresOfficiels", "territoires de la liste officielle"),
                         ("nombreTerritoires", "territoires annoncés")):
        stated = known.term(local)
        if stated is not None:
            facts.insert(1, Fact(label, (Text(number(stated.value), value=stated.value),)))
    facts += _period_and_funding(live, known)
    blocks = [_maps(found, phase, hosts)] if phase in found.maps else []
    blocks.append(_table_block(rows, hosts, False, export_name(phase),
                               table_query(live, "programme-territories", phase=known.iri)))
    return EntityPage("Phase du programme", facts, blocks)


def _period_and_funding(live: Store, known: Known) -> list[Fact]:
    """The phase's period in dates, and what funds it: `500 millions d'euros (…) : Enveloppe…`."""
    facts = []
    period = known.term("periode")
    if period is not None:
        facts.append(Fact("période", (Text(period_words(known, period.value)),)))
    for row in select(live, "funded-by", item=known.iri):
        pieces = [link(known.hosts, row["grant"], row.get("grantName"))]
        if "amount" in row:
            currency = getattr(row.get("currency"), "value", "")
            pieces.append(Text(f" : {amount_words(row['amount'].value, currency)}"))
        if "beneficiaries" in row:
            pieces.append(Text(f", partagés entre {number(integer(row['beneficiaries']))} "
                               f"territoires (la part de chacun n'est pas connue)"))
        facts.append(Fact("financement", tuple(pieces)))
    return facts


def export_name(phase: int | None) -> str:
    """The CSV's file name: the programme's, or a phase's."""
    return "territoires-d-industrie" + (f"-phase-{phase}" if phase else "") + ".csv"
