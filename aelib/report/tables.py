"""The report's tables as plain data: merged metrics in, lists of row dicts out.

Every number comes from the `metrics.json` files the notebooks wrote; the paper's
values come from `aelib.paper` and only ever fill the columns labelled as the paper's.
A metric value is either a number or a list of numbers (one per seed); `summarize`
turns either into mean, standard deviation and count, so the tables and the findings
work unchanged once runs are repeated over seeds.

Row dicts share these keys:

- `id`: the metric id; `experiment`: the row label; `notebook`: the notebook that
  writes the metric; `kind`: `"bce"` (per-pixel binary cross-entropy, nats) or
  `"acc"` (accuracy as a fraction).
- `value`, `std`, `n_seeds`: the reproduced mean, its spread over seeds (None for a
  single run) and the number of seeds; `value` is None when the metric is missing.
- `paper`, `difference` (`value - paper`).
- `floor`, `excess` (`value - floor`): the entropy floor of the test targets, the
  lowest BCE any model can reach, and how far above it the model is (BCE rows only).
- `verdict`: one of the `VERDICT_*` strings below; `note`: extra text for the row.
"""

from __future__ import annotations

import json
import math
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

from aelib.metrics import compression_ratio
from aelib.paper import PAPER_LATENT_SWEEP, PAPER_VALUES

__all__ = [
    "BCE_TOLERANCE",
    "ACC_TOLERANCE",
    "LATENT_SIZES",
    "NOTEBOOKS",
    "VERDICT_MATCHES",
    "VERDICT_BETTER",
    "VERDICT_WORSE",
    "VERDICT_NO_PAPER",
    "VERDICT_NOT_RUN",
    "VERDICT_FAILED",
    "collect_metrics",
    "summarize",
    "verdict_vs_paper",
    "notebook_for_metric",
    "mnist_reconstruction_table",
    "latent_sweep_table",
    "denoising_table",
    "fashion_table",
    "LATENT2_DESIGNS",
    "NOISE_TYPES",
    "LABEL_EFF_METHODS",
    "stat",
    "latent2_designs_table",
    "denoise_quality_table",
    "denoise_sweep_levels",
    "denoise_sweep_table",
    "anomaly_table",
    "label_efficiency_sizes",
    "label_efficiency_table",
    "transfer_heads_table",
]

# "Within 0.005 of the paper or lower" for BCE; "within 1.5 points or higher" for accuracy.
BCE_TOLERANCE = 0.005
ACC_TOLERANCE = 0.015

LATENT_SIZES = (2, 8, 16, 32)

NOTEBOOKS = (
    "01_baseline_autoencoder",
    "02_latent_sweep",
    "03_denoising",
    "04_improved_autoencoder",
    "05_fashion_transfer",
)

VERDICT_MATCHES = "matches"
VERDICT_BETTER = "better than paper"
VERDICT_WORSE = "worse than paper"
VERDICT_NO_PAPER = "no paper value"
VERDICT_NOT_RUN = "not run"
VERDICT_FAILED = "failed"

# Statuses whose metrics.json is trusted.
_USABLE = ("ok", "cached")

# Metric-id prefix -> the notebook that writes it. The entropy floors are written by
# several notebooks; they are attributed to the first notebook of their dataset.
_PREFIX_TO_NOTEBOOK = (
    ("mnist.baseline.", "01_baseline_autoencoder"),
    ("mnist.test.", "01_baseline_autoencoder"),
    ("mnist.latent_", "02_latent_sweep"),
    ("mnist.pca_", "02_latent_sweep"),
    ("mnist.denoise.", "03_denoising"),
    ("mnist.improved.", "04_improved_autoencoder"),
    ("mnist.anomaly.", "04_improved_autoencoder"),
    ("fashion.", "05_fashion_transfer"),
)


def notebook_for_metric(metric_id: str) -> str | None:
    """The notebook that writes `metric_id` (None if the id is unknown)."""
    for prefix, notebook in _PREFIX_TO_NOTEBOOK:
        if metric_id.startswith(prefix):
            return notebook
    return None


