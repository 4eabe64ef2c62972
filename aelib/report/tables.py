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
    ("mnist.denoise.", "03_denoising"),
    ("mnist.improved.", "04_improved_autoencoder"),
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
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


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
    """Where a run's metrics.json is: `<out>/runs/<name>/`, else the record's out_dir."""
    candidates = [out_dir / "runs" / str(run.get("name", "")) / "metrics.json"]
    if run.get("out_dir"):
        candidates.append(Path(run["out_dir"]) / "metrics.json")
    for path in candidates:
        if path.is_file():
            return path
    return None


def _collect(runs: Iterable[Mapping], out_dir: str | os.PathLike
             ) -> tuple[dict, list[dict]]:
    """`collect_metrics`, also returning the conflicts it resolved.

    Runs carrying a "seed" are merged per seed first; a metric that differs between
    seeds becomes a list with one value per seed (in seed order), one that is the same
    in every seed (a parameter count, a compression ratio) stays a number.
    """
    runs = list(runs)
    seeds = list(dict.fromkeys(run.get("seed") for run in runs))
    if len(seeds) <= 1:
        return _collect_one(runs, out_dir)
    per_seed, conflicts = [], []
    for seed in seeds:
        merged, found = _collect_one([r for r in runs if r.get("seed") == seed], out_dir)
        per_seed.append(merged)
        conflicts += [{**c, "seed": seed} for c in found]
    combined: dict = {}
    for key in dict.fromkeys(k for merged in per_seed for k in merged):
        values = [merged[key] for merged in per_seed if key in merged]
        if any(isinstance(v, list) for v in values):
            continue
        combined[key] = values[0] if all(v == values[0] for v in values) else values
    return combined, conflicts


def _collect_one(runs: Iterable[Mapping], out_dir: str | os.PathLike
                 ) -> tuple[dict, list[dict]]:
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
                    conflicts.append({"id": key, "kept": merged[key], "kept_from": origin[key],
                                      "ignored": value, "ignored_from": run.get("name")})
                    warnings.warn(f"metric {key!r}: {run.get('name')} wrote {value!r}, "
                                  f"{origin[key]} wrote {merged[key]!r}; keeping the first",
                                  stacklevel=3)
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


def _row(metrics: Mapping, metric_id: str, experiment: str, kind: str, *,
         paper: float | None = None, floor_id: str | None = None, note: str = "",
         paper_note: str = "", statuses: Mapping[str, str] | None = None,
         fallback_ids: tuple[str, ...] = ()) -> dict:
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


def mnist_reconstruction_table(metrics: Mapping, *,
                               statuses: Mapping[str, str] | None = None) -> list[dict]:
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
        _row(metrics, "mnist.baseline.val_bce", "Baseline Conv. Autoencoder", "bce",
             paper=PAPER_VALUES["mnist.baseline.val_bce"], floor_id=floor, statuses=statuses,
             paper_note="High-fidelity reconstruction on clean digits."),
        _row(metrics, "mnist.latent_16.val_bce", "Latent Dim = 16 (Dense Bottleneck)", "bce",
             paper=PAPER_VALUES["mnist.latent_16.val_bce"], floor_id=floor, statuses=statuses,
             paper_note="Latent compression trade-off."),
        _row(metrics, "mnist.latent_2.val_bce", "Latent Dim = 2 (Dense Bottleneck)", "bce",
             paper=PAPER_VALUES["mnist.latent_2.val_bce"], floor_id=floor, statuses=statuses,
             note="Given in the paper only as a note to the row above.",
             paper_note="2 dims -> loss 0.1669."),
        _row(metrics, "mnist.denoise.val_bce", "Denoising Autoencoder", "bce",
             paper=PAPER_VALUES["mnist.denoise.val_bce"], floor_id=floor, statuses=statuses,
             note=_denoise_note(metrics),
             paper_note="Effective noise removal, higher loss than baseline."),
        _row(metrics, "mnist.improved.val_bce", "Improved Conv. Autoencoder", "bce",
             paper=PAPER_VALUES["mnist.improved.val_bce"], floor_id=floor, statuses=statuses,
             paper_note="Deeper filters reduce reconstruction error."),
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


