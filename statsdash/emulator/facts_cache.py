"""The emulator's generated month blocks kept on disk, so a restarted demo (or test run, or
benchmark) reads its synthetic facts instead of drawing them again.

Purpose: a fresh demo's first page spent about 1.6 s of CPU drawing ~580 month blocks (the
YouTube lifetime counts alone need every month since 2023); reading them back takes a few
milliseconds. The facts are the tests' ground truth, so a block read from disk must be the
block the generator would draw, bit for bit:

- the key is a hash of every emulator source file, numpy's version (the random streams) and
  the seed: a changed generator, event or catalogue is a new folder, never a stale block;
- "today" is not in the key on purpose: a day's numbers never depend on today (only which
  days are visible does, decided after the blocks are read), so one cache serves every day;
- a block that cannot be read (truncated, foreign, wrong shape) is drawn again and rewritten;
- files are 0600 in 0700 folders, written whole (temporary file + rename), read without
  pickle; folders of other keys untouched for a week are removed.

$STATSDASH_FACTS_CACHE names the folder (`off` disables the cache); default: the user's
cache folder ($XDG_CACHE_HOME or ~/.cache)/statsdash/emulator-facts.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from statsdash.emulator import catalog as cat

SOURCE_FOLDER = Path(__file__).parent
STALE_SECONDS = 7 * 24 * 3600
KEY_NAME = re.compile(r"[0-9a-f]{20}")


@functools.cache
def source_key() -> str:
    """Hash of what decides the facts: the emulator's code, numpy's version, the seed."""
    digest = hashlib.sha256(f"{np.__version__}|{cat.SEED}".encode())
    for path in sorted(SOURCE_FOLDER.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def root() -> Path | None:
    """The cache's base folder, or None when $STATSDASH_FACTS_CACHE is `off`."""
    chosen = os.environ.get("STATSDASH_FACTS_CACHE", "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = Path.home() / ".cache"
        except RuntimeError:  # no home folder (some containers): draw the facts every time
            return None
    return Path(base) / "statsdash" / "emulator-facts"


def folder(key: str | None = None) -> Path | None:
    base = root()
    return None if base is None else base / (key or source_key())


def _path(name: str, year: int, month: int, key: str | None) -> Path | None:
    where = folder(key)
    return None if where is None else where / f"{name}-{year:04d}-{month:02d}.npy"


# np.load's header: the magic of format 1.0, its length, then a dict literal with the shape.
MAGIC = b"\x93NUMPY\x01\x00"
SHAPE = re.compile(rb"'shape': \((\d+),\), ")


@functools.cache
def _header_dtype(header: bytes) -> np.dtype | None:
    """The dtype of an array file's header (its shape blanked), parsed once per layout: np.load
    parses it anew each time, most of a block's reading for ~580 files of a few layouts."""
    fields = ast.literal_eval(header.decode("latin1"))
    if not isinstance(fields, dict) or fields.get("fortran_order") is not False:
        return None
    return np.lib.format.descr_to_dtype(fields["descr"])


def _read(path: Path) -> np.ndarray:
    """The 1-d array stored at `path` (what np.load returns, without pickle)."""
    data = path.read_bytes()
    length = int.from_bytes(data[8:10], "little")
    header = data[10 : 10 + length]
    shape = SHAPE.search(header)
    if not data.startswith(MAGIC) or shape is None:
        return np.load(path, allow_pickle=False)  # another layout: numpy's own reader
    dtype = _header_dtype(header[: shape.start()] + b"'shape': (0,), " + header[shape.end() :])
    if dtype is None:
        return np.load(path, allow_pickle=False)
    # A short (truncated) file raises ValueError here, as np.load would.
    return np.frombuffer(data, dtype, int(shape.group(1)), offset=10 + length)


def load(name: str, year: int, month: int, key: str | None = None) -> dict | None:
    """The stored columns of `name`'s month, or None (not stored, unreadable, disabled)."""
    path = _path(name, year, month, key)
    if path is None:
        return None
    try:
        table = _read(path)
    except (OSError, ValueError, EOFError, SyntaxError, KeyError, TypeError):
        return None  # missing, truncated, not an array file
    if table.ndim != 1 or table.dtype.names is None:
        return None
    return {column: np.array(table[column]) for column in table.dtype.names}  # own copies


def save(name: str, year: int, month: int, columns: dict, key: str | None = None) -> None:
    """Store a month's columns; silently skipped where the cache cannot be written."""
    path = _path(name, year, month, key)
    if path is None or not columns:
        return
    arrays = list(columns.values())
    if any(a.ndim != 1 or a.dtype.hasobject or len(a) != len(arrays[0]) for a in arrays):
        return  # not plain equal-length numeric columns: keep it in memory only
    table = np.empty(len(arrays[0]), dtype=[(c, a.dtype) for c, a in columns.items()])
    for column, values in columns.items():
        table[column] = values
    try:
        _prepare(path.parent)
        fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # 0600
        with os.fdopen(fd, "wb") as out:
            np.save(out, table, allow_pickle=False)
        os.replace(temporary, path)
    except OSError:
        return  # a read-only or full disk costs speed, never the demo


ORPHAN_SECONDS = 600


@functools.cache
def _prepare(where: Path) -> None:
    """Create the key's folder (0700, its base too if missing), remove its half-written
    files left by a process that ended mid-write (the drawing thread is a daemon), and drop
    other keys' folders unused for a week (only folders named like a key: the base may be
    any folder)."""
    if not where.parent.exists():
        where.parent.mkdir(parents=True, mode=0o700)
    where.mkdir(exist_ok=True, mode=0o700)
    os.chmod(where, 0o700)
    now = time.time()
    for left in where.glob("*.tmp"):
        with contextlib.suppress(OSError):  # a write takes milliseconds: old ones are orphans
            if now - left.stat().st_mtime > ORPHAN_SECONDS:
                left.unlink()
    for other in where.parent.iterdir():
        try:
            if (
                other != where
                and KEY_NAME.fullmatch(other.name)
                and other.is_dir()
                and now - other.stat().st_mtime > STALE_SECONDS
            ):
                shutil.rmtree(other, ignore_errors=True)
        except OSError:
            pass
