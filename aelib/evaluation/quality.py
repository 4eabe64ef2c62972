"""Image quality of denoised digits: PSNR, SSIM, classical filters, a noise-strength sweep.

BCE (the paper's metric) says how well a model's pixel probabilities fit the clean
digit; PSNR and SSIM are the usual image-restoration scores and let the autoencoder be
compared with the classical filters: a 3x3 median filter for salt-and-pepper noise
and a Gaussian blur for Gaussian noise.

Images are batches `(n, h, w)` or `(n, h, w, c)` of floats in [0, 1] (channels last);
every score is computed per image and then averaged over the batch, and every filter
acts on the two spatial axes only, never across images or channels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import ndimage

__all__ = [
    "PSNR_CAP_DB",
    "BLUR_SIGMA",
    "MEDIAN_SIZE",
    "psnr",
    "ssim",
    "median_filter",
    "gaussian_blur",
    "classical_filter",
    "quality_scores",
    "denoise_sweep",
    "reduced_levels",
]

# PSNR of identical images is infinite; report this instead so means stay finite.
PSNR_CAP_DB = 100.0
# Standard deviation (pixels) of the Gaussian blur used against Gaussian noise: the
# PSNR-best value at the paper's noise factor 0.4 on 1,000 MNIST test images
# (13.7 dB, against 12.9 dB at 0.5 and 13.5 dB at 1.0). A wider blur helps stronger
# noise a little, a narrower one weaker noise; one fixed value keeps the sweep honest.
BLUR_SIGMA = 0.7
# Side of the square median window used against salt-and-pepper noise.
MEDIAN_SIZE = 3

# SSIM constants of Wang et al. (2004).
_SSIM_K1 = 0.01
_SSIM_K2 = 0.03
_SSIM_SIGMA = 1.5
# truncate * sigma = 3 pixels: a 7x7 Gaussian window, which suits 28x28 digits better
# than the paper's 11x11 (which would leave only an 18x18 border-free interior).
_SSIM_TRUNCATE = 2.0
_SSIM_RADIUS = int(_SSIM_TRUNCATE * _SSIM_SIGMA + 0.5)

KINDS = ("gaussian", "salt_pepper")


# ----------------------------------------------------------------------------- helpers


def _check_batch(name: str, images) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"{name} must be a batch of images (n, h, w) or (n, h, w, c), got shape {images.shape}"
        )
    return images


def _check_pair(clean, other) -> tuple[np.ndarray, np.ndarray]:
    clean = _check_batch("clean", clean)
    other = np.asarray(other)
    if other.size != clean.size:
        raise ValueError(f"clean {clean.shape} and other {other.shape} differ in size")
    return clean.astype(np.float64), other.reshape(clean.shape).astype(np.float64)


def _check_range(data_range) -> float:
    if isinstance(data_range, bool) or not isinstance(
        data_range, (int, float, np.integer, np.floating)
    ):
        raise ValueError(f"data_range must be a positive number, got {data_range!r}")
    if not np.isfinite(data_range) or data_range <= 0:
        raise ValueError(f"data_range must be a positive number, got {data_range}")
    return float(data_range)


def _spatial(images: np.ndarray, value: float) -> tuple:
    """A per-axis filter parameter: `value` on (h, w), 0 (or 1 for sizes) elsewhere."""
    per_axis = [0.0] * images.ndim
    per_axis[1] = per_axis[2] = value
    return tuple(per_axis)


# ------------------------------------------------------------------------------ scores


def psnr(clean, other, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB, per image, averaged over the batch.

    `PSNR = 10 log10(data_range**2 / MSE)` with the MSE over one image's pixels. An
    image identical to its clean version (MSE 0) scores `PSNR_CAP_DB` (100 dB), and
    no image scores more, so the mean stays finite.

    Args:
        clean: reference images `(n, h, w[, c])`, floats.
        other: images to score, the same number of elements (reshaped to `clean`).
        data_range: the span of possible pixel values (1.0 for images in [0, 1]).

    Returns:
        The mean PSNR in dB, a Python float in (-inf, 100].
    """
    clean, other = _check_pair(clean, other)
    data_range = _check_range(data_range)
    per_image_mse = np.mean((clean - other).reshape(len(clean), -1) ** 2, axis=1)
    with np.errstate(divide="ignore"):
        values = 10.0 * np.log10(data_range**2 / per_image_mse)
    return float(np.mean(np.minimum(values, PSNR_CAP_DB)))


