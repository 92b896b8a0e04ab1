"""The project's app for granian (`granian --interface wsgi --factory bench.granian_app:app`,
settings from TERRITOIRES_* variables): the bench measures it against `territoires serve`
(gunicorn) on the same workloads.

granian is not the project's server: faster, but a request body announced and never sent holds
one of its threads for ever (granian 2.8 has no body read timeout), which `territoires serve`
must not allow (tests/test_sparql_safety.py). Behind nginx, which buffers bodies, it could be.
"""

from __future__ import annotations

from territoires.config import from_environment
from territoires.web import create_app


def app():
    return create_app(from_environment())