# ----------------------------------------------------------------------------- metrics


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _clean_value(value):
    """A finite number, a non-empty list of finite numbers, or None (unusable)."""
    if _is_number(value):
        return value
    if isinstance(value, (list, tuple)) and value and all(_is_number(v) for v in value):
        return [v for v in value]
    return None


def _same(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return False
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _metrics_path(run: Mapping, out_dir: Path) -> Path | None:
    """Where a run's metrics.json is: the record's out_dir, else `<out>/runs/<name>/`.

    The record's folder comes first: with several seeds every seed has its own folder.
    """
    candidates = [Path(run["out_dir"]) / "metrics.json"] if run.get("out_dir") else []
    candidates.append(out_dir / "runs" / str(run.get("name", "")) / "metrics.json")
    for path in candidates:
        if path.is_file():
            return path
    return None


def _collect(runs: Iterable[Mapping], out_dir: str | os.PathLike) -> tuple[dict, list[dict]]:
    """`collect_metrics`, also returning the conflicts it resolved.

    Runs carrying a "seed" are merged per seed first; a metric that differs between
    seeds becomes a list with one value per seed (in seed order), one that is the same
    in every seed (a parameter count, a compression ratio) stays a number.
    """
    per_seed, conflicts = _collect_per_seed(runs, out_dir)
    return _merge_seeds(per_seed), conflicts


def _collect_per_seed(
    runs: Iterable[Mapping], out_dir: str | os.PathLike
) -> tuple[dict, list[dict]]:
    """`{seed: {metric_id: value}}` in run order (runs without a seed under None), and
    the conflicts resolved within each seed (tagged with it when there are several)."""
    runs = list(runs)
    seeds = list(dict.fromkeys(run.get("seed") for run in runs))
    per_seed, conflicts = {}, []
    for seed in seeds:
        merged, found = _collect_one([r for r in runs if r.get("seed") == seed], out_dir)
        per_seed[seed] = merged
        conflicts += [{**c, "seed": seed} for c in found] if len(seeds) > 1 else found
    return per_seed, conflicts


def _merge_seeds(per_seed: Mapping) -> dict:
    """One dict of metrics: a value per seed as a list, or a number where all agree."""
    if len(per_seed) <= 1:
        return dict(next(iter(per_seed.values()), {}))
    combined: dict = {}
    for key in dict.fromkeys(k for merged in per_seed.values() for k in merged):
        values = [merged[key] for merged in per_seed.values() if key in merged]
        if any(isinstance(v, list) for v in values):
            continue
        combined[key] = values[0] if all(v == values[0] for v in values) else values
    return combined


def _collect_one(runs: Iterable[Mapping], out_dir: str | os.PathLike) -> tuple[dict, list[dict]]:
    out_dir = Path(out_dir)
    merged: dict = {}
    origin: dict[str, str] = {}
    conflicts: list[dict] = []
    for run in runs:
        if run.get("status") not in _USABLE:
            continue
        path = _metrics_path(run, out_dir)
        if path is None:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            warnings.warn(f"unreadable metrics file {path}: {exc}", stacklevel=3)
            continue
        if not isinstance(data, Mapping):
            warnings.warn(f"metrics file {path} is not a JSON object; ignored", stacklevel=3)
            continue
        for key, raw in data.items():
            value = _clean_value(raw)
            if value is None:
                continue
            if key in merged:
                if not _same(merged[key], value):
                    conflicts.append(
                        {
                            "id": key,
                            "kept": merged[key],
                            "kept_from": origin[key],
                            "ignored": value,
                            "ignored_from": run.get("name"),
                        }
                    )
                    warnings.warn(
                        f"metric {key!r}: {run.get('name')} wrote {value!r}, "
                        f"{origin[key]} wrote {merged[key]!r}; keeping the first",
                        stacklevel=3,
                    )
                continue
            merged[key] = value
            origin[key] = str(run.get("name"))
    return merged, conflicts


def collect_metrics(runs: Iterable[Mapping], out_dir: str | os.PathLike) -> dict:
    """Merge the metrics.json of every run whose status is "ok" or "cached".

    Args:
        runs: run records (dicts with at least "name" and "status"), in order.
        out_dir: the report folder; each run's file is `<out_dir>/runs/<name>/metrics.json`
            (falling back to the record's own "out_dir").

    Returns:
        A flat dict id -> number (or list of numbers, one per seed). Failed or skipped
        runs, missing or unreadable files and non-numeric values contribute nothing.
        When two runs write the same id with different values the first is kept and a
        warning is issued.
    """
    return _collect(runs, out_dir)[0]


def summarize(value) -> tuple[float | None, float | None, int]:
    """Mean, standard deviation and count of a metric value.

    Args:
        value: a number, a list of numbers (one per seed), or None.

    Returns:
        `(mean, std, n)`: for a number `(value, None, 1)`; for a list the mean and the
        sample standard deviation (ddof=1; None for a single-element list); for None
        or an unusable value `(None, None, 0)`.
    """
    value = _clean_value(value)
    if value is None:
        return None, None, 0
    if not isinstance(value, list):
        return float(value), None, 1
    n = len(value)
    mean = math.fsum(value) / n
    if n == 1:
        return mean, None, 1
    var = math.fsum((v - mean) ** 2 for v in value) / (n - 1)
    return mean, math.sqrt(var), n


# ------------------------------------------------------------------------------ rows


def verdict_vs_paper(value: float | None, paper: float | None, kind: str) -> str:
    """Compare a reproduced value with the paper's under the report's tolerance.

    BCE ("bce", lower is better): within `BCE_TOLERANCE` of the paper -> "matches",
    lower by more -> "better than paper", higher by more -> "worse than paper".
    Accuracy ("acc", higher is better): within `ACC_TOLERANCE` (1.5 points) likewise.
    A missing value gives "not run"; a missing paper value "no paper value".
    """
    if value is None:
        return VERDICT_NOT_RUN
    if paper is None:
        return VERDICT_NO_PAPER
    if kind not in ("bce", "acc"):
        raise ValueError(f"kind must be 'bce' or 'acc', got {kind!r}")
    tolerance = BCE_TOLERANCE if kind == "bce" else ACC_TOLERANCE
    # A hair of slack so that values printed equal to the tolerance count as within it.
    difference = value - paper
    if abs(difference) <= tolerance + 1e-12:
        return VERDICT_MATCHES
    higher_is_better = kind == "acc"
    return VERDICT_BETTER if (difference > 0) == higher_is_better else VERDICT_WORSE


def _missing_verdict(notebook: str | None, statuses: Mapping[str, str] | None) -> str:
    if statuses and notebook and statuses.get(notebook) == "failed":
        return VERDICT_FAILED
    return VERDICT_NOT_RUN


def _row(
    metrics: Mapping,
    metric_id: str,
    experiment: str,
    kind: str,
    *,
    paper: float | None = None,
    floor_id: str | None = None,
    note: str = "",
    paper_note: str = "",
    statuses: Mapping[str, str] | None = None,
    fallback_ids: tuple[str, ...] = (),
) -> dict:
    used_id, raw = metric_id, metrics.get(metric_id)
    if raw is None:
        for alt in fallback_ids:
            if metrics.get(alt) is not None:
                used_id, raw = alt, metrics[alt]
                break
    value, std, n = summarize(raw)
    notebook = notebook_for_metric(metric_id)
    floor = summarize(metrics.get(floor_id))[0] if floor_id else None
    if value is None:
        verdict = _missing_verdict(notebook, statuses)
    else:
        verdict = verdict_vs_paper(value, paper, kind)
    return {
        "id": used_id,
        "experiment": experiment,
        "notebook": notebook,
        "kind": kind,
        "value": value,
        "std": std,
        "n_seeds": n,
        "paper": paper,
        "difference": None if value is None or paper is None else value - paper,
        "floor": floor,
        "excess": None if value is None or floor is None else value - floor,
        "paper_excess": None if paper is None or floor is None else paper - floor,
        "verdict": verdict,
        "note": note,
        "paper_note": paper_note,
        "extra": False,
    }


def mnist_reconstruction_table(
    metrics: Mapping, *, statuses: Mapping[str, str] | None = None
) -> list[dict]:
    """Table 3.2.1.1, MNIST reconstruction: validation BCE per experiment.

    One row per row of the paper's table, plus its own row for the latent size 2 that
    the paper only gives in a note. Floors are `mnist.test.entropy_floor`.

    Args:
        metrics: merged metrics (see `collect_metrics`).
        statuses: optional notebook name -> run status, so that a missing value reads
            "failed" rather than "not run" when its notebook failed.

    Returns:
        Five row dicts (see the module docstring), in the paper's order.
    """
    floor = "mnist.test.entropy_floor"
    return [
        _row(
            metrics,
            "mnist.baseline.val_bce",
            "Baseline Conv. Autoencoder",
            "bce",
            paper=PAPER_VALUES["mnist.baseline.val_bce"],
            floor_id=floor,
            statuses=statuses,
            paper_note="High-fidelity reconstruction on clean digits.",
        ),
        _row(
            metrics,
            "mnist.latent_16.val_bce",
            "Latent Dim = 16 (Dense Bottleneck)",
            "bce",
            paper=PAPER_VALUES["mnist.latent_16.val_bce"],
            floor_id=floor,
            statuses=statuses,
            paper_note="Latent compression trade-off.",
        ),
        _row(
            metrics,
            "mnist.latent_2.val_bce",
            "Latent Dim = 2 (Dense Bottleneck)",
            "bce",
            paper=PAPER_VALUES["mnist.latent_2.val_bce"],
            floor_id=floor,
            statuses=statuses,
            note="Given in the paper only as a note to the row above.",
            paper_note="2 dims -> loss 0.1669.",
        ),
        _row(
            metrics,
            "mnist.denoise.val_bce",
            "Denoising Autoencoder",
            "bce",
            paper=PAPER_VALUES["mnist.denoise.val_bce"],
            floor_id=floor,
            statuses=statuses,
            note=_denoise_note(metrics),
            paper_note="Effective noise removal, higher loss than baseline.",
        ),
        _row(
            metrics,
            "mnist.improved.val_bce",
            "Improved Conv. Autoencoder",
            "bce",
            paper=PAPER_VALUES["mnist.improved.val_bce"],
            floor_id=floor,
            statuses=statuses,
            paper_note="Deeper filters reduce reconstruction error.",
        ),
    ]


def _denoise_note(metrics: Mapping) -> str:
    """Which noise the denoising row's loss was measured under."""
    factor = summarize(metrics.get("mnist.denoise.noise_factor"))[0]
    amount = summarize(metrics.get("mnist.denoise.salt_pepper_amount"))[0]
    parts = []
    if factor is not None:
        parts.append(f"Gaussian noise factor {factor:g}")
    if amount is not None:
        parts.append(f"salt-and-pepper amount {amount:g}")
    if not parts:
        return "Noisy inputs, clean targets."
    return "Noisy inputs (" + ", ".join(parts) + "), clean targets."


def latent_sweep_table(
    metrics: Mapping, *, statuses: Mapping[str, str] | None = None
) -> list[dict]:
    """The latent-size sweep: validation BCE for every bottleneck size d in 2, 8, 16, 32.

    Each row adds `latent_dim` and `compression_ratio` (784 / d, from the metrics when
    the notebook wrote it, else computed). The paper reported d = 2 and d = 16 only.

    The PCA baseline (a linear code of the same size d, fitted on the training images)
    adds `pca_bce`, `ae_mse` and `pca_mse`, each a `stat` dict (value None when the
    notebook did not write it), and `ae_minus_pca` (AE BCE minus PCA BCE, None if
    either is missing).
    """
    rows = []
    for d in LATENT_SIZES:
        row = _row(
            metrics,
            f"mnist.latent_{d}.val_bce",
            f"Latent Dim = {d}",
            "bce",
            paper=PAPER_LATENT_SWEEP.get(d),
            floor_id="mnist.test.entropy_floor",
            statuses=statuses,
        )
        ratio = summarize(metrics.get(f"mnist.latent_{d}.compression_ratio"))[0]
        row["latent_dim"] = d
        row["compression_ratio"] = ratio if ratio is not None else compression_ratio(d)
        row["pca_bce"] = stat(metrics, f"mnist.pca_{d}.val_bce")
        row["ae_mse"] = stat(metrics, f"mnist.latent_{d}.mse")
        row["pca_mse"] = stat(metrics, f"mnist.pca_{d}.mse")
        pca = row["pca_bce"]["value"]
        row["ae_minus_pca"] = None if row["value"] is None or pca is None else row["value"] - pca
        rows.append(row)
    return rows


def denoising_table(metrics: Mapping, *, statuses: Mapping[str, str] | None = None) -> list[dict]:
    """Per noise type: the BCE of the noisy input itself ("doing nothing") and after denoising.

    Rows for "mixed" (the table's denoising row), "gaussian" and "salt_pepper", each
    with `noise`, `input_bce` (noisy input vs clean target), `value` (denoised vs clean),
    `reduction` (`input_bce - value`), and `floor`/`excess` as elsewhere. No paper
    values: the paper gives only the mixed-noise loss (in Table 3.2.1.1).
    """
    specs = (
        ("mixed", "Mixed noise (the table's row)", "mnist.denoise.val_bce"),
        ("gaussian", "Gaussian noise", "mnist.denoise.gaussian.val_bce"),
        ("salt_pepper", "Salt-and-pepper noise", "mnist.denoise.salt_pepper.val_bce"),
    )
    rows = []
    for noise, label, metric_id in specs:
        row = _row(
            metrics, metric_id, label, "bce", floor_id="mnist.test.entropy_floor", statuses=statuses
        )
        input_bce = summarize(metrics.get(f"mnist.denoise.{noise}.input_bce"))[0]
        row["noise"] = noise
        row["input_bce"] = input_bce
        row["reduction"] = (
            None if input_bce is None or row["value"] is None else input_bce - row["value"]
        )
        if row["verdict"] == VERDICT_NO_PAPER:
            row["verdict"] = ""
        rows.append(row)
    return rows


def fashion_table(metrics: Mapping, *, statuses: Mapping[str, str] | None = None) -> list[dict]:
    """Table 3.2.2.1, Fashion-MNIST reconstruction and classification.

    Rows: the autoencoder's validation BCE (floor `fashion.test.entropy_floor`); the
    transfer-learning accuracy with the paper's section 3.1 head (frozen MNIST encoder,
    Flatten -> Dense(10, softmax): `fashion.transfer.dense10.test_acc`, falling back to
    the older id `fashion.transfer.test_acc`); the CNN trained from scratch; and an extra
    row, marked `extra=True` and without a paper value, for the section 2.2.2(d) reading of the head
    (Dense(128) then softmax). Each row also has `metric` (the paper's metric column).
    """
    trained_here = summarize(metrics.get("fashion.transfer.encoder_trained_here"))[0]
    if trained_here is None:
        encoder_note = ""
    elif trained_here:
        encoder_note = " The MNIST encoder was trained inside this notebook."
    else:
        encoder_note = " The MNIST encoder was reused from an earlier notebook's saved model."
    rows = [
        _row(
            metrics,
            "fashion.ae.val_bce",
            "Autoencoder reconstruction (Fashion)",
            "bce",
            paper=PAPER_VALUES["fashion.ae.val_bce"],
            floor_id="fashion.test.entropy_floor",
            statuses=statuses,
            paper_note="Higher error due to dataset complexity.",
        ),
        _row(
            metrics,
            "fashion.transfer.dense10.test_acc",
            "Transfer learning classification (head: Flatten -> Dense(10, softmax))",
            "acc",
            paper=PAPER_VALUES["fashion.transfer.test_acc"],
            statuses=statuses,
            fallback_ids=("fashion.transfer.test_acc",),
            note="Frozen MNIST encoder; the head described in the paper's section 3.1."
            + encoder_note,
            paper_note="Frozen-encoder + softmax head.",
        ),
        _row(
            metrics,
            "fashion.cnn.test_acc",
            "CNN classifier (from scratch)",
            "acc",
            paper=PAPER_VALUES["fashion.cnn.test_acc"],
            statuses=statuses,
            paper_note="End-to-end CNN baseline.",
        ),
        _row(
            metrics,
            "fashion.transfer.dense128.test_acc",
            "Extra: transfer learning, head Dense(128) -> Dense(10, softmax)",
            "acc",
            statuses=statuses,
            note="Not a row of the paper's table: the section 2.2.2(d) reading of the head "
            "(flattened code -> Dense -> softmax). Same frozen encoder." + encoder_note,
        ),
    ]
    rows[0]["metric"] = "Validation loss (BCE)"
    for row in rows[1:]:
        row["metric"] = "Test accuracy"
    rows[3]["extra"] = True
    return rows


# ---------------------------------------------------------------- beyond the paper


def stat(metrics: Mapping, metric_id: str) -> dict:
    """One metric as `{"id", "value", "std", "n_seeds"}` (value None when missing)."""
    value, std, n = summarize(metrics.get(metric_id))
    return {"id": metric_id, "value": value, "std": std, "n_seeds": n}


def _difference(a: Mapping, b: Mapping) -> dict:
    """`a - b` of two `stat` dicts; spreads add in quadrature (as in the findings)."""
    if a["value"] is None or b["value"] is None:
        return {"value": None, "std": None, "n_seeds": 0}
    stds = [s for s in (a["std"], b["std"]) if s is not None]
    return {
        "value": a["value"] - b["value"],
        "std": math.hypot(*stds) if stds else None,
        "n_seeds": min(a["n_seeds"], b["n_seeds"]),
    }


# The d = 2 bottleneck designs: (key, label, description, val BCE id, params id).
LATENT2_DESIGNS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "plain",
        "plain",
        "Flatten -> Dense(2) / Dense -> Reshape: the literal reading of the paper",
        "mnist.latent_2.variant.plain.val_bce",
        "mnist.latent_2.variant.plain.params",
    ),
    (
        "dense128",
        "dense128 (the sweep's design)",
        "Dense(128) on each side of the 2-unit code",
        "mnist.latent_2.val_bce",
        "mnist.latent_2.params",
    ),
    (
        "deep-bn",
        "deep-bn",
        "Dense 512-256-128 on each side with batch normalization; the decoder starts from 7x7x16",
        "mnist.latent_2.variant.deep-bn.val_bce",
        "mnist.latent_2.variant.deep-bn.params",
    ),
)

