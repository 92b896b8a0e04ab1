"""What both linkers share: batches of codes sent to a SPARQL endpoint, resumable progress, and
the decision rule — one candidate for one code is a link; several candidates (ambiguous), none
(missing), or a candidate claimed by several of our entities (shared) go to the report, never to
the links.

A run writes into its output directory (default `data/links/{linker}/`):

- `progression.json` after every batch: the finished batches and their answers. A rerun skips
  them (unless `restart`); it is deleted once the run completes. A state made with another
  endpoint, query or reference date is not reused.
- at the end only, each file replaced atomically: `liens.ttl` (the links, relative IRIs for our
  resources, sorted), `source.ttl` (the graph's description: a `ti:SourceGraph` and
  `void:Linkset` with endpoint, queries, date, licence, predicate, target, count) and
  `rapport.json` (counts per kind; every ambiguous, missing or shared code with its candidates).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from .. import queries
from ..store.sparql_client import SparqlClient
from . import turtle

STATE = "progression.json"
LINKS = "liens.ttl"
DESCRIPTION = "source.ttl"
REPORT = "rapport.json"

Progress = Callable[[str], None]


def stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class EntityKind:
    """One kind of our entities, as a linker looks it up: the query `name`
    (territoires/queries/linking/) selects `?code ?item` for a batch of codes bound to `?code`,
    with `bindings` (its class or property, a day…) bound too."""

    kind: str
    name: str
    bindings: tuple[tuple[str, ox.NamedNode | ox.Literal], ...]
    label_fr: str
    label_en: str
    # Datatypes each code is also sent with, for an endpoint that types its codes
    # (e.g. xsd:token); the answers' codes are compared by their lexical form.
    datatypes: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        """The query with all but the codes bound: what the link set's description records."""
        return queries.get(self.name).values(dict(self.bindings))

    def query(self, codes: list[str]) -> str:
        literals = []
        for code in codes:
            literals.append(ox.Literal(code))
            literals += [ox.Literal(code, datatype=ox.NamedNode(dt)) for dt in self.datatypes]
        return queries.get(self.name).values({**dict(self.bindings), "code": literals})


@dataclass(frozen=True)
class Linker:
    name: str                   # "wikidata"
    graph: str                  # graph/{graph}
    endpoint: str               # default endpoint
    predicate: tuple[str, str]  # (CURIE, namespace IRI of its prefix)
    licence: str
    objects_target: str         # void:objectsTarget: the dataset linked to
    source: str                 # dcterms:source: the dataset's home page
    title_fr: str
    title_en: str
    comment_fr: str
    comment_en: str
    targets: tuple[EntityKind, ...]
    versioned: bool = False     # the target has versions: the reference date chooses one

    def target(self, kind: str) -> EntityKind:
        for target in self.targets:
            if target.kind == kind:
                return target
        raise KeyError(kind)

    @property
    def kinds(self) -> list[str]:
        return [t.kind for t in self.targets]


@dataclass
class LinkRun:
    links: list[tuple[str, str, str]]          # (kind, code, item), sorted
    problems: list[dict]                       # report entries, sorted
    counts: dict[str, dict[str, int]]
    batches_run: int = 0
    batches_skipped: int = 0
    files: list[Path] = field(default_factory=list)


def run(linker: Linker, client: SparqlClient, codes: dict[str, list[str]], output: Path, *,
        batch_size: int = 200, reference_date: date = date(2026, 1, 1), restart: bool = False,
        progress: Progress = stderr,
        today: date | None = None) -> LinkRun:
    """Link every code of `codes` (kind → codes) through `client`; write the results in `output`.
    Raises `SparqlError` if a batch fails for good: the finished batches stay in the state file."""
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    output.mkdir(parents=True, exist_ok=True)
    targets = {kind: linker.target(kind) for kind in codes}
    fingerprint = _fingerprint(linker, client.url, targets.values())
    state_path = output / STATE
    state = _load_state(state_path, fingerprint, restart, progress)
    done: dict = state["batches"]

    plan = [(kind, chunk) for kind in codes for chunk in _chunks(codes[kind], batch_size)]
    outcome = LinkRun([], [], {})
    for number, (kind, chunk) in enumerate(plan, start=1):
        key = _batch_key(kind, chunk)
        if key in done:
            outcome.batches_skipped += 1
            continue
        progress(f"[{linker.name}] batch {number}/{len(plan)}: {len(chunk)} {kind} code(s) "
                 f"{chunk[0]}…{chunk[-1]}")
        done[key] = {"kind": kind,
                     "candidates": _batch(client, targets[kind], chunk, progress)}
        _write_json(state_path, state)
        outcome.batches_run += 1
    if outcome.batches_skipped:
        progress(f"[{linker.name}] {outcome.batches_skipped} batch(es) already done, resumed")

    candidates: dict[tuple[str, str], list[str]] = {}
    for kind, chunk in plan:
        answers = done[_batch_key(kind, chunk)]["candidates"]
        for code in chunk:
            candidates[(kind, code)] = answers[code]
    _decide(linker, list(codes), candidates, outcome)
    written_on = today or date.today()
    outcome.files = _write_outputs(linker, client.url, targets.values(), outcome, output,
                                   reference_date, written_on, (state["started"], _now()),
                                   batch_size)
    state_path.unlink(missing_ok=True)
    for kind in codes:
        c = outcome.counts[kind]
        progress(f"[{linker.name}] {kind}: {c['codes']} code(s), {c['linked']} linked, "
                 f"{c['ambiguous']} ambiguous, {c['missing']} missing, {c['shared']} shared")
    return outcome


