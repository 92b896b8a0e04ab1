"""Configuration in one place: defaults, overridden by environment variables, overridden by the
command line. Every part of the project reads its settings from a `Settings` object."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ENV_PREFIX = "TERRITOIRES_"
# An executor maps about 420 MiB at rest (peak 510 MiB at start-up, measured on the test build):
# a cap below this would leave no room for any query.
MIN_EXECUTOR_MEMORY_MIB = 768


@dataclass(frozen=True)
class Settings:
    # Canonical base of every IRI the project mints; the server maps any host onto it.
    base_uri: str = "https://data.example.fr/"
    # Inputs.
    data_dir: Path = ROOT / "data"
    ontology_dir: Path = ROOT / "ontology"
    shapes_dir: Path = ROOT / "shapes"
    examples_dir: Path = ROOT / "examples"
    # Published output: `output_dir/current` is a symlink to the live build.
    output_dir: Path = ROOT / "output"
    # The catalogue's contact point (DCAT dcat:contactPoint, a vCard), a build setting recorded
    # in the build's manifest: a name, and an e-mail address and/or a web page to write from.
    contact_point_name: str = "Projet territoires"
    contact_point_email: str = ""
    contact_point_url: str = ""
    # Published builds kept as dataset versions, with their changes (versions.py; at least the
    # live build and the one before it are kept).
    versions_kept: int = 5
    # Server.
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 64           # per worker; most wait on I/O or on a query executor
    query_timeout: float = 30.0
    max_query_length: int = 100_000
    max_body_bytes: int = 1_000_000
    max_result_bytes: int = 64 * 1024 * 1024
    query_executors: int = 2     # per worker: processes that run SPARQL queries
    result_cache_bytes: int = 64 * 1024 * 1024  # per worker: complete /sparql answers (0: none)
    # Per worker: whole GET responses (documents, redirects, /sparql answers) replayed before
    # Flask runs (0: none); see web/caching/responses.py.
    response_cache_bytes: int = 32 * 1024 * 1024
    # Where workers share the responses they keep (each writes up to 4 × response_cache_bytes),
    # so a document is rendered once per version, not once per worker; `territoires serve` makes
    # a private one when empty.
    response_cache_dir: str = ""
    # A response is written there only if rendering it took at least this much CPU time: a
    # file costs a fraction of a millisecond, more than rendering a small document again, and
    # a crawler asks for each document once.
    response_share_cpu_ms: float = 3.0
    # How long caches in front may keep answers (web/caching/policy.py): answers made from the
    # build, SPARQL and lookup answers, and how long a stale one may still be served.
    cache_max_age: int = 300
    cache_sparql_max_age: int = 60
    cache_stale_while_revalidate: int = 60
    cache_stale_if_error: int = 86400
    proxy_hops: int = 0          # reverse proxies in front whose X-Forwarded-* headers to trust
    store_url: str = ""          # a remote SPARQL endpoint instead of the embedded store
    service_allowlist: tuple[str, ...] = field(default_factory=tuple)
    # Development and tests only: let allow-listed SERVICE endpoints be on loopback or private
    # addresses (a public deployment never needs it: Wikidata and Insee are public hosts).
    service_allow_local: bool = False
    # The SPARQL guard's bounds on a query's size (web/sparql/cost.py): a flat chain of
    # thousands of operators or patterns overflows an executor's stack, nesting or not.
    max_query_terms: int = 20_000
    max_query_operators: int = 1_000
    max_query_patterns: int = 500
    # Per query executor: its address-space cap (RLIMIT_AS, MiB; 0: none), which must leave
    # room for what it maps at rest (about 420 MiB on the test build, libraries and store); a
    # query that needs more is answered 503 and its executor replaced.
    executor_memory_mib: int = 1536
    # Per worker, besides the `query_executors` (the heavy lane, store/executor.py): executors
    # reserved for queries the guard does not expect to be expensive, how long such a query may
    # run there before it moves to the heavy lane (s), and how many queries may wait for the
    # heavy lane before more are refused at once (503 with Retry-After).
    light_executors: int = 1
    light_query_budget: float = 0.5
    heavy_queue: int = 8
    # The names of the settings given explicitly (environment, command line), not defaults: a
    # build-time setting given to the server must agree with the build it serves.
    given: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.base_uri.endswith("/"):
            object.__setattr__(self, "base_uri", self.base_uri + "/")
        email, url = self.contact_point_email, self.contact_point_url
        if email and not re.fullmatch(r"[^@\s<>:]+@[^@\s<>]+\.[^@\s<>]+", email):
            raise ValueError(f"contact_point_email ({ENV_PREFIX}CONTACT_POINT_EMAIL): not an "
                             f"e-mail address: {email[:100]!r}")
        if url and not re.fullmatch(r"https?://[^\s<>\"]+", url):
            raise ValueError(f"contact_point_url ({ENV_PREFIX}CONTACT_POINT_URL): not an http(s) "
                             f"URL: {url[:100]!r}")
        _check_positive(self, "max_query_terms", "max_query_operators", "max_query_patterns",
                        "query_executors", "light_query_budget")
        _check_positive(self, "light_executors", "heavy_queue", zero=True)
        if self.executor_memory_mib and self.executor_memory_mib < MIN_EXECUTOR_MEMORY_MIB:
            raise ValueError(f"executor_memory_mib ({ENV_PREFIX}EXECUTOR_MEMORY_MIB): at least "
                             f"{MIN_EXECUTOR_MEMORY_MIB} (an executor maps its store and "
                             f"libraries), or 0 for no cap; not {self.executor_memory_mib}")

    def contact_point(self) -> dict[str, str]:
        """The contact point the build records: its name, e-mail and web page (when given)."""
        found = {"name": self.contact_point_name, "email": self.contact_point_email,
                 "url": self.contact_point_url}
        return {key: value for key, value in found.items() if value}

    @property
    def current_build(self) -> Path:
        return self.output_dir / "current"

    def override(self, **values) -> "Settings":
        """A copy with the given non-None values (the command line's way in), recorded as given."""
        given = {k: v for k, v in values.items() if v is not None}
        return replace(self, **{k: _coerce(k, v) for k, v in given.items()},
                       given=self.given | given.keys())


def _check_positive(settings: Settings, *names: str, zero: bool = False) -> None:
    for name in names:
        value = getattr(settings, name)
        if not isinstance(value, (int, float)) or value < 0 or (value == 0 and not zero):
            raise ValueError(f"{name} ({ENV_PREFIX}{name.upper()}): must be a "
                             f"{'non-negative' if zero else 'positive'} number, not {value!r}")


def _coerce(name: str, value):
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind in ("Path",):
        return Path(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
    if kind.startswith("tuple"):
        return tuple(v for v in (value.split(",") if isinstance(value, str) else value) if v)
    return value


def from_environment(environ=os.environ) -> Settings:
    """Settings from `TERRITOIRES_*` variables, e.g. TERRITOIRES_BASE_URI, TERRITOIRES_PORT."""
    values = {}
    for f in fields(Settings):
        if f.name == "given":
            continue
        raw = environ.get(ENV_PREFIX + f.name.upper())
        if raw is not None:
            values[f.name] = raw
    return Settings().override(**values)
