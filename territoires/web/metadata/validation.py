"""The build's validation report (`/validation`): the SHACL report it was published with,
warnings included, and its summary as DQV quality measurements (territoires/build/quality.py wrote
them into the build). RDF as stored, negotiated like VoID and DCAT; an HTML page for people;
the verdict for the home page; and the links VoID and DCAT make to it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import render_template
from rdflib import Graph, Namespace, URIRef

from ...vocabulary import formats
from ...vocabulary.namespaces import RDF, SH
from ...store import Store
from ..context import per_build
from ..answer import Described, Target
from ..hosts import HostMap

PATH = "validation"
DQV = Namespace("http://www.w3.org/ns/dqv#")   # as territoires/build/quality.py writes it
SEVERITIES = ("violations", "avertissements", "informations")


@dataclass
class Verdict:
    """What the report says, read back from its triples."""
    published: bool = False          # an older build has no report
    conforms: bool = False
    measures: dict[str, dict[str, int]] = field(default_factory=dict)   # scope → metric → n
    results: list[dict] = field(default_factory=list)

    def total(self, metric: str) -> int:
        return sum(m.get(metric, 0) for scope, m in self.measures.items() if scope == "jeu")


@per_build
def verdict(live: Store) -> Verdict:
    triples = live.validation()
    if not triples:
        return Verdict()
    about: dict[ox.Term, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        about[t.subject][t.predicate.value].append(t.object)
    report = about[ox.NamedNode(f"{live.base}{PATH}#rapport")]
    conforms = [o.value for o in report.get(str(SH.conforms), [])] == ["true"]
    measures: dict[str, dict[str, int]] = defaultdict(dict)
    for node, props in about.items():
        if ox.NamedNode(str(DQV.QualityMeasurement)) in props.get(str(RDF.type), []):
            name = props[str(DQV.isMeasurementOf)][0].value.rsplit("#", 1)[-1]
            scope = node.value.rsplit("#", 1)[-1][len(name) + 1:]
            measures[scope][name] = int(props[str(DQV.value)][0].value)
    results = [_result(about[node]) for node in report.get(str(SH.result), [])]
    results.sort(key=lambda r: (r["severity"] != "Violation", r["shape"], r["focus"]))
    return Verdict(True, conforms, dict(measures), results)


def _result(props: dict[str, list]) -> dict:
    def first(prop) -> str:
        values = props.get(str(prop), [])
        return values[0].value if values and not isinstance(values[0], ox.BlankNode) else ""
    messages = {o.language or "": o.value for o in props.get(str(SH.resultMessage), [])}
    return {"severity": first(SH.resultSeverity).rsplit("#", 1)[-1], "focus": first(SH.focusNode),
            "path": first(SH.resultPath), "value": first(SH.value),
            "shape": first(SH.sourceShape), "fr": messages.get("fr", messages.get("", "")),
            "en": messages.get("en", "")}


def quality_links(g: Graph, dataset: URIRef, live: Store) -> None:
    """What VoID and DCAT say of the report (DQV): the dataset's quality metadata is the
    `/validation` document, and its measurements over the whole dataset are listed."""
    if not verdict(live).published:
        return
    document = URIRef(f"{live.base}{PATH}")
    g.bind("dqv", DQV)
    g.add((dataset, DQV.hasQualityMetadata, document))
    g.add((document, RDF.type, DQV.QualityMetadata))
    for metric in verdict(live).measures.get("jeu", {}):
        g.add((dataset, DQV.hasQualityMeasurement, URIRef(f"{document}#{metric}-jeu")))


class ValidationReport:
    def describe(self, live: Store, target: Target) -> Described | None:
        triples = live.validation()
        if not triples:
            return None
        return Described([ox.Quad(t.subject, t.predicate, t.object) for t in triples])

    def page(self, described: Described, live: Store, target: Target, host: HostMap) -> str:
        return render_template("validation.html", verdict=verdict(live), version=live.version,
                               hosts=host, formats=formats.DOCUMENTS, document_path=PATH,
                               severities=SEVERITIES, base=live.base)


__all__ = ["PATH", "ValidationReport", "Verdict", "quality_links", "verdict"]
