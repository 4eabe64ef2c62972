"""aelib.evaluation.few_labels on a small real subset of MNIST: every method at every
label count, the judge's accuracy on the synthetic images, the rows, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

from aelib import datasets, models
from aelib.evaluation import few_labels


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), (x_test, y_test) = datasets.load_data("mnist")
    x_train, x_test = (
        datasets.to_float_images(x_train[:2000]),
        datasets.to_float_images(x_test[:300]),
    )
    return x_train, y_train[:2000], x_test, y_test[:300]


def test_every_method_is_trained_and_scored(mnist):
    x_train, y_train, x_test, y_test = mnist
    judge = models.build_cnn_classifier([8, 8, 8], hidden_units=16)
    encoder = models.build_dense_bottleneck_autoencoder(4, hidden_units=[16]).encoder
    result = few_labels.run_few_labels(
        x_train,
        y_train,
        x_test,
        y_test,
        [20],
        dataset="fashion_mnist",
        seed=0,
        classifier=lambda: models.build_cnn_classifier([8, 8, 8], hidden_units=None),
        encoder_classifier=lambda: models.build_encoder_classifier(
            encoder, hidden_units=None, trainable=False
        ),
        cvae_latent_dim=4,
        cvae_min_steps=2,
        synthetic_per_class=5,
        base_epochs=1,
        batch_size=16,
        min_steps=2,
        judge=judge,
        log=False,
    )
    assert set(result["test_acc"]) == set(few_labels.METHODS)
    for method in few_labels.METHODS:
        assert 0.0 <= result["test_acc"][method][20] <= 1.0
    assert 0.0 <= result["judge_acc"][20] <= 1.0
    images, labels = result["samples"][20]
    assert images.shape == (50, 28, 28, 1) and np.bincount(labels).tolist() == [5] * 10
    rows = few_labels.to_rows(result)
    assert len(rows) == 4 and {m for m, _, _ in rows} == set(few_labels.METHODS)
    # The synthetic set is larger, so it trains for fewer epochs of about as many steps.
    assert result["epochs"]["synthetic"][20] <= result["epochs"]["labelled"][20]


def test_only_mirrored_clothing_is_flipped():
    assert few_labels.CLASSICAL_AUGMENT["fashion_mnist"]["horizontal_flip"] is True
    assert "horizontal_flip" not in few_labels.CLASSICAL_AUGMENT["mnist"]


def test_bad_input_names_the_problem(mnist):
    x_train, y_train, x_test, y_test = mnist
    with pytest.raises(ValueError, match="dataset must be one of"):
        few_labels.run_few_labels(
            x_train,
            y_train,
            x_test,
            y_test,
            [20],
            dataset="cifar",
            seed=0,
            classifier=lambda: None,
            encoder_classifier=None,
        )
    with pytest.raises(ValueError, match="multiple"):
        few_labels.run_few_labels(
            x_train,
            y_train,
            x_test,
            y_test,
            [15],
            dataset="mnist",
            seed=0,
            classifier=lambda: None,
            encoder_classifier=None,
        )
