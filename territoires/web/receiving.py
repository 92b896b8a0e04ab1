"""Slow clients (issue 20, outage 4): a request is received whole — head and body — by the
worker's event loop before a thread takes it, within one deadline for the whole request, and
one address may have only so many requests being received at once.

The threat: gunicorn's threaded worker gives a connection a thread as soon as a byte arrives,
and the thread then reads the request with a timeout per read; a client sending one byte every
few seconds never trips it, and 150 of them hold every thread (2 workers × 64) while nobody
is answered. Here a request still arriving costs a socket and its bytes so far, no thread:

- `complete(data)`: whether the bytes received hold the whole request: its head, and its body
  when its length is announced (`Content-Length`, within the body limit) or chunked (its last
  chunk seen); a body the application will refuse anyway (over the limit) is not waited for;
- past `RECEIVE_SECONDS` a request not received whole is answered 408 and its connection
  closed, however steadily its bytes trickle (a new connection's clock starts when it is
  accepted, a kept-alive one's at its next request's first byte); a connection that has sent
  nothing by then is closed without an answer, as it began no request;
- past `PER_ADDRESS` requests being received from one address (per worker), that address's
  oldest is dropped: a slow client cannot hold more, and a prompt request from the same
  address (behind the same NAT) is still answered.

A client that announces `Expect: 100-continue` is told to go on here, so that its body too is
received by the loop. Pure functions and small types; gunicorn.py's worker calls them."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field

RECEIVE_SECONDS = 10.0
PER_ADDRESS = 32
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_TIMED_OUT_BODY = b"408: the request was not received in time.\r\n"
TIMED_OUT = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\n"
             b"Content-Length: %d\r\n\r\n" % len(_TIMED_OUT_BODY) + _TIMED_OUT_BODY)

_END_OF_HEAD = b"\r\n\r\n"
_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*([0-9]{1,15})[ \t]*(?=\r\n|$)", re.I)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:[^\r\n]*chunked", re.I)
_EXPECT = re.compile(rb"\r\nexpect[ \t]*:[ \t]*100-continue[ \t]*(?=\r\n|$)", re.I)


def head_end(data: bytes) -> int:
    """Where the request's body starts, or -1 while its head is incomplete."""
    end = data.find(_END_OF_HEAD)
    return -1 if end < 0 else end + len(_END_OF_HEAD)


def expects_continue(head: bytes) -> bool:
    return _EXPECT.search(head) is not None


def complete(data: bytes, max_body: int) -> bool:
    """Whether `data` holds a whole request for a thread to answer without waiting: its head,
    and the body it announces. Anything the parser will refuse (a body over `max_body`, a
    length it cannot read) is complete too: the refusal needs no more bytes."""
    start = head_end(data)
    if start < 0:
        return len(data) > HEAD_LIMIT            # gunicorn refuses a head this long (431)
    head, body = data[:start], data[start:]
    if _CHUNKED.search(head):
        return len(body) > max_body or _last_chunk_seen(body)
    length = _LENGTH.search(head)
    if length is None:
        return True                              # no body
    announced = int(length.group(1))
    return announced > max_body or len(body) >= announced


def _last_chunk_seen(body: bytes) -> bool:
    """The last chunk (`0`, perhaps with extensions and trailers) and the empty line ending the
    body. A guess from the bytes (data may hold the same bytes), which errs only towards
    handing the request on early: the parser, not this guess, reads the chunks."""
    if not body.endswith(b"\r\n\r\n"):
        return False
    return body.startswith(b"0") or b"\r\n0" in body


# gunicorn's own limits on a head (request line and 50 fields of 8190 bytes, as gunicorn.py
# sets them), with room for the line ends.
HEAD_LIMIT = 8190 + 50 * (8190 + 2) + 4


@dataclass
class Arriving:
    """A connection whose request is being received by the event loop."""
    conn: object                      # gunicorn's TConn
    address: str
    deadline: float
    data: bytearray = field(default_factory=bytearray)
    told_to_continue: bool = False


class Arrivals:
    """The requests being received, by address, oldest first (per worker, one thread: the
    event loop's, so no lock)."""

    def __init__(self, per_address: int = PER_ADDRESS, seconds: float = RECEIVE_SECONDS):
        self.per_address = per_address
        self.seconds = seconds
        self._by_address: dict[str, OrderedDict[int, Arriving]] = {}

    def add(self, conn, address: str) -> tuple[Arriving, Arriving | None]:
        """Start receiving on `conn`; returns it and the arrival it pushes out (the address's
        oldest, past `per_address`), which the caller closes."""
        arriving = Arriving(conn, address, time.monotonic() + self.seconds)
        queue = self._by_address.setdefault(address, OrderedDict())
        queue[id(conn)] = arriving
        evicted = None
        if len(queue) > self.per_address:
            _, evicted = queue.popitem(last=False)
        return arriving, evicted

    def remove(self, arriving: Arriving) -> None:
        queue = self._by_address.get(arriving.address)
        if queue is not None:
            queue.pop(id(arriving.conn), None)
            if not queue:
                del self._by_address[arriving.address]

    def expired(self, now: float) -> list[Arriving]:
        """The arrivals past their deadline, removed."""
        late = [a for queue in self._by_address.values() for a in queue.values()
                if a.deadline <= now]
        for arriving in late:
            self.remove(arriving)
        return late

    def __len__(self) -> int:
        return sum(len(queue) for queue in self._by_address.values())