_VARIANT_ID = re.compile(r"^mnist\.latent_2\.variant\.([A-Za-z0-9_-]+)\.val_bce$")


def latent2_designs_table(
    metrics: Mapping, *, statuses: Mapping[str, str] | None = None
) -> list[dict]:
    """The d = 2 bottleneck designs next to the paper's 0.1669.

    One row per design of `LATENT2_DESIGNS` (plain, the sweep's dense128, deep-bn), then
    any other `mnist.latent_2.variant.<name>.val_bce` the notebook wrote. Each row is a
    BCE row (see the module docstring) against the paper's d = 2 value, plus `design`,
    `description` and `params` (the autoencoder's parameter count, None if missing).
    The variants run for the first seed only, so they are single values even when the
    sweep's own d = 2 row has one value per seed.
    """
    paper = PAPER_VALUES["mnist.latent_2.val_bce"]
    specs = list(LATENT2_DESIGNS)
    known = {spec[0] for spec in specs}
    for key in sorted(metrics):
        match = _VARIANT_ID.match(key)
        if match and match.group(1) not in known:
            name = match.group(1)
            known.add(name)
            specs.append((name, name, "", key, f"mnist.latent_2.variant.{name}.params"))
    rows = []
    for design, label, description, bce_id, params_id in specs:
        fallback = (f"mnist.latent_2.variant.{design}.val_bce",) if design == "dense128" else ()
        row = _row(
            metrics, bce_id, label, "bce", paper=paper, statuses=statuses, fallback_ids=fallback
        )
        if design == "dense128" and metrics.get(params_id) is None:
            params_id = f"mnist.latent_2.variant.{design}.params"
        row["design"] = design
        row["description"] = description
        row["params"] = summarize(metrics.get(params_id))[0]
        rows.append(row)
    return rows


