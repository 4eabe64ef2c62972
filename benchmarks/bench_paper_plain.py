"""The paper profile's trainings of one seed in plain Keras, against run_all's wall time.

    .venv/bin/python benchmarks/bench_paper_plain.py [--seed 0] [--threads N] [--against DIR ...]

Trains, in one process and one after another, the ten models that `run_all.py --profile
paper` trains for one seed, each with a plain `model.compile(Adam(1e-3), loss)` and
`model.fit(x, y, batch_size, epochs=10, shuffle=True, validation_data=..., verbose=0)` on
the full data, as the notebooks do:

- 01: the baseline conv autoencoder (32-16-8), MNIST, batch 256;
- 02: the dense-bottleneck autoencoders with d = 2, 8, 16 and 32, batch 256;
- 03: the baseline conv autoencoder on noisy inputs (Gaussian 0.4 + salt-and-pepper 0.1);
- 04: the improved conv autoencoder (64-32-16), batch 128;
- 05: the Fashion-MNIST autoencoder, the frozen-encoder transfer classifier (04's encoder)
  and the CNN from scratch, batch 128.

Each training is timed from `compile` to the end of `fit` (validation included). Nothing
else is timed: no data loading, notebooks, kernels, papermill, Dask, evaluation, figures or
saving; that is the point of the comparison. TensorFlow keeps its default thread pools
(all cores) unless `--threads N` sets both. Prints each training's seconds and the sum.

`--against DIR ...` reads run_all output directories of the same profile and seed, for
example from `run_all.py --profile paper --seed 0 --output DIR` run cold, and prints for
each its invocation wall time, each run's wall time and the training seconds its histories
record, with the ratio to the plain sum. Timings mean something only on an otherwise idle
machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EPOCHS = 10
BCE = "binary_crossentropy"
SCE = "sparse_categorical_crossentropy"


def fit_plain(model, x, y, validation_data, *, batch_size: int, loss: str, seed: int) -> float:
    """Compile and fit `model` the plain Keras way; the seconds it took."""
    import keras

    start = time.perf_counter()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=loss,
        metrics=["accuracy"] if loss == SCE else None,
    )
    keras.utils.set_random_seed(seed)
    model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=EPOCHS,
        shuffle=True,
        validation_data=validation_data,
        verbose=0,
    )
    return time.perf_counter() - start


def trainings(seed: int):
    """(notebook, what, seconds) for each of the paper profile's trainings, as they finish."""
    import numpy as np

    from aelib import datasets, models, noise, set_seed

    def images(name):
        (x_train, y_train), (x_test, y_test) = datasets.load_data(name, download_if_missing=False)
        return (datasets.to_float_images(x_train), y_train), (
            datasets.to_float_images(x_test),
            y_test,
        )

    (x_train, _), (x_test, _) = images("mnist")
    mnist = dict(validation_data=(x_test, x_test), loss=BCE, seed=seed)

    set_seed(seed)
    ae = models.build_conv_autoencoder([32, 16, 8])
    yield (
        "01",
        "baseline conv AE",
        fit_plain(ae.autoencoder, x_train, x_train, batch_size=256, **mnist),
    )

    for d in (2, 8, 16, 32):
        set_seed(seed)
        ae = models.build_dense_bottleneck_autoencoder(d, hidden_units=[128])
        yield (
            "02",
            f"dense bottleneck d = {d}",
            fit_plain(ae.autoencoder, x_train, x_train, batch_size=256, **mnist),
        )

    # Notebook 03's noise: the same generators, the same order of draws.
    set_seed(seed)
    rng_train, rng_test = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    x_train_noisy = noise.mixed_noise(
        x_train, noise_factor=0.4, amount=0.1, salt_ratio=0.5, seed=rng_train
    )
    noise.gaussian_noise(x_test, noise_factor=0.4, seed=rng_test)
    noise.salt_and_pepper_noise(x_test, amount=0.1, salt_ratio=0.5, seed=rng_test)
    x_test_mixed = noise.mixed_noise(
        x_test, noise_factor=0.4, amount=0.1, salt_ratio=0.5, seed=rng_test
    )
    ae = models.build_conv_autoencoder([32, 16, 8])
    yield (
        "03",
        "denoising conv AE",
        fit_plain(
            ae.autoencoder,
            x_train_noisy,
            x_train,
            batch_size=256,
            validation_data=(x_test_mixed, x_test),
            loss=BCE,
            seed=seed,
        ),
    )

    set_seed(seed)
    improved = models.build_improved_autoencoder([64, 32, 16])
    yield (
        "04",
        "improved conv AE",
        fit_plain(improved.autoencoder, x_train, x_train, batch_size=128, **mnist),
    )

    (f_train, fy_train), (f_test, fy_test) = images("fashion_mnist")
    set_seed(seed)
    fashion = models.build_improved_autoencoder([64, 32, 16])
    yield (
        "05",
        "Fashion-MNIST AE",
        fit_plain(
            fashion.autoencoder,
            f_train,
            f_train,
            batch_size=128,
            validation_data=(f_test, f_test),
            loss=BCE,
            seed=seed,
        ),
    )
    classify = dict(batch_size=128, validation_data=(f_test, fy_test), loss=SCE, seed=seed)
    set_seed(seed)
    clf = models.build_encoder_classifier(improved.encoder, hidden_units=None, trainable=False)
    yield "05", "transfer classifier", fit_plain(clf, f_train, fy_train, **classify)
    set_seed(seed)
    cnn = models.build_cnn_classifier([64, 32, 16], hidden_units=None)
    yield "05", "CNN from scratch", fit_plain(cnn, f_train, fy_train, **classify)


