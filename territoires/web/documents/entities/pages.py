"""A resource's page chosen by its type, its model computed once per build and host, and the views
of its tables (see the package's docstring)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for

from ....vocabulary.namespaces import DCTERMS, FOAF, QB, SCHEMA
from ....store import Document, Store
from ...context import context
from ...hosts import HostMap
from ..labels import TermLabels
from .data import Known
from .incoming import TABLE as INCOMING_TABLE
from .incoming import incoming_block, name_slice
from .model import EntityPage, Table, TableView, Text, order_of, parameters, sorted_rows, view
from .people import person_page
from .places import area_page, commune_page, epci_page
from .figures import statistics_page
from .former import former_page
from .money import funding_page, plan_page
from .programme_pages import phase_page, programme_page
from .territory import territory_page


LYON_KIND = "Collectivité à statut particulier (exerce les compétences d'un EPCI)"


def _kind(known: Known):
    types = known.types()
    ti = known.ti
    pages = [(ti + "TerritoireIndustrie", territory_page),
             # the Métropole de Lyon: not an EPCI, though it exercises an EPCI's powers
             (ti + "CollectiviteStatutParticulier",
              lambda live, k: epci_page(live, k, LYON_KIND, "de la collectivité")),
             (ti + "EPCI", epci_page),
             (ti + "EtablissementPublicTerritorial",
              lambda live, k: epci_page(live, k, "Établissement public territorial",
                                        "de l'établissement public territorial")),
             (ti + "Commune", commune_page), (ti + "CommuneDeleguee", commune_page),
             (ti + "CommuneAssociee", commune_page),
             (ti + "ArrondissementMunicipal", commune_page),
             (ti + "Departement", lambda live, k: area_page(live, k, region=False)),
             (ti + "Region", lambda live, k: area_page(live, k, region=True)),
             (ti + "Programme", programme_page), (ti + "Phase", phase_page),
             (ti + "EntiteDisparue", former_page),
             (str(SCHEMA.MonetaryGrant), funding_page), (ti + "PlanActions", plan_page),
             (str(FOAF.Person), person_page), (str(QB.DataSet), statistics_page)]
    return next((page for iri, page in pages if iri in types), None)


def build_model(live: Store, document: Document, hosts: HostMap,
                terms: TermLabels) -> EntityPage | None:
    """The page of the resource, or None for a resource with no page of its own (the generic
    view of its triples serves it)."""
    known = Known(document, hosts, live.base + "def/territoires#")
    page = _kind(known)
    entity = page(live, known) if page is not None else EntityPage("", [], [])
    entity.description = _description(known)
    block = incoming_block(live, known, terms)
    if block is not None:
        entity.blocks.append(block)
    return entity


def _description(known: Known) -> Text | None:
    """The resource's description, in French if it has one (else in its language, marked)."""
    texts = {d.language or "": d.value for d in known.all(str(DCTERMS.description))
             if hasattr(d, "language")}
    for lang in ("fr", "", "en"):
        if lang in texts:
            return Text(texts[lang], lang="" if lang in ("fr", "") else lang)
    return None


def model(live: Store, document: Document, hosts: HostMap, terms: TermLabels) -> EntityPage:
    """The page's model, from the cache of this build and host, or computed and kept."""
    key = ("entity", document.iri, live.version, live.base, hosts.root)
    cache = context().documents
    kept = cache.get(key)
    if kept is not None:
        return kept.entity
    entity = build_model(live, document, hosts, terms)
    cache.put(key, _Kept(entity))
    return entity


class _Kept:
    """A page's model in the cache of documents, weighed by its rows (never changed once kept:
    each request sorts and slices copies)."""

    def __init__(self, entity: EntityPage):
        self.entity = entity
        self.size = 2048 + sum(200 * len(b.table.rows) if b.table else 0
                               + len(b.chart or "") for b in entity.blocks)

    def __len__(self) -> int:
        return self.size


def table_views(entity: EntityPage, params: tuple[tuple[str, str], ...], live: Store,
                hosts: HostMap, page: str) -> dict[str, TableView]:
    """Each table of the page as shown for the request's parameters (the links' slice named),
    with its downloads: the page at `page` (`doc/…`) gives each table's CSV in the order shown."""
    chosen = dict(params)
    views = {block.id: view(block.table, chosen) for block in entity.blocks
             if block.table is not None}
    for shown in views.values():
        if shown.table.id == INCOMING_TABLE:
            shown.rows = name_slice(live, shown.rows, hosts)
        shown.downloads = downloads(shown.table, shown.sorted_by, hosts, page)
    return views


def downloads(table: Table, order: str, hosts: HostMap, page: str) -> list[Text]:
    """The table as CSV (its order kept), and the query that gives its rows: in the query editor,
    and its result as CSV straight from the endpoint."""
    query = f"?{urlencode({f'{table.id}-tri': order})}" if order != table.sort else ""
    found = [Text("Télécharger ce tableau (CSV)",
                  url_for("exports.table", table=table.id, page=f"{page}.csv") + query),
             Text("(XLSX)", url_for("exports.table", table=table.id, page=f"{page}.xlsx") + query)]
    if table.query:
        found += [Text("sa requête SPARQL (éditeur)", hosts.query_page(table.query)),
                  Text("le résultat de la requête (CSV)", hosts.sparql(table.query, "csv"))]
    return found


def all_rows(table: Table, params: dict[str, str], live: Store,
             hosts: HostMap) -> list[tuple[Text, ...]]:
    """Every row of the table in the order the parameters ask for, named (its CSV)."""
    rows = sorted_rows(table, order_of(table, params))
    return name_slice(live, rows, hosts) if table.id == INCOMING_TABLE else rows
