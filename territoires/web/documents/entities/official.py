"""What a territory's page shows from the programme's official lists: its ANCT id with its
phase, its figures as the list gives them, its own map (its outline over its départements',
each a link) and the territories of the other phase it continues or is continued by, with the
overlap in figures and how it was established."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ....store import Store
from ... import maps
from .data import Known, integer, link, select
from .french import number, plural
from .model import Block, Fact, Text
from .programme import TerritoryRow, programme


def _row(live: Store, iri: str) -> TerritoryRow | None:
    return next((r for r in programme(live).territories if r.iri == iri), None)


def official_facts(live: Store, known: Known) -> list[Fact]:
    row = _row(live, known.iri)
    if row is None or not row.identifier:
        return []
    facts = [Fact("identifiant ANCT", (Text(row.qualified, value=f"phase-{row.number}/"
                                                                f"{row.identifier}"),))]
    words = [plural(row.groupements, "groupement")]
    if row.communes is not None:
        words.append(plural(row.communes, "commune"))
    if row.population is not None:
        words.append(f"{number(row.population)} habitants (population municipale"
                     + (f" {row.vintage})" if row.vintage else ")"))
    facts.append(Fact("selon la liste officielle", (Text(", ".join(words)),)))
    for label, areas in (("département(s)", row.departements), ("région(s)", row.regions)):
        if areas:
            facts.append(Fact(label, tuple(known.link(a.iri, a.name) for a in areas)))
    return facts


def map_blocks(live: Store, known: Known) -> list[Block]:
    subject, around = None, {}
    for row in select(live, "territory-outline", territory=known.iri):
        if row["role"].value == "territoire":
            subject = maps.Place(known.iri, known.name(known.iri), row["wkt"].value)
        elif "place" in row:
            iri = row["place"].value
            name = row["name"].value if "name" in row else iri.rsplit("/", 1)[-1]
            around[iri] = maps.Place(iri, name, row["wkt"].value)
    if subject is None:
        return []
    drawing = maps.local(subject, sorted(around.values(), key=lambda p: p.iri))
    svg = maps.render(drawing, known.hosts.url, "svg-carte",
                      f"Carte du territoire {subject.name} sur ses départements",
                      "carte-legende")
    caption = [Text("Le territoire en foncé, sur ses départements (chacun un lien vers sa page)"
                    + (" ; en outre-mer, à l'échelle de son département" if drawing.insets
                       else "") + ". Ses intercommunalités et ses communes sont dans les tableaux "
                    "ci-dessous.")]
    return [Block("carte", "Sa carte", "map", items=caption, chart=svg)]


def continuity_blocks(live: Store, known: Known) -> list[Block]:
    items = []
    for row in select(live, "territory-continuity", territory=known.iri):
        other = link(known.hosts, row["other"], row.get("otherName"))
        before = row["direction"].value == "predecesseur"
        lead = "Continue, en phase 2, le territoire " if before else \
            "Continué en phase 2 par le territoire "
        shared = integer(row.get("shared"))
        figures = []
        if shared is not None:
            figures.append(f"{plural(shared, 'groupement')} en commun")
        share = _percent(row.get("share"))
        if share:
            figures.append(f"soit {share} des groupements du territoire de la phase 2")
        mode = row["mode"].value.rsplit("/", 1)[-1] if "mode" in row else ""
        pieces = [Text(lead), other, Text(" : " + ", ".join(figures) if figures else "")]
        pieces.append(Text(" (déduit des groupements communs)." if mode == "deduit" else "."))
        items.append(pieces)
        if "comment" in row:
            items.append([Text(row["comment"].value)])
    if not items:
        return []
    return [Block("continuite", "D'une phase à l'autre", "sentences", items=items)]


def _percent(term) -> str:
    try:
        value = Decimal(term.value) * 100
    except (AttributeError, InvalidOperation):
        return ""
    return f"{number(round(value))} %"
