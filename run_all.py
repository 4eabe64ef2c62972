#!/usr/bin/env python
"""Run the five experiment notebooks and render the HTML report.

    python run_all.py                      # the committed report: full profile, seeds 0,1,2
    python run_all.py --seed 0             # one seed, a third of the time
    python run_all.py --profile smoke --output /tmp/smoke-report
    python run_all.py --only 04 05 --force

Each notebook is executed with papermill, once per seed, into <output>/notebooks/seed<k>/
(with its log beside it, the kernel's stderr included) and writes its result files into
<output>/runs/seed<k>/<notebook>/. A notebook whose inputs
(source, the aelib code it imports, parameters, data hashes, package versions, upstream
results) are unchanged since its last successful run is not executed again. The report is
rendered to <output>/index.html even when a notebook fails; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent


# Seeds run when neither --seed nor --seeds is given: the committed report's three for
# the full profile; one for smoke, which only checks the pipeline.
DEFAULT_SEEDS = {"full": (0, 1, 2), "paper": (0,), "smoke": (0,)}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Notebooks: 01_baseline_autoencoder, 02_latent_sweep, 03_denoising, "
        "04_improved_autoencoder, 05_fashion_transfer (05 uses 04's encoder; 04 shows 01's "
        "baseline next to its own).",
    )
    parser.add_argument(
        "--profile",
        choices=list(DEFAULT_SEEDS),
        default="full",
        help="full: the paper's settings and the analyses beyond it (about 70 min per seed "
        "on 2 CPU cores); paper: the paper's five experiments at its settings and nothing "
        "beyond them; smoke: tiny data and 1 epoch, to check the pipeline (numbers not "
        "comparable)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NOTEBOOK",
        help="run only these notebooks (names or numbers, e.g. --only 04 05); the report "
        "still shows the others' last results",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="execute the selected notebooks even when their cached results are up to date",
    )
    parser.add_argument(
        "--output",
        default=str(ROOT / "report"),
        help="output directory for the report, executed notebooks and results (default: report/)",
    )
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument(
        "--seed",
        type=int,
        help="run a single seed, e.g. --seed 0 for a full report in a third of the time",
    )
    seeds.add_argument(
        "--seeds",
        metavar="LIST",
        help="comma-separated seeds: every notebook runs once per seed and the report shows "
        "mean ± standard deviation; seeds already run are reused from the cache "
        "(default: 0,1,2 with the full profile, as in the committed report; 0 with smoke)",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=3600,
        help="seconds one notebook cell may run before it is stopped (default 3600)",
    )
    args = parser.parse_args(argv)
    if args.seeds is not None:
        try:
            args.seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        except ValueError:
            parser.error(f"--seeds must be comma-separated integers, got {args.seeds!r}")
    elif args.seed is not None:
        args.seeds = [args.seed]
    else:
        args.seeds = list(DEFAULT_SEEDS[args.profile])
    if not args.seeds or any(s < 0 for s in args.seeds) or len(set(args.seeds)) != len(args.seeds):
        parser.error("seeds must be distinct integers >= 0")
    if args.timeout <= 0:
        parser.error("--timeout must be > 0")
    return args


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def host_info() -> dict:
    """Where a run executed: recorded with it, shown in the report's provenance."""
    return {
        "host": platform.node(),
        "cpu": _cpu(),
        "cores": os.cpu_count() or 0,
        "python": platform.python_version(),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--", "aelib", "notebooks")),
    }


