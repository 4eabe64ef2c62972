"""aelib.evaluation.generative: the Frechet distance, active units, codes, ELBO, judging."""

import math

import numpy as np
import pytest

from aelib.evaluation import generative


def _gaussian(n, mean, cov, seed):
    return np.random.default_rng(seed).multivariate_normal(mean, cov, size=n)


# ------------------------------------------------------------------------ Frechet distance


def test_frechet_distance_is_zero_for_identical_sets():
    x = _gaussian(500, np.zeros(5), np.eye(5), 0)
    assert generative.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_of_two_known_gaussians():
    # Diagonal covariances: d^2 = |mu1 - mu2|^2 + sum (sqrt(s1) - sqrt(s2))^2.
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
    s1, s2 = np.diag([1.0, 4.0, 9.0]), np.diag([4.0, 1.0, 1.0])
    expected = 1.0 + 4.0 + (1 - 2) ** 2 + (2 - 1) ** 2 + (3 - 1) ** 2
    assert generative.frechet_distance_from_stats(mu1, s1, mu2, s2) == pytest.approx(expected)
    # Commuting full covariances: a rotation of both leaves the distance unchanged.
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))
    rotated = generative.frechet_distance_from_stats(q @ mu1, q @ s1 @ q.T, q @ mu2, q @ s2 @ q.T)
    assert rotated == pytest.approx(expected)
    # From samples, the fitted Gaussians give about the same.
    a = _gaussian(200_000, mu1, s1, 1)
    b = _gaussian(200_000, mu2, s2, 2)
    assert generative.frechet_distance(a, b) == pytest.approx(expected, rel=0.02)


def test_frechet_distance_is_symmetric_and_non_negative():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))
    b = rng.normal(size=(200, 6)) * 2.0 + 0.5
    assert generative.frechet_distance(a, b) == generative.frechet_distance(b, a)
    assert generative.frechet_distance(a, b) > 0
    # A singular covariance (a dead feature, fewer samples than features) still works.
    c = np.concatenate([rng.normal(size=(20, 30)), np.zeros((20, 1))], axis=1)
    d = np.concatenate([rng.normal(size=(20, 30)), np.zeros((20, 1))], axis=1)
    value = generative.frechet_distance(c, d)
    assert math.isfinite(value) and value >= 0.0


def test_frechet_distance_rejects_mismatched_features():
    with pytest.raises(ValueError, match="same k"):
        generative.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))


# ----------------------------------------------------------------------------- KL, units


def test_active_units_counts_units_above_the_threshold():
    assert generative.active_units([0.0, 0.005, 0.02, 3.0]) == 2
    per_image = np.array([[0.0, 0.02], [0.0, 0.0]])  # mean per unit: 0, 0.01 (not above)
    assert generative.active_units(per_image) == 0
    assert generative.active_units(per_image, threshold=0.005) == 1
    with pytest.raises(ValueError):
        generative.active_units(np.zeros((2, 2, 2)))


def test_gaussian_kl_per_unit():
    kl = generative.gaussian_kl_per_unit(np.array([[0.0, 1.0]]), np.array([[0.0, 0.0]]))
    assert np.allclose(kl, [[0.0, 0.5]])


# --------------------------------------------------------------------------------- codes


def test_fit_and_sample_gaussian_recover_the_moments():
    mean, cov = np.array([1.0, -2.0]), np.array([[2.0, 0.6], [0.6, 1.0]])
    codes = generative.sample_gaussian(mean, cov, 50_000, seed=0)
    assert codes.dtype == np.float32 and codes.shape == (50_000, 2)
    fitted_mean, fitted_cov = generative.fit_gaussian(codes)
    assert np.allclose(fitted_mean, mean, atol=0.03) and np.allclose(fitted_cov, cov, atol=0.05)
    again = generative.sample_gaussian(mean, cov, 10, seed=0)
    assert np.array_equal(again, generative.sample_gaussian(mean, cov, 10, seed=0))


