"""Generate the regular expression that accepts exactly the 9-digit strings passing the Luhn check
(SIREN numbers), for the `sh:pattern` of the SIREN shape in `shapes/territoires.ttl`.

Why a regular expression: the Luhn condition on a fixed number of digits is a regular language
(a finite automaton that keeps the running sum modulo 10), so SHACL Core's `sh:pattern` can check
it. pyshacl evaluates `sh:pattern` with a compiled regex per value, which is orders of magnitude
faster than a SPARQL-based constraint evaluated once per focus node (see the timings in the
module's `__main__` and in the project report).

How: the language "digits d1..dn whose Luhn contributions sum to t (mod m)" is split in two halves,
"first half sums to a, second half sums to t - a", for every a (divide and conquer, sizes chosen by
dynamic programming). A single digit position is a character class. The generated expression uses
only `^ $ (?: | ) [ ]` (no look-around, no back-reference), so its syntax is also that of XPath
regular expressions; it is about 45 kB long, though, and engines that cap the compiled size of a
regex (Oxigraph's SPARQL REGEX does) refuse it: it is meant for the SHACL validator (pyshacl).

Timings (`--bench`, pyshacl 0.40 / rdflib 7.6, one core; 37,000 nodes, 5 with a wrong key; all
report the right focus nodes and values):
    pattern (sh:pattern on a property shape with its own target)        1.2 s
    pattern-nested (same, as sh:property of a targeted node shape)      2.7 s
    sparql-target (SHACL-AF sh:SPARQLTarget selects the failing nodes)  165 s
    sparql-per-node (sh:sparql SPARQLConstraint, one query per node)    ~8,000 s (833 s for 3,700)

Usage:  python shapes/luhn_regex.py          # print the pattern
        python shapes/luhn_regex.py --check  # check it against an exhaustive reference sample
        python shapes/luhn_regex.py --turtle # print it escaped for a Turtle string literal
        python shapes/luhn_regex.py --bench [N]  # time the alternatives with pyshacl on N nodes
"""

from __future__ import annotations

import functools
import random
import re
import sys

LENGTH = 9  # a SIREN has 9 digits, the last one being the Luhn check digit
MODULUS = 10


def contribution(position_from_right: int, digit: int) -> int:
    """Luhn contribution of a digit; positions count from 1 at the right (the check digit)."""
    if position_from_right % 2 == 0:
        doubled = digit * 2
        return doubled - 9 if doubled > 9 else doubled
    return digit


def luhn_valid(value: str) -> bool:
    """Reference implementation: a string of exactly 9 ASCII digits whose Luhn sum is 0 mod 10."""
    if len(value) != LENGTH or not all("0" <= c <= "9" for c in value):
        return False
    total = sum(contribution(i, int(c)) for i, c in enumerate(reversed(value), start=1))
    return total % MODULUS == 0


def _class(digits: list[int]) -> str:
    if len(digits) == 1:
        return str(digits[0])
    if len(digits) == 10:
        return "[0-9]"
    return "[" + "".join(str(d) for d in digits) + "]"


@functools.lru_cache(maxsize=None)
def _segment(start: int, end: int, target: int) -> str:
    """Regex for digits at left-to-right positions [start, end) whose contributions sum to target."""
    if end - start == 1:
        position_from_right = LENGTH - start
        digits = [d for d in range(10) if contribution(position_from_right, d) % MODULUS == target]
        return _class(digits)
    best = None
    for middle in range(start + 1, end):
        parts = [_segment(start, middle, a) + _segment(middle, end, (target - a) % MODULUS)
                 for a in range(MODULUS)]
        candidate = "(?:" + "|".join(parts) + ")"
        if best is None or len(candidate) < len(best):
            best = candidate
    return best


def pattern() -> str:
    """The anchored pattern accepting exactly the Luhn-valid 9-digit strings."""
    return "^" + _segment(0, LENGTH, 0) + "$"


def turtle_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check(samples: int = 200_000, seed: int = 7) -> None:
    compiled = re.compile(pattern())
    rng = random.Random(seed)
    values = [f"{rng.randrange(10 ** LENGTH):0{LENGTH}d}" for _ in range(samples)]
    # every 8-digit prefix with all 10 possible check digits, for a few thousand prefixes
    for _ in range(2_000):
        prefix = f"{rng.randrange(10 ** (LENGTH - 1)):0{LENGTH - 1}d}"
        values.extend(prefix + str(d) for d in range(10))
    values += ["", "24250036", "2425003610", "24250036A", " 242500361", "242500361 ", "２４２５００３６１"]
    for value in values:
        assert bool(compiled.search(value)) == luhn_valid(value), value
    print(f"ok: {len(values)} values agree with the reference Luhn check; pattern length {len(pattern())}")



# ------------------------------------------------------------------------------------------------
# Benchmark of the ways to check the Luhn key with pyshacl (python shapes/luhn_regex.py --bench)
# ------------------------------------------------------------------------------------------------

