"""What run_all would do before it does it: the runs that are needed, their order,
`--dry-run` and `--rekey`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from aerun.console import say
from aerun.records import check_run


def run_priorities(args, out: Path, notebooks) -> dict[tuple[int, str], int]:
    """Dask priority of each (seed, notebook): the longest chain of work from it, in
    seconds estimated from earlier runs here or in the committed report (aerun.priorities)."""
    from aerun import pipeline, priorities

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
    from aerun import pipeline

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
    from aerun import pipeline

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
    """`--rekey`: prove the runs stale only in code unchanged and re-key them (aerun.rekey).

    Returns 0 when every such run was re-keyed (or there was none), 1 when refused.
    """
    from aerun import pipeline, rekey, runstate

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
