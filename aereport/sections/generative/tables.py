"""The tables and their HTML of the `generative` section (see the package)."""

from __future__ import annotations

from collections.abc import Mapping

from aelib.outputs import labels, metric_ids
from aereport.format import esc, fixed, missing_box, more_figures, num, table, verdict_badge
from aereport.merge import instances, stat
from aereport.section import Context

NOTEBOOK = "07_generative_models"
# (metric prefix, label) of the datasets.
DATASETS = (("mnist", "MNIST"), ("fashion", "Fashion-MNIST"))
# The generators and the few-label methods, in the order of the tables.
SOURCES = labels.GENERATORS
METHODS = labels.FEW_LABEL_METHODS
# Published FIDs, as reference only: they are computed on Inception-v3 features of
# upsampled images, this report's distances on the judge CNN's features, so the two are
# not comparable (their scales differ); only the orderings may be set side by side.
# (source, dataset prefix, generator label, FID)
PUBLISHED_FID = (
    ("Ghosh et al. 2020 (RAE), Table 1", "mnist", "AE + its Gaussian", 58.73),
    ("Ghosh et al. 2020 (RAE), Table 1", "mnist", "AE + 10-component GMM", 10.66),
    ("Ghosh et al. 2020 (RAE), Table 1", "mnist", "VAE, prior", 19.21),
    ("Ghosh et al. 2020 (RAE), Table 1", "mnist", "VAE + 10-component GMM", 17.66),
    ("Lucic et al. 2018, Table 2", "fashion", "VAE", 58.7),
    ("Lucic et al. 2018, Table 2", "fashion", "WGAN", 21.5),
)

_NOT_PAPER = (
    "Not tested in the paper: it proposes VAEs, GANs and generated images for data "
    "augmentation only as future work (section 5.2)."
)
# The columns of the generator table: (score, header, decimals).
SCORE_COLUMNS = (
    ("frechet", "Fréchet distance &darr;", 2),
    ("kid", "KID &darr;", 3),
    ("precision", "Precision &uarr;", 3),
    ("recall", "Recall &uarr;", 3),
    ("density", "Density &uarr;", 3),
    ("coverage", "Coverage &uarr;", 3),
    ("class_entropy", "Class entropy (nats)", 3),
)


def written(metrics: Mapping, template, **fields) -> bool:
    """Whether some run wrote `template`'s id for `fields` (found without reading it, so
    the report reads only ids a notebook wrote: tests/aereport/test_metric_ids.py)."""
    return any(found == fields for found in instances(template, metrics))


def datasets(metrics: Mapping) -> list[tuple[str, str]]:
    """The (prefix, label) of the datasets whose generators some run judged."""
    found = {f["dataset"] for f in instances(metric_ids.GEN_FRECHET, metrics)}
    return [(p, label) for p, label in DATASETS if p in found]


def ladder_levels(metrics: Mapping, prefix: str) -> list[int]:
    """The noise levels (std in thousandths) of the bad-generator ladder."""
    return sorted(
        {
            f["level"]
            for f in instances(metric_ids.LADDER_FRECHET, metrics)
            if f["dataset"] == prefix
        }
    )


def _scores(metrics: Mapping, template_of, **fields) -> dict:
    return {
        score: stat(metrics, template_of[score].id(**fields)) for score, *_ in SCORE_COLUMNS
    } | {"kid_std": stat(metrics, template_of["kid_std"].id(**fields))}


def generator_table(metrics: Mapping) -> list[dict]:
    """One row per (dataset, set of images): the real floor, the noise ladder, then each
    generator; `stat` dicts of every score of `SCORE_COLUMNS` and `kid_std` (the KID's
    spread over its subsets, within a run). `kind` is "real", "ladder" or "generator"."""
    rows = []
    for prefix, label in datasets(metrics):
        gen = metric_ids.GEN_SCORES
        rows.append(
            {"dataset": prefix, "label": label, "kind": "real", "name": "real training images"}
            | _scores(metrics, gen, dataset=prefix, source="real")
        )
        for level in ladder_levels(metrics, prefix):
            rows.append(
                {
                    "dataset": prefix,
                    "label": label,
                    "kind": "ladder",
                    "name": f"real + noise, std {level / 1000:g}",
                }
                | _scores(metrics, metric_ids.LADDER_SCORES, dataset=prefix, level=level)
            )
        for source, name in SOURCES.items():
            if written(metrics, metric_ids.GEN_FRECHET, dataset=prefix, source=source):
                rows.append(
                    {"dataset": prefix, "label": label, "kind": "generator", "name": name}
                    | {"source": source}
                    | _scores(metrics, gen, dataset=prefix, source=source)
                )
    return rows


