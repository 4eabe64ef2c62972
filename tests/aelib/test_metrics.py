import numpy as np
import pytest

from aelib.evaluation.metrics import binary_cross_entropy, compression_ratio, entropy_floor


def test_bce_matches_formula_and_floor_is_a_lower_bound():
    rng = np.random.default_rng(0)
    t = rng.random((50, 28, 28))
    p = rng.random((50, 28, 28))
    expected = np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)))
    assert binary_cross_entropy(t, p) == pytest.approx(expected, rel=1e-6)
    floor = entropy_floor(t)
    assert floor < binary_cross_entropy(t, p)
    assert floor < binary_cross_entropy(t, np.clip(t + 0.01, 0, 1))


def test_entropy_floor_of_binary_images_is_zero():
    t = (np.random.default_rng(1).random((10, 28, 28)) > 0.5).astype(np.float32)
    assert entropy_floor(t) < 1e-5
    assert entropy_floor(np.full((4, 4), 0.5)) == pytest.approx(np.log(2))


def test_compression_ratio():
    assert compression_ratio(16) == 49.0
    with pytest.raises(ValueError):
        compression_ratio(0)