def provenance(profile: str, seeds: list[int], total_wall_s: float, results=()) -> dict:
    """What the report records about how it was made.

    Everything but `generation` describes the runs themselves (read from their records),
    so re-rendering the same runs elsewhere gives the same report. `generation` is this
    invocation: when, from which commit, how long it took and what it executed.
    `runs_wall_s` adds up each run's own execution time, cached runs included: the wall
    time of a cold run of the same report on this machine.
    """
    from aelib import pipeline

    usable = [r for r in results if r.status in ("ok", "cached") and r.wall_s is not None]
    hosts = [r.host for r in usable if r.host]

    def distinct(key):
        values = list(dict.fromkeys(h.get(key) for h in hosts if h.get(key) is not None))
        return values[0] if len(values) == 1 else (values or None)

    return {
        "generation": {
            "generated": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_commit": _git("rev-parse", "HEAD"),
            "total_wall_s": round(total_wall_s, 1),
            "executed_runs": sum(r.status == "ok" for r in results),
            "executed_wall_s": round(sum(r.wall_s for r in usable if r.status == "ok"), 1),
        },
        "profile": profile,
        "seeds": seeds,
        "git_commit": distinct("git_commit"),
        "git_dirty": any(h.get("git_dirty") for h in hosts),
        "python": distinct("python"),
        "cpu": distinct("cpu"),
        "cores": distinct("cores"),
        "packages": pipeline.package_versions(),
        "data_hashes": pipeline.data_hashes(("mnist", "fashion_mnist")),
        "runs_wall_s": round(sum(r.wall_s for r in usable), 1),
    }


class _Progress(logging.Handler):
    """Prints which cell a notebook is on; papermill logs 'Executing Cell N---'."""

    def __init__(self, name: str, n_cells: int, start: float):
        super().__init__(logging.INFO)
        self.name, self.n_cells, self.start = name, n_cells, start
        self.tty = sys.stdout.isatty()
        self.cell = 0  # the cell being executed, numbered as in papermill's log

    def emit(self, record):
        msg = record.getMessage()
        if msg.startswith("Executing Cell "):
            cell = msg[len("Executing Cell ") :].strip("-")
            self.cell = int(cell) if cell.isdigit() else self.cell
            seconds = time.monotonic() - self.start
            line = f"    {self.name}: cell {cell}/{self.n_cells}  {seconds:6.0f}s"
            print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", flush=True)


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Point file descriptor 2 at `path` (appending) for the duration of the block.

    The kernel is started inside the block and inherits the descriptor, so the C++
    messages TensorFlow writes straight to stderr land in the notebook's log instead of
    the terminal.
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


class _CtrlC:
    """SIGINT while a notebook executes: remember it and kill the kernel.

    Raising KeyboardInterrupt inside papermill's event loop can be swallowed there and
    leave the run waiting on its kernel; killing the kernel (its own process session, so
    a terminal's Ctrl-C does not reach it) ends the execution at once, and `execute`
    then raises KeyboardInterrupt itself.
    """

    def __init__(self):
        self.hit = False
        self.done = threading.Event()

    def __call__(self, signum, frame):
        if not self.hit:
            self.hit = True
            # Also a kernel still starting up: keep killing until the execution ends.
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
        previous = signal.signal(signal.SIGINT, self)
        try:
            yield self
        finally:
            self.done.set()
            signal.signal(signal.SIGINT, previous)


class UsageError(Exception):
    """A problem with how run_all was called: one line, with the fix; exit code 2."""


def check_output_dir(path: str) -> Path:
    """The output directory, created and proven writable before any notebook runs."""
    out = Path(path).expanduser().absolute()
    fix = "choose a directory you can write to, e.g. --output /tmp/ae-report"
    if out.exists() and not out.is_dir():
        raise UsageError(f"--output {out} is a file, not a directory: {fix}")
    try:
        (out / "runs").mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"--output {out} cannot be written ({reason}): {fix}") from None
    return out


@contextlib.contextmanager
def output_lock(out: Path):
    """Hold `<out>/.run_all.lock` so that two run_all never write the same report."""
    from filelock import FileLock, Timeout

    lock = FileLock(out / ".run_all.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise UsageError(
            f"another run_all is writing to {out} (it holds {lock.lock_file}): wait for it "
            "to finish, or use another --output"
        ) from None
    try:
        yield
    finally:
        lock.release()