def pipeline_figures(out: Path, seed: int) -> dict:
    """Invocation wall time, run wall times and history training seconds of a run_all output."""
    try:
        report = json.loads((out / "metrics.json").read_text())
    except (OSError, ValueError) as exc:
        sys.exit(
            f"--against {out}: cannot read its metrics.json ({exc}); run run_all.py there first"
        )
    generation = report.get("provenance", {}).get("generation", {})
    runs = {r["name"]: r.get("wall_s") for r in report.get("runs", []) if r.get("seed") == seed}
    trained = {}
    for name in runs:
        seconds = 0.0
        for path in sorted((out / "runs" / f"seed{seed}" / name).glob("history_*.json")):
            seconds += sum(json.loads(path.read_text()).get("seconds") or [])
        trained[name] = seconds
    return {
        "profile": report.get("profile"),
        "invocation": generation.get("total_wall_s"),
        "executed": generation.get("executed_runs"),
        "runs": runs,
        "trained": trained,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=0, help="TensorFlow threads (0: its default)"
    )
    parser.add_argument(
        "--against", type=Path, nargs="+", default=[], help="run_all output directories"
    )
    args = parser.parse_args(argv)
    against = {out: pipeline_figures(out, args.seed) for out in args.against}

    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    print(
        f"bench_paper_plain: seed {args.seed}, {os.cpu_count()} cores, TensorFlow threads "
        f"{args.threads or 'default'}; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    total = 0.0
    by_notebook: dict[str, float] = {}
    for notebook, what, seconds in trainings(args.seed):
        total += seconds
        by_notebook[notebook] = by_notebook.get(notebook, 0.0) + seconds
        print(f"  {notebook}  {what:26s} {seconds:7.1f} s", flush=True)
    print(f"plain Keras, the {EPOCHS}-epoch trainings summed: {total:.1f} s ({total / 60:.1f} min)")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")

    for out, figures in against.items():
        print(f"\nrun_all output {out} (profile {figures['profile']}, seed {args.seed}):")
        for name, wall in sorted(figures["runs"].items()):
            plain, trained = by_notebook.get(name[:2], 0.0), figures["trained"][name]
            print(
                f"  {name:28s} run {wall or 0:7.1f} s   its trainings {trained:7.1f} s"
                f"   plain {plain:7.1f} s"
            )
        invocation = figures["invocation"]
        if invocation:
            print(
                f"invocation wall time {invocation:.1f} s ({figures['executed']} runs executed): "
                f"x{invocation / total:.2f} the plain sum ({(invocation / total - 1) * 100:+.0f} %)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
