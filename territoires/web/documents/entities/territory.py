"""A territory's page: the summary a reader asks first (phase, label date and term, EPCI,
communes, population and its vintage, who leads it), its EPCI, all its communes, its plan, its
funding and its predecessor."""

from __future__ import annotations

from ....vocabulary.namespaces import DCTERMS, TIME
from ....store import Store
from .charts import Bar, bars
from .data import Known, count, integer, link, select, table_query
from .geography import Commune, EpciSummary, Geography, geography
from .french import date, duration, number, plural
from .model import Block, Column, EntityPage, Fact, Table, Text
from .money import amount_words
from .official import continuity_blocks, map_blocks, official_facts
from .people import leaders, population_source
from .populations import current_vintages, populations_block

EPCI_COLUMNS = (Column("nom", "EPCI"), Column("siren", "SIREN"),
                Column("forme", "forme juridique"),
                Column("communes", "communes", True), Column("population", "population", True))
COMMUNE_COLUMNS = (Column("code", "code Insee"), Column("nom", "commune"), Column("epci", "EPCI"),
                   Column("population", "population", True))


def population_facts(live: Store, members: list[EpciSummary], communes: list[Commune]
                     ) -> list[Fact]:
    """The territory's population as the sum of its communes' municipal populations (the
    figure its commune table adds up to), then its EPCI's total populations, each with its
    concept, millésime and producer, and why the two differ."""
    vintages = current_vintages(live)
    municipale = sum(c.population or 0 for c in communes)
    totale = sum(e.population or 0 for e in members)
    facts = [Fact("population", (
        Text(f"{number(municipale)} habitants", value=str(municipale)),
        Text(f" — {vintages.communes_words()}, somme de ses {number(len(communes))} communes "
             f"(le tableau des communes ci-dessous)")))]
    if members:
        facts.append(Fact("population totale de ses EPCI", (
            Text(f"{number(totale)} habitants", value=str(totale)),
            Text(f" — {vintages.epci_words()}, somme de ses {len(members)} EPCI : "),
            Text("un autre concept, un autre millésime", "#populations"), Text(". "),
            population_source(live, [e.iri for e in members]))))
    return facts


def territory_page(live: Store, known: Known) -> EntityPage:
    iri, hosts = known.iri, known.hosts
    geo = geography(live)
    members = _members(live, geo, iri)
    communes = geo.communes_of([e.iri for e in members])
    facts = _label(known) + [
        Fact("intercommunalités (EPCI)", (Text(str(len(members)), value=str(len(members))),)),
        Fact("communes", (Text(number(len(communes)), value=str(len(communes))),)),
    ] + population_facts(live, members, communes)
    facts += official_facts(live, known) + leaders(live, iri, hosts)
    blocks = map_blocks(live, known) + continuity_blocks(live, known)
    blocks += populations_block(live, iri, known.name(iri), hosts)
    blocks += [_epci_block(members, geo, hosts, live),
               communes_block(communes, geo, hosts, True, live)]
    blocks[-2].table.query = table_query(live, "territory-epci", territory=iri)
    blocks[-1].table.query = table_query(live, "territory-communes", territory=iri)
    blocks += _plan_blocks(live, iri, hosts) + _funding_blocks(live, iri, hosts)
    blocks += _predecessor_blocks(live, known, geo, members) + _perimeter_blocks(live, iri)
    return EntityPage("Territoire d'industrie", facts, blocks)


def _members(live: Store, geo: Geography, territory: str) -> list[EpciSummary]:
    rows = select(live, "territory-epci", territory=territory)
    return [geo.epci[row["epci"].value] for row in rows if row["epci"].value in geo.epci]


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


def _epci_block(members: list[EpciSummary], geo: Geography, hosts, live: Store) -> Block:
    words = current_vintages(live).epci_words()
    columns = EPCI_COLUMNS[:-1] + (Column("population", words, True),)
    rows = [(Text(e.name, hosts.url(e.iri)), Text(e.siren), Text(e.form),
             count(len(geo.by_epci.get(e.iri, ()))), count(e.population)) for e in members]
    table = Table("epci", columns, rows, "-population", "Les intercommunalités du territoire")
    chart = bars("graphique-epci", f"Population de chaque EPCI du territoire ({words})",
                 [Bar(e.name, e.population) for e in sorted(members, key=lambda e: -(e.population
                                                                                   or 0))],
                 "hab.")
    return Block("epci", f"Ses {plural(len(rows), 'intercommunalité')}", "table", table=table,
                 chart=chart)


