"""The pages of a funding (a schema:MonetaryGrant) and of an action plan, written for people like
the territory's: an amount as an amount (`500 millions d'euros`), a period as dates, who funds
what, and what the sources leave unknown said so (a territory's share of an envelope)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ....vocabulary.namespaces import DCTERMS, RDFS, SCHEMA, TIME
from ....store import Store
from .data import Known
from .french import date, duration, number, plural
from .model import Block, EntityPage, Fact, Text

CURRENCIES = {"EUR": "€"}


def amount_words(value: str, currency: str = "") -> str:
    """`500000000`, `EUR` → `500 millions d'euros (500 000 000 €)`; a plain figure below a
    million; the currency's code when it has no sign."""
    try:
        figure = Decimal(value)
    except (InvalidOperation, ValueError):
        return value
    sign = CURRENCIES.get(currency, currency)
    exact = f"{number(figure)}{' ' + sign if sign else ''}"
    for size, word in ((Decimal(10) ** 9, "milliard"), (Decimal(10) ** 6, "million")):
        if figure >= size:
            scaled = figure / size
            words = f"{number(scaled)} {word}{'s' if scaled >= 2 else ''}"
            euros = " d'euros" if currency == "EUR" else (f" {sign}" if sign else "")
            return f"{words}{euros} ({exact})"
    return exact


def period_words(known: Known, interval: str) -> str:
    """`de 2023 à 2027 (5 ans)`, `jusqu'en 2027 (son début n'est pas connu)`, from the interval's
    fragments (their xsd:date, gYearMonth or gYear)."""
    def bound(predicate) -> str:
        instant = known.one(str(predicate), interval)
        if instant is None:
            return ""
        for kind in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear):
            value = known.one(str(kind), instant.value)
            if value is not None:
                return date(value.value)
        return ""
    start, end = bound(TIME.hasBeginning), bound(TIME.hasEnd)
    length = known.one(str(TIME.hasXSDDuration), interval)
    if start and end:
        words = f"de {start} à {end}"
    elif end:
        words = f"jusqu'en {end} (son début n'est pas connu)"
    elif start:
        words = f"à partir de {start} (sa fin n'est pas connue)"
    else:
        return "non connue"
    return words + (f" ({duration(length.value)})" if length is not None else "")


def _comment(known: Known, subject: str) -> str:
    texts = {getattr(c, "language", "") or "": c.value for c in known.all(str(RDFS.comment),
                                                                         subject)}
    return texts.get("fr") or texts.get("", "")


def _french(known: Known, predicate: str, subject: str | None = None) -> str:
    texts = {getattr(v, "language", "") or "": v.value for v in known.all(predicate, subject)}
    return texts.get("fr") or texts.get("", "")


def funding_page(live: Store, known: Known) -> EntityPage:
    facts = []
    money = known.one(str(SCHEMA.amount))
    beneficiaries = known.term("nombreBeneficiaires")
    value = known.one(str(SCHEMA.value), money.value) if money is not None else None
    if value is not None:
        currency = known.one(str(SCHEMA.currency), money.value)
        facts.append(Fact("montant", (Text(amount_words(value.value, getattr(currency, "value",
                                                                                "")),
                                           value=value.value),)))
    funder = known.one(str(SCHEMA.funder))
    if funder is not None:
        facts.append(Fact("financeur", (known.link(funder.value),)))
    funded = known.all(str(SCHEMA.fundedItem))
    if funded:
        facts.append(Fact("finance", tuple(known.link(f.value) for f in funded)))
    period = known.term("periode")
    if period is not None:
        facts.append(Fact("période", (Text(period_words(known, period.value)),)))
    purpose = _french(known, known.ti + "objet")
    if purpose:
        facts.append(Fact("objet", (Text(purpose),)))
    if beneficiaries is not None:
        facts.append(Fact("territoires bénéficiaires",
                          (Text(number(beneficiaries.value), value=beneficiaries.value),)))
    blocks = []
    notes = [_comment(known, node.value) for node in (money, period) if node is not None]
    share = [Text(share_words(beneficiaries.value if beneficiaries is not None else None))]
    items = [share] + [[Text(n)] for n in notes if n]
    blocks.append(Block("montant", "Ce que l'on sait du montant", "sentences", items=items))
    return EntityPage("Financement", facts, blocks)


def share_words(beneficiaries: str | None) -> str:
    """What the sources say of one territory's share of an envelope: nothing, said so."""
    among = f" entre {number(beneficiaries)} territoires" if beneficiaries else ""
    return (f"L'enveloppe est partagée{among} ; la part de chaque territoire n'est pas connue "
            f"(les sources publiées ici ne donnent pas la répartition).")


def plan_page(live: Store, known: Known) -> EntityPage:
    facts = []
    territory = known.term("territoire")
    if territory is not None:
        facts.append(Fact("territoire", (known.link(territory.value),)))
    places = known.all(str(DCTERMS.spatial))
    if places:
        facts.append(Fact("décliné pour", tuple(known.link(p.value) for p in places)))
    period = known.term("periode")
    if period is not None:
        facts.append(Fact("période", (Text(period_words(known, period.value)),)))
    goal = _french(known, known.ti + "objectif")
    if goal:
        facts.append(Fact("objectif", (Text(goal),)))
    pillars = sorted((known.link(p.value) for p in known.all(known.ti + "pilier")),
                     key=lambda t: t.text)
    blocks = []
    if pillars:
        blocks.append(Block("piliers", f"Ses {plural(len(pillars), 'pilier')}", "pillars",
                            items=[[], pillars]))
    return EntityPage("Plan d'actions", facts, blocks)
