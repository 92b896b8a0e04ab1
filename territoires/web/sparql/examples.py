"""The example queries of `examples/*.rq` (settings.examples_dir), as the home page and the query
page offer them: each file's `# title:` and `# title-en:`, its description comments, and its
query, whose `BASE` line is replaced by the base of the build served."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    title_en: str
    description: list[str]
    query: str


def read_example(path: Path, base: str) -> Example:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line[1:].strip() for line in lines if line.startswith("#")]
    fields = {k.strip(): v.strip() for k, _, v in (h.partition(":") for h in header[:2])}
    body = [f"BASE <{base}>" if line.startswith("BASE ") else line
            for line in lines if not line.startswith("#")]
    return Example(path.stem, fields.get("title", path.stem), fields.get("title-en", ""),
                   header[2:], "\n".join(body).strip() + "\n")


def examples(directory: Path, base: str) -> list[Example]:
    return [read_example(path, base) for path in sorted(directory.glob("*.rq"))]
