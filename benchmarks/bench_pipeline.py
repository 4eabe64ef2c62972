"""Wall time of the same runs through run_all's executor set up three ways.

    .venv/bin/python benchmarks/bench_pipeline.py                  # smoke, seeds 0,1,2
    .venv/bin/python benchmarks/bench_pipeline.py --real           # + a short real training
    .venv/bin/python benchmarks/bench_pipeline.py --estimate-only  # scaling from report/

Each configuration executes the same runs cold (`--force`, a fresh output directory):

- `--workers 1 --threads-per-run 1`: one notebook at a time, one thread (the baseline);
- `--workers 2 --threads-per-run 1`: two notebooks at a time, one thread each;
- `--workers 1 --threads-per-run 2`: one notebook at a time, two threads.

It prints each wall time and the ratios to the first. `--real` adds the paper profile's
notebooks 01 and 03 under seeds 0 and 1 (real training on the full data, about 20 min per
configuration on two cores). Timings mean something only on an otherwise idle machine.

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
CONFIGS = [
    ("1 worker x 1 thread", ["--workers", "1", "--threads-per-run", "1"]),
    ("2 workers x 1 thread", ["--workers", "2", "--threads-per-run", "1"]),
    ("1 worker x 2 threads", ["--workers", "1", "--threads-per-run", "2"]),
]
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


def compare(title: str, runs: list[str]) -> None:
    print(f"\n{title}: run_all {' '.join(runs)}")
    base = None
    for label, options in CONFIGS:
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
    parser.add_argument("--real", action="store_true", help="also time a short real training")
    parser.add_argument("--estimate-only", action="store_true", help="only the scaling estimate")
    args = parser.parse_args(argv)
    print(f"bench_pipeline: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    if not args.estimate_only:
        compare("Smoke profile, 5 notebooks x 3 seeds", ["--profile", "smoke", "--seeds", "0,1,2"])
        if args.real:
            compare(
                "Paper profile, notebooks 01 and 03 x 2 seeds (real training)",
                ["--profile", "paper", "--seeds", "0,1", "--only", "01", "03"],
            )
    scaling_estimate(ROOT / "report" / "metrics.json")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
