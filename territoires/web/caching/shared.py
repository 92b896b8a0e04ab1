"""Rendered responses shared by the workers of one server through a directory, so that a
document is rendered once per build rather than once per worker.

Threat model: the other accounts of the machine. The directory must be this server's own: a
directory it made itself (`territoires serve` makes a fresh one, mode 0700), or one given in the
settings that is owned by this account, is not a symbolic link and grants nothing to group or
others, under parents that are no links and that no other account may write to (but for a
sticky /tmp) — anything else is refused at start-up (`UnsafeDirectory`). It is checked again before
every use, so a directory whose mode or owner changes later is no longer used. Files hold a
response as data, never as objects: a small JSON head (status, headers, body length) and the
body, each checked when read; a file that fails a check is a miss, never an answer. The server
only deletes the version directories it made: names of its own form, owned by it, not links.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import stat
import struct
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

MAGIC = b"territoires-response-1\n"
_HEAD = struct.Struct(">I")
MAX_HEAD = 64 * 1024
_VERSION_DIR = re.compile(r"v-[0-9a-f]{16}")
_STATUS = re.compile(r"[1-5][0-9]{2} [^\r\n\x00]{0,100}")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")
# How long a verdict on the directory (check_private) holds: checking it and every parent on
# each request was 5.5 % of a worker's samples under a load of lookups (py-spy); once a second
# still stops a worker using a directory made unsafe, within that second.
RECHECK_SECONDS = 1.0


class UnsafeDirectory(Exception):
    """A directory other accounts could write to, or that is not what it seems."""


def check_private(path: Path) -> None:
    """Raises UnsafeDirectory unless `path` is a real directory of this account that group and
    others can neither write to nor read, under parents none of which another account could
    swap (`check_parents`)."""
    check_parents(path)
    try:
        info = os.lstat(path)
    except OSError as error:
        raise UnsafeDirectory(f"{path}: {error.strerror}") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeDirectory(f"{path} is not a directory (a symbolic link is refused)")
    if info.st_uid != os.geteuid():
        raise UnsafeDirectory(f"{path} is owned by uid {info.st_uid}, not by this server's "
                              f"account ({os.geteuid()})")
    if info.st_mode & 0o077:
        raise UnsafeDirectory(f"{path} has mode {stat.S_IMODE(info.st_mode):o}: group and "
                              f"others must have no access (chmod 700)")


def check_parents(path: Path) -> None:
    """Raises UnsafeDirectory if a parent of `path` is a symbolic link, belongs to another
    account than this one or root, or is writable by group or others without the sticky bit
    (as /tmp has it): whoever can rename an entry of a parent can put another directory where
    ours was, whatever the mode of ours."""
    for parent in Path(os.path.abspath(path)).parents:
        try:
            info = os.lstat(parent)
        except OSError as error:
            raise UnsafeDirectory(f"{path}: its parent {parent}: {error.strerror}") from None
        if stat.S_ISLNK(info.st_mode):
            raise UnsafeDirectory(f"{path}: its parent {parent} is a symbolic link (give the "
                                  f"path it points to)")
        if info.st_uid not in (os.geteuid(), 0):
            raise UnsafeDirectory(f"{path}: its parent {parent} is owned by uid {info.st_uid}, "
                                  f"neither this server's account ({os.geteuid()}) nor root")
        if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
            raise UnsafeDirectory(f"{path}: its parent {parent} has mode "
                                  f"{stat.S_IMODE(info.st_mode):o}: group or others may "
                                  f"replace what it holds (chmod go-w, or the sticky bit)")


def private_directory(path: Path) -> Path:
    """`path` made (mode 0700) if missing, and checked (its parents first: nothing is made
    through a link)."""
    check_parents(path)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as error:
        raise UnsafeDirectory(f"{path}: {error.strerror}") from None
    check_private(path)
    return path


class Whole:
    """A kept response: status line, headers and body. The body is the very bytes object the
    view answered with, which its own cache (documents, SPARQL results) may hold too: kept
    once in memory, not copied."""
    __slots__ = ("status", "headers", "body", "etag")

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes, etag=None):
        self.status, self.headers, self.body, self.etag = status, headers, body, etag

    def __len__(self) -> int:
        return len(self.body)


def encode(whole: Whole) -> bytes:
    head = json.dumps({"status": whole.status, "headers": whole.headers,
                       "length": len(whole.body), "etag": whole.etag}).encode()
    return MAGIC + _HEAD.pack(len(head)) + head + bytes(whole.body)


def decode(data: bytes) -> Whole | None:
    """The response a file holds, or None if anything about it is not as we write it."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _HEAD.size:
        return None
    (size,) = _HEAD.unpack_from(data, len(MAGIC))
    start = len(MAGIC) + _HEAD.size
    if size > MAX_HEAD:
        return None
    try:
        head = json.loads(data[start:start + size])
        status, headers, length, etag = (head["status"], head["headers"], head["length"],
                                          head["etag"])
    except (ValueError, KeyError, TypeError):
        return None
    body = data[start + size:]
    if not (isinstance(status, str) and _STATUS.fullmatch(status) and length == len(body)
            and isinstance(headers, list) and all(_header(h) for h in headers)
            and (etag is None or isinstance(etag, str))):
        return None
    return Whole(status, [(name, value) for name, value in headers], body, etag)


