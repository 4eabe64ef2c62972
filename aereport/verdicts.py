"""The report's two kinds of verdict, computed from the metrics, never typed in.

- A reproduced value against the paper's (a table row): `verdict_vs_paper` under
  `BCE_TOLERANCE` / `ACC_TOLERANCE`, and `paper_row`, the row dict every table against
  the paper is built from.
- A claim against the measurements (a finding): `Measure` (mean, spread over seeds,
  count), `compare`, `combine` and `finding`, the item every finding is. With lists of
  per-seed values a difference no larger than the combined spread,
  sqrt(std_a**2 + std_b**2), is "inconclusive"; with single numbers every difference
  counts (there is no spread to judge it by, which the "measured" text makes visible by
  showing no +/-).

Row dicts share these keys:

- `id`: the metric id; `experiment`: the row label; `notebook`: the notebook that
  writes the metric; `kind`: `"bce"` (per-pixel binary cross-entropy, nats) or
  `"acc"` (accuracy as a fraction).
- `value`, `std`, `n_seeds`: the reproduced mean, its spread over seeds (None for a
  single run) and the number of seeds; `value` is None when the metric is missing.
- `paper`, `difference` (`value - paper`).
- `floor`, `excess` (`value - floor`): the entropy floor of the test targets, the
  lowest BCE any model can reach, and how far above it the model is (BCE rows only).
- `verdict`: one of the `VERDICT_*` strings below; `note`: extra text for the row.

Finding dicts have `id`, `claim`, `paper` (the paper's numbers), `measured` (ours, as
text) and `verdict`: `AGREES`, `DISAGREES`, `INCONCLUSIVE` or `NOT_RUN`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from aelib.paper import PAPER_VALUES
from aereport.merge import summarize

__all__ = [
    "BCE_TOLERANCE",
    "ACC_TOLERANCE",
    "VERDICT_MATCHES",
    "VERDICT_BETTER",
    "VERDICT_WORSE",
    "VERDICT_NO_PAPER",
    "VERDICT_NOT_RUN",
    "VERDICT_FAILED",
    "verdict_vs_paper",
    "missing_verdict",
    "paper_row",
    "AGREES",
    "DISAGREES",
    "INCONCLUSIVE",
    "NOT_RUN",
    "Measure",
    "measure",
    "compare",
    "combine",
    "higher_verdict",
    "lower_than",
    "finding",
    "missing_ids",
    "fmt_measure",
    "fmt_signed",
    "fmt_paper",
    "fmt_db",
    "fmt_points",
]

# ------------------------------------------------------------ rows against the paper

# "Within 0.005 of the paper or lower" for BCE; "within 1.5 points or higher" for accuracy.
BCE_TOLERANCE = 0.005
ACC_TOLERANCE = 0.015

VERDICT_MATCHES = "matches"
VERDICT_BETTER = "better than paper"
VERDICT_WORSE = "worse than paper"
VERDICT_NO_PAPER = "no paper value"
VERDICT_NOT_RUN = "not run"
VERDICT_FAILED = "failed"


def verdict_vs_paper(value: float | None, paper: float | None, kind: str) -> str:
    """Compare a reproduced value with the paper's under the report's tolerance.

    BCE ("bce", lower is better): within `BCE_TOLERANCE` of the paper -> "matches",
    lower by more -> "better than paper", higher by more -> "worse than paper".
    Accuracy ("acc", higher is better): within `ACC_TOLERANCE` (1.5 points) likewise.
    A missing value gives "not run"; a missing paper value "no paper value".
    """
    if value is None:
        return VERDICT_NOT_RUN
    if paper is None:
        return VERDICT_NO_PAPER
    if kind not in ("bce", "acc"):
        raise ValueError(f"kind must be 'bce' or 'acc', got {kind!r}")
    tolerance = BCE_TOLERANCE if kind == "bce" else ACC_TOLERANCE
    # A hair of slack so that values printed equal to the tolerance count as within it.
    difference = value - paper
    if abs(difference) <= tolerance + 1e-12:
        return VERDICT_MATCHES
    higher_is_better = kind == "acc"
    return VERDICT_BETTER if (difference > 0) == higher_is_better else VERDICT_WORSE


def missing_verdict(notebook: str | None, statuses: Mapping[str, str] | None) -> str:
    if statuses and notebook and statuses.get(notebook) == "failed":
        return VERDICT_FAILED
    return VERDICT_NOT_RUN


def paper_row(
    metrics: Mapping,
    metric_id: str,
    experiment: str,
    kind: str,
    *,
    notebook: str | None,
    paper: float | None = None,
    floor_id: str | None = None,
    note: str = "",
    paper_note: str = "",
    statuses: Mapping[str, str] | None = None,
    fallback_ids: tuple[str, ...] = (),
) -> dict:
    """A row against the paper (see the module docstring) for `metric_id`, the first of
    `fallback_ids` that exists when it does not; `notebook` writes it (a missing value
    reads "failed" when `statuses` says that notebook failed)."""
    used_id, raw = metric_id, metrics.get(metric_id)
    if raw is None:
        for alt in fallback_ids:
            if metrics.get(alt) is not None:
                used_id, raw = alt, metrics[alt]
                break
    value, std, n = summarize(raw)
    floor = summarize(metrics.get(floor_id))[0] if floor_id else None
    if value is None:
        verdict = missing_verdict(notebook, statuses)
    else:
        verdict = verdict_vs_paper(value, paper, kind)
    return {
        "id": used_id,
        "experiment": experiment,
        "notebook": notebook,
        "kind": kind,
        "value": value,
        "std": std,
        "n_seeds": n,
        "paper": paper,
        "difference": None if value is None or paper is None else value - paper,
        "floor": floor,
        "excess": None if value is None or floor is None else value - floor,
        "paper_excess": None if paper is None or floor is None else paper - floor,
        "verdict": verdict,
        "note": note,
        "paper_note": paper_note,
        "extra": False,
    }


# ------------------------------------------------------------------------- findings

AGREES = "agrees"
DISAGREES = "disagrees"
INCONCLUSIVE = "inconclusive"
NOT_RUN = "not run"


@dataclass(frozen=True)
class Measure:
    """A measured quantity: mean, standard deviation over seeds (0 for one run), count."""

    mean: float
    std: float = 0.0
    n: int = 1

    def __sub__(self, other: Measure) -> Measure:
        # Independent quantities: spreads add in quadrature.
        return Measure(
            self.mean - other.mean, math.hypot(self.std, other.std), min(self.n, other.n)
        )

    def scaled(self, factor: float) -> Measure:
        return Measure(self.mean * factor, self.std * abs(factor), self.n)


def measure(value) -> Measure | None:
    """A `Measure` from a number or a list of per-seed numbers; None if missing."""
    mean, std, n = summarize(value)
    if mean is None:
        return None
    return Measure(mean, std or 0.0, n)


def compare(a: Measure, b: Measure) -> str:
    """ "lower", "higher" (a relative to b) or "inconclusive" (gap within the spread)."""
    difference = a - b
    if difference.std > 0 and abs(difference.mean) <= difference.std:
        return INCONCLUSIVE
    if difference.mean < 0:
        return "lower"
    if difference.mean > 0:
        return "higher"
    return INCONCLUSIVE


def fmt_measure(m: Measure | None, kind: str = "bce") -> str:
    if m is None:
        return "missing"
    if kind == "acc":
        text = f"{100 * m.mean:.2f}"
        if m.n > 1:
            text += f" ± {100 * m.std:.2f}"
        return text + "%" + (f" (n={m.n})" if m.n > 1 else "")
    text = f"{m.mean:.4f}"
    if m.n > 1:
        text += f" ± {m.std:.4f} (n={m.n})"
    return text


def fmt_signed(x: float, kind: str = "bce") -> str:
    return f"{100 * x:+.2f} points" if kind == "acc" else f"{x:+.4f}"


def fmt_paper(metric_id: str, kind: str = "bce") -> str:
    return fmt_measure(Measure(PAPER_VALUES[metric_id]), kind)


def finding(claim_id: str, claim: str, paper: str, measured: str, verdict: str) -> dict:
    return {
        "id": claim_id,
        "claim": claim,
        "paper": paper,
        "measured": measured,
        "verdict": verdict,
    }


def combine(outcomes: list[str]) -> str:
    """Overall verdict from per-part verdicts: any disagreement wins, then any doubt."""
    if not outcomes:
        return NOT_RUN
    if DISAGREES in outcomes:
        return DISAGREES
    if INCONCLUSIVE in outcomes:
        return INCONCLUSIVE
    return AGREES


def missing_ids(metrics: Mapping, ids: list[str]) -> str:
    absent = [i for i in ids if measure(metrics.get(i)) is None]
    return "Missing: " + ", ".join(absent) + "." if absent else ""


def lower_than(
    metrics: Mapping,
    claim_id: str,
    claim: str,
    paper: str,
    low_id: str,
    high_id: str,
    low_label: str,
    high_label: str,
) -> dict:
    """A claim of the form "`low_id` has a lower BCE than `high_id`"."""
    low, high = measure(metrics.get(low_id)), measure(metrics.get(high_id))
    if low is None or high is None:
        return finding(claim_id, claim, paper, missing_ids(metrics, [low_id, high_id]), NOT_RUN)
    outcome = compare(low, high)
    verdict = {"lower": AGREES, "higher": DISAGREES}.get(outcome, INCONCLUSIVE)
    measured = (
        f"{low_label} {fmt_measure(low)} vs {high_label} {fmt_measure(high)} "
        f"({low_label} minus {high_label}: {fmt_signed(low.mean - high.mean)}"
        + (f" ± {(low - high).std:.4f}" if (low - high).std > 0 else "")
        + ")."
    )
    return finding(claim_id, claim, paper, measured, verdict)


def higher_verdict(a: Measure, b: Measure) -> str:
    """AGREES when `a` is higher than `b` beyond the spread, DISAGREES when lower."""
    return {"higher": AGREES, "lower": DISAGREES}.get(compare(a, b), INCONCLUSIVE)


def fmt_db(m: Measure) -> str:
    text = f"{m.mean:.2f}"
    if m.n > 1:
        text += f" ± {m.std:.2f}"
    return text + " dB"


def fmt_points(m: Measure) -> str:
    """A difference of accuracies (fractions) in points, with its spread if any."""
    text = f"{100 * m.mean:+.2f}"
    if m.std > 0:
        text += f" ± {100 * m.std:.2f}"
    return text + " points"