# Noise type -> (label, classical filter, trained-level metric id, level name).
NOISE_TYPES: dict[str, tuple[str, str, str, str]] = {
    "gaussian": (
        "Gaussian noise",
        "Gaussian blur (sigma 0.7)",
        "mnist.denoise.noise_factor",
        "noise factor",
    ),
    "salt_pepper": (
        "Salt-and-pepper noise",
        "3x3 median filter",
        "mnist.denoise.salt_pepper_amount",
        "amount",
    ),
}


def denoise_quality_table(
    metrics: Mapping, *, statuses: Mapping[str, str] | None = None
) -> list[dict]:
    """PSNR and SSIM at the trained noise level: noisy input, classical filter, autoencoder.

    Three rows per noise type of `NOISE_TYPES`, each with `noise`, `noise_label`,
    `level` (the trained noise level, None if unknown), `method` ("noisy", "filter" or
    "autoencoder"), `label`, `psnr` and `ssim` (`stat` dicts; PSNR in dB, SSIM in
    [0, 1]), and `missing` (the verdict to show when a value is absent).
    """
    missing = _missing_verdict("03_denoising", statuses)
    rows = []
    for noise, (noise_label, filter_label, level_id, _) in NOISE_TYPES.items():
        level = summarize(metrics.get(level_id))[0]
        for method, label, prefix in (
            ("noisy", "Noisy input (doing nothing)", "noisy_"),
            ("filter", filter_label, "filter_"),
            ("autoencoder", "Denoising autoencoder", ""),
        ):
            rows.append(
                {
                    "noise": noise,
                    "noise_label": noise_label,
                    "level": level,
                    "method": method,
                    "label": label,
                    "notebook": "03_denoising",
                    "psnr": stat(metrics, f"mnist.denoise.{noise}.{prefix}psnr"),
                    "ssim": stat(metrics, f"mnist.denoise.{noise}.{prefix}ssim"),
                    "missing": missing,
                }
            )
    return rows


