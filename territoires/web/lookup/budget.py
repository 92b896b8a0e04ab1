"""A bound on the work of one lookup request. Its inputs are cut or refused at the door (names,
words, batch size, property values: see search.py and reconcile.py); what remains must finish
within `WORK_SECONDS`, which the index checks in its loops. Past it the request is answered 422
(too much work for one request) instead of holding a core: a batch of a hundred long names each
constrained to twenty départements once held one for 302 s."""

from __future__ import annotations

import time

WORK_SECONDS = 1.5
MAX_WORDS = 12       # words of a name that are scored (a name is rarely longer)


class OverBudget(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"this request needs more than {seconds:g} s of work; send fewer "
                         f"queries per request, shorter names or fewer property values")


class Budget:
    def __init__(self, seconds: float = WORK_SECONDS):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise OverBudget(self.seconds)
