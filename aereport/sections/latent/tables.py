"""The tables, their HTML and the chart of the `latent` section (see the package)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from aelib.evaluation.metrics import compression_ratio
from aelib.outputs import metric_ids
from aelib.paper import PAPER_LATENT_SWEEP, PAPER_VALUES
from aereport import seeds
from aereport.format import (
    NOT_RUN_IN_PAPER_PROFILE,
    VS_PAPER_HEADERS,
    diff,
    esc,
    fail_link,
    num,
    stat_cell,
    table,
    value_cell,
    verdict_badge,
    vs_paper_cells,
)
from aereport.merge import instances, stat, summarize
from aereport.section import (
    Context,
)
from aereport.verdicts import (
    BCE_TOLERANCE,
    paper_row,
)

NOTEBOOK = "02_latent_sweep"

LATENT_SIZES = (2, 8, 16, 32)


# ---------------------------------------------------------------------------- tables


def mnist_rows(metrics: Mapping, *, statuses: Mapping[str, str] | None = None) -> list[dict]:
    """The rows d = 16 and d = 2 of Table 3.2.1.1 (see `aereport.layout`)."""
    floor = "mnist.test.entropy_floor"
    return [
        paper_row(
            metrics,
            "mnist.latent_16.val_bce",
            "Latent Dim = 16 (Dense Bottleneck)",
            "bce",
            notebook=NOTEBOOK,
            paper=PAPER_VALUES["mnist.latent_16.val_bce"],
            floor_id=floor,
            statuses=statuses,
            paper_note="Latent compression trade-off.",
        ),
        paper_row(
            metrics,
            "mnist.latent_2.val_bce",
            "Latent Dim = 2 (Dense Bottleneck)",
            "bce",
            notebook=NOTEBOOK,
            paper=PAPER_VALUES["mnist.latent_2.val_bce"],
            floor_id=floor,
            statuses=statuses,
            note="Given in the paper only as a note to the row above.",
            paper_note="2 dims -> loss 0.1669.",
        ),
    ]


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
        row = paper_row(
            metrics,
            f"mnist.latent_{d}.val_bce",
            f"Latent Dim = {d}",
            "bce",
            paper=PAPER_LATENT_SWEEP.get(d),
            floor_id="mnist.test.entropy_floor",
            notebook=NOTEBOOK,
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
    for found in instances(metric_ids.VARIANT_VAL_BCE, sorted(metrics)):
        name = found["variant"]
        if name not in known:
            known.add(name)
            specs.append(
                (
                    name,
                    name,
                    "",
                    metric_ids.VARIANT_VAL_BCE.id(variant=name),
                    metric_ids.VARIANT_PARAMS.id(variant=name),
                )
            )
    rows = []
    for design, label, description, bce_id, params_id in specs:
        fallback = (f"mnist.latent_2.variant.{design}.val_bce",) if design == "dense128" else ()
        row = paper_row(
            metrics,
            bce_id,
            label,
            "bce",
            paper=paper,
            notebook=NOTEBOOK,
            statuses=statuses,
            fallback_ids=fallback,
        )
        if design == "dense128" and metrics.get(params_id) is None:
            params_id = f"mnist.latent_2.variant.{design}.params"
        row["design"] = design
        row["description"] = description
        row["params"] = summarize(metrics.get(params_id))[0]
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------ html


def _latent_table_html(
    rows: list[dict], statuses: Mapping[str, str], *, pca_columns: bool = True
) -> str:
    """`pca_columns=False`: without the PCA comparison's columns (the paper profile)."""
    pca_headers = [("PCA BCE (same d)", ""), ("AE MSE", ""), ("PCA MSE", "")]
    headers = [
        ("Latent dim d", ""),
        ("Compression 784/d", ""),
        ("Validation BCE (reproduced)", ""),
        *VS_PAPER_HEADERS,
        *(pca_headers if pca_columns else []),
    ]
    body = [
        [
            (str(r["latent_dim"]), "num"),
            (num(r["compression_ratio"], "ratio"), "num"),
            (value_cell(r), "num"),
            *vs_paper_cells(r, statuses, no_paper="not reported"),
            *(
                [
                    (stat_cell(r["pca_bce"], "bce"), "num"),
                    (stat_cell(r["ae_mse"], "bce"), "num"),
                    (stat_cell(r["pca_mse"], "bce"), "num"),
                ]
                if pca_columns
                else []
            ),
        ]
        for r in rows
    ]
    return table(headers, body, table_id="tbl-latent")


