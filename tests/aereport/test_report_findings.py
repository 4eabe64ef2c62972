"""The findings of every section (aereport.sections, aereport.verdicts): verdicts
follow the numbers, and the seed spread."""

from __future__ import annotations

import pytest
from test_report_generative import SHORT
from test_report_generative import seed_metrics as generative_metrics
from test_report_robustness import seed_metrics as robustness_metrics

from aereport import sections, verdicts

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

# Experiments beyond the paper, with numbers under which every check agrees.
EXTRA = {
    "mnist.pca_2.val_bce": 0.2280,
    "mnist.pca_8.val_bce": 0.1840,
    "mnist.pca_16.val_bce": 0.1520,
    "mnist.pca_32.val_bce": 0.1220,
    "mnist.pca_2.mse": 0.0540,
    "mnist.latent_2.mse": 0.0480,
    "mnist.latent_2.variant.plain.val_bce": 0.2000,
    "mnist.latent_2.variant.plain.params": 9587,
    "mnist.latent_2.params": 158531,
    "mnist.latent_2.variant.deep-bn.val_bce": 0.1700,
    "mnist.latent_2.variant.deep-bn.params": 1153939,
    "mnist.latent_2.last_epoch_drop": 0.0012,
    "mnist.latent_2.epochs": 10,
    "mnist.denoise.noise_factor": 0.4,
    "mnist.denoise.salt_pepper_amount": 0.1,
    "mnist.denoise.gaussian.psnr": 18.5,
    "mnist.denoise.gaussian.filter_psnr": 14.0,
    "mnist.denoise.gaussian.ssim": 0.80,
    "mnist.denoise.gaussian.filter_ssim": 0.40,
    "mnist.denoise.salt_pepper.psnr": 22.0,
    "mnist.denoise.salt_pepper.filter_psnr": 21.0,
    "mnist.denoise.sweep.gaussian_010.ae_psnr": 19.0,
    "mnist.denoise.sweep.gaussian_010.filter_psnr": 18.0,
    "mnist.denoise.sweep.gaussian_040.ae_psnr": 18.5,
    "mnist.denoise.sweep.gaussian_040.filter_psnr": 14.0,
    "mnist.denoise.sweep.salt_pepper_002.ae_psnr": 22.5,
    "mnist.denoise.sweep.salt_pepper_002.filter_psnr": 22.0,
    "mnist.anomaly.auc": 0.97,
    "mnist.anomaly.mnist_error_mean": 0.07,
    "mnist.anomaly.fashion_error_mean": 0.35,
    "fashion.transfer.dense10.test_acc": 0.8920,
    "fashion.label_eff.transfer.100.test_acc": 0.62,
    "fashion.label_eff.transfer.1000.test_acc": 0.75,
    "fashion.label_eff.finetune.100.test_acc": 0.64,
    "fashion.label_eff.finetune.1000.test_acc": 0.80,
    "fashion.label_eff.scratch.100.test_acc": 0.55,
    "fashion.label_eff.scratch.1000.test_acc": 0.74,
    "fashion.label_eff.fashion_encoder.100.test_acc": 0.66,
    "fashion.label_eff.fashion_encoder.1000.test_acc": 0.78,
    # Notebook 06: the VAE pays in BCE, its samples are closer, some units are off.
    "mnist.vae.entropy_floor": 0.0581,
    "mnist.vae.real_frechet_cnn": 0.4,
    "fashion.vae.entropy_floor": 0.2422,
    "fashion.vae.real_frechet_cnn": 0.3,
    "mnist.vae_2.recon_bce": 0.180,
    "mnist.vae_2.ae_recon_bce": 0.170,
    "mnist.vae_2.frechet_cnn": 20.0,
    "mnist.vae_2.ae_frechet_cnn": 35.0,
    "mnist.vae_16.recon_bce": 0.105,
    "mnist.vae_16.ae_recon_bce": 0.095,
    "mnist.vae_16.frechet_cnn": 8.0,
    "mnist.vae_16.ae_frechet_cnn": 15.0,
    "mnist.vae_16.active_units": 11,
    "fashion.vae_16.recon_bce": 0.290,
    "fashion.vae_16.ae_recon_bce": 0.280,
    "fashion.vae_16.frechet_cnn": 9.0,
    "fashion.vae_16.ae_frechet_cnn": 12.0,
    "fashion.vae_16.active_units": 9,
}
# Notebooks 07's and 08's numbers under which every finding of theirs agrees (one seed).
ALL = {
    **METRICS,
    **EXTRA,
    **generative_metrics(0, long=SHORT),
    **robustness_metrics(0, adv_gauss=0.09),
}


