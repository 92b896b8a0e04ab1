"""What a query costs, read from its tokens (guard.py tokenises it) in one pass: how big it is
(terms, operators, graph patterns), for the guard's bounds, and whether it looks heavy, for the
executor lanes (store/executor.py).

Why sizes and not only nesting: the engine's parser and planner recurse once per operator of a
flat chain too (`1+1+…`, `?a||?b||…`, `{…} UNION {…} UNION …`, `:p/:p/…`), and a chain of some
thousands overflows an executor's stack although its brackets are one level deep (measured with
pyoxigraph 0.5: 8,000 `+` or UNION, 16,000 `||`). The bounds stop such a query with a 400 long
before that, and no query a person writes comes near them.

Why a static guess at "heavy": a cheap query must not wait behind expensive ones, so the guard
sends what it can tell is expensive — a product of unbound patterns, an aggregate or a sort over
one, string functions nested deep (each REPLACE may double its input) — to the heavy lane at
once; the light lane's short budget catches what the guess misses. The guess errs either way
without harm: a wrong "heavy" only queues a query with the expensive ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Inside a word token (the guard's tokeniser keeps operators and names together), the parts:
# operators, numbers, and names, which the parser reads greedily (`ti:code-insee` is one name).
_WORD_PART = re.compile(r"""
    (?P<op>\|\||&&|!=|<=|>=|[-+*/!=|^<>])
  | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<dot>\.)
  | (?P<name>[^-+*/!=|^<>.\s][^+*/!=|^<>\s]*)
""", re.VERBOSE)

# Keywords that open a graph pattern or a constraint of their own (each `{` counts as well).
PATTERN_KEYWORDS = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "VALUES", "GRAPH", "SERVICE",
                    "EXISTS"}
KEYWORDS = PATTERN_KEYWORDS | {
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "PREFIX", "BASE", "FROM", "NAMED",
    "DISTINCT", "REDUCED", "AS", "GROUP", "ORDER", "BY", "HAVING", "LIMIT", "OFFSET", "ASC",
    "DESC", "NOT", "IN", "SILENT", "UNDEF", "A"}
# Aggregates and solution modifiers that read every solution before the first answer.
WHOLE_READERS = {"COUNT", "SUM", "AVG", "MIN", "MAX", "GROUP_CONCAT", "SAMPLE", "GROUP", "ORDER",
                 "DISTINCT"}
# String functions whose output may be much longer than their input, or costly to compute.
GROWING = {"REPLACE", "REGEX", "CONCAT", "STRBEFORE", "STRAFTER", "SUBSTR", "UCASE", "LCASE",
           "ENCODE_FOR_URI", "GROUP_CONCAT"}
HEAVY_NESTING = 3    # string functions nested this deep make a query heavy


@dataclass(frozen=True)
class Size:
    terms: int        # variables, IRIs, literals, prefixed names
    operators: int    # arithmetic, logical, comparison and property-path operators
    patterns: int     # groups, UNION / OPTIONAL / MINUS / FILTER / BIND …, triple separators


@dataclass(frozen=True)
class Cost:
    size: Size
    heavy: str        # why the query looks expensive ("" when it does not)


def estimate(tokens) -> Cost:
    """Size and heaviness of a query from its tokens (objects with `kind` and `text`, blanks and
    comments left out)."""
    return Cost(measure(tokens), _heavy(tokens))


def measure(tokens) -> Size:
    terms = operators = patterns = 0
    for token in tokens:
        if token.kind in ("var", "iri", "string"):
            terms += 1
        elif token.kind == "open":
            patterns += token.text == "{"
        elif token.kind == "other":
            operators += token.text in "<>"
            patterns += token.text == ";"
        elif token.kind == "word":
            t, o, p = _word_size(token.text)
            terms, operators, patterns = terms + t, operators + o, patterns + p
    return Size(terms, operators, patterns)


def _word_size(text: str) -> tuple[int, int, int]:
    terms = operators = patterns = 0
    for part in _WORD_PART.finditer(text):
        kind = part.lastgroup
        if kind == "op":
            operators += 1
        elif kind == "dot":
            patterns += 1
        elif kind == "number" or part.group().upper() not in KEYWORDS:
            terms += 1
        elif part.group().upper() in PATTERN_KEYWORDS:
            patterns += 1
    return terms, operators, patterns


def _heavy(tokens) -> str:
    unbound = _unbound_patterns(tokens)
    if unbound >= 2:
        return f"{unbound} triple patterns of variables only (a product of the whole graph)"
    if unbound and (reader := _whole_reader(tokens)):
        return f"{reader} over a triple pattern of variables only"
    if (depth := _growing_depth(tokens)) >= HEAVY_NESTING:
        return f"string functions nested {depth} deep"
    return ""


def _unbound_patterns(tokens) -> int:
    """Triple patterns of three variables (`?s ?p ?o`), each of which reads the whole graph:
    three variables where a triple may start inside a group (after `{`, `}` or a `.`), none of
    them given its values by a VALUES block."""
    given = _values_variables(tokens)
    found, braces = 0, 0
    for position, token in enumerate(tokens):
        if token.text in ("{", "}"):
            braces += 1 if token.text == "{" else -1
        starts = token.text in ("{", "}") or (token.kind == "word" and token.text.endswith("."))
        triple = tokens[position + 1:position + 4]
        if starts and braces > 0 and len(triple) == 3 and \
                all(t.kind == "var" and t.text[1:] not in given for t in triple):
            found += 1
    return found


def _values_variables(tokens) -> set[str]:
    given, listing = set(), False
    for token in tokens:
        if token.kind == "word" and token.text.upper() == "VALUES":
            listing = True
        elif listing and token.kind == "var":
            given.add(token.text[1:])
        elif token.text == "{":
            listing = False
    return given


def _whole_reader(tokens) -> str:
    return next((t.text.upper() for t in tokens
                 if t.kind == "word" and t.text.upper() in WHOLE_READERS), "")


def _growing_depth(tokens) -> int:
    """How deep string functions that may grow their input are nested in one another."""
    stack: list[bool] = []     # per open bracket: whether it is such a function's call
    depth = deepest = 0
    previous = None
    for token in tokens:
        if token.kind == "open":
            growing = (token.text == "(" and previous is not None and previous.kind == "word"
                       and previous.text.upper() in GROWING)
            stack.append(growing)
            depth += growing
            deepest = max(deepest, depth)
        elif token.kind == "close" and stack:
            depth -= stack.pop()
        previous = token
    return deepest
