"""What can go wrong when the server reads the published data, as exceptions the web layer maps
to answers: no build (503), a store that does not answer (503), a query past its deadline (503),
an engine that died on a query (503), one that ran out of the memory an executor may use (503),
no executor free or too many expensive queries already (503), settings the build contradicts (refused at start-up)."""

from __future__ import annotations


class NoBuild(Exception):
    """Nothing has been published yet (run `territoires build`)."""


class StoreUnavailable(NoBuild):
    """The remote store does not answer, or answers with a server error."""


class Conflict(Exception):
    """A setting given to the server contradicts the manifest of the build it serves."""


class TimedOut(Exception):
    """The query did not finish within its deadline; it was stopped."""


class Crashed(Exception):
    """The query engine died while evaluating the query; it was replaced."""


class OutOfMemory(Crashed):
    """The query needed more memory than an executor may use (its address-space cap); the
    executor was replaced."""


class Unavailable(Exception):
    """No query executor became free within the deadline, or none could start."""


class Busy(Unavailable):
    """The heavy lane is full: its executors busy, its queue as long as it may be."""
