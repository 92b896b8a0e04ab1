"""A territory's page: the summary a reader asks first (phase, label date and term, EPCI,
communes, population and its vintage, who leads it), its EPCI, all its communes, its plan, its
funding and its predecessor."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox

from ....namespaces import TIME
from ....store import Store
from .charts import Bar, bars
from .data import Known, figure, integer, link, select
from .french import date, duration, number, plural
from .model import Block, Column, EntityPage, Fact, Table, Text
from .people import leaders, population_source

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
EPCI_COLUMNS = (Column("nom", "EPCI"), Column("siren", "SIREN"),
                Column("forme", "forme juridique"),
                Column("communes", "communes", True), Column("population", "population", True))
COMMUNE_COLUMNS = (Column("code", "code Insee"), Column("nom", "commune"), Column("epci", "EPCI"),
                   Column("population", "population", True))


def territory_page(live: Store, known: Known) -> EntityPage:
    iri, hosts = known.iri, known.hosts
    epci = select(live, "territory-epci", territory=iri)
    communes = select(live, "territory-communes", territory=iri)
    names = {row["epci"].value: row["name"] for row in epci if "name" in row}
    counted = Counter(row["epci"].value for row in communes)
    for row in communes:
        row.setdefault("epciName", names.get(row["epci"].value))
    for row in epci:
        row["communes"] = ox.Literal(str(counted[row["epci"].value]), datatype=XSD_INTEGER)
    population = sum(integer(row.get("population")) or 0 for row in epci)
    facts = _label(known) + [
        Fact("intercommunalités (EPCI)", (Text(str(len(epci)), value=str(len(epci))),)),
        Fact("communes", (Text(number(len(communes)), value=str(len(communes))),)),
        Fact("population", (Text(f"{number(population)} habitants", value=str(population)),
                            population_source(live, [row["epci"].value for row in epci]))),
    ]
    facts += leaders(live, iri, hosts)
    blocks = [_epci_block(epci, hosts), communes_block(communes, hosts, with_epci=True)]
    blocks += _plan_blocks(live, iri, hosts) + _funding_blocks(live, iri, hosts)
    blocks += _predecessor_blocks(live, iri, hosts)
    return EntityPage("Territoire d'industrie", facts, blocks)


def _label(known: Known) -> list[Fact]:
    facts = []
    phase = known.term("phase")
    if phase is not None:
        facts.append(Fact("phase", (known.link(phase.value),)))
    labelled = known.term("dateLabellisation")
    if labelled is not None:
        facts.append(Fact("labellisé le", (Text(date(labelled.value), value=labelled.value),)))
    term = known.term("periodeLabellisation")
    if term is not None:
        facts.append(Fact("durée du label", (Text(_term(known, term.value)),)))
    return facts


def _term(known: Known, interval: str) -> str:
    """`4 ans, du 9 novembre 2023 à 2027`, from the interval's fragments."""
    def bound(predicate) -> str:
        instant = known.one(str(predicate), interval)
        if instant is None:
            return ""
        for kind in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear):
            value = known.one(str(kind), instant.value)
            if value is not None:
                return date(value.value)
        return ""
    length = known.one(str(TIME.hasXSDDuration), interval)
    start, end = bound(TIME.hasBeginning), bound(TIME.hasEnd)
    span = f"du {start} à {end}" if start and end else (f"depuis le {start}" if start else "")
    parts = [duration(length.value) if length is not None else "", span]
    return ", ".join(p for p in parts if p) or "—"


def _epci_block(rows: list[dict], hosts) -> Block:
    table_rows = [(link(hosts, row["epci"], row.get("name")), Text(row.get("siren", _NONE).value),
                   Text(row.get("form", _NONE).value), figure(row.get("communes")),
                   figure(row.get("population"))) for row in rows]
    table = Table("epci", EPCI_COLUMNS, table_rows, "-population",
                  "Les intercommunalités du territoire")
    chart = bars("graphique-epci", "Population de chaque EPCI du territoire",
                 [Bar(r[0].text, r[4].sort) for r in sorted(table_rows, key=lambda r: -r[4].sort)],
                 "hab.")
    return Block("epci", f"Ses {plural(len(rows), 'intercommunalité')}", "table", table=table,
                 chart=chart)


