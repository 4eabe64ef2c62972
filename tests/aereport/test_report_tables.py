"""Metric merging (aereport.merge) and the table rows of each section
(aereport.sections.*, Table 3.2.1.1 in aereport.layout)."""

from __future__ import annotations

import json

import pytest

from aelib.paper import PAPER_VALUES
from aereport import layout, merge, sections, verdicts
from aereport.sections import denoising, fashion, improved, latent

METRICS = {
    "mnist.baseline.val_bce": 0.0712,
    "mnist.latent_2.val_bce": 0.1650,
    "mnist.latent_8.val_bce": 0.1290,
    "mnist.latent_16.val_bce": 0.1230,
    "mnist.latent_32.val_bce": 0.1050,
    "mnist.latent_2.compression_ratio": 392.0,
    "mnist.denoise.val_bce": 0.1010,
    "mnist.denoise.gaussian.val_bce": 0.0950,
    "mnist.denoise.salt_pepper.val_bce": 0.0890,
    "mnist.denoise.mixed.input_bce": 0.9000,
    "mnist.denoise.gaussian.input_bce": 0.5500,
    "mnist.denoise.salt_pepper.input_bce": 1.8000,
    "mnist.denoise.noise_factor": 0.4,
    "mnist.denoise.salt_pepper_amount": 0.1,
    "mnist.improved.val_bce": 0.0675,
    "mnist.test.entropy_floor": 0.0581,
    "fashion.ae.val_bce": 0.2650,
    "fashion.test.entropy_floor": 0.2422,
    "fashion.transfer.test_acc": 0.8720,
    "fashion.transfer.dense10.test_acc": 0.8720,
    "fashion.transfer.dense128.test_acc": 0.8850,
    "fashion.cnn.test_acc": 0.9105,
    "fashion.transfer.encoder_trained_here": 0,
}


def _write_run(root, name, metrics):
    run_dir = root / "runs" / name
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "metrics.json").write_text(json.dumps(metrics))
    return {
        "name": name,
        "title": name,
        "status": "ok",
        "wall_s": 1.0,
        "error": None,
        "out_dir": str(run_dir),
        "notebook_html": None,
    }


def _by_id(rows):
    return {row["id"]: row for row in rows}


# ----------------------------------------------------------------------- collect_metrics


def test_collect_metrics_merges_usable_runs_and_skips_failed(tmp_path):
    runs = [
        _write_run(
            tmp_path,
            "01_baseline_autoencoder",
            {"mnist.baseline.val_bce": 0.07, "mnist.test.entropy_floor": 0.0581},
        ),
        _write_run(
            tmp_path,
            "02_latent_sweep",
            {"mnist.latent_2.val_bce": 0.16, "mnist.test.entropy_floor": 0.0581},
        ),
        _write_run(tmp_path, "03_denoising", {"mnist.denoise.val_bce": 0.10}),
    ]
    runs[1]["status"] = "cached"
    runs[2]["status"] = "failed"  # a stale file from an earlier run must not count
    runs.append({"name": "04_improved_autoencoder", "status": "ok"})  # no metrics file
    merged = merge.collect_metrics(runs, tmp_path)
    assert merged == {
        "mnist.baseline.val_bce": 0.07,
        "mnist.test.entropy_floor": 0.0581,
        "mnist.latent_2.val_bce": 0.16,
    }


def test_collect_metrics_keeps_first_of_conflicting_values(tmp_path):
    runs = [
        _write_run(tmp_path, "01_baseline_autoencoder", {"mnist.test.entropy_floor": 0.0581}),
        _write_run(tmp_path, "02_latent_sweep", {"mnist.test.entropy_floor": 0.0999}),
    ]
    with pytest.warns(UserWarning, match="entropy_floor"):
        merged = merge.collect_metrics(runs, tmp_path)
    assert merged["mnist.test.entropy_floor"] == 0.0581


def test_collect_metrics_tolerates_bad_files_and_values(tmp_path):
    good = _write_run(
        tmp_path,
        "01_baseline_autoencoder",
        {"a": 1.0, "b": "text", "c": None, "d": [0.1, 0.2], "e": True},
    )
    bad = _write_run(tmp_path, "02_latent_sweep", {})
    (tmp_path / "runs" / "02_latent_sweep" / "metrics.json").write_text("{not json")
    with pytest.warns(UserWarning, match="unreadable"):
        merged = merge.collect_metrics([good, bad], tmp_path)
    assert merged == {"a": 1.0, "d": [0.1, 0.2]}


