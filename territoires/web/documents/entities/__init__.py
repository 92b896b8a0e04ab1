"""Pages written for people, by kind of entity: a territory, an EPCI, a commune, a département,
a région, a person, a statistical data set, the programme and its phases, a funding, an action
plan, an entity that no longer exists. Each page is a summary, then tables and charts, then
the links to it counted and paged; the resource's triples stay one click away (folded below).

    model.py       what a page shows (facts, blocks, sortable and paged tables)
    data.py        the named queries of territoires/queries/pages/ and the resource's document
    territory.py   places.py   people.py   figures.py   incoming.py   programme_pages.py
    money.py (a funding, a plan: amounts and periods in words)   former.py: one kind each
    (each table's `query`, of territoires/queries/tables/, gives its rows on /sparql; its CSV
    and XLSX are web/exports/'s)
    charts.py      inline SVG drawn by the server;  french.py: figures, dates, small words

A page's model is computed once per build and host (`model`), kept in the documents' cache;
each sorted or paged variant is rendered from it.
"""

from .pages import EntityPage, Table, TableView, all_rows, model, parameters, table_views

__all__ = ["EntityPage", "Table", "TableView", "all_rows", "model", "parameters", "table_views"]