def _batch(client: SparqlClient, target: EntityKind, chunk: list[str],
           progress: Progress) -> dict[str, list[str]]:
    """One batch of codes asked: each code's candidate items (IRIs only), sorted."""
    found: dict[str, set[str]] = {code: set() for code in chunk}
    for row in client.select(target.query(chunk)):
        code, item = row.get("code"), row.get("item", "")
        if code not in found:
            continue
        if not _is_iri(item):
            progress(f"  ignoring a non-IRI answer for {target.kind} {code}: {item!r}")
            continue
        found[code].add(item)
    return {code: sorted(items) for code, items in found.items()}


def _decide(linker: Linker, kinds: list[str], candidates: dict[tuple[str, str], list[str]],
            outcome: LinkRun) -> None:
    claimed: dict[str, list[tuple[str, str]]] = {}
    for key, items in candidates.items():
        if len(items) == 1:
            claimed.setdefault(items[0], []).append(key)
    for kind in kinds:
        outcome.counts[kind] = {"codes": 0, "linked": 0, "ambiguous": 0, "missing": 0, "shared": 0}
    for (kind, code), items in sorted(candidates.items(), key=_order(linker)):
        counts = outcome.counts[kind]
        counts["codes"] += 1
        entry = {"kind": kind, "code": code, "entity": f"id/{kind}/{code}", "candidates": items}
        if not items:
            status = "missing"
        elif len(items) > 1:
            status = "ambiguous"
        elif len(claimed[items[0]]) > 1:
            status = "shared"
            entry["shared_with"] = [f"id/{k}/{c}" for k, c in sorted(claimed[items[0]])
                                    if (k, c) != (kind, code)]
        else:
            counts["linked"] += 1
            outcome.links.append((kind, code, items[0]))
            continue
        counts[status] += 1
        outcome.problems.append({"status": status, **entry})


def _order(linker: Linker):
    rank = {kind: i for i, kind in enumerate(linker.kinds)}
    return lambda pair: (rank[pair[0][0]], pair[0][1])


# --- state ----------------------------------------------------------------------------------

def _fingerprint(linker: Linker, endpoint: str, targets) -> str:
    text = "\n".join([linker.name, endpoint] + [t.kind + "\n" + t.template for t in targets])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _batch_key(kind: str, chunk: list[str]) -> str:
    digest = hashlib.sha256("\n".join(chunk).encode()).hexdigest()[:16]
    return f"{kind}:{chunk[0]}:{len(chunk)}:{digest}"


def _load_state(path: Path, fingerprint: str, restart: bool, progress: Progress) -> dict:
    fresh = {"fingerprint": fingerprint, "started": _now(), "batches": {}}
    if restart or not path.exists():
        if restart and path.exists():
            progress(f"restart: ignoring {path}")
        return fresh
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        progress(f"{path}: unreadable state ({error}), starting over")
        return fresh
    if state.get("fingerprint") != fingerprint or not isinstance(state.get("batches"), dict):
        progress(f"{path}: made with another endpoint, query or reference date, starting over")
        return fresh
    return state


def _chunks(items: list[str], size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- outputs --------------------------------------------------------------------------------

def _write_outputs(linker: Linker, endpoint: str, targets, outcome: LinkRun, output: Path,
                   reference_date: date, written_on: date, times: tuple[str, str],
                   batch_size: int) -> list[Path]:
    # The description last: it is what makes the directory a source, and it counts the links.
    files = [output / LINKS, output / REPORT, output / DESCRIPTION]
    _write_text(files[0], turtle.links_turtle(linker, outcome.links, REPORT))
    report = {
        "linker": linker.name, "graph": f"graph/{linker.graph}", "endpoint": endpoint,
        "retrieved_on": written_on.isoformat(),
        **({"reference_date": reference_date.isoformat()} if linker.versioned else {}),
        "rule": "one candidate: linked; several: ambiguous; none: missing; a candidate found "
                "for several of our entities: shared. Only 'linked' codes are in " + LINKS + ".",
        "counts": outcome.counts,
        "problems": outcome.problems,
    }
    _write_text(files[1], json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    _write_text(files[2], turtle.description_turtle(linker, endpoint, list(targets),
                                                    len(outcome.links), written_on, times,
                                                    batch_size))
    return files


def _is_iri(text: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\s]+$", text))


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _write_json(path: Path, data) -> None:
    _write_text(path, json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