def test_summarize_number_list_and_missing():
    assert merge.summarize(0.5) == (0.5, None, 1)
    mean, std, n = merge.summarize([1.0, 2.0, 3.0])
    assert (mean, n) == (2.0, 3) and std == pytest.approx(1.0)
    assert merge.summarize(None) == (None, None, 0)
    assert merge.summarize("x") == (None, None, 0)


# --------------------------------------------------------------------------- verdicts


@pytest.mark.parametrize(
    "value, paper, kind, expected",
    [
        (0.0733, 0.0733, "bce", "matches"),
        (0.0783, 0.0733, "bce", "matches"),  # exactly at the tolerance
        (0.0790, 0.0733, "bce", "worse than paper"),
        (0.0600, 0.0733, "bce", "better than paper"),
        (0.8800, 0.8897, "acc", "matches"),  # 0.97 points lower
        (0.8700, 0.8897, "acc", "worse than paper"),
        (0.9200, 0.8897, "acc", "better than paper"),
        (None, 0.0733, "bce", "not run"),
        (0.1, None, "bce", "no paper value"),
    ],
)
def test_verdict_vs_paper(value, paper, kind, expected):
    assert verdicts.verdict_vs_paper(value, paper, kind) == expected


# ------------------------------------------------------------------------------ tables


def test_mnist_table_rows_values_and_differences():
    rows = layout.mnist_reconstruction_table(METRICS)
    assert [r["experiment"] for r in rows] == [
        "Baseline Conv. Autoencoder",
        "Latent Dim = 16 (Dense Bottleneck)",
        "Latent Dim = 2 (Dense Bottleneck)",
        "Denoising Autoencoder",
        "Improved Conv. Autoencoder",
    ]
    by_id = _by_id(rows)
    base = by_id["mnist.baseline.val_bce"]
    assert base["value"] == 0.0712
    assert base["paper"] == PAPER_VALUES["mnist.baseline.val_bce"]
    assert base["difference"] == pytest.approx(0.0712 - 0.0733)
    assert base["floor"] == 0.0581
    assert base["excess"] == pytest.approx(0.0712 - 0.0581)
    assert base["verdict"] == "matches"
    assert by_id["mnist.latent_16.val_bce"]["verdict"] == "worse than paper"  # +0.0089
    assert by_id["mnist.denoise.val_bce"]["verdict"] == "better than paper"  # -0.0226
    assert by_id["mnist.latent_2.val_bce"]["paper"] == 0.1669
    assert "0.4" in by_id["mnist.denoise.val_bce"]["note"]


def test_mnist_table_missing_notebook_gives_failed_or_not_run():
    metrics = {k: v for k, v in METRICS.items() if not k.startswith("mnist.denoise.")}
    rows = _by_id(layout.mnist_reconstruction_table(metrics, statuses={"03_denoising": "failed"}))
    row = rows["mnist.denoise.val_bce"]
    assert row["value"] is None and row["difference"] is None and row["excess"] is None
    assert row["verdict"] == "failed"
    rows = _by_id(layout.mnist_reconstruction_table(metrics))
    assert rows["mnist.denoise.val_bce"]["verdict"] == "not run"
    # An empty metrics dict still gives every row.
    assert [r["verdict"] for r in layout.mnist_reconstruction_table({})] == ["not run"] * 5


def test_per_seed_values_give_mean_and_std():
    metrics = dict(METRICS, **{"mnist.baseline.val_bce": [0.070, 0.072, 0.074]})
    row = _by_id(layout.mnist_reconstruction_table(metrics))["mnist.baseline.val_bce"]
    assert row["value"] == pytest.approx(0.072)
    assert row["std"] == pytest.approx(0.002)
    assert row["n_seeds"] == 3


def test_latent_sweep_table():
    rows = latent.latent_sweep_table(METRICS)
    assert [r["latent_dim"] for r in rows] == [2, 8, 16, 32]
    assert [r["compression_ratio"] for r in rows] == [392.0, 98.0, 49.0, 24.5]
    assert [r["paper"] for r in rows] == [0.1669, None, 0.1141, None]
    assert [r["verdict"] for r in rows] == [
        "matches",
        "no paper value",
        "worse than paper",
        "no paper value",
    ]
    assert rows[3]["excess"] == pytest.approx(0.1050 - 0.0581)


