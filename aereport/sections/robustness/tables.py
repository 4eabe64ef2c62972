"""The tables, their HTML and the chart of the `robustness` section (see the package)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from aelib.outputs import metric_ids
from aereport import seeds
from aereport.format import esc, missing_box, more_figures, num, table
from aereport.merge import difference, instances, stat
from aereport.section import Context

NOTEBOOK = "08_robustness_and_search"
SETUPS = (
    ("none", "no denoiser"),
    ("standard", "standard denoiser"),
    ("adversarial", "adversarial denoiser"),
)
# (metric prefix, label) of the searched datasets.
SEARCH_DATASETS = (("mnist", "MNIST"), ("fashion", "Fashion-MNIST"))

_NOT_PAPER = (
    "Not tested in the paper: it proposes adversarial training and a systematic search of "
    "the latent size only as future work (section 5.2)."
)
_KIND_LABELS = {
    "gaussian": "Gaussian noise, factor {level}",
    "salt_pepper": "salt-and-pepper, amount {level}",
    "sign": "random sign noise, ε = {level}",
    "pgd": "PGD (worst case), ε = {level}",
}
_ATTACK_LABELS = {
    "fgsm": "FGSM",
    "pgd": "PGD",
    "pgd_ours": "PGD (this library's)",
    "fgsm_blind": "FGSM, blind",
    "pgd_blind": "PGD, blind",
}


def corruptions(metrics: Mapping) -> list[tuple[str, int]]:
    """(noise, level) of every corruption the denoisers were scored on, in reading order:
    the random noises of notebook 03, random sign noise, PGD; by level within each."""
    found = {
        (f["noise"], f["level"])
        for f in instances(metric_ids.ROBUST_BCE, metrics)
        if f["variant"] == "standard"
    }
    order = {k: i for i, k in enumerate(_KIND_LABELS)}
    return sorted(found, key=lambda nl: (order.get(nl[0], len(order)), nl[1]))


def radii(metrics: Mapping) -> list[int]:
    """The attack radii (thousandths) the classifier was attacked at."""
    return sorted(
        {f["level"] for f in instances(metric_ids.DEFENCE_ACC, metrics) if f["setup"] == "none"}
    )


def written(metrics: Mapping, template, **fields) -> bool:
    """Whether some run wrote `template`'s id for `fields` (found without reading it, so
    the report reads only ids a notebook wrote: tests/aereport/test_metric_ids.py)."""
    return any(found == fields for found in instances(template, metrics))


def kind_label(noise: str, level: int) -> str:
    return _KIND_LABELS.get(noise, noise + " {level}").format(level=f"{level / 1000:g}")


def denoiser_table(metrics: Mapping) -> list[dict]:
    """One row per corruption (clean first): `stat` dicts of the input's and each model's
    BCE and PSNR, and `gain`, adversarial minus standard BCE (negative: more robust)."""
    rows = []
    for noise, level in [("clean", None), *corruptions(metrics)]:
        row = {"noise": noise, "level": level}
        for variant in ("input", "standard", "adversarial"):
            for score in ("bce", "psnr"):
                if noise == "clean" and variant == "input":  # the clean digit is the target
                    row[f"{variant}_{score}"] = {"value": None, "std": None, "n_seeds": 0}
                    continue
                if noise == "clean":
                    metric_id = f"mnist.robust.{variant}.clean.{score}"
                elif variant == "input" and noise == "pgd":  # each model's own attack
                    row[f"{variant}_{score}"] = {"value": None, "std": None, "n_seeds": 0}
                    continue
                else:
                    metric_id = metric_ids.SCHEMA[f"ROBUST_{score.upper()}"].id(
                        variant=variant, noise=noise, level=level
                    )
                row[f"{variant}_{score}"] = stat(metrics, metric_id)
        row["gain"] = difference(row["adversarial_bce"], row["standard_bce"])
        rows.append(row)
    return rows


def defence_table(metrics: Mapping) -> list[dict]:
    """One row per (set-up, attack): accuracy `stat` dicts by radius (`by_level`), and the
    clean accuracy of each set-up as its own row (attack "clean")."""
    levels = radii(metrics)
    rows = []
    for setup, label in SETUPS:
        rows.append(
            {
                "setup": setup,
                "label": label,
                "attack": "clean",
                "clean": stat(metrics, metric_ids.DEFENCE_CLEAN_ACC.id(setup=setup)),
            }
        )
        attacks = (
            ("fgsm", "pgd", "pgd_ours")
            if setup == "none"
            else ("fgsm", "pgd", "fgsm_blind", "pgd_blind")
        )
        for attack in attacks:
            rows.append(
                {
                    "setup": setup,
                    "label": label,
                    "attack": attack,
                    "by_level": {
                        lv: stat(
                            metrics, metric_ids.DEFENCE_ACC.id(setup=setup, attack=attack, level=lv)
                        )
                        for lv in levels
                    },
                }
            )
    return rows


def front_sizes(metrics: Mapping, prefix: str) -> list[int]:
    """Code sizes on the Pareto front of any seed's search of `prefix`'s dataset."""
    return sorted(
        {f["d"] for f in instances(metric_ids.SEARCH_FRONT_BCE, metrics) if f["dataset"] == prefix}
    )


def fixed_sizes(metrics: Mapping, prefix: str) -> list[int]:
    return sorted(
        {f["d"] for f in instances(metric_ids.SEARCH_FIXED_BCE, metrics) if f["dataset"] == prefix}
    )


def _knee(metrics: Mapping, template, prefix: str) -> dict:
    """A knee's `stat` (value None when no seed found one)."""
    if not written(metrics, template, dataset=prefix):
        return {"value": None, "std": None, "n_seeds": 0}
    return stat(metrics, template.id(dataset=prefix))


