"""Notebook 03, the denoising autoencoder: noisy inputs (Gaussian, salt-and-pepper), clean targets.

- Table 3.2.1.1: the denoising row; its own table: the loss per noise type next to
  the loss of returning the noisy input unchanged.
- Findings: it recovers clean digits; denoising costs fidelity on clean targets;
  beyond the paper, it beats a classical filter (PSNR), at the trained noise level
  and across noise strengths.
- Beyond the paper: PSNR and SSIM against a Gaussian blur and a median filter, and the
  noise-strength sweep, with its two charts.
- Figures 3.4.3 and 3.4.4, the loss curves.
"""

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
    Analysis,
    Block,
    Context,
    FigureSpec,
    FurtherFigure,
    PaperFigure,
    Section,
)
from aereport.verdicts import (
    AGREES,
    DISAGREES,
    INCONCLUSIVE,
    NOT_RUN,
    VERDICT_FAILED,
    VERDICT_NO_PAPER,
    Measure,
    combine,
    finding,
    fmt_db,
    fmt_measure,
    fmt_paper,
    higher_verdict,
    lower_than,
    measure,
    missing_ids,
    missing_verdict,
    paper_row,
)

__all__ = [
    "NOTEBOOK",
    "SECTION",
    "DENOISE_EXCESS_FRACTION",
    "NOISE_TYPES",
    "mnist_rows",
    "denoising_table",
    "denoise_quality_table",
    "denoise_sweep_levels",
    "denoise_sweep_table",
    "paper_findings",
    "extra_findings",
]

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


# -------------------------------------------------------------------------- findings


def _denoising_recovers(metrics: Mapping) -> dict:
    keep = round(100 * DENOISE_EXCESS_FRACTION)
    claim = (
        "The denoising autoencoder recovers clean digits from noisy inputs: its output "
        "is much closer to the clean image than the noisy input is (here: it keeps at "
        f"most {keep}% of the noisy input's BCE excess over the entropy floor)."
    )
    paper = (
        f'Validation loss {fmt_paper("mnist.denoise.val_bce")}; "an impressive ability to '
        'recover clean images from noisy inputs" (section 4.1, item 3), judged from '
        "figures only."
    )
    floor = measure(metrics.get("mnist.test.entropy_floor"))
    specs = (
        ("mixed", "mixed", "mnist.denoise.val_bce"),
        ("Gaussian", "gaussian", "mnist.denoise.gaussian.val_bce"),
        ("salt-and-pepper", "salt_pepper", "mnist.denoise.salt_pepper.val_bce"),
    )
    parts, outcomes = [], []
    base = floor if floor is not None else Measure(0.0)
    for label, key, denoised_id in specs:
        denoised = measure(metrics.get(denoised_id))
        noisy = measure(metrics.get(f"mnist.denoise.{key}.input_bce"))
        if denoised is None or noisy is None:
            continue
        noisy_excess, denoised_excess = noisy - base, denoised - base
        # Pass if denoised_excess <= fraction * noisy_excess.
        margin = denoised_excess - noisy_excess.scaled(DENOISE_EXCESS_FRACTION)
        if margin.std > 0 and abs(margin.mean) <= margin.std:
            outcomes.append(INCONCLUSIVE)
        else:
            outcomes.append(AGREES if margin.mean <= 0 else DISAGREES)
        removed = (
            1 - denoised_excess.mean / noisy_excess.mean if noisy_excess.mean > 0 else float("nan")
        )
        parts.append(
            f"{label}: noisy input {fmt_measure(noisy)} -> denoised {fmt_measure(denoised)} "
            f"({100 * removed:.0f}% of the excess removed)"
        )
    if not parts:
        ids = [spec[2] for spec in specs] + [f"mnist.denoise.{spec[1]}.input_bce" for spec in specs]
        return finding(
            "denoising_recovers",
            claim,
            paper,
            "No denoised BCE with its noisy-input BCE. " + missing_ids(metrics, ids),
            NOT_RUN,
        )
    measured = "; ".join(parts) + "."
    measured += (
        f" Entropy floor {fmt_measure(floor)}."
        if floor is not None
        else " No entropy floor available: raw BCE compared."
    )
    return finding("denoising_recovers", claim, paper, measured, combine(outcomes))


def _ae_beats_filter(metrics: Mapping) -> dict:
    claim = (
        "The denoising autoencoder beats the classical filter one would use without any "
        "training (higher PSNR at the trained noise level): a Gaussian blur for "
        "Gaussian noise, a 3x3 median filter for salt-and-pepper noise."
    )
    paper = (
        "Not measured in the paper: denoising was judged from Figures 3.4.3-3.4.4 only "
        "(section 4.1, item 3)."
    )
    parts, outcomes = [], []
    for noise, (label, filter_label, level_id, level_name) in NOISE_TYPES.items():
        ae = measure(metrics.get(f"mnist.denoise.{noise}.psnr"))
        filt = measure(metrics.get(f"mnist.denoise.{noise}.filter_psnr"))
        if ae is None or filt is None:
            continue
        outcomes.append(higher_verdict(ae, filt))
        level = summarize(metrics.get(level_id))[0]
        where = f" ({level_name} {level:g})" if level is not None else ""
        margin = ae - filt
        text = (
            f"{label}{where}: autoencoder {fmt_db(ae)} vs {filter_label} "
            f"{fmt_db(filt)}, margin {margin.mean:+.2f}"
            + (f" ± {margin.std:.2f}" if margin.std > 0 else "")
            + " dB"
        )
        ae_ssim = measure(metrics.get(f"mnist.denoise.{noise}.ssim"))
        filt_ssim = measure(metrics.get(f"mnist.denoise.{noise}.filter_ssim"))
        if ae_ssim is not None and filt_ssim is not None:
            text += f"; SSIM {ae_ssim.mean:.3f} vs {filt_ssim.mean:.3f}"
        parts.append(text)
    if not parts:
        ids = [f"mnist.denoise.{n}.{k}" for n in NOISE_TYPES for k in ("psnr", "filter_psnr")]
        return finding("ae_beats_filter", claim, paper, missing_ids(metrics, ids), NOT_RUN)
    return finding("ae_beats_filter", claim, paper, "; ".join(parts) + ".", combine(outcomes))


