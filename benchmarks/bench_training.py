"""Throughput of `aelib.training.train` against a plain `model.fit` on NumPy arrays.

Run from the repository root (about two minutes on an idle two-core machine):

    .venv/bin/python benchmarks/bench_training.py [--steps 60 --batch-size 256 --epochs 4
                                                   --repeats 3] [--same]

Both sides train a fresh baseline convolutional autoencoder from the same seed on the same
data, under the same settings: `aelib.set_seed` (which turns on TensorFlow op determinism,
as every notebook does), TensorFlow's default thread pools, Adam 1e-3, binary
cross-entropy, shuffling every epoch, no validation. The first epoch of each run includes
graph tracing and is reported apart; the other epochs are the steady state compared. Both
sides are timed by the same callback (process wall and CPU time per epoch), appended to
the `fit` call on each side.

Runs alternate (plain, aelib, aelib, plain, plain, aelib, ...) so that the slow drift of
a shared machine hits both sides alike, and each side's figure is the median over all its
steady-state epochs (a best-of-two figure moved by 5-10 % between identical runs on a
busy machine). The images per CPU-second (process CPU time, all threads) are far less
sensitive to other processes than wall-clock rates: when the cores in use (CPU-seconds per
wall-second) differ between the sides, other processes took CPU from one of them, and the
script says so. It also checks that the two sides are comparable: the same op-determinism
and thread settings, and bitwise identical weights after the first run of each (same seed,
same computation). `--same` runs plain `model.fit` on both sides: the ratio it prints is
the benchmark's own noise.

Data: MNIST via `aelib.datasets.load_data("mnist", download_if_missing=False)` when it is
cached, else uniform random images of the same shape (noted in the output; throughput
does not depend on pixel values). Prints figures, asserts nothing; the target is a ratio
aelib / plain >= 1 within noise.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from aelib import set_seed  # noqa: E402
from aelib.models import build_conv_autoencoder  # noqa: E402
from aelib.training import train  # noqa: E402

SEED = 0
PLAIN = "plain model.fit"
AELIB = "aelib.training.train"


def load_images(n: int) -> tuple[np.ndarray, str]:
    """`n` MNIST-shaped float32 images in [0, 1] and a note on where they came from."""
    try:
        from aelib.datasets import load_data

        (x_train, _), _ = load_data("mnist", download_if_missing=False)
        x = (x_train.astype(np.float32) / 255.0)[..., None]
        source = "MNIST training images"
    except Exception as err:  # datasets module missing, not cached, ...
        x = np.random.default_rng(SEED).random((min(n, 60000), 28, 28, 1), dtype=np.float32)
        source = f"random images (MNIST unavailable: {type(err).__name__})"
    reps = -(-n // len(x))  # ceil: tile if more steps than one pass over the data
    return np.concatenate([x] * reps)[:n], source


def cpu_seconds() -> float:
    """CPU time of this process, all threads, user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class EpochTimer(keras.callbacks.Callback):
    """Wall and CPU seconds of every epoch. Epoch hooks only, like aelib's own logger, so
    Keras keeps dispatching its batch hooks asynchronously on both sides."""

    def __init__(self):
        super().__init__()
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._wall, self._cpu = time.perf_counter(), cpu_seconds()

    def on_epoch_end(self, epoch, logs=None):
        self.wall.append(time.perf_counter() - self._wall)
        self.cpu.append(cpu_seconds() - self._cpu)


def settings() -> dict:
    """The TensorFlow settings a run trains under (read right before `fit`)."""
    import tensorflow as tf

    try:  # not in the public API (tf.config.experimental has only enable/disable)
        from tensorflow.python.framework.config import is_op_determinism_enabled

        determinism = is_op_determinism_enabled()
    except ImportError:
        determinism = "unknown"
    return {
        "op determinism": determinism,
        "TF_DETERMINISTIC_OPS": os.environ.get("TF_DETERMINISTIC_OPS", "unset"),
        "intra-op threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter-op threads": tf.config.threading.get_inter_op_parallelism_threads(),
    }


def timed(model: keras.Model, timer: EpochTimer, seen: dict) -> None:
    """Append `timer` to every `model.fit` call and note the settings it runs under."""
    fit = model.fit

    def timed_fit(*args, callbacks=None, **kwargs):
        seen.update(settings())
        return fit(*args, callbacks=[*(callbacks or []), timer], **kwargs)

    model.fit = timed_fit


def run_plain(x, batch_size: int, epochs: int):
    set_seed(SEED)
    model = build_conv_autoencoder().autoencoder
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    timer, seen = EpochTimer(), {}
    timed(model, timer, seen)
    model.fit(x, x, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)
    return timer, seen, model.get_weights()


