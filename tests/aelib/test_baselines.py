"""Tests for aelib.evaluation.baselines: PCA reconstruction and MSE on synthetic images."""

import numpy as np
import pytest

from aelib.evaluation.baselines import mse, pca_reconstruct

RNG = np.random.default_rng(0)


def _low_rank_images(n, rank=3, side=8):
    """Images that are mixtures of `rank` fixed patterns: PCA with `rank` parts is exact."""
    patterns = RNG.random((rank, side * side))
    weights = RNG.random((n, rank)) / rank
    return (weights @ patterns).reshape(n, side, side, 1).astype(np.float32)


def test_all_components_reconstruct_exactly():
    x_train = RNG.random((40, 5, 5, 1)).astype(np.float32)
    x_test = RNG.random((7, 5, 5, 1)).astype(np.float32)
    recon = pca_reconstruct(x_train, x_test, 25)
    assert recon.shape == x_test.shape and recon.dtype == np.float32
    np.testing.assert_allclose(recon, x_test, atol=1e-5)


def test_low_rank_data_needs_only_its_rank():
    x = _low_rank_images(60)
    np.testing.assert_allclose(pca_reconstruct(x[:50], x[50:], 3), x[50:], atol=1e-5)
    assert mse(x[50:], pca_reconstruct(x[:50], x[50:], 1)) > 1e-6


def test_more_components_never_hurt_and_output_is_clipped():
    x_train = RNG.random((100, 6, 6)).astype(np.float32)
    x_test = RNG.random((20, 6, 6)).astype(np.float32)
    errors = [mse(x_test, pca_reconstruct(x_train, x_test, d)) for d in (1, 4, 16, 36)]
    assert errors == sorted(errors, reverse=True)
    recon = pca_reconstruct(x_train, x_test, 2)
    assert recon.min() >= 0.0 and recon.max() <= 1.0


@pytest.mark.parametrize("n_components", [0, 37, 2.5, True])
def test_bad_component_counts(n_components):
    x = RNG.random((50, 6, 6)).astype(np.float32)
    with pytest.raises(ValueError, match="n_components"):
        pca_reconstruct(x, x[:5], n_components)


def test_shape_mismatch():
    with pytest.raises(ValueError, match="same image shape"):
        pca_reconstruct(np.zeros((10, 4, 4)), np.zeros((3, 5, 5)), 2)


def test_mse():
    a = np.zeros((2, 3, 3, 1))
    b = np.full((2, 3, 3), 0.5)
    assert mse(a, b) == pytest.approx(0.25)
    assert mse(b, b) == 0.0
    with pytest.raises(ValueError, match="same number of elements"):
        mse(a, np.zeros(3))
