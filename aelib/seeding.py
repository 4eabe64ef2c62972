"""One seeding call for Python, NumPy and TensorFlow."""

from __future__ import annotations

import os
import random

import numpy as np


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and turn on TensorFlow op determinism.

    After this call, building and training the same model on the same data gives the
    same numbers on the same machine.

    Args:
        seed: a non-negative integer.

    Raises:
        ValueError: if `seed` is not a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    # Deterministic oneDNN kernels; must be set before TensorFlow first runs an op.
    os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
    random.seed(seed)
    np.random.seed(seed)

    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # Python, NumPy and the TF backend together
    tf.config.experimental.enable_op_determinism()
