"""Which run goes first: the longest chain of estimated work (aerun.priorities)."""

import json
import logging
import threading
import time

from aerun import pipeline, priorities, rundirs

CHAIN = ["01_baseline_autoencoder", "02_latent_sweep", "04_improved_autoencoder", "05_fashion"]
DEPENDANTS = {
    "01_baseline_autoencoder": ["04_improved_autoencoder"],
    "04_improved_autoencoder": ["05_fashion"],
}


def _record(runs, seed_dir, name, wall_s, profile="full", status="ok"):
    run_dir = runs / seed_dir / name
    run_dir.mkdir(parents=True)
    record = {"status": status, "wall_s": wall_s, "parameters": {"profile": profile}}
    (run_dir / rundirs.RECORD).write_text(json.dumps(record))


def test_the_chain_01_04_05_goes_before_a_longer_single_run():
    seconds = {
        "01_baseline_autoencoder": 200.0,
        "02_latent_sweep": 1000.0,
        "04_improved_autoencoder": 400.0,
        "05_fashion": 1300.0,
    }
    length = priorities.path_lengths(CHAIN, DEPENDANTS, seconds)
    assert length == {
        "01_baseline_autoencoder": 1900.0,
        "02_latent_sweep": 1000.0,
        "04_improved_autoencoder": 1700.0,
        "05_fashion": 1300.0,
    }
    # 04 is ready once 01 is done: it must beat 02's seed-mates queued before it.
    assert length["04_improved_autoencoder"] > length["02_latent_sweep"]


def test_a_notebook_that_never_ran_counts_as_the_median_of_the_others():
    seconds = {
        "01_baseline_autoencoder": 200.0,
        "02_latent_sweep": None,
        "04_improved_autoencoder": 400.0,
        "05_fashion": 1300.0,
    }
    length = priorities.path_lengths(CHAIN, DEPENDANTS, seconds)
    assert length["02_latent_sweep"] == 400.0
    assert length["01_baseline_autoencoder"] == 1900.0


def test_without_any_estimate_runs_count_as_units():
    length = priorities.path_lengths(CHAIN, DEPENDANTS, dict.fromkeys(CHAIN))
    assert length == {
        "01_baseline_autoencoder": 3.0,
        "02_latent_sweep": 1.0,
        "04_improved_autoencoder": 2.0,
        "05_fashion": 1.0,
    }


def test_estimates_prefer_this_output_and_profile_then_other_seeds(tmp_path):
    mine, committed = tmp_path / "out" / "runs", tmp_path / "report" / "runs"
    _record(mine, "seed0", "03_denoising", 300.0)
    _record(mine, "seed1", "03_denoising", 500.0)
    _record(mine, "seed2", "03_denoising", 900.0, status="failed")
    _record(mine, "seed0", "02_latent_sweep", 50.0, profile="smoke")
    _record(committed, "seed0", "02_latent_sweep", 1200.0)
    _record(committed, "seed1", "02_latent_sweep", 800.0)

    dirs = [mine, committed]
    denoising = priorities.recorded_seconds("03_denoising", "full", dirs)
    assert denoising == {"seed0": 300.0, "seed1": 500.0}  # the failed run does not count
    assert priorities.estimate("seed1", denoising) == 500.0
    assert priorities.estimate("seed2", denoising) == 400.0  # median of the others
    sweep = priorities.recorded_seconds("02_latent_sweep", "full", dirs)
    assert sweep == {"seed0": 1200.0, "seed1": 800.0}  # the committed full run, not smoke
    smoke = priorities.recorded_seconds("02_latent_sweep", "smoke", dirs)
    assert smoke == {"seed0": 50.0}
    assert priorities.recorded_seconds("06_variational_autoencoder", "full", dirs) == {}
    assert priorities.estimate("seed0", {}) is None


def test_run_all_gives_every_selected_run_a_priority(tmp_path):
    from aerun import cli, plan

    args = cli.parse_args(["--profile", "full", "--seeds", "0,1"])
    notebooks = [s for s in pipeline.NOTEBOOKS if s.runs_in("full")]
    priority = plan.run_priorities(args, tmp_path, notebooks)
    assert set(priority) == {(seed, s.name) for seed in (0, 1) for s in notebooks}
    for seed in (0, 1):
        assert (
            priority[(seed, "01_baseline_autoencoder")]
            > priority[(seed, "04_improved_autoencoder")]
            > priority[(seed, "05_fashion_transfer")]
        )


# Shared with the in-process worker thread by name: task arguments are pickled.
_ORDER: list[str] = []
_GATE = threading.Event()


def _note(name, wait_for_gate=False):
    if wait_for_gate:
        _GATE.wait(30)
    _ORDER.append(name)
    return name


def test_dask_runs_the_higher_priority_first_among_waiting_notebook_runs():
    """What run_all relies on: with one `process` slot, queued runs start by priority, not
    by submission order."""
    from distributed import Client, LocalCluster, wait

    _ORDER.clear()
    _GATE.clear()
    with (
        LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=False,
            resources={"process": 1},
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        ) as cluster,
        Client(cluster) as client,
    ):
        res = {"process": 1}
        busy = client.submit(_note, "busy", True, key="busy", resources=res)
        low = client.submit(_note, "03", key="03", resources=res, priority=305)
        high = client.submit(_note, "04", key="04", resources=res, priority=1740)
        # submit() returns before the worker has the tasks: open the gate once both wait.
        worker = next(iter(cluster.workers.values()))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            states = {k: t.state for k, t in worker.state.tasks.items()}
            if states.get("03") == states.get("04") == "constrained":
                break
            time.sleep(0.05)
        _GATE.set()
        wait([busy, low, high], timeout=60)
    assert _ORDER == ["busy", "04", "03"]
