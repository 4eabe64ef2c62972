"""Execute one notebook with papermill, in a process of its own.

    python -m aerun.notebook_run TASK.json

`TASK.json` says which notebook, its parameters, the working directory and the run
directory to fill: `{"notebook", "parameters", "cwd", "run_dir", "timeout", "label"}`.
The run directory receives the executed notebook, its HTML page and its log (papermill's
cell log and the kernel's stderr); the notebook writes its results there itself. The
outcome goes to `<run_dir>/../outcome.json`: `{"status": "ok"|"failed", "wall_s",
"error"}`. Standard output carries one line per cell and every epoch line, for progress.

One execution per process: papermill and its kernel get a clean event loop, a kernel that
fails to start is retried once (parallel kernels can collide on ports), and a notebook's
own exception is never retried. SIGTERM or SIGINT kill the kernel and end the process, and
so does the death of the parent process (a Dask worker that was killed).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

from aerun import pipeline, rundirs

OUTCOME = "outcome.json"
EPOCH_LINE = re.compile(r"^\s*epoch \d+/\d+")
# Errors of a kernel that did not start, as opposed to errors of the notebook.
# What a kernel that did not start raises. "Kernel died before replying to kernel_info" is
# jupyter_client's word for a kernel process that exited while starting, most often because
# another process took one of the TCP ports chosen for it in the meantime (ZMQError:
# Address already in use in the kernel's stderr; jupyter_client#154, papermill#511).
KERNEL_START_ERRORS = (
    "Kernel didn't respond",
    "Kernel died before replying to kernel_info",
    "Address already in use",
    "ZMQError",
)


class _Lines(logging.Handler):
    """Turns papermill's log into progress: the cell being executed, and epoch lines."""

    def __init__(self, n_cells: int, start: float, out=sys.stdout):
        super().__init__(logging.INFO)
        self.n_cells, self.start, self.out = n_cells, start, out
        self.cell = 0  # the cell being executed, numbered as in papermill's log

    def emit(self, record):
        msg = record.getMessage()
        if msg.startswith("Executing Cell "):
            cell = msg[len("Executing Cell ") :].strip("-")
            self.cell = int(cell) if cell.isdigit() else self.cell
            seconds = time.monotonic() - self.start
            print(f"cell {cell}/{self.n_cells}  {seconds:6.0f}s", file=self.out, flush=True)
            return
        for line in msg.splitlines():
            if EPOCH_LINE.match(line):
                print(line.strip(), file=self.out, flush=True)


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Point file descriptor 2 at `path` (appending) for the duration of the block.

    The kernel is started inside the block and inherits the descriptor, so the C++
    messages TensorFlow writes straight to stderr land in the notebook's log.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.dup2(fd, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)


class _Stop:
    """SIGINT or SIGTERM during an execution: remember it and kill the kernel.

    Raising KeyboardInterrupt inside papermill's event loop can be swallowed there and
    leave the run waiting on its kernel; killing the kernel (it runs in a process session
    of its own, so a terminal's Ctrl-C does not reach it) ends the execution at once.
    Killing goes on until the execution ends, in case the kernel was still starting.
    """

    def __init__(self):
        self.hit = False
        self.done = threading.Event()

    def __call__(self, signum, frame):
        if not self.hit:
            self.hit = True
            threading.Thread(target=self._kill_children, daemon=True).start()

    def _kill_children(self):
        import psutil

        while not self.done.is_set():
            for child in psutil.Process().children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    child.kill()
            self.done.wait(0.2)

    @contextlib.contextmanager
    def installed(self):
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {s: signal.signal(s, self) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            self.done.set()
            for s, handler in previous.items():
                signal.signal(s, handler)


def _kernel_did_not_start(exc: BaseException) -> bool:
    if getattr(exc, "ename", None):  # an exception raised by the notebook's own code
        return False
    text = f"{type(exc).__name__}: {exc}"
    return any(marker in text for marker in KERNEL_START_ERRORS)


def execute(task: dict) -> dict:
    """Execute the notebook `task` describes; returns the outcome (see the module doc).

    Raises:
        KeyboardInterrupt: on SIGINT or SIGTERM, after the kernel was killed.
    """
    import nbformat
    import papermill

    run_dir, cwd = Path(task["run_dir"]), Path(task["cwd"])
    run_dir.mkdir(parents=True, exist_ok=True)
    executed, log_path = run_dir / rundirs.EXECUTED, run_dir / rundirs.LOG
    n_cells = 1 + len(nbformat.read(task["notebook"], as_version=4).cells)  # + parameters
    start = time.monotonic()
    logger = logging.getLogger("papermill")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    log_path.write_text("")  # both the handler and the kernel's stderr append to it
    file_handler = logging.FileHandler(log_path, mode="a")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    lines = _Lines(n_cells, start)
    logger.addHandler(file_handler)
    logger.addHandler(lines)
    stop = _Stop()
    error = None
    try:
        for attempt in (1, 2):
            try:
                with _stderr_to(log_path), stop.installed():
                    papermill.execute_notebook(
                        task["notebook"],
                        str(executed),
                        parameters=task["parameters"],
                        kernel_name="python3",
                        cwd=str(cwd),
                        log_output=True,
                        progress_bar=False,
                        execution_timeout=task["timeout"],
                    )
                break
            except Exception as exc:  # noqa: BLE001 - any failure is reported
                if stop.hit:
                    raise KeyboardInterrupt from None
                if attempt == 1 and lines.cell <= 1 and _kernel_did_not_start(exc):
                    logger.info("the kernel did not start (%s); retrying once", exc)
                    continue
                error = pipeline.describe_failure(exc, profile=task["parameters"].get("profile"))
                number = error["cell"] or lines.cell
                if number:
                    error["cell"] = pipeline.cell_summary(executed, number)
                if type(exc).__name__ == "CellTimeoutError":
                    error["evalue"] = f"a cell ran longer than --timeout {task['timeout']}s"
                logger.info("FAILED: %s: %s", error["ename"], error["evalue"])
                break
        if stop.hit:
            raise KeyboardInterrupt
    finally:
        logger.removeHandler(file_handler)
        logger.removeHandler(lines)
        file_handler.close()
    wall = pipeline.elapsed(start)
    if executed.exists():
        from aereport import render_notebook_html

        try:
            render_notebook_html(executed, run_dir / rundirs.PAGE)
        except Exception as exc:  # noqa: BLE001 - a page that fails to render is not fatal
            print(f"warning: could not render the executed notebook to HTML: {exc}", flush=True)
    return {"status": "ok" if error is None else "failed", "wall_s": wall, "error": error}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m aerun.notebook_run TASK.json", file=sys.stderr)
        return 2
    task = json.loads(Path(argv[0]).read_text())
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    try:
        outcome = execute(task)
    except KeyboardInterrupt:
        return 130
    rundirs.write_json_atomic(Path(task["cwd"]) / OUTCOME, outcome)
    return 0


def _exit_with_parent(parent: int) -> None:
    """Kill the kernel and exit when the parent (the worker) is gone."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    sys.exit(main())
