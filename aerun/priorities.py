"""Which run goes first when runs wait for a worker: the longest chain of work first.

Notebook 05 waits for 04, which waits for 01. Left to submission order, a worker that
finishes 01 takes 03 or 06 (queued earlier) before 04, and the chain 01 -> 04 -> 05, the
longest path through a seed, ends later than it needs to. Classic list scheduling gives
each run the length of the longest path from it to the end of the graph (its own time plus
its longest chain of dependants) and runs the longest first; `run_all.py` passes that as
the Dask task `priority` (higher runs first).

Times are estimated from earlier runs' records (`run.json`'s `wall_s`): the same seed's,
else the median over other seeds, preferring the same profile; a notebook with no record
anywhere counts as the median of the others, and with no record at all every run counts as
one unit, so the priority counts runs instead.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from aerun import rundirs


def recorded_seconds(name: str, profile: str, runs_dirs: Iterable[Path]) -> dict[str, float]:
    """`{seed_dir: wall_s}` of the successful recorded runs of notebook `name`.

    `runs_dirs` are `runs/` folders in order of preference (the output's own, then e.g. the
    committed report's); the first that has a record of `name` in `profile` wins, else the
    first with a record in any profile.
    """
    any_profile: dict[str, float] = {}
    for runs in runs_dirs:
        same: dict[str, float] = {}
        other: dict[str, float] = {}
        for record_path in sorted(Path(runs).glob(f"seed*/{name}/{rundirs.RECORD}")):
            record = rundirs.read_json(record_path) or {}
            wall = record.get("wall_s")
            if record.get("status") != "ok" or not isinstance(wall, int | float) or wall <= 0:
                continue
            seed_dir = record_path.parent.parent.name
            if (record.get("parameters") or {}).get("profile") == profile:
                same[seed_dir] = float(wall)
            else:
                other[seed_dir] = float(wall)
        if same:
            return same
        if other and not any_profile:
            any_profile = other
    return any_profile


def estimate(seed_dir: str, recorded: Mapping[str, float]) -> float | None:
    """This seed's recorded time, else the median of the other seeds', else None."""
    if seed_dir in recorded:
        return recorded[seed_dir]
    return statistics.median(recorded.values()) if recorded else None


def path_lengths(
    order: Sequence[str],
    dependants: Mapping[str, Sequence[str]],
    seconds: Mapping[str, float | None],
) -> dict[str, float]:
    """Each run's own time plus its longest chain of dependants, for one seed.

    `order` lists the runs upstream first. A run without an estimate (a notebook that never
    ran) counts as the median of the others; with no estimate at all, every run counts as
    one unit of time.
    """
    known = [c for n in order if (c := seconds.get(n)) is not None]
    fill = statistics.median(known) if known else 1.0
    cost = {n: fill if seconds.get(n) is None else seconds[n] for n in order}
    length: dict[str, float] = {}
    for name in reversed(order):
        below = [length[d] for d in dependants.get(name, ()) if d in length]
        length[name] = cost[name] + max(below, default=0.0)
    return length
