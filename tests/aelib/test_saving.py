"""Tests for aelib.outputs.saving: round trips in both formats and helpful errors."""

import os

import numpy as np
import pytest

from aelib import set_seed
from aelib.models import build_dense_bottleneck_autoencoder
from aelib.outputs.saving import check_upstream_model, load_model, read_provenance, save_model


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


def _provenance(profile="smoke", seed=0):
    return {"notebook": "04_improved_autoencoder", "profile": profile, "seed": seed}


def test_provenance_sidecar(tmp_path, saved):
    model = saved[0].autoencoder
    paths = save_model(model, tmp_path, "encoder", provenance=_provenance())
    assert paths["provenance"] == str(tmp_path / "encoder.json")
    assert read_provenance(paths["keras"]) == _provenance()
    assert read_provenance(paths["h5"]) == _provenance()
    save_model(model, tmp_path, "encoder")  # no provenance: the old sidecar must not stay
    assert read_provenance(paths["keras"]) is None


KW = {
    "notebook": "04_improved_autoencoder",
    "parameter": "encoder_path",
    "fallback_parameter": "train_encoder_if_missing",
}


def test_upstream_model_from_the_same_run_is_used(tmp_path, saved):
    path = save_model(saved[0].autoencoder, tmp_path, "encoder", provenance=_provenance())["keras"]
    assert check_upstream_model(path, profile="smoke", seed=0, **KW) is None


@pytest.mark.parametrize("profile, seed", [("full", 0), ("smoke", 1)])
def test_upstream_model_from_another_run_is_refused(tmp_path, saved, profile, seed):
    path = save_model(saved[0].autoencoder, tmp_path, "encoder", provenance=_provenance())["keras"]
    with pytest.raises(ValueError) as info:
        check_upstream_model(path, profile=profile, seed=seed, **KW)
    message = str(info.value)
    assert "profile 'smoke', seed 0" in message  # what made it
    assert f"profile {profile!r}, seed {seed}" in message  # this run
    assert f"run notebook 04_improved_autoencoder with profile={profile!r}, seed={seed}" in message
    assert "set encoder_path" in message and "train_encoder_if_missing=True" in message
    # With the fallback on, the reason comes back instead (the notebook trains its own).
    reason = check_upstream_model(path, profile=profile, seed=seed, fallback=True, **KW)
    assert "profile 'smoke', seed 0" in reason


def test_upstream_model_without_provenance_or_file(tmp_path, saved):
    path = save_model(saved[0].autoencoder, tmp_path, "old_encoder")["keras"]
    with pytest.raises(ValueError, match="no provenance"):
        check_upstream_model(path, profile="smoke", seed=0, **KW)
    with pytest.raises(FileNotFoundError, match="encoder_path points to .*nope.keras"):
        check_upstream_model(tmp_path / "nope.keras", profile="smoke", seed=0, **KW)
    reason = check_upstream_model(
        tmp_path / "nope.keras", profile="smoke", seed=0, fallback=True, **KW
    )
    assert "does not exist" in reason


def test_h5_save_logs_no_legacy_notice(tmp_path, saved, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        save_model(saved[0].autoencoder, tmp_path, "quiet")
    assert not [r for r in caplog.records if "HDF5" in r.getMessage()], caplog.text
    # The filter is scoped to the save: other absl warnings still get through.
    with caplog.at_level(logging.WARNING, logger="absl"):
        logging.getLogger("absl").warning("You are saving your model as an HDF5 file (test)")
    assert "HDF5 file (test)" in caplog.text
