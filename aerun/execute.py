"""The Dask side of run_all: the client and its workers, the submit loop that runs
every needed (notebook, seed) as a task, and Ctrl-C."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from pathlib import Path

from aerun.console import UsageError, say
from aerun.plan import needed_runs, run_priorities
from aerun.records import (
    _failure_outcome,
    cached_result,
    check_run,
    finish_run,
    upstream_bundles,
)

POLL_S = 2.0


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

    from aerun import cluster, rundirs

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
        # of its own anyway (aerun.notebook_run), and threads start in a blink.
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
        # Workers of an embedded cluster are threads of this process: nothing to compare.
        remote = [a for a in workers if not a.startswith("inproc://")]
        problems = (
            client.run(cluster.check_worker, cluster.environment_fingerprint(), workers=remote)
            if remote
            else {}
        )
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
        # A close that times out (a task still stopping after Ctrl-C) must not replace the
        # exception that is ending the run: every result is already on disk by now.
        with contextlib.suppress(Exception):
            client.close(timeout=10)
        if local is not None:
            with contextlib.suppress(Exception):
                local.close(timeout=10)
            rundirs.discard(out / rundirs.WORK / "dask")


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def run_everything(args, out: Path, selected: set[str], client, results: dict) -> None:
    """Submit every (notebook, seed) run that is not up to date as a Dask task.

    A run is decided once its upstream runs in the same seed are settled (so its cache
    key sees their new results); up-to-date runs are reused without a task.
    """
    from distributed import Event, wait

    from aerun import cluster, pipeline

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
        _second_interrupt_quits()  # before saying so: a second Ctrl-C may follow at once
        say(
            f"\nrun_all: Ctrl-C: stopping {len(running)} running notebook(s); what finished "
            "is kept (Ctrl-C again to quit at once)"
        )
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
    """This process's notebook runners (`aerun.notebook_run`, each with its kernel)."""
    import psutil

    found = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "aerun.notebook_run" in " ".join(child.cmdline()):
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
        try:  # nothing here may keep this process from ending with 130
            import psutil

            for proc in psutil.Process().children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            print("\ninterrupted twice: stopped at once", file=sys.stderr, flush=True)
        finally:
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
