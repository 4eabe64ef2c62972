"""The code-size search of notebook 08 (aelib.search.latent) on a few hundred digits: the
fixed sweep first, a seeded sampler, a Pareto front that falls as the code grows, a knee,
the trials as a table and the study as a file Optuna reads back."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from aelib import datasets
from aelib.search import latent


@pytest.fixture(scope="module")
def split():
    (x, y), _ = datasets.load_data("mnist")
    x = datasets.to_float_images(x[:500])
    return x[:400], y[:400], x[400:], y[:500][400:]


@pytest.fixture(scope="module")
def searched(split, tmp_path_factory):
    journal = tmp_path_factory.mktemp("search") / "study.journal"
    lines = []
    study = latent.run_search(
        *split,
        trials=5,
        epochs=1,
        batch_size=100,
        seed=3,
        fixed_dims=(2, 16, 16),
        storage=journal,
        study_name="test_search",
        log=lines.append,
    )
    return study, journal, lines


def test_the_fixed_sweep_comes_first_and_a_repeat_is_not_trained_again(searched):
    study, _, lines = searched
    rows = latent.trial_rows(study)
    assert len(rows) == 5
    assert [(r["latent_dim"], r["hidden_units"], r["widths"]) for r in rows[:3]] == [
        (2, latent.FIXED_HIDDEN, latent.FIXED_WIDTH),
        (16, latent.FIXED_HIDDEN, latent.FIXED_WIDTH),
        (16, latent.FIXED_HIDDEN, latent.FIXED_WIDTH),
    ]
    assert [r["fixed"] for r in rows] == [True, True, True, False, False]
    assert rows[2]["repeat_of"] == 1 and rows[2]["val_bce"] == rows[1]["val_bce"]
    assert "trial 1's configuration again (reused)" in lines[2]
    for r in rows:
        assert 2 <= r["latent_dim"] <= 64 and r["hidden_units"] in latent.HIDDEN_CHOICES
        assert 0 < r["val_bce"] < 1 and 0 <= r["probe_acc"] <= 1


def test_the_front_is_non_dominated_and_falls_as_the_code_grows(searched):
    rows = latent.trial_rows(searched[0])
    front = latent.front(rows)
    assert front, "a search always has a front"
    dims = [r["latent_dim"] for r in front]
    assert dims == sorted(set(dims))
    bces = [r["val_bce"] for r in front]
    assert all(a > b for a, b in zip(bces, bces[1:], strict=False))
    for r in front:  # no trial is both at most as large and better
        assert not any(
            o["latent_dim"] <= r["latent_dim"] and o["val_bce"] < r["val_bce"] for o in rows
        )


def test_the_search_repeats_with_its_seed_and_reads_back(split, searched, tmp_path):
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    study, journal, _ = searched
    again = latent.run_search(
        *split,
        trials=5,
        epochs=1,
        batch_size=100,
        seed=3,
        fixed_dims=(2, 16, 16),
        log=lambda line: None,
    )
    assert [t.params for t in again.trials] == [t.params for t in study.trials]
    assert [t.values for t in again.trials] == [t.values for t in study.trials]
    loaded = optuna.load_study(
        study_name="test_search", storage=JournalStorage(JournalFileBackend(str(journal)))
    )
    assert [t.values for t in loaded.trials] == [t.values for t in study.trials]
    path = latent.save_trials(latent.trial_rows(study), tmp_path, "trials")
    with open(path, newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 5 and float(table[0]["val_bce"]) == study.trials[0].values[0]


def test_the_knee_of_a_saturating_curve():
    dims = [2, 4, 8, 16, 32, 64]
    bce = [0.30, 0.18, 0.11, 0.095, 0.090, 0.088]
    assert latent.knee(dims, bce, curve="convex", direction="decreasing") == 8
    acc = [0.40, 0.70, 0.90, 0.92, 0.93, 0.93]
    assert latent.knee(dims, acc, curve="concave", direction="increasing") == 8
    assert latent.knee([2, 16], [0.3, 0.1], curve="convex", direction="decreasing") is None


def test_a_linear_probe_reads_classes_off_codes():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 300)
    codes = np.eye(3)[labels] * 3 + rng.normal(0, 0.3, (300, 3))
    assert latent.linear_probe(codes[:200], labels[:200], codes[200:], labels[200:]) > 0.95


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"trials": 2}, "trials must be an integer >= 4"),
        ({"code_range": (16, 8)}, "code_range must be"),
        ({"fixed_dims": (2, 128)}, "must lie in code_range"),
    ],
)
def test_bad_search_settings_are_refused(split, options, message):
    settings = {"trials": 5, "epochs": 1, "batch_size": 100, "seed": 0, "fixed_dims": (2, 8, 16)}
    with pytest.raises(ValueError, match=message):
        latent.run_search(*split, **{**settings, **options})
