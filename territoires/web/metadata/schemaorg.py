"""The dataset as schema.org `Dataset` JSON-LD, for the home page (what dataset search engines
read): the same facts as the DCAT catalogue — French name and description, licence, temporal
coverage, creator, distributions, the catalogue it belongs to — with this host's URLs."""

from __future__ import annotations

from ... import queries
from ...vocabulary.namespaces import LICENCE_OUVERTE
from ...store import Store
from ..context import per_build
from ..hosts import HostMap
from .dcat import KEYWORDS, day
from .dumps import listed
from .texts import DESCRIPTION, TITLE


@per_build
def coverage(live: Store) -> str | None:
    """The temporal coverage as an ISO 8601 interval of dates (as in the catalogue)."""
    rows = list(live.select(queries.get("metadata/temporal-coverage")))
    if not rows or rows[0]["from"] is None:
        return None
    end = rows[0]["to"]
    return f"{day(rows[0]['from'].value)}/{day(end.value, last=True) if end else '..'}"


def dataset(live: Store, host: HostMap) -> dict:
    root = host.root
    publisher = {"@type": "Organization", "name": "Projet territoires", "url": root}
    found = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": host.url(live.base + ".well-known/void#territoires"),
        "name": TITLE["fr"],
        "alternateName": TITLE["en"],
        "description": DESCRIPTION["fr"],
        "inLanguage": "fr",
        "url": root,
        "version": live.version,
        "dateModified": live.manifest.modified,
        "license": str(LICENCE_OUVERTE),
        "isAccessibleForFree": True,
        "keywords": KEYWORDS,
        "creator": publisher,
        "publisher": publisher,
        "spatialCoverage": {"@type": "Place", "name": "France"},
        "includedInDataCatalog": {"@type": "DataCatalog", "url": f"{root}catalogue",
                                  "name": "Catalogue des données Territoires d'industrie"},
        "distribution": [{"@type": "DataDownload", "name": f"{dump.title} ({dump.media_type}, gzip)",
                          "encodingFormat": "application/gzip",
                          "contentUrl": f"{root}dump/{dump.name}",
                          "contentSize": f"{dump.bytes} B"} for dump in listed(live)],
    }
    if (period := coverage(live)) is not None:
        found["temporalCoverage"] = period
    return found
