"""A statistical data set's page: its figures as a table and as a chart, each with its unit and
its source."""

from __future__ import annotations

from decimal import Decimal

from ....vocabulary.namespaces import DCTERMS
from ....store import Store
from .charts import Bar, bars
from .data import Known, select
from .french import number
from .model import Block, Column, EntityPage, Fact, Table, Text

# Units of the project's measures, as a reader writes them after a figure (the ontology's
# definitions say them in words).
UNITS = {"salaireNetMoyenMensuel": "€ par mois", "partRichesseNationale": "%",
         "emploisDetruits": "emplois", "populationLegale": "habitants"}
COLUMNS = (Column("quoi", "quoi"), Column("periode", "période"),
           Column("mesure", "mesure"), Column("valeur", "valeur", True),
           Column("unite", "unité"), Column("producteur", "producteur"))
CHART_BARS = 30   # more bars than this are not a chart a reader can read: the table pages them


def statistics_page(live: Store, known: Known) -> EntityPage:
    rows = list({row["observation"].value: row
                 for row in select(live, "observations", dataset=known.iri)}.values())
    hosts = known.hosts
    table_rows, by_measure = [], {}
    for row in rows:
        measure = row["measure"].value
        unit = UNITS.get(measure.rsplit("#", 1)[-1], "")
        value = Decimal(row["value"].value)
        what = _what(row)
        measure_name = row["measureName"].value if "measureName" in row else measure
        if "conceptName" in row:
            measure_name = row["conceptName"].value
        table_rows.append((Text(what, hosts.url(row["observation"].value)),
                           Text(row["period"].value if "period" in row else ""),
                           Text(measure_name),
                           Text(number(value), sort=float(value), value=str(value)), Text(unit),
                           Text(row["producerName"].value if "producerName" in row else "")))
        by_measure.setdefault(measure, (row.get("measureName"), unit, []))[2].append(row)
    blocks = [Block("chiffres", "Les chiffres", "table",
                    table=Table("chiffres", COLUMNS, table_rows, "quoi",
                                f"{number(len(table_rows))} chiffres, classés par nom"))]
    for i, (measure, (name, unit, found)) in enumerate(sorted(by_measure.items())):
        title, items = _chart(name.value if name is not None else measure, unit, found)
        if items:
            blocks.append(Block(f"graphique-{i + 1}", title, "chart",
                                chart=bars(f"graphique-{i + 1}-svg", title, items, unit)))
    facts = [Fact("observations", (Text(str(len(rows)), value=str(len(rows))),))]
    facts += _sources(known)
    return EntityPage("Statistiques (jeu de données)", facts, blocks)


def _what(row: dict) -> str:
    """What an observation is about, in words: its area's name and year, its sector's name,
    or its own label."""
    if "zone" in row:
        name = row["zoneName"].value if "zoneName" in row else row["zone"].value.rsplit("/", 1)[-1]
        return name + (f", {row['period'].value}" if "period" in row else "")
    if "sectorName" in row:
        return row["sectorName"].value
    if "label" in row:
        return row["label"].value
    return row["period"].value if "period" in row else row["observation"].value


def _chart(name: str, unit: str, rows: list[dict]) -> tuple[str, list[Bar]]:
    """One bar per meaningful category: for figures by area, the latest municipal population
    of each area that is not a commune (the territories and their EPCI), largest first; for the
    others, one bar per sector or year, as long as the bars stay few enough to read."""
    title = name[:1].upper() + name[1:] + (f" ({unit})" if unit else "")
    if any("zone" in row for row in rows):
        latest: dict[str, dict] = {}
        for row in rows:
            municipal = row.get("concept") is None or row["concept"].value.endswith("/municipale")
            if "zone" in row and municipal and getattr(row.get("commune"), "value", "") != "true":
                kept = latest.get(row["zone"].value)
                if kept is None or row["period"].value > kept["period"].value:
                    latest[row["zone"].value] = row
        items = [Bar(_what(r), float(r["value"].value))
                 for r in sorted(latest.values(), key=lambda r: -float(r["value"].value))]
        return (f"Population municipale des territoires et de leurs EPCI, dernier millésime "
                f"({unit})", items[:CHART_BARS])
    items = [Bar(_what(row), float(row["value"].value)) for row in rows]
    return title, items if len(items) <= CHART_BARS else []


def _sources(known: Known) -> list[Fact]:
    facts = []
    creator = known.all(str(DCTERMS.creator))
    if creator:
        facts.append(Fact("producteur", tuple(known.link(c.value) for c in creator)))
    sources = known.all(str(DCTERMS.source))
    if sources:
        facts.append(Fact("source", tuple(known.link(s.value) for s in sources)))
    return facts