_SWEEP_ID = re.compile(r"^mnist\.denoise\.sweep\.([a-z_]+?)_(\d{3})\.[a-z_]+$")


def denoise_sweep_levels(metrics: Mapping) -> dict[str, list[str]]:
    """Noise type -> the sweep's level codes ("040" for 0.40), sorted, from the ids."""
    levels: dict[str, set[str]] = {}
    for key in metrics:
        match = _SWEEP_ID.match(key)
        if match:
            levels.setdefault(match.group(1), set()).add(match.group(2))
    ordered = [n for n in NOISE_TYPES if n in levels] + sorted(set(levels) - set(NOISE_TYPES))
    return {noise: sorted(levels[noise]) for noise in ordered}


def denoise_sweep_table(metrics: Mapping) -> list[dict]:
    """The robustness sweep: PSNR of noisy input, filter and autoencoder at each level.

    Levels are discovered from the ids `mnist.denoise.sweep.<noise>_<LLL>.<score>`
    (LLL = level * 100). Rows have `noise`, `noise_label`, `level` (a fraction),
    `trained` (True at the level the model was trained on), `noisy_psnr`,
    `filter_psnr`, `ae_psnr`, `ae_ssim` (`stat` dicts) and `ae_minus_filter` (PSNR
    margin of the autoencoder over the filter, dB: `{"value", "std", "n_seeds"}`).
    """
    rows = []
    for noise, codes in denoise_sweep_levels(metrics).items():
        noise_label, _, level_id, _ = NOISE_TYPES.get(noise, (noise, "", "", ""))
        trained = summarize(metrics.get(level_id))[0] if level_id else None
        for code in codes:
            prefix = f"mnist.denoise.sweep.{noise}_{code}."
            row = {
                "noise": noise,
                "noise_label": noise_label,
                "level": int(code) / 100,
                "trained": trained is not None and round(trained * 100) == int(code),
            }
            for key in ("noisy_psnr", "filter_psnr", "ae_psnr", "ae_ssim"):
                row[key] = stat(metrics, prefix + key)
            row["ae_minus_filter"] = _difference(row["ae_psnr"], row["filter_psnr"])
            rows.append(row)
    return rows