def ssim(clean, other, data_range: float = 1.0) -> float:
    """Structural similarity (Wang et al., 2004), per image, averaged over the batch.

    Local means, variances and covariance are taken with a Gaussian window
    (sigma 1.5, 7x7 pixels) on the spatial axes; `K1 = 0.01`, `K2 = 0.03`,
    `C1 = (K1 * data_range)**2`, `C2 = (K2 * data_range)**2`. The SSIM map is averaged
    over the pixels at least 3 from the border (where the window fits; the same
    cropping as scikit-image), then over channels and images.

    Properties: `ssim(x, x) == 1`; symmetric in its two arguments; at most 1; lower
    for stronger noise.

    Args:
        clean: reference images `(n, h, w[, c])` with h, w >= 7, floats.
        other: images to score, the same number of elements (reshaped to `clean`).
        data_range: the span of possible pixel values (1.0 for images in [0, 1]).

    Returns:
        The mean SSIM, a Python float in [-1, 1].
    """
    x, y = _check_pair(clean, other)
    data_range = _check_range(data_range)
    r = _SSIM_RADIUS
    if x.shape[1] <= 2 * r or x.shape[2] <= 2 * r:
        raise ValueError(f"images must be at least {2 * r + 1} pixels on each side, got {x.shape}")
    sigma = _spatial(x, _SSIM_SIGMA)

    def smooth(a):
        return ndimage.gaussian_filter(a, sigma, mode="reflect", truncate=_SSIM_TRUNCATE)

    mu_x, mu_y = smooth(x), smooth(y)
    var_x = smooth(x * x) - mu_x * mu_x
    var_y = smooth(y * y) - mu_y * mu_y
    cov = smooth(x * y) - mu_x * mu_y
    c1 = (_SSIM_K1 * data_range) ** 2
    c2 = (_SSIM_K2 * data_range) ** 2
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
        (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    )
    interior = ssim_map[:, r:-r, r:-r]
    per_image = interior.reshape(len(interior), -1).mean(axis=1)
    return float(np.mean(per_image))


# ----------------------------------------------------------------------------- filters


def median_filter(images, size: int = MEDIAN_SIZE) -> np.ndarray:
    """Median filter with a `size` x `size` window on each image (reflecting borders).

    The classical remedy for salt-and-pepper noise: an isolated white or black pixel
    is never the median of its neighbourhood.

    Args:
        images: `(n, h, w[, c])` array.
        size: odd window side >= 1.

    Returns:
        Array of the same shape and dtype as `images`.
    """
    images = _check_batch("images", images)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    sizes = tuple(int(s) or 1 for s in _spatial(images, size))
    return ndimage.median_filter(images, size=sizes, mode="reflect")


def gaussian_blur(images, sigma: float = BLUR_SIGMA) -> np.ndarray:
    """Gaussian blur with standard deviation `sigma` pixels on each image.

    The classical remedy for Gaussian noise (averaging neighbours cancels independent
    noise, at the cost of sharp edges). The default, `BLUR_SIGMA`, is tuned for the
    paper's noise factor 0.4.

    Args:
        images: `(n, h, w[, c])` float array.
        sigma: standard deviation in pixels, >= 0 (0 returns a copy).

    Returns:
        Array of the same shape and dtype as `images`.
    """
    images = _check_batch("images", images)
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.integer, np.floating)):
        raise ValueError(f"sigma must be a number >= 0, got {sigma!r}")
    if not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"sigma must be a finite number >= 0, got {sigma}")
    return ndimage.gaussian_filter(images, _spatial(images, float(sigma)), mode="reflect")


def classical_filter(
    images, kind: str, *, median_size: int = MEDIAN_SIZE, blur_sigma: float = BLUR_SIGMA
) -> np.ndarray:
    """The classical denoiser for a noise kind.

    Args:
        images: noisy `(n, h, w[, c])` float array.
        kind: `"gaussian"` (Gaussian blur, `blur_sigma`) or `"salt_pepper"` (median
            filter, `median_size`).

    Returns:
        Array of the same shape and dtype as `images`.
    """
    if kind == "gaussian":
        return gaussian_blur(images, sigma=blur_sigma)
    if kind == "salt_pepper":
        return median_filter(images, size=median_size)
    raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}")