def _header(item) -> bool:
    return (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)
            and _HEADER_NAME.fullmatch(item[0]) is not None
            and not any(c in item[1] for c in "\r\n\x00"))


class SharedResponses:
    """Kept responses in the shared directory: <root>/v-<version digest>/<key digest>, each
    written whole under a temporary name and renamed, so a reader sees a complete file or none.
    Each worker writes at most `max_bytes`."""

    def __init__(self, root: Path, max_bytes: int):
        self.root = private_directory(root)
        self.max_bytes = max_bytes
        self.written = 0
        self.version: str | None = None
        self._lock = threading.Lock()
        self._warned = False
        self._verdict, self._until = False, 0.0   # the last check, and until when it holds

    def _usable(self) -> bool:
        now = time.monotonic()
        if now < self._until:
            return self._verdict
        try:
            check_private(self.root)
            self._verdict = True
        except UnsafeDirectory as unsafe:
            if not self._warned:
                log.error("shared responses no longer used: %s", unsafe)
                self._warned = True
            self._verdict = False
        self._until = now + RECHECK_SECONDS
        return self._verdict

    def _path(self, key: tuple) -> Path:
        digest = hashlib.sha256(repr(key[:-1]).encode()).hexdigest()
        return self.root / version_directory(key[-1]) / digest

    def get(self, key: tuple) -> Whole | None:
        if not self._usable():
            return None
        try:
            fd = os.open(self._path(key), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as file:
            return decode(file.read())

    def put(self, key: tuple, whole: Whole) -> None:
        path = self._path(key)
        temporary = None
        try:
            with self._lock:
                if not self._usable():
                    return
                self._enter(path.parent)
                if self.written + len(whole) > self.max_bytes:
                    return
                self.written += len(whole)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as file:
                temporary = file.name
                file.write(encode(whole))
            os.replace(temporary, path)
        except OSError:
            # A full or vanished directory only costs the other workers a rendering.
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)

    def _enter(self, directory: Path) -> None:
        """The first time this worker sees a version: make its directory, remove the other
        versions' that this server made (requests still on them only miss), and start counting
        its bytes afresh."""
        if self.version == directory.name:
            return
        directory.mkdir(mode=0o700, exist_ok=True)
        for other in self.root.iterdir():
            if other.name != directory.name and _ours(other):
                shutil.rmtree(other, ignore_errors=True)
        self.version, self.written = directory.name, 0


def version_directory(version: str) -> str:
    """The name of a version's directory: a form no one else's directory is likely to have."""
    return "v-" + hashlib.sha256(version.encode()).hexdigest()[:16]


def _ours(path: Path) -> bool:
    """A version directory this server made: its name's form, this account's, not a link."""
    if not _VERSION_DIR.fullmatch(path.name):
        return False
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid()
