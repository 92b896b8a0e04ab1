"""Reads the named `.rq` files of this package once, resolves their relative IRIs against a base,
and binds a list of values by a `VALUES` block (see the package's docstring)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyoxigraph as ox

Term = ox.NamedNode | ox.Literal | ox.BlankNode
Value = Term | Iterable[Term]

# Where the WHERE clause's group opens: the block of values goes first inside it.
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class UnknownQuery(LookupError):
    pass


@dataclass(frozen=True)
class Query:
    name: str           # its path under territoires/queries/, without `.rq`
    text: str
    summary: str        # the first comment line: what it answers

    @property
    def parameters(self) -> list[str]:
        """The variables a caller binds, as the file's `# Binds ?x: …; ?y: …` comment says."""
        comments = " ".join(line[1:] for line in self.text.splitlines() if line.startswith("#"))
        declared = re.search(r"Binds (.*)", comments)
        return re.findall(r"(?:^|; )\?(\w+)", declared.group(1)) if declared else []

    def values(self, bindings: dict[str, Value]) -> str:
        """The text with one `VALUES` block per binding at the top of its WHERE clause."""
        if not bindings:
            return self.text
        blocks = " ".join(f"VALUES ?{name} {{ {' '.join(map(str, terms(value)))} }}"
                          for name, value in bindings.items())
        match = _WHERE.search(_without_comments(self.text))
        if match is None:
            raise ValueError(f"query {self.name}: no WHERE clause to bind {', '.join(bindings)} in")
        return f"{self.text[:match.end()]} {blocks}\n{self.text[match.end():]}"



def with_base(text: str, base: str) -> str:
    """A query for an engine that cannot be given a base: the base declared in its text."""
    return f"BASE <{ox.NamedNode(base).value}>\n{text}"


def is_term(value: Value) -> bool:
    return isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode))


def terms(value: Value) -> list[Term]:
    """A binding's terms: one term, or an iterable of them; a bare string is refused (it could
    be an IRI or a literal: the caller says which)."""
    if is_term(value):
        return [value]
    if isinstance(value, str):
        raise TypeError("bind a term (ox.NamedNode or ox.Literal), not a string")
    listed = list(value)
    if not all(map(is_term, listed)):
        raise TypeError("bind terms (ox.NamedNode or ox.Literal)")
    return listed


def _without_comments(text: str) -> str:
    """The same text with comment lines blanked (our files keep comments on their own lines),
    so that positions stay the same."""
    return re.sub(r"(?m)^\s*#.*$", lambda m: " " * len(m.group()), text)


@cache
def get(name: str) -> Query:
    """The query `name` (e.g. "documents/own"), read from package data once."""
    path = resources.files(__package__).joinpath(*f"{name}.rq".split("/"))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnknownQuery(f"no query {name!r} in territoires/queries/") from None
    comments = [line.lstrip("# ").rstrip() for line in text.splitlines() if line.startswith("#")]
    return Query(name, text, comments[0] if comments else "")


@cache
def update(name: str) -> str:
    """The SPARQL Update `name` (e.g. "datacube/normalisation-1"), a `.ru` file of this package:
    the build's own rewrites of the graph, run on a store of the build's making, never on /sparql."""
    path = resources.files(__package__).joinpath(*f"{name}.ru".split("/"))
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnknownQuery(f"no update {name!r} in territoires/queries/") from None


def names() -> list[str]:
    """Every query of the package, by name."""
    found = []

    def walk(folder, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.name.startswith("__"):
                walk(entry, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".rq"):
                found.append(prefix + entry.name[:-3])

    walk(resources.files(__package__), "")
    return sorted(found)