def test_denoising_table_compares_with_doing_nothing():
    rows = {r["noise"]: r for r in denoising.denoising_table(METRICS)}
    assert rows["gaussian"]["input_bce"] == 0.55
    assert rows["gaussian"]["reduction"] == pytest.approx(0.55 - 0.095)
    assert rows["salt_pepper"]["value"] == 0.089
    assert rows["mixed"]["id"] == "mnist.denoise.val_bce"


def test_fashion_table_rows_and_heads():
    rows = fashion.fashion_table(METRICS)
    assert len(rows) == 4
    ae, transfer, cnn, extra = rows
    assert ae["kind"] == "bce" and ae["floor"] == 0.2422
    assert ae["excess"] == pytest.approx(0.2650 - 0.2422)
    assert ae["verdict"] == "matches"  # +0.0037
    assert "Dense(10" in transfer["experiment"]
    assert transfer["difference"] == pytest.approx(0.8720 - 0.8897)
    assert transfer["verdict"] == "worse than paper"  # -1.77 points
    assert cnn["verdict"] == "matches"
    assert cnn["floor"] is None and cnn["excess"] is None
    assert extra["extra"] is True and extra["paper"] is None
    assert extra["id"] == "fashion.transfer.dense128.test_acc"
    assert "Dense(128)" in extra["experiment"]
    assert "reused" in transfer["note"]


def test_fashion_table_uses_dense10_falls_back_and_reports_failure():
    assert fashion.fashion_table(METRICS)[1]["id"] == "fashion.transfer.dense10.test_acc"
    metrics = {k: v for k, v in METRICS.items() if k != "fashion.transfer.dense10.test_acc"}
    transfer = fashion.fashion_table(metrics)[1]
    assert transfer["id"] == "fashion.transfer.test_acc"
    assert transfer["value"] == 0.8720
    rows = fashion.fashion_table({}, statuses={"05_fashion_transfer": "failed"})
    assert [r["verdict"] for r in rows] == ["failed"] * 4


# ------------------------------------------------------------------ beyond the paper

EXTRA = {
    "mnist.pca_2.val_bce": 0.2280,
    "mnist.pca_2.mse": 0.0540,
    "mnist.latent_2.mse": 0.0480,
    "mnist.pca_16.val_bce": [0.150, 0.152, 0.154],
    "mnist.latent_2.variant.plain.val_bce": 0.2000,
    "mnist.latent_2.variant.plain.params": 9587,
    "mnist.latent_2.params": 158531,
    "mnist.latent_2.variant.deep-bn.val_bce": 0.1700,
    "mnist.latent_2.variant.deep-bn.params": 1153939,
    "mnist.latent_2.variant.wide.val_bce": 0.1900,
    "mnist.denoise.gaussian.psnr": 18.5,
    "mnist.denoise.gaussian.filter_psnr": 14.0,
    "mnist.denoise.gaussian.noisy_psnr": 11.0,
    "mnist.denoise.gaussian.ssim": 0.80,
    "mnist.denoise.sweep.gaussian_040.ae_psnr": 18.5,
    "mnist.denoise.sweep.gaussian_040.filter_psnr": 14.0,
    "mnist.denoise.sweep.gaussian_010.ae_psnr": [19.0, 19.2],
    "mnist.denoise.sweep.gaussian_010.filter_psnr": [18.0, 18.0],
    "mnist.denoise.sweep.salt_pepper_002.noisy_psnr": 20.4,
    "mnist.anomaly.auc": [0.96, 0.98],
    "fashion.label_eff.transfer.100.test_acc": 0.62,
    "fashion.label_eff.transfer.1000.test_acc": 0.75,
    "fashion.label_eff.scratch.1000.test_acc": [0.73, 0.75],
    "fashion.label_eff.mystery.100.test_acc": 0.5,
}
ALL = {**METRICS, **EXTRA}


