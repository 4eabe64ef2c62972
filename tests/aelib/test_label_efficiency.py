"""aelib.evaluation.label_efficiency: balanced subsets, the epoch rule, the runner, its chart."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from aelib import figures, models
from aelib.evaluation import label_efficiency as le

LABELS = np.repeat(np.arange(10), 30)[np.random.default_rng(1).permutation(300)]


# ------------------------------------------------------------------------ balanced_subset


def test_balanced_subset_has_equal_counts_per_class():
    idx = le.balanced_subset(LABELS, 50, seed=0)
    assert idx.shape == (50,) and idx.dtype == np.int64
    assert len(np.unique(idx)) == 50
    assert np.all(np.diff(idx) > 0)  # sorted
    assert np.bincount(LABELS[idx], minlength=10).tolist() == [5] * 10


def test_balanced_subset_is_deterministic_and_seed_dependent():
    a = le.balanced_subset(LABELS, 100, seed=3)
    assert np.array_equal(a, le.balanced_subset(LABELS, 100, seed=3))
    assert not np.array_equal(a, le.balanced_subset(LABELS, 100, seed=4))


def test_balanced_subsets_are_nested():
    sizes = [10, 50, 200, 300]
    subsets = [set(le.balanced_subset(LABELS, n, seed=7).tolist()) for n in sizes]
    for small, large in zip(subsets, subsets[1:], strict=False):
        assert small <= large


def test_full_balanced_subset_is_the_whole_set_in_order():
    assert np.array_equal(le.balanced_subset(LABELS, 300, seed=0), np.arange(300))


@pytest.mark.parametrize(
    ("n", "message"),
    [
        (55, "not divisible by the number of classes"),
        (310, "class .* has only 30"),
        (0, "n must be an integer >= 1"),
        (True, "n must be an integer"),
    ],
)
def test_balanced_subset_errors(n, message):
    with pytest.raises(ValueError, match=message):
        le.balanced_subset(LABELS, n, seed=0)


def test_balanced_subset_rejects_bad_labels_and_missing_classes():
    with pytest.raises(ValueError, match="1-D array of integer"):
        le.balanced_subset(LABELS.astype(float), 10, seed=0)
    with pytest.raises(ValueError, match="class 9 has only 0"):
        le.balanced_subset(LABELS[LABELS < 9], 10, seed=0, num_classes=10)


def test_cap_label_sizes_caps_sorts_and_dedupes():
    assert le.max_balanced_size(LABELS) == 300
    assert le.cap_label_sizes([1000, 100, 60000, 100], LABELS) == [100, 300]
    with pytest.raises(ValueError, match="multiples of the number of classes"):
        le.cap_label_sizes([105], LABELS)


def test_check_label_sizes():
    assert le.check_label_sizes([60000, 100, 1000, 100]) == [100, 1000, 60000]
    with pytest.raises(ValueError, match=r"multiples .* got \[15\]"):
        le.check_label_sizes([10, 15])
    with pytest.raises(ValueError, match="must not be empty"):
        le.check_label_sizes([])


# ------------------------------------------------------------------------------ epochs_for


@pytest.mark.parametrize(
    ("n", "expected"), [(100, 384), (1000, 39), (10000, 10), (60000, 10), (38400, 10)]
)
def test_epochs_for_stretches_small_subsets(n, expected):
    assert le.epochs_for(n, base_epochs=10, batch_size=128, min_steps=300) == expected


def test_epochs_for_cap_and_off_switch():
    assert le.epochs_for(10, base_epochs=10, batch_size=128, min_steps=300) == 500
    assert le.epochs_for(10, base_epochs=10, batch_size=128, min_steps=300, max_epochs=50) == 50
    # The cap never cuts the base budget.
    assert le.epochs_for(100, base_epochs=10, batch_size=128, min_steps=300, max_epochs=1) == 10
    assert le.epochs_for(100, base_epochs=3, batch_size=128, min_steps=0) == 3
    with pytest.raises(ValueError, match="n_labels"):
        le.epochs_for(0, base_epochs=1, batch_size=1, min_steps=1)


# ------------------------------------------------------------------------ run_label_efficiency


@pytest.fixture(scope="module")
def tiny_data():
    rng = np.random.default_rng(0)
    x = rng.random((200, 28, 28, 1), dtype=np.float32)
    y = np.repeat(np.arange(10), 20)
    return x, y, x[:60], y[:60]


def _tiny_builder(calls: list, name: str):
    def build():
        calls.append(name)
        return models.build_cnn_classifier((2, 2, 2), hidden_units=None)

    return build


@pytest.fixture(scope="module")
def first_run(tiny_data):
    x, y, xt, yt = tiny_data
    calls = []
    builders = {m: _tiny_builder(calls, m) for m in ("transfer", "scratch")}
    out = le.run_label_efficiency(
        builders, x, y, xt, yt, [100, 20, 100], seed=0, base_epochs=1, batch_size=32,
        min_steps=3, reuse={"transfer": {100: 0.875}},
    )  # fmt: skip
    return out, calls


def test_run_label_efficiency_returns_plain_results(first_run):
    out, _ = first_run
    assert out["label_sizes"] == [20, 100]
    assert set(out["test_acc"]) == {"transfer", "scratch"}
    for method in ("transfer", "scratch"):
        assert set(out["test_acc"][method]) == {20, 100}
        assert all(0.0 <= a <= 1.0 for a in out["test_acc"][method].values())
        # 20 labels: ceil(3 * 32 / 20) = 5 epochs; 100 labels: ceil(0.96) -> base 1.
        assert out["epochs"][method] == {20: 5, 100: 1}


def test_run_label_efficiency_honours_reuse(first_run):
    out, calls = first_run
    assert out["test_acc"]["transfer"][100] == 0.875
    assert out["reused"] == {"transfer": [100], "scratch": []}
    assert out["seconds"]["transfer"][100] == 0.0
    assert calls.count("transfer") == 1 and calls.count("scratch") == 2


def test_run_label_efficiency_prints_one_line_per_run(tiny_data, capsys):
    x, y, xt, yt = tiny_data
    builders = {m: _tiny_builder([], m) for m in ("a", "b")}
    le.run_label_efficiency(
        builders, x, y, xt, yt, [20, 40], seed=0, base_epochs=1, batch_size=32, min_steps=0,
        reuse={"a": {20: 0.5, 40: 0.5}, "b": {20: 0.5, 40: 0.5}},
    )  # fmt: skip
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and all("reused" in line for line in lines)


def test_run_label_efficiency_is_repeatable(tiny_data, first_run):
    x, y, xt, yt = tiny_data
    again = le.run_label_efficiency(
        {"scratch": _tiny_builder([], "scratch")}, x, y, xt, yt, [20], seed=0, base_epochs=1,
        batch_size=32, min_steps=3, log=False,
    )  # fmt: skip
    assert again["test_acc"]["scratch"][20] == first_run[0]["test_acc"]["scratch"][20]


def test_run_label_efficiency_rejects_bad_reuse(tiny_data):
    x, y, xt, yt = tiny_data
    builders = {"scratch": _tiny_builder([], "scratch")}
    kwargs = dict(seed=0, base_epochs=1, batch_size=32, min_steps=0, log=False)
    with pytest.raises(ValueError, match="method 'nope'"):
        le.run_label_efficiency(builders, x, y, xt, yt, [20], reuse={"nope": {20: 0.5}}, **kwargs)
    with pytest.raises(ValueError, match="not in"):
        le.run_label_efficiency(
            builders, x, y, xt, yt, [20], reuse={"scratch": {40: 0.5}}, **kwargs
        )
    with pytest.raises(ValueError, match="class .* has only 20"):
        le.run_label_efficiency(builders, x, y, xt, yt, [300], **kwargs)


def test_make_builders_keeps_the_source_encoders_untouched():
    source = models.build_improved_autoencoder((4, 4, 2))
    fashion = models.build_improved_autoencoder((4, 4, 2))
    before = [w.copy() for w in source.encoder.get_weights()]
    builders = le.make_builders(
        mnist_encoder=source.encoder, fashion_encoder=fashion.encoder, filters=(4, 4, 2)
    )
    assert list(builders) == ["transfer", "finetune", "scratch", "fashion_encoder"]
    finetune = builders["finetune"]()
    encoder_copy = finetune.get_layer(source.encoder.name)
    assert encoder_copy is not source.encoder and encoder_copy.trainable
    for a, b in zip(encoder_copy.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    frozen = builders["fashion_encoder"]()
    assert fashion.encoder.trainable  # the autoencoder's own encoder stays trainable
    assert models.count_params(frozen, trainable_only=True) == 7 * 7 * 2 * 10 + 10
    for build in builders.values():
        assert build().output_shape == (None, 10)


# ------------------------------------------------------------------------------ reporting


RESULTS = {
    "transfer": {100: 0.61, 1000: 0.75, 60000: 0.86},
    "scratch": {100: 0.55, 1000: 0.77, 60000: 0.91},
}


def test_to_metrics_ids():
    assert le.to_metrics(RESULTS)["fashion.label_eff.transfer.100.test_acc"] == 0.61
    assert len(le.to_metrics(RESULTS)) == 6
    assert "x.scratch.60000.test_acc" in le.to_metrics(RESULTS, prefix="x")


def test_format_table_rows_and_columns():
    table = le.format_table({**RESULTS, "finetune": {100: 0.5}})
    lines = table.splitlines()
    assert "60,000" in lines[0] and "frozen MNIST encoder" in lines[2]
    assert "0.9100" in lines[3] and lines[4].rstrip().endswith("-")


def test_plot_label_efficiency_returns_a_log_axis_figure():
    fig = figures.plot_label_efficiency(
        RESULTS, title="t", reference={"paper CNN": 0.909, "paper transfer": (60000, 0.8897)}
    )
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["frozen MNIST encoder", "CNN from scratch"]
    assert len(labels) == 4


def test_plot_label_efficiency_rejects_empty():
    with pytest.raises(ValueError, match="non-empty"):
        figures.plot_label_efficiency({})


def test_finetune_copy_is_trainable_even_after_the_encoder_was_frozen():
    from aelib import models
    from aelib.evaluation import label_efficiency

    encoder = models.build_improved_autoencoder().encoder
    frozen = models.build_encoder_classifier(encoder, hidden_units=None, trainable=False)
    head_only = len(frozen.trainable_weights)
    finetune = label_efficiency.make_builders(mnist_encoder=encoder)["finetune"]()
    # Every conv kernel and bias of the encoder trains, plus the head.
    assert len(finetune.trainable_weights) == head_only + len(encoder.weights)
    assert len(frozen.trainable_weights) == head_only  # the original stays frozen
