"""Tests for aelib.outputs.results: atomic writes, metrics validation, figures, histories."""

import json
import math
import os

import numpy as np
import pytest
from matplotlib.figure import Figure

from aelib.outputs.results import (
    atomic_write_bytes,
    atomic_write_text,
    load_history,
    provenance_mismatch,
    read_metrics,
    read_run_info,
    save_figure,
    save_history,
    upstream_results_problem,
    write_metrics,
    write_run_info,
)


def test_atomic_write_roundtrip(tmp_path):
    path = atomic_write_text(tmp_path / "sub" / "a.txt", "hello")
    assert open(path).read() == "hello"
    assert os.listdir(tmp_path / "sub") == ["a.txt"]
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600


def test_atomic_write_failure_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "out.bin"

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"data")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_failure_keeps_old_file(tmp_path):
    target = tmp_path / "m.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # write() fails mid-way
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_metrics_roundtrip_and_nested(tmp_path):
    metrics = {
        "baseline_val_bce": np.float32(0.0734),
        "epochs": np.int64(10),
        "latent": {"2": 0.1669, "16": 0.1141},
    }
    path = write_metrics(metrics, tmp_path, declared=False)  # ids outside the schema
    assert path.endswith("metrics.json")
    data = read_metrics(tmp_path)
    assert math.isclose(data["baseline_val_bce"], 0.0734, rel_tol=1e-6)
    assert data["epochs"] == 10 and data["latent"]["16"] == 0.1141
    write_metrics({"extra": 1.0}, tmp_path, merge=True, declared=False)
    assert set(read_metrics(tmp_path)) == {"baseline_val_bce", "epochs", "latent", "extra"}
    write_metrics({"only": 2.0}, tmp_path, declared=False)
    assert read_metrics(tmp_path) == {"only": 2.0}


@pytest.mark.parametrize(
    "metrics, bad_id",
    [
        ({"ok": 1.0, "bad": float("nan")}, "bad"),
        ({"inf": np.inf}, "inf"),
        ({"outer": {"inner": np.float32("nan")}}, "outer.inner"),
        ({"text": "0.5"}, "text"),
        ({"none": None}, "none"),
    ],
)
def test_metrics_rejects_non_finite(tmp_path, metrics, bad_id):
    write_metrics({"old": 1.0}, tmp_path, declared=False)
    with pytest.raises(ValueError, match=bad_id.replace(".", r"\.")):
        write_metrics(metrics, tmp_path)
    assert read_metrics(tmp_path) == {"old": 1.0}  # untouched


def test_read_metrics_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="metrics.json"):
        read_metrics(tmp_path)


def test_save_figure(tmp_path):
    fig = Figure()
    fig.subplots().plot([0, 1], [0, 1])
    path = save_figure(fig, tmp_path / "figs", "line")
    assert path.endswith("line.png")
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) == 1  # still usable after saving


def test_save_history_json(tmp_path):
    history = {
        "epoch": [1, 2],
        "loss": [np.float32(0.5), float("nan")],
        "stopped_early": np.bool_(False),
    }
    path = save_history(history, tmp_path, "baseline_history")
    assert path.endswith("baseline_history.json")
    data = json.loads(open(path).read())
    assert data["loss"][1] is None and data["stopped_early"] is False
    assert load_history(tmp_path, "baseline_history") == data


def _run(tmp_path, profile="smoke", seed=0, notebook="01_baseline_autoencoder"):
    from aelib import params

    passed = {"profile": profile, "seed": seed, "epochs": 10, "out_dir": str(tmp_path)}
    return params.settings(
        profile=profile,
        seed=seed,
        epochs=10,
        batch_size=256,
        out_dir=tmp_path,
        notebook=notebook,
        parameters=passed,
    )


def test_run_info_beside_metrics(tmp_path):
    from aelib import __version__

    run = _run(tmp_path, seed=2)
    write_metrics({"mnist.baseline.val_bce": 0.07}, tmp_path)
    path = write_run_info(run)
    assert path.endswith("run_info.json")
    info = json.loads(open(path).read())
    assert info["notebook"] == "01_baseline_autoencoder"
    assert (info["profile"], info["seed"]) == ("smoke", 2)
    passed = {"profile": "smoke", "seed": 2, "epochs": 10, "out_dir": str(tmp_path)}
    assert info["parameters"] == passed
    assert info["settings"]["epochs"] == 1 and info["settings"]["test_size"] == 256
    assert info["aelib_version"] == __version__
    assert read_run_info(tmp_path) == info
    # metrics.json stays id -> number
    assert read_metrics(tmp_path) == {"mnist.baseline.val_bce": 0.07}


def test_upstream_results_match_profile_and_seed(tmp_path):
    run = _run(tmp_path)
    kwargs = {"notebook": "01_baseline_autoencoder", "parameter": "baseline_dir"}
    no_metrics = upstream_results_problem(tmp_path, profile="smoke", seed=0, **kwargs)
    assert "no results of 01_baseline_autoencoder" in no_metrics
    write_metrics({"mnist.baseline.val_bce": 0.07}, tmp_path)
    missing_info = upstream_results_problem(tmp_path, profile="smoke", seed=0, **kwargs)
    assert "no provenance" in missing_info
    write_run_info(run)
    assert upstream_results_problem(tmp_path, profile="smoke", seed=0, **kwargs) is None
    problem = upstream_results_problem(tmp_path, profile="full", seed=0, **kwargs)
    assert "profile 'smoke'" in problem and "profile 'full'" in problem
    assert "run notebook 01_baseline_autoencoder with profile='full', seed=0" in problem
    assert "baseline_dir" in problem
    assert "seed 0" in upstream_results_problem(tmp_path, profile="smoke", seed=1, **kwargs)
    assert provenance_mismatch(read_run_info(tmp_path), profile="smoke", seed=0) is None