class _Missing:
    value = "—"


_NONE = _Missing()


def communes_block(rows: list[dict], hosts, with_epci: bool) -> Block:
    """Every commune as a sortable, paged table."""
    columns = COMMUNE_COLUMNS if with_epci else tuple(c for c in COMMUNE_COLUMNS if c.key != "epci")
    table_rows = []
    for row in rows:
        cells = [Text(row.get("code", _NONE).value), link(hosts, row["commune"], row.get("name"))]
        if with_epci:
            cells.append(link(hosts, row.get("epci"), row.get("epciName")))
        cells.append(figure(row.get("population")))
        table_rows.append(tuple(cells))
    table = Table("communes", columns, table_rows, "nom", f"{plural(len(rows), 'commune')}")
    return Block("communes", f"Ses {plural(len(rows), 'commune')}", "table", table=table)


def _plan_blocks(live: Store, iri: str, hosts) -> list[Block]:
    rows = select(live, "territory-plan", territory=iri)
    if not rows:
        return []
    plans = {row["plan"].value: link(hosts, row["plan"], row.get("planName")) for row in rows}
    pillars = {row["pillar"].value: link(hosts, row["pillar"], row.get("pillarName"))
               for row in rows if "pillar" in row}
    places = {row["spatial"].value: link(hosts, row["spatial"], row.get("spatialName"))
              for row in rows if "spatial" in row}
    note = ("Décliné pour " + ", ".join(p.text for p in places.values()) + ".") if places else ""
    items = [list(plans.values()), sorted(pillars.values(), key=lambda p: p.text)]
    return [Block("plan", "Son plan d'actions et ses piliers", "pillars", items=items, note=note)]


def _funding_blocks(live: Store, iri: str, hosts) -> list[Block]:
    items = []
    for row in select(live, "territory-funding", territory=iri):
        amount = integer(row.get("amount"))
        parts = [link(hosts, row["grant"], row.get("grantName"))]
        words = []
        if amount is not None:
            words.append(f"{number(amount)} {'€' if row.get('currency', _NONE).value == 'EUR' else ''}")
        if "funderName" in row:
            words.append(f"financeur : {row['funderName'].value}")
        if "beneficiaries" in row:
            words.append(f"partagée entre {number(integer(row['beneficiaries']))} territoires")
        if "purpose" in row:
            words.append(f"pour : {row['purpose'].value}")
        parts.append(Text(" — " + ", ".join(w.strip() for w in words)))
        items.append(parts)
    return [Block("financement", "Son financement", "sentences", items=items)] if items else []


def _predecessor_blocks(live: Store, iri: str, hosts) -> list[Block]:
    rows = select(live, "territory-changes", territory=iri)
    if not rows:
        return []
    first = rows[0]
    head = [Text("Ce territoire remplace "), link(hosts, first["predecessor"],
                                                   first.get("predecessorName")), Text(".")]
    items = [head]
    for label, now, before in (("maintenues", True, True), ("ajoutées", True, False),
                               ("retirées", False, True)):
        chosen = [link(hosts, r["epci"], r.get("name")) for r in rows if "epci" in r
                  and _true(r["now"]) == now and _true(r["before"]) == before]
        if chosen:
            items.append([Text(f"EPCI {label} ({len(chosen)}) : ")] + _joined(chosen))
    return [Block("predecesseur", "Son prédécesseur et ce qui a changé", "sentences", items=items)]


def _true(term) -> bool:
    return term is not None and term.value == "true"


def _joined(links: list[Text]) -> list[Text]:
    out: list[Text] = []
    for i, item in enumerate(sorted(links, key=lambda l: l.text)):
        if i:
            out.append(Text(", "))
        out.append(item)
    return out
