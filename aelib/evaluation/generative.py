"""Generative use of autoencoders: sampling codes, the ELBO, and judging generated images.

Notebook 06 compares a variational autoencoder (`aelib.models.build_conv_vae`) with the
plain autoencoder of the same trunk and code size. This module holds the numbers it
computes:

- `encode_posterior`, `elbo_terms`, `active_units`: the VAE's test negative ELBO (nats
  per image, one seeded sample per image), its reconstruction and KL parts, and how many
  code units carry information (mean KL per unit above 0.01 nats).
- `fit_gaussian`, `sample_gaussian`: a Gaussian fitted to a plain autoencoder's training
  codes, the simplest way to draw new codes for a decoder that has no prior.
- `prior_codes`, `latent_grid`, `interpolate`: codes for samples, for the decoded 2-D
  manifold and for interpolations between two images.
- `frechet_distance`, `penultimate_features`, `judge_images`: generation quality judged
  by a classifier trained on the real images (the FID idea with a domain classifier, as
  TF-GAN's `mnist_frechet_distance`): the Frechet distance between Gaussians fitted to
  its penultimate-layer features of real and generated images, and the class histogram
  (diversity) and mean confidence of its predictions.

Everything takes arrays (or a Keras model and arrays) and returns NumPy arrays or Python
floats; every random draw takes a seed or a `np.random.Generator`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from aelib.params import check_int
from aelib.training import predict

__all__ = [
    "ACTIVE_UNIT_THRESHOLD",
    "encode_posterior",
    "elbo_terms",
    "active_units",
    "fit_gaussian",
    "sample_gaussian",
    "prior_codes",
    "latent_grid",
    "interpolate",
    "decode",
    "frechet_distance",
    "frechet_distance_from_stats",
    "penultimate_features",
    "judge_images",
    "class_histogram",
    "histogram_entropy",
    "max_class_entropy",
    "gaussian_kl_per_unit",
    "DATASET_METRIC_PREFIX",
    "DATASET_TITLES",
    "random_subset",
    "interpolation_pairs",
    "interpolation_images",
]

# A unit is "active" when its KL to the prior, averaged over the data, exceeds this many
# nats (the usual threshold of Burda et al. 2016 is on the variance of the posterior
# mean; on the KL it flags the same collapsed units, whose KL is ~0).
ACTIVE_UNIT_THRESHOLD = 0.01

# Keras clips probabilities to [eps, 1 - eps] in its binary cross-entropy.
_EPSILON = 1e-7


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(
            f"seed must be a non-negative integer or a np.random.Generator, got {seed!r}"
        )
    return np.random.default_rng(int(seed))


# ------------------------------------------------------------------------ the VAE's numbers


def encode_posterior(
    encoder, x: np.ndarray, batch_size: int = 512
) -> tuple[np.ndarray, np.ndarray]:
    """The Gaussian posterior q(z | x) of every image: its mean and log-variance.

    Args:
        encoder: a VAE encoder (`VariationalAutoencoder.encoder`), image batch ->
            `[z_mean, z_log_var]`.
        x: images `(n, 28, 28, 1)` float32 in [0, 1].
        batch_size: images per call.

    Returns:
        `(z_mean, z_log_var)`, each `(n, latent_dim)` float32.
    """
    x = np.asarray(x)
    if len(x) == 0:
        raise ValueError("encode_posterior: got an empty array")
    outputs = predict(encoder, x, batch_size)
    if not isinstance(outputs, list) or len(outputs) != 2:
        got = len(outputs) if isinstance(outputs, list) else 1
        raise ValueError(
            f"encoder must return [z_mean, z_log_var], got {got} output(s); pass "
            "the encoder of aelib.models.build_conv_vae"
        )
    return tuple(o.astype(np.float32) for o in outputs)


def decode(decoder, codes: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """`decoder(codes)` in inference mode, batch by batch: images float32 in [0, 1]."""
    codes = np.asarray(codes, dtype=np.float32)
    if codes.ndim != 2 or len(codes) == 0:
        raise ValueError(f"codes must have shape (n, latent_dim) with n > 0, got {codes.shape}")
    return predict(decoder, codes, batch_size).astype(np.float32)


def gaussian_kl_per_unit(z_mean: np.ndarray, z_log_var: np.ndarray) -> np.ndarray:
    """KL(N(mean, exp(log_var)) || N(0, 1)) of every code unit of every image, float64."""
    m = np.asarray(z_mean, dtype=np.float64)
    lv = np.asarray(z_log_var, dtype=np.float64)
    return 0.5 * (np.square(m) + np.exp(lv) - 1.0 - lv)


def _bce_sum_per_image(targets: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    t = np.asarray(targets, dtype=np.float64).reshape(len(targets), -1)
    p = np.clip(np.asarray(probabilities, dtype=np.float64), _EPSILON, 1.0 - _EPSILON)
    p = p.reshape(len(p), -1)
    return -(t * np.log(p) + (1.0 - t) * np.log(1.0 - p)).sum(axis=1)


def elbo_terms(vae, x: np.ndarray, *, seed, batch_size: int = 512) -> dict:
    """The test negative ELBO of a VAE in nats per image, and its two parts.

    -ELBO(x) = E_q(z|x)[-log p(x | z)] + KL(q(z | x) || N(0, I)). The reconstruction
    term is estimated with one sample z ~ q(z | x) per image, drawn from `seed`; the KL
    term is exact. -log p(x | z) is the binary cross-entropy summed over the 784 pixels,
    evaluated on the continuous grey values: not a normalised likelihood, so the number
    is not comparable to the nats reported on binarised MNIST.

    Args:
        vae: a `VariationalAutoencoder` (its encoder and decoder are used).
        x: images `(n, 28, 28, 1)` float32 in [0, 1].
        seed: int or `np.random.Generator` for the posterior samples.
        batch_size: images per call.

    Returns:
        A dict of floats: `"neg_elbo"`, `"recon"` (nats per image), `"kl"` (nats per
        image), `"recon_bce"` (per-pixel BCE of the posterior mean's reconstruction,
        comparable to the autoencoders' validation BCE), and `"kl_per_unit"`, the mean KL
        of each code unit as a `(latent_dim,)` float64 array.
    """
    rng = _rng(seed)
    z_mean, z_log_var = encode_posterior(vae.encoder, x, batch_size)
    noise = rng.standard_normal(z_mean.shape).astype(np.float32)
    z = z_mean + np.exp(0.5 * z_log_var) * noise
    recon = _bce_sum_per_image(x, decode(vae.decoder, z, batch_size))
    kl = gaussian_kl_per_unit(z_mean, z_log_var)
    mean_recon = _bce_sum_per_image(x, decode(vae.decoder, z_mean, batch_size))
    pixels = int(np.prod(np.asarray(x).shape[1:]))
    return {
        "neg_elbo": float(np.mean(recon + kl.sum(axis=1))),
        "recon": float(np.mean(recon)),
        "kl": float(np.mean(kl.sum(axis=1))),
        "recon_bce": float(np.mean(mean_recon) / pixels),
        "kl_per_unit": kl.mean(axis=0),
    }


def active_units(kl_per_unit, threshold: float = ACTIVE_UNIT_THRESHOLD) -> int:
    """How many code units carry information: mean KL to the prior above `threshold`.

    Args:
        kl_per_unit: the mean KL of each unit `(latent_dim,)` (as `elbo_terms` returns),
            or per image and unit `(n, latent_dim)` (averaged over the images first).
        threshold: nats; default `ACTIVE_UNIT_THRESHOLD` (0.01).

    Returns:
        The number of active units, an int in [0, latent_dim].
    """
    kl = np.asarray(kl_per_unit, dtype=np.float64)
    if kl.ndim == 2:
        kl = kl.mean(axis=0)
    if kl.ndim != 1:
        raise ValueError(f"kl_per_unit must be (latent_dim,) or (n, latent_dim), got {kl.shape}")
    return int(np.sum(kl > threshold))


# ----------------------------------------------------------------------------- codes


def fit_gaussian(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (float64) of a set of codes `(n, d)`, n >= 2."""
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) < 2:
        raise ValueError(f"codes must have shape (n, d) with n >= 2, got {codes.shape}")
    return codes.mean(axis=0), np.atleast_2d(np.cov(codes, rowvar=False))


