"""The history of the official geography, computed from the vendored vintages (vintages.py):
plain Python, no RDF, so the build (`sources/history.py`), the importer (`--millesime`) and the
territories at their labelling all read the same answers.

A vintage is the geography in force on 1 January of its year. What a code was in each vintage
(its kind, name, EPCI) is reduced to runs of consecutive vintages in which it held, and the
differences between consecutive vintages to events: a commune merged into another (and the
commune it merged into), a commune created, an EPCI replaced by others.

2020 has no commune list: a commune is taken to exist in 2020 when it exists in 2019 and 2021
(with its 2019 name and kind) or when an EPCI of 2020 has it as a member.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import snapshot, vintages

Key = tuple[str, str]          # (type as in the package, e.g. "commune-actuelle"; code)
ACTUELLE = "commune-actuelle"
# Columns of a vintage's rows (vintages.LAYOUTS): kept as lists, read by position, for speed.
TYPE, CODE, NOM, DEPARTEMENT, RATTACHEMENT, ANCIENS = range(6)
SIREN, EPCI_NOM, EPCI_TYPE = range(3)
_POSITION = {year: index for index, year in enumerate(vintages.YEARS)}
# The zones of the overseas collectivities are not communes of the COG: left out of the history
# (known by their code, whose first three digits are their collectivity's: the package gives
# them no département before 2.3.1, 2022).
OVERSEAS = snapshot.OVERSEAS_COLLECTIVITIES


@dataclass(frozen=True)
class Run:
    """Consecutive vintages [first, last] in which something held."""

    first: int
    last: int

    def covers(self, year: int) -> bool:
        return self.first <= year <= self.last

    @property
    def whole(self) -> bool:
        return (self.first, self.last) == (vintages.YEARS[0], vintages.YEARS[-1])


@dataclass(frozen=True)
class Merger:
    """Communes that ceased to exist in `year`, merged into `into` (a commune of that year)."""

    year: int
    into: str
    merged: tuple[str, ...]


@dataclass(frozen=True)
class CodeChange:
    """A commune that changed code (Insee's events 41 and 50): `old` ceased and `new`, not a
    commune the vintage before, lists it (as a former code, or as attached to it), and nothing
    else ceased into it. In the COG the commune goes on under the new code."""

    year: int
    old: str
    new: str
    cause: str      # Insee's event type: "41" département changed, "50" chef-lieu transferred


@dataclass(frozen=True)
class Appearance:
    """A code that became a commune neither by a merger nor by a code change: re-established
    (Insee's event 21: it was a commune déléguée or associée, or a commune, before) out of
    `within`, or created (event 20)."""

    year: int
    code: str
    within: str | None     # the commune it is re-established out of; None: a creation

    @property
    def fragment(self) -> str:
        return f"{'retablissement' if self.within else 'creation'}-{self.year}"


def runs(years: list[int], value_of=lambda year: True) -> list[tuple[Run, object]]:
    """Runs of consecutive vintages (in `vintages.YEARS`) with the same value."""
    found: list[tuple[Run, object]] = []
    for year in years:      # in order
        value = value_of(year)
        if found and _POSITION[year] == _POSITION[found[-1][0].last] + 1 \
                and found[-1][1] == value:
            found[-1] = (Run(found[-1][0].first, year), value)
        else:
            found.append((Run(year, year), value))
    return found


@dataclass
class Timeline:
    """Every vintage read back, indexed by year."""

    communes: dict[int, dict[Key, list[str]]] = field(default_factory=dict)
    epci: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    epci_of: dict[int, dict[str, str]] = field(default_factory=dict)   # commune → SIREN
    _former: dict[int, dict[str, str]] = field(default_factory=dict, repr=False)
    _actuelles: dict[int, set[str]] = field(default_factory=dict, repr=False)
    _members_of: dict[int, dict[str, set[str]]] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, root: Path) -> "Timeline":
        """Raises `snapshot.SnapshotError` naming a missing or malformed file."""
        timeline = cls()
        for year in vintages.YEARS:
            timeline.epci[year] = {r[SIREN]: r for r in vintages.table(root, year, "epci")}
            timeline.epci_of[year] = {commune: epci for epci, commune
                                      in vintages.table(root, year, "epci_membres")}
            if year not in vintages.WITHOUT_COMMUNES:
                timeline.communes[year] = {(r[TYPE], r[CODE]): r
                                           for r in vintages.table(root, year, "communes")
                                           if r[CODE][:3] not in OVERSEAS}
        for year in sorted(vintages.WITHOUT_COMMUNES):
            timeline.communes[year] = timeline._inferred(year)
        return timeline

    def _inferred(self, year: int) -> dict[Key, list[str]]:
        before, after = self._neighbours(year)
        found = {key: row for key, row in before.items() if key in after}
        for code in self.epci_of[year]:
            key = (ACTUELLE, code)
            found.setdefault(key, before.get(key) or after[key])
        return found

    def _neighbours(self, year: int):
        index = vintages.YEARS.index(year)
        return self.communes[vintages.YEARS[index - 1]], self.communes[vintages.YEARS[index + 1]]

    # -- what held, and when ---------------------------------------------------------------

    def keys(self) -> set[Key]:
        return {key for table in self.communes.values() for key in table}

    def years_of(self, key: Key) -> list[int]:
        return [year for year in vintages.YEARS if key in self.communes[year]]

    def commune_runs(self, key: Key) -> list[Run]:
        return [run for run, _ in runs(self.years_of(key))]

    def name_runs(self, key: Key) -> list[tuple[Run, str]]:
        return runs(self.years_of(key), lambda year: self.communes[year][key][NOM])

    def epci_years(self, siren: str) -> list[int]:
        return [year for year in vintages.YEARS if siren in self.epci[year]]

    def epci_name_runs(self, siren: str) -> list[tuple[Run, str]]:
        return runs(self.epci_years(siren), lambda year: self.epci[year][siren][EPCI_NOM])

    def sirens(self) -> set[str]:
        return {siren for table in self.epci.values() for siren in table}

    def memberships(self) -> dict[tuple[str, str], list[Run]]:
        """(commune code, EPCI SIREN) → the runs of vintages in which the commune was a member."""
        years: dict[tuple[str, str], list[int]] = defaultdict(list)
        for year in vintages.YEARS:
            for code, siren in self.epci_of[year].items():
                years[(code, siren)].append(year)
        return {pair: [run for run, _ in runs(found)] for pair, found in years.items()}

    def members_in(self, year: int) -> dict[str, str]:
        return self.epci_of[year]

    def members_of(self, year: int) -> dict[str, set[str]]:
        """EPCI SIREN → its communes in `year`, inverted once per vintage from `epci_of`: the
        perimeters and the programme ask it for each of the 332 territories."""
        if year not in self._members_of:
            index: dict[str, set[str]] = {}
            for code, siren in self.epci_of[year].items():
                index.setdefault(siren, set()).add(code)
            self._members_of[year] = index
        return self._members_of[year]

    def communes_in(self, year: int) -> set[str]:
        if year not in self._actuelles:
            self._actuelles[year] = {code for kind, code in self.communes[year]
                                     if kind == ACTUELLE}
        return self._actuelles[year]

    # -- events ------------------------------------------------------------------------------

    @cached_property
    def _ceased_into(self) -> dict[tuple[int, str], list[str]]:
        """(year, commune) → the communes that ceased in `year` into it, in code order."""
        grouped: dict[tuple[int, str], list[str]] = defaultdict(list)
        for before, year in zip(vintages.YEARS, vintages.YEARS[1:]):
            for code in sorted(self.communes_in(before) - self.communes_in(year)):
                into = self.successor(code, year)
                if into is not None:
                    grouped[(year, into)].append(code)
        return grouped

    @cached_property
    def code_changes(self) -> list[CodeChange]:
        """One commune ceasing into a code that was no commune the vintage before is that
        commune under a new code, not a merger (Les Trois Lacs: 27676 → 27058 in 2021, back in
        2023); a new département means event 41, else the chef-lieu moved (50)."""
        found = []
        for (year, into), codes in sorted(self._ceased_into.items()):
            if len(codes) == 1 and into not in self.communes_in(_previous(year)):
                old = self.communes[_previous(year)][(ACTUELLE, codes[0])]
                new = self.communes[year][(ACTUELLE, into)]
                cause = "41" if old[DEPARTEMENT] != new[DEPARTEMENT] else "50"
                found.append(CodeChange(year, codes[0], into, cause))
        return found

    @cached_property
    def mergers(self) -> list[Merger]:
        """Communes that ceased to be communes, grouped by the commune they merged into (code
        changes left out)."""
        changed = {(c.year, c.new) for c in self.code_changes}
        return [Merger(year, into, tuple(codes))
                for (year, into), codes in sorted(self._ceased_into.items())
                if (year, into) not in changed]

    def appearances(self) -> list[Appearance]:
        """Codes that became communes after the first vintage by neither a merger nor a code
        change: re-established when the code was a commune déléguée or associée the vintage
        before (out of its commune), or a commune in an earlier vintage; else created."""
        into = {(m.year, m.into) for m in self.mergers}
        into |= {(c.year, c.new) for c in self.code_changes}
        return [Appearance(year, code, self._restored_from(code, year))
                for year, code in self.created() if (year, code) not in into]

    def _restored_from(self, code: str, year: int) -> str | None:
        before = self.communes[_previous(year)]
        for kind in ("commune-deleguee", "commune-associee"):
            row = before.get((kind, code))
            if row and row[RATTACHEMENT]:
                return row[RATTACHEMENT]
        for earlier in reversed(vintages.YEARS[:vintages.YEARS.index(year) - 1]):
            if code in self.communes_in(earlier):   # ceased then, into the commune it left
                return self.carried_forward(code, earlier, _previous(year))
        return None

    def successor(self, code: str, year: int) -> str | None:
        """The commune that a commune ceasing in `year` merged into: the one it is attached to
        (as a commune déléguée or associée) in the first vintage that lists communes from
        `year` on, or the one that lists it among its former codes."""
        for later in vintages.YEARS[vintages.YEARS.index(year):]:
            if later in vintages.WITHOUT_COMMUNES:
                continue
            table = self.communes[later]
            for kind in ("commune-deleguee", "commune-associee"):
                row = table.get((kind, code))
                if row and row[RATTACHEMENT]:
                    return row[RATTACHEMENT]
            return self._former_codes(later).get(code)
        return None

    def _former_codes(self, year: int) -> dict[str, str]:
        """A former code → the commune of `year` that lists it (computed once per vintage)."""
        if year not in self._former:
            self._former[year] = {old: code for (kind, code), row in self.communes[year].items()
                                  if kind == ACTUELLE for old in row[ANCIENS].split()}
        return self._former[year]

    def created(self) -> list[tuple[int, str]]:
        """Codes that are communes in a vintage and were none the vintage before."""
        return [(year, code) for before, year in zip(vintages.YEARS, vintages.YEARS[1:])
                for code in sorted(self.communes_in(year) - self.communes_in(before))]

    def event_fragment(self, code: str, year: int) -> str:
        """The fragment (under the commune `code`) of the event by which `code` became a
        commune in `year`: a merger into it, a code change to it, a re-establishment, a
        creation (the perimeters' explanations point at it)."""
        if any(m.year == year and m.into == code for m in self.mergers):
            return f"fusion-{year}"
        if any(c.year == year and c.new == code for c in self.code_changes):
            return f"changement-code-{year}"
        return next((a.fragment for a in self.appearances() if (a.year, a.code) == (year, code)),
                    f"fusion-{year}")

    def epci_successors(self, siren: str, year: int) -> set[str]:
        """The EPCI of `year` that hold the communes a vanished EPCI held the vintage before
        (a merged commune is followed to the commune it merged into)."""
        before = vintages.YEARS[vintages.YEARS.index(year) - 1]
        found = set()
        for code, held_by in self.epci_of[before].items():
            if held_by == siren:
                now = code if code in self.epci_of[year] else self.successor(code, year)
                if now in self.epci_of[year]:
                    found.add(self.epci_of[year][now])
        return found

    def carried_forward(self, code: str, year: int, until: int = vintages.CURRENT) -> str | None:
        """The commune of vintage `until` that the commune `code` of vintage `year` became."""
        for later in vintages.YEARS[vintages.YEARS.index(year) + 1:]:
            if later > until:
                break
            if code not in self.communes_in(later):
                code = self.successor(code, later)
                if code is None:
                    return None
        return code


def _previous(year: int) -> int:
    return vintages.YEARS[vintages.YEARS.index(year) - 1]

