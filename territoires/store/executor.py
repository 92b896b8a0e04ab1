"""User queries run in executor processes, so that a runaway query can really be stopped: this
is how the local store keeps a deadline.

pyoxigraph cannot cancel a query, and a thread cannot be killed; a process can. Each web worker
keeps a small pool of executor processes (started lazily with the "spawn" method: forking a
threaded worker is unsafe), each with a build opened read-only. A web thread hands one
executor a `Job`; the executor (process.py) evaluates the query and serializes
the whole answer, into the reply when small, else into a spool file, so the client gets a 200
only once the answer is complete and within its size cap. If the deadline passes first, the web
thread kills the executor with SIGKILL and starts a replacement; an executor that dies (a parser
stack overflow, say) is replaced the same way. One that runs out of its memory cap (process.py)
is replaced too, and the query's failure said to be memory (OutOfMemory).

The pool has two lanes, so that a cheap query never waits behind expensive ones. The light lane
has executors of its own for the queries the guard did not mark heavy (`Job.heavy`); such a
query that is still running after the light budget moves to the heavy lane: its executor takes
an idle heavy executor's place (which joins the light lane in exchange), or, with none idle, it
is stopped and the query queues for the heavy lane like any heavy query. The heavy lane's queue
is bounded: a query that finds it full is refused at once (Busy) rather than left to wait out
its deadline. A light query also takes an idle heavy executor when its own lane is busy and no
heavy query is waiting.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
import weakref
from dataclasses import dataclass, replace
from pathlib import Path

from . import process
from .errors import Busy, Crashed, OutOfMemory, TimedOut, Unavailable
from .jobs import Answer, Job, Outcome
from .process import READY

STARTUP_TIMEOUT = 30.0   # seconds for a new executor to open the store


class Lane:
    """The executors of one lane, and how many requests wait for one of them."""

    def __init__(self, name: str, size: int, queue: int | None = None):
        self.name = name
        self.size = size
        self.idle: list[_Executor | None] = [None] * size    # None: not started yet
        self.queue = queue           # how many may wait (None: any number)
        self.waiting = 0


@dataclass
class _Held:
    """An executor taken by a web thread, and the lane it goes back to."""
    executor: _Executor
    lane: Lane


class Executors:
    """The pool of one web worker. Thread-safe; processes start on first use."""

    def __init__(self, size: int, isolate_network: bool, memory_bytes: int = 0,
                 light: int = 0, light_budget: float = 0.5, heavy_queue: int | None = None):
        self._context = multiprocessing.get_context("spawn")
        self._options = (isolate_network, memory_bytes)   # each executor's, after its prefixes
        self._heavy = Lane("heavy", size, heavy_queue)
        self._light = Lane("light", light)
        self._light_budget = light_budget
        self._available = threading.Condition()
        self._store_path: Path | None = None
        self._spool_dir: Path | None = None

    @property
    def spool_dir(self) -> Path:
        """Where executors write answers too big for the pipe (made on first use)."""
        with self._available:
            if self._spool_dir is None:
                self._spool_dir = Path(tempfile.mkdtemp(prefix="territoires-sparql-"))
                weakref.finalize(self, shutil.rmtree, self._spool_dir, ignore_errors=True)
            return self._spool_dir

    def run(self, build_dir: Path, prefixes: dict[str, str], job: Job, timeout: float) -> Answer:
        """Evaluate `job` on the build in `build_dir`, the answer serialized with `prefixes`;
        raises TimedOut, Crashed (OutOfMemory) or Unavailable (Busy)."""
        spool = self.spool_dir / uuid.uuid4().hex
        try:
            outcome = self._evaluate(build_dir, prefixes, replace(job, spool=str(spool)),
                                     time.monotonic() + timeout, timeout)
            if outcome.status != "ok" or outcome.body is not None:
                return Answer(outcome)
            return Answer(outcome, open(spool, "rb"))
        finally:
            spool.unlink(missing_ok=True)   # an open answer file lives on until it is sent

    def close(self) -> None:
        """Stop the idle executors and remove the spool directory (a worker that ends with
        `os._exit` runs no finaliser: its server calls this first)."""
        with self._available:
            idle = [e for lane in (self._light, self._heavy) for e in lane.idle if e is not None]
            self._light.idle, self._heavy.idle = [], []
            spool, self._spool_dir = self._spool_dir, None
        for executor in idle:
            executor.kill()
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)

    def _evaluate(self, build_dir: Path, prefixes: dict[str, str], job: Job, deadline: float,
                  timeout: float) -> Outcome:
        light = not job.heavy and self._light.size > 0
        for lane in ((self._light, self._heavy) if light else (self._heavy,)):
            held = self._acquire(build_dir, prefixes, lane, deadline, timeout)
            try:
                outcome = self._outcome(held, job, deadline)
            finally:
                self._release(held)
            if outcome is not None:
                return outcome
        raise AssertionError("a query moved out of the heavy lane")   # _outcome never does

    def _outcome(self, held: _Held, job: Job, deadline: float) -> Outcome | None:
        """The executor's outcome for `job`; None when the query, past the light budget, must
        start again in the heavy lane (its executor was stopped)."""
        executor = held.executor
        try:
            executor.send(job)
            outcome = None
            if held.lane is self._light:
                outcome = executor.result(min(self._light_budget, _left(deadline)))
                if outcome is None and _left(deadline) > 0 and not self._promote(held):
                    held.executor = self._replace(executor)
                    return None
            if outcome is None:
                outcome = executor.result(_left(deadline))
            if outcome is None:
                raise TimedOut()
            if outcome.status == "memory":   # a MemoryError: the rest of the process is suspect
                held.executor = self._replace(executor)
                raise OutOfMemory()
            return outcome
        except (TimedOut, Unavailable):
            held.executor = self._replace(executor)
            raise
        except (EOFError, OSError):
            aborted = executor.aborted()
            held.executor = self._replace(executor)
            raise (OutOfMemory() if aborted else Crashed()) from None

    def _promote(self, held: _Held) -> bool:
        """Move a light query that outran the budget to the heavy lane, with its executor: an
        idle heavy executor (or slot) joins the light lane in exchange. False when none is idle."""
        with self._available:
            if not self._heavy.idle:
                return False
            self._light.idle.append(self._heavy.idle.pop())
            held.lane = self._heavy
            self._available.notify_all()
            return True

    def _acquire(self, store_path: Path, prefixes: dict[str, str], lane: Lane, deadline: float,
                 timeout: float) -> _Held:
        self._switch(store_path)
        with self._available:
            found = self._wait(lane, deadline, timeout)
            executor = found.idle.pop()
        if executor is None or executor.store_path != store_path or not executor.alive():
            if executor is not None:
                executor.stop()
            executor = _Executor(self._context, store_path, (prefixes, *self._options))
        return _Held(executor, found)

    def _wait(self, lane: Lane, deadline: float, timeout: float) -> Lane:
        """The lane to take an idle executor from (the lock held): `lane`'s own, or for a light
        query the heavy lane's when no heavy query waits."""
        def free() -> Lane | None:
            if lane.idle:
                return lane
            if lane is self._light and self._heavy.idle and not self._heavy.waiting:
                return self._heavy
            return None

        if free() is None and lane.queue is not None and lane.waiting >= lane.queue:
            raise Busy(f"{lane.size + lane.waiting} expensive queries are running or waiting, "
                       f"as many as this server takes at once")
        lane.waiting += 1
        try:
            found = self._available.wait_for(free, _left(deadline))
        finally:
            lane.waiting -= 1
        if found is None:
            raise Unavailable(f"all query executors stayed busy for {timeout:g} s")
        return found

    def _switch(self, store_path: Path) -> None:
        """A new build: idle executors of the old one go; busy ones go when released."""
        with self._available:
            if store_path == self._store_path:
                return
            self._store_path = store_path
            retired = []
            for lane in (self._light, self._heavy):
                retired += [e for e in lane.idle if e is not None and e.store_path != store_path]
                lane.idle = [None if e in retired else e for e in lane.idle]
        for old in retired:
            old.stop()

    def _release(self, held: _Held) -> None:
        executor, lane = held.executor, held.lane
        with self._available:
            stale = executor.store_path != self._store_path
            # Started executors go on top, so they are reused before new ones are started.
            lane.idle.insert(0, None) if stale else lane.idle.append(executor)
            self._available.notify_all()   # the lanes' waiters share one condition
        if stale:
            executor.stop()

    def _replace(self, executor: _Executor) -> _Executor:
        executor.kill()
        return _Executor(self._context, executor.store_path, executor.options)


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


