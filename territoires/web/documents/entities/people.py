"""People's roles as sentences (`président de la CC du Val de Morteau, en fonction le 9 novembre
2023`), with their period and their source, never a membership's IRI; and the vintage of the
populations a page states."""

from __future__ import annotations

from ....store import Store
from ...hosts import HostMap
from .data import Known, link, select
from .french import date, of, since
from .model import Block, EntityPage, Fact, Text

FEMALE = "https://schema.org/Female"
_KINDS = {"TerritoireIndustrie": "du territoire", "Commune": "de la commune"}


def role_sentence(row: dict, hosts: HostMap, ti: str) -> list[Text]:
    """`élu référent du territoire Alliances Luxe & Précision, Doubs, depuis le 9 novembre 2023
    (source : …)`, as pieces of text and links."""
    role = role_name(row)
    name = row["organizationName"].value if "organizationName" in row else \
        row["organization"].value.rsplit("/", 1)[-1]
    kind = row.get("organizationType")
    lead = _KINDS.get(kind.value[len(ti):]) if kind is not None and kind.value.startswith(ti) \
        else None
    words = f"{role} {lead} " if lead else f"{role} {of(name)[:-len(name)]}"
    pieces = [Text(words), link(hosts, row["organization"], row.get("organizationName"))]
    period = period_words(row)
    if period:
        pieces.append(Text(f", {period}"))
    pieces += source_pieces(row, hosts)
    return pieces


def role_name(row: dict) -> str:
    """The role's French name, in the feminine for a woman (`référente industrielle`), when
    the graph says both her gender and the role's feminine name."""
    if "roleFeminine" in row and getattr(row.get("gender"), "value", "") == FEMALE:
        return row["roleFeminine"].value
    return row["roleName"].value if "roleName" in row else row["role"].value.rsplit("/", 1)[-1]


def period_words(row: dict) -> str:
    start, end, inside = (row[k].value if k in row else "" for k in ("start", "end", "inside"))
    if start and end:
        return f"du {date(start)} au {date(end)}"
    if start:
        return since(start)
    if end:
        return f"jusqu'en {date(end)}"
    if inside:
        return f"en fonction le {date(inside)} (date d'observation)"
    return ""


def source_pieces(row: dict, hosts: HostMap) -> list[Text]:
    source = row.get("source")
    if source is None:
        return []
    if hasattr(source, "language") or not source.value.startswith(("http://", "https://")):
        lang = getattr(source, "language", None) or _guess_language(source.value)
        return [Text(" (source : "), Text(source.value, lang=lang), Text(")")]
    return [Text(" (source : "), link(hosts, source, row.get("sourceName")), Text(")")]


def _guess_language(text: str) -> str:
    """A plain literal in English (`public record, not stated in the article`) is marked so;
    French text needs no mark."""
    english = {"the", "not", "in", "record", "stated", "public", "of"}
    return "en" if len(english & set(text.lower().split())) >= 2 else ""


def _roles(rows: list[dict]) -> list[dict]:
    """One row per membership (a membership with two sources shows once, its first source)."""
    seen: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: (r.get("start", r.get("inside", r["membership"])).value,
                                           r["membership"].value)):
        seen.setdefault(row["membership"].value, row)
    return list(seen.values())


def leaders(live: Store, iri: str, hosts: HostMap) -> list[Fact]:
    """Who leads an organisation, as facts: `Cédric Bôle, élu référent depuis le …`."""
    facts = []
    for row in _roles(select(live, "organization-roles", organization=iri)):
        role = role_name(row) if "roleName" in row else "rôle"
        person = link(hosts, row["member"], row.get("memberName"))
        period = period_words(row)
        facts.append(Fact(role, (person, Text(f", {period}" if period else ""),
                                 *source_pieces(row, hosts))))
    return facts


def person_page(live: Store, known: Known) -> EntityPage:
    rows = _roles(select(live, "person-roles", member=known.iri))
    items = [role_sentence(row, known.hosts, known.ti) for row in rows]
    facts = [Fact("rôles", (Text(str(len(items)), value=str(len(items))),))]
    blocks = [Block("roles", "Ses rôles", "sentences", items=items)] if items else []
    return EntityPage("Personne", facts, blocks)


def population_source(live: Store, entities: list[str]) -> Text:
    """`population totale légale, COG 2026 (version 6.0.0, récupérée le 28 novembre 2026)`:
    the vintage of a population, from the graph that states it."""
    if not entities:
        return Text("")
    rows = select(live, "population-source", entity=entities[0])
    if not rows:
        return Text("")
    row = rows[0]
    words = [row["title"].value if "title" in row else row["graph"].value]
    details = []
    if "version" in row:
        details.append(f"version {row['version'].value}")
    if "retrieved" in row:
        details.append(f"récupérée le {date(row['retrieved'].value)}")
    text = " — source : " + words[0] + (f" ({', '.join(details)})" if details else "")
    return Text(text)
