"""The page of an entity that no longer exists (a `ti:EntiteDisparue`: a commune merged into a
commune nouvelle, a former EPCI), said in words: what it was and until when, what it became and
since when (`commune déléguée d'Éternoz-Vallée-du-Lison depuis le 1er janvier 2025`), and the
memberships it had, never a membership's or an event's IRI."""

from __future__ import annotations

from ....vocabulary.namespaces import ORG, RDFS
from ....store import Store
from .data import Known, select
from .french import date, of
from .model import Block, EntityPage, Fact, Text

# What a `ti:devenue` target is, by the folder of its IRI.
BECAME = {"commune-deleguee": "commune déléguée", "commune-associee": "commune associée"}


def former_page(live: Store, known: Known) -> EntityPage:
    was = known.term("etaitUne")
    kind = _label(known, was.value) if was is not None else "entité"
    facts = []
    code = known.term("codeInsee") or known.term("siren")
    if code is not None:
        facts.append(Fact("code Insee" if known.term("codeInsee") else "SIREN",
                          (Text(code.value),)))
    existed = known.term("existeDurant")
    if existed is not None:
        facts.append(Fact("a existé", (Text(known.name(existed.value)),)))
    events = select(live, "former-events", resource=known.iri)
    day = next((row["date"].value for row in events if "date" in row), "")
    into = known.term("fusionneeDans")
    if into is not None:
        words = f"le {date(day)} " if day else ""
        facts.append(Fact("fusionnée", (Text(f"{words}dans "), known.link(into.value))))
    for became in known.all(known.ti + "devenue"):
        folder = became.value.rsplit("/", 2)[-2]
        target = into.value if into is not None else None
        pieces = [Text(f"{BECAME.get(folder, 'devenue')} ")]
        if target is not None:
            name = known.name(target)
            pieces += [Text(of(name)[:-len(name)]), known.link(target)]
        pieces.append(Text(f" depuis le {date(day)}" if day else ""))
        pieces.append(Text(" ("))
        pieces.append(known.link(became.value, "sa page"))
        pieces.append(Text(")"))
        facts.append(Fact("aujourd'hui", tuple(pieces)))
    blocks = _memberships(known)
    return EntityPage(f"Ancienne {kind}" if kind in ("commune",) else f"{kind} (disparue)",
                      facts, blocks)


def _label(known: Known, iri: str) -> str:
    names = {getattr(n, "language", ""): n.value for n in known.all(str(RDFS.label), iri)}
    return names.get("fr") or iri.rsplit("#", 1)[-1].lower()


def _memberships(known: Known) -> list[Block]:
    """`membre de la CC Loue-Lison (COG 2019–2024)`, one sentence per membership it had."""
    items = []
    for (subject, predicate), objects in known.facts.items():
        if predicate != str(ORG.member) or all(o.value != known.iri for o in objects):
            continue
        organization = known.one(str(ORG.organization), subject)
        if organization is None:
            continue
        during = known.one(str(ORG.memberDuring), subject)
        name = known.name(organization.value)
        pieces = [Text(f"membre {of(name)[:-len(name)]}"), known.link(organization.value)]
        if during is not None:
            pieces.append(Text(f" ({known.name(during.value)})"))
        items.append(pieces)
    if not items:
        return []
    return [Block("appartenances", "Ses appartenances passées", "sentences",
                  items=sorted(items, key=lambda p: p[1].text))]
