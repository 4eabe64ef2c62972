"""Tests for aelib.saving: round trips in both formats and helpful errors."""

import os

import numpy as np
import pytest

from aelib import set_seed
from aelib.models import build_dense_bottleneck_autoencoder
from aelib.saving import load_model, save_model


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    set_seed(0)
    model = build_dense_bottleneck_autoencoder(8, batch_norm=True)
    out_dir = tmp_path_factory.mktemp("models") / "nested"
    paths = save_model(model.autoencoder, out_dir, "latent8")
    return model, out_dir, paths


def test_save_writes_both_files_only(saved):
    _, out_dir, paths = saved
    assert set(paths) == {"keras", "h5"}
    assert paths["keras"] == str(out_dir / "latent8.keras")
    assert paths["h5"] == str(out_dir / "latent8.h5")
    assert sorted(os.listdir(out_dir)) == ["latent8.h5", "latent8.keras"]  # no temp files


@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_round_trip_identical_predictions(saved, fmt):
    model, _, paths = saved
    x = np.random.default_rng(0).random((16, 28, 28, 1), dtype=np.float32)
    loaded = load_model(paths[fmt])
    assert loaded.name == "autoencoder"
    np.testing.assert_array_equal(
        loaded.predict(x, verbose=0), model.autoencoder.predict(x, verbose=0)
    )
    encoder = loaded.get_layer("encoder")
    np.testing.assert_array_equal(
        encoder.predict(x, verbose=0), model.encoder.predict(x, verbose=0)
    )


def test_missing_file(tmp_path):
    path = tmp_path / "nope.keras"
    with pytest.raises(FileNotFoundError, match="nope.keras") as info:
        load_model(path, hint="run notebook 04_improved_autoencoder first")
    assert "04_improved_autoencoder" in str(info.value)
    with pytest.raises(FileNotFoundError, match="save_model"):
        load_model(path)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_corrupt_file(tmp_path, suffix):
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(b"this is not a model")
    with pytest.raises(ValueError, match="broken") as info:
        load_model(path)
    assert "delete" in str(info.value)


def test_failed_save_leaves_nothing(tmp_path, monkeypatch, saved):
    model = saved[0].autoencoder

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        save_model(model, tmp_path, "x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["", "a/b", "model.keras"])
def test_bad_name(tmp_path, saved, name):
    with pytest.raises(ValueError, match="name"):
        save_model(saved[0].autoencoder, tmp_path, name)