def run_aelib(x, batch_size: int, epochs: int):
    set_seed(SEED)
    model = build_conv_autoencoder().autoencoder
    timer, seen = EpochTimer(), {}
    timed(model, timer, seen)
    train(model, x, x, epochs=epochs, batch_size=batch_size, log=False)
    return timer, seen, model.get_weights()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min)"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=60, help="batches per epoch")
    parser.add_argument("--batch-size", type=int, default=256, help="images per batch")
    parser.add_argument("--epochs", type=int, default=4, help="epochs per run, the first untimed")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side")
    parser.add_argument(
        "--same", action="store_true", help="plain model.fit on both sides (measures noise)"
    )
    args = parser.parse_args(argv)
    if min(args.steps, args.batch_size, args.repeats) < 1 or args.epochs < 2:
        parser.error("--steps, --batch-size, --repeats must be >= 1 and --epochs >= 2")

    n = args.steps * args.batch_size
    x, source = load_images(n)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"data: {source}, {n} images {x.shape[1:]} float32 per epoch = {args.steps} steps "
        f"of {args.batch_size}; {args.epochs} epochs per run (epoch 1 = warm-up with "
        f"tracing, {args.epochs - 1} timed), {args.repeats} runs per side, interleaved",
        flush=True,
    )
    load_before = os.getloadavg()[0]
    print(f"machine: {cores} CPU cores; before: {load()}", flush=True)

    runners = {PLAIN: run_plain, AELIB: run_plain if args.same else run_aelib}
    shown = {PLAIN: PLAIN, AELIB: PLAIN + " (2)" if args.same else AELIB}
    order = list(runners)
    wall = {name: [] for name in runners}
    cpu = {name: [] for name in runners}
    used = {name: [] for name in runners}  # CPU-seconds per wall-second: cores in use
    first_epoch = {name: [] for name in runners}
    seen_settings = {name: [] for name in runners}
    weights = {}
    for rep in range(args.repeats):
        for name in order if rep % 2 == 0 else order[::-1]:
            timer, seen, final = runners[name](x, args.batch_size, args.epochs)
            weights.setdefault(name, final)
            seen_settings[name].append(seen)
            first_epoch[name].append(n / timer.wall[0])
            wall[name] += [n / s for s in timer.wall[1:]]
            cpu[name] += [n / s for s in timer.cpu[1:]]
            used[name] += [c / w for w, c in zip(timer.wall[1:], timer.cpu[1:], strict=True)]
            rates = ", ".join(
                f"{n / w:5.0f} ({n / c:5.0f})"
                for w, c in zip(timer.wall[1:], timer.cpu[1:], strict=True)
            )
            print(
                f"  {shown[name]:21s} run {rep + 1}: first epoch {n / timer.wall[0]:5.0f} img/s; "
                f"timed epochs {rates} img/s (img per CPU-s)",
                flush=True,
            )
    print(f"after: {load()}")
    loaded = max(load_before, os.getloadavg()[0]) >= cores

    # Comparable: same settings on every run, and the same computation.
    all_seen = [s for runs in seen_settings.values() for s in runs]
    same_settings = all(s == all_seen[0] for s in all_seen)
    same_weights = all(
        np.array_equal(a, b) for a, b in zip(weights[PLAIN], weights[AELIB], strict=True)
    )
    print(
        "settings, both sides: "
        + ", ".join(f"{k} {v}" for k, v in all_seen[0].items())
        + (" (0 = TensorFlow's default, one per core)" if 0 in all_seen[0].values() else "")
        + ("" if same_settings else "; DIFFERENT between runs: " + repr(all_seen))
    )
    print(
        "comparable: "
        + ("yes" if same_settings and same_weights else "NO")
        + f" (same settings: {same_settings}; final weights of the first run of each side "
        f"bitwise identical: {same_weights})"
    )

    median = {}
    for name in runners:
        median[name] = statistics.median(wall[name])
        print(
            f"{shown[name]:21s} steady {median[name]:5.0f} img/s, median of {len(wall[name])} "
            "epochs "
            f"(range {min(wall[name]):.0f}-{max(wall[name]):.0f}), "
            f"{statistics.median(cpu[name]):5.0f} img per CPU-s, "
            f"{statistics.median(used[name]):.2f} cores in use; "
            f"first epoch {statistics.median(first_epoch[name]):5.0f} img/s"
        )
    ratio = median[AELIB] / median[PLAIN]
    cpu_ratio = statistics.median(cpu[AELIB]) / statistics.median(cpu[PLAIN])
    label = "plain / plain (--same)" if args.same else "aelib / plain"
    print(
        f"ratio {label}: {ratio:.3f} wall-clock, {cpu_ratio:.3f} per CPU-second "
        "(target >= 1 within noise, a few percent on a shared 2-core machine)"
    )
    share = statistics.median(used[AELIB]) / statistics.median(used[PLAIN])
    if loaded or abs(share - 1) > 0.1:
        why = (
            f"load average >= {cores} cores"
            if loaded
            else f"the sides got {share:.2f}x the CPU of one another"
        )
        print(
            f"the machine was busy ({why}): other processes took CPU time, so the wall-clock "
            "ratio says little; read the per-CPU-second ratio, or run again when the machine "
            "is quieter"
        )


if __name__ == "__main__":
    main()
