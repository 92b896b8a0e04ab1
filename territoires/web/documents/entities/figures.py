"""A statistical data set's page: its figures as a table and as a chart, each with its unit and
its source."""

from __future__ import annotations

from decimal import Decimal

from ....vocabulary.namespaces import DCTERMS
from ....store import Store
from .charts import Bar, bars
from .data import Known, link, select
from .french import number
from .model import Block, Column, EntityPage, Fact, Table, Text

# Units of the project's measures, as a reader writes them after a figure (the ontology's
# definitions say them in words).
UNITS = {"salaireNetMoyenMensuel": "€ par mois", "partRichesseNationale": "%",
         "emploisDetruits": "emplois"}
COLUMNS = (Column("observation", "observation"), Column("periode", "période"),
           Column("mesure", "mesure"), Column("valeur", "valeur", True),
           Column("unite", "unité"))


def statistics_page(live: Store, known: Known) -> EntityPage:
    rows = select(live, "observations", dataset=known.iri)
    table_rows, by_measure = [], {}
    for row in rows:
        measure = row["measure"].value
        unit = UNITS.get(measure.rsplit("#", 1)[-1], "")
        value = Decimal(row["value"].value)
        label = row["label"].value if "label" in row else row["observation"].value
        what = row["sectorName"].value if "sectorName" in row else (
            row["period"].value if "period" in row else label)
        table_rows.append((link(known.hosts, row["observation"], row.get("label")),
                           Text(row["period"].value if "period" in row else ""),
                           Text(row["measureName"].value if "measureName" in row else measure),
                           Text(number(value), sort=float(value), value=str(value)), Text(unit)))
        by_measure.setdefault(measure, (row.get("measureName"), unit, []))[2].append(
            Bar(what, float(value)))
    blocks = [Block("chiffres", "Les chiffres", "table",
                    table=Table("chiffres", COLUMNS, table_rows, "observation"))]
    for i, (measure, (name, unit, items)) in enumerate(sorted(by_measure.items())):
        title = (name.value if name is not None else measure) + (f" ({unit})" if unit else "")
        title = title[:1].upper() + title[1:]
        blocks.append(Block(f"graphique-{i + 1}", title, "chart",
                            chart=bars(f"graphique-{i + 1}-svg", title, items, unit)))
    facts = [Fact("observations", (Text(str(len(rows)), value=str(len(rows))),))]
    facts += _sources(known)
    return EntityPage("Statistiques (jeu de données)", facts, blocks)


def _sources(known: Known) -> list[Fact]:
    facts = []
    creator = known.all(str(DCTERMS.creator))
    if creator:
        facts.append(Fact("producteur", tuple(known.link(c.value) for c in creator)))
    sources = known.all(str(DCTERMS.source))
    if sources:
        facts.append(Fact("source", tuple(known.link(s.value) for s in sources)))
    return facts