def _sweep_html(ctx: Context) -> str:
    return (
        _latent_table_html(
            latent_sweep_table(ctx.metrics, statuses=ctx.statuses),
            ctx.statuses,
            pca_columns=not ctx.paper_only,
        )
        + '<p class="small">The paper reports d = 2 and d = 16 only.'
        + (
            " The PCA comparison (its columns in the full report) was "
            f"{esc(NOT_RUN_IN_PAPER_PROFILE)}."
            if ctx.paper_only
            else ""
        )
        + "</p>"
    )


def _pca_html(ctx: Context) -> str:
    return (
        "<p>The columns &ldquo;PCA BCE (same d)&rdquo;, &ldquo;AE MSE&rdquo; and "
        "&ldquo;PCA MSE&rdquo; of the "
        '<a href="#latent-sweep">latent-size sweep</a> compare each '
        "autoencoder with a d-component PCA reconstruction of the same test "
        "images (PCA fitted on the training images).</p>"
    )


def _latent2_html(ctx: Context) -> str:
    metrics, statuses = ctx.metrics, ctx.statuses
    rows = latent2_designs_table(metrics, statuses=statuses)
    headers = [
        ("Design", ""),
        ("Layers around the 2-unit code", ""),
        ("Parameters", ""),
        ("Validation BCE (reproduced)", ""),
        ("Paper d = 2 (reference)", "paper"),
        ("Difference (reproduced &minus; paper)", ""),
        ("Verdict", ""),
    ]
    body = [
        [
            (esc(r["experiment"]), "txt"),
            (esc(r["description"]) or "&ndash;", "txt"),
            (f"{r['params']:,.0f}" if r["params"] is not None else "&ndash;", "num"),
            (
                value_cell(r) + (fail_link(r["notebook"], statuses) if r["value"] is None else ""),
                "num",
            ),
            (num(r["paper"], "bce"), "num paper"),
            (diff(r["difference"], "bce"), "num"),
            (verdict_badge(r["verdict"]) if r["value"] is not None else "", "txt"),
        ]
        for r in rows
    ]
    out = [table(headers, body, table_id="tbl-latent2")]
    drop = stat(metrics, "mnist.latent_2.last_epoch_drop")
    if drop["value"] is not None:
        state = "still improving" if drop["value"] > 0 else "no longer improving"
        out.append(
            f"<p>Drop of the sweep&rsquo;s d = 2 validation BCE over its last epoch: "
            f"{num(drop['value'], 'bce', drop['std'], drop['n_seeds'])} "
            f"(&gt; 0: still improving; here {state}).</p>"
        )
    out.append(
        '<p class="small">The plain and deep-bn designs run for the first seed only; '
        "the sweep&rsquo;s row shows every seed. Verdict tolerance as in Table "
        f"3.2.1.1 (BCE within {BCE_TOLERANCE}).</p>"
    )
    return "".join(out)


def latent_sweep_png(
    metrics: Mapping, latent_sizes: Sequence[int] = LATENT_SIZES, input_dim: int = 784
) -> bytes | None:
    """Validation BCE against latent size, across seeds, as PNG bytes.

    The notebooks' chart (`aelib.figures.plot_latent_sweep`) drawn from the means of the
    autoencoder and of PCA, with the paper's points and the entropy floor of the MNIST
    test images; each mean gets a bar of one standard deviation each side when there
    are several seeds, and a small dot per seed. Returns None when no autoencoder value
    exists.
    """
    from aelib import figures

    series = {"ae": "mnist.latent_{d}.val_bce", "pca": "mnist.pca_{d}.val_bce"}
    values = {
        name: [seeds.metric_values(metrics, pattern.format(d=d)) for d in latent_sizes]
        for name, pattern in series.items()
    }
    if not any(values["ae"]):
        return None
    stats = {name: [summarize(v) for v in vals] for name, vals in values.items()}
    n_seeds = max(n for name in stats for _, _, n in stats[name])
    floor = seeds.metric_values(metrics, "mnist.test.entropy_floor")
    fig = figures.plot_latent_sweep(
        list(latent_sizes),
        [mean for mean, _, _ in stats["ae"]],
        reference=PAPER_LATENT_SWEEP,
        baseline={"entropy floor": math.fsum(floor) / len(floor)} if floor else None,
        extra_series={"PCA (same d)": [mean for mean, _, _ in stats["pca"]]},
        title="Validation BCE against latent size"
        + (f" (mean ± std, {n_seeds} seeds)" if n_seeds > 1 else ""),
        input_dim=input_dim,
        label="autoencoder",
    )
    # The same colours as plot_latent_sweep's lines: C0 the autoencoder, C2 the first
    # extra series.
    for name, color in (("ae", "C0"), ("pca", "C2")):
        seeds.draw_spread(fig.axes[0], latent_sizes, values[name], color)
    return seeds.png_bytes(fig)
