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
hashes, package versions, the upstream files it reads: aerun/cachekeys.py) and result
files are unchanged since its last successful run is not executed again; --dry-run says
what would run, --rekey proves a refactor harmless instead of re-running. The report is
rendered to <output>/index.html even when a notebook fails; the exit code is then 1 (2 for
a bad option, 130 after Ctrl-C).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from aerun import pipeline, rundirs
from aerun.console import UsageError
from aerun.execute import dask_client, default_workers, run_everything
from aerun.plan import dry_run, rekey_runs
from aerun.records import output_lock, provenance

ROOT = Path(__file__).resolve().parents[1]


# Seeds run when neither --seed nor --seeds is given: the committed report's three for
# the full profile; one for smoke, which only checks the pipeline.
DEFAULT_SEEDS = {"full": (0, 1, 2), "paper": (0,), "smoke": (0,)}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Notebooks: "
        + ", ".join(
            s.name + ("" if s.runs_in("paper") else " (beyond the paper; not in --profile paper)")
            for s in pipeline.NOTEBOOKS
        )
        + ". 05 uses 04's encoder; 04 shows 01's baseline next to its own.",
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


def main(argv=None) -> int:
    """run_all's command line: 0 when every run is good, 1 when one failed, 2 for a bad
    call, 130 after Ctrl-C."""
    args = parse_args(argv)
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

            from aereport import render_report

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
