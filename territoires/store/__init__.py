"""The published data as the server reads it: one interface, whichever store holds it.

    Store, Publication   what the server asks of a build's data, and of the live build (here)
    local.py             the embedded Oxigraph store of a build on this machine (the default)
    remote.py            a SPARQL 1.1 store loaded by `territoires publish` (`serve --store URL`)
    publish.py           `territoires publish`: a build loaded into a remote store (GSP)
    sparql_client.py     the one SPARQL HTTP client (remote store, publish, linkers): keep-alive,
                         User-Agent, timeouts, retries honouring Retry-After, errors in words
    http_auth.py         credentials in a store's URL, as basic or digest when the server asks
    base.py              what both share once they can run a query (documents, statistics…)
    describe.py          a resource's document, read with three selective queries
    manifest.py          a build's manifest: its version, base, graphs, dumps and settings
    executor.py          users' queries in killable processes: the local store's deadline
    process.py, jobs.py  the executor process, and the job and outcome it trades
    switch.py            a new build prepared aside, then served
    errors.py            what can go wrong, as exceptions the web layer answers

No module outside this package knows which store it talks to: `open_publication` chooses, and
every build is read through a `Store`. This module and the local store import neither rdflib nor
Flask: query executors import them.
"""

from .interface import (
    Answer,
    Busy,
    Conflict,
    Crashed,
    Document,
    Job,
    Manifest,
    NoBuild,
    OutOfMemory,
    Outcome,
    Publication,
    Store,
    StoreUnavailable,
    TimedOut,
    Unavailable,
    open_publication,
)

__all__ = ["Answer", "Busy", "Conflict", "Crashed", "Document", "Job", "Manifest", "NoBuild",
           "OutOfMemory", "Outcome", "Publication", "Store", "StoreUnavailable", "TimedOut", "Unavailable",
           "open_publication"]
