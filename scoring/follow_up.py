"""The follow-up check of an action, as pure functions over scored frames (no database).

An action was found in one wave; whether it is fixed is read in the *next* wave (waves ordered
by start date, then name; a wave without a start date sorts last), on the released contacts of
the same place (docs/scoring.md, "Follow-up of actions"):

    critical / item  the same item at the same location passed (scored and earned something:
                     the contrary of a critical failure, f > 0) in every contact that scored it
    score            the location's mean final score on the journey is at least the threshold
    late             no contact of the location on that channel and journey missed its first-response
                     target by more than the rule's margin (the share answered within target is shown)
    gap              the journey's channel gap (best minus worst channel mean final score, two
                     scored channels at least) is at most the threshold

No contact measured in the next wave (or no next wave yet) is "not measured yet": ``fixed`` None.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Check", "criterion_check", "gap_check", "late_check", "next_waves", "score_check"]


@dataclass(frozen=True)
class Check:
    """The outcome in one wave: ``fixed`` True/False, None when nothing was measured; ``n`` the
    contacts (or answers) it rests on; ``value`` the figure read (mean score, gap, share within
    target), NaN when none."""

    fixed: bool | None
    n: int
    value: float = float("nan")


NOT_MEASURED = Check(None, 0)


def next_waves(waves: pd.DataFrame) -> dict[int, int | None]:
    """Per wave id, the id of the wave after it (None for the last).

    Args:
        waves: ``wave_id``, ``name``, ``starts_on`` (a date or None).
    """
    if waves.empty:
        return {}
    ordered = waves.assign(_missing=waves["starts_on"].isna(),
                           _start=pd.to_datetime(waves["starts_on"]))
    ordered = ordered.sort_values(["_missing", "_start", "name"], kind="stable")
    ids = [int(i) for i in ordered["wave_id"]]
    return {wave: (ids[i + 1] if i + 1 < len(ids) else None) for i, wave in enumerate(ids)}


def criterion_check(item_scores: pd.Series) -> Check:
    """Fixed when the item passed (item score > 0) in every contact that scored it; N/A answers
    (NaN) do not count."""
    scored = pd.to_numeric(item_scores, errors="coerce").dropna()
    if scored.empty:
        return NOT_MEASURED
    passed = scored > 0
    return Check(bool(passed.all()), int(len(scored)), float(100.0 * passed.mean()))


def score_check(final_scores: pd.Series, threshold: float) -> Check:
    """Fixed when the mean final score is at least ``threshold`` (unscored contacts left out)."""
    scores = pd.to_numeric(final_scores, errors="coerce").dropna()
    if scores.empty:
        return NOT_MEASURED
    mean = float(scores.mean())
    return Check(bool(mean >= threshold), int(len(scores)), mean)


def late_check(first_response_s: pd.Series, target_s: pd.Series, margin_s: float) -> Check:
    """Fixed when no contact responded later than its target plus ``margin_s`` (a contact without
    a response counts as late beyond any margin); ``value`` is the share answered within target.
    Contacts without a target are left out."""
    frame = pd.DataFrame({"response": pd.to_numeric(first_response_s, errors="coerce"),
                          "target": pd.to_numeric(target_s, errors="coerce")}).dropna(subset=["target"])
    if frame.empty:
        return NOT_MEASURED
    response = frame["response"].to_numpy(dtype=float)
    target = frame["target"].to_numpy(dtype=float)
    answered = ~np.isnan(response)
    within = answered & (response <= target)
    too_late = ~answered | (np.where(answered, response, np.inf) > target + float(margin_s))
    return Check(bool(not too_late.any()), int(len(frame)), float(within.mean()))


def gap_check(channels: pd.Series, final_scores: pd.Series, threshold: float, *, min_n: int = 1) -> Check:
    """Fixed when the channel gap (best minus worst channel mean final score) is at most
    ``threshold``. Only channels with at least ``min_n`` scored contacts count, as in the rule
    that found the gap (``scoring.action_rules.gap_findings``); fewer than two such channels
    measure no gap. n: the scored contacts of the channels that count."""
    frame = pd.DataFrame({"channel": channels.to_numpy(), "score": pd.to_numeric(final_scores, errors="coerce")
                          .to_numpy()}).dropna()
    means = frame.groupby("channel")["score"].agg(["mean", "size"])
    means = means[means["size"] >= int(min_n)]
    if len(means) < 2:
        return NOT_MEASURED
    gap = float(means["mean"].max() - means["mean"].min())
    return Check(bool(gap <= threshold), int(means["size"].sum()), gap)