def communes_block(communes: list[Commune], geo: Geography, hosts, with_epci: bool,
                   live: Store | None = None) -> Block:
    """Every commune as a sortable, paged table, its population column named by its concept
    and millésime, its caption giving the column's sum (the figure the page states)."""
    columns = COMMUNE_COLUMNS if with_epci else tuple(c for c in COMMUNE_COLUMNS if c.key != "epci")
    words = current_vintages(live).communes_words() if live is not None else "population"
    columns = columns[:-1] + (Column("population", words, True),)
    rows = []
    for c in communes:
        cells = [Text(c.code), Text(c.name, hosts.url(c.iri))]
        if with_epci:
            cells.append(Text(geo.epci_name(c.epci), hosts.url(c.epci) if c.epci else None))
        cells.append(count(c.population))
        rows.append(tuple(cells))
    total = sum(c.population or 0 for c in communes)
    table = Table("communes", columns, rows, "nom",
                  f"{plural(len(rows), 'commune')} — {words} : {number(total)} habitants en tout")
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
            words.append(amount_words(row["amount"].value,
                                      getattr(row.get("currency"), "value", "")))
        if "funderName" in row:
            words.append(f"financeur : {row['funderName'].value}")
        if "beneficiaries" in row:
            words.append(f"partagée entre {number(integer(row['beneficiaries']))} territoires")
        if "purpose" in row:
            words.append(f"pour : {row['purpose'].value}")
        parts.append(Text(" — " + ", ".join(w.strip() for w in words)))
        items.append(parts)
        # what the sources do not say is said, not left for the reader to guess
        items.append([Text("La part de ce territoire dans cette enveloppe n'est pas connue : "
                           "les sources publiées ici n'en donnent pas la répartition.")])
    return [Block("financement", "Son financement", "sentences", items=items)] if items else []


def _predecessor_blocks(live: Store, known: Known, geo: Geography,
                        members: list[EpciSummary]) -> list[Block]:
    predecessor = known.one(str(DCTERMS.replaces))
    if predecessor is None:
        return []
    before = {e.iri for e in _members(live, geo, predecessor.value)}
    now = {e.iri for e in members}
    items = [[Text("Ce territoire remplace "), known.link(predecessor.value), Text(".")]]
    for label, chosen in (("maintenues", now & before), ("ajoutées", now - before),
                          ("retirées", before - now)):
        if chosen:
            links = [Text(geo.epci_name(e), known.hosts.url(e)) for e in chosen]
            items.append([Text(f"EPCI {label} ({len(chosen)}) : ")] + _joined(links))
    return [Block("predecesseur", "Son prédécesseur et ce qui a changé", "sentences", items=items)]


def _perimeter_blocks(live: Store, iri: str) -> list[Block]:
    """The communes it covered in the vintage of its labelling and those it covers today, and
    why each difference arose (graph/historique: a merger, a creation, a change of EPCI)."""
    rows = select(live, "territory-perimeter", territory=iri)
    counts = {row["kind"].value: row for row in rows if "communes" in row}
    if set(counts) != {"labellisation", "actuel"}:
        return []
    items = []
    for kind, words in (("labellisation", "À sa labellisation"), ("actuel", "Aujourd'hui")):
        row = counts[kind]
        label = row["label"].value.lower() if "label" in row else ""
        n = integer(row["communes"]) or 0
        items.append([Text(f"{words} ({label}) : {plural(n, 'commune')}.")])
    gaps = [row["explanation"].value for row in rows if "explanation" in row]
    items += [[Text(gap)] for gap in gaps]
    if not gaps:
        items.append([Text("Aucune différence entre les deux périmètres.")])
    return [Block("perimetre", "Ses communes à sa labellisation et aujourd'hui", "sentences",
                  items=items)]


def _joined(links: list[Text]) -> list[Text]:
    out: list[Text] = []
    for i, item in enumerate(sorted(links, key=lambda l: l.text)):
        if i:
            out.append(Text(", "))
        out.append(item)
    return out
