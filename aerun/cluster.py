"""run_all's runs as Dask tasks, on local worker processes or on an existing cluster.

A task receives everything its run needs as data (the notebook, its parameters, the
upstream runs' result files as bytes), executes the notebook in a process of its own
(`python -m aerun.notebook_run`) inside the worker's local directory, and returns the
run directory as bytes. No filesystem is shared between the client and the workers; each
worker fetches and hash-verifies the datasets itself (`aelib.datasets`).

A worker whose package versions or `aelib` sources differ from the client's is refused
before it executes anything: its results would not match the cache key the client
computed. Progress (a line per cell, every epoch line) travels back as Dask events on
the topic `PROGRESS_TOPIC`; Ctrl-C on the client sets a Dask `Event` that every running
task watches, and the task then kills its notebook process.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

from aerun import cachekeys, codehash

PROGRESS_TOPIC = "aelib-progress"


class Cancelled(RuntimeError):
    """The client asked the running tasks to stop (Ctrl-C)."""


def environment_fingerprint() -> dict:
    """What must be equal on the client and every worker for the cache keys to hold."""
    return {
        "python": platform.python_version(),
        "packages": cachekeys.package_versions(),
        # Normalized code, as the cache keys count it: a docstring may differ. The library,
        # the machinery that runs it and the report (a worker renders a run's page).
        "aelib": {
            name: digest
            for folder in codehash.PACKAGE_DIRS
            for name, digest in codehash.sources_fingerprint(folder).items()
        },
    }


def differences(expected: dict, actual: dict) -> list[str]:
    """What differs, in words: ["keras 3.15.1 on the client, 3.15.0 here", ...]."""
    found = []
    if expected.get("python") != actual.get("python"):
        found.append(f"Python {expected.get('python')} on the client, {actual.get('python')} here")
    for kind, what in (("packages", "package"), ("aelib", "file")):
        want, have = expected.get(kind, {}), actual.get(kind, {})
        for name in sorted(set(want) | set(have)):
            if want.get(name) != have.get(name):
                if kind == "packages":
                    found.append(
                        f"{what} {name}: {want.get(name, 'missing')} on the client, "
                        f"{have.get(name, 'missing')} here"
                    )
                else:
                    found.append(f"{what} {name} differs from the client's")
    return found


def check_worker(expected: dict) -> list[str]:
    """Run on a worker (`client.run`): how it differs from the client, if at all."""
    return differences(expected, environment_fingerprint())


def pack(directory: Path, only=None) -> bytes:
    """A directory as gzipped tar bytes (paths relative to it); with `only`, just those
    relative paths (an upstream run sends the files its downstream reads, nothing else)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(Path(directory).rglob("*")):
            rel = path.relative_to(directory).as_posix()
            if path.is_file() and (only is None or rel in only):
                tar.add(path, arcname=rel, recursive=False)
    return buffer.getvalue()


def unpack(data: bytes, directory: Path) -> None:
    """Extract `pack`'s bytes into `directory` (created); refuses paths leaving it."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(directory, filter="data")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(threads: int | None = None) -> dict:
    """Where a run executes: recorded with it and shown in the report's provenance."""
    facts = {
        "host": platform.node(),
        "cpu": _cpu(),
        "cores": os.cpu_count() or 0,
        "python": platform.python_version(),
    }
    if threads:
        facts["threads"] = threads
    gpus = _gpus()
    if gpus:
        facts["gpus"] = gpus
    return facts


