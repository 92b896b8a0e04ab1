"""`territoires link wikidata`: our régions, départements, EPCI, communes and municipal
arrondissements matched to Wikidata items by their official codes.

| our entity | Wikidata property |
| --- | --- |
| `id/region/{code}` | P2585 INSEE region code |
| `id/departement/{code}` | P2586 INSEE department code |
| `id/epci/{SIREN}` | P1616 SIREN number |
| `id/commune/{INSEE}`, `id/arrondissement-municipal/{INSEE}` | P374 INSEE municipality code |

Only "truthy" statements (`wdt:`, the best rank) count, and items with a dissolution date (P576)
are left out: a former commune merged into a commune nouvelle often keeps the code of its
successor. Links are `owl:sameAs`: a Wikidata item is about the territory itself, as our IRI
is. Communes déléguées and associées are not linked here (they share P374 values with the current
communes, so a code cannot tell them apart); `territoires link insee` links them by class.

Default endpoint: https://query.wikidata.org/sparql (data CC0). The Wikimedia User-Agent policy
asks every client for a name, a version and a contact: give `--contact you@example.org`
(or TERRITOIRES_CONTACT).
"""

from __future__ import annotations

import pyoxigraph as ox

from ..vocabulary.namespaces import OWL, WDT
from .linker import Linker, EntityKind

ENDPOINT = "https://query.wikidata.org/sparql"

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"

PROPERTIES = {   # kind -> (property, label fr, label en)
    "region": ("P2585", "régions par leur code Insee (P2585)", "regions by INSEE code (P2585)"),
    "departement": ("P2586", "départements par leur code Insee (P2586)",
                    "départements by INSEE code (P2586)"),
    "epci": ("P1616", "EPCI par leur SIREN (P1616)", "EPCI by SIREN (P1616)"),
    "commune": ("P374", "communes par leur code Insee (P374)", "communes by INSEE code (P374)"),
    "arrondissement-municipal": ("P374", "arrondissements municipaux par leur code Insee (P374)",
                                 "municipal arrondissements by INSEE code (P374)"),
}


LINKER = Linker(
    name="wikidata",
    graph="liens-wikidata",
    endpoint=ENDPOINT,
    predicate=("owl:sameAs", str(OWL)),
    licence=CC0,
    objects_target="https://www.wikidata.org/",
    source="https://www.wikidata.org/",
    title_fr="Liens vers Wikidata (codes officiels)",
    title_en="Links to Wikidata (official codes)",
    comment_fr=("Chaque région, département, EPCI, commune et arrondissement municipal est relié "
                "par owl:sameAs à l'élément Wikidata qui porte son code officiel (code Insee ou "
                "SIREN), s'il y en a exactement un et s'il n'a pas de date de dissolution (P576). "
                "Les codes sans élément, avec plusieurs éléments, ou dont l'élément porte aussi "
                "le code d'une autre de nos entités sont listés dans rapport.json, jamais devinés."),
    comment_en=("Every région, département, EPCI, commune and municipal arrondissement is linked "
                "with owl:sameAs to the Wikidata item carrying its official code (INSEE code or "
                "SIREN), when there is exactly one and it has no dissolution date (P576). Codes "
                "with no item, several items, or an item that also carries the code of another "
                "of our entities are listed in rapport.json, never guessed."),
    targets=tuple(EntityKind(kind, "linking/wikidata", (("property", ox.NamedNode(WDT[prop])),),
                         fr, en) for kind, (prop, fr, en) in PROPERTIES.items()),
)