def _ae_beats_filter_sweep(metrics: Mapping) -> dict:
    claim = (
        "Across the noise-strength sweep the denoising autoencoder beats the classical "
        "filter (PSNR) at every level, including levels it was not trained on."
    )
    paper = "Not tested in the paper: one noise level per type, judged from figures."
    parts, outcomes = [], []
    for noise, codes in denoise_sweep_levels(metrics).items():
        label = NOISE_TYPES.get(noise, (noise,))[0]
        wins, losses, unclear, margins = [], [], [], []
        for code in codes:
            prefix = f"mnist.denoise.sweep.{noise}_{code}."
            ae = measure(metrics.get(prefix + "ae_psnr"))
            filt = measure(metrics.get(prefix + "filter_psnr"))
            if ae is None or filt is None:
                continue
            level = f"{int(code) / 100:.2f}"
            verdict = higher_verdict(ae, filt)
            outcomes.append(verdict)
            {AGREES: wins, DISAGREES: losses}.get(verdict, unclear).append(level)
            margins.append(f"{level}: {ae.mean - filt.mean:+.2f}")
        if not margins:
            continue
        text = f"{label}: AE minus filter " + ", ".join(margins) + " dB"
        summary = []
        if wins:
            summary.append("wins at " + ", ".join(wins))
        if losses:
            summary.append("loses at " + ", ".join(losses))
        if unclear:
            summary.append("within the seed spread at " + ", ".join(unclear))
        parts.append(text + " (" + "; ".join(summary) + ")")
    if not parts:
        return finding(
            "ae_beats_filter_sweep",
            claim,
            paper,
            "No sweep results (mnist.denoise.sweep.*).",
            NOT_RUN,
        )
    return finding("ae_beats_filter_sweep", claim, paper, "; ".join(parts) + ".", combine(outcomes))


def paper_findings(metrics: Mapping) -> list[dict]:
    """The paper's claims about denoising (see `aereport.sections`)."""
    return [
        _denoising_recovers(metrics),
        lower_than(
            metrics,
            "denoising_costs_fidelity",
            "Denoising has a price on clean targets: the denoising autoencoder's loss is "
            "higher than the baseline's.",
            f"Denoising {fmt_paper('mnist.denoise.val_bce')} vs baseline "
            f"{fmt_paper('mnist.baseline.val_bce')} (Table 3.2.1.1 note; section 4.1, item 3).",
            "mnist.baseline.val_bce",
            "mnist.denoise.val_bce",
            "Baseline",
            "denoising",
        ),
    ]


def extra_findings(metrics: Mapping) -> list[dict]:
    """Beyond the paper: against a classical filter, at the trained level and across levels."""
    return [_ae_beats_filter(metrics), _ae_beats_filter_sweep(metrics)]


SECTION = Section(
    name="denoising",
    notebook=NOTEBOOK,
    metric_prefixes=("mnist.denoise.",),
    mnist_rows=mnist_rows,
    results=(Block("denoising", "Denoising per noise type", _per_noise_html),),
    analyses=(
        Analysis(
            "denoise-quality",
            "Denoising quality: PSNR and SSIM against a classical filter",
            _denoise_quality_html,
            finding_ids=("ae_beats_filter", "ae_beats_filter_sweep"),
            figures=(
                FigureSpec(
                    "denoise_sweep_psnr.png",
                    "Denoising across noise strengths: PSNR",
                    "PSNR (dB, higher is better) of the noisy input, the classical filter and "
                    "the autoencoder at each noise level; the dotted line marks the trained "
                    "level.",
                ),
                FigureSpec(
                    "denoise_sweep_ssim.png",
                    "Denoising across noise strengths: SSIM",
                    "SSIM (1 = identical to the clean digit) at the same levels.",
                ),
            ),
            headline=(
                ("mnist.denoise.gaussian.psnr", "Denoised PSNR, Gaussian noise", "db"),
                ("mnist.denoise.salt_pepper.psnr", "Denoised PSNR, salt-and-pepper", "db"),
            ),
        ),
    ),
    figures=(PaperFigure("3.4.3", "fig_3_4_3.png"), PaperFigure("3.4.4", "fig_3_4_4.png")),
    further_figures=(
        FurtherFigure("loss_curves.png", "Loss curves: denoising autoencoder", "training"),
    ),
    paper_findings=paper_findings,
    extra_findings=extra_findings,
    headline=(("mnist.denoise.val_bce", "Denoising (mixed noise), val BCE", "bce"),),
)
