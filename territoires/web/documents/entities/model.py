"""What an entity's page shows, independent of HTML: a summary of facts, then blocks (tables,
charts, sentences), each table sortable and paged by the query string (`communes-tri=-population`,
`communes-page=3`), so a reader pages through all the rows without a script and each slice has
its own URL. The model is plain data (it is kept per build, pickled, and rendered per request)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from ....vocabulary.names import fold

# Rows a table shows at a time: fifteen keep a territory's page a few screens long on a phone
# (fifty made it 14,000 px at 390 px); the rest is paged, and the CSV has every row.
PAGE_SIZE = 15
# The query-string parameters a page reads: `<table>-tri` and `<table>-page`.
PARAMETER = re.compile(r"^([a-z]{2,20})-(tri|page)$")
VALUE = re.compile(r"^-?[a-z0-9]{1,20}$")


@dataclass(frozen=True)
class Text:
    """A piece of text or a link; `lang` when it is not French."""
    text: str
    href: str | None = None
    lang: str = ""
    sort: object = None       # the value a table sorts on (a number for figures)
    value: str = ""           # a machine-readable value (`<data value>`)


@dataclass(frozen=True)
class Fact:
    label: str
    values: tuple[Text, ...]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    numeric: bool = False


@dataclass
class Table:
    id: str
    columns: tuple[Column, ...]
    rows: list[tuple[Text, ...]]
    sort: str                          # the default order: a column key, `-key` descending
    caption: str = ""
    page_size: int = PAGE_SIZE
    # The SPARQL query (values bound, base declared) whose rows are the table's, for a reader to
    # run; empty for a table no one query gives.
    query: str = ""
    orders: dict = field(default_factory=dict, repr=False)   # column → rows' order, computed once

    def ordered(self, index: int) -> list[tuple[Text, ...]]:
        """The rows sorted by column `index` (kept: a model is sorted many times per build)."""
        found = self.orders.get(index)
        if found is None:
            keys = [_key(row[index]) for row in self.rows]
            found = [self.rows[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]
            self.orders[index] = found
        return found


@dataclass
class Block:
    """A section of the page: `kind` is table, chart, sentences or links."""
    id: str
    title: str
    kind: str
    items: list = field(default_factory=list)
    table: Table | None = None
    chart: object = None               # Markup of an SVG (a chart, or a map: kind "map")
    note: str = ""
    links: list = field(default_factory=list)    # Texts after the table (a download)
    # The words of a disclosure the table is folded in (a chart's own figures, a list its note
    # sums up): the page stays a few screens on a phone. Open once the reader sorts or pages it.
    folded: str = ""


@dataclass
class EntityPage:
    kind: str                          # "Territoire d'industrie", "EPCI"…
    facts: list[Fact]
    blocks: list[Block]
    description: Text | None = None


@dataclass
class Pager:
    number: int
    pages: int
    first: int                         # 1-based index of the first row shown
    last: int
    links: list[tuple[str, str, bool]]     # (text, href, current)


@dataclass
class TableView:
    table: Table
    rows: list[tuple[Text, ...]]
    sorted_by: str
    headers: list[tuple[Column, str, str]]   # column, href to sort by it, aria-sort
    pager: Pager
    downloads: list[Text] = field(default_factory=list)   # its CSV, its query (pages.py)
    asked: bool = False                # the parameters sort or page it


def parameters(args) -> tuple[tuple[str, str], ...]:
    """The query-string parameters a page reads, normalised (anything else is ignored, so it
    cannot multiply the cached variants of a page)."""
    kept = {key: value for key, value in args.items()
            if PARAMETER.match(key) and VALUE.match(value)}
    return tuple(sorted(kept.items()))


def order_of(table: Table, params: dict[str, str]) -> str:
    """The order the parameters ask for (`key` or `-key`), else the table's own."""
    order = params.get(f"{table.id}-tri", table.sort)
    return order if order.lstrip("-") in {c.key for c in table.columns} else table.sort


def sorted_rows(table: Table, order: str) -> list[tuple[Text, ...]]:
    """Every row of the table in this order (the page shows a slice; its CSV has them all)."""
    index = [c.key for c in table.columns].index(order.lstrip("-"))
    rows = table.ordered(index)
    return _reversed(rows, index) if order.startswith("-") else rows


def view(table: Table, params: dict[str, str]) -> TableView:
    """The rows of `table` shown for these parameters: sorted, one page of them."""
    order = order_of(table, params)
    rows = sorted_rows(table, order)
    pages = max(1, math.ceil(len(rows) / table.page_size))
    try:
        number = min(pages, max(1, int(params.get(f"{table.id}-page", "1"))))
    except ValueError:
        number = 1
    start = (number - 1) * table.page_size
    shown = rows[start:start + table.page_size]
    return TableView(table, shown, order, _headers(table, order),
                     Pager(number, pages, start + 1 if shown else 0, start + len(shown),
                           _page_links(table, order, number, pages)),
                     asked=any(key in params for key in (f"{table.id}-tri", f"{table.id}-page")))


def _reversed(rows: list, index: int) -> list:
    """Descending, ties kept in their ascending order (as sorted(reverse=True) would)."""
    groups: list[list] = []
    for row in rows:
        if groups and _key(groups[-1][0][index]) == _key(row[index]):
            groups[-1].append(row)
        else:
            groups.append([row])
    return [row for group in reversed(groups) for row in group]


def _key(cell: Text):
    value = cell.sort if cell.sort is not None else cell.text
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, _folded(str(value)))


@lru_cache(maxsize=1 << 16)
def _folded(text: str) -> str:
    """Sort keys repeat (an EPCI's name on each of its communes' rows): folded once."""
    return fold(text)


def _href(table: Table, order: str, page: int) -> str:
    query = {f"{table.id}-tri": order} if order != table.sort else {}
    if page > 1:
        query[f"{table.id}-page"] = str(page)
    return f"?{urlencode(query)}#{table.id}" if query else f"?#{table.id}"


def _headers(table: Table, order: str) -> list[tuple[Column, str, str]]:
    headers = []
    for column in table.columns:
        current = order.lstrip("-") == column.key
        descending = order.startswith("-")
        # A second click reverses the order; figures start from the largest.
        if current:
            target = column.key if descending else "-" + column.key
        else:
            target = "-" + column.key if column.numeric else column.key
        aria = ("descending" if descending else "ascending") if current else "none"
        headers.append((column, _href(table, target, 1), aria))
    return headers


def _page_links(table: Table, order: str, number: int, pages: int) -> list[tuple[str, str, bool]]:
    if pages == 1:
        return []
    return [(str(n), _href(table, order, n), n == number) for n in range(1, pages + 1)]
