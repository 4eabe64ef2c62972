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
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent


# Seeds run when neither --seed nor --seeds is given: the committed report's three for
# the full profile; one for smoke, which only checks the pipeline.
DEFAULT_SEEDS = {"full": (0, 1, 2), "smoke": (0,)}


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
        choices=["full", "smoke"],
        default="full",
        help="full: the paper's settings and the analyses beyond it (about 70 min per seed "
        "on 2 CPU cores); "
        "smoke: tiny data and 1 epoch, to check the pipeline (numbers not comparable)",
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


def provenance(profile: str, seeds: list[int], total_wall_s: float, results=()) -> dict:
    """What the report records about how it was made.

    `total_wall_s` is this invocation's wall time (small when every run was cached);
    `runs_wall_s` adds up each run's own execution time, cached runs included: the wall
    time of a cold run of the same report on this machine.
    """
    from aelib import pipeline

    usable = [r for r in results if r.status in ("ok", "cached") and r.wall_s is not None]
    return {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--", "aelib", "notebooks", "run_all.py")),
        "profile": profile,
        "seeds": seeds,
        "python": platform.python_version(),
        "packages": pipeline.package_versions(),
        "cpu": _cpu(),
        "cores": os.cpu_count() or 0,
        "data_hashes": pipeline.data_hashes(("mnist", "fashion_mnist")),
        "total_wall_s": round(total_wall_s, 1),
        "runs_wall_s": round(sum(r.wall_s for r in usable), 1),
        "executed_wall_s": round(sum(r.wall_s for r in usable if r.status == "ok"), 1),
    }


class _Progress(logging.Handler):
    """Prints which cell a notebook is on; papermill logs 'Executing Cell N---'."""

    def __init__(self, name: str, n_cells: int, start: float):
        super().__init__(logging.INFO)
        self.name, self.n_cells, self.start = name, n_cells, start
        self.tty = sys.stdout.isatty()

    def emit(self, record):
        msg = record.getMessage()
        if msg.startswith("Executing Cell "):
            cell = msg[len("Executing Cell ") :].strip("-")
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


def execute(spec, parameters: dict, out: Path, seed_dir: str, timeout: int):
    """Execute one notebook; returns (RunResult, executed notebook path)."""
    import nbformat
    import papermill

    from aelib import pipeline

    nb_dir = out / "notebooks" / seed_dir
    nb_dir.mkdir(parents=True, exist_ok=True)
    run_dir = out / "runs" / seed_dir / spec.name
    previous = run_dir.with_name(f".{spec.name}.previous")
    executed = nb_dir / f"{spec.name}.ipynb"
    log_path = nb_dir / f"{spec.name}.log"
    if previous.exists():
        import shutil

        shutil.rmtree(previous)
    if run_dir.exists():
        os.replace(run_dir, previous)  # restored if this run fails
    run_dir.mkdir(parents=True)

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
    tmp_executed = executed.with_name(f".{spec.name}.partial.ipynb")
    error = None
    try:
        with _stderr_to(log_path):
            papermill.execute_notebook(
                str(spec.path),
                str(tmp_executed),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(out),
                log_output=True,
                progress_bar=False,
                execution_timeout=timeout,
            )
    except Exception as exc:  # noqa: BLE001 - any failure is reported, the others go on
        error = pipeline.describe_failure(exc)
        logger.info("FAILED: %s: %s", error["ename"], error["evalue"])
    finally:
        logger.removeHandler(file_handler)
        logger.removeHandler(progress)
        file_handler.close()
        if progress.tty:
            print()
    wall = pipeline.elapsed(start)
    if tmp_executed.exists():
        os.replace(tmp_executed, executed)

    result = pipeline.RunResult(spec.name, spec.title, "ok", wall, None, str(run_dir))
    if error is None:
        if previous.exists():
            import shutil

            shutil.rmtree(previous)
    else:
        import shutil

        shutil.rmtree(run_dir, ignore_errors=True)
        if previous.exists():
            os.replace(previous, run_dir)  # what worked before is kept
        result.status, result.error = "failed", error
    return result, executed


def run_one(spec, seed: int, args, out: Path, selected: set[str]):
    """Run (or reuse) one notebook for one seed; returns its RunResult."""
    from aelib import pipeline

    seed_dir = f"seed{seed}"
    label = f"{spec.name} seed {seed}" if len(args.seeds) > 1 else spec.name
    run_dir = out / "runs" / seed_dir / spec.name
    parameters = {
        "profile": args.profile,
        "seed": seed,
        "out_dir": f"runs/{seed_dir}/{spec.name}",
        "data_dir": os.environ.get("AELIB_DATA_DIR", ""),
    }
    for param, (upstream, rel) in spec.upstream.items():
        parameters[param] = str(Path("runs") / seed_dir / upstream / rel)
    if seed != args.seeds[0]:
        parameters.update(spec.later_seed_parameters)
    key = pipeline.cache_key(pipeline.cache_inputs(spec, parameters, out / "runs" / seed_dir))
    html_rel = f"notebooks/{seed_dir}/{spec.name}.html"
    fresh = pipeline.is_fresh(run_dir, key)
    if spec.name not in selected or (fresh and not args.force):
        record = pipeline.read_record(run_dir)
        if fresh or (record and record.get("status") == "ok"):
            status = "cached"
            why = "up to date" if fresh else "not selected; last results kept (stale)"
            print(f"[{label}] cached ({why}; ran in {record.get('wall_s', 0):.0f}s)")
        else:
            status = "skipped"
            print(f"[{label}] skipped (not selected, no earlier results)")
        result = pipeline.RunResult(
            spec.name,
            spec.title,
            status,
            (record or {}).get("wall_s"),
            None,
            str(run_dir),
            html_rel if (out / html_rel).is_file() else None,
        )
        result.seed = seed
        return result

    print(f"[{label}] start: {spec.title}", flush=True)
    result, executed = execute(spec, parameters, out, seed_dir, args.timeout)
    result.seed = seed
    if executed.exists():
        from aelib.report import render_notebook_html

        try:
            render_notebook_html(executed, out / html_rel)
            result.notebook_html = html_rel
        except Exception as exc:  # noqa: BLE001 - a page that fails to render is not fatal
            print(f"    warning: could not render {executed.name} to HTML: {exc}")
    if result.status == "ok":
        pipeline.write_json_atomic(
            run_dir / pipeline.RECORD,
            {
                "status": "ok",
                "key": key,
                "wall_s": result.wall_s,
                "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "parameters": parameters,
                "outputs": pipeline.list_outputs(run_dir),
            },
        )
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
        print(f"    log: {executed.with_suffix('.log')}")
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        from aelib import pipeline
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
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    # Keep TensorFlow's C++ start-up chatter out of the notebooks and their logs.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    out = Path(args.output).resolve()
    (out / "runs").mkdir(parents=True, exist_ok=True)
    selected = {s.name for s in specs}
    t0 = time.monotonic()
    results = []
    seeds_text = ",".join(map(str, args.seeds))
    print(f"run_all: profile {args.profile}, seeds {seeds_text}, output {out}")
    for seed in args.seeds:
        for spec in pipeline.NOTEBOOKS:
            results.append(run_one(spec, seed, args, out, selected))

    from aelib.report import render_report

    total = time.monotonic() - t0
    index = render_report(
        out, [r.as_dict() for r in results], provenance(args.profile, args.seeds, total, results)
    )
    failed = [r.name for r in results if r.status == "failed"]
    print(
        f"report: {index}  ({total:.0f}s total"
        + (f"; FAILED: {', '.join(failed)})" if failed else ")")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
