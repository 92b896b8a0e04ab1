"""A name index of the graph's entities, for /search and the reconciliation service.

The index is built once per build and per application, in memory, from a handful of selective
SPARQL queries (territoires/queries/lookup/: labels with types, codes, départements,
populations), and holds only strings and small ints: entity *n* is `ids[n]` (the IRI under
`BASE id/`), `names[n]`, `types[n]` (a bit mask of `TYPES`), `depts[n]`, `population[n]`. Names
are compared by `names.name_key` (case, accents, punctuation, articles and EPCI legal forms
ignored): an equal key is an exact match; otherwise candidates come from a trigram index of the
keys and are scored by character and word similarity (similarity.py). Two more signals rank them
for people: a name that sounds like the query (phonetic.py: "morto" → Morteau), and the site's own
entities (salience.py: the programme, its territories, people), first among equal matches and with
the exact ones when the query is their distinctive word.
"""

from __future__ import annotations

import heapq
import logging
import re
import sys
import time
from array import array
from collections import Counter, defaultdict
from difflib import SequenceMatcher

import pyoxigraph as ox

from ... import queries
from ...vocabulary.names import fold, name_key
from ...vocabulary.namespaces import FOAF, RDFS, SCHEMA, SKOS
from ...store import Store
from ..context import per_build
from . import fates, ranking, salience
from .budget import MAX_WORDS, Budget
from .phonetic import sound
from .prefixes import NAME_START, starts
from .ranking import Hit
from .similarity import similarity, trigrams
from .types import ALL, CODES, QUALIFIED, TYPES, Type, class_iri

log = logging.getLogger(__name__)


# Every label the graph carries is searched: other names (altLabel), and the misspellings and
# former names kept as hiddenLabel, which are matched but never shown.
LABELS = [SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, RDFS.label, FOAF.name, SCHEMA.name]
# Which label names an entity: a prefLabel before the others (French or untagged first).
_PRIORITY = {str(p): i for i, p in enumerate((SKOS.prefLabel, FOAF.name, SCHEMA.name, RDFS.label,
                                             SKOS.altLabel, SKOS.hiddenLabel))}

CODE_LIKE = re.compile(r"^\s*(\d{9}|\d{5}|2[ABab]\d{3}|\d{2,3}|2[ABab])\s*$")
# An ANCT id, with or without its phase: "ti-2704" (every phase's), "phase-1/ti-2704" (one).
ANCT_ID = re.compile(r"^\s*(?:(phase-\d+)\s*/\s*)?(ti-\d{4})\s*$", re.IGNORECASE)
CANDIDATE_KEYS = 200      # keys kept from the trigram pass before exact scoring
SOUNDS_ALIKE = 90.0       # the least score of a name that sounds like the query (a prefix's tier)


