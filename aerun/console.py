"""What run_all says: whole lines from any thread, and the error for a bad call."""

from __future__ import annotations

import threading

_PRINT_LOCK = threading.Lock()


def say(*args, **kwargs) -> None:
    """print, whole lines at a time: Dask's progress events print from another thread."""
    with _PRINT_LOCK:
        print(*args, **kwargs, flush=True)


class UsageError(Exception):
    """A problem with how run_all was called: one line, with the fix; exit code 2."""
