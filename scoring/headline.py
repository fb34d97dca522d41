"""The five headline figures of a set of contacts: the Dashboard's tiles and the brand report's.

``headline_figures`` gives them all at once as a ``HeadlineFigures``; each is a figure of
``scoring.metrics.metrics_of_timed`` over all the contacts, except the consistency index, which
``consistency`` defines per brand: the tile shows ``brand_mean_consistency``, the plain mean
of the brands' indexes (docs/scoring.md, "Headline figures").
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scoring.consistency import consistency
from scoring.metrics import metrics_of_timed

__all__ = ["HeadlineFigures", "brand_mean_consistency", "headline_figures"]


@dataclass(frozen=True)
class HeadlineFigures:
    """The headline figures of one set of contacts, each with the n it rests on.

    Attributes:
        quality: mean final score (0–100) of the scored contacts (``metrics`` ``mean_quality``).
        scored: contacts with a final score (n of ``quality``).
        consistency: ``brand_mean_consistency`` (n: ``contacts``).
        response_rate: share of contacts answered (``metrics`` ``response_rate``).
        contacts: contacts in the set.
        on_time_rate: share of contacts with a deadline not late (``metrics`` ``on_time_rate``).
        with_deadline: contacts with a resolution deadline (n of ``on_time_rate``).
        km_median: Kaplan–Meier median seconds to the first response
            (``metrics`` ``km_median_first_response_s``; n: ``contacts``).
    """

    quality: float
    scored: int
    consistency: float
    response_rate: float
    contacts: int
    on_time_rate: float
    with_deadline: int
    km_median: float


def brand_mean_consistency(timed: pd.DataFrame, as_of) -> float:
    """The mean of the consistency indexes of the brands in ``timed`` (NaN when no brand has one).

    Each brand counts once, whatever its size; a brand without an index (fewer than two
    channels, docs/scoring.md "Consistency") is left out of the mean.

    Args:
        timed: contacts through ``timeliness`` (with ``as_of``) and ``score_contacts``.
        as_of: the instant ``timed`` was timed for.
    """
    by_brand = consistency(timed, as_of, by=["brand"], already_timed=True).summary
    index = by_brand["consistency_index"].dropna()
    return float(index.mean()) if len(index) else float("nan")


def headline_figures(timed: pd.DataFrame, as_of) -> HeadlineFigures:
    """The ``HeadlineFigures`` of ``timed`` (contacts through ``timeliness`` at ``as_of`` and scored)."""
    overall = metrics_of_timed(timed, []).iloc[0]
    return HeadlineFigures(
        quality=float(overall["mean_quality"]),
        scored=int(overall["scored"]),
        consistency=brand_mean_consistency(timed, as_of),
        response_rate=float(overall["response_rate"]),
        contacts=int(overall["contacts"]),
        on_time_rate=float(overall["on_time_rate"]),
        with_deadline=int(overall["with_deadline"]),
        km_median=float(overall["km_median_first_response_s"]),
    )