def anomaly_table(metrics: Mapping, *, statuses: Mapping[str, str] | None = None) -> list[dict]:
    """Anomaly detection with the improved autoencoder (notebook 04).

    Rows (`stat` dicts plus `label` and `kind`): the ROC AUC of the per-image
    reconstruction BCE separating MNIST test digits (normal) from Fashion-MNIST test
    images (anomalous), and the mean per-image BCE of each set; `missing` as in
    `denoise_quality_table`.
    """
    missing = _missing_verdict("04_improved_autoencoder", statuses)
    specs = (
        ("mnist.anomaly.auc", "ROC AUC (MNIST normal vs Fashion-MNIST anomalous)", "auc"),
        ("mnist.anomaly.mnist_error_mean", "Mean reconstruction BCE, MNIST test (normal)", "bce"),
        (
            "mnist.anomaly.fashion_error_mean",
            "Mean reconstruction BCE, Fashion-MNIST test (anomalies)",
            "bce",
        ),
    )
    return [
        {**stat(metrics, metric_id), "label": label, "kind": kind, "missing": missing}
        for metric_id, label, kind in specs
    ]


LABEL_EFF_METHODS: dict[str, str] = {
    "transfer": "frozen MNIST encoder",
    "finetune": "fine-tuned MNIST encoder",
    "scratch": "CNN from scratch (same architecture)",
    "fashion_encoder": "frozen Fashion-MNIST encoder",
}

