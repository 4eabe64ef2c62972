#!/usr/bin/env python
"""Run the experiment notebooks and render the HTML report.

    python run_all.py                      # the committed report: full profile, seeds 0,1,2
    python run_all.py --seed 0             # one seed, a third of the time
    python run_all.py --profile smoke --output /tmp/smoke-report
    python run_all.py --only 04 05 --force

Every (notebook, seed) run is a Dask task (an embedded LocalCluster with --workers N, or an
existing cluster with --scheduler ADDRESS). It executes its notebook with papermill in a
process of its own and fills one run directory, <output>/runs/seed<k>/<notebook>/: the
notebook's result files, the executed notebook's page and log, and run.json (cache key,
inputs, host, and the SHA-256 of every result file). A run directory is replaced only when
its new run succeeded; a failed attempt is kept beside it as <notebook>.failed/. A run
whose inputs (its code cells, the code of the aelib modules it imports, parameters, data
hashes, package versions, the upstream files it reads: aelib/cachekeys.py) and result
files are unchanged since its last successful run is not executed again; --dry-run says
what would run, --rekey proves a refactor harmless instead of re-running. The report is
rendered to <output>/index.html even when a notebook fails; the exit code is then 1 (2 for
a bad option, 130 after Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
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


_PRINT_LOCK = threading.Lock()
# How often run_all looks at the cluster while runs execute or wait (workers joining, leaving).
POLL_S = 2.0


def say(*args, **kwargs) -> None:
    """print, whole lines at a time: Dask's progress events print from another thread."""
    with _PRINT_LOCK:
        print(*args, **kwargs, flush=True)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Notebooks: 01_baseline_autoencoder, 02_latent_sweep, 03_denoising, "
        "04_improved_autoencoder, 05_fashion_transfer (05 uses 04's encoder; 04 shows 01's "
        "baseline next to its own), 06_variational_autoencoder (the paper's future scope; "
        "not in --profile paper).",
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
        "--dry-run",
        "-n",
        action="store_true",
        help="say which runs are fresh, which are stale and why, which are re-keyable and "
        "what would execute; execute and write nothing (exit 0 when nothing would run, "
        "1 when something would)",
    )
    parser.add_argument(
        "--rekey",
        action="store_true",
        help="for runs stale only because aelib or notebook code changed (a refactor): "
        "execute the smoke profile with the code they were keyed at and with today's, under "
        "coverage, and record the new key only when every metric and result file matches "
        "and every changed function ran; executes no full run (see README)",
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
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local Dask worker processes, one notebook at a time each (default: one per "
        "core, capped at one per 3 GB of memory; --workers 1 runs one notebook at a time)",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on an existing Dask cluster instead, e.g. tcp://scheduler-host:8786 "
        "(workers started with `dask worker ADDRESS --nthreads 1 --resources process=1`)",
    )
    parser.add_argument(
        "--threads-per-run",
        type=int,
        default=None,
        help="TensorFlow/BLAS threads of each notebook's kernel (default: the worker's share "
        "of its machine's cores; the same value gives the same numbers everywhere)",
    )
    parser.add_argument(
        "--worker-wait",
        type=float,
        default=600,
        metavar="SECONDS",
        help="with --scheduler: when no worker is left, wait this long for one to join, then "
        "fail the runs not done, render the report and exit 1 (default 600)",
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
    if not args.output.strip():
        parser.error("--output is empty: name a directory, e.g. --output /tmp/ae-report")
    if args.scheduler is not None:
        problem = scheduler_address_problem(args.scheduler)
        if problem:
            parser.error(
                f"--scheduler {args.scheduler!r}: {problem}; write it as tcp://HOST:PORT, "
                "e.g. tcp://scheduler-host:8786 (`dask scheduler` prints its address)"
            )
    if args.rekey and (args.dry_run or args.force):
        parser.error("--rekey proves runs unchanged: it goes with neither --dry-run nor --force")
    if args.worker_wait < 0:
        parser.error("--worker-wait must be >= 0 seconds")
    if args.timeout <= 0:
        parser.error("--timeout must be > 0")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be >= 1")
    if args.threads_per_run is not None and args.threads_per_run < 1:
        parser.error("--threads-per-run must be >= 1")
    if args.workers is None and not args.scheduler:
        args.workers = default_workers()
    if args.threads_per_run is None and not args.scheduler:
        args.threads_per_run = max(1, (os.cpu_count() or 1) // args.workers)
    return args


def _tree_dirty() -> bool | None:
    """Whether aelib/ or notebooks/ differ from HEAD in content (None: not a git checkout)."""
    from aelib import rekey

    try:
        return bool(rekey.uncommitted(ROOT))
    except (OSError, subprocess.CalledProcessError):
        return None


def scheduler_address_problem(address: str) -> str | None:
    """Why `address` is not a Dask scheduler address, or None (tcp://host:8786, host:8786)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
    except ValueError as exc:
        return str(exc)
    if scheme not in ("tcp", "tls", "ws", "wss", "ucx"):
        return f"{scheme}:// is not a scheme Dask speaks"
    try:
        host, port = parse_host_port(location)
    except ValueError as exc:
        return str(exc)
    if not host:
        return "it names no host"
    return None


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


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


class UsageError(Exception):
    """A problem with how run_all was called: one line, with the fix; exit code 2."""


def check_output_dir(path: str, seeds=(), notebooks=()) -> Path:
    """The output directory, created and proven writable before any notebook runs: the
    folder itself, `runs/`, each selected seed's folder and each of its existing run
    directories of `notebooks` (a run is swapped in, a record re-keyed, a page given new
    prose there)."""
    out = Path(path).expanduser().absolute()
    fix = "choose a directory you can write to, e.g. --output /tmp/ae-report"
    if out.exists() and not out.is_dir():
        raise UsageError(f"--output {out} is a file, not a directory: {fix}")
    folders = [out, out / "runs"]
    for seed in seeds:
        seed_dir = out / "runs" / f"seed{seed}"
        folders.append(seed_dir)
        folders += [seed_dir / n for n in notebooks if (seed_dir / n).is_dir()]
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            where = "" if folder == out else f": its folder {folder.relative_to(out)}"
            raise UsageError(f"--output {out} cannot be written{where} ({reason}); {fix}") from None
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
        rekeyed=[r for r in (record or {}).get("rekeyed", []) if r.get("from_commit")] or None,
    )
    failed = rundirs.failed_dir(run_dir)
    attempt = rundirs.read_json(failed / rundirs.ATTEMPT)
    if attempt and attempt.get("key") == key:
        # The current inputs failed last time: show that attempt next to the numbers.
        result.last_attempt = {
            "page": f"runs/{seed_dir}/{failed.name}/{rundirs.PAGE}"
            if (failed / rundirs.PAGE).is_file()
            else None,
            "log": f"runs/{seed_dir}/{failed.name}/{rundirs.LOG}"
            if (failed / rundirs.LOG).is_file()
            else None,
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


def check_run(spec, seed: int, args, out: Path, *, write: bool = True):
    """The run's `aelib.runstate.RunState`: fresh, or stale and why (see there)."""
    from aelib import runstate

    parameters = run_parameters(spec, seed, args)
    run_dir = out / "runs" / f"seed{seed}" / spec.name
    return runstate.check(spec, parameters, run_dir, write=write and not args.dry_run)


def default_workers() -> int:
    """Worker processes for a plain `python run_all.py`: one per core, one thread each.

    Measured on two cores (benchmarks/bench_pipeline.py): small Keras models scale poorly
    across threads, so one single-thread run per core trains more images per second than
    one run using every core. Each run's kernel holds up to about 3 GB, hence the cap.
    """
    cores = os.cpu_count() or 1
    try:
        memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory_gb = 3.0 * cores
    return max(1, min(cores, int(memory_gb // 3)))


@contextlib.contextmanager
def dask_client(args, out: Path):
    """A Dask client: an embedded LocalCluster (`--workers`) or `--scheduler ADDRESS`.

    Every worker must offer the resource `process` (one notebook kernel at a time) and
    have the client's package versions and aelib sources; otherwise UsageError.
    """
    import dask
    from distributed import Client, LocalCluster

    from aelib import cluster, rundirs

    for name in ("distributed", "tornado", "bokeh", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    # A killed worker's task is tried once more on another worker, then reported failed.
    dask.config.set({"distributed.scheduler.allowed-failures": 1})
    local = None
    if args.scheduler:
        try:
            client = Client(args.scheduler, timeout="15s")
        except (OSError, TimeoutError) as exc:
            raise UsageError(
                f"--scheduler {args.scheduler}: no Dask scheduler answers there ({exc}); "
                "start one with `dask scheduler` and workers with `dask worker ADDRESS "
                "--nthreads 1 --resources process=1`"
            ) from None
    else:
        # Workers as threads of this process: each task runs its notebook in a process
        # of its own anyway (aelib.notebook_run), and threads start in a blink.
        local = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=False,
            resources={"process": 1},
            silence_logs=logging.CRITICAL,
            # Scratch of the runs in progress: what a killed run_all leaves there is
            # removed by the next one (rundirs.recover).
            local_directory=str(rundirs.work_dir(out) / "dask"),
            dashboard_address=":0",  # any free port: the dashboard, when bokeh is there
        )
        client = Client(local)
    try:
        workers = client.scheduler_info()["workers"]
        if args.scheduler and not workers:
            client.wait_for_workers(1, timeout=30)
            workers = client.scheduler_info()["workers"]
        without = [a for a, w in workers.items() if not w.get("resources", {}).get("process")]
        if without:
            raise UsageError(
                f"worker(s) {', '.join(without)} offer no 'process' resource: start them with "
                "`dask worker ADDRESS --nthreads 1 --resources process=1` (one notebook "
                "kernel at a time per worker)"
            )
        problems = client.run(cluster.check_worker, cluster.environment_fingerprint())
        bad = {a: p for a, p in problems.items() if p}
        if bad:
            address, found = next(iter(bad.items()))
            raise UsageError(
                f"worker {address} differs from this client: {'; '.join(found[:5])}. "
                "Workers need the same lock and aelib sources (make env there)."
            )
        if client.dashboard_link and local is not None and _has_bokeh():
            print(f"run_all: Dask dashboard at {client.dashboard_link}")
        yield client
    finally:
        client.close(timeout=10)
        if local is not None:
            local.close(timeout=10)
            rundirs.discard(out / rundirs.WORK / "dask")


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def upstream_bundles(spec, out: Path, seed_dir: str) -> dict:
    from aelib import cluster

    bundles = {}
    for upstream in spec.depends_on:
        run_dir = out / "runs" / seed_dir / upstream
        if run_dir.is_dir():
            bundles[upstream] = cluster.pack(run_dir, only=set(spec.reads_from(upstream)))
    return bundles


def finish_run(spec, seed_dir: str, out: Path, inputs: dict, outcome: dict, record):
    """Write a finished task's run directory into `out`: swapped in on success, kept as
    `<notebook>.failed/` otherwise. Returns the RunResult."""
    from aelib import cluster, codehash, pipeline, rundirs

    run_dir = out / "runs" / seed_dir / spec.name
    key = pipeline.cache_key(inputs)
    rundirs.discard(out / rundirs.WORK / f"{seed_dir}-{spec.name}")
    work = rundirs.work_dir(out) / f"{seed_dir}-{spec.name}"
    cluster.unpack(outcome.get("bundle") or cluster.pack(work / "none"), work)
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    host = {
        **(outcome.get("machine") or {}),
        "worker": outcome.get("worker"),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": _tree_dirty(),
    }
    result = pipeline.RunResult(
        spec.name, spec.title, "ok", outcome.get("wall_s"), None, str(run_dir), host=host
    )
    if outcome.get("status") == "ok":
        rundirs.write_json_atomic(
            work / rundirs.RECORD,
            {
                "status": "ok",
                "key": key,
                "inputs": inputs,
                "wall_s": outcome.get("wall_s"),
                "finished": finished,
                "parameters": inputs["parameters"],
                "outputs": rundirs.hash_outputs(work),
                "host": host,
                # The commit whose code made the key (run_all --rekey starts from it),
                # and the notebook text its page shows (a prose edit is merged in).
                "keyed_at": host["git_commit"],
                "keyed_dirty": host["git_dirty"],
                "page_source": codehash.notebook_text_hash(spec.path),
            },
        )
        rundirs.swap_in(work, run_dir)
        shutil.rmtree(rundirs.failed_dir(run_dir), ignore_errors=True)
        page = run_dir / rundirs.PAGE
        if page.is_file():
            result.notebook_html = f"runs/{seed_dir}/{spec.name}/{rundirs.PAGE}"
        rundirs.discard(work)
        return result
    error = outcome.get("error") or {"cell": None, "ename": "Error", "evalue": "", "hint": ""}
    rundirs.write_json_atomic(
        work / rundirs.ATTEMPT, {"key": key, "error": error, "finished": finished}
    )
    kept = rundirs.keep_failed(work, run_dir)
    rundirs.discard(work)
    result.status, result.error = "failed", error
    result.last_attempt = {
        "page": f"runs/{seed_dir}/{kept.name}/{rundirs.PAGE}"
        if (kept / rundirs.PAGE).is_file()
        else None,
        # A task refused or lost before its notebook started has no log: no link then.
        "log": f"runs/{seed_dir}/{kept.name}/{rundirs.LOG}"
        if (kept / rundirs.LOG).is_file()
        else None,
        "error": error,
        "finished": finished,
    }
    if record:
        # The last good run stays in place: its numbers, page and log are what is shown.
        result.status, result.error = "cached", None
        result.results_from = record.get("finished")
        result.wall_s, result.host = record.get("wall_s"), record.get("host")
        result.notebook_html = f"runs/{seed_dir}/{spec.name}/{rundirs.PAGE}"
    return result


def _failure_outcome(exc: BaseException) -> dict:
    """The outcome of a task that raised instead of returning (worker died, refused...)."""
    name = type(exc).__name__
    hint = {
        "KilledWorker": "The worker running it died twice (out of memory?): see the "
        "workers' logs; the run was tried once more on another worker.",
    }.get(name, "")
    return {
        "status": "failed",
        "wall_s": None,
        "error": {"cell": None, "ename": name, "evalue": str(exc)[:2000], "hint": hint},
    }


def run_priorities(args, out: Path, notebooks) -> dict[tuple[int, str], int]:
    """Dask priority of each (seed, notebook): the longest chain of work from it, in
    seconds estimated from earlier runs here or in the committed report (aelib.priorities)."""
    from aelib import pipeline, priorities

    runs_dirs = list(dict.fromkeys([out / "runs", pipeline.ROOT / "report" / "runs"]))
    recorded = {
        spec.name: priorities.recorded_seconds(spec.name, args.profile, runs_dirs)
        for spec in notebooks
    }
    names = [spec.name for spec in notebooks]
    dependants = {n: [s.name for s in notebooks if n in s.depends_on] for n in names}
    priority = {}
    for seed in args.seeds:
        seconds = {n: priorities.estimate(f"seed{seed}", recorded[n]) for n in names}
        for name, length in priorities.path_lengths(names, dependants, seconds).items():
            priority[(seed, name)] = round(length)
    return priority


def needed_runs(args, out: Path, selected: set[str], notebooks) -> dict[int, set[str]]:
    """Per seed, the notebooks whose stale runs execute: the selected ones, and any
    upstream run of theirs that is not up to date (their results would otherwise come
    from a damaged or outdated run)."""
    from aelib import pipeline

    needed = {}
    for seed in args.seeds:
        needed[seed] = set(selected)
        for spec in reversed(notebooks):
            if spec.name in needed[seed]:
                for upstream in spec.depends_on:
                    if check_run(pipeline.BY_NAME[upstream], seed, args, out).stale is not None:
                        needed[seed].add(upstream)
    return needed


def dry_run(args, out: Path, selected: set[str]) -> int:
    """Say what a run_all with these options would do; execute and write nothing.

    Returns 0 when nothing would execute, 1 when something would.
    """
    from aelib import pipeline

    notebooks = [spec for spec in pipeline.NOTEBOOKS if spec.runs_in(args.profile)]
    needed = needed_runs(args, out, selected, notebooks)
    if args.rekey:  # a re-key executes no run of the report: it renders what is there
        needed = {seed: set() for seed in args.seeds}
    would: list[str] = []
    counts = {"fresh": 0, "stale": 0}
    for seed in args.seeds:
        executes: set[str] = set()
        for spec in notebooks:
            state = check_run(spec, seed, args, out)
            label = f"{spec.name} seed {seed}"
            after = [up for up in spec.depends_on if up in executes]
            notes = "; ".join(state.notes)
            runs = spec.name in needed[seed] and (state.stale is not None or args.force)
            if state.stale is None:
                counts["fresh"] += 1
                line = "fresh" + (f" ({notes})" if notes else "")
                if after:
                    line += f"; decided again after {', '.join(after)} runs"
                if args.force and spec.name in needed[seed]:
                    line += "; executes (--force)"
            else:
                counts["stale"] += 1
                line = f"STALE: {state.stale}"
                if state.rekeyable:
                    line += " (re-keyable: only code changed; `--rekey` may prove it)"
                line += "; executes" if runs else "; not selected, its last results are kept"
            if runs:
                executes.add(spec.name)
                would.append(label)
            say(f"  {label}: {line}")
    total = counts["fresh"] + counts["stale"]
    say(f"dry run: {total} runs: {counts['fresh']} fresh, {counts['stale']} stale")
    if would:
        say(f"would execute {len(would)} run(s): {', '.join(would)}; nothing was executed")
        return 1
    say("nothing would execute; nothing was written")
    return 0


def rekey_runs(args, out: Path, selected: set[str]) -> int:
    """`--rekey`: prove the runs stale only in code unchanged and re-key them (aelib.rekey).

    Returns 0 when every such run was re-keyed (or there was none), 1 when refused.
    """
    from aelib import pipeline, rekey, runstate

    try:
        head = rekey.clean_head()
    except rekey.Refused as exc:
        say(f"rekey refused: {exc}")
        return 1
    candidates = []
    for seed in args.seeds:
        for spec in pipeline.NOTEBOOKS:
            if not spec.runs_in(args.profile) or spec.name not in selected:
                continue
            state = check_run(spec, seed, args, out)
            label = f"{spec.name} seed {seed}"
            if state.stale is None:
                continue
            if not state.rekeyable:
                say(f"  {label}: not re-keyable ({state.stale}); left as it is")
                continue
            run_dir = out / "runs" / f"seed{seed}" / spec.name
            candidates.append(
                rekey.Candidate(seed, spec, run_dir, state.record, state.inputs, state.key)
            )
            say(f"  {label}: stale only in code ({state.stale})")
    if not candidates:
        say("rekey: no run is stale only in code; nothing to prove")
        return 0
    work = Path(tempfile.mkdtemp(prefix="aelib-rekey-"))
    try:
        notes = rekey.prove(candidates, head, work, say=say)
    except rekey.Refused as exc:
        say(f"rekey REFUSED, nothing was re-keyed: {exc}")
        say(f"    the smoke runs and their logs are kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    rekey.apply(candidates, notes, head, runstate.now())
    for c, note in zip(candidates, notes, strict=True):
        changed = ", ".join(note["functions_changed"]) or "none"
        say(
            f"  {c.spec.name} seed {c.seed}: re-keyed at {head[:12]}: "
            f"{note['metrics_matched']} metrics and {note['files_matched']} result files "
            f"matched {note['from_commit'][:12]}'s; changed and executed: {changed}"
        )
    return 0


def run_everything(args, out: Path, selected: set[str], client, results: dict) -> None:
    """Submit every (notebook, seed) run that is not up to date as a Dask task.

    A run is decided once its upstream runs in the same seed are settled (so its cache
    key sees their new results); up-to-date runs are reused without a task.
    """
    from distributed import Event, wait

    from aelib import cluster, pipeline

    several = len(args.seeds) > 1
    notebooks = [spec for spec in pipeline.NOTEBOOKS if spec.runs_in(args.profile)]
    order = [(seed, spec) for seed in args.seeds for spec in notebooks]
    label = {
        (seed, spec.name): f"{spec.name} seed {seed}" if several else spec.name
        for seed, spec in order
    }
    needed = needed_runs(args, out, selected, notebooks)
    if args.rekey:  # a re-key executes no run of the report: it renders what is there
        needed = {seed: set() for seed in args.seeds}
    priority = run_priorities(args, out, notebooks)
    cancel = Event(f"aelib-cancel-{os.getpid()}-{time.time_ns()}", client=client)

    def progress(event):
        _, msg = event
        lab = msg.get("label")
        line = msg.get("line", "")
        if line.startswith("start on "):
            say(f"[{lab}] {line}")
        else:
            say(f"    {lab}: {line}")

    client.subscribe_topic(cluster.PROGRESS_TOPIC, progress)
    # One notebook kernel per worker at a time; where workers offer GPUs, the training
    # runs (every run trains) go to them.
    resources = {"process": 1}
    if any(w.get("resources", {}).get("GPU") for w in client.scheduler_info()["workers"].values()):
        resources["GPU"] = 1
        say("run_all: GPU workers present: every run goes to a worker with a GPU")
    running: dict = {}
    # Runs that must execute, their upstream runs settled, not yet given to a worker.
    waiting: dict = {}
    watch = cluster.WorkerWatch(client, client.scheduler_info()["workers"])
    said_alone = False
    try:
        while True:
            for seed, spec in order:
                k = (seed, spec.name)
                if k in results or k in waiting or any(f_k == k for f_k, *_ in running.values()):
                    continue
                if any((seed, up) not in results for up in spec.depends_on):
                    continue  # its upstream is still running
                seed_dir = f"seed{seed}"
                state = check_run(spec, seed, args, out)
                record, stale, key = state.record, state.stale, state.key
                lab = label[k]
                if spec.name not in needed[seed] or (stale is None and not args.force):
                    result = cached_result(spec, seed_dir, out, record, key, stale)
                    _say_cached(lab, result, record, stale)
                    result.seed = seed
                    results[k] = result
                    continue
                why = "forced" if stale is None else stale
                if state.rekeyable:
                    why += "; only code changed: `--rekey` may prove it unchanged instead"
                if spec.name not in selected:
                    why += f"; needed by {', '.join(sorted(selected))}"
                waiting[k] = (spec, seed_dir, why)
            # Only as many runs as the workers have free slots, highest priority first.
            # Dask binds a resource-restricted task to one worker's queue when it is
            # submitted; held back here, a run that becomes ready later (04 when 01 ends)
            # still goes before a shorter one that was ready earlier (03).
            for line in watch.poll({f.key: label[v[0]] for f, v in running.items()}):
                say(line)
            alone = watch.none_left(time.monotonic())
            if alone is not None and (running or waiting):
                if not said_alone:
                    say(
                        f"run_all: no worker is left; waiting up to {args.worker_wait:.0f}s for "
                        "one to join (--worker-wait), then the runs not done fail"
                    )
                    said_alone = True
                if alone >= args.worker_wait:
                    _fail_for_want_of_workers(args, out, running, waiting, results, label)
                    break
            else:
                said_alone = False
            free = watch.slots(resources)
            free = max(free - len(running), 0 if running or not watch.accepted else 1)
            for k in sorted(waiting, key=lambda k: -priority[k])[:free]:
                spec, seed_dir, why = waiting.pop(k)
                # Its inputs again, now: the task carries the environment as it is now,
                # and the cache key must describe the same files (a run may wait long).
                state = check_run(spec, k[0], args, out)
                parameters, inputs, record = state.parameters, state.inputs, state.record
                say(f"[{label[k]}] queued: {spec.title} ({why})")
                task = cluster.make_task(
                    label[k],
                    spec,
                    seed_dir,
                    parameters,
                    upstream_bundles(spec, out, seed_dir),
                    timeout=args.timeout,
                    threads=args.threads_per_run,
                    cancel=cancel.name,
                )
                future = client.submit(
                    cluster.run_task,
                    task,
                    key=f"{spec.name}-{seed_dir}-{time.time_ns()}",
                    pure=False,
                    resources=resources,
                    priority=priority[k],
                    retries=0,
                )
                running[future] = (k, spec, inputs, record)
            if not running and not waiting:
                break
            if not running:  # runs wait for a worker to join
                time.sleep(POLL_S)
                continue
            try:  # look again now and then: workers that joined or left
                done = wait(list(running), timeout=POLL_S, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                continue
            for future in done:
                k, spec, inputs, record = running.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - reported, the others go on
                    outcome = _failure_outcome(exc)
                # Let go of it: a result still wanted is computed again when the worker
                # holding it dies, and a finished run must never execute twice.
                future.release()
                result = finish_run(spec, f"seed{k[0]}", out, inputs, outcome, record)
                result.seed = k[0]
                results[k] = result
                _say_finished(label[k], result, out)
    except KeyboardInterrupt:
        say(
            f"\nrun_all: Ctrl-C: stopping {len(running)} running notebook(s); what finished "
            "is kept (Ctrl-C again to quit at once)"
        )
        _second_interrupt_quits()
        with contextlib.suppress(Exception):
            cancel.set()  # every task watches it and kills its notebook
        _stop_local_notebooks()
        deadline = time.monotonic() + 10
        while running and time.monotonic() < deadline:  # until the tasks have stopped
            if all(f.status in ("finished", "error", "cancelled") for f in running):
                break
            time.sleep(0.1)
        with contextlib.suppress(Exception):
            client.cancel(list(running))
        raise
    finally:
        with contextlib.suppress(Exception):
            client.unsubscribe_topic(cluster.PROGRESS_TOPIC)


def _notebook_processes():
    """This process's notebook runners (`aelib.notebook_run`, each with its kernel)."""
    import psutil

    found = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "aelib.notebook_run" in " ".join(child.cmdline()):
                found.append(child)
    return found


def _stop_local_notebooks() -> None:
    """SIGTERM this machine's notebook runners (an embedded cluster's): each kills its
    kernel and exits at once. Remote workers' are stopped by the cancel event."""
    import psutil

    for proc in _notebook_processes():
        with contextlib.suppress(psutil.Error):
            proc.terminate()


def _second_interrupt_quits() -> None:
    """From now on, Ctrl-C kills the notebooks and this process at once."""
    import signal

    def now(signum, frame):
        import psutil

        for proc in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                proc.kill()
        print("\ninterrupted twice: stopped at once", file=sys.stderr, flush=True)
        os._exit(130)

    with contextlib.suppress(ValueError):  # not the main thread: keep the default
        signal.signal(signal.SIGINT, now)


def _fail_for_want_of_workers(args, out, running, waiting, results, label) -> None:
    """No worker came back within --worker-wait: the runs not done fail (their last good
    results, if any, stay), and the report is rendered as for any failure."""
    error = {
        "cell": None,
        "ename": "NoWorker",
        "evalue": f"no worker was left for {args.worker_wait:.0f}s (--worker-wait)",
        "hint": "Start a worker (`dask worker ADDRESS --nthreads 1 --resources process=1`) "
        "and run the same command again: what finished is kept.",
    }
    pending = [(v[0], v[1], v[2], v[3]) for v in running.values()]
    pending += [(k, spec, None, None) for k, (spec, _, _) in waiting.items()]
    for future in list(running):
        future.cancel()
    running.clear()
    for k, spec, inputs, record in pending:
        if inputs is None:
            state = check_run(spec, k[0], args, out, write=False)
            inputs, record = state.inputs, state.record
        outcome = {"status": "failed", "wall_s": None, "error": error}
        result = finish_run(spec, f"seed{k[0]}", out, inputs, outcome, record)
        result.seed = k[0]
        results[k] = result
        _say_finished(label[k], result, out)
    waiting.clear()


def _say_cached(lab: str, result, record, stale) -> None:
    if result.status == "failed":
        say(f"[{lab}] failed last time, not selected: no results")
    elif record is None:
        say(f"[{lab}] skipped (not selected, no earlier results)")
    elif stale:
        say(f"[{lab}] cached (STALE: {stale}; not selected, last results kept)")
    else:
        say(f"[{lab}] cached (up to date; ran in {record.get('wall_s', 0):.0f}s)")
    if result.last_attempt and record:
        say(f"    last attempt failed: {result.last_attempt.get('page')}")


def _say_finished(lab: str, result, out: Path) -> None:
    if result.status == "ok":
        say(f"[{lab}] done in {result.wall_s:.0f}s")
        return
    e = result.error or result.last_attempt["error"]
    say(f"[{lab}] FAILED in cell {e.get('cell')}: {e.get('ename')}: {str(e.get('evalue'))[:300]}")
    if e.get("hint"):
        say(f"    {e['hint']}")
    if result.last_attempt.get("log"):
        say(f"    log: {out / result.last_attempt['log']}")
    if result.status == "cached":
        say("    the last good results are kept and shown in the report")


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        from aelib import pipeline, rundirs
    except ModuleNotFoundError as exc:
        say(
            f"error: {exc}. Install the project first: `make report` does it, or "
            "`pip install -e .` in a Python 3.11 environment.",
            file=sys.stderr,
        )
        return 2
    try:
        specs = pipeline.select(args.only, profile=args.profile)
        if args.dry_run:
            out = Path(args.output).expanduser().absolute()
            if out.exists() and not out.is_dir():
                raise UsageError(f"--output {out} is a file, not a directory")
            print(
                f"run_all --dry-run: profile {args.profile}, seeds "
                f"{','.join(map(str, args.seeds))}, output {out}"
            )
            return dry_run(args, out, {s.name for s in specs})
        pipeline.check_kernel("python3")
        out = check_output_dir(args.output, args.seeds, [s.name for s in specs])
    except (ValueError, RuntimeError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    # TensorFlow's C++ log level for the kernels: importing aelib set it (aelib.tfquiet).
    selected = {s.name for s in specs}
    t0 = time.monotonic()
    results: dict = {}
    seeds_text = ",".join(map(str, args.seeds))
    where = args.scheduler or f"{args.workers} local worker(s)"
    try:
        with output_lock(out):
            for line in rundirs.recover(out):
                print(f"run_all: {line}")
            print(f"run_all: profile {args.profile}, seeds {seeds_text}, output {out}, on {where}")
            rekey_code = rekey_runs(args, out, selected) if args.rekey else 0
            with dask_client(args, out) as client:
                run_everything(args, out, selected, client, results)

            from aelib.report import render_report

            ordered = [
                results[(seed, spec.name)]
                for seed in args.seeds
                for spec in pipeline.NOTEBOOKS
                if (seed, spec.name) in results
            ]
            total = time.monotonic() - t0
            index = render_report(
                out,
                [r.as_dict() for r in ordered],
                provenance(args.profile, args.seeds, total, ordered),
            )
    except (UsageError, rundirs.ForeignScratch) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        done = [r for r in results.values() if r.status == "ok"]
        print(
            f"\ninterrupted: {len(done)} run(s) executed in this invocation finished and are "
            "cached; the runs in progress were discarded and their last good results kept. "
            "Run the same command again to go on.",
            file=sys.stderr,
        )
        return 130
    failed = [r.name for r in ordered if r.status == "failed" or r.last_attempt]
    print(
        f"report: {index}  ({total:.0f}s total"
        + (f"; FAILED: {', '.join(failed)})" if failed else ")")
    )
    return 1 if failed or rekey_code else 0


if __name__ == "__main__":
    sys.exit(main())