def search_table(metrics: Mapping) -> list[dict]:
    """One row per dataset: the front (d -> BCE, probe `stat`s; n counts the seeds that
    have d on their front), the fixed sweep the same way, the knees and the set-up."""
    rows = []
    for prefix, label in SEARCH_DATASETS:
        base = f"{prefix}.search"
        rows.append(
            {
                "dataset": prefix,
                "label": label,
                "front": {
                    d: (
                        stat(metrics, f"{base}.front_{d}.val_bce"),
                        stat(metrics, f"{base}.front_{d}.probe_acc"),
                    )
                    for d in front_sizes(metrics, prefix)
                },
                "fixed": {
                    d: (
                        stat(metrics, f"{base}.fixed_{d}.val_bce"),
                        stat(metrics, f"{base}.fixed_{d}.probe_acc"),
                    )
                    for d in fixed_sizes(metrics, prefix)
                },
                "knee": _knee(metrics, metric_ids.SEARCH_KNEE, prefix),
                "probe_knee": _knee(metrics, metric_ids.SEARCH_PROBE_KNEE, prefix),
                "floor": stat(metrics, f"{base}.entropy_floor"),
                "trials": stat(metrics, f"{base}.trials"),
                "train_size": stat(metrics, f"{base}.train_size"),
                "epochs": stat(metrics, f"{base}.epochs"),
            }
        )
    return rows


# ------------------------------------------------------------------------------ html


def _missing_html(ctx: Context, what: str, present: bool) -> str | None:
    return None if present else missing_box(what, NOTEBOOK, ctx.statuses)


def _more_figures(what: str) -> str:
    return more_figures(what, NOTEBOOK)


def _cell(st: Mapping, kind: str) -> str:
    return num(st["value"], kind, st["std"], st["n_seeds"])


def _setting(metrics: Mapping, metric_id: str) -> str:
    value = stat(metrics, metric_id)["value"]
    return "?" if value is None else f"{value:g}"


