"""Re-runs never lose or mislabel good results: interrupts, failures, damaged outputs,
bad options. Uses tiny fixture notebooks (no training) wired like the real five."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock
from fixture_notebooks import EXTRA, NAMES, command, fixture_body, write_notebook

import run_all
from aerun import cli, rundirs

ROOT = Path(__file__).resolve().parents[2]
# One xdist worker takes the whole module (`make test` distributes with --dist loadgroup), so
# its good report is made once per test run, not once on each worker.
pytestmark = pytest.mark.xdist_group("run_all_reruns")


def run(nb_dir: Path, out: Path, *args, env=None, timeout=300):
    """run_all on the fixture notebooks, in a subprocess like a user's."""
    proc = subprocess.run(
        command(nb_dir, "--profile", "smoke", "--output", str(out), *args),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def good_report(tmp_path_factory):
    """Fixture notebooks and one complete, successful report made from them."""
    base = tmp_path_factory.mktemp("base")
    nb_dir = base / "notebooks"
    nb_dir.mkdir()
    for name in NAMES:
        write_notebook(nb_dir, name)
    code, stdout, stderr = run(nb_dir, base / "report")
    assert code == 0, stdout + stderr
    assert stdout.count("] done in") == len(NAMES)
    return base


@pytest.fixture
def world(good_report, tmp_path):
    """A private copy of the good report: (notebook dir, output dir)."""
    shutil.copytree(good_report, tmp_path / "w", symlinks=True)
    return tmp_path / "w" / "notebooks", tmp_path / "w" / "report"


def _record(out: Path, name: str) -> str:
    return (out / "runs" / "seed0" / name / rundirs.RECORD).read_text()


def _start_and_wait(nb_dir, out, *args, name="02_latent_sweep", wait=4):
    proc = subprocess.Popen(
        command(nb_dir, "--profile", "smoke", "--output", str(out), *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "FIXTURE_SLOW": name, "FIXTURE_SLEEP": "120"},
        start_new_session=True,  # its own process group, like a job in a terminal
        # A shell's background job ignores SIGINT, and a child inherits that: give run_all
        # the default handling a terminal's foreground job has.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    for line in proc.stdout:
        if f"[{name}] start" in line:
            break
    time.sleep(wait)  # after 4 s the kernel is inside the slow cell
    return proc


@pytest.mark.slow
@pytest.mark.parametrize(
    "sig, after",
    [(signal.SIGINT, 4), (signal.SIGINT, 0), (signal.SIGKILL, 4)],
    ids=["ctrl-c", "ctrl-c-while-the-kernel-starts", "kill"],
)
def test_an_interrupted_rerun_keeps_the_last_good_results(world, sig, after):
    nb_dir, out = world
    before = _record(out, "02_latent_sweep")
    proc = _start_and_wait(nb_dir, out, "--only", "02", "--force", wait=after)
    os.killpg(proc.pid, sig)  # Ctrl-C in a terminal signals the whole foreground group
    code = proc.wait(timeout=180)  # generous: a loaded CI machine is slow to stop kernels
    stderr = proc.stderr.read()
    if sig == signal.SIGINT:
        assert code == 130
        assert "interrupted:" in stderr and "Traceback" not in stderr, stderr
        assert len(stderr.strip().splitlines()) == 1, stderr
        assert not (out / rundirs.WORK).exists()
        # said at once, before the notebooks are stopped
        assert "run_all: Ctrl-C: stopping 1 running notebook(s)" in proc.stdout.read()
    assert _record(out, "02_latent_sweep") == before

    code, stdout, stderr = run(nb_dir, out, "--only", "01")
    assert code == 0, stdout + stderr
    assert "[02_latent_sweep] cached (up to date" in stdout, stdout
    if sig == signal.SIGKILL:
        assert "removed the scratch folder" in stdout
    assert not (out / rundirs.WORK).exists()


@pytest.mark.slow
def test_a_second_ctrl_c_quits_at_once_and_leaves_no_notebook_behind(world):
    import psutil

    nb_dir, out = world
    before = _record(out, "02_latent_sweep")
    proc = _start_and_wait(nb_dir, out, "--only", "02", "--force")
    os.killpg(proc.pid, signal.SIGINT)
    for line in proc.stdout:
        if "Ctrl-C: stopping" in line:
            break
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    stderr = proc.stderr.read()
    assert "Traceback" not in stderr, stderr
    time.sleep(1)
    left = [
        p
        for p in psutil.process_iter(["cmdline"])
        if str(out) in " ".join(p.info["cmdline"] or []) and p.pid != os.getpid()
    ]
    assert left == []
    assert _record(out, "02_latent_sweep") == before


@pytest.mark.slow
def test_a_failed_rerun_keeps_the_good_run_and_shows_the_attempt(world):
    nb_dir, out = world
    good_page = (out / "runs/seed0/03_denoising" / rundirs.PAGE).read_text()
    write_notebook(nb_dir, "03_denoising", body="raise ValueError('boom in cell three')")
    code, stdout, stderr = run(nb_dir, out)
    assert code == 1, stdout + stderr
    assert "[03_denoising] FAILED" in stdout and "last good results are kept" in stdout
    # one numbering for cells everywhere: the executed notebook's, with the first line
    assert "FAILED in cell 4 of 4 (raise ValueError('boom in cell three'))" in stdout, stdout
    # The last good run's numbers, page and log stay together ...
    run_dir = out / "runs" / "seed0" / "03_denoising"
    assert json.loads((run_dir / "metrics.json").read_text()) == {"mnist.denoise.val_bce": 0.07}
    assert (run_dir / rundirs.PAGE).read_text() == good_page
    # ... and the failed attempt sits beside them under its own name.
    failed = rundirs.failed_dir(run_dir)
    assert "boom in cell three" in (failed / rundirs.PAGE).read_text()
    html = (out / "index.html").read_text()
    assert "last attempt failed" in html and "runs/seed0/03_denoising.failed/" in html
    assert "earlier successful run" in html
    ok = f"{len(NAMES)} notebooks: {len(NAMES) - 1} ok, 1 ok from an earlier run"
    assert ok + " (its last attempt failed)." in html
    report = json.loads((out / "metrics.json").read_text())
    assert report["metrics"]["mnist.denoise.val_bce"] == 0.07
    row = next(r for r in report["runs"] if r["name"] == "03_denoising")
    assert row["status"] == "cached" and row["last_attempt_failed"]

    # Not selected and still failing: the attempt is still shown.
    code, stdout, _ = run(nb_dir, out, "--only", "01")
    assert "last attempt failed" in (out / "index.html").read_text()
    # Fixed (here: back to the good source): up to date, the stale attempt is gone.
    write_notebook(nb_dir, "03_denoising")
    code, stdout, stderr = run(nb_dir, out)
    assert code == 0, stdout + stderr
    assert stdout.count("cached (up to date") == len(NAMES)
    assert not failed.exists() and "last attempt failed" not in (out / "index.html").read_text()


@pytest.mark.slow
def test_a_damaged_output_makes_its_run_and_the_runs_downstream_stale(world):
    nb_dir, out = world
    encoder = out / "runs/seed0/04_improved_autoencoder/models/encoder.keras"
    encoder.write_text("garbage")
    code, stdout, stderr = run(nb_dir, out, "--only", "01")
    assert code == 0, stdout + stderr
    assert "[04_improved_autoencoder] cached (STALE: models/encoder.keras changed" in stdout
    assert "[05_fashion_transfer] cached (STALE: upstream 04_improved_autoencoder" in stdout
    assert "models/encoder.keras changed" in (out / "index.html").read_text()

    # Asking for 05 re-runs 04 first (05 would read the damaged file). 04 writes the same
    # encoder again, so 05's inputs are those it ran with: it is up to date. (A real
    # .keras file records when it was saved, so there 05 re-runs too.)
    code, stdout, stderr = run(nb_dir, out, "--only", "05")
    assert code == 0, stdout + stderr
    assert "[04_improved_autoencoder] start" in stdout and "needed by 05" in stdout
    assert "[05_fashion_transfer] cached (up to date" in stdout
    assert encoder.read_text() == "weights"
    # Once 04's encoder really differs, 05 re-runs.
    write_notebook(nb_dir, "05_fashion_transfer", body="raise ValueError('must not run')")
    encoder.write_text("other weights")
    code, stdout, _ = run(nb_dir, out, "--only", "05")
    assert "[04_improved_autoencoder] start" in stdout and "[05_fashion_transfer] start" in stdout
    write_notebook(nb_dir, "05_fashion_transfer")

    # A large local-only model may be missing (a fresh clone has none), not changed.
    big = out / "runs/seed0/04_improved_autoencoder/models/improved.keras"
    big.unlink()
    assert run(nb_dir, out)[1].count("cached (up to date") == len(NAMES)
    big.write_text("changed")
    assert "models/improved.keras changed since the run" in run(nb_dir, out, "--only", "01")[1]


@pytest.mark.slow
def test_changing_one_notebook_reruns_it_and_its_dependants_only(world):
    nb_dir, out = world

    def started(stdout):
        return sorted(line.split("]")[0][1:] for line in stdout.splitlines() if "] start" in line)

    # 04's metric changes, its encoder (all 05 reads of it) does not: 05 stays fresh.
    write_notebook(nb_dir, "04_improved_autoencoder", value=0.06)
    code, stdout, stderr = run(nb_dir, out)
    assert code == 0, stdout + stderr
    assert started(stdout) == ["04_improved_autoencoder"], stdout
    assert "the notebook's code changed" in stdout
    assert "[05_fashion_transfer] cached (up to date" in stdout
    # 01's metric changes: 04 reads it and runs again; 05 still reads the same encoder.
    write_notebook(nb_dir, "01_baseline_autoencoder", value=0.08)
    code, stdout, stderr = run(nb_dir, out)
    assert code == 0, stdout + stderr
    assert started(stdout) == ["01_baseline_autoencoder", "04_improved_autoencoder"], stdout
    assert "upstream 01_baseline_autoencoder's metrics.json changed" in stdout
    # 04 writes another encoder: 05 runs again.
    extra = EXTRA["04_improved_autoencoder"].replace('"weights"', '"other weights"')
    write_notebook(
        nb_dir,
        "04_improved_autoencoder",
        body=fixture_body("04_improved_autoencoder", value=0.06, extra=extra),
    )
    write_notebook(
        nb_dir, "05_fashion_transfer", body=fixture_body("05_fashion_transfer", extra="")
    )
    code, stdout, stderr = run(nb_dir, out)
    assert code == 0, stdout + stderr
    assert started(stdout) == ["04_improved_autoencoder", "05_fashion_transfer"], stdout
    assert "upstream 04_improved_autoencoder's models/encoder.keras changed" in stdout
    code, stdout, _ = run(nb_dir, out, "--force")
    assert stdout.count("] start") == len(NAMES)


@pytest.mark.slow
def test_a_timeout_names_the_cell(world):
    nb_dir, out = world
    code, stdout, stderr = run(
        nb_dir,
        out,
        "--only",
        "01",
        "--force",
        "--timeout",
        "2",
        env={"FIXTURE_SLOW": "01_baseline_autoencoder", "FIXTURE_SLEEP": "30"},
    )
    assert code == 1
    assert "in cell 4 of 4 (import json, os, pathlib, time)" in stdout, stdout
    assert "a cell ran longer than --timeout 2s" in stdout
    assert "cell None" not in stdout and "Traceback" not in stdout + stderr


@pytest.mark.parametrize("kind", ["file", "proc"])
def test_an_unusable_output_directory_is_one_line_before_anything_runs(tmp_path, capsys, kind):
    if kind == "file":
        target = tmp_path / "a-file"
        target.write_text("x")
        expected = "is a file, not a directory"
    else:
        target = Path("/proc/aelib-report")
        expected = "cannot be written"
    assert run_all.main(["--profile", "smoke", "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --output {target}") and expected in err, err
    assert "--output /tmp/" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("address", ["foo", "127.0.0.1", "http://host:8786"])
def test_a_bad_scheduler_address_is_one_line(address, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.parse_args(["--scheduler", address])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert f"error: --scheduler {address!r}: " in err[-1]  # argparse: its usage, then this
    assert "tcp://HOST:PORT" in err[-1] and "Traceback" not in "\n".join(err)


def test_an_empty_output_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.parse_args(["--output", ""])
    assert exit_.value.code == 2
    assert "--output is empty" in capsys.readouterr().err


def test_a_work_folder_run_all_did_not_make_is_kept(tmp_path, capsys):
    out = tmp_path / "report"
    mine = out / rundirs.WORK
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("a user's own folder")
    assert run_all.main(["--profile", "smoke", "--output", str(out), "--only", "01"]) == 2
    err = capsys.readouterr().err
    assert "was not made by run_all" in err and len(err.strip().splitlines()) == 1
    assert (mine / "notes.txt").read_text() == "a user's own folder"


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr")
def test_a_run_folder_that_cannot_be_written_is_refused_before_anything_runs(world, capsys):
    nb_dir, out = world
    runs = out / "runs"
    locked = subprocess.run(["chattr", "-R", "+i", str(runs)], capture_output=True)
    if locked.returncode != 0:
        pytest.skip(f"chattr +i is not allowed here: {locked.stderr.decode().strip()}")
    index_before = (out / "index.html").read_bytes()
    try:
        code, stdout, stderr = run(nb_dir, out, "--force", "--only", "03")
    finally:
        subprocess.run(["chattr", "-R", "-i", str(runs)], check=True)
    assert code == 2, stdout + stderr
    assert "cannot be written: its folder runs (" in stderr
    assert "Operation not permitted" in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1 and "queued" not in stdout
    assert (out / "index.html").read_bytes() == index_before


def test_a_second_run_all_on_the_same_output_is_refused(tmp_path, capsys):
    out = tmp_path / "report"
    out.mkdir()
    with FileLock(out / ".run_all.lock"):
        code = subprocess.run(
            [sys.executable, "run_all.py", "--profile", "smoke", "--output", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert code.returncode == 2
    assert "another run_all is writing to" in code.stderr, code.stderr