def execute(spec, parameters: dict, out: Path, seed_dir: str, timeout: int, inputs: dict):
    """Execute one notebook into a scratch folder; swap it in only when it succeeds.

    The notebook runs with `<out>/.work/<seed>-<notebook>/` as its working directory,
    where `runs/<seed>/<notebook>/` is its (empty) output folder and each upstream run is
    a link to the real one: the parameters are the same relative paths as in the cache
    key. Returns a RunResult; on failure the attempt is kept as `<notebook>.failed/`.
    """
    import nbformat
    import papermill

    from aelib import pipeline, rundirs
    from aelib.report import render_notebook_html

    run_dir = out / "runs" / seed_dir / spec.name
    key = pipeline.cache_key(inputs)
    work = out / rundirs.WORK / f"{seed_dir}-{spec.name}"
    rundirs.discard(work)
    scratch = work / "runs" / seed_dir / spec.name
    scratch.mkdir(parents=True)
    for upstream in spec.depends_on:
        (work / "runs" / seed_dir / upstream).symlink_to(out / "runs" / seed_dir / upstream)
    executed, log_path = scratch / rundirs.EXECUTED, scratch / rundirs.LOG

    n_cells = 1 + len(nbformat.read(spec.path, as_version=4).cells)  # + injected parameters
    start = time.monotonic()
    logger = logging.getLogger("papermill")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    log_path.write_text("")  # both the handler and the kernel's stderr append to it
    file_handler = logging.FileHandler(log_path, mode="a")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    progress = _Progress(spec.name, n_cells, start)
    logger.addHandler(file_handler)
    logger.addHandler(progress)
    error = None
    ctrl_c = _CtrlC()
    try:
        with _stderr_to(log_path), ctrl_c.installed():
            papermill.execute_notebook(
                str(spec.path),
                str(executed),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(work),
                log_output=True,
                progress_bar=False,
                execution_timeout=timeout,
            )
        if ctrl_c.hit:
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        rundirs.discard(work)
        raise
    except Exception as exc:  # noqa: BLE001 - any failure is reported, the others go on
        if ctrl_c.hit or getattr(exc, "ename", None) == "KeyboardInterrupt":
            rundirs.discard(work)
            raise KeyboardInterrupt from None  # Ctrl-C reached the kernel first
        error = pipeline.describe_failure(exc)
        if error["cell"] is None and progress.cell:
            error["cell"] = pipeline.cell_summary(executed, progress.cell)
        if type(exc).__name__ == "CellTimeoutError":
            error["evalue"] = f"a cell ran longer than --timeout {timeout}s"
        logger.info("FAILED: %s: %s", error["ename"], error["evalue"])
    finally:
        logger.removeHandler(file_handler)
        logger.removeHandler(progress)
        file_handler.close()
        if progress.tty:
            print()
    wall = pipeline.elapsed(start)
    label = f"{spec.name} seed {seed_dir[4:]}"
    if executed.exists():
        try:
            render_notebook_html(executed, scratch / rundirs.PAGE)
        except Exception as exc:  # noqa: BLE001 - a page that fails to render is not fatal
            print(f"    warning: could not render {label} to HTML: {exc}")
    page = f"runs/{seed_dir}/{spec.name}/{rundirs.PAGE}"
    result = pipeline.RunResult(spec.name, spec.title, "ok", wall, None, str(run_dir))
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    if error is None:
        host = host_info()
        rundirs.write_json_atomic(
            scratch / rundirs.RECORD,
            {
                "status": "ok",
                "key": key,
                "inputs": inputs,
                "wall_s": wall,
                "finished": finished,
                "parameters": {
                    k: v for k, v in parameters.items() if k not in pipeline.MACHINE_PARAMETERS
                },
                "outputs": rundirs.hash_outputs(scratch),
                "host": host,
            },
        )
        rundirs.swap_in(scratch, run_dir)
        shutil.rmtree(rundirs.failed_dir(run_dir), ignore_errors=True)
        result.notebook_html = page if (run_dir / rundirs.PAGE).is_file() else None
        result.host = host
    else:
        rundirs.write_json_atomic(
            scratch / rundirs.ATTEMPT, {"key": key, "error": error, "finished": finished}
        )
        kept = rundirs.keep_failed(scratch, run_dir)
        result.status, result.error = "failed", error
        result.notebook_html = None
        result.last_attempt = {
            "page": f"runs/{seed_dir}/{kept.name}/{rundirs.PAGE}"
            if (kept / rundirs.PAGE).is_file()
            else None,
            "log": f"runs/{seed_dir}/{kept.name}/{rundirs.LOG}",
            "error": error,
            "finished": finished,
        }
    rundirs.discard(work)
    return result


