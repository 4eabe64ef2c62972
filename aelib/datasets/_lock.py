"""An exclusive lock between processes on one file, held with `fcntl.flock`.

The standard POSIX advisory lock (the one the `filelock` package's `UnixFileLock` and
`flock(1)` use), not a lock format of our own: the lock file is an empty file that is
created if missing and never removed, and the lock belongs to the open file, so the
kernel drops it when the holder exits in any way, SIGKILL included. A lock left behind by
a dead process therefore cannot exist, and nothing has to guess whether a holder is alive.

`filelock` is not a dependency of this project; the few lines here replace it. Where
`fcntl` does not exist (Windows) the lock is a no-op that always succeeds; there an open
temporary file cannot be deleted anyway, and the cleanup skips what it cannot remove.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


class FileLock:
    """Exclusive lock on `path`, for one holder at a time across processes and threads.

    Usable as a context manager (blocking acquire). Not re-entrant: a second `FileLock`
    on the same path in the same process waits for the first, as another process would.

    Args:
        path: the lock file; created (empty, never removed) if it does not exist. Its
            directory must exist.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def is_locked(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

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
        if self._fd is not None:
            raise RuntimeError(f"lock {self.path} is already held by this object")
        # Read access is enough for flock; O_CREAT needs write access only to create it.
        fd = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o666)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                os.close(fd)
                return False
            except BaseException:
                os.close(fd)
                raise
        self._fd = fd
        return True

    def release(self) -> None:
        """Drops the lock (closing the file drops it); does nothing if not held."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()