def long_table(metrics: Mapping) -> list[dict]:
    """One row per (dataset, generator) the longer training judged again: the short run's
    Fréchet distance, precision and recall (`stat` over every seed) and the long run's
    (the first seed; `factor` times the epochs in all)."""
    rows = []
    for prefix, label in datasets(metrics):
        if not written(metrics, metric_ids.LONG_FACTOR, dataset=prefix):
            continue
        factor = stat(metrics, metric_ids.LONG_FACTOR.id(dataset=prefix))["value"]
        for source, name in SOURCES.items():
            if not written(metrics, metric_ids.LONG_FRECHET, dataset=prefix, source=source):
                continue
            row = {"dataset": prefix, "label": label, "source": source, "name": name}
            row["factor"] = factor
            for score in ("frechet", "precision", "recall"):
                row[score] = stat(
                    metrics, metric_ids.GEN_SCORES[score].id(dataset=prefix, source=source)
                )
                row[f"long_{score}"] = stat(
                    metrics, metric_ids.LONG_SCORES[score].id(dataset=prefix, source=source)
                )
            rows.append(row)
    return rows


def label_counts(metrics: Mapping, prefix: str) -> list[int]:
    return sorted(
        {f["n"] for f in instances(metric_ids.FEW_TEST_ACC, metrics) if f["dataset"] == prefix}
    )


def few_table(metrics: Mapping) -> list[dict]:
    """One row per (dataset, label count): each method's test accuracy (`stat` dicts under
    the method's name) and `judge_acc`, how often the judge recognised the class of the
    conditional VAE's images."""
    rows = []
    for prefix, label in DATASETS:
        for n in label_counts(metrics, prefix):
            row = {"dataset": prefix, "label": label, "n": n}
            for method in METHODS:
                row[method] = (
                    stat(metrics, metric_ids.FEW_TEST_ACC.id(dataset=prefix, method=method, n=n))
                    if written(metrics, metric_ids.FEW_TEST_ACC, dataset=prefix, method=method, n=n)
                    else {"value": None, "std": None, "n_seeds": 0}
                )
            row["judge_acc"] = (
                stat(metrics, metric_ids.FEW_JUDGE_ACC.id(dataset=prefix, n=n))
                if written(metrics, metric_ids.FEW_JUDGE_ACC, dataset=prefix, n=n)
                else {"value": None, "std": None, "n_seeds": 0}
            )
            rows.append(row)
    return rows


# ------------------------------------------------------------------------------ html


def _missing_html(ctx: Context, what: str, present: bool) -> str | None:
    return None if present else missing_box(what, NOTEBOOK, ctx.statuses)


def _more_figures(what: str) -> str:
    return more_figures(what, NOTEBOOK)


def _setting(metrics: Mapping, template, **fields) -> str:
    if not written(metrics, template, **fields):
        return "?"
    value = stat(metrics, template.id(**fields))
    if value["value"] is None:
        return "?"
    return f"{value['value']:g}"


def _count(metrics: Mapping, template, **fields) -> str:
    text = _setting(metrics, template, **fields)
    return text if text == "?" else f"{float(text):,.0f}"


def _published_html() -> str:
    headers = [
        ("Source", ""),
        ("Dataset", ""),
        ("Generator", ""),
        ("Published FID (reference)", "paper"),
    ]
    labels = dict(DATASETS)
    body = [
        [
            (esc(source), "txt"),
            (labels[prefix], "txt"),
            (esc(name), "txt"),
            (f"{value:g}", "num paper"),
        ]
        for source, prefix, name, value in PUBLISHED_FID
    ]
    return (
        "<p><strong>Published numbers, for reference only.</strong> These FIDs are computed "
        "on Inception-v3 features of upsampled images; the distances above use this "
        "report&rsquo;s judge CNN&rsquo;s features (the Inception weights cannot be "
        "downloaded on the machines this report runs on). <strong>The two scales are not "
        "comparable</strong>: only the ordering of the generators can be set side by side "
        "(the autoencoder with its fitted Gaussian worst and with a mixture best, in Ghosh "
        "et al.&rsquo;s MNIST row).</p>" + table(headers, body, table_id="tbl-gen-published")
    )