def _gpus() -> list[str]:
    """The NVIDIA GPUs this machine shows (`nvidia-smi -L`), if any."""
    try:
        listed = subprocess.run(
            ["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split(" (UUID")[0] for line in listed.splitlines() if line.startswith("GPU")]


def _threads_here(requested: int | None) -> int:
    """The threads one run may use on this worker: its share of the host's cores."""
    if requested:
        return requested
    try:
        from distributed import get_client, get_worker

        me = get_worker()
        host = me.address.split("://")[-1].rsplit(":", 1)[0]
        workers = get_client().scheduler_info()["workers"]
        here = sum(1 for w in workers.values() if w.get("host") == host) or 1
    except (ImportError, ValueError, KeyError):
        here = 1
    return max(1, (os.cpu_count() or 1) // here)


def run_slots(workers: dict, resources: dict) -> int:
    """How many runs the workers can execute at once: per worker, how many times it
    offers every resource a run asks for (`process=1` each, as run_all's workers do).

    `workers` is `Client.scheduler_info()["workers"]`.
    """
    slots = 0
    for worker in workers.values():
        offered = worker.get("resources") or {}
        slots += min(int(offered.get(name, 0) // amount) for name, amount in resources.items())
    return slots


def thread_environment(threads: int) -> dict:
    """Environment variables that hold TensorFlow and BLAS to `threads` threads."""
    n = str(threads)
    return {
        "OMP_NUM_THREADS": n,
        "TF_NUM_INTRAOP_THREADS": n,
        "TF_NUM_INTEROP_THREADS": n,
        "OPENBLAS_NUM_THREADS": n,
        "MKL_NUM_THREADS": n,
    }


# What every notebook's process gets unless the environment says otherwise. NumPy asks the
# kernel for transparent huge pages for each array of 4 MB or more (madvise); where the
# kernel's THP policy is madvise with defrag=madvise, as on these machines, the first touch
# of such an array stalls while the kernel assembles huge pages: a fresh 188 MB array (the
# MNIST training images as float32, which every notebook makes) took 2.0 s here, 0.12 s
# with plain pages, and a smoke run of notebook 02 spent 6.9 s in the kernel instead of
# 3.6 s. Which pages hold an array never changes a value in it: numbers are unchanged.
# (numpy.org/doc/stable/reference/global_state.html)
KERNEL_DEFAULTS = {"NUMPY_MADVISE_HUGEPAGE": "0"}


def run_environment(threads: int, base=None) -> dict:
    """The environment of one notebook's process: `base` (default: this process's), with
    `KERNEL_DEFAULTS` where it sets nothing and `thread_environment(threads)` on top."""
    base = os.environ if base is None else base
    return {**KERNEL_DEFAULTS, **base, **thread_environment(threads)}


def make_task(
    label: str,
    spec,
    seed_dir: str,
    parameters: dict,
    upstream: dict[str, bytes],
    *,
    timeout: float,
    threads: int | None,
    cancel: str,
) -> dict:
    """The plain data `run_task` needs: nothing in it refers to the client's filesystem.

    The client's environment fingerprint goes with it, taken now, as the cache key was:
    a file edited since would make the key lie, and the worker refuses the task.
    """
    return {
        "label": label,
        "name": spec.name,
        "seed_dir": seed_dir,
        "notebook": spec.path.read_bytes(),
        "parameters": parameters,
        "upstream": upstream,
        "timeout": timeout,
        "threads": threads,
        "environment": environment_fingerprint(),
        "cancel": cancel,
    }


def run_task(task: dict) -> dict:
    """Execute one (notebook, seed) run on this worker; returns its outcome and bundle.

    Args:
        task: `{"label", "name", "seed_dir", "notebook" (bytes of the .ipynb),
            "parameters", "upstream" ({notebook: bytes of its run directory}), "timeout",
            "threads" (None: this worker's share), "environment" (the client's
            fingerprint), "cancel" (name of the Dask Event that stops it)}`.

    Returns:
        `{"status", "wall_s", "error", "bundle" (bytes of the run directory), "machine",
        "worker"}`.

    Raises:
        distributed.Reschedule: this worker differs from the client; it gives up its
            `process` slot and the run goes to another worker, nothing was executed.
        Cancelled: the client set the cancel event; the notebook process was killed.
    """
    from distributed import Event, get_worker

    problems = differences(task["environment"], environment_fingerprint())
    worker = get_worker()
    if problems:
        # A worker that joined after the client checked the others: it gives up its
        # `process` slot and sends the run back to the scheduler, for another worker.
        from distributed import Reschedule
        from distributed.utils import sync

        with contextlib.suppress(Exception):
            sync(worker.loop, worker.set_resources, process=0)
        print(
            f"aelib: this worker differs from the run_all client ({'; '.join(problems[:3])}): "
            "it takes no run",
            file=sys.stderr,
        )
        raise Reschedule()
    threads = _threads_here(task.get("threads"))
    label = task["label"]

    def say(line: str) -> None:
        worker.log_event(PROGRESS_TOPIC, {"label": label, "line": line})

    say(f"start on {platform.node()} ({worker.address}, {threads} thread(s))")
    with tempfile.TemporaryDirectory(prefix="aelib-run-", dir=worker.local_directory) as tmp:
        work = Path(tmp)
        notebook = work / f"{task['name']}.ipynb"
        notebook.write_bytes(task["notebook"])
        runs = work / "runs" / task["seed_dir"]
        for upstream, data in task["upstream"].items():
            unpack(data, runs / upstream)
        run_dir = runs / task["name"]
        parameters = dict(task["parameters"])
        # Where the data are cached is this machine's business (not part of the key).
        parameters["data_dir"] = os.environ.get("AELIB_DATA_DIR", "")
        spec = {
            "notebook": str(notebook),
            "parameters": parameters,
            "cwd": str(work),
            "run_dir": str(run_dir),
            "timeout": task["timeout"],
        }
        (work / "task.json").write_text(json.dumps(spec))
        stderr_path = work / "runner.stderr"
        with open(stderr_path, "w") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", "aerun.notebook_run", str(work / "task.json")],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                env=run_environment(threads),
                start_new_session=True,
            )
            cancel = Event(task["cancel"])
            stopped = threading.Event()

            def watch():
                while proc.poll() is None:
                    with contextlib.suppress(Exception):
                        if cancel.is_set():
                            stopped.set()
                            proc.terminate()
                            return
                    time.sleep(0.25)  # Ctrl-C on the client stops the notebook within a blink

            threading.Thread(target=watch, daemon=True).start()
            try:
                for line in proc.stdout:
                    say(line.rstrip())
                code = proc.wait()
            finally:
                if proc.poll() is None:
                    proc.terminate()
                    proc.wait()
        if stopped.is_set() or code == 130:
            raise Cancelled(f"{label}: stopped by the client")
        outcome_path = work / "outcome.json"
        if code != 0 or not outcome_path.is_file():
            tail = stderr_path.read_text()[-3000:]
            raise RuntimeError(f"the notebook runner exited with code {code}: {tail}")
        outcome = json.loads(outcome_path.read_text())
        outcome["bundle"] = pack(run_dir)
        outcome["machine"] = machine(threads)
        # An embedded cluster's in-process workers have no address worth keeping.
        outcome["worker"] = "local" if worker.address.startswith("inproc://") else worker.address
        return outcome


class WorkerWatch:
    """The workers run_all may use, kept up to date while it runs.

    A worker that joins later is checked like one present at the start (`check_worker`):
    one that differs, or offers no `process` resource, is refused with the same message and
    no run is placed on it: its `process` resource is withdrawn (a run that reached it
    before that is sent back by `run_task` itself, `distributed.Reschedule`). A worker that
    leaves is reported with the runs it held; Dask tries those once more elsewhere
    (`allowed-failures`). `poll` returns the lines to print.
    """

    def __init__(self, client, workers: dict):
        self.client = client
        self._expected: dict | None = None  # the client's fingerprint, once a worker joins
        self.accepted: set[str] = set(workers)
        self.refused: set[str] = set()
        self.held: dict[str, set[str]] = {}  # worker -> task keys it was processing
        self.alone_since: float | None = None

    def poll(self, labels: dict[str, str]) -> list[str]:
        """Look at the cluster now; `labels` maps task keys to run labels."""
        lines = []
        workers = self.client.scheduler_info()["workers"]
        for address in sorted(set(workers) - self.accepted - self.refused):
            problem = self._problem(address, workers[address])
            if problem:
                self.refused.add(address)
                lines.append(f"run_all: refused worker {address} that joined: {problem}")
                self._withdraw(address)
            else:
                self.accepted.add(address)
                lines.append(f"run_all: worker {address} joined")
        for address in sorted(self.accepted - set(workers)):
            self.accepted.discard(address)
            held = sorted(labels[k] for k in self.held.pop(address, ()) if k in labels)
            lines.append(
                f"run_all: worker {address} left"
                + (
                    f"; it was running {', '.join(held)}, which Dask tries once more"
                    if held
                    else ""
                )
            )
        self.refused &= set(workers)
        try:
            processing = self.client.processing()
        except Exception:  # noqa: BLE001 - a scheduler busy with a lost worker: next time
            processing = {}
        for address, keys in processing.items():
            if address in self.accepted:
                self.held[address] = {str(k) for k in keys}
        return lines

    def _problem(self, address: str, info: dict) -> str | None:
        if not (info.get("resources") or {}).get("process"):
            return (
                "it offers no 'process' resource: start it with `dask worker ADDRESS "
                "--nthreads 1 --resources process=1`"
            )
        try:
            if self._expected is None:
                self._expected = environment_fingerprint()
            found = self.client.run(check_worker, self._expected, workers=[address])
        except Exception as exc:  # noqa: BLE001 - it left again, or cannot be asked
            return f"it could not be checked ({type(exc).__name__}: {exc})"
        problems = found.get(address) or []
        if problems:
            return (
                f"it differs from this client: {'; '.join(problems[:5])}. Workers need the "
                "same lock and aelib sources (make env there)."
            )
        return None

    def _withdraw(self, address: str) -> None:
        """Take the `process` resource off a refused worker, so that no run goes there."""

        async def withdraw(dask_worker):  # sent by value: the worker's aelib may differ
            await dask_worker.set_resources(process=0)

        with contextlib.suppress(Exception):
            self.client.run(withdraw, workers=[address])

    def slots(self, resources: dict) -> int:
        workers = self.client.scheduler_info()["workers"]
        return run_slots({a: w for a, w in workers.items() if a in self.accepted}, resources)

    def none_left(self, now: float) -> float | None:
        """Seconds since no accepted worker is left, or None while one is."""
        if self.accepted:
            self.alone_since = None
            return None
        if self.alone_since is None:
            self.alone_since = now
        return now - self.alone_since
