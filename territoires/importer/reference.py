"""What the import needs of the reference snapshot: plain dictionaries, no RDF."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..sources import snapshot, vintages
from ..sources.timeline import ACTUELLE, NOM, RATTACHEMENT, Timeline


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

    def changed(self, code: str, current: str) -> str:
        """Why a code of the list stands for another current commune (a warning)."""
        return (f"{code} ({self.commune_name.get(code)}) is not a current commune; counted as "
                f"{current} ({self.commune_name.get(current)})")

    def epci_for(self, code: str, current: str) -> list[str]:
        """The EPCI a commune of the list brings to its territory."""
        return [self.epci_of[current]] if current in self.epci_of else []

    def current_epci(self, siren: str) -> list[str]:
        """The current EPCI an EPCI of the list stands for (none when unknown)."""
        return [siren] if siren in self.epci_name else []

    @property
    def where(self) -> str:
        return "the reference data"


@dataclass
class VintageReference(Reference):
    """The reference for a list given against an older COG (`--millesime YYYY`): its codes are
    read in that vintage and carried forward through the history to the current geography."""

    year: int = 0
    timeline: Timeline | None = None
    _attached: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def read_vintage(cls, directory: Path, history: Path, year: int) -> "VintageReference":
        """Raises `snapshot.SnapshotError`, or ValueError for a year with no commune list."""
        if year not in vintages.YEARS or year in vintages.WITHOUT_COMMUNES:
            known = [y for y in vintages.YEARS if y not in vintages.WITHOUT_COMMUNES]
            raise ValueError(f"--millesime {year}: no commune list for that year (known: "
                             f"{', '.join(map(str, known))})")
        base = Reference.read(directory)
        return cls(**vars(base), year=year, timeline=Timeline.read(history))

    def _then(self, code: str) -> str | None:
        """The commune of the vintage a code stands for (itself, or the one it is attached to)."""
        table = self.timeline.communes[self.year]
        if (ACTUELLE, code) in table:
            return code
        if not self._attached:
            for (kind, other), row in table.items():
                if row[RATTACHEMENT]:
                    self._attached.setdefault(other, row[RATTACHEMENT])
        return self._attached.get(code)

    def current(self, code: str) -> str | None:
        then = self._then(code)
        return None if then is None else self.timeline.carried_forward(then, self.year)

    def epci_for(self, code: str, current: str) -> list[str]:
        """The EPCI of the commune in the list's vintage, carried forward: a territory is made
        of the EPCI of its year, not of those its communes joined since."""
        then = self.timeline.epci_of[self.year].get(self._then(code) or "")
        return self.current_epci(then) if then else []

    def changed(self, code: str, current: str) -> str:
        names = self.timeline.communes[self.year]
        then = names.get((ACTUELLE, code))
        was = then[NOM] if then else "not a commune of that vintage"
        return (f"{code} ({was}) of COG {self.year} is {current} "
                f"({self.commune_name.get(current)}) in the current geography")

    def current_epci(self, siren: str) -> list[str]:
        if siren not in self.timeline.epci[self.year]:
            return []
        found = {siren}
        for later in vintages.YEARS[vintages.YEARS.index(self.year) + 1:]:
            found = {s for f in found for s in ((f,) if f in self.timeline.epci[later]
                                                else self.timeline.epci_successors(f, later))}
        return sorted(found)

    @property
    def where(self) -> str:
        return f"COG {self.year}"
