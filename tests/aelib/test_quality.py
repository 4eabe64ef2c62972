"""Tests for aelib.evaluation.quality (PSNR, SSIM, filters, sweep) and plot_denoise_sweep."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from aelib import noise
from aelib.evaluation.quality import (
    PSNR_CAP_DB,
    classical_filter,
    denoise_sweep,
    gaussian_blur,
    median_filter,
    psnr,
    reduced_levels,
    ssim,
)
from aelib.figures import plot_denoise_sweep

RNG = np.random.default_rng(0)
# Smooth blobs, like digits: something for SSIM's structure term to see.
_yy, _xx = np.mgrid[0:28, 0:28]
CLEAN = np.stack(
    [np.exp(-((_xx - cx) ** 2 + (_yy - cy) ** 2) / 30.0) for cx, cy in RNG.uniform(8, 20, (6, 2))]
)[..., None].astype(np.float32)

KEYS = {"level", "noisy_psnr", "noisy_ssim", "ae_psnr", "ae_ssim", "filter_psnr", "filter_ssim"}


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


def test_psnr_of_a_known_mse():
    clean = np.zeros((3, 8, 8))
    assert psnr(clean, clean + 0.1) == pytest.approx(20.0)  # MSE 0.01 -> 20 dB
    assert psnr(clean, clean + 0.1, data_range=2.0) == pytest.approx(20.0 + 20 * np.log10(2))
    assert psnr(clean, clean) == PSNR_CAP_DB
    # per image, then the mean: one perfect image (capped) and one at 20 dB
    other = np.stack([clean[0], clean[1] + 0.1])
    assert psnr(clean[:2], other) == pytest.approx((PSNR_CAP_DB + 20.0) / 2)


def test_ssim_properties():
    assert ssim(CLEAN, CLEAN) == pytest.approx(1.0)
    weak = noise.gaussian_noise(CLEAN, 0.05, seed=1)
    strong = noise.gaussian_noise(CLEAN, 0.3, seed=1)
    assert 1.0 > ssim(CLEAN, weak) > ssim(CLEAN, strong) > -1.0
    assert ssim(CLEAN, strong) == pytest.approx(ssim(strong, CLEAN))
    assert ssim(np.zeros((1, 9, 9)), np.zeros((1, 9, 9))) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 7"):
        ssim(np.zeros((1, 5, 5)), np.zeros((1, 5, 5)))


def test_scores_accept_channel_or_no_channel():
    other = noise.gaussian_noise(CLEAN, 0.2, seed=2)
    assert ssim(CLEAN, other[..., 0]) == pytest.approx(ssim(CLEAN[..., 0], other[..., 0]))
    assert psnr(CLEAN, other[..., 0]) == pytest.approx(psnr(CLEAN, other))
    with pytest.raises(ValueError, match="batch of images"):
        psnr(np.zeros(10), np.zeros(10))


def test_median_filter_removes_salt_and_pepper_from_a_flat_image():
    flat = np.full((4, 16, 16, 1), 0.5, dtype=np.float32)
    noisy = noise.salt_and_pepper_noise(flat, amount=0.1, seed=0)
    filtered = median_filter(noisy)
    assert filtered.shape == flat.shape and filtered.dtype == flat.dtype
    assert np.mean(filtered == 0.5) > 0.97 and np.mean(noisy == 0.5) < 0.95


def test_filters_act_per_image_on_spatial_axes_only():
    images = np.zeros((3, 9, 9), dtype=np.float32)
    images[1, 4, 4] = 1.0  # a dot in the middle image only
    blurred = gaussian_blur(images, sigma=1.0)
    assert blurred.shape == images.shape and blurred.dtype == np.float32
    assert np.all(blurred[0] == 0) and np.all(blurred[2] == 0)
    assert blurred[1].sum() == pytest.approx(1.0, rel=1e-4) and blurred[1, 4, 4] < 0.5
    two_channels = np.zeros((2, 9, 9, 2))
    two_channels[0, 4, 4, 0] = 1.0
    assert np.all(gaussian_blur(two_channels)[..., 1] == 0)
    np.testing.assert_array_equal(gaussian_blur(images, sigma=0.0), images)
    assert median_filter(images, size=1).tolist() == images.tolist()


def test_classical_filter_picks_by_kind():
    noisy = noise.salt_and_pepper_noise(CLEAN, 0.1, seed=3)
    np.testing.assert_array_equal(classical_filter(noisy, "salt_pepper"), median_filter(noisy, 3))
    with pytest.raises(ValueError, match="kind"):
        classical_filter(noisy, "poisson")


def test_denoise_sweep_with_a_callable_and_an_identity_model():
    rows = denoise_sweep(lambda x: x, CLEAN, [0.1, 0.3], "gaussian", seed=0, batch_size=4)
    assert [r["level"] for r in rows] == [0.1, 0.3] and all(set(r) == KEYS for r in rows)
    # the identity "denoiser" returns the noisy input unchanged
    assert rows[0]["ae_psnr"] == pytest.approx(rows[0]["noisy_psnr"])
    assert rows[0]["noisy_psnr"] > rows[1]["noisy_psnr"]
    # the noise of a level does not depend on the other levels in the list
    again = denoise_sweep(lambda x: x, CLEAN, [0.3], "gaussian", seed=0)
    assert again[0] == rows[1]
    rows = denoise_sweep(lambda x: x, CLEAN, [0.2], "salt_pepper", seed=0)
    assert rows[0]["filter_psnr"] > rows[0]["noisy_psnr"]


def test_denoise_sweep_with_a_keras_model():
    import keras

    inputs = keras.Input((28, 28, 1))
    model = keras.Model(inputs, keras.layers.Identity()(inputs))
    rows = denoise_sweep(model, CLEAN, [0.05], "salt_pepper", seed=1)
    assert set(rows[0]) == KEYS and rows[0]["ae_ssim"] == pytest.approx(rows[0]["noisy_ssim"])


def test_denoise_sweep_rejects_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        denoise_sweep(lambda x: x, CLEAN, [0.1], "speckle", seed=0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        denoise_sweep(lambda x: x, CLEAN, [1.5], "gaussian", seed=0)
    with pytest.raises(ValueError, match="empty"):
        denoise_sweep(lambda x: x, CLEAN, [], "gaussian", seed=0)


def test_plot_denoise_sweep():
    sweep = {
        kind: denoise_sweep(lambda x: x, CLEAN, [0.1, 0.2], kind, seed=0)
        for kind in ("gaussian", "salt_pepper")
    }
    fig = plot_denoise_sweep(sweep, trained_levels={"gaussian": 0.1}, title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[0].get_ylabel() == "PSNR (dB)"
    assert any("trained" in t.get_text() for t in fig.axes[0].get_legend().get_texts())
    assert plot_denoise_sweep(sweep, metric="ssim").axes[1].get_ylabel() == "SSIM"
    with pytest.raises(ValueError, match="metric"):
        plot_denoise_sweep(sweep, metric="bce")


def test_reduced_levels_keep_the_ends_and_the_trained_level():
    levels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    assert reduced_levels(levels, 0.4) == [0.1, 0.4, 0.8]
    assert reduced_levels([0.02, 0.05, 0.1, 0.2, 0.3, 0.4], 0.1) == [0.02, 0.1, 0.4]
    assert reduced_levels([0.3], 0.1) == [0.3]