_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ti: <http://bench.example/def/territoires#> .
@prefix tish: <http://bench.example/shapes#> .
"""

# Luhn sum of ?v in SPARQL 1.1 (digits 1, 3, 5, 7, 9 counted once; 2, 4, 6, 8 doubled, minus 9 if > 9).
_SPARQL_SUM = " + ".join(
    f"xsd:integer(SUBSTR(?v, {i}, 1))" if i % 2 == 1 else
    f"(2 * xsd:integer(SUBSTR(?v, {i}, 1)) - IF(xsd:integer(SUBSTR(?v, {i}, 1)) > 4, 9, 0))"
    for i in range(1, LENGTH + 1))
_SPARQL_BAD = f'(!REGEX(?v, "^[0-9]{{9}}$") || ({_SPARQL_SUM}) - 10 * FLOOR(({_SPARQL_SUM}) / 10) != 0)'


def _bench_shapes(kind: str) -> str:
    message = 'sh:message "cle de Luhn fausse"@fr , "wrong Luhn key"@en'
    if kind == "pattern":
        return _PREFIXES + f"""
tish:Luhn a sh:PropertyShape ; sh:targetSubjectsOf ti:siren ; sh:path ti:siren ;
    sh:pattern {turtle_literal(pattern())} ; {message} ."""
    if kind == "pattern-nested":  # the same check, but as sh:property of a node shape
        return _PREFIXES + f"""
tish:Node a sh:NodeShape ; sh:targetSubjectsOf ti:siren ; sh:property tish:Luhn .
tish:Luhn a sh:PropertyShape ; sh:path ti:siren ;
    sh:pattern {turtle_literal(pattern())} ; {message} ."""
    if kind == "sparql-per-node":
        return _PREFIXES + f"""
tish:Luhn a sh:NodeShape ; sh:targetSubjectsOf ti:siren ;
    sh:sparql [ a sh:SPARQLConstraint ; {message} ;
        sh:prefixes [ sh:declare [ sh:prefix "ti" ; sh:namespace "http://bench.example/def/territoires#"^^xsd:anyURI ] ,
                                 [ sh:prefix "xsd" ; sh:namespace "http://www.w3.org/2001/XMLSchema#"^^xsd:anyURI ] ] ;
        sh:select \"\"\"SELECT $this ?value WHERE {{ $this ti:siren ?v . BIND(?v AS ?value)
            FILTER {_SPARQL_BAD} }}\"\"\" ] ."""
    if kind == "sparql-target":
        return _PREFIXES + f"""
tish:Luhn a sh:PropertyShape ; sh:path ti:siren ; sh:maxLength 0 ; {message} ;
    sh:target [ a sh:SPARQLTarget ;
        sh:prefixes [ sh:declare [ sh:prefix "ti" ; sh:namespace "http://bench.example/def/territoires#"^^xsd:anyURI ] ,
                                 [ sh:prefix "xsd" ; sh:namespace "http://www.w3.org/2001/XMLSchema#"^^xsd:anyURI ] ] ;
        sh:select \"\"\"SELECT ?this WHERE {{ ?this ti:siren ?v . FILTER {_SPARQL_BAD} }}\"\"\" ] ."""
    raise ValueError(kind)


def bench(nodes: int = 37_000, invalid: int = 5, kinds: list[str] | None = None) -> None:
    import time

    import pyshacl
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import SH

    ti = Namespace("http://bench.example/def/territoires#")
    rng = random.Random(42)
    data = Graph()
    bad = set()
    for i in range(nodes):
        prefix = f"{rng.randrange(10 ** 8):08d}"
        good = next(prefix + str(d) for d in range(10) if luhn_valid(prefix + str(d)))
        value = good if i % (nodes // invalid) else good[:-1] + str((int(good[-1]) + 1) % 10)
        if value != good:
            bad.add(URIRef(f"http://bench.example/id/epci/{i}"))
        data.add((URIRef(f"http://bench.example/id/epci/{i}"), ti.siren, Literal(value)))
    print(f"{nodes} nodes with a SIREN, {len(bad)} of them with a wrong key")
    # sparql-per-node only when asked: it takes about 0.2 s per node
    for kind in kinds or ["pattern", "pattern-nested", "sparql-target"]:
        shapes = Graph().parse(data=_bench_shapes(kind), format="turtle")
        started = time.perf_counter()
        conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
        elapsed = time.perf_counter() - started
        found = set(report.objects(None, SH.focusNode))
        values = list(report.objects(None, SH.value))
        paths = list(report.objects(None, SH.resultPath))
        ok = "right" if found == bad else f"WRONG ({len(found)} reported)"
        print(f"{kind:16} {elapsed:7.2f} s   {ok} focus nodes, {len(values)} values, {len(paths)} paths")


if __name__ == "__main__":
    if "--check" in sys.argv:
        check()
    elif "--bench" in sys.argv:
        rest = [a for a in sys.argv[1:] if a != "--bench"]
        bench(int(rest[0]) if rest and rest[0].isdigit() else 37_000,
              kinds=[a for a in rest if not a.isdigit()] or None)
    elif "--turtle" in sys.argv:
        print(turtle_literal(pattern()))
    else:
        print(pattern())