def _compact(st: Mapping, digits: int) -> str:
    """`fixed` without the seed count (the table is wide; its note gives the count)."""
    if st["value"] is None:
        return "&ndash;"
    spread = st["std"] is not None and st["n_seeds"] > 1
    return f"{st['value']:.{digits}f}" + (f" ± {st['std']:.{digits}f}" if spread else "")


def _seeds_note(rows: list[dict]) -> str:
    counts = sorted({r["frechet"]["n_seeds"] for r in rows if r["frechet"]["value"] is not None})
    if counts == [1] or not counts:
        return "One seed. "
    return f"Mean ± standard deviation over {', '.join(map(str, counts))} seeds. "


def _generators_html(ctx: Context) -> str:
    m = ctx.metrics
    rows = generator_table(m)
    missing = _missing_html(ctx, "generator results", bool(rows))
    if missing:
        return missing
    headers = [("Dataset", ""), ("Images", "")] + [(h, "") for _, h, _ in SCORE_COLUMNS]
    headers.append(("KID spread over subsets", ""))
    body, classes = [], []
    for r in rows:
        body.append(
            [(esc(r["label"]), "txt"), (esc(r["name"]), "txt")]
            + [(_compact(r[score], digits), "num") for score, _, digits in SCORE_COLUMNS]
            + [(_compact(r["kid_std"], 3), "num")]
        )
        classes.append("" if r["kind"] == "generator" else "reference")
    prefix = rows[0]["dataset"]
    setup = (
        f"{_count(m, metric_ids.GEN_NUM, dataset=prefix)} images per set, "
        f"{_setting(m, metric_ids.GEN_EPOCHS, dataset=prefix)} epochs for the VAE and the "
        f"autoencoder and {_setting(m, metric_ids.GEN_GAN_EPOCHS, dataset=prefix)} for the GAN"
    )
    judges = ", ".join(
        f"{label} {fixed(stat(m, metric_ids.GEN_JUDGE_ACC.id(dataset=p)), 4)}"
        for p, label in datasets(m)
    )
    return (
        "<p>Five ways to generate, per dataset, each judged against the real test images in "
        "the features of a judge CNN trained on the real labelled images (notebook 06&rsquo;s "
        f"judge; its test accuracy: {judges}): a DCGAN; the VAE of notebook 06 at d = 16 "
        "sampling its prior or an ex-post 10-component Gaussian mixture fitted to its "
        "posterior means; the plain autoencoder with the same trunk decoding codes from a "
        "Gaussian fitted to its training codes (notebook 06) or from the same kind of "
        f"mixture (Ghosh et al. 2020). {setup}: all at equal, short training (the "
        "notebook&rsquo;s 15-minute budget per seed), none converged.</p>"
        + table(headers, body, row_classes=classes, table_id="tbl-gen-compare")
        + f'<p class="small">{_seeds_note(rows)}Grey rows calibrate the others: '
        "<em>real training images</em> "
        "is the floor, what a perfect generator scores at this sample size; <em>real + "
        "noise</em> is a deliberately bad generator (training images with Gaussian pixel "
        "noise). Fréchet distance and KID (unbiased squared MMD with the cubic kernel, "
        "averaged over random subsets; its last column is its spread over them within a run, "
        "the &plusmn; of the others is over seeds) are distances to the test images: lower "
        "is better. Precision and recall (Kynkäänniemi et al. 2019, k = 3 nearest "
        "neighbours) say which share of the samples falls on the real images&rsquo; "
        "manifold and which share of the real images falls on the samples&rsquo;: sharp but "
        "few modes have high precision and low recall, blurry but complete the reverse. "
        "Density and coverage (Naeem et al. 2020) are their outlier-robust variants. The "
        "class entropy of the judge&rsquo;s histogram is log 10 = 2.303 for evenly "
        "spread classes.</p>"
        + _published_html()
        + _more_figures(
            "The GAN&rsquo;s losses at every step, its fixed codes during training and the "
            "first seed&rsquo;s precision-recall plot"
        )
    )


