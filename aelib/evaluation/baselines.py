"""Classical baselines for the autoencoders: PCA reconstruction and plain MSE.

PCA is the linear counterpart of an autoencoder with a d-unit code: the best rank-d
linear projection (in squared error) of the flattened pixels. Hinton & Salakhutdinov
(2006) compared their deep autoencoders against it at the same code size; notebook 2
repeats that comparison for every latent size of the sweep.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pca_reconstruct", "mse"]


def pca_reconstruct(
    x_train: np.ndarray, x_test: np.ndarray, n_components: int, *, seed: int = 0
) -> np.ndarray:
    """Fit PCA on the training images and reconstruct the test images from d components.

    Each image is flattened to a vector; PCA (with mean centring) is fitted on
    `x_train`, and each test image is projected onto the first `n_components`
    principal axes and mapped back. The result is clipped to [0, 1] so that it can be
    scored with the same BCE as the autoencoders.

    Args:
        x_train: training images `(N, ...)`, floats in [0, 1].
        x_test: test images `(M, ...)` with the same per-image shape as `x_train`.
        n_components: the code size d, `1 <= d <= min(N, pixels per image)`.
        seed: `random_state` of scikit-learn's PCA (used by its randomized solver),
            so the result repeats exactly.

    Returns:
        float32 array of the same shape as `x_test`, values in [0, 1].

    Raises:
        ValueError: if the image shapes differ or `n_components` is out of range.
    """
    from sklearn.decomposition import PCA

    x_train = np.asarray(x_train)
    x_test = np.asarray(x_test)
    if x_train.ndim < 2 or x_test.ndim < 2 or x_train.shape[1:] != x_test.shape[1:]:
        raise ValueError(
            f"x_train and x_test must be (N, ...) arrays of the same image shape, "
            f"got {x_train.shape} and {x_test.shape}"
        )
    # float32 halves the memory of the full 60,000 x 784 training matrix; the pixels
    # are in [0, 1], so single precision loses nothing visible in the scores.
    train_flat = x_train.reshape(len(x_train), -1).astype(np.float32)
    test_flat = x_test.reshape(len(x_test), -1).astype(np.float32)
    limit = min(train_flat.shape)
    if (
        isinstance(n_components, bool)
        or not isinstance(n_components, (int, np.integer))
        or not 1 <= n_components <= limit
    ):
        raise ValueError(
            f"n_components must be an integer in [1, {limit}] (min of training images and "
            f"pixels), got {n_components!r}"
        )
    pca = PCA(n_components=int(n_components), random_state=int(seed))
    pca.fit(train_flat)
    recon = pca.inverse_transform(pca.transform(test_flat))
    return np.clip(recon, 0.0, 1.0).astype(np.float32).reshape(x_test.shape)


def mse(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared error over all elements (computed in float64).

    Args:
        a: array of any shape.
        b: array with the same number of elements as `a` (e.g. `(n, 28, 28)` against
            `(n, 28, 28, 1)`); it is reshaped to `a`'s shape.

    Returns:
        The mean of `(a - b) ** 2`, a Python float.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.size != b.size:
        raise ValueError(
            f"a and b must have the same number of elements, got {a.shape} and {b.shape}"
        )
    return float(np.mean((a - b.reshape(a.shape)) ** 2))
