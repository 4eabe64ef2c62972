"""Noise injection for denoising experiments: pure NumPy, seeded, shape-preserving.

Both functions take images as floats in [0, 1] (any shape) and return an array of the
same shape and dtype, clipped to [0, 1]. Randomness comes only from the `seed` argument
(an int, a `np.random.Generator`, or None for fresh entropy).
"""

from __future__ import annotations

import numpy as np

SeedLike = int | np.random.Generator | None


def _rng(seed: SeedLike) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise ValueError(f"seed must be an int, a numpy Generator or None, got {seed!r}")
    return np.random.default_rng(seed)


def _check_images(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(
            f"images must be floating point in [0, 1], got dtype {images.dtype}; "
            "convert uint8 images with aelib.datasets.to_float_images first"
        )
    if images.size and (np.nanmin(images) < 0.0 or np.nanmax(images) > 1.0):
        raise ValueError(
            f"images must lie in [0, 1], got values in [{images.min():.3g}, {images.max():.3g}]; "
            "divide uint8 pixels by 255 first"
        )
    if np.isnan(images).any():
        raise ValueError("images contain NaN values")
    return images


def _check_fraction(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return float(value)


def gaussian_noise(
    images: np.ndarray, noise_factor: float = 0.4, seed: SeedLike = None
) -> np.ndarray:
    """Add zero-mean Gaussian noise with standard deviation `noise_factor`, then clip.

    This is the corruption of the paper's denoising experiment:
    `clip(x + noise_factor * N(0, 1), 0, 1)` with `noise_factor = 0.4`.

    Args:
        images: float array in [0, 1], any shape.
        noise_factor: standard deviation of the noise, >= 0 (0 returns a copy).
        seed: int, `np.random.Generator` or None.

    Returns:
        Array of the same shape and dtype as `images`, values in [0, 1].

    Raises:
        ValueError: for a negative or non-finite `noise_factor`, or images that are not
            floats in [0, 1].
    """
    images = _check_images(images)
    if isinstance(noise_factor, bool) or not isinstance(
        noise_factor, (int, float, np.floating, np.integer)
    ):
        raise ValueError(f"noise_factor must be a number >= 0, got {noise_factor!r}")
    if not np.isfinite(noise_factor) or noise_factor < 0:
        raise ValueError(f"noise_factor must be a finite number >= 0, got {noise_factor}")
    rng = _rng(seed)
    noise = rng.standard_normal(images.shape, dtype=np.float64) * float(noise_factor)
    return np.clip(images + noise, 0.0, 1.0).astype(images.dtype, copy=False)


def salt_and_pepper_noise(
    images: np.ndarray, amount: float = 0.1, salt_ratio: float = 0.5, seed: SeedLike = None
) -> np.ndarray:
    """Set a random fraction `amount` of pixels to 1 (salt) or 0 (pepper).

    Args:
        images: float array in [0, 1], any shape.
        amount: fraction of pixels replaced, in [0, 1].
        salt_ratio: fraction of the replaced pixels set to 1 (the rest set to 0), in [0, 1].
        seed: int, `np.random.Generator` or None.

    Returns:
        Array of the same shape and dtype as `images`, values in [0, 1].

    Raises:
        ValueError: for `amount` or `salt_ratio` outside [0, 1], or images that are not
            floats in [0, 1].
    """
    images = _check_images(images)
    amount = _check_fraction("amount", amount)
    salt_ratio = _check_fraction("salt_ratio", salt_ratio)
    rng = _rng(seed)
    draw = rng.random(images.shape)
    salt = draw < amount * salt_ratio
    pepper = (draw >= amount * salt_ratio) & (draw < amount)
    noisy = images.copy()
    noisy[salt] = 1.0
    noisy[pepper] = 0.0
    return noisy


def mixed_noise(
    images: np.ndarray,
    noise_factor: float = 0.4,
    amount: float = 0.1,
    salt_ratio: float = 0.5,
    gaussian_share: float = 0.5,
    seed: SeedLike = None,
) -> np.ndarray:
    """Corrupt each image (along axis 0) with either Gaussian or salt-and-pepper noise.

    A seeded coin flip per image picks the type: Gaussian with probability
    `gaussian_share`, salt-and-pepper otherwise. This is how one denoising model learns
    both corruptions of the paper's experiment 3.

    Args:
        images: float array in [0, 1] of shape (N, ...).
        noise_factor: Gaussian standard deviation, >= 0.
        amount: salt-and-pepper fraction of pixels, in [0, 1].
        salt_ratio: share of the salt-and-pepper pixels set to 1, in [0, 1].
        gaussian_share: probability that an image gets Gaussian noise, in [0, 1].
        seed: int, `np.random.Generator` or None.

    Returns:
        Array of the same shape and dtype as `images`, values in [0, 1].
    """
    images = _check_images(images)
    gaussian_share = _check_fraction("gaussian_share", gaussian_share)
    if images.ndim < 1 or len(images) == 0:
        raise ValueError("images must have at least one image along axis 0")
    rng = _rng(seed)
    use_gaussian = rng.random(len(images)) < gaussian_share
    out = salt_and_pepper_noise(images, amount=amount, salt_ratio=salt_ratio, seed=rng)
    if use_gaussian.any():
        out[use_gaussian] = gaussian_noise(images[use_gaussian], noise_factor, seed=rng)
    return out
