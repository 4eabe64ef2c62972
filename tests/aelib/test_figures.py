"""Tests for aelib.figures: every helper returns a Figure with the expected axes."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from aelib.figures import (
    plot_confusion_matrix,
    plot_denoising,
    plot_embedding,
    plot_latent_sweep,
    plot_loss_curves,
    plot_reconstruction_grid,
    plot_reconstructions,
    tsne_embedding,
)

RNG = np.random.default_rng(0)
IMAGES = RNG.random((12, 28, 28, 1), dtype=np.float32)
CLASSES = [f"class {i}" for i in range(10)]


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before  # helpers never register pyplot figures


def test_reconstructions():
    fig = plot_reconstructions(IMAGES, IMAGES[..., 0], title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 20
    assert fig.axes[0].get_ylabel() == "Original"
    assert len(plot_reconstructions(IMAGES, IMAGES, n=50).axes) == 24  # capped at 12


def test_reconstruction_grid_and_flat_images():
    fig = plot_reconstruction_grid(IMAGES, {"d=2": IMAGES, "d=16": IMAGES.reshape(12, -1)}, n=5)
    assert len(fig.axes) == 15
    assert [fig.axes[i].get_ylabel() for i in (0, 5, 10)] == ["Original", "d=2", "d=16"]


def test_denoising():
    fig = plot_denoising(IMAGES, IMAGES, IMAGES, n=4)
    assert len(fig.axes) == 12
    assert fig.axes[4].get_ylabel() == "Denoised"


def test_loss_curves():
    histories = {
        "baseline": {"epoch": [1, 2, 3], "loss": [0.3, 0.2, 0.1], "val_loss": [0.31, 0.22, 0.15]},
        "improved": {"loss": [0.25, 0.15], "val_loss": [0.26, None]},
    }
    fig = plot_loss_curves(histories, title="loss")
    assert len(fig.axes) == 1
    lines = fig.axes[0].get_lines()
    assert len(lines) == 4
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    assert lines[0].get_linestyle() == "--" and lines[1].get_linestyle() == "-"
    with pytest.raises(ValueError, match="accuracy"):
        plot_loss_curves(histories, metric="accuracy")


def test_latent_sweep():
    fig = plot_latent_sweep(
        [2, 8, 16, 32],
        [0.17, 0.13, 0.11, 0.10],
        reference={2: 0.1669, 16: 0.1141},
        baseline=0.0733,
        extra_series={"PCA": [0.2, 0.16, 0.14, 0.12]},
    )
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[2] == "16\n49:1"
    assert "paper" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="val_bce"):
        plot_latent_sweep([2, 8], [0.1])


def test_embedding_10000_points():
    points = RNG.normal(size=(10_000, 2))
    labels = RNG.integers(0, 10, size=10_000)
    fig = plot_embedding(points, labels, CLASSES, title="t-SNE")
    assert len(fig.axes) == 1
    assert len(fig.axes[0].get_legend().get_texts()) == 10


def test_confusion_matrix():
    y = RNG.integers(0, 10, 200)
    fig = plot_confusion_matrix(y, y, CLASSES)
    assert len(fig.axes) == 2  # heatmap + colour bar
    assert len(plot_confusion_matrix(y, y[::-1], CLASSES, normalize=False).axes) == 2


def test_tsne_embedding_is_seeded():
    codes = RNG.random((40, 7, 7, 2))
    a = tsne_embedding(codes, seed=1, perplexity=5, max_iter=250)
    assert a.shape == (40, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a, tsne_embedding(codes, seed=1, perplexity=5, max_iter=250))
    with pytest.raises(ValueError, match="perplexity"):
        tsne_embedding(codes[:5])


# ------------------------------------------------------------------ generative models


def test_sample_grids_one_panel_per_model():
    from aelib.figures import plot_sample_grids

    fig = plot_sample_grids({"VAE": IMAGES, "AE": IMAGES[..., 0]}, rows=3, cols=4, title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[0].get_title() == "VAE"
    assert fig.axes[0].images[0].get_array().shape == (3 * 28, 4 * 28)
    with pytest.raises(ValueError, match="the grid needs 16"):
        plot_sample_grids({"VAE": IMAGES}, rows=4, cols=4)


def test_latent_manifold_mosaic_and_ticks():
    from aelib.evaluation.generative import latent_grid
    from aelib.figures import plot_latent_manifold

    _, values = latent_grid(3)
    fig = plot_latent_manifold(RNG.random((9, 28, 28, 1)), values, title="manifold")
    assert len(fig.axes) == 1 and fig.axes[0].images[0].get_array().shape == (84, 84)
    assert fig.axes[0].get_xlabel() == "z[0]"
    with pytest.raises(ValueError, match="n \\* n"):
        plot_latent_manifold(IMAGES, values)


def test_code_panels_and_interpolations():
    from aelib.figures import plot_code_panels, plot_interpolations

    labels = np.arange(12) % 10
    codes = RNG.normal(size=(12, 2))
    fig = plot_code_panels({"VAE": codes, "AE": codes * 5}, labels, CLASSES, title="codes")
    assert len(fig.axes) == 2 and fig.axes[1].get_title() == "AE"
    with pytest.raises(ValueError, match="must be \\(12, 2\\)"):
        plot_code_panels({"VAE": codes[:5]}, labels, CLASSES)
    fig = plot_interpolations([("AE", IMAGES[:6]), ("VAE", IMAGES[6:])], title="between")
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "VAE"
    assert fig.axes[0].images[0].get_array().shape == (28, 6 * 29 - 1)
    with pytest.raises(ValueError, match="same number"):
        plot_interpolations([("AE", IMAGES[:6]), ("VAE", IMAGES[:5])])