def cached_result(spec, seed_dir: str, out: Path, record: dict | None, key: str, stale):
    """The RunResult of a run that is not executed now: its last good results, if any."""
    from aelib import pipeline, rundirs

    run_dir = out / "runs" / seed_dir / spec.name
    page = run_dir / rundirs.PAGE
    result = pipeline.RunResult(
        spec.name,
        spec.title,
        "cached" if record else "skipped",
        (record or {}).get("wall_s"),
        None,
        str(run_dir),
        f"runs/{seed_dir}/{spec.name}/{rundirs.PAGE}" if record and page.is_file() else None,
        stale=stale if record else None,
        host=(record or {}).get("host"),
    )
    failed = rundirs.failed_dir(run_dir)
    attempt = rundirs.read_json(failed / rundirs.ATTEMPT)
    if attempt and attempt.get("key") == key:
        # The current inputs failed last time: show that attempt next to the numbers.
        result.last_attempt = {
            "page": f"runs/{seed_dir}/{failed.name}/{rundirs.PAGE}"
            if (failed / rundirs.PAGE).is_file()
            else None,
            "log": f"runs/{seed_dir}/{failed.name}/{rundirs.LOG}",
            "error": attempt.get("error"),
            "finished": attempt.get("finished"),
        }
        if record:
            result.results_from = record.get("finished")
        else:
            result.status, result.error = "failed", attempt.get("error")
    elif failed.exists() and record and not stale:
        shutil.rmtree(failed, ignore_errors=True)  # an attempt at inputs no longer current
    return result


def run_parameters(spec, seed: int, args) -> dict:
    """The notebook's parameters for one seed: paths relative to the output directory."""
    seed_dir = f"seed{seed}"
    parameters = {
        "profile": args.profile,
        "seed": seed,
        "out_dir": f"runs/{seed_dir}/{spec.name}",
        "data_dir": os.environ.get("AELIB_DATA_DIR", ""),
    }
    for param, (upstream, rel) in spec.upstream.items():
        parameters[param] = (Path("runs") / seed_dir / upstream / rel).as_posix()
    if seed != args.seeds[0]:
        parameters.update(spec.later_seed_parameters)
    return parameters


def check_run(spec, seed: int, args, out: Path):
    """(parameters, cache inputs, last good record, why it is stale or None)."""
    from aelib import pipeline, rundirs

    seed_dir = f"seed{seed}"
    run_dir = out / "runs" / seed_dir / spec.name
    parameters = run_parameters(spec, seed, args)
    inputs = pipeline.cache_inputs(spec, parameters, out / "runs" / seed_dir)
    record = rundirs.read_record(run_dir)
    if record is None:
        return parameters, inputs, None, "never ran"
    damaged = rundirs.damage(run_dir, record, pipeline.needed_downstream(spec.name))
    if damaged:
        return parameters, inputs, record, "; ".join(damaged)
    if record.get("key") != pipeline.cache_key(inputs):
        return parameters, inputs, record, pipeline.what_changed(record.get("inputs"), inputs)
    return parameters, inputs, record, None


