"""The per-dataset lock between processes: `filelock.FileLock`, asked without waiting.

The lock file is an empty file that is created if missing and never removed; the lock is
the operating system's (flock on Unix), so the kernel drops it when its holder exits in
any way, SIGKILL included, and nothing has to guess whether a holder is alive. This
module only adapts `filelock`'s interface to the one the fetch code uses: `acquire`
answers whether it got the lock instead of raising `filelock.Timeout`.
"""

from __future__ import annotations

import os
from pathlib import Path

import filelock


class FileLock:
    """Exclusive lock on `path`, for one holder at a time across processes.

    Usable as a context manager (blocking acquire). Two `FileLock` objects on the same
    path exclude each other, in one process as across processes.

    Args:
        path: the lock file; created (empty, never removed) if it does not exist. Its
            directory must exist.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._lock = filelock.FileLock(self.path)

    @property
    def is_locked(self) -> bool:
        """Whether this object holds the lock."""
        return self._lock.is_locked

    def acquire(self, *, blocking: bool = True) -> bool:
        """Takes the lock.

        Args:
            blocking: wait until the lock is free (no timeout: a dead holder's lock is
                dropped by the kernel); if False, return at once.

        Returns:
            True when the lock is held; False only if `blocking` is False and another
            holder has it.

        Raises:
            OSError: the lock file cannot be created or opened (e.g. a read-only
                directory).
        """
        try:
            self._lock.acquire(blocking=blocking)
        except filelock.Timeout:
            return False
        return True

    def release(self) -> None:
        """Drops the lock; does nothing if not held."""
        if self._lock.is_locked:
            self._lock.release(force=True)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()
