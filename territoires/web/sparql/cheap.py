"""The shape of a query that may be answered in the web worker (store/bounded.py decides, from
the store's indexes, whether it is small enough): read from the guard's tokens, without a parser
of the whole language.

Only a small part of SPARQL is read: a prologue of PREFIX and BASE; the SELECT form with
DISTINCT, REDUCED, variables or `*`, ASK or CONSTRUCT (a template of triples, or the short
`CONSTRUCT WHERE`); a WHERE group of triples (with `;`, `,` and `a`), OPTIONAL groups, nested
groups and UNION; then ORDER BY
variables, LIMIT and OFFSET. Terms are variables, IRIs, prefixed names, plain, language-tagged or
typed strings without escapes, integers and booleans. Anything else — FILTER, BIND, VALUES,
functions, property paths, sub-queries, GRAPH, SERVICE, FROM, blank nodes, escapes, DESCRIBE —
gives None, and the query goes to an executor as before: this reader must never see less than the
engine would do, so it refuses rather than guesses (the engine still parses the query itself).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pyoxigraph as ox

from ...store.bounded import Group, Triple

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
MAX_TOKENS = 800   # a lookup is some tens (blanks included); past this, not worth reading
BUDGET = 256       # quads visited and solutions joined (store/bounded.py): well under 1 ms
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*)?:([\w-][\w.-]*)?$")
_LANGUAGE = re.compile(r"@[A-Za-z]+(-[A-Za-z0-9]+)*$")
_INTEGER = re.compile(r"[+-]?[0-9]+$")


class _NotCheap(Exception):
    pass


def shape(tokens) -> Group | None:
    """The WHERE group of a query in the part of SPARQL this module reads, else None. `tokens`:
    all the guard's tokens, blanks and comments included (they separate what must be apart)."""
    if len(tokens) > MAX_TOKENS or _glued(tokens):
        return None
    tokens = [t for t in tokens if t.kind not in ("ws", "comment")]
    try:
        return _Reader(tokens).query()
    except (_NotCheap, IndexError, ValueError):
        return None


