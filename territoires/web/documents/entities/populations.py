"""Populations on the pages: which concept and millésime a figure is, and an area's populations
over time (graph/populations) as a chart of one point per millésime with its table, the chart's
text alternative."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ....store import Store
from ...context import per_build
from .charts import Point, series
from .data import integer, select
from .french import number
from .model import Block, Column, Table, Text

MUNICIPALE = "municipale"
COLUMNS = (Column("millesime", "millésime", True), Column("concept", "concept"),
           Column("population", "population", True), Column("producteur", "producteur"),
           Column("etabli", "établi"))


@dataclass(frozen=True)
class Vintages:
    """The Insee millésime of the figures the pages read today (None when the graph says none)."""
    commune: str | None     # ti:population of a commune: its municipal population
    epci: str | None        # ti:populationTotale of an EPCI (the DGCL list)

    def communes_words(self) -> str:
        """`population municipale 2023 (Insee)`."""
        return "population municipale" + (f" {self.commune}" if self.commune else "") + " (Insee)"

    def epci_words(self) -> str:
        """`population totale 2022 (liste des EPCI de la DGCL)`."""
        return ("population totale" + (f" {self.epci}" if self.epci else "")
                + " (liste des EPCI de la DGCL)")


@per_build
def current_vintages(live: Store) -> Vintages:
    found = {row["kind"].value: row["millesime"].value
             for row in select(live, "population-vintages") if "millesime" in row}
    return Vintages(found.get("commune"), found.get("epci"))


def populations_block(live: Store, zone: str, name: str, hosts) -> list[Block]:
    """The area's populations over time: a chart per concept (municipal first), one point per
    millésime, and the table of every figure with its producer and how it was established."""
    rows = select(live, "area-populations", zone=zone)
    if not rows:
        return []
    by_concept: dict[str, list[dict]] = {}
    for row in rows:
        by_concept.setdefault(row["concept"].value, []).append(row)
    charts = []
    for concept in sorted(by_concept, key=lambda c: not c.endswith(MUNICIPALE)):
        found = sorted(by_concept[concept], key=lambda r: r["period"].value)
        words = _concept(found[0])
        charts.append(series(f"graphique-populations-{concept.rsplit('/', 1)[-1]}",
                             f"{words[:1].upper()}{words[1:]}, par millésime Insee",
                             [Point(r["period"].value, integer(r["value"])) for r in found],
                             "hab."))
    table_rows = [(Text(r["period"].value, sort=int(r["period"].value), value=r["period"].value),
                   Text(_concept(r)),
                   Text(f"{number(integer(r['value']))} hab.", sort=integer(r["value"]),
                        value=r["value"].value),
                   Text(r["producerName"].value if "producerName" in r else "",
                        hosts.url(r["producer"].value) if "producer" in r else None),
                   Text(_established(r)))
                  for r in rows]
    table = Table("populations", COLUMNS, table_rows, "-millesime",
                  f"Populations légales par millésime — {name} (le tableau des graphiques)")
    note = ("Un point par millésime des populations légales (l'année de référence du "
            "recensement de l'Insee) que reprend une version de la géographie officielle depuis "
            "2019. La population municipale s'additionne d'une commune à l'autre ; la population "
            "totale compte aussi des personnes rattachées à une commune où elles ne résident pas "
            "(élèves internes, étudiants…).")
    block = Block("populations", "Sa population au fil des millésimes", "table", table=table,
                  note=note, folded=f"Les chiffres des graphiques ({len(table_rows)})")
    block.chart = Markup("").join(charts)
    return [block]


def _concept(row: dict) -> str:
    return row["conceptName"].value if "conceptName" in row else row["concept"].value


def _established(row: dict) -> str:
    if "comment" in row:
        return row["comment"].value
    mode = row["mode"].value if "mode" in row else ""
    return "chiffre officiel" if mode.endswith("/reference") else ""