def quality_scores(clean, noisy, denoised, filtered, data_range: float = 1.0) -> dict:
    """PSNR and SSIM against `clean` of the noisy input, the model's and the filter's output.

    Returns:
        `{"noisy_psnr", "noisy_ssim", "ae_psnr", "ae_ssim", "filter_psnr",
        "filter_ssim"}`, Python floats (PSNR in dB).
    """
    scores = {}
    for prefix, images in (("noisy", noisy), ("ae", denoised), ("filter", filtered)):
        scores[f"{prefix}_psnr"] = psnr(clean, images, data_range)
        scores[f"{prefix}_ssim"] = ssim(clean, images, data_range)
    return scores


# ------------------------------------------------------------------------------- sweep


def denoise_sweep(
    model: Callable | object,
    clean: np.ndarray,
    levels: Sequence[float],
    kind: str,
    *,
    seed: int,
    batch_size: int = 512,
    salt_ratio: float = 0.5,
    median_size: int = MEDIAN_SIZE,
    blur_sigma: float = BLUR_SIGMA,
) -> list[dict]:
    """Score a denoiser and the classical filter over a range of noise strengths.

    For each level, `clean` is corrupted with `aelib.noise` (kind `"gaussian"`:
    `noise_factor=level`; kind `"salt_pepper"`: `amount=level`), then denoised by the
    model and by `classical_filter`. The noise of a level depends only on `seed`, the
    kind and the level itself, so a shorter list of levels (smoke runs) gives the same
    numbers at the levels it keeps.

    Args:
        model: a Keras model (`aelib.training.predict`) or a callable mapping a batch of
            noisy images to denoised ones of the same size.
        clean: clean images `(n, h, w[, c])`, floats in [0, 1].
        levels: noise strengths, each in [0, 1].
        kind: `"gaussian"` or `"salt_pepper"`.
        seed: int seed of the noise.
        batch_size: prediction batch size.
        salt_ratio: share of salt-and-pepper pixels set to 1.
        median_size, blur_sigma: settings of the classical filters.

    Returns:
        One dict per level, in order: `{"level", "noisy_psnr", "noisy_ssim", "ae_psnr",
        "ae_ssim", "filter_psnr", "filter_ssim"}` (floats; PSNR in dB).
    """
    from aelib import noise
    from aelib.training import predict  # TensorFlow only when a sweep runs

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    clean = _check_batch("clean", clean)
    levels = [float(level) for level in levels]
    if not levels:
        raise ValueError("levels must not be empty")
    rows = []
    for level in levels:
        if not 0.0 <= level <= 1.0:
            raise ValueError(f"noise levels must lie in [0, 1], got {level}")
        rng = np.random.default_rng([int(seed), KINDS.index(kind), int(round(level * 10_000))])
        if kind == "gaussian":
            noisy = noise.gaussian_noise(clean, noise_factor=level, seed=rng)
        else:
            noisy = noise.salt_and_pepper_noise(
                clean, amount=level, salt_ratio=salt_ratio, seed=rng
            )
        denoised = predict(model, noisy, batch_size).reshape(clean.shape)
        filtered = classical_filter(noisy, kind, median_size=median_size, blur_sigma=blur_sigma)
        rows.append({"level": level, **quality_scores(clean, noisy, denoised, filtered)})
    return rows


def reduced_levels(levels: Sequence[float], trained_level: float) -> list[float]:
    """Three levels of a sweep for smoke runs: the weakest, the strongest, and the one
    nearest the training level.

    Args:
        levels: the full list of noise levels.
        trained_level: the level the model was trained at.

    Returns:
        The chosen levels, sorted and without repeats (fewer than three when `levels`
        is that short).
    """
    levels = [float(level) for level in levels]
    if not levels:
        raise ValueError("levels must not be empty")
    nearest = min(levels, key=lambda level: abs(level - float(trained_level)))
    return sorted({min(levels), max(levels), nearest})