def _verdicts(metrics):
    return {item["id"]: item["verdict"] for item in sections.findings(metrics)}


def _item(metrics, claim_id):
    return next(i for i in sections.findings(metrics) if i["id"] == claim_id)


def test_every_item_has_the_schema():
    items = sections.findings(ALL)
    assert len(items) == 8 + 12 + 7 + 9
    assert [i["id"] for i in sections.paper_findings(ALL)] == [i["id"] for i in items[:8]]
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert set(item) == {"id", "claim", "paper", "measured", "verdict"}
        assert item["verdict"] in ("agrees", "disagrees", "inconclusive", "not run")
        assert item["claim"] and item["paper"] and item["measured"]


def test_all_claims_agree_on_paper_like_numbers():
    assert set(_verdicts(ALL).values()) == {"agrees"}
    assert {i["verdict"] for i in sections.paper_findings(METRICS)} == {"agrees"}


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
    assert "1.85" in item["measured"]  # 91.05 - 89.20
    assert "88.50%" in item["measured"]  # the Dense(128) reading
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
    metrics = dict(
        METRICS,
        **{
            "mnist.improved.val_bce": [0.0685, 0.0705, 0.0725],
            "mnist.baseline.val_bce": [0.0692, 0.0712, 0.0732],
        },
    )
    item = _item(metrics, "deeper_filters_help")
    assert item["verdict"] == "inconclusive"
    assert "±" in item["measured"] and "n=3" in item["measured"]
    # The same spread with a clear gap decides again.
    metrics["mnist.improved.val_bce"] = [0.0585, 0.0605, 0.0625]
    assert _verdicts(metrics)["deeper_filters_help"] == "agrees"


def test_per_seed_accuracy_near_the_closeness_limit_is_inconclusive():
    metrics = dict(
        METRICS,
        **{
            "fashion.transfer.test_acc": [0.885, 0.890, 0.895],
            "fashion.cnn.test_acc": [0.905, 0.910, 0.915],
        },
    )
    assert _verdicts(metrics)["transfer_close_to_cnn"] == "inconclusive"


def test_measure_and_compare():
    m = verdicts.measure([1.0, 3.0])
    assert m.mean == 2.0 and m.n == 2 and m.std == pytest.approx(2**0.5)
    assert verdicts.measure(None) is None
    assert verdicts.compare(verdicts.Measure(1.0), verdicts.Measure(2.0)) == "lower"
    assert (
        verdicts.compare(verdicts.Measure(2.0, 0.5, 3), verdicts.Measure(1.8, 0.5, 3))
        == "inconclusive"
    )


# ------------------------------------------------------------------ beyond the paper


def test_extra_findings_not_run_without_their_metrics():
    verdicts = {i["id"]: i["verdict"] for i in sections.extra_findings(METRICS)}
    assert set(verdicts) == {
        "ae_beats_pca",
        "latent2_designs",
        "ae_beats_filter",
        "ae_beats_filter_sweep",
        "anomaly_detection",
        "transfer_reduces_labels",
        "fashion_encoder_beats_mnist",
        "finetune_beats_frozen",
        "transfer_head",
        "vae_reconstruction_cost",
        "vae_samples_better",
        "vae_units_switched_off",
        "gen_mixture_helps",
        "gen_mixture_closes_gap",
        "gen_gan_sharp_narrow",
        "gen_vae_fashion_same",
        "gen_long_holds",
        "few_synthetic_helps",
        "few_classical_helps",
        "robust_adv_gaussian",
        "robust_adv_salt_pepper",
        "robust_adv_pgd",
        "robust_worst_case",
        "robust_defence",
        "robust_blind_overstates",
        "robust_pgd_matches_art",
        "search_sixteen_balanced",
        "search_same_size",
    }
    expected_run = {"transfer_head", "latent2_designs"}  # their ids are in METRICS
    for claim_id, verdict in verdicts.items():
        assert (verdict == "not run") == (claim_id not in expected_run), claim_id


