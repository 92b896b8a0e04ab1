"""A build's manifest: what the build made (version, base, counts, graphs, dumps, shapes, its
validation report) and the
settings it was made with. The server takes them from here, never from its own configuration.

On this machine the manifest is the build directory's `build.json`; in a remote store, the JSON
of the publication graph that `territoires publish` writes last (see remote.py).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

FILE = "build.json"
SHAPES_FILE = "shapes.nt"    # the shapes the build validated with, served at shapes/territoires
VALIDATION_FILE = "validation.nt"   # its SHACL report and DQV summary, served at validation

class ManifestError(ValueError):
    """A manifest that cannot be read: the message names where it came from."""


@dataclass(frozen=True)
class Manifest:
    version: str                 # first 16 hex digits of the SHA-256 of the sorted N-Quads
    base_uri: str                # the base every IRI of the build lives under
    quads: int = 0
    triples: int = 0
    graphs: dict[str, int] = field(default_factory=dict)    # named graph → triples
    dumps: dict[str, dict] = field(default_factory=dict)    # kind → {"file", "bytes"}
    default_graph: str = ""      # "union": the store's default graph holds the union
    shapes: str = ""             # the build directory's copy of the shapes (SHAPES_FILE)
    validation: str = ""         # the build's validation report (VALIDATION_FILE)
    timings: dict[str, float] = field(default_factory=dict)
    published_at: float = 0.0    # seconds since the epoch (a remote publication records it)
    # The catalogue's contact point, as the build was configured: {"name", "email", "url"}.
    contact_point: dict[str, str] = field(default_factory=dict)

    @property
    def union_materialized(self) -> bool:
        """Whether the store's default graph holds the union of the named graphs (builds since
        the union was materialized say so; see `writer.load_store`)."""
        return self.default_graph == "union"

    def to_json(self) -> str:
        values = asdict(self)
        if not self.published_at:
            del values["published_at"]   # a local build's date is its file's
        return json.dumps(values, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str) -> "Manifest":
        try:
            values = json.loads(text)
            known = {name for name in cls.__dataclass_fields__}
            return cls(**{k: v for k, v in values.items() if k in known})
        except (ValueError, TypeError) as error:
            raise ManifestError(f"{where}: not a build manifest ({error})") from None

    @classmethod
    def read(cls, build_dir: Path) -> "Manifest":
        """The manifest of the build in `build_dir`, dated by its file."""
        path = build_dir / FILE
        manifest = cls.from_json(path.read_text(encoding="utf-8"), str(path))
        if manifest.published_at:
            return manifest
        return replace(manifest, published_at=path.stat().st_mtime)

    def write(self, build_dir: Path) -> None:
        (build_dir / FILE).write_text(self.to_json(), encoding="utf-8")

    @property
    def modified(self) -> str:
        """When the build was published, as an xsd:dateTime (UTC, seconds)."""
        return datetime.fromtimestamp(self.published_at, timezone.utc).replace(
            microsecond=0).isoformat()
