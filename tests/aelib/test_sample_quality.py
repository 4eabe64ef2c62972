"""aelib.evaluation.sample_quality: KID against a direct double loop, precision and recall
(prdc) on identical and disjoint sets, the mixture sampler, the noise ladder, scoring real
images with a judge, and the errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest

from aelib.evaluation import sample_quality as quality

RNG = np.random.default_rng(0)


def _mmd2_loops(a, b):
    """The unbiased squared MMD with the cubic polynomial kernel, written out."""
    k = lambda x, y: (x @ y / a.shape[1] + 1.0) ** 3  # noqa: E731
    m, n = len(a), len(b)
    aa = sum(k(a[i], a[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    bb = sum(k(b[i], b[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    ab = sum(k(a[i], b[j]) for i in range(m) for j in range(n)) / (m * n)
    return aa + bb - 2 * ab


def test_kid_is_the_unbiased_mmd_of_a_double_loop():
    a, b = RNG.normal(size=(12, 5)), RNG.normal(0.5, 1.0, size=(9, 5))
    # One subset as large as the smaller set: subsets of `a` of 9, all of `b`.
    rng = np.random.default_rng(3)
    ia, ib = rng.choice(12, 9, replace=False), rng.choice(9, 9, replace=False)
    mean, std = quality.kid(a, b, subsets=1, subset_size=100, seed=3)
    assert mean == pytest.approx(_mmd2_loops(a[ia], b[ib]), rel=1e-10)
    assert std == 0.0
    # Same distribution: about 0 (unbiased, so it can be negative); shifted: clearly above.
    x, y = RNG.normal(size=(400, 8)), RNG.normal(size=(400, 8))
    same, spread = quality.kid(x, y, subsets=5, subset_size=200, seed=0)
    assert abs(same) < 3 * spread + 0.01 and spread > 0
    shifted, _ = quality.kid(x, y + 1.0, subsets=5, subset_size=200, seed=0)
    assert shifted > 10 * abs(same)
    assert quality.kid(x, y, subsets=5, subset_size=200, seed=0) == (same, spread)


def test_precision_and_recall_tell_few_modes_from_complete():
    real = RNG.normal(size=(600, 4)).astype(np.float32)
    same = quality.precision_recall(real, real.copy(), k=3)
    assert same["precision"] == pytest.approx(1.0) and same["recall"] == pytest.approx(1.0)
    assert same["coverage"] == pytest.approx(1.0)
    # Samples from one corner of the real data: precise, but they miss most of it.
    corner = real[real[:, 0] > 1.0] + RNG.normal(0, 0.01, size=(int((real[:, 0] > 1.0).sum()), 4))
    narrow = quality.precision_recall(real, corner.astype(np.float32), k=3)
    assert narrow["precision"] > 0.9 and narrow["recall"] < 0.5
    far = quality.precision_recall(real, real + 20.0, k=3)
    assert far["precision"] == 0.0 and far["recall"] == 0.0 and far["coverage"] == 0.0


def test_mixture_codes_follow_the_fitted_components():
    centres = np.array([[-5.0, 0.0], [5.0, 0.0], [0.0, 6.0]])
    codes = np.concatenate([c + RNG.normal(0, 0.3, size=(200, 2)) for c in centres])
    mixture = quality.fit_mixture(codes, 3, seed=0)
    drawn = quality.sample_mixture(mixture, 900, seed=1)
    assert drawn.shape == (900, 2) and drawn.dtype == np.float32
    nearest = np.argmin(((drawn[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    assert np.bincount(nearest, minlength=3).min() > 250  # about a third each
    assert not np.all(nearest[:300] == nearest[0])  # shuffled, not grouped by component
    np.testing.assert_array_equal(drawn, quality.sample_mixture(mixture, 900, seed=1))
    with pytest.raises(ValueError, match="cannot fit 700 components to 600 codes"):
        quality.fit_mixture(codes, 700, seed=0)


def test_the_noise_ladder_gets_worse_with_the_noise():
    x = RNG.random((50, 28, 28, 1)).astype(np.float32)
    ladder = quality.noisy_ladder(x, [0.1, 0.4], 20, seed=0)
    assert sorted(ladder) == [0.1, 0.4]
    for images in ladder.values():
        assert images.shape == (20, 28, 28, 1) and images.min() >= 0 and images.max() <= 1
    with pytest.raises(ValueError, match=r"noise levels must be in \(0, 1\]"):
        quality.noisy_ladder(x, [0.0], 20, seed=0)


def test_scores_of_real_images_against_a_trained_judge():
    from aelib import models, training

    rng = np.random.default_rng(1)
    # Two easy classes: bright top half or bright bottom half.
    y = rng.integers(0, 2, 400)
    x = rng.random((400, 28, 28, 1)).astype(np.float32) * 0.2
    x[y == 0, :14] += 0.7
    x[y == 1, 14:] += 0.7
    judge = models.build_cnn_classifier([8, 8, 8], hidden_units=16, num_classes=2)
    training.train(
        judge,
        x,
        y,
        loss="sparse_categorical_crossentropy",
        epochs=1,
        batch_size=32,
        seed=0,
        log=False,
    )
    ref = quality.reference(judge, x[:200], pr_size=100, k=3, kid_subsets=3, kid_subset_size=50)
    real = quality.score_images(judge, x[200:], ref, seed=0)
    noise = quality.score_images(
        judge, rng.random((200, 28, 28, 1)).astype(np.float32), ref, seed=0
    )
    assert set(quality.SCORES) <= set(real) and "histogram" in real
    assert real["frechet"] < noise["frechet"] and real["kid"] < noise["kid"]
    assert real["recall"] > noise["recall"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: quality.kid(np.ones((5, 3)), np.ones((5, 4))), "feature sizes differ"),
        (lambda: quality.kid(np.ones(5), np.ones((5, 4))), r"real_features must be features"),
        (lambda: quality.precision_recall(np.ones((3, 2)), np.ones((3, 2)), k=3), "k = 3 needs"),
        (lambda: quality.kid(np.ones((5, 3)), np.ones((5, 3)), subsets=0), "subsets"),
    ],
)
def test_bad_input_names_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()
