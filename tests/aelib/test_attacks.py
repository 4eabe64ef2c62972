"""The attacks of notebook 08 (aelib.evaluation.attacks, aelib.models.adversarial) on tiny
models: every perturbation within epsilon and in [0, 1], PGD at least as strong as FGSM,
agreement with the Adversarial Robustness Toolbox, and adversarial training that runs."""

from __future__ import annotations

import numpy as np
import pytest

from aelib import datasets, models, set_seed, training
from aelib.evaluation import attacks, robustness
from aelib.models.adversarial import AdversarialDenoiser


@pytest.fixture(scope="module")
def digits():
    (x, y), _ = datasets.load_data("mnist")
    return datasets.to_float_images(x[:1200]), y[:1200]


@pytest.fixture(scope="module")
def classifier(digits):
    x, y = digits
    set_seed(0)
    model = models.build_cnn_classifier((8, 8, 8), hidden_units=None)
    training.train(
        model,
        x[:1000],
        y[:1000],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=3,
        batch_size=64,
        seed=0,
        log=False,
    )
    return model


@pytest.fixture(scope="module")
def denoiser(digits):
    x, _ = digits
    set_seed(0)
    ae = models.build_conv_autoencoder((16, 8, 8))
    training.train(ae.autoencoder, x[:1000], x[:1000], epochs=4, batch_size=16, seed=0, log=False)
    assert training.evaluate_bce(ae.autoencoder, x[1000:], x[1000:]) < 0.25  # it learned
    return ae.autoencoder


def _bce(model, x_in, x_clean):
    return training.evaluate_bce(model, x_in, x_clean)


@pytest.mark.parametrize("eps", [0.05, 0.2])
def test_pgd_stays_in_the_ball_and_the_pixel_range(denoiser, digits, eps):
    x = digits[0][1000:1100]
    adv = attacks.attack_reconstruction(denoiser, x, epsilon=eps, steps=5, seed=1)
    assert adv.dtype == np.float32 and adv.shape == x.shape
    assert attacks.linf_norms(adv, x).max() <= eps + 1e-6
    assert adv.min() >= 0.0 and adv.max() <= 1.0
    noisy = attacks.random_sign_noise(x, eps, seed=1)
    assert attacks.linf_norms(noisy, x).max() <= eps + 1e-6
    # the same norm: every pixel that is not clipped moved by exactly epsilon
    inside = (x >= eps) & (x <= 1 - eps)
    assert np.allclose(np.abs(noisy - x)[inside], eps, atol=1e-6)


def test_pgd_hurts_at_least_as_much_as_fgsm_and_more_than_random_noise(denoiser, digits):
    x = digits[0][1000:1200]
    eps = 0.1
    fgsm = attacks.attack_reconstruction(
        denoiser, x, epsilon=eps, steps=1, step_size=eps, random_start=False
    )
    pgd = attacks.attack_reconstruction(denoiser, x, epsilon=eps, steps=10, seed=0)
    random = attacks.random_sign_noise(x, eps, seed=0)
    clean = _bce(denoiser, x, x)
    assert _bce(denoiser, pgd, x) >= _bce(denoiser, fgsm, x) > clean
    assert _bce(denoiser, pgd, x) > _bce(denoiser, random, x)


def test_pgd_on_a_classifier_agrees_with_art(classifier, digits):
    x, y = digits[0][1000:1200], digits[1][1000:1200]
    clean = training.evaluate_accuracy(classifier, x, y)
    eps = 0.1
    ours = attacks.attack_classifier(classifier, x, y, epsilon=eps, steps=10, seed=0)
    art = attacks.library_attack(classifier, x, y, method="pgd", epsilon=eps, steps=10, seed=0)
    fgsm = attacks.library_attack(classifier, x, y, method="fgsm", epsilon=eps)
    acc = {
        k: training.evaluate_accuracy(classifier, v, y)
        for k, v in {"ours": ours, "art": art, "fgsm": fgsm}.items()
    }
    assert clean > 0.6  # a classifier worth attacking
    assert acc["ours"] < clean - 0.2
    assert abs(acc["ours"] - acc["art"]) <= 0.03, acc
    assert acc["ours"] <= acc["fgsm"] + 0.01 and acc["art"] <= acc["fgsm"] + 0.01, acc
    for adv in (ours, art, fgsm):
        assert attacks.linf_norms(adv, x).max() <= eps + 1e-6
        assert adv.min() >= 0.0 and adv.max() <= 1.0


def test_an_attack_repeats_exactly_with_its_seed(denoiser, digits):
    x = digits[0][1000:1050]
    a = attacks.attack_reconstruction(denoiser, x, epsilon=0.1, steps=3, seed=4)
    b = attacks.attack_reconstruction(denoiser, x, epsilon=0.1, steps=3, seed=4)
    assert np.array_equal(a, b)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"epsilon": 0}, "epsilon must be a number in \\(0, 1\\]"),
        ({"epsilon": 1.5}, "epsilon must be a number in \\(0, 1\\]"),
        ({"epsilon": "0.1"}, "epsilon must be a number"),
        ({"epsilon": 0.1, "steps": 0}, "steps must be an integer >= 1"),
    ],
)
def test_bad_attack_settings_are_refused_by_name(denoiser, digits, options, message):
    with pytest.raises(ValueError, match=message):
        attacks.attack_reconstruction(denoiser, digits[0][:4], **options)


def test_images_outside_the_pixel_range_are_refused(denoiser):
    with pytest.raises(ValueError, match=r"x must hold images in \[0, 1\]"):
        attacks.attack_reconstruction(denoiser, np.full((2, 28, 28, 1), 2.0), epsilon=0.1)


def test_adversarial_training_trains_the_wrapped_model_on_perturbed_inputs(digits):
    x = digits[0][:256]
    set_seed(0)
    ae = models.build_conv_autoencoder((8, 4, 4))
    before = [w.copy() for w in ae.autoencoder.get_weights()]
    trainer = AdversarialDenoiser(ae.autoencoder, epsilon=0.1, steps=2, seed=0)
    history = training.train(trainer, x, x, epochs=1, batch_size=64, seed=0, log=False)
    assert np.isfinite(history["loss"]).all()
    after = ae.autoencoder.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    perturbed = trainer.perturb(x[:16], x[:16]).numpy()
    assert attacks.linf_norms(perturbed, x[:16]).max() <= 0.1 + 1e-6
    assert not np.array_equal(perturbed, x[:16])
    with pytest.raises(ValueError, match="epsilon must be a number in"):
        AdversarialDenoiser(ae.autoencoder, epsilon=0)


def test_the_defence_grid_has_every_setup_and_attack(classifier, denoiser, digits):
    x, y = digits[0][1000:1040], digits[1][1000:1040]
    grid = robustness.defence_grid(
        classifier, {"standard": denoiser}, x, y, epsilons=[0.1], steps=2, seed=0
    )
    assert set(grid["none"]) == {"clean", "fgsm_100", "pgd_100", "pgd_ours_100"}
    assert set(grid["standard"]) == {
        "clean",
        "fgsm_100",
        "pgd_100",
        "fgsm_blind_100",
        "pgd_blind_100",
    }
    assert all(0.0 <= v <= 1.0 for row in grid.values() for v in row.values())
    assert robustness.level_id("gaussian", 0.4) == "gaussian_400"
    assert robustness.level_id("sign", 0.05) == "sign_050"
