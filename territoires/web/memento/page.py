"""A memento and a TimeMap for people: plain data for `memento.html` and `timemap.html`, with
the differences between a vintage and today said in words (a name, an intercommunalité, the
communes that joined or left, a resource that ceased)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from .state import End, History, Snapshot, end, epci_of, names_in, years

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
# What a class is called on the page (the classes of queries/history/kind.rq).
KINDS = {"Commune": "commune", "CommuneDeleguee": "commune déléguée",
         "CommuneAssociee": "commune associée",
         "ArrondissementMunicipal": "arrondissement municipal", "EPCI": "intercommunalité (EPCI)",
         "CollectiviteStatutParticulier": "collectivité à statut particulier",
         "ZoneOutreMer": "zone d'une collectivité d'outre-mer",
         "CommuneOutreMer": "commune d'une collectivité d'outre-mer",
         "District": "district des Terres australes et antarctiques françaises",
         "CirconscriptionTerritoriale": "circonscription territoriale de Wallis-et-Futuna",
         "TerritoireIndustrie": "territoire d'industrie"}
SHOWN = 30   # communes named in one sentence of changes; the others are counted


def piece(text: str, href: str | None = None) -> dict:
    """A piece of a sentence, as entity.html's `text` macro shows it (a link when `href`)."""
    return {"text": text, "href": href}