def sample_gaussian(mean: np.ndarray, cov: np.ndarray, n: int, *, seed) -> np.ndarray:
    """`n` codes drawn from N(mean, cov), float32 `(n, d)`.

    Used to generate with a plain autoencoder: fit a Gaussian to its training codes
    (`fit_gaussian`), draw codes from it and decode them.
    """
    n = check_int("n", n)
    mean = np.asarray(mean, dtype=np.float64)
    cov = np.asarray(cov, dtype=np.float64)
    if cov.shape != (len(mean), len(mean)):
        raise ValueError(f"cov must be ({len(mean)}, {len(mean)}), got {cov.shape}")
    # eigh tolerates the (near-)singular covariance of codes with dead units.
    return _rng(seed).multivariate_normal(mean, cov, size=n, method="eigh").astype(np.float32)


def prior_codes(n: int, latent_dim: int, *, seed) -> np.ndarray:
    """`n` codes from the VAE's prior N(0, I), float32 `(n, latent_dim)`."""
    n = check_int("n", n)
    latent_dim = check_int("latent_dim", latent_dim)
    return _rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def latent_grid(n: int, *, low: float = 0.05, high: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """An n x n grid of 2-D codes at evenly spaced quantiles of N(0, 1) per axis.

    Decoding it shows the VAE's 2-D latent manifold (Kingma & Welling 2014, figure 4):
    equal steps in probability under the prior, not in z.

    Returns:
        `(codes, values)`: codes float32 `(n * n, 2)`, row-major with the second
        coordinate decreasing down the rows (as a plot's y axis), and `values` `(n,)`,
        the z values along each axis (increasing).
    """
    from scipy.stats import norm

    n = check_int("n", n)
    if not 0.0 < low < high < 1.0:
        raise ValueError(f"need 0 < low < high < 1, got low={low}, high={high}")
    values = norm.ppf(np.linspace(low, high, n))
    codes = np.array([[x, y] for y in values[::-1] for x in values], dtype=np.float32)
    return codes, values


def interpolate(code_a: np.ndarray, code_b: np.ndarray, steps: int) -> np.ndarray:
    """`steps` codes on the straight line from `code_a` to `code_b`, both ends included.

    Returns:
        float32 `(steps, d)`.
    """
    steps = check_int("steps", steps)
    a = np.asarray(code_a, dtype=np.float64).reshape(-1)
    b = np.asarray(code_b, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"codes must have the same size, got {a.shape} and {b.shape}")
    t = np.linspace(0.0, 1.0, steps)[:, None] if steps > 1 else np.zeros((1, 1))
    return ((1.0 - t) * a + t * b).astype(np.float32)


# ------------------------------------------------------------------ judging generated images


def frechet_distance_from_stats(mu1, sigma1, mu2, sigma2) -> float:
    """Frechet distance between N(mu1, sigma1) and N(mu2, sigma2), in float64.

    d^2 = |mu1 - mu2|^2 + tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2)), the squared
    2-Wasserstein distance of the two Gaussians (the quantity FID reports). The matrix
    square root is `scipy.linalg.sqrtm`; a singular product gets a small ridge, as in
    the reference FID code, and a tiny imaginary part from rounding is dropped. The
    cross term is the mean of both orders, so the result is symmetric in its arguments.

    Returns:
        The distance as a Python float, >= 0.
    """
    from scipy import linalg

    mu1 = np.atleast_1d(np.asarray(mu1, dtype=np.float64))
    mu2 = np.atleast_1d(np.asarray(mu2, dtype=np.float64))
    sigma1 = np.atleast_2d(np.asarray(sigma1, dtype=np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, dtype=np.float64))
    d = len(mu1)
    if mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(
            f"shapes do not match: mu1 {mu1.shape}, sigma1 {sigma1.shape}, mu2 {mu2.shape}, "
            f"sigma2 {sigma2.shape}"
        )

    def trace_sqrt(a, b) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "singular matrix": handled below
            root = linalg.sqrtm(a @ b)
            if not np.isfinite(root).all():
                ridge = np.eye(d) * 1e-6
                root = linalg.sqrtm((a + ridge) @ (b + ridge))
        return float(np.real(np.trace(root)))

    cross = 0.5 * (trace_sqrt(sigma1, sigma2) + trace_sqrt(sigma2, sigma1))
    diff = mu1 - mu2
    # Each sum is of a commutative pair, so swapping the arguments gives the same bits.
    value = float(diff @ diff + (np.trace(sigma1) + np.trace(sigma2)) - 2.0 * cross)
    return max(value, 0.0)


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to two sets of feature vectors.

    Args:
        features_a, features_b: `(n_a, k)` and `(n_b, k)` arrays, n >= 2 each; e.g. the
            judge's penultimate-layer features of real and of generated images.

    Returns:
        A Python float >= 0: 0 for identical sets, symmetric in its arguments. It is
        biased upwards by a finite sample: compare sets of equal size, and read it
        against the distance between two real sets of that size.
    """
    a = np.asarray(features_a, dtype=np.float64)
    b = np.asarray(features_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"features must be (n, k) with the same k, got {a.shape} and {b.shape}")
    return frechet_distance_from_stats(*fit_gaussian(a), *fit_gaussian(b))


def penultimate_features(classifier, x: np.ndarray, batch_size: int = 512) -> tuple:
    """The classifier's class probabilities and its penultimate layer's outputs for `x`.

    Args:
        classifier: a Keras functional classifier whose last layer gives the class
            probabilities (e.g. `aelib.models.build_cnn_classifier`); the layer before
            it gives the features.
        x: images.

    Returns:
        `(probabilities (n, classes), features (n, k))`, float32.
    """
    import keras

    both = keras.Model(
        classifier.input, [classifier.layers[-1].output, classifier.layers[-2].output]
    )
    probabilities, features = predict(both, np.asarray(x), batch_size)
    return probabilities.astype(np.float32), features.reshape(len(features), -1).astype(np.float32)


def class_histogram(probabilities: np.ndarray, num_classes: int | None = None) -> np.ndarray:
    """Fraction of images predicted as each class (arg-max), float64 `(num_classes,)`."""
    p = np.asarray(probabilities)
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"probabilities must be (n, classes) with n > 0, got {p.shape}")
    k = p.shape[1] if num_classes is None else check_int("num_classes", num_classes)
    counts = np.bincount(p.argmax(axis=1), minlength=k).astype(np.float64)
    return counts / counts.sum()


def histogram_entropy(histogram: Sequence[float]) -> float:
    """Entropy in nats of a class histogram (log(10) = 2.303 for 10 equally used classes)."""
    h = np.asarray(histogram, dtype=np.float64)
    if h.ndim != 1 or h.sum() <= 0 or (h < 0).any():
        raise ValueError("histogram must be a 1-D array of non-negative numbers, not all 0")
    h = h / h.sum()
    nonzero = h[h > 0]
    return float(-(nonzero * np.log(nonzero)).sum()) + 0.0  # + 0.0: never -0.0


def judge_images(judge, images: np.ndarray, real_features: np.ndarray | None = None) -> dict:
    """What a classifier trained on real images says about a set of (generated) images.

    Args:
        judge: a classifier (see `penultimate_features`) trained on the real data.
        images: `(n, 28, 28, 1)` float32 in [0, 1].
        real_features: the judge's features of real test images; when given, the
            Frechet distance to them is computed (use sets of equal size).

    Returns:
        A dict: `"frechet"` (float, only with `real_features`), `"class_entropy"`
        (nats, entropy of the arg-max class histogram: diversity, at most log(classes)),
        `"confidence"` (mean top-class probability), `"histogram"` (fractions per class,
        a list) and `"features"` (the features, for reuse).
    """
    probabilities, features = penultimate_features(judge, images)
    histogram = class_histogram(probabilities)
    out = {
        "class_entropy": histogram_entropy(histogram),
        "confidence": float(np.mean(probabilities.max(axis=1))),
        "histogram": [float(v) for v in histogram],
        "features": features,
    }
    if real_features is not None:
        out["frechet"] = frechet_distance(real_features, features)
    return out


def max_class_entropy(num_classes: int = 10) -> float:
    """log(num_classes): the class-histogram entropy of perfectly balanced samples."""
    return math.log(check_int("num_classes", num_classes))


# ------------------------------------------------------------------- notebook 06's helpers

# The first part of notebook 06's metric ids for each dataset, as the other notebooks
# name them ("mnist.", "fashion."): e.g. `mnist.vae_16.neg_elbo`, `fashion.vae.judge_test_acc`.
DATASET_METRIC_PREFIX = {"mnist": "mnist", "fashion_mnist": "fashion"}
# How figures and tables name them.
DATASET_TITLES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}


def random_subset(x: np.ndarray, n: int, *, seed) -> np.ndarray:
    """`n` rows of `x` drawn without replacement (kept in their order), from `seed`."""
    n = check_int("n", n)
    if n > len(x):
        raise ValueError(f"cannot draw {n} rows from {len(x)}")
    return np.asarray(x)[np.sort(_rng(seed).choice(len(x), n, replace=False))]


def interpolation_pairs(labels, n_pairs: int) -> list[tuple[int, int]]:
    """Index pairs of test images to interpolate between: the first image of class 2k and
    the first of class 2k + 1, for k < n_pairs (classes that are absent are skipped)."""
    labels = np.asarray(labels).reshape(-1)
    n_pairs = check_int("n_pairs", n_pairs)
    first = {int(c): int(np.argmax(labels == c)) for c in np.unique(labels)}
    pairs = [
        (first[2 * k], first[2 * k + 1]) for k in range(n_pairs) if {2 * k, 2 * k + 1} <= set(first)
    ]
    if not pairs:
        raise ValueError("no pair of classes (0, 1), (2, 3), ... is present in labels")
    return pairs


def interpolation_images(encoder, decoder, x_pair: np.ndarray, steps: int) -> np.ndarray:
    """Decoded images on the straight line between the codes of two images.

    Args:
        encoder: a plain autoencoder's encoder (image -> code) or a VAE's (image ->
            `[z_mean, z_log_var]`; the posterior means are used).
        decoder: the matching decoder.
        x_pair: two images `(2, 28, 28, 1)`.
        steps: number of images, both ends included.

    Returns:
        `(steps, 28, 28, 1)` float32; the first and last are the two reconstructions.
    """
    x_pair = np.asarray(x_pair)
    if len(x_pair) != 2:
        raise ValueError(f"x_pair must hold two images, got {len(x_pair)}")
    codes = predict(encoder, x_pair, 2)
    if isinstance(codes, list):  # a VAE's encoder: [z_mean, z_log_var]; the code is z_mean
        codes = codes[0]
    return decode(decoder, interpolate(codes[0], codes[1], steps))
