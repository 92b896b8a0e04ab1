"""Memento (RFC 7089): the resources of the official geography travel in time over the COG
vintages of their history (graph/historique).

    /timegate/id/…          TimeGate: 302 to the memento in force at `Accept-Datetime`
                            (the latest without it), `Vary: accept-datetime`
    /timemap/id/…           TimeMap (application/link-format): the original, the TimeGate and
                            every memento with its datetime; for a browser, a page of dates
    /memento/YYYY/id/…      a memento: the resource as vintage YYYY had it (name, kind, EPCI;
                            an EPCI's or a territory's communes), with `Memento-Datetime`; in
                            RDF, or as a page that also says what changed since, in words

Original resources (/id/…, /doc/…) of a commune, an EPCI or a territory say where their TimeGate
and TimeMap are (`Link`). A vintage's datetime is 1 January of its year, 00:00 GMT.

    times.py    vintages ↔ HTTP dates, Accept-Datetime, the memento chosen
    state.py    what a memento says, read from the store (a resource's history, read once)
    page.py     the memento's and the TimeMap's pages for people
    history.py  which resources have a history, and the Link headers that lead to it (the
                answer path adds them to original resources: web/answer.py)
    routes.py   the three routes (a memento is a document kind of the answer path)
"""

from .routes import bp

blueprints = (bp,)