def run_seed(seed: int, args, out: Path, selected: set[str], results: list) -> None:
    """Run (or reuse) every notebook for one seed, in dependency order."""
    from aelib import pipeline, rundirs

    seed_dir = f"seed{seed}"
    several = len(args.seeds) > 1
    # A selected notebook pulls in any upstream run that is not up to date: its results
    # would otherwise come from a damaged or outdated run.
    needed = set(selected)
    for spec in reversed(pipeline.NOTEBOOKS):
        if spec.name in needed:
            for upstream in spec.depends_on:
                if check_run(pipeline.BY_NAME[upstream], seed, args, out)[2] is not None:
                    needed.add(upstream)
    for spec in pipeline.NOTEBOOKS:
        label = f"{spec.name} seed {seed}" if several else spec.name
        parameters, inputs, record, stale = check_run(spec, seed, args, out)
        key = pipeline.cache_key(inputs)
        if spec.name not in needed or (stale is None and not args.force):
            result = cached_result(spec, seed_dir, out, record, key, stale)
            if result.status == "failed":
                print(f"[{label}] failed last time, not selected: no results")
            elif record is None:
                print(f"[{label}] skipped (not selected, no earlier results)")
            elif stale:
                print(f"[{label}] cached (STALE: {stale}; not selected, last results kept)")
            else:
                print(f"[{label}] cached (up to date; ran in {record.get('wall_s', 0):.0f}s)")
            if result.last_attempt and record:
                print(f"    last attempt failed: {result.last_attempt.get('page')}")
            result.seed = seed
            results.append(result)
            continue
        why = "forced" if stale is None else stale
        if spec.name not in selected:
            why += f"; needed by {', '.join(sorted(selected))}"
        print(f"[{label}] start: {spec.title} ({why})", flush=True)
        result = execute(spec, parameters, out, seed_dir, args.timeout, inputs)
        result.seed = seed
        if result.status == "ok":
            print(f"[{label}] done in {result.wall_s:.0f}s", flush=True)
        else:
            e = result.error
            print(
                f"[{label}] FAILED after {result.wall_s:.0f}s in cell {e['cell']}: "
                f"{e['ename']}: {e['evalue'][:300]}",
                flush=True,
            )
            if e.get("hint"):
                print(f"    {e['hint']}")
            print(f"    log: {out / result.last_attempt['log']}")
            if record:
                print("    the last good results are kept and shown in the report")
                result.status = "cached"
                result.results_from = record.get("finished")
                result.wall_s = record.get("wall_s")
                result.host = record.get("host")
                result.notebook_html = f"runs/{seed_dir}/{spec.name}/{rundirs.PAGE}"
                result.error = None
        results.append(result)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        from aelib import pipeline, rundirs
    except ModuleNotFoundError as exc:
        print(
            f"error: {exc}. Install the project first: `make report` does it, or "
            "`pip install -e .` in a Python 3.10-3.12 environment.",
            file=sys.stderr,
        )
        return 2
    try:
        specs = pipeline.select(args.only)
        pipeline.check_kernel("python3")
        out = check_output_dir(args.output)
    except (ValueError, RuntimeError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    # TensorFlow's C++ log level for the kernels: importing aelib set it (aelib.tfquiet).
    selected = {s.name for s in specs}
    t0 = time.monotonic()
    results: list = []
    seeds_text = ",".join(map(str, args.seeds))
    try:
        with output_lock(out):
            for line in rundirs.recover(out):
                print(f"run_all: {line}")
            print(f"run_all: profile {args.profile}, seeds {seeds_text}, output {out}")
            for seed in args.seeds:
                run_seed(seed, args, out, selected, results)

            from aelib.report import render_report

            total = time.monotonic() - t0
            index = render_report(
                out,
                [r.as_dict() for r in results],
                provenance(args.profile, args.seeds, total, results),
            )
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        done = [r for r in results if r.status == "ok"]
        print(
            f"\ninterrupted: {len(done)} run(s) executed in this invocation finished and are "
            "cached; the run in progress was discarded and its last good results kept. "
            "Run the same command again to go on.",
            file=sys.stderr,
        )
        return 130
    failed = [r.name for r in results if r.status == "failed" or r.last_attempt]
    print(
        f"report: {index}  ({total:.0f}s total"
        + (f"; FAILED: {', '.join(failed)})" if failed else ")")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
