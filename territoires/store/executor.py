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
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import uuid
import weakref
from dataclasses import replace
from pathlib import Path

from . import process
from .errors import Crashed, OutOfMemory, TimedOut, Unavailable
from .jobs import Answer, Job
from .process import READY

STARTUP_TIMEOUT = 30.0   # seconds for a new executor to open the store


class Executors:
    """The pool of one web worker. Thread-safe; processes start on first use."""

    def __init__(self, size: int, isolate_network: bool, memory_bytes: int = 0):
        self._context = multiprocessing.get_context("spawn")
        self._isolate_network = isolate_network
        self._memory_bytes = memory_bytes     # each executor's address-space cap (0: none)
        self._idle: list[_Executor | None] = [None] * size    # None: not started yet
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
        raises TimedOut, Crashed (OutOfMemory) or Unavailable."""
        spool = self.spool_dir / uuid.uuid4().hex
        try:
            outcome = self._evaluate(build_dir, prefixes, replace(job, spool=str(spool)), timeout)
            if outcome.status != "ok" or outcome.body is not None:
                return Answer(outcome)
            return Answer(outcome, open(spool, "rb"))
        finally:
            spool.unlink(missing_ok=True)   # an open answer file lives on until it is sent

    def close(self) -> None:
        """Stop the idle executors and remove the spool directory (a worker that ends with
        `os._exit` runs no finaliser: its server calls this first)."""
        with self._available:
            idle, self._idle = [e for e in self._idle if e is not None], []
            spool, self._spool_dir = self._spool_dir, None
        for executor in idle:
            executor.kill()
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)

    def _evaluate(self, build_dir: Path, prefixes: dict[str, str], job: Job, timeout: float):
        executor = self._acquire(build_dir, prefixes, timeout)
        try:
            outcome = executor.evaluate(job, timeout)
            if outcome.status == "memory":   # a MemoryError: the rest of the process is suspect
                executor = self._replace(executor)
                raise OutOfMemory()
            return outcome
        except (TimedOut, Unavailable):
            executor = self._replace(executor)
            raise
        except (EOFError, OSError):
            aborted = executor.aborted()
            executor = self._replace(executor)
            raise (OutOfMemory() if aborted else Crashed()) from None
        finally:
            self._release(executor)

    def _acquire(self, store_path: Path, prefixes: dict[str, str], timeout: float) -> _Executor:
        retired = []
        with self._available:
            if store_path != self._store_path:
                # A new build: idle executors of the old one go; busy ones go when released.
                self._store_path = store_path
                retired = [e for e in self._idle if e is not None and e.store_path != store_path]
                self._idle = [None if e in retired else e for e in self._idle]
            if not self._available.wait_for(lambda: self._idle, timeout):
                raise Unavailable(f"all query executors stayed busy for {timeout:g} s")
            executor = self._idle.pop()
        for old in retired:
            old.stop()
        if executor is None or executor.store_path != store_path or not executor.alive():
            if executor is not None:
                executor.stop()
            executor = _Executor(self._context, store_path,
                                 (prefixes, self._isolate_network, self._memory_bytes))
        return executor

    def _release(self, executor: _Executor) -> None:
        with self._available:
            stale = executor.store_path != self._store_path
            # Started executors go on top, so they are reused before new ones are started.
            self._idle.insert(0, None) if stale else self._idle.append(executor)
            self._available.notify()
        if stale:
            executor.stop()

    def _replace(self, executor: _Executor) -> _Executor:
        executor.kill()
        return _Executor(self._context, executor.store_path, executor.options)


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

    def evaluate(self, job: Job, timeout: float):
        if not self._ready:
            self._await_ready()
        self.connection.send(job)
        if not self.connection.poll(timeout):
            raise TimedOut()
        return self.connection.recv()

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