class _Executor:
    """One executor process and the pipe to it (used by one web thread at a time)."""

    def __init__(self, context, store_path: Path, options: tuple[dict[str, str], bool, int]):
        self.store_path = store_path
        self.options = options
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=process.main, args=(child, str(store_path), *options, os.getpid()),
            name="territoires-sparql-executor", daemon=True)
        self.process.start()
        child.close()
        self._ready = False

    def alive(self) -> bool:
        return self.process.is_alive()

    def send(self, job: Job) -> None:
        if not self._ready:
            self._await_ready()
        self.connection.send(job)

    def result(self, timeout: float) -> Outcome | None:
        """The outcome of the job sent, if it comes within `timeout` (else None)."""
        return self.connection.recv() if self.connection.poll(timeout) else None

    def _await_ready(self) -> None:
        if not self.connection.poll(STARTUP_TIMEOUT):
            raise Unavailable("a query executor did not start in time")
        message = self.connection.recv()
        if message != READY:
            raise Unavailable(f"a query executor could not open the store: {message}")
        self._ready = True

    def aborted(self) -> bool:
        """Whether the process ended by SIGABRT: what the engine does when an allocation fails
        (Rust's handler aborts), here under the memory cap."""
        self.process.join(timeout=2)
        return self.process.exitcode == -signal.SIGABRT

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()

    def stop(self) -> None:
        """Retire an idle executor: closing its pipe ends its loop."""
        self.connection.close()
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()
