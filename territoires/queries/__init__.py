"""Every SPARQL query the server and the build run, one named `.rq` file each, read once.

A file starts with comment lines saying what it answers and what it binds (`# Binds ?x: …`);
its IRIs under the dataset's base are relative (the prefix `ti:` is declared as
`<def/territoires#>`), resolved against the base of the build that runs it, as in the sources'
Turtle. Values are never spliced into the text: a caller passes them as terms (`ox.NamedNode`
checks an IRI), and the store binds them, by the engine's substitution for one value or by a
`VALUES` block for a list (or for an engine without substitution). A substituted variable must be
among the variables a query projects (`?resource`), as SEP-0007 requires.

    from territoires import queries
    rows = store.select(queries.get("documents/own"), resource=ox.NamedNode(iri))
"""

from .loader import (Query, Term, UnknownQuery, Value, get, is_term, names, terms, update,
                     with_base)

__all__ = ["Query", "Term", "UnknownQuery", "Value", "get", "is_term", "names", "terms",
           "update", "with_base"]
