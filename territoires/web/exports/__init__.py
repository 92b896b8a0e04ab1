"""Downloads of the pages' tables as files:

    routes.py        /export/<name>.csv: the programme's territories, or a phase's, with their
                     codes and IRIs; /export/<table>/<page>.csv: any table of any page
    tables.py        a page's table (entities/model.Table) as CSV: its columns, all its rows
    territories.py   the rows of the programme's table (entities/programme.py) as CSV

A table is declared once, in its page's model (entities/): its rows give the page's HTML and its
CSV, and its `query` (territoires/queries/tables/) gives the same rows on /sparql, so the page,
the file and the query agree."""

from .routes import bp

blueprints = (bp,)
