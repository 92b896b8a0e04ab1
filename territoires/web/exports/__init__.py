"""Downloads of the pages' tables as files:

    routes.py        /export/<name>.csv: the programme's territories, or a phase's
    territories.py   the rows of the programme's table (entities/programme.py) as CSV

The rows are those the programme's and phases' pages show, so the CSV and the page agree."""

from .routes import bp

blueprints = (bp,)
