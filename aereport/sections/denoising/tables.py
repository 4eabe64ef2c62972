"""The tables, their HTML and the chart of the `denoising` section (see the package)."""

from __future__ import annotations

from collections.abc import Mapping

from aelib.outputs import metric_ids
from aelib.paper import PAPER_VALUES
from aereport.format import (
    diff,
    esc,
    excess_cell,
    fail_link,
    num,
    stat_cell,
    table,
    value_cell,
    verdict_badge,
)
from aereport.merge import difference, instances, stat, summarize
from aereport.section import (
    Context,
)
from aereport.verdicts import (
    VERDICT_FAILED,
    VERDICT_NO_PAPER,
    missing_verdict,
    paper_row,
)

NOTEBOOK = "03_denoising"

# "Recovers the digits": the denoised output keeps at most this fraction of the noisy
# input's excess over the entropy floor, i.e. removes at least half the avoidable error.
DENOISE_EXCESS_FRACTION = 0.5

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


# ---------------------------------------------------------------------------- tables


def mnist_rows(metrics: Mapping, *, statuses: Mapping[str, str] | None = None) -> list[dict]:
    """The denoising row of Table 3.2.1.1 (see `aereport.layout`)."""
    return [
        paper_row(
            metrics,
            "mnist.denoise.val_bce",
            "Denoising Autoencoder",
            "bce",
            notebook=NOTEBOOK,
            paper=PAPER_VALUES["mnist.denoise.val_bce"],
            floor_id="mnist.test.entropy_floor",
            statuses=statuses,
            note=_denoise_note(metrics),
            paper_note="Effective noise removal, higher loss than baseline.",
        )
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
        row = paper_row(
            metrics,
            metric_id,
            label,
            "bce",
            floor_id="mnist.test.entropy_floor",
            notebook=NOTEBOOK,
            statuses=statuses,
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


def denoise_quality_table(
    metrics: Mapping, *, statuses: Mapping[str, str] | None = None
) -> list[dict]:
    """PSNR and SSIM at the trained noise level: noisy input, classical filter, autoencoder.

    Three rows per noise type of `NOISE_TYPES`, each with `noise`, `noise_label`,
    `level` (the trained noise level, None if unknown), `method` ("noisy", "filter" or
    "autoencoder"), `label`, `psnr` and `ssim` (`stat` dicts; PSNR in dB, SSIM in
    [0, 1]), and `missing` (the verdict to show when a value is absent).
    """
    missing = missing_verdict("03_denoising", statuses)
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


def denoise_sweep_levels(metrics: Mapping) -> dict[str, list[str]]:
    """Noise type -> the sweep's level codes ("040" for 0.40), sorted, from the ids."""
    levels: dict[str, set[str]] = {}
    scores = ("SWEEP_NOISY_PSNR", "SWEEP_AE_PSNR", "SWEEP_FILTER_PSNR", "SWEEP_AE_SSIM")
    for score in scores:
        for found in instances(metric_ids.SCHEMA[score], metrics):
            levels.setdefault(found["kind"], set()).add(f"{found['level']:03d}")
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
            row["ae_minus_filter"] = difference(row["ae_psnr"], row["filter_psnr"])
            rows.append(row)
    return rows


# ------------------------------------------------------------------------------ html


def _denoise_table_html(rows: list[dict], statuses: Mapping[str, str]) -> str:
    headers = [
        ("Noise", ""),
        ("Noisy input BCE (doing nothing)", ""),
        ("Denoised BCE", ""),
        ("Reduction (input − denoised)", ""),
        ("Entropy floor", ""),
        ("Excess over floor", ""),
    ]
    body = []
    for r in rows:
        body.append(
            [
                (esc(r["experiment"]), "txt"),
                (num(r["input_bce"], "bce"), "num"),
                (
                    value_cell(r)
                    + (fail_link(r["notebook"], statuses) if r["value"] is None else ""),
                    "num",
                ),
                (diff(r["reduction"], "bce") if r["reduction"] is not None else "&ndash;", "num"),
                (num(r["floor"], "bce"), "num"),
                (excess_cell(r), "num"),
            ]
        )
    return table(headers, body, table_id="tbl-denoise")


def _per_noise_html(ctx: Context) -> str:
    return (
        _denoise_table_html(denoising_table(ctx.metrics, statuses=ctx.statuses), ctx.statuses)
        + '<p class="small">&ldquo;Noisy input BCE&rdquo; is the loss of returning the noisy '
        "image unchanged, the score of doing nothing; the paper gives only the mixed-noise "
        "loss.</p>"
    )


def _denoise_quality_html(ctx: Context) -> str:
    metrics, statuses = ctx.metrics, ctx.statuses
    rows = denoise_quality_table(metrics, statuses=statuses)
    out = []
    for noise, (label, _, _, level_name) in NOISE_TYPES.items():
        group = [r for r in rows if r["noise"] == noise]
        level = group[0]["level"]
        title = label + (
            f" ({level_name} {level:g}, the trained level)" if level is not None else ""
        )
        body = [
            [
                (esc(r["label"]), "txt"),
                (stat_cell(r["psnr"], "db", r["missing"]), "num"),
                (stat_cell(r["ssim"], "ssim", r["missing"]), "num"),
            ]
            for r in group
        ]
        by_method = {r["method"]: r for r in group}
        psnr = difference(by_method["autoencoder"]["psnr"], by_method["filter"]["psnr"])
        ssim = difference(by_method["autoencoder"]["ssim"], by_method["filter"]["ssim"])
        body.append(
            [
                ("Autoencoder &minus; filter", "txt"),
                ("&ndash;" if psnr["value"] is None else f"{psnr['value']:+.2f} dB", "num"),
                ("&ndash;" if ssim["value"] is None else f"{ssim['value']:+.3f}", "num"),
            ]
        )
        out.append(f"<h4>{esc(title)}</h4>")
        out.append(
            table(
                [("Output scored against the clean digit", ""), ("PSNR", ""), ("SSIM", "")],
                body,
                table_id=f"tbl-quality-{noise}",
                row_classes=[""] * len(group) + ["extra"],
            )
        )
    sweep = denoise_sweep_table(metrics)
    out.append("<h4>Across noise strengths</h4>")
    if not sweep:
        status = statuses.get("03_denoising")
        out.append(
            '<div class="missing">No sweep results: '
            + (
                verdict_badge(VERDICT_FAILED) + fail_link("03_denoising", statuses)
                if status == "failed"
                else "not run"
            )
            + ".</div>"
        )
        return "".join(out)
    body, classes = [], []
    for r in sweep:
        margin = r["ae_minus_filter"]
        level = f"{r['level']:.2f}" + (" (trained)" if r["trained"] else "")
        body.append(
            [
                (esc(r["noise_label"]), "txt"),
                (esc(level), "num"),
                (stat_cell(r["noisy_psnr"], "db"), "num"),
                (stat_cell(r["filter_psnr"], "db"), "num"),
                (stat_cell(r["ae_psnr"], "db"), "num"),
                (
                    "&ndash;"
                    if margin["value"] is None
                    else f"{margin['value']:+.2f} dB"
                    + (f" ± {margin['std']:.2f}" if margin["std"] else ""),
                    "num",
                ),
                (stat_cell(r["ae_ssim"], "ssim"), "num"),
            ]
        )
        classes.append("trained" if r["trained"] else "")
    out.append(
        table(
            [
                ("Noise", ""),
                ("Level", ""),
                ("Noisy PSNR", ""),
                ("Filter PSNR", ""),
                ("AE PSNR", ""),
                ("AE &minus; filter", ""),
                ("AE SSIM", ""),
            ],
            body,
            row_classes=classes,
            table_id="tbl-denoise-sweep",
        )
    )
    return "".join(out)