class NameIndex:
    def __init__(self, store: Store):
        started = time.perf_counter()
        self.base = store.base
        self.id_prefix = store.base + "id/"
        self.ti = store.base + "def/territoires#"
        self.type_iris = [class_iri(t, self.ti) for t in TYPES]
        self.ids: list[str] = []
        self.names: list[str] = []
        self.types = array("H")
        self.by_id: dict[str, int] = {}
        labels = self._read_labels(store)
        self.name_keys = [name_key(name) for name in self.names]
        self._read_codes(store)
        self._read_departements(store)
        self._read_populations(store)
        self._index_keys(labels)
        self.successor = fates.successors(self, store)
        self.own = salience.own_words(self)
        self.own_mask = salience.own_mask()
        self.seconds = time.perf_counter() - started
        log.info("name index: %d entities, %d keys, %d trigrams in %.2f s", len(self.ids),
                 len(self.keys), len(self.trigrams), self.seconds)

    # -- building ---------------------------------------------------------------------------

    def _read_labels(self, store: Store) -> dict[int, set[str]]:
        """Every label of every entity of an indexed type (the type index makes it selective):
        the entities, their types and display names; returns each entity's labels."""
        labels: dict[int, set[str]] = defaultdict(set)
        rows = store.select(queries.get("lookup/labels"),
                            type=[ox.NamedNode(iri) for iri in self.type_iris],
                            predicate=[ox.NamedNode(str(p)) for p in LABELS])
        bit_of = {iri: 1 << i for i, iri in enumerate(self.type_iris)}
        best: dict[int, tuple[int, int, str]] = {}
        for row in rows:
            iri, label = row["entity"].value, row["label"]
            if not iri.startswith(self.id_prefix):
                continue
            n = self._add(iri[len(self.id_prefix):])
            self.types[n] |= bit_of[row["type"].value]
            labels[n].add(label.value)
            lang = getattr(label, "language", None) or ""
            rank = (_PRIORITY[row["predicate"].value], 0 if lang in ("fr", "") else 1, label.value)
            if n not in best or rank < best[n]:
                best[n] = rank
        for n, (_, _, text) in best.items():
            self.names[n] = text
        return labels

    def _add(self, local: str) -> int:
        n = self.by_id.get(local)
        if n is None:
            n = self.by_id[local] = len(self.ids)
            self.ids.append(local)
            self.names.append("")
            self.types.append(0)
        return n

    def _read_codes(self, store: Store) -> None:
        """Codes (SIREN, INSEE, official identifiers): code → the entity, or a tuple of them when
        several share it (rare); and, per entity that has some, its ((pid, code), …)."""
        pid_of = {self.ti + local: pid for pid, (local, _) in CODES.items() if local}
        postings: dict[str, dict[str, list[int]]] = {pid: defaultdict(list) for pid in CODES}
        entity_codes: dict[int, list[tuple[str, str]]] = defaultdict(list)
        rows = [(row["entity"].value, pid_of[row["property"].value], row["code"].value)
                for row in store.select(queries.get("lookup/codes"),
                                        property=[ox.NamedNode(iri) for iri in pid_of])]
        rows += [(row["entity"].value, QUALIFIED, row["code"].value)
                 for row in store.select(queries.get("lookup/qualified-ids"))]
        for entity, pid, code in rows:
            n = self._entity(entity)
            if n is None:
                continue
            postings[pid][code].append(n)
            if not any(p == pid for p, _ in entity_codes[n]):
                entity_codes[n].append((pid, code))
        self.codes = {pid: {code: ns[0] if len(set(ns)) == 1 else tuple(sorted(set(ns)))
                            for code, ns in found.items()} for pid, found in postings.items()}
        self.entity_codes: dict[int, tuple[tuple[str, str], ...]] = {
            n: tuple(sorted(pairs, key=lambda pair: list(CODES).index(pair[0])))
            for n, pairs in entity_codes.items()}

    def _read_departements(self, store: Store) -> None:
        """Départements: of communes and EPCI directly, of territories through their EPCI, and
        of a département itself; with their names, for the reconciliation's property."""
        dept_prefix = self.id_prefix + "departement/"
        depts: list[set[str]] = [set() for _ in range(len(self.ids))]
        for row in store.select(queries.get("lookup/departements")):
            n, d = self._entity(row["entity"].value), row["departement"].value
            if n is not None and d.startswith(dept_prefix):
                depts[n].add(sys.intern(d[len(dept_prefix):]))
        self.dept_names: dict[str, str] = {}
        dept_bit = 1 << [t.key for t in TYPES].index("departement")
        for n in range(len(self.ids)):
            if self.types[n] & dept_bit and self.ids[n].startswith("departement/"):
                code = self.ids[n][len("departement/"):]
                depts[n].add(sys.intern(code))
                self.dept_names[code] = self.names[n]
        self.depts: list[tuple[str, ...]] = [tuple(sorted(d)) for d in depts]
        grouped: dict[str, list[int]] = defaultdict(list)
        for n, ds in enumerate(self.depts):
            for d in ds:
                grouped[d].append(n)
        self.by_dept: dict[str, tuple[int, ...]] = {d: tuple(ns) for d, ns in grouped.items()}
        self.dept_by_key = {name_key(name, False): code for code, name in self.dept_names.items()}

    def _read_populations(self, store: Store) -> None:
        """Populations: they rank equal scores, and descriptions show them."""
        self.population = array("l", [0]) * len(self.ids)
        for row in store.select(queries.get("lookup/populations")):
            n = self._entity(row["entity"].value)
            if n is not None:
                try:
                    self.population[n] = int(row["population"].value)
                except ValueError:
                    pass

    def _index_keys(self, labels: dict[int, set[str]]) -> None:
        """Name keys → entities; trigrams → keys; sorted keys and words for prefixes."""
        key_entities: dict[str, set[int]] = defaultdict(set)
        for n, texts in labels.items():
            for text in texts:
                key = name_key(text)
                if key:
                    key_entities[key].add(n)
        self.keys: list[str] = sorted(key_entities)
        self.key_entities: list[tuple[int, ...]] = [tuple(sorted(key_entities[k])) for k in self.keys]
        self.key_id = {k: i for i, k in enumerate(self.keys)}
        self.key_types = array("H", [0]) * len(self.keys)
        grams: dict[str, list[int]] = defaultdict(list)
        words: set[tuple[str, int]] = set()
        for i, key in enumerate(self.keys):
            for n in self.key_entities[i]:
                self.key_types[i] |= self.types[n]
            for gram in trigrams(key):
                grams[gram].append(i)
            for word in key.split()[1:]:
                words.add((word, i))
        self.trigrams = {g: array("I", ks) for g, ks in grams.items()}
        self.key_grams = array("H", (len(trigrams(k)) for k in self.keys))
        ordered = sorted(words)                  # later words of the keys, for prefixes
        self.words: list[str] = [w for w, _ in ordered]
        self.word_key = array("I", (i for _, i in ordered))

    # -- lookups ---------------------------------------------------------------------------

    def with_code(self, pid: str, code: str) -> tuple[int, ...]:
        found = self.codes.get(pid, {}).get(code, ())
        return (found,) if isinstance(found, int) else found

    def _entity(self, iri: str) -> int | None:
        if iri.startswith(self.id_prefix):
            return self.by_id.get(iri[len(self.id_prefix):])
        return None

    def iri(self, n: int) -> str:
        return self.id_prefix + self.ids[n]

    def type_indexes(self, n: int) -> list[int]:
        return [i for i in range(len(TYPES)) if self.types[n] >> i & 1]

    def primary_type(self, n: int) -> Type:
        return TYPES[self.type_indexes(n)[0]]

    def departement(self, value: str) -> str | None:
        """A département code from a code, an IRI or a name ("25", ".../departement/25", "Doubs")."""
        value = value.strip()
        if value.startswith(self.id_prefix + "departement/"):
            value = value[len(self.id_prefix + "departement/"):]
        if value.upper() in self.dept_names:
            return value.upper()
        if value.isdigit() and len(value) == 1 and "0" + value in self.dept_names:
            return "0" + value
        return self.dept_by_key.get(name_key(value, False))

    def is_former(self, n: int) -> bool:
        return self.primary_type(n).key == "disparue"

    def fate(self, n: int) -> str:
        return fates.fate(self, n)

    def describe(self, n: int) -> str:
        """A one-line description: type, code(s), département(s), population, what became of it."""
        parts = [fates.kind(self, n)]
        for pid, code in self.entity_codes.get(n, ()):
            parts.append(f"{CODES[pid][1].split(' / ')[0]} {code}")
        if self.depts[n] and not self.ids[n].startswith("departement/"):
            parts.append(", ".join(f"{self.dept_names.get(d, d)} ({d})" for d in self.depts[n][:4])
                         + (" …" if len(self.depts[n]) > 4 else ""))
        if self.population[n]:
            parts.append(f"{self.population[n]:,} hab.".replace(",", " "))
        if self.fate(n):
            parts.append(self.fate(n))
        return " · ".join(parts)

    # -- search ----------------------------------------------------------------------------

    def search(self, text: str, mask: int = ALL, depts: set[str] | None = None,
               codes: dict[str, str] | None = None, limit: int = 10,
               budget: Budget | None = None) -> list[Hit]:
        """The best `limit` entities for `text` among those of the types in `mask`, in one of
        `depts` if given, with every code of `codes` ({pid: code}) if given; within `budget`
        (raises OverBudget). A name's first MAX_WORDS words are scored."""
        qkey = " ".join(name_key(text).split()[:MAX_WORDS])
        budget = budget or Budget(float("inf"))

        def allowed(n: int) -> bool:
            return bool(self.types[n] & mask) and (not depts or not depts.isdisjoint(self.depts[n]))

        if codes:
            return self._by_codes(qkey, codes, allowed, limit, budget)
        scores: dict[int, tuple[float, bool]] = {}
        # A code typed as the name: "25056", "242500361".
        if CODE_LIKE.match(text):
            code = text.strip().upper()
            for pid in ("codeInsee", "siren"):
                for n in self.with_code(pid, code):
                    if allowed(n):
                        scores[n] = (100.0, True)
        if ANCT_ID.match(text):
            return self._rank({n: (100.0, True) for n in self._anct(text) if allowed(n)}, limit)
        if not qkey:
            return self._rank(scores, limit)
        exact = self.key_id.get(qkey)
        if exact is not None:
            for n in self.key_entities[exact]:
                if allowed(n):
                    scores[n] = (100.0, True)
        tiers: dict[int, int] = {}
        if depts:
            # Few enough to score them all: every entity of those départements and types.
            pool = {n for d in depts for n in self.by_dept.get(d, ()) if self.types[n] & mask}
            self._score_entities(qkey, pool, scores, budget)
        else:
            self._score_candidates(qkey, mask, allowed, scores, tiers, budget)
        for n, tier in starts(self, qkey, mask).items():
            if allowed(n):
                tiers[n] = min(tier, tiers.get(n, tier))
        self._score_entities(qkey, set(tiers), scores, budget)
        ranking.promote_own(self, qkey, allowed, scores)
        return self._rank(scores, limit, tiers, text)

    def _score_candidates(self, qkey: str, mask: int, allowed, scores: dict, tiers: dict,
                          budget: Budget) -> None:
        """Score the names the trigram pass finds; a name that sounds like the query ranks with
        the names that start with it."""
        matcher = SequenceMatcher(None, "", qkey, autojunk=False)
        heard = sound(qkey)
        for i in self._candidate_keys(qkey, mask):
            budget.check()
            sim = similarity(qkey, self.keys[i], matcher) * 100
            alike = bool(heard) and sim < 100 and sound(self.keys[i]) == heard
            if alike:
                sim = max(sim, SOUNDS_ALIKE)
            for n in self.key_entities[i]:
                if allowed(n) and (n not in scores or scores[n][0] < sim):
                    scores[n] = (sim, sim >= 100)
                    if alike:
                        tiers[n] = NAME_START

    def _anct(self, text: str) -> tuple[int, ...]:
        """The territories an ANCT id names: with its phase one, without it every phase's."""
        phase, ident = ANCT_ID.match(text).groups()
        if phase:
            return self.with_code(QUALIFIED, f"{phase.lower()}/{ident.lower()}")
        return self.with_code("identifiantOfficiel", ident.lower())

    def _by_codes(self, qkey: str, codes: dict[str, str], allowed, limit: int,
                  budget: Budget) -> list[Hit]:
        pools = [set(self.with_code(pid, code)) for pid, code in codes.items()]
        pool = {n for n in set.intersection(*pools) if allowed(n)}
        scores = {}
        for n in pool:
            budget.check()
            name = max((similarity(qkey, k) for k in self._keys_of(n)), default=0.0) if qkey else 1.0
            # A code match is exact, whatever the name; the name orders several such matches.
            scores[n] = (max(100.0 * name, 100.0 if len(pool) == 1 else 90.0 + 10 * name), True)
        return self._rank(scores, limit)

    def _keys_of(self, n: int) -> list[str]:
        return [self.name_keys[n]] if self.name_keys[n] else []

    def _score_entities(self, qkey: str, pool: set[int], scores: dict, budget: Budget) -> None:
        matcher = SequenceMatcher(None, "", qkey, autojunk=False)
        for n in pool:
            if n in scores:
                continue
            budget.check()
            sim = similarity(qkey, self.name_keys[n], matcher) * 100
            scores[n] = (sim, False)

    def _candidate_keys(self, qkey: str, mask: int) -> list[int]:
        grams = trigrams(qkey)
        counts: Counter = Counter()
        for gram in grams:
            postings = self.trigrams.get(gram)
            if postings is not None:
                counts.update(postings)
        if not counts:
            return []
        size = len(grams)
        key_types, key_grams = self.key_types, self.key_grams
        dice = ((2 * shared / (size + key_grams[i]), i) for i, shared in counts.items()
                if key_types[i] & mask)
        return [i for _, i in heapq.nlargest(CANDIDATE_KEYS, dice)]

    def _rank(self, scores: dict[int, tuple[float, bool]], limit: int,
              tiers: dict[int, int] | None = None, text: str = "") -> list[Hit]:
        return ranking.rank(self, scores, limit, tiers or {}, text)

    def prefix(self, text: str, mask: int = ALL, limit: int = 10,
               budget: Budget | None = None) -> list[int]:
        """Entities whose name (or a later word of it) starts with `text`: name starts first, then
        the biggest populations; for suggest boxes."""
        key = name_key(text) or fold(text)
        found = starts(self, key, mask)
        ranked = sorted(found.items(), key=lambda kv: (kv[1], -self.population[kv[0]],
                                                       self.names[kv[0]]))
        if key and len(ranked) < limit:
            seen = set(found)
            ranked += [(h.entity, 3) for h in self.search(text, mask, limit=limit, budget=budget)
                       if h.entity not in seen]
        return [n for n, _ in ranked[:limit]]


@per_build
def name_index(store: Store) -> NameIndex:
    """The index of a build (built on first use, once per build and application)."""
    return NameIndex(store)
