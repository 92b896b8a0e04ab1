"""What the import needs of the reference snapshot: plain dictionaries, no RDF."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .. import snapshot


@dataclass
class Reference:
    epci_name: dict[str, str]
    epci_of: dict[str, str]            # current commune → EPCI SIREN
    members: dict[str, list[str]]      # EPCI SIREN → its communes
    commune_name: dict[str, str]       # every code (current, déléguée, associée, arrondissement)
    attached_to: dict[str, str]        # code of a déléguée / associée / arrondissement → commune

    @classmethod
    def read(cls, directory: Path) -> "Reference":
        """Raises `snapshot.SnapshotError` when a file is missing or not in its layout."""
        epci_name = {r["siren"]: r["nom"] for _, r in snapshot.rows(directory, "epci")}
        epci_of, members = {}, defaultdict(list)
        for _, r in snapshot.rows(directory, "epci_membres"):
            epci_of[r["commune"]] = r["epci"]
            members[r["epci"]].append(r["commune"])
        commune_name, attached_to = {}, {}
        for _, r in snapshot.rows(directory, "communes"):
            if r["type"] == "commune-actuelle":
                commune_name[r["code"]] = r["nom"]
            else:
                commune_name.setdefault(r["code"], r["nom"])
                if r["rattachement"]:
                    attached_to.setdefault(r["code"], r["rattachement"])
        return cls(epci_name, epci_of, dict(members), commune_name, attached_to)

    def current(self, code: str) -> str | None:
        """The current commune a code stands for (itself, or the commune it is attached to)."""
        if code in self.epci_of or (code in self.commune_name and code not in self.attached_to):
            return code
        return self.attached_to.get(code)
