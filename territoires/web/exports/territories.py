"""The territories of the programme, or of one phase, as CSV: UTF-8, a header row, one row per
territory; written by the standard library's csv module (RFC 4180 quoting, CRLF line ends).
Codes and names of several régions or départements are joined by `;` within their cell."""

from __future__ import annotations

import csv
import io

from ..documents.entities.programme import TerritoryRow

HEADER = ("iri", "nom", "phase", "identifiant_anct", "identifiant_qualifie", "regions_codes",
          "regions", "departements_codes", "departements", "nombre_epci", "nombre_communes",
          "population_municipale", "millesime_population")


def write(rows: list[TerritoryRow]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow((
            r.iri, r.name, r.number if r.number is not None else "", r.identifier,
            f"phase-{r.number}/{r.identifier}" if r.number and r.identifier else "",
            ";".join(a.code for a in r.regions), ";".join(a.name for a in r.regions),
            ";".join(a.code for a in r.departements), ";".join(a.name for a in r.departements),
            r.groupements, _blank(r.communes), _blank(r.population), r.vintage))
    return out.getvalue().encode("utf-8")


def _blank(value: int | None) -> str:
    return "" if value is None else str(value)
