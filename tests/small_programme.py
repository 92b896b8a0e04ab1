"""The programme's official lists and outlines cut for the small sources (tests/small_data.py):
the features whose groupements are all in the cut reference, and the outlines of the kept
départements and régions. The cut's `source.ttl` says it is an excerpt (`ti:extrait`), so the
article's total of 183 territories is not compared with it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from territoires.config import ROOT
from territoires.sources import programme_lists
from territoires.sources.contours import FILES as CONTOURS

PROGRAMME = ROOT / "data" / "programme"


def _features(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()))


def _write(path: Path, document: dict) -> None:
    path.write_bytes(gzip.compress(json.dumps(document, ensure_ascii=False).encode(), mtime=0))


def seed_communes(seeds: set[tuple[int, str]], communes: dict[str, dict]) -> set[str]:
    """The current communes of the seed territories' EPT and single communes (their EPCI are
    then kept whole by the closure)."""
    ept = programme_lists.read_ept(PROGRAMME)
    by_siren = {c["siren"]: code for code, c in communes.items() if c["siren"]}
    found: set[str] = set()
    for phase in programme_lists.PHASE_FILES:
        for territory in programme_lists.read_phase(PROGRAMME, phase):
            if (phase, territory.ident) not in seeds:
                continue
            for groupement in territory.groupements:
                if groupement.siren in ept:
                    found |= set(ept[groupement.siren].communes)
                elif groupement.siren in by_siren:
                    found.add(by_siren[groupement.siren])
    return found


def _known(cut: dict[str, list[dict]]) -> set[str]:
    """SIRENs a kept territory may list: EPCI, communes, EPT whose communes are all kept."""
    communes = {c["code"] for c in cut["communes"] if c["type"] == "commune-actuelle"}
    known = {e["siren"] for e in cut["epci"]}
    known |= {c["siren"] for c in cut["communes"] if c["siren"]}
    ept = programme_lists.read_ept(PROGRAMME)
    return known | {siren for siren, e in ept.items() if set(e.communes) <= communes}


def cut(data: Path, reference: dict[str, list[dict]]) -> None:
    known = _known(reference)
    for phase, name in programme_lists.PHASE_FILES.items():
        document = _features(PROGRAMME / name)
        listed = programme_lists.read_phase(PROGRAMME, phase)
        document["features"] = [f for f, territory in zip(document["features"], listed)
                                if all(g.siren in known for g in territory.groupements)]
        _write(data / "programme" / name, document)
    codes = {"departement": {d["code"] for d in reference["departements"]},
             "region": {r["code"] for r in reference["regions"]}}
    for name, (kind, field, _) in CONTOURS.items():
        document = _features(ROOT / "data" / "contours" / name)
        document["features"] = [f for f in document["features"]
                                if f["properties"][field] in codes[kind]]
        _write(data / "contours" / name, document)
    description = data / "programme" / "source.ttl"
    description.write_text(description.read_text(encoding="utf-8").replace(
        "    pav:retrievedOn", "    ti:extrait true ;\n    pav:retrievedOn"), encoding="utf-8")
