"""Lexical checks on a SPARQL query before any engine sees it.

Oxigraph is given a query in an executor process (see executor.py), or in the web worker when
its cost is known to be small (cheap.py, store/bounded.py), but some dangers
must be stopped before that: a `SERVICE` call makes the engine fetch a URL of the caller's choice,
and a very deep nesting overflows the parser's stack. These checks need no parser: a tokenizer
that knows where strings, IRIs and comments are is enough, as long as it errs on the side of
seeing a keyword where the real parser might see one.

Oxigraph's parser matches keywords case-insensitively with no word boundary (`trueSERVICE<x>{}`
parses as `true` then `SERVICE <x> {}`; `SERVICESILENT:x {}` is a SERVICE too), so any code word
containing "service" counts, except in a variable name or the local part of a prefixed name, which
the parser reads greedily. A `<` after an operand may be less-than rather than the start of an IRI:
then an "IRI" holding a `)` may hide code that goes on after the expression, so its inside is
scanned as code as well.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from ...store.bounded import Group
from . import cheap, cost

MAX_DEPTH = 64

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                   "WITH"}

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_TOKEN = re.compile(rf"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
              | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              | '(?:[^'\\\r\n]|\\.)*'
              | "(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]*)
  | (?P<word>(?:[^\s#'"<>(){{}}\[\],;?$\\]|\\.)+)
  | (?P<open>[({{\[])
  | (?P<close>[)}}\]])
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

# Tokens after which `<` can be the less-than operator rather than an IRI.
_OPERAND_KINDS = {"var", "string", "iri", "word", "close"}


class Refused(Exception):
    """The query is refused before evaluation; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Inspection:
    services: tuple[str | None, ...]   # SERVICE endpoints, resolved; None when not an IRI
    has_from: bool                     # FROM / FROM NAMED: the query chooses its own dataset
    form: str = ""                     # results (SELECT, ASK), graph (CONSTRUCT, DESCRIBE), or ""
    heavy: str = ""                    # why it looks expensive (cost.py), "" when it does not
    shape: Group | None = None         # its patterns, when simple enough to be cheap (cheap.py)


@dataclass(frozen=True)
class Bounds:
    """How big a query may be (cost.Size), besides its length and nesting."""
    terms: int = 20_000
    operators: int = 1_000
    patterns: int = 500


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def inspect(query: str, max_length: int, max_depth: int = MAX_DEPTH,
            bounds: Bounds = Bounds()) -> Inspection:
    """Refuse what must never reach the engine; report what the caller must still decide on."""
    if len(query) > max_length:
        raise Refused(413, f"the query is {len(query):,} characters long; the limit is "
                           f"{max_length:,}")
    every = list(_tokens(query))
    tokens = [t for t in every if t.kind not in ("ws", "comment")]
    _check_depth(tokens, max_depth)
    _check_not_update(tokens)
    estimate = cost.estimate(tokens)
    _check_size(estimate.size, bounds)
    return Inspection(services=tuple(_services(tokens)),
                      has_from=any(t.kind == "word" and t.text.upper() == "FROM" for t in tokens),
                      form=_form(tokens), heavy=estimate.heavy,
                      shape=None if estimate.heavy else cheap.shape(every))


def check_services(inspection: Inspection, allowlist: tuple[str, ...],
                   resolve: Callable[[str], list[str]] | None = None,
                   allow_local: bool = False) -> None:
    """Every SERVICE must name an allow-listed endpoint whose host has only public addresses
    (`allow_local`, for development and tests, lifts the address rule, not the allow-list)."""
    for endpoint in inspection.services:
        if endpoint is None:
            raise Refused(403, "SERVICE is only allowed with a literal endpoint IRI "
                               "(not a variable, nor the word 'service' outside an IRI)")
        if endpoint not in allowlist:
            allowed = ", ".join(allowlist) if allowlist else "none"
            raise Refused(403, f"SERVICE <{endpoint}> is not allowed: this endpoint makes no "
                               f"outbound request except to its allow-list ({allowed})")
        if not allow_local:
            _check_public(endpoint, resolve or _resolve)


def _tokens(query: str):
    for match in _TOKEN.finditer(query):
        yield _Token(match.lastgroup, match.group())


def _check_depth(tokens: list[_Token], max_depth: int) -> None:
    depth = 0
    for token in tokens:
        if token.kind == "open":
            depth += 1
            if depth > max_depth:
                raise Refused(400, f"the query is nested too deep (more than {max_depth} "
                                   f"levels of brackets)")
        elif token.kind == "close":
            depth -= 1


