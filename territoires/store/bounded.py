"""Whether a query is small enough to answer in the web worker, without an executor's round trip.

pyoxigraph cannot cancel a query, so the deadline is kept by running users' queries in executor
processes that can be killed (executor.py). The round trip to one costs more than the whole
evaluation of a lookup by code or an ASK of one triple, the commonest queries. Such a query may
run in the worker only if its cost is known to be small before it runs: the web layer reads its
shape (web/sparql/cheap.py: basic graph patterns, OPTIONAL, UNION, nothing else) into a `Group`,
and `within` walks those patterns the way the engine's nested loops do, through the store's
indexes, counting every quad it visits and every join it makes; past `budget` it gives up and the
query goes to an executor. A pattern that no constant or already-bound variable anchors (a scan of
a predicate, or of the whole graph) gives up at once: its cost is not read from an index.

The walk over-counts rather than under-counts: it reads every graph (the union is no larger), and
the branches of a UNION and nested groups are counted on their own, then joined, as an engine
that does not push bindings into them would. This module imports neither rdflib nor Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

Term = "ox.NamedNode | ox.Literal | str"   # a constant, or a variable's name ("?x")
Quads = Callable[..., Iterable[ox.Quad]]   # the engine's quads_for_pattern


@dataclass(frozen=True)
class Triple:
    subject: object
    predicate: object
    object: object


@dataclass
class Group:
    """A group graph pattern: its triples, its OPTIONAL groups, and its other groups, each a list
    of alternatives (a plain nested group is one alternative; `A UNION B` two)."""
    triples: list[Triple] = field(default_factory=list)
    optionals: list["Group"] = field(default_factory=list)
    alternatives: list[list["Group"]] = field(default_factory=list)


class _TooCostly(Exception):
    pass


class _Work:
    def __init__(self, budget: int):
        self.left = budget

    def take(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise _TooCostly()


def within(group: Group, quads: Quads, budget: int) -> bool:
    """Whether evaluating `group` visits at most `budget` quads and joined solutions."""
    try:
        _anchored(group, set())
        _solutions(group, [{}], quads, _Work(budget))
    except _TooCostly:
        return False
    return True


def _anchored(group: Group, bound: set[str]) -> None:
    """Every triple of the group and of the groups in it has its subject or object known when
    it is read, whatever the data: else the engine would scan (raises _TooCostly). An OPTIONAL
    group may use its parent's variables; the branches of a UNION and nested groups are read on
    their own."""
    bound = bound | {term for triple in _order(group.triples, bound)
                     for term in (triple.subject, triple.predicate, triple.object)
                     if _is_variable(term)}
    for optional in group.optionals:
        _anchored(optional, bound)
    for alternatives in group.alternatives:
        for alternative in alternatives:
            _anchored(alternative, set())


def _solutions(group: Group, solutions: list[dict], quads: Quads, work: _Work) -> list[dict]:
    bound = set(solutions[0]) if solutions else set()
    for triple in _order(group.triples, bound):
        solutions = [extended for solution in solutions
                     for extended in _matches(triple, solution, quads, work)]
    for optional in group.optionals:
        solutions = [extended for solution in solutions
                     for extended in (_solutions(optional, [solution], quads, work)
                                      or [solution])]
    for alternatives in group.alternatives:   # read whether or not the rest matched anything
        found = [s for alternative in alternatives for s in _solutions(alternative, [{}], quads,
                                                                        work)]
        work.take(len(solutions) * len(found))
        solutions = [{**left, **right} for left in solutions for right in found
                     if all(left[k] == v for k, v in right.items() if k in left)]
    return solutions


def _order(triples: list[Triple], bound: set[str]) -> list[Triple]:
    """The triples in an order where each has its subject or object known (a constant, or a
    variable bound before it); gives up when one cannot (it would scan)."""
    left, ordered, bound = list(triples), [], set(bound)
    while left:
        ready = next((t for t in left if _known(t.subject, bound) or _known(t.object, bound)),
                     None)
        if ready is None:
            raise _TooCostly()
        left.remove(ready)
        ordered.append(ready)
        bound |= {t for t in (ready.subject, ready.predicate, ready.object) if _is_variable(t)}
    return ordered


def _matches(triple: Triple, solution: dict, quads: Quads, work: _Work) -> list[dict]:
    terms = [solution.get(t) if _is_variable(t) else t
             for t in (triple.subject, triple.predicate, triple.object)]
    found = []
    for quad in quads(*terms, None):
        work.take(1)
        extended = dict(solution)
        values = (quad.subject, quad.predicate, quad.object)
        if all(_bind(extended, t, v) for t, v in zip((triple.subject, triple.predicate,
                                                      triple.object), values)):
            found.append(extended)
    return found


def _bind(solution: dict, term, value) -> bool:
    if not _is_variable(term):
        return True
    if term in solution:
        return solution[term] == value   # the same variable twice in a triple
    solution[term] = value
    return True


def _known(term, bound: set[str]) -> bool:
    return not _is_variable(term) or term in bound


def _is_variable(term) -> bool:
    return isinstance(term, str)