def collation(name: str) -> str:
    """A key that sorts names as a French reader does (É with E, case ignored)."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def day(when: date) -> str:
    return f"{'1er' if when.day == 1 else when.day} {MONTHS[when.month - 1]} {when.year}"


@dataclass
class Group:
    """An EPCI of the memento with its communes of the vintage (links to their mementos)."""
    epci: dict
    communes: list[dict]


@dataclass
class MementoPage:
    title: str
    kind: str
    year: int
    today: int
    gone: bool                           # it no longer exists: compared with its end
    original: str
    timemap: str
    years: list[tuple[int, str, bool]]   # (vintage, its memento, the one shown)
    changes: list[list[dict]]
    epci: list[dict] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)


class Links:
    """Where the page's links go on the requesting host: a resource's memento of a vintage,
    its page of today."""

    def __init__(self, root: str, base: str):
        self.root, self.base = root, base

    def path(self, iri: str) -> str:
        return iri[len(self.base):] if iri.startswith(self.base) else iri

    def memento(self, iri: str, year: int) -> str:
        return f"{self.root}memento/{year}/{self.path(iri)}"

    def today(self, iri: str) -> str:
        return f"{self.root}{self.path(iri)}" if iri.startswith(self.base) else iri


def kind_of(snapshot: Snapshot) -> str:
    local = [c.rsplit("#", 1)[-1] for c in snapshot.classes]
    return next((KINDS[c] for c in local if c in KINDS), "")


class Names:
    """IRI → the name a page shows (the code when it has none), and the order of names."""

    def __init__(self, known: dict[str, str]):
        self.known = known

    def __call__(self, iri: str) -> str:
        return self.known.get(iri) or iri.rsplit("/", 1)[-1]

    def order(self, iri: str) -> str:
        return collation(self(iri))


def memento_page(store, history: History, year: int, gone: End | None, links: Links) -> MementoPage:
    """The page of the memento of `year`, compared with the latest vintage (today's geography)
    or, for a resource that ceased, with its end."""
    then = history.at(year, gone if year == history.years[-1] else None)
    latest = history.years[-1]
    now = history.at(latest)
    # Names as each side had them: the vintage's for what the memento shows, today's for
    # where things are now.
    label = Names(names_in(store, set(then.epci) | set(then.groups) | then.communes(), year))
    today = Names(names_in(store, set(now.epci) | set(now.groups) | now.communes(), latest))
    left = sorted(then.communes() - now.communes(), key=label.order)[:SHOWN]
    fates = _fates(store, left, latest)
    elsewhere = {iri for fate in fates.values() for iri in
                 (fate.became if isinstance(fate, End) else fate)}
    today.known.update(_names_today(store, elsewhere | set(gone.became if gone else ())))
    order = label.order
    return MementoPage(
        title=then.name, kind=kind_of(then), year=year, today=latest, gone=gone is not None,
        original=links.today(history.iri),
        timemap=f"{links.root}timemap/{links.path(history.iri)}",
        years=[(y, links.memento(history.iri, y), y == year) for y in history.years],
        changes=differences(then, now, gone, label, today, links, fates),
        epci=[piece(label(e), links.memento(e, year)) for e in then.epci],
        groups=[Group(piece(label(e), links.memento(e, year)),
                      [piece(f"{label(c)} ({c.rsplit('/', 1)[-1]})", links.memento(c, year))
                       for c in sorted(communes, key=order)])
                for e, communes in sorted(then.groups.items(), key=lambda kv: order(kv[0]))])


def _names_today(store, iris: set[str]) -> dict[str, str]:
    """The names of what other resources are today (their last vintage's names): where the
    communes that left went, what a ceased one became."""
    found: dict[str, str] = {}
    for iri in iris:
        vintages = years(store, iri)
        found.update(names_in(store, {iri}, vintages[-1] if vintages else 0))
    return found


def _fates(store, communes: list[str], today: int) -> dict[str, End | tuple[str, ...]]:
    """What became of communes no longer in the perimeter: their end (they ceased), or their
    EPCI of today (they moved)."""
    found: dict[str, End | tuple[str, ...]] = {}
    for commune in communes:
        found[commune] = end(store, commune) or epci_of(store, commune, today)
    return found


def differences(then: Snapshot, now: Snapshot, gone: End | None, label: Names, today: Names,
                links: Links, fates: dict | None = None) -> list[list[dict]]:
    """What changed from `then` to today, sentence by sentence (`label`: the names of then,
    `today`: of now)."""
    if gone is not None:
        became = [piece(successor(other, today), links.today(other)) for other in gone.became]
        sentence = [piece(f"N'existe plus depuis le {day(gone.since)} ("
                          f"plus dans le millésime {gone.since.year})")]
        if became:
            sentence += [piece(" ; successeur : ")] + _joined(became)
        return [sentence + [piece(".")]]
    if then.year == now.year:
        return [[piece(f"C'est la géographie en vigueur aujourd'hui (millésime {now.year}) : "
                       "cette page et celle d'aujourd'hui disent la même chose.")]]
    found: list[list[dict]] = []
    if then.name != now.name:
        found.append([piece(f"Nom en {then.year} : « {then.name} » ; aujourd'hui : "
                            f"« {now.name} ».")])
    if set(then.epci) != set(now.epci):
        found.append([piece(f"Intercommunalité en {then.year} : ")]
                     + (_joined([piece(label(e), links.memento(e, then.year))
                                 for e in then.epci]) or [piece("aucune")])
                     + [piece(" ; aujourd'hui : ")]
                     + (_joined([piece(today(e), links.today(e)) for e in now.epci])
                        or [piece("aucune")]) + [piece(".")])
    found += _perimeter(then, now, label, today, links, fates or {})
    if not found:
        found.append([piece(f"Rien n'a changé depuis {then.year} dans ce que disent les "
                            f"millésimes (nom, intercommunalité, communes) : la page "
                            f"d'aujourd'hui (millésime {now.year}) dit la même chose.")])
    return found


def _perimeter(then: Snapshot, now: Snapshot, label: Names, today: Names, links: Links,
               fates: dict) -> list[list[dict]]:
    """The communes of its EPCI then and now: how many, which joined, which are no longer in."""
    if not then.groups and not now.groups:
        return []
    before, after = then.communes(), now.communes()
    found: list[list[dict]] = []
    if len(before) != len(after):
        found.append([piece(f"{_count(len(before))} en {then.year}, {_count(len(after))} "
                            f"aujourd'hui.")])
    joined = sorted(after - before, key=today.order)
    left = sorted(before - after, key=label.order)
    if joined:
        found.append([piece(f"Entrée{'s' if len(joined) > 1 else ''} depuis {then.year} : ")]
                     + _named(joined, today, links.today))
    if left:
        found.append([piece(f"Plus membre{'s' if len(left) > 1 else ''} aujourd'hui : ")]
                     + _named(left, label, lambda c: links.memento(c, then.year),
                              lambda c: _fate(fates.get(c), today, links)))
    for epci in sorted(set(now.groups) - set(then.groups), key=today.order):
        found.append([piece(today(epci), links.today(epci)),
                      piece(f" n'existait pas en {then.year}.")])
    return found


def successor(iri: str, label) -> str:
    """A successor's name, with its kind when it is not a commune (`Saraz (commune
    déléguée)`): a merged commune's name often lives on as a commune déléguée."""
    kind = {"commune-deleguee": "commune déléguée", "commune-associee": "commune associée"}
    segment = iri.rsplit("/", 2)[-2] if iri.count("/") >= 2 else ""
    return f"{label(iri)} ({kind[segment]})" if segment in kind else label(iri)


def _fate(fate, label, links: Links) -> list[dict]:
    """Where a commune that left the perimeter is today, in words (nothing when unknown)."""
    if isinstance(fate, End):
        said = [piece(f" (n'existe plus depuis le {day(fate.since)}")]
        if fate.became:
            said += [piece(" ; successeur : ")] + _joined(
                [piece(successor(o, label), links.today(o)) for o in fate.became])
        return said + [piece(")")]
    if fate:
        return [piece(" (aujourd'hui dans ")] + _joined(
            [piece(label(e), links.today(e)) for e in fate]) + [piece(")")]
    return []


def _named(iris: list[str], label, href, more=lambda iri: []) -> list[dict]:
    """The first SHOWN of `iris`, each a link, with what `more` says of it; the rest counted."""
    shown: list[dict] = []
    for index, iri in enumerate(iris[:SHOWN]):
        shown += ([piece(", ")] if index else []) + [piece(label(iri), href(iri))] + more(iri)
    rest = len(iris) - SHOWN
    return shown + [piece(f" et {rest} autres." if rest > 0 else ".")]


def _joined(pieces: list[dict]) -> list[dict]:
    out: list[dict] = []
    for index, item in enumerate(pieces):
        if index:
            out.append(piece(", "))
        out.append(item)
    return out


def _count(number: int) -> str:
    return f"{number} commune{'s' if number > 1 else ''}"


@dataclass
class TimeMapPage:
    title: str
    kind: str
    original: str
    timegate: str
    linkformat: str
    rows: list[dict]      # one per memento: its date, name, EPCI or communes
    ended: str = ""       # when it ceased, in words ("" : it exists)


def timemap_page(history: History, gone: End | None, links: Links) -> TimeMapPage:
    """Every memento of the resource, with what it was in its vintage."""
    path = links.path(history.iri)
    rows = []
    for year in history.years:
        snapshot = history.at(year)
        rows.append({"year": year, "href": links.memento(history.iri, year),
                     "date": f"1er janvier {year}", "name": snapshot.name,
                     "communes": len(snapshot.communes()) if snapshot.groups else None,
                     "epci": len(snapshot.epci)})
    latest = history.at(history.years[-1])
    return TimeMapPage(title=latest.name, kind=kind_of(latest), original=links.today(history.iri),
                       timegate=f"{links.root}timegate/{path}",
                       linkformat=f"{links.root}timemap/{path}", rows=rows,
                       ended=f"N'existe plus depuis le {day(gone.since)}." if gone else "")
