"""A multi-objective search of the code size: validation BCE against code size, with Optuna.

The paper chose 16 dimensions "as a balanced choice" (section 4.2) from four trained sizes.
Here the question is asked systematically: Optuna's TPE sampler (seeded) proposes a code
size between 2 and 64 (log scale), the Dense layer before it (none, 64, 128 or 256 units)
and the widths of the two convolutions (16-8, 32-16 or 64-32), notebook 02's
dense-bottleneck autoencoder (`aelib.models.build_dense_bottleneck_autoencoder`) is
trained with the study's optimiser (Adam 1e-3, BCE) on a training subset, and the two
objectives are the BCE on held-out training images (never the test set) and the code
size, both minimised. The first trials are notebook 02's fixed architecture at its code
sizes (`enqueue_trial`), so the fixed sweep is measured under the same protocol.

Every trial also fits a **linear probe**: a logistic regression (scikit-learn) on the
frozen codes of the fitting images, scored on the held-out ones: a code size that is good
for reconstruction need not be good for classification.

The Pareto front (`front`) is Optuna's best trials: no other trial is both smaller and
better. Its knee (`knee`, the Kneedle method of Satopaa et al. 2011 via the `kneed`
package) is the size past which more dimensions buy little.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from aelib.params import check_int

__all__ = [
    "WIDTHS",
    "HIDDEN_CHOICES",
    "FIXED_HIDDEN",
    "run_search",
    "trial_rows",
    "front",
    "knee",
    "linear_probe",
    "save_trials",
]

# Widths of the two convolutions the sampler chooses from (notebook 02: 32-16).
WIDTHS = {"16-8": (16, 8), "32-16": (32, 16), "64-32": (64, 32)}
# Units of the Dense layer before the code; 0 is none (notebook 02: 128).
HIDDEN_CHOICES = (0, 64, 128, 256)
FIXED_HIDDEN, FIXED_WIDTH = 128, "32-16"


def linear_probe(codes_fit, labels_fit, codes_val, labels_val, *, seed: int = 0) -> float:
    """Held-out accuracy of a logistic regression on standardised frozen codes."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500, random_state=seed))
    probe.fit(np.asarray(codes_fit, np.float64), labels_fit)
    return float(probe.score(np.asarray(codes_val, np.float64), labels_val))


def _objective(data: dict, *, epochs: int, batch_size: int, seed: int, code_range, log):
    from optuna.trial import TrialState

    from aelib import models, set_seed, training

    def objective(trial) -> tuple[float, int]:
        d = trial.suggest_int("latent_dim", code_range[0], code_range[1], log=True)
        hidden = trial.suggest_categorical("hidden_units", list(HIDDEN_CHOICES))
        width = trial.suggest_categorical("widths", list(WIDTHS))
        # TPE may propose a configuration again: the same seed would train the same model,
        # so the earlier trial's numbers are reused and no training is spent on it.
        for done in trial.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            if done.params == trial.params:
                for key, value in done.user_attrs.items():
                    if key != "fixed":
                        trial.set_user_attr(key, value)
                trial.set_user_attr("repeat_of", done.number)
                log(f"trial {trial.number:2d}: trial {done.number}'s configuration again (reused)")
                return tuple(done.values)
        set_seed(seed)
        ae = models.build_dense_bottleneck_autoencoder(
            d, filters=WIDTHS[width], hidden_units=[hidden] if hidden else []
        )
        start = time.monotonic()
        training.train(
            ae.autoencoder,
            data["x_fit"],
            data["x_fit"],
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            log=False,
        )
        val_bce = training.evaluate_bce(ae.autoencoder, data["x_val"], data["x_val"])
        probe = linear_probe(
            training.predict(ae.encoder, data["x_fit"]),
            data["y_fit"],
            training.predict(ae.encoder, data["x_val"]),
            data["y_val"],
            seed=seed,
        )
        trial.set_user_attr("probe_acc", probe)
        trial.set_user_attr("params", int(ae.autoencoder.count_params()))
        trial.set_user_attr("seconds", round(time.monotonic() - start, 1))
        log(
            f"trial {trial.number:2d}: d = {d:2d}, Dense {hidden or '-':>3}, widths {width:5s}"
            f"  val BCE {val_bce:.4f}  probe {probe:.3f}  ({time.monotonic() - start:.0f} s)"
        )
        return val_bce, d

    return objective