def test_pca_beaten_at_one_size_is_named():
    item = _item(ALL, "ae_beats_pca")
    assert "d=2" in item["measured"] and "0.2280" in item["measured"]
    metrics = dict(ALL, **{"mnist.pca_32.val_bce": 0.1000})
    item = _item(metrics, "ae_beats_pca")
    assert item["verdict"] == "disagrees"
    assert "PCA reconstructs better at d=32." in item["measured"]
    spread = dict(ALL, **{"mnist.latent_2.val_bce": [0.20, 0.23, 0.26]})
    assert _verdicts(spread)["ae_beats_pca"] == "inconclusive"


def test_latent2_designs_reach_gap_and_last_epoch():
    item = _item(ALL, "latent2_designs")
    assert item["verdict"] == "agrees"  # sweep 0.1650, deep-bn 0.1700: +0.0031
    assert "Within reach: dense128 (the sweep's design), deep-bn." in item["measured"]
    # Plain 0.2000 -> deep-bn 0.1700 closes 0.0300 of the 0.0331 gap: 91 %.
    assert "closes 91% of the 0.0331 gap" in item["measured"]
    assert "still falling at epoch 10" in item["measured"]
    far = dict(
        ALL,
        **{
            "mnist.latent_2.variant.deep-bn.val_bce": 0.1800,
            "mnist.latent_2.val_bce": 0.1900,
            "mnist.latent_2.last_epoch_drop": -0.0001,
        },
    )
    item = _item(far, "latent2_designs")
    assert item["verdict"] == "disagrees"
    assert "the best, deep-bn, is 0.0131 above it" in item["measured"]
    assert "stopped falling" in item["measured"]
    assert "closes 60% of the 0.0331 gap" in item["measured"]


def test_latent2_designs_verdict_flips_with_the_best_design():
    metrics = dict(
        ALL, **{"mnist.latent_2.val_bce": 0.1800, "mnist.latent_2.variant.deep-bn.val_bce": 0.1760}
    )
    item = _item(metrics, "latent2_designs")
    assert item["verdict"] == "disagrees"
    assert "No design reaches the paper" in item["measured"]
    spread = dict(metrics, **{"mnist.latent_2.val_bce": [0.160, 0.175, 0.190]})
    assert _verdicts(spread)["latent2_designs"] == "inconclusive"


def test_ae_beats_filter_per_noise_type_with_margin():
    item = _item(ALL, "ae_beats_filter")
    assert item["verdict"] == "agrees"
    assert "+4.50 dB" in item["measured"] and "median" in item["measured"]
    metrics = dict(ALL, **{"mnist.denoise.salt_pepper.psnr": 20.0})
    item = _item(metrics, "ae_beats_filter")
    assert item["verdict"] == "disagrees" and "-1.00 dB" in item["measured"]
    spread = dict(ALL, **{"mnist.denoise.salt_pepper.psnr": [20.0, 22.0, 24.0]})
    assert _verdicts(spread)["ae_beats_filter"] == "inconclusive"


def test_ae_beats_filter_sweep_names_the_levels():
    item = _item(ALL, "ae_beats_filter_sweep")
    assert item["verdict"] == "agrees"
    assert "wins at 0.10, 0.40" in item["measured"]
    metrics = dict(ALL, **{"mnist.denoise.sweep.gaussian_010.ae_psnr": 17.0})
    item = _item(metrics, "ae_beats_filter_sweep")
    assert item["verdict"] == "disagrees"
    assert "loses at 0.10" in item["measured"] and "wins at 0.40" in item["measured"]


