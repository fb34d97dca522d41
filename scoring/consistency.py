"""Cross-channel consistency: does a brand give the same experience on every channel?

There is no standard consistency index, so the product defines one from three parts, each
on 0..1 and each shown next to the index (docs/scoring.md, "Consistency"):

    score parity   Q = 1 - channel_gap / 100, channel_gap = best - worst channel mean quality
    answer agreement A = mean over (journey question, channel) cells of the share of judged
                     answers that were correct; with one contact per channel and one journey
                     this is the share of channels that gave the correct answer
    timing on norm T = the weakest channel's Kaplan–Meier share answered within its *own*
                     first-response target (so an e-mail channel is measured against an
                     e-mail norm and is not punished for being asynchronous)

    consistency_index = 100 · (w_Q·Q + w_A·A + w_T·T) / (w_Q + w_A + w_T)

over the parts that can be computed (a part without data drops out together with its
weight); NaN when the group has fewer than two channels or no part at all. Default weights
are equal. Next to it: ``consistent_all_channels`` (every judged answer on every channel was
correct, at least two channels judged: the Eptica measure), the spread of each criterion
across channels, and whether channel differences exceed chance (Kruskal–Wallis on quality,
Pearson chi-square on response), each with p-value and n.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _sps

from scoring.calendar import BusinessCalendar
from scoring.contract import require_columns
from scoring.metrics import MIN_CONTACTS, metrics_of_timed
from scoring.quality import answer_scores
from scoring.timeliness import timeliness

__all__ = ["SUMMARY_COLUMNS", "ConsistencyReport", "ConsistencyWeights", "consistency", "criterion_spread"]

SUMMARY_COLUMNS = (
    "channels", "scored_channels", "judged_channels", "timed_channels", "insufficient_channels",
    "best_channel", "worst_channel", "channel_gap", "score_parity", "answer_agreement",
    "consistent_all_channels", "slowest_channel", "timing_on_norm", "consistency_index",
    "kruskal_h", "kruskal_p", "kruskal_n", "chi2", "chi2_p", "chi2_n",
)


@dataclass(frozen=True)
class ConsistencyWeights:
    """Relative weights of the three parts of the consistency index (all >= 0)."""

    score: float = 1.0
    answer: float = 1.0
    timing: float = 1.0

    def __post_init__(self) -> None:
        if min(self.score, self.answer, self.timing) < 0 or self.score + self.answer + self.timing == 0:
            raise ValueError("consistency weights must be >= 0 and not all zero")


@dataclass
class ConsistencyReport:
    """What ``consistency`` returns.

    Attributes:
        summary: one row per group (``by``) with ``SUMMARY_COLUMNS``.
        channels: one row per group × channel: ``channel_metrics`` columns plus ``gap_to_best``.
        criteria: one row per group × journey × criterion: spread across channels (empty when
            no answers/criteria were given); see ``criterion_spread``.
    """

    summary: pd.DataFrame
    channels: pd.DataFrame
    criteria: pd.DataFrame


def _answer_agreement(timed: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: answer_agreement, judged_channels and consistent_all_channels."""
    cell_keys = by + [k for k in ("journey", "channel") if k not in by]
    verdict = timed["answer_correct"].astype("boolean") if "answer_correct" in timed else pd.Series(
        pd.NA, index=timed.index, dtype="boolean")
    cells = pd.DataFrame({"judged": verdict.notna().astype(np.int64), "correct": verdict.fillna(False).astype(np.int64)})
    for key in cell_keys:
        cells[key] = timed[key].to_numpy()
    cells = cells.groupby(cell_keys, dropna=False, sort=True, observed=True)[["judged", "correct"]].sum().reset_index()
    cells = cells[cells["judged"] > 0]
    cells["accuracy"] = cells["correct"] / cells["judged"]
    per_group = cells.groupby(by, dropna=False, sort=True, observed=True).agg(
        answer_agreement=("accuracy", "mean"),
        judged_channels=("channel", "nunique"),
        all_correct=("accuracy", lambda a: bool((a == 1.0).all())),
    )
    consistent = per_group["all_correct"].astype("boolean")
    consistent[per_group["judged_channels"] < 2] = pd.NA  # "all channels" needs at least two
    per_group["consistent_all_channels"] = consistent
    return per_group.drop(columns="all_correct")


