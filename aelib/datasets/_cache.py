"""Verification against the pinned hashes, and the one-file-per-dataset cache.

The cache file `<data_dir>/<name>.npz` is written atomically (temporary file in the
same directory, fsync, `os.replace`), so a crash leaves either the old file or the
new one, never half of one. A kill can leave the temporary `.<name>.npz.<hex>.tmp`
behind; the next start removes it (see `_scratch`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from aelib.datasets import _hashes
from aelib.datasets._formats import Arrays, arrays_from_npz


class ChecksumError(OSError):
    """Arrays whose SHA-256 does not match the pinned hash (names array and both hashes)."""


def array_sha256(a: np.ndarray) -> str:
    """SHA-256 of `np.ascontiguousarray(a).tobytes()`, the hash DATA.md pins."""
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def as_dict(arrays: Arrays) -> dict[str, np.ndarray]:
    (x_train, y_train), (x_test, y_test) = arrays
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def verify(name: str, arrays: Arrays, *, origin: str = "data") -> None:
    """Checks layout and pinned SHA-256 of all four arrays.

    Raises:
        ChecksumError: naming each array that differs, with expected and actual hash
            prefixes (or the dtype/shape problem).
    """
    expected = _hashes.ARRAY_HASHES[name]
    arrays_by_name = as_dict(arrays)
    problems = []
    for key, a in arrays_by_name.items():
        if not isinstance(a, np.ndarray) or a.dtype != np.uint8:
            problems.append(f"{key} has dtype {getattr(a, 'dtype', type(a))}, expected uint8")
            continue
        want_ndim = 3 if key.startswith("x") else 1
        if a.ndim != want_ndim or (want_ndim == 3 and a.shape[1:] != (28, 28)):
            problems.append(f"{key} has shape {a.shape}, expected (N, 28, 28) or (N,)")
            continue
        actual = array_sha256(a)
        if actual != expected[key]:
            problems.append(
                f"{key} sha256 mismatch: expected {expected[key][:12]}..., got {actual[:12]}..."
            )
    for split in ("train", "test"):
        x, y = arrays_by_name[f"x_{split}"], arrays_by_name[f"y_{split}"]
        if getattr(x, "shape", (0,))[:1] != getattr(y, "shape", (0,))[:1]:
            problems.append(f"x_{split} and y_{split} have different lengths")
    if problems:
        raise ChecksumError(f"{name} {origin} failed verification: " + "; ".join(problems))


def cache_path(data_dir: Path, name: str) -> Path:
    return Path(data_dir) / f"{name}.npz"


def read_cache(path: Path, name: str) -> Arrays:
    """Reads and verifies a cache file; raises ValueError/ChecksumError if it is bad."""
    arrays = arrays_from_npz(path)
    verify(name, arrays, origin=f"cache file {path}")
    return arrays


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[BinaryIO]:
    """Opens a temporary file next to `path`; on success it replaces `path` atomically.

    On any exception the temporary file is removed and `path` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_name = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
    # Unlike tempfile.mkstemp (always 0600), os.open honours the umask like a plain open.
    fd = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform / filesystem.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_cache(path: Path, arrays: Arrays) -> None:
    """Saves verified arrays to `path` atomically (uncompressed npz: fast to load)."""
    with atomic_open(path) as f:
        _savez(f, **as_dict(arrays))


# Looked up at call time so tests can make a write fail midway.
_savez = np.savez