def _denoisers_html(ctx: Context) -> str:
    missing = _missing_html(ctx, "robustness results", bool(corruptions(ctx.metrics)))
    if missing:
        return missing
    m = ctx.metrics
    headers = [
        ("Corruption", ""),
        ("Input BCE (doing nothing)", ""),
        ("Standard denoiser BCE", ""),
        ("Adversarial denoiser BCE", ""),
        ("Adversarial &minus; standard", ""),
        ("Standard PSNR", ""),
        ("Adversarial PSNR", ""),
    ]
    body = []
    for r in denoiser_table(m):
        gain = r["gain"]
        gain_text = (
            "&ndash;"
            if gain["value"] is None
            else f"{gain['value']:+.4f}" + (f" ± {gain['std']:.4f}" if gain["std"] else "")
        )
        body.append(
            [
                (
                    "clean test digits"
                    if r["noise"] == "clean"
                    else kind_label(r["noise"], r["level"]),
                    "txt",
                ),
                (_cell(r["input_bce"], "bce"), "num"),
                (_cell(r["standard_bce"], "bce"), "num"),
                (_cell(r["adversarial_bce"], "bce"), "num"),
                (gain_text, "num"),
                (_cell(r["standard_psnr"], "db"), "num"),
                (_cell(r["adversarial_psnr"], "db"), "num"),
            ]
        )
    return (
        "<p>Notebook 03&rsquo;s denoising autoencoder (its architecture, noise and optimiser), "
        f"trained for {_setting(m, 'mnist.robust.standard.epochs')} epochs, against the same "
        "model trained on the same noisy images with every batch first pushed by PGD towards "
        f"its worst case (&epsilon; = {_setting(m, 'mnist.robust.train_epsilon')}, "
        f"{_setting(m, 'mnist.robust.train_steps')} steps), for as many epochs. Both restore "
        f"{_setting(m, 'mnist.robust.attack_images')} test digits; PGD is each model&rsquo;s own "
        f"worst case ({_setting(m, 'mnist.robust.attack_steps')} steps of 2.5&thinsp;&epsilon; / "
        "steps, random start), random sign noise moves every pixel by &plusmn;&epsilon;.</p>"
        + table(headers, body, table_id="tbl-robust-denoisers")
        + '<p class="small">BCE per pixel against the clean digit (entropy floor of these '
        f"digits {_cell(stat(m, 'mnist.robust.entropy_floor'), 'bce')}: no model goes below "
        "it); PSNR in "
        "dB, higher is better. The epochs are the notebook&rsquo;s budget (notebook 03 trains "
        "10): both models are at equal epochs and neither is converged.</p>"
        + _more_figures("The PGD inputs and outputs and the training curves")
    )


def _defence_html(ctx: Context) -> str:
    levels = radii(ctx.metrics)
    missing = _missing_html(ctx, "classifier attacks", bool(levels))
    if missing:
        return missing
    headers = [("Set-up", ""), ("Attack", "")] + [
        (f"&epsilon; = {lv / 1000:g}", "") for lv in levels
    ]
    body = []
    for r in defence_table(ctx.metrics):
        if r["attack"] == "clean":
            cells = [(_cell(r["clean"], "acc") + " (clean)", "num")] + [("", "num")] * (
                len(levels) - 1
            )
        else:
            cells = [(_cell(r["by_level"][lv], "acc"), "num") for lv in levels]
        body.append(
            [
                (esc(r["label"]), "txt"),
                (_ATTACK_LABELS.get(r["attack"], "no attack"), "txt"),
                *cells,
            ]
        )
    m = ctx.metrics
    return (
        "<p>Notebook 05&rsquo;s scratch CNN trained on MNIST for "
        f"{_setting(m, 'mnist.defence.classifier_epochs')} epochs, attacked on "
        f"{_setting(m, 'mnist.defence.attack_images')} test digits by the Adversarial "
        "Robustness Toolbox&rsquo;s FGSM and PGD (ART 1.20 with Keras 3, through "
        "<code>TensorFlowV2Classifier</code>), without and with a denoiser in front. "
        "<em>Blind</em>: the images crafted against the bare classifier, then denoised; "
        "<em>adaptive</em> (the plain FGSM and PGD rows of a denoiser): the attack run on the "
        "composed model, which knows the defence. Defences judged only against the blind "
        "attack are known to mislead (Athalye et al. 2018), so the finding uses the adaptive "
        "one. The library&rsquo;s own PGD runs beside ART&rsquo;s as a check.</p>"
        + table(headers, body, table_id="tbl-robust-defence")
        + _more_figures("The accuracy against the radius, per attack and set-up")
    )


def _points(points: Mapping) -> str:
    parts = []
    for d, (bce, probe) in points.items():
        n = max(bce["n_seeds"], 1)
        parts.append(
            f"d&nbsp;=&nbsp;{d}: {bce['value']:.4f}"
            + (f"&nbsp;±&nbsp;{bce['std']:.4f}" if bce["std"] else "")
            + (f", probe {100 * probe['value']:.1f}%" if probe["value"] is not None else "")
            + (f' <span class="small">({n} seed{"s" if n > 1 else ""})</span>' if n > 1 else "")
        )
    return "; ".join(parts) or "&ndash;"


