"""run_all on Dask: bytes in and out of tasks, refused workers, the same numbers on a
separate `dask scheduler` + `dask worker` as on the embedded cluster, and on a re-run
(which leaves the downstream of a re-run with the same results fresh)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import fixture_notebooks
import pytest

from aerun import cluster

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RUNS = ["01_baseline_autoencoder", "04_improved_autoencoder"]  # 04 reads 01's results


def test_pack_and_unpack_round_trip_of_the_files_read(tmp_path):
    src = tmp_path / "run"
    (src / "models").mkdir(parents=True)
    (src / "metrics.json").write_text("{}")
    (src / "models" / "encoder.keras").write_bytes(b"\x00weights")
    (src / "executed.html").write_text("<p>page</p>")
    data = cluster.pack(src, only={"metrics.json", "models/encoder.keras"})
    cluster.unpack(data, tmp_path / "copy")
    assert sorted(
        p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*")
    ) == [
        "metrics.json",
        "models",
        "models/encoder.keras",
    ]
    assert (tmp_path / "copy" / "models" / "encoder.keras").read_bytes() == b"\x00weights"


def test_differences_name_the_package_and_the_file():
    mine = cluster.environment_fingerprint()
    assert cluster.differences(mine, mine) == []
    theirs = json.loads(json.dumps(mine))
    theirs["packages"]["keras"] = "0.0.1"
    theirs["aelib"]["aelib/noise.py"] = "0" * 64
    found = cluster.differences(mine, theirs)
    assert any(f.startswith("package keras: ") and "0.0.1 here" in f for f in found)
    assert "file aelib/noise.py differs from the client's" in found


def test_thread_environment_covers_tensorflow_and_blas():
    env = cluster.thread_environment(3)
    assert env["OMP_NUM_THREADS"] == env["TF_NUM_INTRAOP_THREADS"] == "3"
    assert env["TF_NUM_INTEROP_THREADS"] == "3"


def test_a_notebook_process_gets_plain_pages_for_numpy_unless_told_otherwise():
    env = cluster.run_environment(2, base={"PATH": "/bin", "OMP_NUM_THREADS": "8"})
    assert env["NUMPY_MADVISE_HUGEPAGE"] == "0" and env["PATH"] == "/bin"
    assert env["OMP_NUM_THREADS"] == "2"  # the run's threads win over the environment's
    told = cluster.run_environment(1, base={"NUMPY_MADVISE_HUGEPAGE": "1"})
    assert told["NUMPY_MADVISE_HUGEPAGE"] == "1"  # a user's own setting is kept


def _command(out, *args, notebooks: Path | None = None):
    """run_all at smoke writing to `out`: on the real notebooks, or on the fixture
    notebooks in `notebooks` (tests of the machinery alone, tests/aerun/fixture_notebooks.py)."""
    args = ("--profile", "smoke", "--output", str(out), *args)
    if notebooks is None:
        return [sys.executable, str(ROOT / "run_all.py"), *args]
    return fixture_notebooks.command(notebooks, *args)


def _run_all(out, *args, timeout=900):
    return subprocess.run(
        _command(out, *args),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


def _record(out, name):
    return json.loads((out / "runs" / "seed0" / name / "run.json").read_text())


def _metrics(out, runs=RUNS):
    return {
        nb: json.loads((out / "runs" / "seed0" / nb / "metrics.json").read_text()) for nb in runs
    }


class _Cluster:
    """A `dask scheduler` and `dask worker`s as separate processes, in another directory."""

    def __init__(self, tmp_path):
        self.dir = tmp_path / "elsewhere"
        self.dir.mkdir()
        self.file = self.dir / "scheduler.json"
        self.procs = []
        # Any free ports: tests on other xdist workers may have a scheduler of their own.
        self.procs.append(
            self._start(
                "scheduler",
                "--scheduler-file",
                str(self.file),
                "--port",
                "0",
                "--dashboard-address",
                ":0",
            )
        )
        deadline = time.monotonic() + 60
        while not self.file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert self.file.is_file(), "dask scheduler did not start"
        self.address = json.loads(self.file.read_text())["address"]

    def _start(self, *args, env=None):
        return subprocess.Popen(
            [str(BIN / "dask"), *args],
            cwd=self.dir,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def worker(self, *extra, env=None):
        proc = self._start(
            "worker", self.address, "--nthreads", "1", "--nworkers", "1", *extra, env=env
        )
        self.procs.append(proc)
        return proc

    def wait_for_workers(self, n):
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            client.wait_for_workers(n, timeout=60)

    def stop(self, proc):
        with_group = os.getpgid(proc.pid)
        os.killpg(with_group, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(with_group, signal.SIGKILL)
            proc.wait()

    def close(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                self.stop(proc)


@pytest.fixture
def dask_cluster(tmp_path):
    c = _Cluster(tmp_path)
    try:
        yield c
    finally:
        c.close()


@pytest.mark.slow
def test_same_numbers_on_a_rerun_on_one_or_two_local_workers_and_a_dask_worker(
    tmp_path, dask_cluster, smoke_project
):
    one, remote = tmp_path / "one", tmp_path / "remote"
    two = smoke_project.report  # made with --workers 2 --threads-per-run 1 (conftest.py)
    # The same seed again, forced, on one local worker, while the separate scheduler and its
    # workers are tried below: 03 too, whose noise comes from the seed (its output goes to a
    # file: a pipe nobody reads for minutes could fill and stall it).
    shutil.copytree(two, one, ignore=shutil.ignore_patterns(".run_all.lock"))
    # On the Dask worker, 04 again, forced, on a copy too: it reads 01's results there, which
    # the client packs and sends to the worker with the task.
    shutil.copytree(two, remote, ignore=shutil.ignore_patterns(".run_all.lock"))
    remote_04 = _record(remote, RUNS[1])
    again = [*RUNS, "03_denoising"]
    said = tmp_path / "one.out"
    with said.open("w") as sink:
        alone = subprocess.Popen(
            _command(one, "--only", *again, "--force", "--workers", "1", "--threads-per-run", "1"),
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
        )

    # A worker with other aelib sources is refused before it executes anything.
    altered = tmp_path / "altered"
    shutil.copytree(ROOT / "aelib", altered / "aelib", ignore=shutil.ignore_patterns("__pycache__"))
    with (altered / "aelib" / "noise.py").open("a") as handle:
        handle.write("\nCHANGED_ON_THIS_WORKER = 1  # code: a comment alone is no difference\n")
    bad = dask_cluster.worker("--resources", "process=1", env={"PYTHONPATH": str(altered)})
    dask_cluster.wait_for_workers(1)
    proc = _run_all(remote, "--only", RUNS[1], "--force", "--scheduler", dask_cluster.address)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "file aelib/noise.py differs from the client's" in proc.stderr, proc.stderr
    assert _record(remote, RUNS[1]) == remote_04  # nothing ran
    dask_cluster.stop(bad)

    # A worker without the 'process' resource is refused with the command that fixes it.
    plain = dask_cluster.worker()
    dask_cluster.wait_for_workers(1)
    proc = _run_all(remote, "--only", RUNS[1], "--force", "--scheduler", dask_cluster.address)
    assert proc.returncode == 2 and "--resources process=1" in proc.stderr, proc.stderr
    assert _record(remote, RUNS[1]) == remote_04
    dask_cluster.stop(plain)

    dask_cluster.worker("--resources", "process=1")
    dask_cluster.wait_for_workers(1)
    proc = _run_all(
        remote,
        *("--only", RUNS[1], "--force", "--scheduler", dask_cluster.address),
        *("--threads-per-run", "1"),
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"on {dask_cluster.address}" in proc.stdout
    assert f"[{RUNS[0]}] cached (up to date" in proc.stdout
    assert f"[{RUNS[1]}] start on" in proc.stdout

    alone.wait(timeout=900)
    stdout = said.read_text()
    assert alone.returncode == 0, stdout[-3000:]
    assert "epoch 1/1" in stdout  # the notebooks' epoch lines reach the terminal
    assert stdout.count("] start on") == len(again)  # forced: each ran again
    assert _metrics(one, again) == _metrics(two, again)
    # An upstream re-run with the same results leaves its downstream fresh: 04 ran again
    # and wrote the same encoder (the .keras file's bytes carry its save date, what it
    # holds is the same), so 05 is neither executed nor re-keyed.
    assert "[05_fashion_transfer] cached (up to date" in stdout, stdout
    old_04 = _record(two, "04_improved_autoencoder")
    new_04 = _record(one, "04_improved_autoencoder")
    assert new_04["finished"] >= old_04["finished"]
    encoder = "models/encoder.keras"
    assert new_04["outputs"][encoder] != old_04["outputs"][encoder]
    assert _record(one, "05_fashion_transfer") == _record(two, "05_fashion_transfer")
    dry = subprocess.run(_command(one, "--dry-run"), capture_output=True, text=True, cwd=ROOT)
    assert dry.returncode == 0, dry.stdout[-3000:] + dry.stderr[-2000:]
    assert _metrics(one) == _metrics(two) == _metrics(remote)
    record = json.loads((remote / "runs/seed0/04_improved_autoencoder/run.json").read_text())
    assert record["host"]["worker"].startswith("tcp://") and record["host"]["threads"] == 1
    html = (remote / "index.html").read_text()
    assert record["host"]["worker"] in html  # the provenance says which worker ran it


@pytest.mark.slow
def test_a_killed_worker_s_run_is_retried_on_another_worker(tmp_path):
    import psutil

    os.environ["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = "1"  # as the README says
    c = _Cluster(tmp_path)
    try:
        workers = [c.worker("--resources", "process=1") for _ in range(2)]
        c.wait_for_workers(2)
        out = tmp_path / "report"
        notebooks = fixture_notebooks.write_all(
            tmp_path / "notebooks", sleep={"01_baseline_autoencoder": 6}
        )
        proc = _start_run_all(out, "--only", "01", "--scheduler", c.address, notebooks=notebooks)
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "] start on" in line:
                break
        time.sleep(3)
        busy = [
            w
            for w in workers
            if any(
                "aerun.notebook_run" in " ".join(p.cmdline())
                for p in psutil.Process(w.pid).children(recursive=True)
            )
        ]
        assert len(busy) == 1, lines
        os.killpg(os.getpgid(busy[0].pid), signal.SIGKILL)  # worker and nanny, no goodbye
        busy[0].wait()
        rest, err = proc.communicate(timeout=600)
        stdout = "".join(lines) + rest
        assert proc.returncode == 0, stdout[-3000:] + err[-3000:]
        assert stdout.count("[01_baseline_autoencoder] start on") == 2, stdout
        assert "[01_baseline_autoencoder] done" in stdout
    finally:
        os.environ.pop("DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES", None)
        c.close()


@pytest.mark.slow
@pytest.mark.skipif(not cluster._gpus(), reason="no NVIDIA GPU on this machine")
def test_gpu_workers_take_the_runs(tmp_path):
    c = _Cluster(tmp_path)
    try:
        c.worker("--resources", "process=1,GPU=1")
        c.wait_for_workers(1)
        out = tmp_path / "report"
        proc = _run_all(out, "--only", "01", "--scheduler", c.address)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert "GPU workers present" in proc.stdout
        record = json.loads((out / "runs/seed0/01_baseline_autoencoder/run.json").read_text())
        assert record["host"]["gpus"]
    finally:
        c.close()


def _start_run_all(out, *args, notebooks: Path | None = None):
    return subprocess.Popen(
        _command(out, *args, notebooks=notebooks),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _read_until(proc, lines, marker, timeout=300):
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line)
        if marker in line or time.monotonic() > deadline:
            return
    raise AssertionError(f"{marker!r} never came: {''.join(lines)[-3000:]}")


def _kill(proc):
    os.killpg(os.getpgid(proc.pid), signal.SIGKILL)  # worker and nanny, no goodbye
    proc.wait()


@pytest.mark.slow
def test_a_lost_worker_never_reruns_a_finished_run_and_says_so(tmp_path, dask_cluster):
    """One worker runs 01, then 03; it is killed during 03 and another joins: 03 runs
    again there, 01 never does."""
    first = dask_cluster.worker("--resources", "process=1")
    dask_cluster.wait_for_workers(1)
    out = tmp_path / "report"
    notebooks = fixture_notebooks.write_all(tmp_path / "notebooks", sleep={"03_denoising": 6})
    proc = _start_run_all(
        out, "--only", "01", "03", "--scheduler", dask_cluster.address, notebooks=notebooks
    )
    lines: list[str] = []
    _read_until(proc, lines, "[01_baseline_autoencoder] done")
    _read_until(proc, lines, "] start on")
    time.sleep(2)
    _kill(first)
    dask_cluster.worker("--resources", "process=1")
    rest, err = proc.communicate(timeout=600)
    stdout = "".join(lines) + rest
    assert proc.returncode == 0, stdout[-3000:] + err[-3000:]
    assert stdout.count("[01_baseline_autoencoder] start on") == 1, stdout
    assert "left; it was running 03_denoising" in stdout, stdout
    assert "[03_denoising] done" in stdout


@pytest.mark.slow
def test_no_worker_left_fails_the_waiting_runs_after_worker_wait(tmp_path, dask_cluster):
    only = dask_cluster.worker("--resources", "process=1")
    dask_cluster.wait_for_workers(1)
    out = tmp_path / "report"
    notebooks = fixture_notebooks.write_all(
        tmp_path / "notebooks", sleep={"01_baseline_autoencoder": 30}
    )
    proc = _start_run_all(
        out,
        "--only",
        "01",
        "--scheduler",
        dask_cluster.address,
        "--worker-wait",
        "5",
        notebooks=notebooks,
    )
    lines: list[str] = []
    _read_until(proc, lines, "] start on")
    time.sleep(2)
    _kill(only)
    rest, err = proc.communicate(timeout=300)
    stdout = "".join(lines) + rest
    assert proc.returncode == 1, stdout[-3000:] + err[-3000:]
    assert "no worker is left; waiting up to 5s for one to join" in stdout
    assert "[01_baseline_autoencoder] FAILED in cell None: NoWorker" in stdout
    assert "log:" not in stdout.split("NoWorker")[-1]  # no link to a log that is not there
    html = (out / "index.html").read_text()
    assert "NoWorker" in html and "executed.log" not in html


@pytest.mark.slow
def test_a_differing_worker_that_joins_later_is_refused_and_gets_no_run(tmp_path, dask_cluster):
    dask_cluster.worker("--resources", "process=1")
    dask_cluster.wait_for_workers(1)
    out = tmp_path / "report"
    # Long enough for the second worker to start and be checked while runs still wait.
    notebooks = fixture_notebooks.write_all(
        tmp_path / "notebooks", sleep={"01_baseline_autoencoder": 8, "03_denoising": 8}
    )
    proc = _start_run_all(
        out, "--only", "01", "03", "--scheduler", dask_cluster.address, notebooks=notebooks
    )
    lines: list[str] = []
    _read_until(proc, lines, "] start on")
    altered = tmp_path / "altered"
    shutil.copytree(ROOT / "aelib", altered / "aelib", ignore=shutil.ignore_patterns("__pycache__"))
    with (altered / "aelib" / "noise.py").open("a") as handle:
        handle.write("\nCHANGED_ON_THIS_WORKER = 1\n")
    dask_cluster.worker("--resources", "process=1", env={"PYTHONPATH": str(altered)})
    rest, err = proc.communicate(timeout=600)
    stdout = "".join(lines) + rest
    assert proc.returncode == 0, stdout[-3000:] + err[-3000:]
    assert "refused worker" in stdout and "file aelib/noise.py differs" in stdout, stdout
    assert "FAILED" not in stdout and stdout.count("] done in") == 2
