"""A user's query as the store evaluates it, and what comes of it. Plain data: a job crosses to
an executor process, and an outcome comes back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class Job:
    query: str
    union: bool                             # the default graph is the union of the named graphs
    default_graphs: tuple[str, ...] | None  # a dataset given by the protocol replaces the query's
    named_graphs: tuple[str, ...] | None
    results_type: str | None                # media type for SELECT / ASK (None: not acceptable)
    graph_type: str | None                  # media type for CONSTRUCT / DESCRIBE
    max_bytes: int                          # the cap on the answer
    form: str = ""                          # results | graph, as the guard read it ("": unknown)
    spool: str = ""                         # where an executor writes an answer too big to return
    heavy: bool = False                     # the guard expects it to be expensive: heavy lane


@dataclass(frozen=True)
class Outcome:
    status: str    # ok | syntax | error | too-large | not-acceptable | memory
    detail: str    # the media type written when ok, otherwise a message
    form: str      # results | graph (which kind of answer the query has), "" when unknown
    body: bytes | None = None  # the answer when it came back whole; else see `Answer.file`


@dataclass
class Answer:
    """A store's answer to a job: the outcome and, when ok, the complete answer, as bytes or as
    an open file to stream (already unlinked: it lives until closed)."""
    outcome: Outcome
    file: BinaryIO | None = None

    @property
    def ok(self) -> bool:
        return self.outcome.status == "ok"