def test_prior_codes_grid_and_interpolation():
    z = generative.prior_codes(7, 3, seed=1)
    assert z.shape == (7, 3) and np.array_equal(z, generative.prior_codes(7, 3, seed=1))
    codes, values = generative.latent_grid(5)
    assert codes.shape == (25, 2) and np.all(np.diff(values) > 0)
    assert np.isclose(values[2], 0.0, atol=1e-12) and np.isclose(values[0], -values[-1])
    # Row-major, second coordinate decreasing down the rows.
    assert np.allclose(codes[0], [values[0], values[-1]])
    assert np.allclose(codes[-1], [values[-1], values[0]])
    steps = generative.interpolate(np.zeros(2), np.array([1.0, 2.0]), 5)
    assert steps.shape == (5, 2) and np.allclose(steps[0], 0) and np.allclose(steps[-1], [1, 2])
    assert np.allclose(steps[2], [0.5, 1.0])


# -------------------------------------------------------------------- class histograms


def test_class_histogram_entropy_and_max():
    probs = np.eye(10)[np.arange(100) % 10]
    hist = generative.class_histogram(probs)
    assert np.allclose(hist, 0.1)
    assert generative.histogram_entropy(hist) == pytest.approx(generative.max_class_entropy(10))
    assert generative.histogram_entropy(generative.class_histogram(np.eye(10)[[3] * 5])) == 0.0


# ------------------------------------------------------------- with small Keras models


def test_elbo_terms_and_judge_images_on_tiny_models():
    from aelib import models, set_seed

    set_seed(0)
    vae = models.build_conv_vae(2, seed=0)
    x = np.random.default_rng(0).random((32, 28, 28, 1), dtype=np.float32)
    terms = generative.elbo_terms(vae, x, seed=0)
    assert terms["neg_elbo"] == pytest.approx(terms["recon"] + terms["kl"])
    assert terms["kl"] >= 0 and terms["kl_per_unit"].shape == (2,)
    assert 0 < terms["recon_bce"] < 2 and math.isfinite(terms["neg_elbo"])
    assert generative.elbo_terms(vae, x, seed=0)["neg_elbo"] == terms["neg_elbo"]
    mean, log_var = generative.encode_posterior(vae.encoder, x, batch_size=10)
    assert mean.shape == log_var.shape == (32, 2)
    images = generative.decode(vae.decoder, generative.prior_codes(16, 2, seed=0), batch_size=5)
    assert images.shape == (16, 28, 28, 1)

    judge = models.build_cnn_classifier((8, 8, 8), hidden_units=16)
    probs, features = generative.penultimate_features(judge, x)
    assert probs.shape == (32, 10) and features.shape == (32, 16)
    scores = generative.judge_images(judge, x, real_features=features)
    assert scores["frechet"] == pytest.approx(0.0, abs=1e-6)
    assert 0 <= scores["class_entropy"] <= math.log(10) + 1e-9
    assert 0.1 <= scores["confidence"] <= 1 and len(scores["histogram"]) == 10


def test_interpolation_images_take_a_plain_encoder_and_a_vaes():
    """The plain autoencoder's encoder gives codes, the VAE's [z_mean, z_log_var]: both
    interpolate between the two images' codes (the posterior means for the VAE)."""
    from aelib import models
    from aelib.training import predict

    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
    ae = models.build_dense_bottleneck_autoencoder(2)  # notebook 06's plain autoencoder
    vae = models.build_conv_vae(2, seed=0)
    for encoder, decoder in ((ae.encoder, ae.decoder), (vae.encoder, vae.decoder)):
        images = generative.interpolation_images(encoder, decoder, x, 5)
        assert images.shape == (5, 28, 28, 1) and images.dtype == np.float32
        codes = predict(encoder, x, 2)
        codes = codes[0] if isinstance(codes, list) else codes
        ends = generative.decode(decoder, codes)
        np.testing.assert_allclose(images[[0, -1]].reshape(2, -1), ends.reshape(2, -1), atol=1e-5)
