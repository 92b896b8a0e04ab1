"""The kinds of entity the name index holds, in display order (bit *i* of an entity's type mask
is `TYPES[i]`), their codes, and how clients name a kind: a class IRI, `ti:EPCI`, `EPCI`, `epci`."""

from __future__ import annotations

from dataclasses import dataclass

from ...vocabulary.names import fold
from ...vocabulary.namespaces import FOAF, ORG


@dataclass(frozen=True)
class Type:
    key: str          # short name, also accepted as a type id
    local: str        # ti: local name, or a full IRI for reused classes
    name: str         # display name (fr / en)


# Bit i of an entity's mask is TYPES[i] (masks are 16-bit: sixteen types at most); the order is
# also the display priority.
TYPES = [
    Type("territoire", "TerritoireIndustrie", "Territoire d'industrie / industry territory"),
    Type("epci", "EPCI", "EPCI (intercommunalité)"),
    Type("commune", "Commune", "Commune"),
    Type("personne", str(FOAF.Person), "Personne / person"),
    Type("departement", "Departement", "Département"),
    Type("region", "Region", "Région / region"),
    Type("organisation", str(ORG.FormalOrganization), "Organisation / organisation"),
    Type("commune-deleguee", "CommuneDeleguee", "Commune déléguée"),
    Type("commune-associee", "CommuneAssociee", "Commune associée"),
    Type("arrondissement", "ArrondissementMunicipal", "Arrondissement municipal"),
    # A commune or EPCI of an earlier vintage (graph/historique): its IRI still dereferences.
    Type("disparue", "EntiteDisparue", "Entité disparue / former entity"),
    # The programme and its phases: what the site is about ("Territoires d'industrie" finds them).
    Type("programme", "Programme", "Programme"),
    Type("phase", "Phase", "Phase du programme / programme phase"),
]
ALL = (1 << len(TYPES)) - 1

# Code properties: id → (ti: local name, label).
CODES = {
    "codeInsee": ("codeInsee", "code Insee / INSEE code"),
    "siren": ("siren", "SIREN"),
    "identifiantOfficiel": ("identifiantOfficiel", "identifiant officiel / official identifier"),
    # dcterms:identifier of a territory, "phase-1/ti-2704" (read by its own query: other
    # entities' dcterms:identifier repeat their INSEE code or SIREN).
    "identifiantQualifie": ("", "identifiant qualifié par la phase / phase-qualified identifier"),
}
QUALIFIED = "identifiantQualifie"
# Codes compared as written (not upper-cased, spaces kept out): the programme's identifiers.
CASE_KEPT = {"identifiantOfficiel", QUALIFIED}


def class_iri(t: Type, ti_ns: str) -> str:
    return t.local if ":" in t.local else ti_ns + t.local


def type_mask(values, ti: str) -> int:
    """A type mask from type ids (class IRIs, `ti:EPCI`, `EPCI`, `epci`, or `{"id": …}`), one or
    a list of them; raises ValueError for anything else."""
    if not values:
        return ALL
    if isinstance(values, (str, dict)):
        values = [values]
    if not isinstance(values, list) or len(values) > len(TYPES):
        raise ValueError(f"a type id, or a list of at most {len(TYPES)}")
    mask = 0
    for value in values:
        if isinstance(value, dict):
            value = value.get("id", "")
        if not isinstance(value, str):
            raise ValueError("a type id is a string (or an object with an \"id\")")
        mask |= _type_bit(value.strip(), ti)
    return mask or ALL


def _type_bit(value: str, ti: str) -> int:
    if not value:
        return 0
    for i, t in enumerate(TYPES):
        iri = class_iri(t, ti)
        short = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if value in (iri, t.key, short, f"ti:{short}", f"foaf:{short}", f"org:{short}") \
                or fold(value) == fold(short) or fold(value) == t.key:
            return 1 << i
    raise ValueError(f"unknown type {value[:100]!r}; known: "
                     + ", ".join(class_iri(t, ti) for t in TYPES))
