import numpy as np
import pytest

from aelib.noise import gaussian_noise, salt_and_pepper_noise


@pytest.fixture
def images():
    rng = np.random.default_rng(123)
    return rng.random((200, 28, 28, 1), dtype=np.float32)


def test_gaussian_noise_statistics_before_clipping():
    # Mid-grey images: clipping is rare at factor 0.1, so the noise should be N(0, 0.1).
    x = np.full((100, 28, 28), 0.5, dtype=np.float32)
    noisy = gaussian_noise(x, noise_factor=0.1, seed=0)
    delta = noisy - x
    assert abs(delta.mean()) < 2e-3
    assert abs(delta.std() - 0.1) < 2e-3


def test_gaussian_noise_clips_and_keeps_shape_and_dtype(images):
    noisy = gaussian_noise(images, seed=1)
    assert noisy.shape == images.shape and noisy.dtype == images.dtype
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    # The paper's default factor 0.4 changes nearly every pixel.
    assert np.mean(noisy != images) > 0.95


def test_gaussian_noise_zero_factor_is_identity(images):
    np.testing.assert_array_equal(gaussian_noise(images, noise_factor=0.0, seed=0), images)


def test_seed_and_generator_reproducible(images):
    a = gaussian_noise(images, seed=7)
    b = gaussian_noise(images, seed=7)
    c = gaussian_noise(images, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, gaussian_noise(images, seed=8))


def test_salt_and_pepper_fractions(images):
    x = np.full((400, 28, 28), 0.5, dtype=np.float64)
    noisy = salt_and_pepper_noise(x, amount=0.2, salt_ratio=0.25, seed=0)
    assert noisy.dtype == x.dtype and noisy.shape == x.shape
    salt, pepper = np.mean(noisy == 1.0), np.mean(noisy == 0.0)
    assert abs(salt + pepper - 0.2) < 0.005
    assert abs(salt - 0.05) < 0.003
    assert abs(pepper - 0.15) < 0.003
    # Untouched pixels are exactly the originals.
    untouched = (noisy != 1.0) & (noisy != 0.0)
    np.testing.assert_array_equal(noisy[untouched], x[untouched])


def test_salt_and_pepper_does_not_modify_input(images):
    before = images.copy()
    salt_and_pepper_noise(images, amount=0.5, seed=0)
    np.testing.assert_array_equal(images, before)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"noise_factor": -0.1}, "noise_factor"),
        ({"noise_factor": float("nan")}, "noise_factor"),
        ({"noise_factor": "0.4"}, "noise_factor"),
    ],
)
def test_gaussian_noise_rejects_bad_factor(images, kwargs, match):
    with pytest.raises(ValueError, match=match):
        gaussian_noise(images, **kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"amount": -0.01}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"salt_ratio": 2.0}, "salt_ratio"),
    ],
)
def test_salt_and_pepper_rejects_bad_values(images, kwargs, match):
    with pytest.raises(ValueError, match=match):
        salt_and_pepper_noise(images, **kwargs)


@pytest.mark.parametrize("fn", [gaussian_noise, salt_and_pepper_noise])
def test_rejects_uint8_and_out_of_range_images(fn):
    with pytest.raises(ValueError, match="dtype uint8"):
        fn(np.zeros((2, 28, 28), dtype=np.uint8), seed=0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        fn(np.full((2, 28, 28), 255.0, dtype=np.float32), seed=0)


def test_rejects_bad_seed(images):
    with pytest.raises(ValueError, match="seed"):
        gaussian_noise(images, seed="abc")


def test_mixed_noise_splits_images_between_types():
    from aelib.noise import mixed_noise

    x = np.full((1000, 28, 28), 0.5, dtype=np.float32)
    noisy = mixed_noise(x, noise_factor=0.4, amount=0.1, seed=0)
    assert noisy.shape == x.shape and noisy.dtype == x.dtype
    # Salt-and-pepper images keep ~90% of pixels exactly at 0.5; Gaussian ones almost none.
    unchanged = np.mean(noisy == 0.5, axis=(1, 2))
    sp = unchanged > 0.5
    assert 0.45 < sp.mean() < 0.55
    np.testing.assert_array_equal(noisy, mixed_noise(x, noise_factor=0.4, amount=0.1, seed=0))
    assert mixed_noise(x, gaussian_share=1.0, seed=1).std() > 0.2
    with pytest.raises(ValueError, match="gaussian_share"):
        mixed_noise(x, gaussian_share=1.5, seed=0)