def _long_html(ctx: Context, verdict_rows: list[dict]) -> str:
    rows = long_table(ctx.metrics)
    missing = _missing_html(ctx, "longer-training results", bool(rows))
    if missing:
        return missing
    factor = rows[0]["factor"]
    headers = [
        ("Dataset", ""),
        ("Generator", ""),
        ("Fréchet, short (all seeds)", ""),
        (f"Fréchet, {factor:g}&times; (first seed)", ""),
        ("Precision, short", ""),
        (f"Precision, {factor:g}&times;", ""),
        ("Recall, short", ""),
        (f"Recall, {factor:g}&times;", ""),
    ]
    body = [
        [
            (esc(r["label"]), "txt"),
            (esc(r["name"]), "txt"),
            (fixed(r["frechet"], 2), "num"),
            (fixed(r["long_frechet"], 2), "num"),
            (fixed(r["precision"], 3), "num"),
            (fixed(r["long_precision"], 3), "num"),
            (fixed(r["recall"], 3), "num"),
            (fixed(r["long_recall"], 3), "num"),
        ]
        for r in rows
    ]
    verdict_body = [
        [
            (esc(v["claim"]), "txt"),
            (verdict_badge(v["short"]), "txt"),
            (verdict_badge(v["long"]), "txt"),
            (esc(v["outcome"]), "txt"),
        ]
        for v in verdict_rows
    ]
    return (
        f"<p>For the first seed only, every generator is trained on to {factor:g} times its "
        "epochs in all (continued from the short run) and all five samplers are judged "
        "again by the same judge. Each generative finding is then recomputed on the longer "
        "runs&rsquo; numbers, with the short runs&rsquo; spread over seeds as the yardstick "
        "of a difference (one long run has no spread of its own).</p>"
        + table(headers, body, table_id="tbl-gen-long")
        + table(
            [
                ("Finding", ""),
                ("Verdict, short training", ""),
                (f"Verdict, {factor:g}&times; the epochs", ""),
                ("With longer training", ""),
            ],
            verdict_body,
            table_id="tbl-gen-long-verdicts",
        )
        + _more_figures("The GAN&rsquo;s fixed codes after the longer training")
    )


def _few_html(ctx: Context) -> str:
    rows = few_table(ctx.metrics)
    missing = _missing_html(ctx, "few-label results", bool(rows))
    if missing:
        return missing
    headers = [("Dataset", ""), ("Labelled images", "")]
    headers += [(esc(label), "") for label in METHODS.values()]
    headers.append(("Judge recognises the synthetic images", ""))
    body = [
        [(esc(r["label"]), "txt"), (f"{r['n']:,}", "num")]
        + [(num(r[m]["value"], "acc", r[m]["std"], r[m]["n_seeds"]), "num") for m in METHODS]
        + [
            (
                num(
                    r["judge_acc"]["value"], "acc", r["judge_acc"]["std"], r["judge_acc"]["n_seeds"]
                ),
                "num",
            )
        ]
        for r in rows
    ]
    return (
        "<p>Notebook 05&rsquo;s scratch CNN trained on n class-balanced labelled training "
        "images (the rest of the training set unlabelled), alone; with classical augmentation "
        "(random shifts of up to 10 %, rotations of up to 10&deg;, and horizontal flips for "
        "clothing only: the study&rsquo;s section 4.2 credits rotation and flipping against "
        "over-fitting); with 500 images per class from a conditional VAE trained on the same "
        "n labelled images only (no label leaks from the unlabelled rest); and, for "
        "reference, a frozen encoder of the autoencoder above (trained on all training "
        "images without labels) with a new Dense(10) head. Every classifier trains for about "
        "the same number of steps and is scored once on the whole test set.</p>"
        + table(headers, body, table_id="tbl-few-labels")
        + '<p class="small">The last column is the judge&rsquo;s accuracy on the conditional '
        "VAE&rsquo;s images: how often it names the class an image was drawn for (the judge "
        "saw all labels, so it is no method of its own). Training is short (a few hundred "
        "steps), as everywhere in this notebook: the comparison is at equal steps.</p>"
        + _more_figures("The conditional VAE&rsquo;s images, a row per class")
    )
