"""A run's record: the cache decision for one (notebook, seed), the run.json written
after it ran, and the provenance of the whole report."""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from aerun import gitrepo
from aerun.console import UsageError


def provenance(profile: str, seeds: list[int], total_wall_s: float, results=()) -> dict:
    """What the report records about how it was made.

    Everything but `generation` describes the runs themselves (read from their records),
    so re-rendering the same runs elsewhere gives the same report. `generation` is this
    invocation: when, from which commit, how long it took and what it executed.
    `runs_wall_s` adds up each run's own execution time, cached runs included: the wall
    time of a cold run of the same report on this machine.
    """
    from aerun import pipeline

    usable = [r for r in results if r.status in ("ok", "cached") and r.wall_s is not None]
    hosts = [r.host for r in usable if r.host]

    def distinct(key):
        values = list(dict.fromkeys(h.get(key) for h in hosts if h.get(key) is not None))
        return values[0] if len(values) == 1 else (values or None)

    return {
        "generation": {
            "generated": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_commit": gitrepo.head_commit(),
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
    from aerun import pipeline, rundirs

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
    """The run's `aerun.runstate.RunState`: fresh, or stale and why (see there)."""
    from aerun import runstate

    parameters = run_parameters(spec, seed, args)
    run_dir = out / "runs" / f"seed{seed}" / spec.name
    return runstate.check(spec, parameters, run_dir, write=write and not args.dry_run)


def upstream_bundles(spec, out: Path, seed_dir: str) -> dict:
    from aerun import cluster

    bundles = {}
    for upstream in spec.depends_on:
        run_dir = out / "runs" / seed_dir / upstream
        if run_dir.is_dir():
            bundles[upstream] = cluster.pack(run_dir, only=set(spec.reads_from(upstream)))
    return bundles


def finish_run(spec, seed_dir: str, out: Path, inputs: dict, outcome: dict, record):
    """Write a finished task's run directory into `out`: swapped in on success, kept as
    `<notebook>.failed/` otherwise. Returns the RunResult."""
    from aerun import cluster, codehash, pipeline, rundirs

    run_dir = out / "runs" / seed_dir / spec.name
    key = pipeline.cache_key(inputs)
    rundirs.discard(out / rundirs.WORK / f"{seed_dir}-{spec.name}")
    work = rundirs.work_dir(out) / f"{seed_dir}-{spec.name}"
    cluster.unpack(outcome.get("bundle") or cluster.pack(work / "none"), work)
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    host = {
        **(outcome.get("machine") or {}),
        "worker": outcome.get("worker"),
        "git_commit": gitrepo.head_commit(),
        "git_dirty": gitrepo.tree_dirty(),
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
