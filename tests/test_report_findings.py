"""Tests for aelib.report.findings: verdicts follow the numbers, and the seed spread."""

from __future__ import annotations

import pytest

from aelib.report import findings as fmod

METRICS = {
    "mnist.baseline.val_bce": 0.0712,
    "mnist.latent_2.val_bce": 0.1650,
    "mnist.latent_8.val_bce": 0.1290,
    "mnist.latent_16.val_bce": 0.1180,
    "mnist.latent_32.val_bce": 0.1050,
    "mnist.denoise.val_bce": 0.1010,
    "mnist.denoise.gaussian.val_bce": 0.0950,
    "mnist.denoise.salt_pepper.val_bce": 0.0890,
    "mnist.denoise.mixed.input_bce": 0.9000,
    "mnist.denoise.gaussian.input_bce": 0.5500,
    "mnist.denoise.salt_pepper.input_bce": 1.8000,
    "mnist.improved.val_bce": 0.0675,
    "mnist.test.entropy_floor": 0.0581,
    "fashion.ae.val_bce": 0.2650,
    "fashion.test.entropy_floor": 0.2422,
    "fashion.transfer.test_acc": 0.8920,
    "fashion.transfer.dense128.test_acc": 0.8850,
    "fashion.cnn.test_acc": 0.9105,
}


def _verdicts(metrics):
    return {item["id"]: item["verdict"] for item in fmod.findings(metrics)}


def _item(metrics, claim_id):
    return next(i for i in fmod.findings(metrics) if i["id"] == claim_id)


def test_every_item_has_the_schema():
    items = fmod.findings(METRICS)
    assert len(items) == 8
    for item in items:
        assert set(item) == {"id", "claim", "paper", "measured", "verdict"}
        assert item["verdict"] in ("agrees", "disagrees", "inconclusive", "not run")
        assert item["claim"] and item["paper"] and item["measured"]


def test_all_claims_agree_on_paper_like_numbers():
    assert set(_verdicts(METRICS).values()) == {"agrees"}


def test_improved_worse_than_baseline_disagrees():
    metrics = dict(METRICS, **{"mnist.improved.val_bce": 0.0750})
    assert _verdicts(metrics)["deeper_filters_help"] == "disagrees"
    assert "0.0750" in _item(metrics, "deeper_filters_help")["measured"]


def test_conv_beaten_by_a_dense_bottleneck_names_it():
    metrics = dict(METRICS, **{"mnist.latent_32.val_bce": 0.0650})
    item = _item(metrics, "conv_beats_dense")
    assert item["verdict"] == "disagrees"
    assert "d=32" in item["measured"]


def test_latent_monotonicity_violation_is_named():
    metrics = dict(METRICS, **{"mnist.latent_8.val_bce": 0.1100})
    item = _item(metrics, "smaller_latent_higher_loss")
    assert item["verdict"] == "disagrees"
    assert "d=8" in item["measured"] and "d=16" in item["measured"]


def test_latent_monotonicity_over_the_sizes_that_ran():
    metrics = {k: v for k, v in METRICS.items() if "latent_8" not in k}
    assert _verdicts(metrics)["smaller_latent_higher_loss"] == "agrees"
    only_one = {"mnist.latent_2.val_bce": 0.16}
    assert _verdicts(only_one)["smaller_latent_higher_loss"] == "not run"


def test_denoising_must_beat_doing_nothing_per_noise_type():
    item = _item(METRICS, "denoising_recovers")
    assert item["verdict"] == "agrees"
    for text in ("Gaussian", "salt-and-pepper", "0.5500", "0.0950"):
        assert text in item["measured"]
    # Salt-and-pepper output barely better than its noisy input: not a recovery.
    metrics = dict(METRICS, **{"mnist.denoise.salt_pepper.val_bce": 1.5})
    assert _verdicts(metrics)["denoising_recovers"] == "disagrees"


def test_denoising_costs_fidelity_flips():
    assert _verdicts(METRICS)["denoising_costs_fidelity"] == "agrees"
    metrics = dict(METRICS, **{"mnist.denoise.val_bce": 0.0700})
    assert _verdicts(metrics)["denoising_costs_fidelity"] == "disagrees"


def test_transfer_closeness_uses_two_points():
    item = _item(METRICS, "transfer_close_to_cnn")
    assert item["verdict"] == "agrees"
    assert "1.85" in item["measured"]                       # 91.05 - 89.20
    assert "88.50%" in item["measured"]                     # the Dense(128) reading
    far = dict(METRICS, **{"fashion.transfer.test_acc": 0.8700})
    assert _verdicts(far)["transfer_close_to_cnn"] == "disagrees"
    assert "2 points" in item["claim"]


def test_fashion_excess_over_floor_separates_data_from_model():
    verdicts = _verdicts(METRICS)
    # Fashion BCE 0.2650 > MNIST 0.0675, and excess 0.0228 > 0.0094.
    assert verdicts["fashion_higher_bce"] == "agrees"
    assert verdicts["fashion_model_worse"] == "agrees"
    # Higher BCE, but only because of the floor: the model is not worse on Fashion.
    metrics = dict(METRICS, **{"fashion.ae.val_bce": 0.2480})
    verdicts = _verdicts(metrics)
    assert verdicts["fashion_higher_bce"] == "agrees"
    assert verdicts["fashion_model_worse"] == "disagrees"
    assert "0.0058" in _item(metrics, "fashion_model_worse")["measured"]


def test_missing_values_give_not_run():
    assert set(_verdicts({}).values()) == {"not run"}
    metrics = {k: v for k, v in METRICS.items() if not k.startswith("fashion.")}
    verdicts = _verdicts(metrics)
    assert verdicts["transfer_close_to_cnn"] == "not run"
    assert verdicts["fashion_model_worse"] == "not run"
    assert verdicts["deeper_filters_help"] == "agrees"


def test_per_seed_lists_within_spread_are_inconclusive():
    # improved 0.0705 +/- 0.002 vs baseline 0.0712 +/- 0.002: gap 0.0007 < combined std.
    metrics = dict(METRICS, **{"mnist.improved.val_bce": [0.0685, 0.0705, 0.0725],
                               "mnist.baseline.val_bce": [0.0692, 0.0712, 0.0732]})
    item = _item(metrics, "deeper_filters_help")
    assert item["verdict"] == "inconclusive"
    assert "±" in item["measured"] and "n=3" in item["measured"]
    # The same spread with a clear gap decides again.
    metrics["mnist.improved.val_bce"] = [0.0585, 0.0605, 0.0625]
    assert _verdicts(metrics)["deeper_filters_help"] == "agrees"


def test_per_seed_accuracy_near_the_closeness_limit_is_inconclusive():
    metrics = dict(METRICS, **{"fashion.transfer.test_acc": [0.885, 0.890, 0.895],
                               "fashion.cnn.test_acc": [0.905, 0.910, 0.915]})
    assert _verdicts(metrics)["transfer_close_to_cnn"] == "inconclusive"


def test_measure_and_compare():
    m = fmod.measure([1.0, 3.0])
    assert m.mean == 2.0 and m.n == 2 and m.std == pytest.approx(2 ** 0.5)
    assert fmod.measure(None) is None
    assert fmod.compare(fmod.Measure(1.0), fmod.Measure(2.0)) == "lower"
    assert fmod.compare(fmod.Measure(2.0, 0.5, 3), fmod.Measure(1.8, 0.5, 3)) == "inconclusive"
