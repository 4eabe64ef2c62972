import random

import numpy as np
import pytest

from aelib import set_seed


def test_set_seed_repeats_python_numpy_and_tensorflow():
    import keras

    def draw():
        dense = keras.layers.Dense(4)
        dense.build((None, 3))
        return random.random(), np.random.rand(), dense.get_weights()[0].copy()

    set_seed(5)
    a = draw()
    set_seed(5)
    b = draw()
    assert a[0] == b[0] and a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])
    set_seed(6)
    assert draw()[1] != a[1]


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_set_seed_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="seed"):
        set_seed(bad)
