"""Throughput of `aelib.training.train` against a plain `model.fit` on NumPy arrays.

Run from the repository root:

    .venv/bin/python benchmarks/bench_training.py [--steps 120 --batch-size 256 --repeats 2]

Both paths train a fresh baseline convolutional autoencoder (same seed, same data) for
two epochs of `--steps` batches each. The first epoch includes graph tracing and is
reported separately; the second is the steady-state figure compared. The two paths
alternate (plain, aelib, aelib, plain, ...) so slow drift of a shared machine hits both
equally. Data: MNIST via `aelib.datasets.load_data("mnist", download_if_missing=False)`
when it is cached, else uniform random images of the same shape (noted in the output;
throughput does not depend on pixel values). Prints figures, asserts nothing; the target
is a ratio aelib / plain >= 1 (within noise).
"""

from __future__ import annotations

import argparse
import os
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


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def run_plain(x, batch_size: int) -> list[float]:
    set_seed(SEED)
    model = build_conv_autoencoder().autoencoder
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    timer = EpochTimer()
    model.fit(x, x, batch_size=batch_size, epochs=2, shuffle=True, verbose=0, callbacks=[timer])
    return timer.seconds


def run_aelib(x, batch_size: int) -> list[float]:
    set_seed(SEED)
    model = build_conv_autoencoder().autoencoder
    history = train(model, x, x, epochs=2, batch_size=batch_size, log=False)
    return history["seconds"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=120, help="batches per epoch")
    parser.add_argument("--batch-size", type=int, default=256, help="images per batch")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each path")
    args = parser.parse_args(argv)

    n = args.steps * args.batch_size
    x, source = load_images(n)
    print(
        f"data: {source}, {len(x)} x {x.shape[1:]} float32; {args.steps} steps of "
        f"{args.batch_size}; epoch 1 = warm-up (tracing), epoch 2 timed",
        flush=True,
    )

    runners = {"plain model.fit": run_plain, "aelib.training.train": run_aelib}
    timings = {name: [] for name in runners}
    order = list(runners)
    for rep in range(args.repeats):
        for name in order if rep % 2 == 0 else order[::-1]:
            seconds = runners[name](x, args.batch_size)
            timings[name].append(seconds)
            print(
                f"  {name:22s} run {rep + 1}: epoch 1 {n / seconds[0]:7.0f} img/s, "
                f"epoch 2 {n / seconds[1]:7.0f} img/s",
                flush=True,
            )

    best = {}
    for name, runs in timings.items():
        best[name] = n / min(s[1] for s in runs)
        warm = n / min(s[0] for s in runs)
        print(
            f"{name:22s} steady {best[name]:7.0f} img/s (best of {len(runs)}), "
            f"first epoch {warm:7.0f} img/s"
        )
    ratio = best["aelib.training.train"] / best["plain model.fit"]
    print(
        f"ratio aelib / plain: {ratio:.3f} (target >= 1, noise on a shared 2-core "
        "machine is a few percent)"
    )


if __name__ == "__main__":
    main()