@pytest.mark.parametrize(
    "auc, expected",
    [
        (0.95, "agrees"),
        (0.90, "agrees"),
        (0.80, "inconclusive"),
        (0.65, "disagrees"),
        ([0.85, 0.90, 0.95], "inconclusive"),  # spread straddles 0.9
        ([0.95, 0.96, 0.97], "agrees"),
    ],
)
def test_anomaly_thresholds(auc, expected):
    metrics = dict(ALL, **{"mnist.anomaly.auc": auc})
    item = _item(metrics, "anomaly_detection")
    assert item["verdict"] == expected
    assert "0.9" in item["claim"] and "0.7" in item["claim"]


def test_anomaly_measured_names_errors():
    measured = _item(ALL, "anomaly_detection")["measured"]
    assert "0.9700" in measured and "0.0700" in measured and "0.3500" in measured
    assert "5.0x" in measured


def test_transfer_reduces_labels_and_overtake():
    item = _item(ALL, "transfer_reduces_labels")
    assert item["verdict"] == "agrees"
    assert "does not overtake" in item["measured"] and "+7.00 points" in item["measured"]
    metrics = dict(ALL, **{"fashion.label_eff.scratch.1000.test_acc": 0.78})
    item = _item(metrics, "transfer_reduces_labels")
    assert item["verdict"] == "agrees"
    assert "overtakes the frozen encoder at n=1,000" in item["measured"]
    metrics = dict(ALL, **{"fashion.label_eff.scratch.100.test_acc": 0.70})
    item = _item(metrics, "transfer_reduces_labels")
    assert item["verdict"] == "disagrees" and "already ahead" in item["measured"]
    spread = dict(
        ALL,
        **{
            "fashion.label_eff.transfer.100.test_acc": [0.50, 0.58, 0.66],
            "fashion.label_eff.scratch.100.test_acc": [0.52, 0.55, 0.58],
        },
    )
    assert _verdicts(spread)["transfer_reduces_labels"] == "inconclusive"


def test_fashion_encoder_and_finetune_per_size():
    assert _verdicts(ALL)["fashion_encoder_beats_mnist"] == "agrees"
    metrics = dict(ALL, **{"fashion.label_eff.fashion_encoder.1000.test_acc": 0.70})
    item = _item(metrics, "fashion_encoder_beats_mnist")
    assert item["verdict"] == "disagrees" and "ahead at n=1,000" in item["measured"]
    metrics = dict(ALL, **{"fashion.label_eff.finetune.100.test_acc": 0.60})
    item = _item(metrics, "finetune_beats_frozen")
    assert item["verdict"] == "disagrees" and "n=100" in item["measured"]
    spread = dict(ALL, **{"fashion.label_eff.finetune.100.test_acc": [0.58, 0.64, 0.70]})
    assert _verdicts(spread)["finetune_beats_frozen"] == "inconclusive"


def test_transfer_head_closer_reading():
    item = _item(ALL, "transfer_head")
    # Dense(10) 89.20 misses 88.97 by 0.23; Dense(128) 88.50 by 0.47.
    assert item["verdict"] == "agrees"
    assert "0.23 points" in item["measured"] and "0.47 points" in item["measured"]
    assert "Dense(10) reading is closer by 0.24 points" in item["measured"]
    metrics = dict(ALL, **{"fashion.transfer.dense10.test_acc": 0.8500})
    item = _item(metrics, "transfer_head")
    assert item["verdict"] == "disagrees" and "Dense(128) reading is closer" in item["measured"]
    spread = dict(ALL, **{"fashion.transfer.dense10.test_acc": [0.880, 0.892, 0.904]})
    assert _verdicts(spread)["transfer_head"] == "inconclusive"


def test_transfer_head_also_reports_the_fine_tuned_reading():
    from aereport.sections import findings as all_findings

    metrics = {
        "fashion.transfer.dense10.test_acc": 0.86,
        "fashion.transfer.dense128.test_acc": 0.862,
        "fashion.label_eff.finetune.100.test_acc": 0.70,
        "fashion.label_eff.finetune.60000.test_acc": 0.89,
    }
    item = next(f for f in all_findings(metrics) if f["id"] == "transfer_head")
    assert "fine-tuning the whole encoder" in item["measured"]
    assert "89.00%" in item["measured"] and "60,000 labels" in item["measured"]
    assert "+0.03 points" in item["measured"]