def test_latent_sweep_table_pca_columns():
    rows = {r["latent_dim"]: r for r in latent.latent_sweep_table(ALL)}
    assert rows[2]["pca_bce"]["value"] == 0.2280
    assert rows[2]["ae_mse"]["value"] == 0.0480 and rows[2]["pca_mse"]["value"] == 0.0540
    assert rows[2]["ae_minus_pca"] == pytest.approx(0.1650 - 0.2280)
    assert rows[16]["pca_bce"]["n_seeds"] == 3 and rows[16]["pca_bce"]["std"] > 0
    assert rows[8]["pca_bce"]["value"] is None and rows[8]["ae_minus_pca"] is None
    assert sections.notebook_for_metric("mnist.pca_8.mse") == "02_latent_sweep"


def test_latent2_designs_table():
    rows = latent.latent2_designs_table(ALL)
    assert [r["design"] for r in rows] == ["plain", "dense128", "deep-bn", "wide"]
    plain, sweep, deep, wide = rows
    assert plain["params"] == 9587 and deep["params"] == 1153939
    assert sweep["id"] == "mnist.latent_2.val_bce" and sweep["params"] == 158531
    assert deep["paper"] == 0.1669 and deep["difference"] == pytest.approx(0.1700 - 0.1669)
    assert deep["verdict"] == "matches" and plain["verdict"] == "worse than paper"
    assert wide["params"] is None and wide["value"] == 0.1900
    missing = latent.latent2_designs_table({}, statuses={"02_latent_sweep": "failed"})
    assert [r["verdict"] for r in missing] == ["failed"] * 3


def test_denoise_quality_and_sweep_tables():
    rows = denoising.denoise_quality_table(ALL)
    assert len(rows) == 6
    gauss = {r["method"]: r for r in rows if r["noise"] == "gaussian"}
    assert gauss["autoencoder"]["psnr"]["value"] == 18.5
    assert gauss["filter"]["psnr"]["value"] == 14.0 and gauss["noisy"]["level"] == 0.4
    assert "blur" in gauss["filter"]["label"]
    sp = {r["method"]: r for r in rows if r["noise"] == "salt_pepper"}
    assert sp["autoencoder"]["psnr"]["value"] is None and sp["filter"]["missing"] == "not run"
    assert denoising.denoise_sweep_levels(ALL) == {
        "gaussian": ["010", "040"],
        "salt_pepper": ["002"],
    }
    sweep = denoising.denoise_sweep_table(ALL)
    assert [(r["noise"], r["level"], r["trained"]) for r in sweep] == [
        ("gaussian", 0.1, False),
        ("gaussian", 0.4, True),
        ("salt_pepper", 0.02, False),
    ]
    assert sweep[1]["ae_minus_filter"]["value"] == pytest.approx(4.5)
    assert sweep[0]["ae_minus_filter"]["value"] == pytest.approx(1.1)
    assert sweep[0]["ae_minus_filter"]["std"] == pytest.approx(0.1414, abs=1e-4)
    assert sweep[2]["ae_minus_filter"]["value"] is None
    assert denoising.denoise_sweep_table({}) == []


def test_anomaly_table():
    auc, normal, anomalous = improved.anomaly_table(ALL)
    assert auc["value"] == pytest.approx(0.97) and auc["n_seeds"] == 2
    assert normal["value"] is None
    rows = improved.anomaly_table({}, statuses={"04_improved_autoencoder": "failed"})
    assert {r["missing"] for r in rows} == {"failed"}


def test_label_efficiency_table_discovers_sizes_and_methods():
    assert fashion.label_efficiency_sizes(ALL) == [100, 1000]
    rows = {r["method"]: r for r in fashion.label_efficiency_table(ALL)}
    assert list(rows) == ["transfer", "finetune", "scratch", "fashion_encoder", "mystery"]
    assert rows["transfer"]["label"] == "frozen MNIST encoder"
    assert [c["value"] for c in rows["transfer"]["cells"]] == [0.62, 0.75]
    assert rows["scratch"]["cells"][1]["n_seeds"] == 2
    assert rows["finetune"]["cells"][0]["value"] is None
    assert all(r["sizes"] == [] for r in fashion.label_efficiency_table({}))


def test_transfer_heads_table():
    dense10, dense128 = fashion.transfer_heads_table(ALL)
    assert dense10["id"] == "fashion.transfer.dense10.test_acc"
    assert dense10["miss"] == pytest.approx(0.8897 - 0.8720)
    assert dense128["miss"] == pytest.approx(0.8897 - 0.8850)
    assert [r["verdict"] for r in fashion.transfer_heads_table({})] == ["not run"] * 2
