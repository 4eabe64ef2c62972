"""Per-seed rows (aereport.seeds) and the charts drawn across seeds (latent, fashion)."""

import json

import pytest

from aereport import seeds
from aereport.sections import fashion, headline_metrics, latent


def _write_runs(root, values_by_seed):
    """One 02_latent_sweep run per seed under root/runs/seed<k>/; returns the records."""
    runs = []
    for seed, metrics in values_by_seed.items():
        run_dir = root / "runs" / f"seed{seed}" / "02_latent_sweep"
        run_dir.mkdir(parents=True)
        (run_dir / "metrics.json").write_text(json.dumps(metrics))
        runs.append(
            {"name": "02_latent_sweep", "status": "ok", "seed": seed, "out_dir": str(run_dir)}
        )
    return runs


def test_per_seed_metrics_reads_each_seeds_folder(tmp_path):
    runs = _write_runs(
        tmp_path,
        {0: {"mnist.latent_2.val_bce": 0.19}, 1: {"mnist.latent_2.val_bce": 0.18}},
    )
    runs.append({"name": "02_latent_sweep", "status": "failed", "seed": 2, "out_dir": "x"})
    per_seed = seeds.per_seed_metrics(runs, tmp_path)
    assert list(per_seed) == [0, 1, 2]
    assert per_seed[0] == {"mnist.latent_2.val_bce": 0.19}
    assert per_seed[1] == {"mnist.latent_2.val_bce": 0.18}
    assert per_seed[2] == {}  # a failed run contributes nothing


def test_seed_rows_values_mean_std_range_and_order():
    per_seed = {
        0: {"mnist.baseline.val_bce": 0.0730, "zeta.extra": 1.0, "mnist.latent_2.params": 9},
        1: {"mnist.baseline.val_bce": 0.0740, "zeta.extra": 3.0, "mnist.latent_2.params": 9},
        2: {"mnist.baseline.val_bce": 0.0750, "mnist.latent_2.params": 9},
    }
    rows = seeds.seed_rows(per_seed, headline_metrics())
    assert [r["id"] for r in rows] == [
        "mnist.baseline.val_bce",  # headline first
        "mnist.latent_2.params",
        "zeta.extra",
    ]
    base = rows[0]
    assert base["headline"] and base["label"] == "Baseline autoencoder, val BCE"
    assert base["values"] == [0.0730, 0.0740, 0.0750]
    assert base["mean"] == pytest.approx(0.0740)
    assert base["std"] == pytest.approx(0.0010)
    assert base["range"] == pytest.approx(0.0020) and base["n"] == 3
    assert rows[1]["range"] == 0  # the same under every seed by construction
    extra = rows[2]
    assert extra["values"] == [1.0, 3.0, None] and extra["n"] == 2
    assert not extra["headline"] and extra["label"] == "zeta.extra"
    assert [r["id"] for r in seeds.seed_rows(per_seed, headline_metrics(), headline_only=True)] == [
        "mnist.baseline.val_bce"
    ]


def test_seed_rows_single_value_has_no_spread():
    rows = seeds.seed_rows({0: {"fashion.cnn.test_acc": 0.9}, 1: {}}, headline_metrics())
    assert rows[0]["kind"] == "acc" and rows[0]["values"] == [0.9, None]
    assert rows[0]["std"] is None and rows[0]["range"] is None and rows[0]["n"] == 1


def test_latent_sweep_png_is_a_deterministic_png():
    metrics = {
        "mnist.latent_2.val_bce": [0.188, 0.186, 0.189],
        "mnist.latent_16.val_bce": [0.098, 0.097, 0.099],
        "mnist.pca_2.val_bce": 0.2315,
        "mnist.test.entropy_floor": 0.0581,
    }
    png = latent.latent_sweep_png(metrics)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    assert latent.latent_sweep_png(metrics) == png


def test_latent_sweep_png_without_autoencoder_values_is_none():
    assert latent.latent_sweep_png({"mnist.pca_2.val_bce": 0.23}) is None


def test_label_efficiency_png_draws_every_method_or_nothing():
    metrics = {
        "fashion.label_eff.transfer.100.test_acc": [0.70, 0.69, 0.71],
        "fashion.label_eff.transfer.1000.test_acc": [0.78, 0.79, 0.78],
        "fashion.label_eff.scratch.100.test_acc": [0.68, 0.67, 0.69],
        "fashion.label_eff.scratch.1000.test_acc": 0.81,
    }
    png = fashion.label_efficiency_png(metrics)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and fashion.label_efficiency_png(metrics) == png
    assert fashion.label_efficiency_png({"fashion.cnn.test_acc": 0.9}) is None
