"""The latent-search figure (notebook 08): every trial, the Pareto front, its knee, the
fixed sweep, the entropy floor, and the linear-probe accuracy along the front.

Import the module itself (`from aelib.figures import search`); `aelib.figures` does not
re-export it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

__all__ = ["plot_front"]


def plot_front(
    rows: Sequence[Mapping],
    *,
    floor: float | None = None,
    knee: float | None = None,
    probe_knee: float | None = None,
    title: str | None = None,
) -> Figure:
    """Validation BCE against code size (log scale), and the probe accuracy of the front.

    Args:
        rows: `aelib.search.latent.trial_rows`: each with `latent_dim`, `val_bce`,
            `probe_acc`, `fixed` and `on_front`.
        floor: the entropy floor of the validation images (dotted line).
        knee: the knee of the front (a vertical line), or None.
        probe_knee: the knee of the probe accuracy along the front, or None.
        title: optional.
    """
    rows = list(rows)
    if not rows:
        raise ValueError("rows must hold at least one trial")
    front = sorted((r for r in rows if r["on_front"]), key=lambda r: r["latent_dim"])
    fixed = sorted((r for r in rows if r["fixed"]), key=lambda r: r["latent_dim"])
    fig = Figure(figsize=(10.5, 4.2 + (0.3 if title else 0.0)), layout="constrained")
    left, right = fig.subplots(1, 2)
    searched = [r for r in rows if not r["fixed"]]
    left.scatter(
        [r["latent_dim"] for r in searched],
        [r["val_bce"] for r in searched],
        s=18,
        color="C7",
        alpha=0.7,
        label="searched trials",
    )
    if fixed:
        left.plot(
            [r["latent_dim"] for r in fixed],
            [r["val_bce"] for r in fixed],
            "s--",
            color="C1",
            label="notebook 02's architecture (same protocol)",
        )
    if front:
        left.step(
            [r["latent_dim"] for r in front],
            [r["val_bce"] for r in front],
            "o-",
            where="post",
            color="C0",
            label="Pareto front",
        )
        right.plot(
            [r["latent_dim"] for r in front],
            [r["probe_acc"] for r in front],
            "o-",
            color="C2",
            label="front: linear probe",
        )
    if fixed:
        right.plot(
            [r["latent_dim"] for r in fixed],
            [r["probe_acc"] for r in fixed],
            "s--",
            color="C1",
            label="notebook 02's architecture",
        )
    if floor is not None:
        left.axhline(floor, color="k", ls=":", lw=1, label=f"entropy floor {floor:.4f}")
    for ax, value, label in ((left, knee, "knee"), (right, probe_knee, "probe knee")):
        if value is not None:
            ax.axvline(value, color="C3", ls="-.", lw=1, label=f"{label}: d = {value:g}")
    for ax, ylabel in ((left, "validation BCE"), (right, "linear-probe accuracy (held out)")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("code size d")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