def run_search(
    x_fit: np.ndarray,
    y_fit: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    trials: int,
    epochs: int,
    batch_size: int,
    seed: int,
    fixed_dims: Sequence[int] = (2, 8, 16, 32),
    code_range: tuple[int, int] = (2, 64),
    storage: str | Path | None = None,
    study_name: str = "latent_search",
    log: Callable[[str], None] = print,
):
    """Run the search (see the module) and return the Optuna study.

    Args:
        x_fit, y_fit: the images the models train on, and their labels (the probe only).
        x_val, y_val: held-out images and labels: the validation BCE and probe accuracy.
        trials: trials in all, >= len(fixed_dims) + 1; the first are the fixed sweep.
        epochs, batch_size: of every trial's training.
        seed: seeds the sampler, every model and every probe.
        fixed_dims: the code sizes of notebook 02's architecture enqueued first.
        code_range: the smallest and largest code size the sampler may propose.
        storage: a path for Optuna's journal file (the study, loadable with
            `optuna.load_study`), or None to keep it in memory.
        study_name: the study's name in that file.
        log: where the one line per trial goes.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # one line per trial is ours
    seed = check_int("seed", seed, minimum=0)
    fixed_dims = [check_int("fixed_dims[]", d) for d in fixed_dims]
    low, high = (check_int("code_range[]", v) for v in code_range)
    if low >= high:
        raise ValueError(f"code_range must be (smallest, largest), smaller first: {code_range}")
    if any(not low <= d <= high for d in fixed_dims):
        raise ValueError(f"fixed_dims {fixed_dims} must lie in code_range {code_range}")
    trials = check_int("trials", trials, minimum=len(fixed_dims) + 1)
    if storage is not None:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        Path(storage).unlink(missing_ok=True)  # a fresh study per run
        storage = JournalStorage(JournalFileBackend(str(storage)))
    study = optuna.create_study(
        study_name=study_name,
        storage=storage,
        directions=["minimize", "minimize"],
        # The enqueued fixed sweep and two random trials come first, then TPE proposes.
        sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=len(fixed_dims) + 2),
    )
    for d in fixed_dims:
        study.enqueue_trial(
            {"latent_dim": d, "hidden_units": FIXED_HIDDEN, "widths": FIXED_WIDTH},
            user_attrs={"fixed": True},
        )
    data = {"x_fit": x_fit, "y_fit": y_fit, "x_val": x_val, "y_val": y_val}
    objective = _objective(
        data, epochs=epochs, batch_size=batch_size, seed=seed, code_range=(low, high), log=log
    )
    study.optimize(objective, n_trials=trials)
    return study


def trial_rows(study) -> list[dict]:
    """Every finished trial as a plain row: number, the three choices, val BCE, code size,
    probe accuracy, parameters, seconds, whether it is notebook 02's fixed architecture,
    the earlier trial it repeats ("" for none) and whether it is on the Pareto front."""
    on_front = {t.number for t in study.best_trials}
    rows = []
    for t in study.trials:
        if t.values is None:
            continue
        rows.append(
            {
                "trial": t.number,
                "latent_dim": int(t.params["latent_dim"]),
                "hidden_units": int(t.params["hidden_units"]),
                "widths": t.params["widths"],
                "val_bce": float(t.values[0]),
                "probe_acc": float(t.user_attrs["probe_acc"]),
                "params": int(t.user_attrs["params"]),
                "seconds": float(t.user_attrs["seconds"]),
                "fixed": bool(t.user_attrs.get("fixed", False)),
                "repeat_of": t.user_attrs.get("repeat_of", ""),
                "on_front": t.number in on_front,
            }
        )
    return rows


def front(rows: Sequence[dict]) -> list[dict]:
    """The Pareto front of `trial_rows`, one row per code size (the lowest BCE), sorted by
    code size: along it the BCE falls as the code grows."""
    best: dict[int, dict] = {}
    for row in rows:
        if row["on_front"] and (
            row["latent_dim"] not in best or row["val_bce"] < best[row["latent_dim"]]["val_bce"]
        ):
            best[row["latent_dim"]] = row
    return [best[d] for d in sorted(best)]


def knee(xs: Sequence[float], ys: Sequence[float], *, curve: str, direction: str) -> float | None:
    """The knee of a curve by Kneedle (`kneed.KneeLocator`), or None when there is none
    (fewer than three points, or a straight line). For the front: `curve="convex",
    direction="decreasing"`; for an accuracy that rises and saturates: `"concave",
    "increasing"`. The code sizes are spaced on a log scale, so the knee is found in
    log2(code size), where the paper's grid 2-8-16-32 is nearly even."""
    from kneed import KneeLocator

    if len(xs) < 3 or len(set(xs)) < 3:
        return None
    logs = [math.log2(x) for x in xs]
    found = KneeLocator(logs, list(ys), curve=curve, direction=direction).knee
    return None if found is None else float(round(2**found))


def save_trials(rows: Sequence[dict], out_dir, name: str) -> str:
    """`trial_rows` as `<out_dir>/<name>.csv`, one line per trial, written atomically."""
    import csv
    import io

    from aelib.outputs import results

    if not rows:
        raise ValueError("no trials to save")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return results.atomic_write_text(Path(out_dir) / f"{name}.csv", buffer.getvalue())
