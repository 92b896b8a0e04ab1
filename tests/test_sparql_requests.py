"""The SPARQL endpoint's reading of requests, in-process on the small build: the protocol's
bodies are UTF-8 (another declared charset is refused), and the service description names the
endpoint the client reached."""

from __future__ import annotations

import urllib.parse

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import Namespace

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ASK = "ASK { ?s ?p ?o }"
JSON = "application/sparql-results+json"


@pytest.mark.parametrize("charset", ["utf-16", "UTF-16LE", "latin-1", "iso-8859-15", "nope"])
def test_a_query_body_in_another_charset_is_refused(client, charset):
    body = ASK.encode("utf-16" if charset.lower().startswith("utf-16") else "latin-1")
    response = client.post("/sparql", data=body, headers={
        "Content-Type": f"application/sparql-query; charset={charset}", "Accept": JSON})
    assert response.status_code == 400
    assert "UTF-8" in response.get_data(as_text=True)


def test_a_form_body_in_another_charset_is_refused(client):
    form = urllib.parse.urlencode({"query": ASK}).encode("utf-16")
    response = client.post("/sparql", data=form, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-16", "Accept": JSON})
    assert response.status_code == 400


@pytest.mark.parametrize("content_type", ["application/sparql-query; charset=utf-8",
                                          "application/sparql-query; charset=UTF8",
                                          "application/sparql-query"])
def test_a_utf8_body_is_answered(client, content_type):
    response = client.post("/sparql", data="ASK { ?s ?p \"Besançon\" }".encode(),
                           headers={"Content-Type": content_type, "Accept": JSON})
    assert response.status_code == 200 and response.get_json()["boolean"] is False


def test_a_body_that_is_not_utf8_is_refused(client):
    response = client.post("/sparql", data="ASK { ?s ?p \"Besançon\" }".encode("latin-1"),
                           headers={"Content-Type": "application/sparql-query", "Accept": JSON})
    assert response.status_code == 400


@pytest.mark.parametrize("root", ["http://localhost/", "http://127.0.0.1:8123/",
                                  "https://miroir.example.org/"])
def test_the_service_description_names_the_endpoint_reached(client, root):
    response = client.get("/sparql", base_url=root, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    endpoints = set(graph.objects(None, SD.endpoint))
    assert endpoints == {URIRef(root + "sparql")}


@pytest.mark.parametrize("path, accept", [
    ("/sparql", "text/html"),                                           # the editor page
    ("/sparql", "text/turtle"),                                         # the service description
    ("/sparql?query=" + urllib.parse.quote(ASK), JSON),                 # results, kept or not
    ("/sparql?query=" + urllib.parse.quote(ASK) + "&format=json", "*/*"),
    ("/sparql?query=DELETE%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D", JSON),  # a refusal
])
def test_every_answer_of_the_endpoint_varies_on_accept(client, path, accept):
    """Each of these read Accept (page or results, and which format): a shared cache that
    ignored it would hand a browser's page to a client or one format to another."""
    for _ in range(2):    # the second answer of a query comes from the result cache
        response = client.get(path, headers={"Accept": accept})
        assert "accept" in {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
