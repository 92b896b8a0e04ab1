"""The one registry of formats and the one negotiation every answer uses."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from territoires.vocabulary import formats


def test_every_offer_can_be_written():
    for fmt in formats.DOCUMENTS + formats.GRAPHS:
        assert fmt.rdf is not None or fmt is formats.HTML
        assert ox.RdfFormat.from_media_type(fmt.media_type) == fmt.rdf or fmt is formats.HTML
    for fmt in formats.RESULTS:
        assert ox.QueryResultsFormat.from_media_type(fmt.media_type) == fmt.results
        assert fmt.w3c.startswith(formats.W3C)
    assert len({f.ext for f in formats.DOCUMENTS}) == len(formats.DOCUMENTS)


@pytest.mark.parametrize("accept, offers, expected", [
    (None, formats.DOCUMENTS, formats.TURTLE),
    ("", formats.DOCUMENTS, formats.TURTLE),
    ("*/*", formats.DOCUMENTS, formats.TURTLE),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", formats.DOCUMENTS,
     formats.HTML),
    ("application/x-turtle", formats.DOCUMENTS, formats.TURTLE),
    ("application/json", formats.RESULTS, formats.RESULTS_JSON),
    ("application/json", formats.LISTINGS, formats.JSON),
    ("text/csv;q=0.5, text/tab-separated-values", formats.RESULTS, formats.TSV),
    ("image/png", formats.DOCUMENTS, None),
    ("application/ld+json;q=0", formats.GRAPHS, None),
    ("application/ld+json;q=0, */*;q=0.1", formats.GRAPHS, formats.TURTLE),
])
def test_negotiation(accept, offers, expected):
    assert formats.negotiate(offers, accept) is expected


def test_extensions_name_document_formats_only():
    assert formats.split_extension("territoire/x.ttl") == ("territoire/x", formats.TURTLE)
    assert formats.split_extension("epci/242500361.jsonld") == ("epci/242500361", formats.JSON_LD)
    assert formats.split_extension("a.b/c") == ("a.b/c", None)
    assert formats.split_extension("x.csv") == ("x.csv", None)


def test_triple_formats_drop_graph_names_and_duplicates():
    s, p = ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p")
    quads = [ox.Quad(s, p, ox.Literal("1"), ox.NamedNode(f"http://x/g{i}")) for i in (1, 2)]
    assert formats.serialize(quads, formats.N_TRIPLES, {}).count(b"\n") == 1
    assert formats.serialize(quads, formats.N_QUADS, {}).count(b"\n") == 2


def test_a_negotiation_says_the_vary_it_implies():
    asked = formats.choose(formats.DOCUMENTS, "application/n-triples")
    assert asked.format is formats.N_TRIPLES and asked.vary == {"Vary": "Accept"}
    named = formats.choose(formats.DOCUMENTS, "application/n-triples", formats.TURTLE)
    assert named.format is formats.TURTLE and named.vary == {}   # an extension reads no header
    assert formats.choose(formats.LISTINGS, "image/png").format is None
    assert formats.choose(formats.LISTINGS, None, formats.TURTLE).format is None   # not offered


def test_a_negotiation_lists_the_alternates_by_extension():
    alternates = formats.choose(formats.LISTINGS, None).alternates("https://x.fr/changes")
    assert alternates == [("https://x.fr/changes.html", "alternate", "text/html"),
                          ("https://x.fr/changes.json", "alternate", "application/json")]
