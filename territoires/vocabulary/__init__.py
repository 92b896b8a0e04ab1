"""The words every layer shares, with no data of their own:

    namespaces.py   the reused vocabularies, and the project's own under a base (`Vocabulary`)
    formats.py      every format read, written or negotiated, in one table; the one negotiation
    names.py        name keys: how an official name and a source's wording are compared
    locations.py    where a fact came from (file and line), for the validation report
"""