def _chance_tests(timed: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Kruskal–Wallis (quality by channel) and chi-square (responded by channel) per group.

    Rows come in the order of ``groupby(by, sort=True, dropna=False)``, the summary's order.

    A loop over groups (brands × journeys × waves, not contacts): scipy's tests take one
    sample per channel.
    """
    rows = []
    score = timed["final_score"] if "final_score" in timed else pd.Series(np.nan, index=timed.index)
    frame = pd.DataFrame({"channel": timed["channel"].to_numpy(), "score": score.to_numpy(dtype=float),
                          "responded": timed["responded"].to_numpy(dtype=bool)})
    for key in by:
        frame[key] = timed[key].to_numpy()
    for _, group in frame.groupby(by, dropna=False, sort=True, observed=True):
        samples = [s.dropna().to_numpy() for _, s in group.groupby("channel", sort=True)["score"]]
        samples = [s for s in samples if len(s)]
        h = p = np.nan
        n_k = int(sum(len(s) for s in samples))
        if len(samples) >= 2:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    h, p = _sps.kruskal(*samples)
            except ValueError:  # every score identical: the statistic is undefined
                h = p = np.nan
        table = pd.crosstab(group["channel"], group["responded"]).reindex(columns=[True, False], fill_value=0)
        chi2 = chi2_p = np.nan
        if len(table) >= 2 and (table.sum(axis=0) > 0).all():
            chi2, chi2_p, _, _ = _sps.chi2_contingency(table.to_numpy(), correction=False)
        rows.append(dict(kruskal_h=float(h), kruskal_p=float(p), kruskal_n=n_k,
                         chi2=float(chi2), chi2_p=float(chi2_p), chi2_n=int(len(group))))
    return pd.DataFrame(rows, columns=["kruskal_h", "kruskal_p", "kruskal_n", "chi2", "chi2_p", "chi2_n"])


def criterion_spread(
    contacts: pd.DataFrame, answers: pd.DataFrame, criteria: pd.DataFrame, by: Sequence[str] = ("brand",)
) -> pd.DataFrame:
    """How much each checklist item differs between channels (which part differs most).

    Per group × journey × criterion code: the mean item score (100 · f, N/A left out) on each
    channel, then ``spread`` = highest − lowest channel mean and ``sd`` = their population
    standard deviation (ddof=0: the channels are all the brand's channels, not a sample).

    Args:
        contacts: the contacts frame (``contact_id``, ``channel``, ``journey`` and ``by``).
        answers, criteria: the contract frames.
        by: grouping columns.

    Returns:
        DataFrame with ``by``, ``journey``, ``code``, ``section``, ``channels`` (with a mean),
        ``answers``, ``lowest_channel``, ``lowest``, ``highest_channel``, ``highest``,
        ``spread``, ``sd``; sorted by group and descending spread.
    """
    keys = list(by) + (["journey"] if "journey" not in by else [])
    require_columns(contacts, ["contact_id", "channel", *keys], "contacts")
    items = answer_scores(contacts, answers, criteria)
    items = items[~items["is_na"]]
    context = contacts[["contact_id", "channel", *keys]]
    items = items.merge(context, on="contact_id", how="left")
    per_channel = (
        items.groupby([*keys, "code", "section", "channel"], dropna=False, sort=True, observed=True)["item_score"]
        .agg(["mean", "size"]).reset_index()
    )
    grouped = per_channel.groupby([*keys, "code", "section"], dropna=False, sort=False, observed=True)
    low_rows = per_channel.loc[grouped["mean"].idxmin()]
    high_rows = per_channel.loc[grouped["mean"].idxmax()]
    out = grouped.agg(channels=("mean", "size"), answers=("size", "sum"), sd=("mean", lambda m: float(np.std(m, ddof=0))))
    out["lowest_channel"] = low_rows["channel"].to_numpy()
    out["lowest"] = low_rows["mean"].to_numpy()
    out["highest_channel"] = high_rows["channel"].to_numpy()
    out["highest"] = high_rows["mean"].to_numpy()
    out["spread"] = out["highest"] - out["lowest"]
    single = out["channels"] < 2  # one channel: no spread to speak of
    out.loc[single, ["spread", "sd"]] = np.nan
    out = out.reset_index()
    out = out.sort_values([*keys, "spread"], ascending=[True] * len(keys) + [False], na_position="last", kind="stable")
    return out[[*keys, "code", "section", "channels", "answers", "lowest_channel", "lowest", "highest_channel",
                "highest", "spread", "sd"]].reset_index(drop=True)


def consistency(
    contacts: pd.DataFrame,
    as_of,
    by: Sequence[str] = ("brand",),
    answers: pd.DataFrame | None = None,
    criteria: pd.DataFrame | None = None,
    calendar: BusinessCalendar | None = None,
    weights: ConsistencyWeights = ConsistencyWeights(),
    min_contacts: int = MIN_CONTACTS,
) -> ConsistencyReport:
    """Consistency across channels per group (a brand; or brand × journey × wave, ...).

    Args:
        contacts: the contacts frame joined with ``score_contacts`` output (``final_score``).
        as_of: tz-aware instant of the report (censoring and lateness).
        by: grouping columns, e.g. ``("brand",)`` or ``("brand", "journey", "wave")``; the
            channel is always the column compared within a group.
        answers, criteria: optional; when both are given the criterion spread is computed.
        calendar: business-hours clock for business-hours targets.
        weights: weights of the index parts.
        min_contacts: channels with fewer contacts are counted in ``insufficient_channels``.

    Returns:
        A ``ConsistencyReport`` (summary, channels, criteria).
    """
    by = list(by)
    if "channel" in by:
        raise ValueError("consistency compares channels within a group: 'channel' cannot be in by")
    if not by:
        contacts = contacts.assign(scope="all")
        by = ["scope"]
    require_columns(contacts, ["channel", *by], "contacts")
    timed = timeliness(contacts, as_of, calendar)
    channels = metrics_of_timed(timed, [*by, "channel"], min_contacts).reset_index()

    grouped = channels.groupby(by, dropna=False, sort=True, observed=True)
    summary = grouped.agg(
        channels=("channel", "size"),
        scored_channels=("scored", lambda s: int((s > 0).sum())),
        timed_channels=("km_share_within_target", "count"),
        insufficient_channels=("insufficient", "sum"),
        best=("mean_quality", "max"),
        worst=("mean_quality", "min"),
        timing_on_norm=("km_share_within_target", "min"),
    )
    channels["gap_to_best"] = grouped["mean_quality"].transform("max") - channels["mean_quality"]

    def channel_at(column: str, pick: str) -> pd.Series:
        rows = channels.dropna(subset=[column])
        if rows.empty:
            return pd.Series(dtype=object)
        index = rows.groupby(by, dropna=False, sort=True, observed=True)[column].agg(pick)
        return rows.loc[index.to_numpy(), [*by, "channel"]].set_index(by)["channel"]

    summary["best_channel"] = channel_at("mean_quality", "idxmax").reindex(summary.index)
    summary["worst_channel"] = channel_at("mean_quality", "idxmin").reindex(summary.index)
    summary["slowest_channel"] = channel_at("km_share_within_target", "idxmin").reindex(summary.index)
    two_scored = summary["scored_channels"] >= 2
    summary["channel_gap"] = np.where(two_scored, summary["best"] - summary["worst"], np.nan)
    summary["score_parity"] = 1.0 - summary["channel_gap"] / 100.0

    agreement = _answer_agreement(timed, by).reindex(summary.index)
    summary["answer_agreement"] = agreement["answer_agreement"]
    summary["judged_channels"] = agreement["judged_channels"].fillna(0).astype(np.int64)
    summary["consistent_all_channels"] = agreement["consistent_all_channels"].astype("boolean")

    parts = np.column_stack([summary["score_parity"], summary["answer_agreement"], summary["timing_on_norm"]])
    w = np.array([weights.score, weights.answer, weights.timing], dtype=float)
    present = ~np.isnan(parts)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = 100.0 * np.nansum(parts * w, axis=1) / (present * w).sum(axis=1)
    enough = (summary["channels"].to_numpy() >= 2) & ((present * w).sum(axis=1) > 0)
    summary["consistency_index"] = np.where(enough, index, np.nan)

    tests = _chance_tests(timed, by)
    for column in tests.columns:  # same groups, same order as the summary
        summary[column] = tests[column].to_numpy()
    summary["insufficient_channels"] = summary["insufficient_channels"].astype(np.int64)
    crit = (criterion_spread(contacts, answers, criteria, by) if answers is not None and criteria is not None
            else pd.DataFrame())
    return ConsistencyReport(summary=summary[list(SUMMARY_COLUMNS)], channels=channels, criteria=crit)
