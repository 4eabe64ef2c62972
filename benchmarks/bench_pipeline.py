"""Wall time of the same runs through run_all's executor set up three ways.

    .venv/bin/python benchmarks/bench_pipeline.py                  # smoke, seeds 0,1,2
    .venv/bin/python benchmarks/bench_pipeline.py --real           # + the paper profile, seed 0
    .venv/bin/python benchmarks/bench_pipeline.py --real --no-smoke --configs 2x1,1x2
    .venv/bin/python benchmarks/bench_pipeline.py --estimate-only  # scaling from report/

Each configuration executes the same runs cold (`--force`, a fresh output directory):

- `1x1`, `--workers 1 --threads-per-run 1`: one notebook at a time, one thread;
- `2x1`, `--workers 2 --threads-per-run 1`: two notebooks at a time, one thread each;
- `1x2`, `--workers 1 --threads-per-run 2`: one notebook at a time, two threads.

It prints each wall time and the ratios to the first configuration timed (`--configs`
picks some, in the order given). `--real` adds the paper profile with one seed, all five
notebooks (`run_all.py --profile paper --seed 0`: the paper's ten trainings on the full
data, 20-40 min per configuration on two cores); `benchmarks/bench_paper_plain.py` times
the same trainings in plain Keras. `--no-smoke` leaves out the smoke comparison. Timings
mean something only on an otherwise idle machine.

It also prints, from the committed report's provenance (`report/metrics.json`), the
summed time of every run against the longest chain of runs that must follow each other
(01 -> 04 -> 05 within a seed, or the longest single run): the wall time of the whole
report with one worker per run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {
    "1x1": ("1 worker x 1 thread", ["--workers", "1", "--threads-per-run", "1"]),
    "2x1": ("2 workers x 1 thread", ["--workers", "2", "--threads-per-run", "1"]),
    "1x2": ("1 worker x 2 threads", ["--workers", "1", "--threads-per-run", "2"]),
}
CHAINS = (("01_baseline_autoencoder", "04_improved_autoencoder", "05_fashion_transfer"),)


def time_config(label: str, options: list[str], runs: list[str]) -> float:
    out = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    try:
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, str(ROOT / "run_all.py"), "--force", "--output", str(out)]
            + runs
            + options,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        seconds = time.monotonic() - start
        if proc.returncode != 0:
            sys.exit(f"{label}: run_all failed\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        return seconds
    finally:
        shutil.rmtree(out, ignore_errors=True)


def compare(title: str, runs: list[str], configs: list[str]) -> None:
    print(f"\n{title}: run_all {' '.join(runs)}")
    base = None
    for label, options in (CONFIGS[c] for c in configs):
        seconds = time_config(label, options, runs)
        base = base or seconds
        print(f"  {label:22s} {seconds:7.1f} s   speed-up x{base / seconds:.2f}", flush=True)


def scaling_estimate(metrics_path: Path) -> None:
    """Summed run time against the critical path, from a report's provenance."""
    try:
        report = json.loads(metrics_path.read_text())
    except (OSError, ValueError) as exc:
        print(f"\nno scaling estimate: cannot read {metrics_path} ({exc})")
        return
    wall = {(r["name"], r.get("seed")): r["wall_s"] for r in report["runs"] if r.get("wall_s")}
    total = sum(wall.values())
    seeds = sorted({seed for _, seed in wall}, key=str)
    chains = [
        (sum(wall.get((nb, seed), 0) for nb in chain), f"{' -> '.join(chain)} (seed {seed})")
        for seed in seeds
        for chain in CHAINS
    ]
    chains += [(s, f"{nb} (seed {seed})") for (nb, seed), s in wall.items()]
    longest, what = max(chains)
    print(f"\nScaling estimate from {metrics_path.relative_to(ROOT)} ({len(wall)} runs):")
    print(f"  summed run time (one worker):         {total / 60:6.1f} min")
    print(f"  longest chain, one worker per run:    {longest / 60:6.1f} min  ({what})")
    print(f"  best speed-up with {len(wall)} workers:        x{total / longest:.1f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", action="store_true", help="also time the paper profile, seed 0")
    parser.add_argument("--no-smoke", action="store_true", help="leave out the smoke profile")
    parser.add_argument(
        "--configs",
        default=",".join(CONFIGS),
        help=f"comma-separated set-ups to time, in order (default {','.join(CONFIGS)})",
    )
    parser.add_argument("--estimate-only", action="store_true", help="only the scaling estimate")
    args = parser.parse_args(argv)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown or not configs:
        parser.error(f"--configs: unknown {unknown or 'empty'}; use some of {list(CONFIGS)}")
    print(f"bench_pipeline: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    if not args.estimate_only:
        if not args.no_smoke:
            compare(
                "Smoke profile, all notebooks x 3 seeds",
                ["--profile", "smoke", "--seeds", "0,1,2"],
                configs,
            )
        if args.real:
            compare(
                "Paper profile, one seed (real training)",
                ["--profile", "paper", "--seed", "0"],
                configs,
            )
    scaling_estimate(ROOT / "report" / "metrics.json")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
