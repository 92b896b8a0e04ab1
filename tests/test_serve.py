"""The production server itself: long keep-alive connections keep working."""

from __future__ import annotations

import http.client
import urllib.parse


def test_a_keep_alive_connection_serves_thousands_of_requests(server):
    """The stall guard is installed once per connection, not once per request (which nested
    wrappers until a RecursionError after ~1,000 requests)."""
    parts = urllib.parse.urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    statuses = set()
    try:
        for _ in range(1500):
            connection.request("GET", "/id/epci/242500361")
            response = connection.getresponse()
            response.read()
            statuses.add(response.status)
    finally:
        connection.close()
    assert statuses == {303}
