"""A resource's document as a person reads it: what the HTML template shows, computed from the
`Document` (the same triples the RDF formats carry), with every link on the requesting host."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ...vocabulary.namespaces import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from ...store import Document
from ..hosts import HostMap
from .labels import NAMING, TermLabels, pick

# Properties shown first, in this order (names, then descriptions); the others follow by name.
_FIRST = [str(p) for p in (SKOS.prefLabel, RDFS.label, FOAF.name, SKOS.altLabel, DCTERMS.title,
                           DCTERMS.description, SKOS.definition, RDFS.comment)]
_PLAIN_TYPES = {str(XSD.string), str(RDF.langString)}


@dataclass
class Link:
    text: str
    href: str | None = None
    external: bool = False


@dataclass
class Value:
    text: str
    href: str | None = None
    external: bool = False
    note: str = ""                                        # language tag or datatype
    lang: str = ""                                        # the text's language, when tagged
    graphs: list[Link] = field(default_factory=list)      # where the triple comes from


@dataclass
class PropertyValues:
    predicate: Link
    values: list[Value]
    also: list[Link] = field(default_factory=list)   # predicates with the very same values


@dataclass
class Section:
    anchor: str          # "" for the resource itself, the fragment for a sub-resource
    iri: str
    title: str
    types: list[Link]
    properties: list[PropertyValues]


@dataclass
class View:
    title: str
    iri: str
    sections: list[Section]
    incoming: list[PropertyValues]
    see_also: list[Link]

    @property
    def main(self) -> Section:
        return self.sections[0]


class ViewBuilder:
    def __init__(self, document: Document, terms: TermLabels, hosts: HostMap):
        self.document = document
        self.terms = terms
        self.hosts = hosts
        self.names = names_of(document.quads)

    def build(self) -> View:
        by_subject: dict[str, list[ox.Quad]] = defaultdict(list)
        for quad in self.document.own:
            by_subject[quad.subject.value].append(quad)
        iri = self.document.iri
        sections = [self._section(iri, by_subject.get(iri, []))]
        sections += [self._section(s, quads) for s, quads in sorted(by_subject.items()) if s != iri]
        incoming = self._properties(self.document.incoming, value_of=lambda q: q.subject)
        return View(self.resource_name(iri), iri, sections, incoming, self._see_also(iri))

    def resource_name(self, iri: str) -> str:
        if iri in self.names:
            return pick(self.names[iri])
        if self.terms.known(iri):
            return self.terms.name(iri)
        return iri

    def link(self, node) -> Link:
        iri = node.value
        return Link(self.resource_name(iri), self.hosts.url(iri), not self.hosts.local(iri))

    def _section(self, iri: str, quads: list[ox.Quad]) -> Section:
        types = [q for q in quads if q.predicate.value == str(RDF.type)]
        type_links = list({q.object.value: self._term(q.object.value) for q in types}.values())
        anchor = iri.partition("#")[2]
        title = self.resource_name(iri)
        if anchor and title == iri:
            title = f"{type_links[0].text if type_links else 'partie'} « {anchor} »"
        rest = [q for q in quads if q.predicate.value != str(RDF.type)]
        return Section(anchor, iri, title, type_links,
                       self._properties(rest, value_of=lambda q: q.object))

    def _term(self, iri: str) -> Link:
        return Link(self.terms.name(iri), self.hosts.url(iri), not self.hosts.local(iri))

    def _properties(self, quads: list[ox.Quad], value_of) -> list[PropertyValues]:
        """Values grouped by predicate; a triple found in several graphs shows once, with each."""
        grouped: dict[str, dict[ox.Term, Value]] = defaultdict(dict)
        for quad in quads:
            term = value_of(quad)
            values = grouped[quad.predicate.value]
            if term not in values:
                values[term] = self._value(term)
            values[term].graphs.append(self._graph(quad.graph_name))
        order = {p: i for i, p in enumerate(_FIRST)}
        predicates = sorted(grouped, key=lambda p: (order.get(p, len(order)), self.terms.name(p)))
        listed = [PropertyValues(self._term(p), sorted(grouped[p].values(), key=_french_first))
                  for p in predicates]
        return _merged(listed)

    def _value(self, term) -> Value:
        if isinstance(term, ox.Literal):
            if term.language:
                return Value(term.value, note=term.language, lang=term.language)
            datatype = term.datatype.value
            note = "" if datatype in _PLAIN_TYPES else self.terms.name(datatype)
            return Value(term.value, note=note)
        if isinstance(term, ox.NamedNode):
            link = self.link(term)
            if self.document.is_part(term.value) and term.value != self.document.iri:
                link.href = "#" + term.value.partition("#")[2]
            return Value(link.text, link.href, link.external)
        return Value(str(term))

    def _graph(self, graph) -> Link:
        iri = graph.value if isinstance(graph, ox.NamedNode) else ""
        return Link(iri.rsplit("/", 1)[-1] or "défaut", self.hosts.url(iri) if iri else None)

    def _see_also(self, iri: str) -> list[Link]:
        """The same thing in the official registers, from its codes: one click to check it."""
        facts = {(q.predicate.value, q.object.value) for q in self.document.own
                 if q.subject.value == iri}
        values = defaultdict(list)
        for predicate, value in facts:
            values[predicate].append(value)
        ti = self.hosts.base + "def/territoires#"
        types = set(values[str(RDF.type)])
        links = []
        for siren in values[ti + "siren"]:
            links.append(Link(f"Annuaire des entreprises (SIREN {siren})",
                              f"https://annuaire-entreprises.data.gouv.fr/entreprise/{siren}", True))
            if ti + "EPCI" in types:
                links.append(Link(f"Insee, dossier complet de l'EPCI {siren}",
                                  f"https://www.insee.fr/fr/statistiques/2011101?geo=EPCI-{siren}",
                                  True))
            links.append(Link(f"Wikidata (SIREN {siren})", _wikidata("P1616", siren), True))
        insee_kinds = {"Commune": ("COM", "P374"), "Departement": ("DEP", "P2586"),
                       "Region": ("REG", "P2585")}
        for kind, (geo, wikidata_property) in insee_kinds.items():
            if ti + kind in types:
                for code in values[ti + "codeInsee"]:
                    links.append(Link(f"Insee, dossier complet ({geo}-{code})",
                                      f"https://www.insee.fr/fr/statistiques/2011101?geo={geo}-{code}",
                                      True))
                    links.append(Link(f"Wikidata (code Insee {code})",
                                      _wikidata(wikidata_property, code), True))
        return links


def _french_first(value: Value) -> tuple:
    return (value.lang not in ("", "fr"), value.text.lower())


def _merged(properties: list[PropertyValues]) -> list[PropertyValues]:
    """One row for predicates that say the same thing (`nom`, `libellé` and `name` all "Doubs"):
    the first names the row, the others follow it."""
    rows: list[PropertyValues] = []
    for prop in properties:
        texts = [(v.text, v.href, v.lang) for v in prop.values]
        twin = next((r for r in rows if [(v.text, v.href, v.lang) for v in r.values] == texts),
                    None)
        if twin is None:
            rows.append(prop)
        else:
            twin.also.append(prop.predicate)
            for mine, theirs in zip(twin.values, prop.values):
                mine.graphs += [g for g in theirs.graphs if g not in mine.graphs]
    return rows


def _wikidata(property_id: str, value: str) -> str:
    return f"https://www.wikidata.org/w/index.php?search=haswbstatement%3A{property_id}%3D{value}"


def names_of(quads: list[ox.Quad]) -> dict[str, dict[str, str]]:
    """{iri: {lang: name}}: for each resource, its most preferred naming predicate's texts."""
    rank = {str(p): i for i, p in enumerate(NAMING)}
    best: dict[str, tuple[int, dict[str, str]]] = {}
    for quad in quads:
        r = rank.get(quad.predicate.value)
        if r is None or not isinstance(quad.object, ox.Literal):
            continue
        current = best.get(quad.subject.value)
        if current is None or r < current[0]:
            best[quad.subject.value] = current = (r, {})
        if r == current[0]:
            current[1].setdefault(quad.object.language or "", quad.object.value)
    return {iri: texts for iri, (_, texts) in best.items()}