def latent_sweep_table(metrics: Mapping, *,
                       statuses: Mapping[str, str] | None = None) -> list[dict]:
    """The latent-size sweep: validation BCE for every bottleneck size d in 2, 8, 16, 32.

    Each row adds `latent_dim` and `compression_ratio` (784 / d, from the metrics when
    the notebook wrote it, else computed). The paper reported d = 2 and d = 16 only.
    """
    rows = []
    for d in LATENT_SIZES:
        row = _row(metrics, f"mnist.latent_{d}.val_bce", f"Latent Dim = {d}", "bce",
                   paper=PAPER_LATENT_SWEEP.get(d), floor_id="mnist.test.entropy_floor",
                   statuses=statuses)
        ratio = summarize(metrics.get(f"mnist.latent_{d}.compression_ratio"))[0]
        row["latent_dim"] = d
        row["compression_ratio"] = ratio if ratio is not None else compression_ratio(d)
        rows.append(row)
    return rows


def denoising_table(metrics: Mapping, *,
                    statuses: Mapping[str, str] | None = None) -> list[dict]:
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
        row = _row(metrics, metric_id, label, "bce", floor_id="mnist.test.entropy_floor",
                   statuses=statuses)
        input_bce = summarize(metrics.get(f"mnist.denoise.{noise}.input_bce"))[0]
        row["noise"] = noise
        row["input_bce"] = input_bce
        row["reduction"] = (None if input_bce is None or row["value"] is None
                            else input_bce - row["value"])
        if row["verdict"] == VERDICT_NO_PAPER:
            row["verdict"] = ""
        rows.append(row)
    return rows


def fashion_table(metrics: Mapping, *,
                  statuses: Mapping[str, str] | None = None) -> list[dict]:
    """Table 3.2.2.1, Fashion-MNIST reconstruction and classification.

    Rows: the autoencoder's validation BCE (floor `fashion.test.entropy_floor`); the
    transfer-learning accuracy with the paper's section 3.1 head (frozen MNIST encoder,
    Flatten -> Dense(10, softmax)); the CNN trained from scratch; and an extra row, marked
    `extra=True` and without a paper value, for the section 2.2.2(d) reading of the head
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
        _row(metrics, "fashion.ae.val_bce", "Autoencoder reconstruction (Fashion)", "bce",
             paper=PAPER_VALUES["fashion.ae.val_bce"], floor_id="fashion.test.entropy_floor",
             statuses=statuses, paper_note="Higher error due to dataset complexity."),
        _row(metrics, "fashion.transfer.test_acc",
             "Transfer learning classification (head: Flatten -> Dense(10, softmax))", "acc",
             paper=PAPER_VALUES["fashion.transfer.test_acc"], statuses=statuses,
             fallback_ids=("fashion.transfer.dense10.test_acc",),
             note="Frozen MNIST encoder; the head described in the paper's section 3.1."
             + encoder_note,
             paper_note="Frozen-encoder + softmax head."),
        _row(metrics, "fashion.cnn.test_acc", "CNN classifier (from scratch)", "acc",
             paper=PAPER_VALUES["fashion.cnn.test_acc"], statuses=statuses,
             paper_note="End-to-end CNN baseline."),
        _row(metrics, "fashion.transfer.dense128.test_acc",
             "Extra: transfer learning, head Dense(128) -> Dense(10, softmax)", "acc",
             statuses=statuses,
             note="Not a row of the paper's table: the section 2.2.2(d) reading of the head "
             "(flattened code -> Dense -> softmax). Same frozen encoder." + encoder_note),
    ]
    rows[0]["metric"] = "Validation loss (BCE)"
    for row in rows[1:]:
        row["metric"] = "Test accuracy"
    rows[3]["extra"] = True
    return rows