def _search_html(ctx: Context) -> str:
    rows = search_table(ctx.metrics)
    missing = _missing_html(ctx, "search results", any(r["front"] for r in rows))
    if missing:
        return missing
    headers = [
        ("Dataset", ""),
        ("Pareto front: validation BCE and probe accuracy per code size", ""),
        ("Notebook 02&rsquo;s architecture, same protocol", ""),
        ("Knee of the front (d)", ""),
        ("Knee of the probe accuracy (d)", ""),
        ("Entropy floor (held out)", ""),
    ]
    body = [
        [
            (esc(r["label"]), "txt"),
            (_points(r["front"]), "txt"),
            (_points(r["fixed"]), "txt"),
            (_cell(r["knee"], "ratio"), "num"),
            (_cell(r["probe_knee"], "ratio"), "num"),
            (_cell(r["floor"], "bce"), "num"),
        ]
        for r in rows
    ]
    base = rows[0]["dataset"] + ".search"
    setup = (
        f"{_setting(ctx.metrics, base + '.trials')} trials per dataset, each "
        f"{_setting(ctx.metrics, base + '.epochs')} epochs on "
        f"{_setting(ctx.metrics, base + '.train_size')} training images"
    )
    return (
        "<p>A multi-objective Optuna search (seeded TPE) minimising the validation BCE and the "
        "code size together, over the code size (2 to 64), the Dense layer before it (none, "
        "64, 128 or 256 units) and the convolution widths (16-8, 32-16, 64-32) of notebook "
        f"02&rsquo;s dense-bottleneck autoencoder: {setup}, scored on held-out training "
        "images (the test set is never used). The first trials are notebook 02&rsquo;s "
        "architecture at its code sizes, under the same protocol. Each trial also fits a "
        "logistic-regression probe on its frozen codes. The knee is Kneedle&rsquo;s "
        "(<code>kneed</code>) on the front in log<sub>2</sub> of the code size.</p>"
        + table(headers, body, table_id="tbl-latent-search")
        + '<p class="small">A front point lists the seeds whose front has that code size; '
        "the fronts of different seeds hold different sizes. With this budget (a few epochs "
        "per trial on a subset) the BCE levels are above notebook 02&rsquo;s 10-epoch test "
        "BCE; the comparison that counts is within the search, at equal training.</p>"
        + _more_figures("Every trial of each search, its front and the probe along it")
    )


# ----------------------------------------------------------------------------- chart


def search_png(metrics: Mapping) -> bytes | None:
    """The fronts of every seed's search (pooled per code size, mean and spread), the fixed
    architecture under the same protocol, notebook 02's 10-epoch test BCE and the entropy
    floor, one panel per dataset; None when no search ran."""
    from matplotlib.figure import Figure

    panels = [(p, label) for p, label in SEARCH_DATASETS if front_sizes(metrics, p)]
    if not panels:
        return None
    fig = Figure(figsize=(5.4 * len(panels), 4.3), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (prefix, label) in zip(axes, panels, strict=True):
        base = f"{prefix}.search"
        for sizes, name, fmt, color in (
            (front_sizes(metrics, prefix), "front", "o-", "C0"),
            (fixed_sizes(metrics, prefix), "fixed", "s--", "C1"),
        ):
            values = [seeds.metric_values(metrics, f"{base}.{name}_{d}.val_bce") for d in sizes]
            means = [math.fsum(v) / len(v) for v in values]
            ax.plot(
                sizes,
                means,
                fmt,
                color=color,
                label={
                    "front": "Pareto front (seeds pooled)",
                    "fixed": "notebook 02's architecture, same protocol",
                }[name],
            )
            seeds.draw_spread(ax, sizes, values, color)
        if prefix == "mnist":
            sweep = [
                (d, seeds.metric_values(metrics, f"mnist.latent_{d}.val_bce"))
                for d in (2, 8, 16, 32)
            ]
            sweep = [(d, v) for d, v in sweep if v]
            if sweep:
                ax.plot(
                    [d for d, _ in sweep],
                    [math.fsum(v) / len(v) for _, v in sweep],
                    "^:",
                    color="C2",
                    label="notebook 02 (10 epochs, full data, test BCE)",
                )
        floor = seeds.metric_values(metrics, f"{base}.entropy_floor")
        if floor:
            ax.axhline(
                math.fsum(floor) / len(floor), color="k", ls=":", lw=1, label="entropy floor"
            )
        knees = (
            seeds.metric_values(metrics, f"{base}.knee_d")
            if written(metrics, metric_ids.SEARCH_KNEE, dataset=prefix)
            else []
        )
        for k in sorted(set(knees)):
            ax.axvline(k, color="C3", ls="-.", lw=1, alpha=0.7)
        if knees:
            ax.plot([], [], "-.", color="C3", label="knee (each seed)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("code size d")
        ax.set_ylabel("validation BCE")
        ax.set_title(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return seeds.png_bytes(fig)