class _Reader:
    def __init__(self, tokens):
        self.tokens = _split_dots(tokens)
        self.at = 0
        self.prefixes: dict[str, str] = {}
        self.base = ""

    # ---- the query's frame -----------------------------------------------------------------

    def query(self) -> Group:
        self._prologue()
        form = self._keyword()
        if form == "SELECT":
            self._projection()
            where = self._where()
        elif form == "ASK":
            where = self._where()
        elif form == "CONSTRUCT":
            if self._peek_keyword() == "WHERE":   # the short form: the template is the pattern
                where = self._where()
                if where.optionals or where.alternatives:
                    raise _NotCheap()
            else:
                self._template()
                where = self._where()
        else:
            raise _NotCheap()
        self._modifiers()
        if self.at != len(self.tokens):
            raise _NotCheap()
        return where

    def _prologue(self) -> None:
        while self._peek_keyword() in ("PREFIX", "BASE"):
            if self._keyword() == "BASE":
                self.base = self._iri_text(self._next("iri"))
                continue
            name = self._next("word").text
            if not name.endswith(":") or not _PREFIXED.match(name):
                raise _NotCheap()
            self.prefixes[name[:-1]] = self._iri_text(self._next("iri"))

    def _projection(self) -> None:
        if self._peek_keyword() in ("DISTINCT", "REDUCED"):
            self.at += 1
        if self._peek_text() == "*":
            self.at += 1
            return
        count = 0
        while self._peek_kind() == "var":
            self.at += 1
            count += 1
        if not count:
            raise _NotCheap()   # (expressions AS ?x), aggregates

    def _where(self) -> Group:
        if self._peek_keyword() == "WHERE":
            self.at += 1
        return self._group()

    def _template(self) -> None:
        self._expect("{")
        while self._peek_text() != "}":
            self._triples(Group())
            if self._peek_text() == ".":
                self.at += 1
        self._expect("}")

    def _modifiers(self) -> None:
        if self._peek_keyword() == "ORDER":
            self.at += 1
            if self._keyword() != "BY":
                raise _NotCheap()
            found = 0
            while True:
                if self._peek_kind() == "var":
                    self.at += 1
                elif self._peek_keyword() in ("ASC", "DESC"):
                    self.at += 1
                    self._expect("(")
                    self._next("var")
                    self._expect(")")
                else:
                    break
                found += 1
            if not found:
                raise _NotCheap()
        while self._peek_keyword() in ("LIMIT", "OFFSET"):
            self.at += 1
            if not _INTEGER.match(self._next("word").text):
                raise _NotCheap()

    # ---- graph patterns --------------------------------------------------------------------

    def _group(self) -> Group:
        self._expect("{")
        group = Group()
        while self._peek_text() != "}":
            keyword = self._peek_keyword()
            if keyword == "OPTIONAL":
                self.at += 1
                group.optionals.append(self._group())
            elif self._peek_text() == "{":
                alternatives = [self._group()]
                while self._peek_keyword() == "UNION":
                    self.at += 1
                    alternatives.append(self._group())
                group.alternatives.append(alternatives)
            else:
                self._triples(group)
            if self._peek_text() == ".":
                self.at += 1
        self._expect("}")
        return group

    def _triples(self, group: Group) -> None:
        subject = self._term()
        if isinstance(subject, ox.Literal):
            raise _NotCheap()   # the engine's syntax error, not an index's lookup
        while True:
            predicate = self._verb()
            while True:
                group.triples.append(Triple(subject, predicate, self._term()))
                if self._peek_text() != ",":
                    break
                self.at += 1
            if self._peek_text() != ";":
                return
            while self._peek_text() == ";":
                self.at += 1
            if self._peek_text() in (".", "}"):
                return

    def _verb(self):
        token = self.tokens[self.at]
        if token.kind == "word" and token.text == "a":
            self.at += 1
            return RDF_TYPE
        term = self._term()
        if isinstance(term, ox.Literal):
            raise _NotCheap()
        return term

    def _term(self):
        token = self.tokens[self.at]
        self.at += 1
        if token.kind == "var":
            if len(token.text) < 2:
                raise _NotCheap()
            return "?" + token.text[1:]
        if token.kind == "iri":
            return ox.NamedNode(self._iri_text(token))
        if token.kind == "string":
            return self._literal(token.text)
        if token.kind == "word":
            return self._word_term(token.text)
        raise _NotCheap()

    def _word_term(self, text: str):
        if text in ("true", "false"):
            return ox.Literal(text, datatype=XSD_BOOLEAN)
        if _INTEGER.match(text):
            return ox.Literal(text, datatype=XSD_INTEGER)
        return ox.NamedNode(self._prefixed(text))

    def _literal(self, text: str):
        quote = 3 if text[:3] in ('"""', "'''") else 1
        value = text[quote:-quote]
        if "\\" in value:
            raise _NotCheap()
        suffix = self._peek_text() if self._peek_kind() == "word" else ""
        if _LANGUAGE.match(suffix):
            self.at += 1
            return ox.Literal(value, language=suffix[1:].lower())
        if suffix.startswith("^^"):
            self.at += 1
            datatype = suffix[2:]
            if datatype:
                return ox.Literal(value, datatype=ox.NamedNode(self._prefixed(datatype)))
            return ox.Literal(value, datatype=ox.NamedNode(self._iri_text(self._next("iri"))))
        return ox.Literal(value)

    # ---- tokens ----------------------------------------------------------------------------

    def _prefixed(self, text: str) -> str:
        found = _PREFIXED.match(text)
        if not found or (found.group(1) or "") not in self.prefixes:
            raise _NotCheap()
        return self.prefixes[found.group(1) or ""] + (found.group(2) or "")

    def _iri_text(self, token) -> str:
        text = token.text[1:-1]
        if "\\" in text:
            raise _NotCheap()
        resolved = urljoin(self.base, text) if self.base else text
        if ":" not in resolved:
            raise _NotCheap()   # relative, with no base to resolve it against
        return resolved

    def _next(self, kind: str):
        token = self.tokens[self.at]
        if token.kind != kind:
            raise _NotCheap()
        self.at += 1
        return token

    def _expect(self, text: str) -> None:
        if self.tokens[self.at].text != text:
            raise _NotCheap()
        self.at += 1

    def _keyword(self) -> str:
        token = self._next("word")
        return token.text.upper()

    def _peek_keyword(self) -> str:
        token = self.tokens[self.at] if self.at < len(self.tokens) else None
        return token.text.upper() if token is not None and token.kind == "word" else ""

    def _peek_text(self) -> str:
        return self.tokens[self.at].text if self.at < len(self.tokens) else ""

    def _peek_kind(self) -> str:
        return self.tokens[self.at].kind if self.at < len(self.tokens) else ""


def _glued(tokens) -> bool:
    """A variable right after a name (`ti:p?o`) may be a property path's `?` to the engine."""
    return any(token.kind == "var" and previous.kind == "word"
               for previous, token in zip(tokens, tokens[1:]))


class _Token:
    def __init__(self, kind: str, text: str):
        self.kind, self.text = kind, text


def _split_dots(tokens) -> list:
    """The guard's tokeniser keeps a final `.` on a word (`ti:Commune.`); a prefixed name never
    ends with one, so it is the triples' separator."""
    split = []
    for token in tokens:
        if token.kind == "word" and len(token.text) > 1 and token.text.endswith("."):
            split += [_Token("word", token.text.rstrip(".")),
                      *(_Token("word", ".") for _ in range(len(token.text)
                                                           - len(token.text.rstrip("."))))]
        else:
            split.append(token)
    return split