def _check_size(size: cost.Size, bounds: Bounds) -> None:
    for name in ("terms", "operators", "patterns"):
        found, limit = getattr(size, name), getattr(bounds, name)
        if found > limit:
            what = "graph patterns" if name == "patterns" else name
            raise Refused(400, f"the query is too complex: it has {found:,} {what}; this "
                               f"endpoint accepts at most {limit:,} (split it, or download the "
                               f"dumps)")


def _check_not_update(tokens: list[_Token]) -> None:
    """An update sent as a query would only get the parser's puzzling 'expected SELECT'."""
    keyword = next((t.text.upper() for t in _after_prologue(tokens)), "")
    if keyword in UPDATE_KEYWORDS:
        raise Refused(403, f"this endpoint is read-only: SPARQL Update ({keyword}) is not "
                           f"accepted")


def _form(tokens: list[_Token]) -> str:
    """Which kind of answer the query has, from its first keyword (the parser has the last word)."""
    keyword = next((t.text.upper() for t in _after_prologue(tokens)), "")
    return {"SELECT": "results", "ASK": "results", "CONSTRUCT": "graph",
            "DESCRIBE": "graph"}.get(keyword, "")


def _after_prologue(tokens: list[_Token]):
    """The tokens after the PREFIX and BASE declarations."""
    position = 0
    while position < len(tokens) and tokens[position].text.upper() in ("PREFIX", "BASE"):
        position += 3 if tokens[position].text.upper() == "PREFIX" else 2
    return iter(tokens[position:])


def _services(tokens: list[_Token]):
    """The endpoint of every SERVICE (None when it cannot be told lexically)."""
    prefixes: dict[str, str] = {}
    base = ""
    previous: _Token | None = None
    for position, token in enumerate(tokens):
        if token.kind == "iri" and _maybe_code(token, previous, tokens, position):
            if any(_says_service(t) for t in _tokens(token.text[1:-1])):
                yield None
        elif _says_service(token):
            yield _endpoint(token, tokens[position + 1:], prefixes, base)
        elif token.text.upper() == "BASE" and _next_is(tokens, position, "iri"):
            base = urljoin(base, _iri(tokens[position + 1]))
        elif token.text.upper() == "PREFIX" and _next_is(tokens, position + 1, "iri"):
            prefixes[tokens[position + 1].text] = urljoin(base, _iri(tokens[position + 2]))
        previous = token


def _says_service(token: _Token) -> bool:
    if token.kind != "word":
        return False
    # The parser reads a prefixed name's local part greedily: only its prefix can be a keyword.
    name = token.text.split(":", 1)[0] if ":" in token.text else token.text
    return "service" in name.lower()


def _maybe_code(iri: _Token, previous: _Token | None, tokens: list[_Token], position: int) -> bool:
    """Whether `<...>` may be `less-than ... greater-than` reaching out of its expression: it
    follows an operand and holds a `)` (operators only occur inside brackets)."""
    if ")" not in iri.text or previous is None or previous.kind not in _OPERAND_KINDS:
        return False
    # In a prefix declaration, the prefixed name before the IRI is never an operand.
    return not (position >= 2 and tokens[position - 2].text.upper() == "PREFIX")


def _next_is(tokens: list[_Token], position: int, kind: str) -> bool:
    return position + 1 < len(tokens) and tokens[position + 1].kind == kind


def _endpoint(keyword: _Token, rest: list[_Token], prefixes: dict[str, str],
              base: str) -> str | None:
    if keyword.text.upper() != "SERVICE":
        return None
    if rest and rest[0].text.upper() == "SILENT":
        rest = rest[1:]
    if not rest:
        return None
    if rest[0].kind == "iri":
        return urljoin(base, _iri(rest[0]))
    prefix, colon, local = rest[0].text.partition(":")
    if rest[0].kind == "word" and colon and prefix + ":" in prefixes:
        return prefixes[prefix + ":"] + re.sub(r"\\(.)", r"\1", local)
    return None


def _iri(token: _Token) -> str:
    """An IRI token's text, with the \\u escapes the parser also decodes."""
    return re.sub(_UCHAR, lambda m: chr(int(m.group()[2:], 16)), token.text[1:-1])


def _resolve(host: str) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, None)]


def _check_public(endpoint: str, resolve: Callable[[str], list[str]]) -> None:
    """Never to loopback, link-local, private or reserved addresses, whatever the allow-list says."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(403, f"SERVICE <{endpoint}> is not an http(s) URL")
    try:
        addresses = resolve(parts.hostname)
    except OSError as error:
        raise Refused(403, f"SERVICE <{endpoint}>: its host does not resolve ({error})") from None
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise Refused(403, f"SERVICE <{endpoint}> is refused: {parts.hostname} has the "
                               f"non-public address {address}")
    if not addresses:
        raise Refused(403, f"SERVICE <{endpoint}>: its host has no address")