_LABEL_EFF_ID = re.compile(r"^fashion\.label_eff\.([A-Za-z0-9_-]+)\.(\d+)\.test_acc$")


def label_efficiency_sizes(metrics: Mapping) -> list[int]:
    """The label-set sizes of the label-efficiency runs, discovered from the ids."""
    return sorted({int(m.group(2)) for m in map(_LABEL_EFF_ID.match, metrics) if m})


def label_efficiency_table(
    metrics: Mapping, *, statuses: Mapping[str, str] | None = None
) -> list[dict]:
    """Test accuracy against the number of labelled Fashion-MNIST training images.

    One row per method of `LABEL_EFF_METHODS` (then any other method found in the ids):
    `method`, `label`, `sizes` (see `label_efficiency_sizes`) and `cells` (one `stat`
    dict per size, accuracy as a fraction); `missing` as in `denoise_quality_table`.
    """
    sizes = label_efficiency_sizes(metrics)
    found = {m.group(1) for m in map(_LABEL_EFF_ID.match, metrics) if m}
    methods = list(LABEL_EFF_METHODS) + sorted(found - set(LABEL_EFF_METHODS))
    missing = _missing_verdict("05_fashion_transfer", statuses)
    return [
        {
            "method": method,
            "label": LABEL_EFF_METHODS.get(method, method),
            "sizes": sizes,
            "missing": missing,
            "cells": [stat(metrics, f"fashion.label_eff.{method}.{n}.test_acc") for n in sizes],
        }
        for method in methods
    ]


def transfer_heads_table(
    metrics: Mapping, *, statuses: Mapping[str, str] | None = None
) -> list[dict]:
    """Both readings of the transfer head against the paper's 88.97 %.

    Rows (accuracy rows, see the module docstring) for the section 3.1 head
    Flatten -> Dense(10, softmax) and the section 2.2.2(d) head Dense(128) -> softmax,
    each with `head` and `miss` (the absolute distance to the paper, None if missing).
    """
    paper = PAPER_VALUES["fashion.transfer.test_acc"]
    rows = [
        _row(
            metrics,
            "fashion.transfer.dense10.test_acc",
            "Section 3.1: Flatten -> Dense(10, softmax)",
            "acc",
            paper=paper,
            statuses=statuses,
            fallback_ids=("fashion.transfer.test_acc",),
        ),
        _row(
            metrics,
            "fashion.transfer.dense128.test_acc",
            "Section 2.2.2(d): Dense(128) -> Dense(10, softmax)",
            "acc",
            paper=paper,
            statuses=statuses,
        ),
    ]
    for row, head in zip(rows, ("dense10", "dense128"), strict=True):
        row["head"] = head
        row["miss"] = None if row["difference"] is None else abs(row["difference"])
    return rows
