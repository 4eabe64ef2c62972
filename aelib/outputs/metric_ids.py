"""The metric ids: every number a notebook writes to `metrics.json`, declared once.

An id is a dotted name such as `mnist.latent_16.val_bce`. Each `MetricId` here is a
template (`{dataset}.latent_{d}.val_bce`) with what the number means, its unit, the
notebook(s) that write it and whether every seed writes it or the first seed only (the
investigations `later_seed_parameters` leaves out). The notebooks write through
`aelib.outputs.results.write_metrics`, which refuses an id no template here declares; the
report sections read with `MetricId.id(...)` and find which variants a run wrote with
`aereport.merge.instances` (this template's `match` over the merged ids), so no section
parses an id itself. (Only what the notebooks execute lives here: `run_all --rekey` proves
a change of this module by the notebooks' smoke runs.) A test
(`tests/aereport/test_metric_ids.py`) fails when a committed run wrote an id the schema
lacks, or when a section reads one no notebook writes.

Template fields are whole dot-separated parts or pieces of one: `{d}` (an integer code
size), `{n}` (an integer label count), `{level}` (a noise level in thousandths, three
digits), `{units}` (an integer), and text fields (`{dataset}`, `{noise}`, `{kind}`,
`{variant}`, `{method}`, `{setup}`, `{attack}`) that hold no dot.

It is over the project's 500 lines on purpose: most of it is the one table of every id,
kept in one place so that no id is declared twice.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Integer fields and how they are written; every other field is text.
INT_FIELDS = {"d": "d", "n": "d", "units": "d", "level": "03d"}
EACH_SEED, FIRST_SEED = "each seed", "first seed"
_FORMATTER = string.Formatter()


class UnknownMetric(ValueError):
    """An id no template declares."""


@dataclass(frozen=True)
class MetricId:
    """One template of metric ids (see the module)."""

    template: str
    meaning: str
    unit: str
    notebooks: tuple[str, ...]
    seeds: str = EACH_SEED

    def fields(self) -> list[str]:
        return [f for part in self.template.split(".") for _, f, _, _ in _pieces(part) if f]

    def id(self, **values) -> str:
        """The id for these field values: `LATENT_VAL_BCE.id(dataset="mnist", d=16)`."""
        missing = sorted(set(self.fields()) - set(values))
        extra = sorted(set(values) - set(self.fields()))
        if missing or extra:
            raise ValueError(f"{self.template}: missing fields {missing}, unknown {extra}")
        out = {}
        for name, value in values.items():
            if name in INT_FIELDS:
                out[name] = format(int(value), INT_FIELDS[name])
            else:
                text = str(value)
                if not text or "." in text:
                    raise ValueError(f"{self.template}: {name}={value!r} must be text without '.'")
                out[name] = text
        return self.template.format(**out)

    def match(self, metric_id: str) -> dict | None:
        """The field values of `metric_id` when this template wrote it, else None."""
        parts, template = metric_id.split("."), self.template.split(".")
        if len(parts) != len(template):
            return None
        values: dict = {}
        for want, got in zip(template, parts, strict=True):
            found = _match_part(list(_pieces(want)), got)
            if found is None:
                return None
            values.update(found)
        try:
            return values if self.id(**values) == metric_id else None
        except ValueError:
            return None


def _pieces(part: str):
    return list(_FORMATTER.parse(part))


def _match_part(pieces: list, text: str) -> dict | None:
    """Match one dot-free part against its pieces (literal, field, ...), backtracking
    over where each field ends."""
    if not pieces:
        return {} if text == "" else None
    literal, field, _, _ = pieces[0]
    if not text.startswith(literal):
        return None
    text = text[len(literal) :]
    if field is None:
        return _match_part(pieces[1:], text)
    for end in range(len(text), 0, -1):
        value = text[:end]
        if field in INT_FIELDS and not value.isdigit():
            continue
        rest = _match_part(pieces[1:], text[end:])
        if rest is not None:
            return {field: int(value) if field in INT_FIELDS else value, **rest}
    return None


def _declare(rows) -> dict[str, MetricId]:
    return {name: MetricId(*row) for name, row in rows}


NB01, NB02, NB03 = ("01_baseline_autoencoder",), ("02_latent_sweep",), ("03_denoising",)
NB04, NB05, NB06 = (
    ("04_improved_autoencoder",),
    ("05_fashion_transfer",),
    ("06_variational_autoencoder",),
)
NB07 = ("07_generative_models",)
NB08 = ("08_robustness_and_search",)
BCE = "nats per pixel (mean binary cross-entropy)"
COUNT, DB, FRACTION, RATIO = "count", "dB", "fraction in [0, 1]", "ratio"

SCHEMA: dict[str, MetricId] = _declare(
    [
        # -- shared
        (
            "ENTROPY_FLOOR",
            (
                "{dataset}.test.entropy_floor",
                "per-pixel entropy of the test set: no model's BCE can go below it",
                BCE,
                NB01 + NB02 + NB03 + NB04 + NB05,
            ),
        ),
        # -- 01
        (
            "BASELINE_VAL_BCE",
            ("mnist.baseline.val_bce", "baseline autoencoder, validation BCE", BCE, NB01),
        ),
        ("BASELINE_EPOCHS", ("mnist.baseline.epochs", "epochs trained", COUNT, NB01)),
        ("BASELINE_PARAMS", ("mnist.baseline.params", "trainable parameters", COUNT, NB01)),
        # -- 02
        ("LATENT_VAL_BCE", ("mnist.latent_{d}.val_bce", "code size d, validation BCE", BCE, NB02)),
        (
            "LATENT_RATIO",
            ("mnist.latent_{d}.compression_ratio", "pixels per code value", RATIO, NB02),
        ),
        ("LATENT_EPOCHS", ("mnist.latent_{d}.epochs", "epochs trained", COUNT, NB02)),
        ("LATENT_PARAMS", ("mnist.latent_{d}.params", "trainable parameters", COUNT, NB02)),
        (
            "LATENT_MSE",
            (
                "mnist.latent_{d}.mse",
                "code size d, validation mean squared error",
                "squared intensity",
                NB02,
            ),
        ),
        (
            "PCA_VAL_BCE",
            ("mnist.pca_{d}.val_bce", "PCA with d components, validation BCE", BCE, NB02),
        ),
        (
            "PCA_MSE",
            (
                "mnist.pca_{d}.mse",
                "PCA with d components, validation MSE",
                "squared intensity",
                NB02,
            ),
        ),
        (
            "VARIANT_VAL_BCE",
            (
                "mnist.latent_2.variant.{variant}.val_bce",
                "a Dense-bottleneck design at d = 2, validation BCE",
                BCE,
                NB02,
                FIRST_SEED,
            ),
        ),
        (
            "VARIANT_PARAMS",
            (
                "mnist.latent_2.variant.{variant}.params",
                "trainable parameters of that design",
                COUNT,
                NB02,
                FIRST_SEED,
            ),
        ),
        (
            "LATENT2_LAST_EPOCH_DROP",
            (
                "mnist.latent_2.last_epoch_drop",
                "d = 2: how much the last epoch lowered validation BCE",
                BCE,
                NB02,
            ),
        ),
        # -- 03
        (
            "DENOISE_VAL_BCE",
            ("mnist.denoise.val_bce", "denoiser, validation BCE on mixed noise", BCE, NB03),
        ),
        (
            "DENOISE_NOISE_FACTOR",
            ("mnist.denoise.noise_factor", "Gaussian noise std trained at", "intensity", NB03),
        ),
        (
            "DENOISE_SP_AMOUNT",
            (
                "mnist.denoise.salt_pepper_amount",
                "salt-and-pepper fraction trained at",
                FRACTION,
                NB03,
            ),
        ),
        ("DENOISE_EPOCHS", ("mnist.denoise.epochs", "epochs trained", COUNT, NB03)),
        (
            "DENOISE_INPUT_BCE",
            (
                "mnist.denoise.{noise}.input_bce",
                "BCE of the noisy input itself against the clean image",
                BCE,
                NB03,
            ),
        ),
        (
            "DENOISE_NOISE_VAL_BCE",
            ("mnist.denoise.{noise}.val_bce", "denoiser's BCE on this noise", BCE, NB03),
        ),
        (
            "DENOISE_NOISY_PSNR",
            ("mnist.denoise.{noise}.noisy_psnr", "PSNR of the noisy input", DB, NB03),
        ),
        (
            "DENOISE_NOISY_SSIM",
            ("mnist.denoise.{noise}.noisy_ssim", "SSIM of the noisy input", FRACTION, NB03),
        ),
        (
            "DENOISE_FILTER_PSNR",
            ("mnist.denoise.{noise}.filter_psnr", "PSNR of the classical filter", DB, NB03),
        ),
        (
            "DENOISE_FILTER_SSIM",
            ("mnist.denoise.{noise}.filter_ssim", "SSIM of the classical filter", FRACTION, NB03),
        ),
        ("DENOISE_PSNR", ("mnist.denoise.{noise}.psnr", "PSNR of the denoiser", DB, NB03)),
        ("DENOISE_SSIM", ("mnist.denoise.{noise}.ssim", "SSIM of the denoiser", FRACTION, NB03)),
        (
            "SWEEP_NOISY_PSNR",
            (
                "mnist.denoise.sweep.{kind}_{level}.noisy_psnr",
                "noise sweep: PSNR of the noisy input at this level",
                DB,
                NB03,
            ),
        ),
        (
            "SWEEP_AE_PSNR",
            (
                "mnist.denoise.sweep.{kind}_{level}.ae_psnr",
                "noise sweep: PSNR of the denoiser",
                DB,
                NB03,
            ),
        ),
        (
            "SWEEP_FILTER_PSNR",
            (
                "mnist.denoise.sweep.{kind}_{level}.filter_psnr",
                "noise sweep: PSNR of the classical filter",
                DB,
                NB03,
            ),
        ),
        (
            "SWEEP_AE_SSIM",
            (
                "mnist.denoise.sweep.{kind}_{level}.ae_ssim",
                "noise sweep: SSIM of the denoiser",
                FRACTION,
                NB03,
            ),
        ),
        # -- 04
        (
            "IMPROVED_VAL_BCE",
            ("mnist.improved.val_bce", "improved autoencoder, validation BCE", BCE, NB04),
        ),
        ("IMPROVED_EPOCHS", ("mnist.improved.epochs", "epochs trained", COUNT, NB04)),
        ("IMPROVED_PARAMS", ("mnist.improved.params", "trainable parameters", COUNT, NB04)),
        (
            "ANOMALY_AUC",
            (
                "mnist.anomaly.auc",
                "ROC AUC of reconstruction error, MNIST against Fashion-MNIST",
                FRACTION,
                NB04,
            ),
        ),
        (
            "ANOMALY_MNIST_ERROR",
            (
                "mnist.anomaly.mnist_error_mean",
                "mean reconstruction error on MNIST test images",
                BCE,
                NB04,
            ),
        ),
        (
            "ANOMALY_FASHION_ERROR",
            (
                "mnist.anomaly.fashion_error_mean",
                "mean reconstruction error on Fashion-MNIST test images",
                BCE,
                NB04,
            ),
        ),
        # -- 05
        (
            "FASHION_AE_VAL_BCE",
            ("fashion.ae.val_bce", "Fashion-MNIST autoencoder, validation BCE", BCE, NB05),
        ),
        (
            "TRANSFER_TEST_ACC",
            (
                "fashion.transfer.test_acc",
                "frozen MNIST encoder and a new head, test accuracy",
                FRACTION,
                NB05,
            ),
        ),
        (
            "CNN_TEST_ACC",
            ("fashion.cnn.test_acc", "CNN from scratch, test accuracy", FRACTION, NB05),
        ),
        (
            "ENCODER_TRAINED_HERE",
            (
                "fashion.transfer.encoder_trained_here",
                "1 when 05 trained its own MNIST encoder (04's was missing), else 0",
                COUNT,
                NB05,
            ),
        ),
        (
            "TRANSFER_HEAD_TEST_ACC",
            (
                "fashion.transfer.dense{units}.test_acc",
                "transfer with a hidden Dense layer of this width, test accuracy",
                FRACTION,
                NB05,
            ),
        ),
        (
            "LABEL_EFF_TEST_ACC",
            (
                "fashion.label_eff.{method}.{n}.test_acc",
                "label efficiency: a method trained on n balanced labels, test accuracy",
                FRACTION,
                NB05,
            ),
        ),
        # -- 06
        (
            "VAE_ENTROPY_FLOOR",
            (
                "{dataset}.vae.entropy_floor",
                "entropy floor of the test images 06 scores",
                BCE,
                NB06,
            ),
        ),
        (
            "JUDGE_TEST_ACC",
            ("{dataset}.vae.judge_test_acc", "the judge CNN's test accuracy", FRACTION, NB06),
        ),
        (
            "NUM_GENERATED",
            ("{dataset}.vae.num_generated", "images generated per model", COUNT, NB06),
        ),
        (
            "REAL_FRECHET",
            (
                "{dataset}.vae.real_frechet_cnn",
                "Fréchet distance of real test images to training images (the floor)",
                "judge-feature distance",
                NB06,
            ),
        ),
        (
            "REAL_CLASS_ENTROPY",
            (
                "{dataset}.vae.real_class_entropy",
                "entropy of the judge's class histogram on real images",
                "nats",
                NB06,
            ),
        ),
        (
            "REAL_CONFIDENCE",
            (
                "{dataset}.vae.real_confidence",
                "the judge's mean top-class probability on real images",
                FRACTION,
                NB06,
            ),
        ),
        (
            "VAE_NEG_ELBO",
            (
                "{dataset}.vae_{d}.neg_elbo",
                "VAE at code size d: negative ELBO",
                "nats per image",
                NB06,
            ),
        ),
        (
            "VAE_ELBO_RECON",
            ("{dataset}.vae_{d}.elbo_recon", "its reconstruction term", "nats per image", NB06),
        ),
        ("VAE_KL", ("{dataset}.vae_{d}.kl", "its KL term", "nats per image", NB06)),
        ("VAE_ACTIVE_UNITS", ("{dataset}.vae_{d}.active_units", "code units in use", COUNT, NB06)),
        ("VAE_RECON_BCE", ("{dataset}.vae_{d}.recon_bce", "VAE reconstruction BCE", BCE, NB06)),
        (
            "VAE_FRECHET",
            (
                "{dataset}.vae_{d}.frechet_cnn",
                "VAE prior samples: Fréchet distance",
                "judge-feature distance",
                NB06,
            ),
        ),
        (
            "VAE_CLASS_ENTROPY",
            (
                "{dataset}.vae_{d}.class_entropy",
                "VAE samples: entropy of the judge's class histogram",
                "nats",
                NB06,
            ),
        ),
        (
            "VAE_CONFIDENCE",
            (
                "{dataset}.vae_{d}.confidence",
                "VAE samples: judge's mean confidence",
                FRACTION,
                NB06,
            ),
        ),
        (
            "AE_RECON_BCE",
            ("{dataset}.vae_{d}.ae_recon_bce", "plain autoencoder, reconstruction BCE", BCE, NB06),
        ),
        (
            "AE_FRECHET",
            (
                "{dataset}.vae_{d}.ae_frechet_cnn",
                "plain autoencoder decoding Gaussian-fit codes: Fréchet distance",
                "judge-feature distance",
                NB06,
            ),
        ),
        (
            "AE_CLASS_ENTROPY",
            (
                "{dataset}.vae_{d}.ae_class_entropy",
                "those samples: entropy of the judge's class histogram",
                "nats",
                NB06,
            ),
        ),
        (
            "AE_CONFIDENCE",
            (
                "{dataset}.vae_{d}.ae_confidence",
                "those samples: judge's mean confidence",
                FRACTION,
                NB06,
            ),
        ),
        ("VAE_EPOCHS", ("{dataset}.vae_{d}.epochs", "epochs trained (each model)", COUNT, NB06)),
        ("VAE_PARAMS", ("{dataset}.vae_{d}.params", "VAE trainable parameters", COUNT, NB06)),
        (
            "AE_PARAMS",
            ("{dataset}.vae_{d}.ae_params", "plain autoencoder trainable parameters", COUNT, NB06),
        ),
        # -- 08: robustness of the denoisers ({variant}: standard, adversarial or input,
        # the corrupted image itself; {noise}: gaussian, salt_pepper, sign or pgd)
        (
            "ROBUST_CLEAN_BCE",
            ("mnist.robust.{variant}.clean.bce", "a denoiser on clean test digits, BCE", BCE, NB08),
        ),
        (
            "ROBUST_CLEAN_PSNR",
            ("mnist.robust.{variant}.clean.psnr", "a denoiser on clean digits, PSNR", DB, NB08),
        ),
        (
            "ROBUST_BCE",
            (
                "mnist.robust.{variant}.{noise}_{level}.bce",
                "BCE against the clean digit under a corruption at a level (thousandths)",
                BCE,
                NB08,
            ),
        ),
        (
            "ROBUST_PSNR",
            (
                "mnist.robust.{variant}.{noise}_{level}.psnr",
                "PSNR against the clean digit under a corruption at a level (thousandths)",
                DB,
                NB08,
            ),
        ),
        ("ROBUST_EPOCHS", ("mnist.robust.{variant}.epochs", "epochs trained", COUNT, NB08)),
        (
            "ROBUST_FLOOR",
            ("mnist.robust.entropy_floor", "entropy floor of the attacked digits", BCE, NB08),
        ),
        ("ROBUST_IMAGES", ("mnist.robust.attack_images", "test digits attacked", COUNT, NB08)),
        ("ROBUST_STEPS", ("mnist.robust.attack_steps", "PGD steps per attack", COUNT, NB08)),
        (
            "ROBUST_TRAIN_EPSILON",
            ("mnist.robust.train_epsilon", "adversarial training: PGD radius", FRACTION, NB08),
        ),
        (
            "ROBUST_TRAIN_STEPS",
            ("mnist.robust.train_steps", "adversarial training: PGD steps per batch", COUNT, NB08),
        ),
        # -- 08: the classifier behind a denoiser ({setup}: none, standard, adversarial;
        # {attack}: fgsm, pgd (adaptive with a denoiser), fgsm_blind, pgd_blind, pgd_ours)
        (
            "DEFENCE_CLEAN_ACC",
            ("mnist.defence.{setup}.clean.acc", "classifier test accuracy, clean", FRACTION, NB08),
        ),
        (
            "DEFENCE_ACC",
            (
                "mnist.defence.{setup}.{attack}_{level}.acc",
                "classifier test accuracy under an attack of radius level (thousandths)",
                FRACTION,
                NB08,
            ),
        ),
        ("DEFENCE_IMAGES", ("mnist.defence.attack_images", "test digits attacked", COUNT, NB08)),
        (
            "DEFENCE_EPOCHS",
            ("mnist.defence.classifier_epochs", "classifier epochs trained", COUNT, NB08),
        ),
        # -- 08: the search of the code size
        ("SEARCH_TRIALS", ("{dataset}.search.trials", "trials of the search", COUNT, NB08)),
        ("SEARCH_EPOCHS", ("{dataset}.search.epochs", "training epochs per trial", COUNT, NB08)),
        ("SEARCH_TRAIN_SIZE", ("{dataset}.search.train_size", "images per trial", COUNT, NB08)),
        ("SEARCH_VAL_SIZE", ("{dataset}.search.val_size", "held-out images", COUNT, NB08)),
        (
            "SEARCH_FLOOR",
            ("{dataset}.search.entropy_floor", "entropy floor of the held-out images", BCE, NB08),
        ),
        (
            "SEARCH_FRONT_SIZE",
            ("{dataset}.search.front_size", "code sizes on the Pareto front", COUNT, NB08),
        ),
        (
            "SEARCH_FRONT_BCE",
            ("{dataset}.search.front_{d}.val_bce", "Pareto front at code size d, BCE", BCE, NB08),
        ),
        (
            "SEARCH_FRONT_PROBE",
            (
                "{dataset}.search.front_{d}.probe_acc",
                "Pareto front at code size d, linear-probe accuracy",
                FRACTION,
                NB08,
            ),
        ),
        (
            "SEARCH_FIXED_BCE",
            (
                "{dataset}.search.fixed_{d}.val_bce",
                "notebook 02's architecture at code size d, the search's protocol, BCE",
                BCE,
                NB08,
            ),
        ),
        (
            "SEARCH_FIXED_PROBE",
            (
                "{dataset}.search.fixed_{d}.probe_acc",
                "notebook 02's architecture at code size d, linear-probe accuracy",
                FRACTION,
                NB08,
            ),
        ),
        (
            "SEARCH_KNEE",
            ("{dataset}.search.knee_d", "code size at the knee of the front", "code size", NB08),
        ),
        (
            "SEARCH_PROBE_KNEE",
            (
                "{dataset}.search.probe_knee_d",
                "code size at the knee of the probe accuracy along the front",
                "code size",
                NB08,
            ),
        ),
    ]
)
# -- 07: one template per score of a set of images, for the generators and the real floor
# (`gen`), the noisy-image ladder (`gen_ladder`, the noise std in thousandths) and the
# longer training of the first seed (`gen_long`); `aelib.evaluation.sample_quality.SCORES`.
_JUDGE = "judge-feature distance"
GEN_SCORE_MEANINGS = {
    "frechet": ("Fréchet distance to the real test images in the judge's features", _JUDGE),
    "kid": ("KID (unbiased squared MMD, cubic kernel) to the real test images", _JUDGE),
    "kid_std": ("spread of the KID over its subsets", _JUDGE),
    "precision": ("improved precision, k-NN manifolds (Kynkäänniemi et al. 2019)", FRACTION),
    "recall": ("improved recall, k-NN manifolds (Kynkäänniemi et al. 2019)", FRACTION),
    "density": ("density (Naeem et al. 2020)", RATIO),
    "coverage": ("coverage (Naeem et al. 2020)", FRACTION),
    "class_entropy": ("entropy of the judge's class histogram", "nats"),
    "confidence": ("the judge's mean top-class probability", FRACTION),
}
_GEN_ROWS = []
for _score, (_meaning, _unit) in GEN_SCORE_MEANINGS.items():
    _key = _score.upper()
    _GEN_ROWS += [
        (
            f"GEN_{_key}",
            (
                f"{{dataset}}.gen.{{source}}.{_score}",
                f"a generator (or real): {_meaning}",
                _unit,
                NB07,
            ),
        ),
        (
            f"LADDER_{_key}",
            (
                f"{{dataset}}.gen_ladder.noise_{{level}}.{_score}",
                f"training images with Gaussian noise of this std: {_meaning}",
                _unit,
                NB07,
            ),
        ),
        (
            f"LONG_{_key}",
            (
                f"{{dataset}}.gen_long.{{source}}.{_score}",
                f"a generator after the longer training: {_meaning}",
                _unit,
                NB07,
                FIRST_SEED,
            ),
        ),
    ]
SCHEMA.update(_declare(_GEN_ROWS))
SCHEMA.update(
    _declare(
        [
            (
                "GEN_JUDGE_ACC",
                ("{dataset}.gen.judge_test_acc", "the judge's test accuracy", FRACTION, NB07),
            ),
            ("GEN_NUM", ("{dataset}.gen.num_generated", "images per judged set", COUNT, NB07)),
            (
                "GEN_EPOCHS",
                ("{dataset}.gen.epochs", "epochs of the VAE and the autoencoder", COUNT, NB07),
            ),
            ("GEN_GAN_EPOCHS", ("{dataset}.gen.gan_epochs", "epochs of the GAN", COUNT, NB07)),
            (
                "GEN_GAN_PARAMS",
                ("{dataset}.gen.gan_params", "parameters of the GAN's generator", COUNT, NB07),
            ),
            (
                "GEN_VAE_PARAMS",
                ("{dataset}.gen.vae_params", "parameters of the VAE's decoder", COUNT, NB07),
            ),
            (
                "LONG_FACTOR",
                (
                    "{dataset}.gen_long.factor",
                    "longer training: times the epochs in all",
                    RATIO,
                    NB07,
                    FIRST_SEED,
                ),
            ),
            (
                "FEW_TEST_ACC",
                (
                    "{dataset}.few.{method}.{n}.test_acc",
                    "few labels: a method trained on n balanced labels, test accuracy",
                    FRACTION,
                    NB07,
                ),
            ),
            (
                "FEW_JUDGE_ACC",
                (
                    "{dataset}.few.cvae.{n}.judge_acc",
                    "the judge's accuracy on the conditional VAE's images (trained on n labels)",
                    FRACTION,
                    NB07,
                ),
            ),
        ]
    )
)
# Module-level names for readers: `metric_ids.LATENT_VAL_BCE.id(d=16)`.
globals().update(SCHEMA)
# The score templates by score name: `GEN_SCORES["frechet"].id(dataset="mnist", source="gan")`.
GEN_SCORES = {score: SCHEMA[f"GEN_{score.upper()}"] for score in GEN_SCORE_MEANINGS}
LADDER_SCORES = {score: SCHEMA[f"LADDER_{score.upper()}"] for score in GEN_SCORE_MEANINGS}
LONG_SCORES = {score: SCHEMA[f"LONG_{score.upper()}"] for score in GEN_SCORE_MEANINGS}


def lookup(metric_id: str) -> MetricId | None:
    """The template that declares `metric_id`, or None."""
    for entry in SCHEMA.values():
        if entry.match(metric_id) is not None:
            return entry
    return None


def check(metrics: Mapping | Iterable[str], notebook: str | None = None) -> None:
    """UnknownMetric naming the first id that no template (of `notebook`, when given)
    declares, and the fix."""
    for metric_id in metrics:
        entry = lookup(metric_id)
        if entry is None or (notebook and notebook not in entry.notebooks):
            whose = f" for {notebook}" if notebook and entry else ""
            raise UnknownMetric(
                f"metric id {metric_id!r} is not declared{whose} in aelib/outputs/metric_ids.py: "
                "add a MetricId (template, meaning, unit, notebook) there, then write it"
            )
