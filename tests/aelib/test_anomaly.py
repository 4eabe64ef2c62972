"""Tests for aelib.evaluation.anomaly and its figures (ROC, error histograms)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from aelib.evaluation.anomaly import reconstruction_errors, roc
from aelib.figures import plot_error_histograms, plot_roc

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


def test_reconstruction_errors_of_a_callable():
    x = RNG.random((10, 4, 4, 1)).astype(np.float32)
    half = np.full_like(x, 0.5)
    mse = reconstruction_errors(lambda xb: np.full_like(xb, 0.5), x, batch_size=3, metric="mse")
    assert mse.shape == (10,)
    np.testing.assert_allclose(mse, ((x - half) ** 2).reshape(10, -1).mean(axis=1), rtol=1e-6)
    bce = reconstruction_errors(lambda xb: np.full_like(xb, 0.5), x, batch_size=4)
    np.testing.assert_allclose(bce, np.log(2.0), rtol=1e-6)  # p = 0.5 costs log 2 per pixel


def test_perfect_binary_reconstruction_costs_nothing():
    x = (RNG.random((5, 3, 3)) > 0.5).astype(np.float32)
    errors = reconstruction_errors(lambda xb: xb, x)
    assert np.all(errors >= 0) and np.all(errors < 1e-5)


def test_reconstruction_errors_of_a_keras_model():
    import keras

    inputs = keras.Input((4, 4, 1))
    model = keras.Model(inputs, keras.layers.Identity()(inputs))
    x = RNG.random((6, 4, 4, 1)).astype(np.float32)
    np.testing.assert_allclose(reconstruction_errors(model, x, metric="mse"), 0.0, atol=1e-12)


def test_reconstruction_errors_rejects_bad_arguments():
    x = np.zeros((2, 3, 3))
    with pytest.raises(ValueError, match="metric"):
        reconstruction_errors(lambda xb: xb, x, metric="l1")
    with pytest.raises(ValueError, match="batch_size"):
        reconstruction_errors(lambda xb: xb, x, batch_size=0)


def test_roc_separable_and_identical():
    separable = roc([0.1, 0.2, 0.3], [0.5, 0.6])
    assert separable["auc"] == 1.0
    assert separable["fpr"].shape == separable["tpr"].shape == separable["thresholds"].shape
    scores = RNG.random(4000)
    assert roc(scores[:2000], scores[2000:])["auc"] == pytest.approx(0.5, abs=0.05)
    assert roc([0.5, 0.6], [0.1, 0.2])["auc"] == 0.0  # anomalies are the positive class


def test_roc_rejects_empty_or_nan():
    with pytest.raises(ValueError, match="at least one"):
        roc([], [1.0])
    with pytest.raises(ValueError, match="finite"):
        roc([np.nan], [1.0])


def test_plot_roc_and_histograms():
    curve = roc(RNG.random(50), RNG.random(50) + 0.5)
    fig = plot_roc({"AE": curve}, title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    assert "AUC" in fig.axes[0].get_legend().get_texts()[0].get_text()
    fig = plot_error_histograms(
        {"a": RNG.random(100) + 0.01, "b": RNG.random(30) + 1}, bins=20, log_x=True, title="t"
    )
    assert isinstance(fig, Figure) and fig.axes[0].get_xscale() == "log"
    with pytest.raises(ValueError, match="log_x"):
        plot_error_histograms({"a": np.array([0.0, 1.0])}, log_x=True)
    with pytest.raises(ValueError):
        plot_roc({})
