"""Judging sets of generated images in one feature space, and the ex-post mixture sampler
(notebook 07).

The features are the penultimate layer of a judge CNN trained on the real images
(`aelib.evaluation.generative.penultimate_features`, notebook 06's judge). On them:

- the Fréchet distance (`generative.frechet_distance`);
- `kid`: the kernel distance of Bińkowski et al. 2018 (KID): the unbiased estimate of the
  squared MMD with the cubic polynomial kernel k(a, b) = (a . b / k + 1)^3, averaged over
  random subsets of equal size, with its standard deviation across them. Unlike the Fréchet
  distance it is unbiased, so it can be read at small sample sizes. (No maintained NumPy
  package implements it: TF-GAN is unmaintained and torch-fidelity needs PyTorch. It is the
  formula of the paper, tested against a direct double loop.)
- `precision_recall`: improved precision and recall of Kynkäänniemi et al. 2019 (k-nearest-
  neighbour balls around each real and each generated feature vector) and the density and
  coverage of Naeem et al. 2020, all computed by their authors' package `prdc`. Precision
  is the share of generated samples that fall on the real manifold (sharpness, realism),
  recall the share of real samples that fall on the generated one (diversity).
- the judge's class histogram and its entropy, and its mean confidence.

`fit_mixture` / `sample_mixture`: the ex-post Gaussian mixture on an autoencoder's training
codes (Ghosh et al. 2020), scikit-learn's `GaussianMixture`.

`generated_sets`: the five samplers notebook 07 compares (`SOURCES`).

`noisy_ladder`: real training images with Gaussian pixel noise, a deliberately bad generator
at a few noise levels, against which a reader calibrates the distances.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from aelib.evaluation import generative
from aelib.outputs import labels
from aelib.params import check_int

__all__ = [
    "SCORES",
    "Reference",
    "kid",
    "precision_recall",
    "reference",
    "score_images",
    "fit_mixture",
    "sample_mixture",
    "noisy_ladder",
    "SOURCES",
    "generated_sets",
]

# The scores `score_images` returns for every set of images, in reading order.
SCORES = (
    "frechet",
    "kid",
    "kid_std",
    "precision",
    "recall",
    "density",
    "coverage",
    "class_entropy",
    "confidence",
)


def _rng(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _features(name: str, a) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2 or len(a) < 2:
        raise ValueError(f"{name} must be features (n, k) with n >= 2, got shape {a.shape}")
    return a


def _mmd2_unbiased(a: np.ndarray, b: np.ndarray) -> float:
    k = a.shape[1]
    kaa = (a @ a.T / k + 1.0) ** 3
    kbb = (b @ b.T / k + 1.0) ** 3
    kab = (a @ b.T / k + 1.0) ** 3
    m, n = len(a), len(b)
    return float(
        (kaa.sum() - np.trace(kaa)) / (m * (m - 1))
        + (kbb.sum() - np.trace(kbb)) / (n * (n - 1))
        - 2.0 * kab.mean()
    )


def kid(
    real_features, fake_features, *, subsets: int = 10, subset_size: int = 1000, seed=0
) -> tuple[float, float]:
    """The kernel distance (KID) between two feature sets: mean and standard deviation of
    the unbiased squared MMD over `subsets` random subsets of `subset_size` from each (at
    most the smaller set's size). 0 in expectation for sets from one distribution; it can
    come out slightly negative."""
    a, b = _features("real_features", real_features), _features("fake_features", fake_features)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: {a.shape[1]} and {b.shape[1]}")
    subsets = check_int("subsets", subsets)
    size = min(check_int("subset_size", subset_size, minimum=2), len(a), len(b))
    rng = _rng(seed)
    values = [
        _mmd2_unbiased(
            a[rng.choice(len(a), size, replace=False)], b[rng.choice(len(b), size, replace=False)]
        )
        for _ in range(subsets)
    ]
    return float(np.mean(values)), float(np.std(values))


def precision_recall(real_features, fake_features, *, k: int = 3) -> dict[str, float]:
    """Precision, recall (Kynkäänniemi et al. 2019), density and coverage (Naeem et al.
    2020) with `k` nearest neighbours, by `prdc.compute_prdc` (its progress line dropped)."""
    import prdc

    a = _features("real_features", real_features).astype(np.float32)
    b = _features("fake_features", fake_features).astype(np.float32)
    k = check_int("k", k)
    if k >= min(len(a), len(b)):
        raise ValueError(f"k = {k} needs more than {k} real and generated samples")
    with contextlib.redirect_stdout(io.StringIO()):
        out = prdc.compute_prdc(a, b, nearest_k=k)
    return {name: float(out[name]) for name in ("precision", "recall", "density", "coverage")}


@dataclass
class Reference:
    """The real images' features every set is compared with (see `reference`)."""

    features: np.ndarray  # of the real test images: Fréchet distance and KID
    pr_features: np.ndarray  # the first `pr_size` of them: precision and recall
    k: int
    kid_subsets: int
    kid_subset_size: int


def reference(
    judge,
    x_real,
    *,
    pr_size: int = 5000,
    k: int = 3,
    kid_subsets: int = 10,
    kid_subset_size: int = 1000,
) -> Reference:
    """The judge's features of the real test images `x_real`."""
    _, features = generative.penultimate_features(judge, x_real)
    pr_size = min(check_int("pr_size", pr_size, minimum=k + 1), len(features))
    return Reference(features, features[:pr_size], check_int("k", k), kid_subsets, kid_subset_size)


def score_images(judge, images, ref: Reference, *, seed) -> dict:
    """Every score of `SCORES` for `images` against `ref`, plus `"histogram"` (the judge's
    class fractions). Use as many images as `ref` has features (the Fréchet distance and
    precision/recall depend on the sample size)."""
    judged = generative.judge_images(judge, images, real_features=ref.features)
    features = judged.pop("features")
    kid_mean, kid_std = kid(
        ref.features,
        features,
        subsets=ref.kid_subsets,
        subset_size=ref.kid_subset_size,
        seed=seed,
    )
    pr = precision_recall(ref.pr_features, features[: len(ref.pr_features)], k=ref.k)
    return {"kid": kid_mean, "kid_std": kid_std, **pr, **judged}


def fit_mixture(codes, components: int = 10, *, seed: int):
    """A `GaussianMixture` with `components` full-covariance components fitted to `codes`
    (scikit-learn; seeded k-means initialisation)."""
    from sklearn.mixture import GaussianMixture

    codes = _features("codes", codes)
    components = check_int("components", components)
    if components > len(codes):
        raise ValueError(f"cannot fit {components} components to {len(codes)} codes")
    # reg_covar above sklearn's 1e-6: codes of dead units have (near) zero variance.
    return GaussianMixture(
        components, covariance_type="full", reg_covar=1e-4, random_state=seed, max_iter=200
    ).fit(codes)


def sample_mixture(mixture, n: int, *, seed) -> np.ndarray:
    """`n` codes drawn from a fitted mixture, float32, in random order (sklearn's
    `sample` returns them grouped by component)."""
    n = check_int("n", n)
    rng = _rng(seed)
    counts = rng.multinomial(n, mixture.weights_)
    parts = [
        rng.multivariate_normal(mixture.means_[i], mixture.covariances_[i], size=c, method="eigh")
        for i, c in enumerate(counts)
        if c
    ]
    codes = np.concatenate(parts)
    return codes[rng.permutation(n)].astype(np.float32)


def noisy_ladder(x, levels: Sequence[float], n: int, *, seed) -> Mapping[float, np.ndarray]:
    """`{level: n images}`: random images of `x` plus Gaussian noise of std `level`, clipped
    to [0, 1]: a bad generator per level, the ladder of the distances."""
    rng = _rng(seed)
    out = {}
    for level in levels:
        if not 0 < float(level) <= 1:
            raise ValueError(f"noise levels must be in (0, 1], got {level!r}")
        picked = np.asarray(x)[rng.choice(len(x), min(check_int("n", n), len(x)), replace=False)]
        noisy = picked + rng.normal(0.0, float(level), picked.shape)
        out[float(level)] = np.clip(noisy, 0.0, 1.0).astype(np.float32)
    return out


# The generators notebook 07 compares, and how its tables name them.
SOURCES = labels.GENERATORS


def generated_sets(
    *, gan_generator, vae, autoencoder, x_train, n: int, components: int = 10, seed: int
) -> dict[str, np.ndarray]:
    """`n` images from each generator of `SOURCES`: the GAN on normal codes; the VAE's
    decoder on prior codes and on codes of a `components`-component mixture fitted to its
    posterior means of `x_train`; the plain autoencoder's decoder on codes of a Gaussian
    and of such a mixture fitted to its codes of `x_train`. All draws come from `seed`."""
    from aelib.models.gan import generate
    from aelib.training import predict

    n = check_int("n", n)
    rng = np.random.default_rng(seed)
    vae_codes = generative.encode_posterior(vae.encoder, x_train)[0]
    ae_codes = predict(autoencoder.encoder, x_train)
    code_size = int(gan_generator.input_shape[-1])
    gan_codes = rng.standard_normal((n, code_size)).astype(np.float32)
    return {
        "gan": generate(gan_generator, gan_codes),
        "vae_prior": generative.decode(
            vae.decoder, generative.prior_codes(n, vae.latent_dim, seed=rng)
        ),
        "vae_gmm": generative.decode(
            vae.decoder,
            sample_mixture(fit_mixture(vae_codes, components, seed=seed), n, seed=rng),
        ),
        "ae_gaussian": generative.decode(
            autoencoder.decoder,
            generative.sample_gaussian(*generative.fit_gaussian(ae_codes), n, seed=rng),
        ),
        "ae_gmm": generative.decode(
            autoencoder.decoder,
            sample_mixture(fit_mixture(ae_codes, components, seed=seed), n, seed=rng),
        ),
    }
