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

from scoring.calendar import BusinessCalendar
from scoring.contract import require_columns
from scoring.metrics import MIN_CONTACTS, group_codes, metrics_of_codes, unique_codes
from scoring.quality import item_score_sums
from scoring.stats import kruskal_wallis, pearson_chi2
from scoring.timeliness import timeliness

__all__ = ["CONSISTENCY_TABLE_COLUMNS", "SUMMARY_COLUMNS", "ConsistencyReport", "ConsistencyWeights", "consistency",
           "consistency_table", "criterion_spread"]

SUMMARY_COLUMNS = (
    "channels", "scored_channels", "judged_channels", "timed_channels", "insufficient_channels",
    "best_channel", "worst_channel", "channel_gap", "score_parity", "answer_agreement",
    "consistent_all_channels", "slowest_channel", "timing_on_norm", "consistency_index",
    "kruskal_h", "kruskal_p", "kruskal_n", "chi2", "chi2_p", "chi2_n",
)

# the summary columns of the Consistency page's table, in the order a manager reads them
CONSISTENCY_TABLE_COLUMNS = (
    "consistency_index", "channel_gap", "best_channel", "worst_channel", "answer_agreement",
    "consistent_all_channels", "slowest_channel", "timing_on_norm", "channels", "insufficient_channels",
    "kruskal_p", "kruskal_n", "chi2_p", "chi2_n",
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


def _group_reduce(values: np.ndarray, groups: np.ndarray, n_groups: int, how: str) -> np.ndarray:
    """max / min / mean / count of non-NaN ``values`` per group code (NaN for empty groups)."""
    series = pd.Series(values).groupby(groups)
    reduced = getattr(series, how)()
    out = np.full(n_groups, np.nan)
    out[reduced.index.to_numpy()] = reduced.to_numpy(dtype=float)
    return out


def _pick_channel(values: np.ndarray, row_group: np.ndarray, names: np.ndarray, n_groups: int, how: str):
    """Channel name with the max/min value per group (the first on ties; None without values)."""
    out = np.full(n_groups, None, dtype=object)
    keep = ~np.isnan(values)
    if keep.any():
        frame = pd.DataFrame({"g": row_group[keep], "v": values[keep], "name": names[keep]})
        picked = frame.loc[frame.groupby("g")["v"].agg("idxmax" if how == "max" else "idxmin")]
        out[picked["g"].to_numpy()] = picked["name"].to_numpy()
    return out


def _answer_agreement(timed: pd.DataFrame, g: np.ndarray, ch: np.ndarray, n_groups: int) -> pd.DataFrame:
    """Per group code: answer_agreement, judged_channels and consistent_all_channels."""
    if "answer_correct" not in timed:
        verdict = pd.array(np.full(len(timed), pd.NA), dtype="boolean")
    else:
        verdict = timed["answer_correct"].astype("boolean").array
    judged = ~np.asarray(verdict.isna())
    correct = np.asarray(verdict.fillna(False), dtype=bool)
    journey = pd.factorize(timed["journey"], use_na_sentinel=False)[0] if "journey" in timed else np.zeros(len(g))
    n_ch = int(ch.max()) + 1 if len(ch) else 1
    n_j = int(journey.max()) + 1 if len(journey) else 1
    cell = (g * n_j + journey) * n_ch + ch  # (group, journey question, channel)
    cells, inverse = unique_codes(cell[judged], n_groups * n_j * n_ch)
    n_judged = np.bincount(inverse, minlength=len(cells))
    n_correct = np.bincount(inverse, weights=correct[judged], minlength=len(cells))
    accuracy = n_correct / np.maximum(n_judged, 1)
    cell_group = cells // (n_j * n_ch)
    cell_channel = cells % n_ch
    agreement = _group_reduce(accuracy, cell_group, n_groups, "mean")
    judged_channels = np.zeros(n_groups, dtype=np.int64)
    pairs = np.unique(cell_group * n_ch + cell_channel)
    np.add.at(judged_channels, pairs // n_ch, 1)
    wrong = np.bincount(cell_group, weights=accuracy < 1.0, minlength=n_groups)
    consistent = pd.array(wrong == 0, dtype="boolean")
    consistent[judged_channels < 2] = pd.NA  # "all channels" needs at least two judged channels
    return pd.DataFrame({"answer_agreement": agreement, "judged_channels": judged_channels,
                         "consistent_all_channels": consistent})


def _chance_tests(timed: pd.DataFrame, g: np.ndarray, ch: np.ndarray, n_groups: int) -> pd.DataFrame:
    """Kruskal–Wallis (quality by channel) and chi-square (responded by channel) per group code,
    for all groups at once (``scoring.stats.kruskal_wallis``, ``scoring.stats.pearson_chi2``)."""
    score = timed["final_score"].to_numpy(dtype=float) if "final_score" in timed else np.full(len(g), np.nan)
    responded = timed["responded"].to_numpy(dtype=bool)
    n_ch = int(ch.max()) + 1 if len(ch) else 1
    # responded / not responded per (group, channel) for the contingency tables
    table = np.zeros((n_groups, n_ch, 2))
    np.add.at(table, (g, ch, (~responded).astype(np.int64)), 1.0)
    scored = ~np.isnan(score)
    h, p = kruskal_wallis(score[scored], g[scored], ch[scored], n_groups)
    chi2, chi2_p = pearson_chi2(table)
    return pd.DataFrame({"kruskal_h": h, "kruskal_p": p,
                         "kruskal_n": np.bincount(g[scored], minlength=n_groups).astype(int),
                         "chi2": chi2, "chi2_p": chi2_p, "chi2_n": table.sum(axis=(1, 2)).astype(int)})


def criterion_spread(
    contacts: pd.DataFrame, answers: pd.DataFrame, criteria: pd.DataFrame, by: Sequence[str] = ("brand",)
) -> pd.DataFrame:
    """How much each checklist item differs between channels (which part differs most).

    Per group × journey × criterion code: the mean item score (100 · f, N/A left out) on each
    channel, then ``spread`` = highest − lowest channel mean and ``sd`` = their population
    standard deviation (ddof=0: the channels are all the brand's channels, not a sample).
    Criteria sharing a code (successive checklist versions) count as one item.

    Args:
        contacts: the contacts frame (``contact_id``, ``channel``, ``journey`` and ``by``).
        answers, criteria: the contract frames.
        by: grouping columns.

    Returns:
        DataFrame with ``by``, ``journey``, ``code``, ``section``, ``channels`` (with a mean),
        ``answers``, ``lowest_channel``, ``lowest``, ``highest_channel``, ``highest``,
        ``spread``, ``sd``; sorted by group and descending spread (NaN spreads last).
    """
    keys = list(by) + (["journey"] if "journey" not in by else [])
    require_columns(contacts, ["contact_id", "channel", *keys], "contacts")
    g, index = group_codes(contacts, keys)
    ch, channel_names = pd.factorize(contacts["channel"], sort=True, use_na_sentinel=False)
    n_g, n_ch = len(index), max(len(channel_names), 1)
    sums, counts = item_score_sums(contacts, answers, criteria, g * n_ch + ch, n_g * n_ch)
    # fold criteria that share (code, section) into one item column
    item_code, items = pd.MultiIndex.from_arrays(
        [criteria["code"].to_numpy(dtype=object), criteria["section"].fillna("").to_numpy(dtype=object)]).factorize()
    fold = np.zeros((len(criteria), len(items)))
    fold[np.arange(len(criteria)), item_code] = 1.0
    total = (sums @ fold).reshape(n_g, n_ch, len(items))
    n = (counts @ fold).reshape(n_g, n_ch, len(items))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(n > 0, total / n, np.nan)  # group × channel × item
    has = n > 0
    channels = has.sum(axis=1)
    grp, item = np.nonzero(channels > 0)
    cell = means[grp, :, item]  # one row per (group, item), one column per channel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows of a single channel: no spread
        low, high = np.nanmin(cell, axis=1), np.nanmax(cell, axis=1)
        sd = np.nanstd(cell, axis=1, ddof=0)
    filled_low = np.where(np.isnan(cell), np.inf, cell)
    filled_high = np.where(np.isnan(cell), -np.inf, cell)
    names = np.asarray(channel_names, dtype=object)
    out = pd.DataFrame({key: index.get_level_values(i)[grp] for i, key in enumerate(keys)})
    out["code"] = items.get_level_values(0)[item]
    out["section"] = items.get_level_values(1)[item]
    out["channels"] = channels[grp, item]
    out["answers"] = n.sum(axis=1)[grp, item].astype(np.int64)
    out["lowest_channel"] = names[filled_low.argmin(axis=1)]
    out["lowest"] = low
    out["highest_channel"] = names[filled_high.argmax(axis=1)]
    out["highest"] = high
    single = out["channels"].to_numpy() < 2  # one channel: no spread to speak of
    out["spread"] = np.where(single, np.nan, high - low)
    out["sd"] = np.where(single, np.nan, sd)
    out["_g"] = grp
    out = out.sort_values(["_g", "spread"], ascending=[True, False], na_position="last", kind="stable")
    return out.drop(columns="_g").reset_index(drop=True)


def consistency(
    contacts: pd.DataFrame,
    as_of,
    by: Sequence[str] = ("brand",),
    answers: pd.DataFrame | None = None,
    criteria: pd.DataFrame | None = None,
    calendar: BusinessCalendar | None = None,
    weights: ConsistencyWeights = ConsistencyWeights(),
    min_contacts: int = MIN_CONTACTS,
    already_timed: bool = False,
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
        already_timed: ``contacts`` already went through ``timeliness`` with this ``as_of``
            (the dashboards keep such a frame), so it is not timed again.

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
    timed = contacts if already_timed else timeliness(contacts, as_of, calendar)
    g, index = group_codes(timed, by)
    n_groups = len(index)
    ch, channel_names = pd.factorize(timed["channel"], sort=True, use_na_sentinel=False)
    n_ch = max(len(channel_names), 1)
    # per-channel rows: one code per present (group, channel) pair, in (group, channel) order
    pairs, pair_code = unique_codes(g * n_ch + ch, n_groups * n_ch)
    row_group, row_channel = pairs // n_ch, pairs % n_ch
    names = np.asarray(channel_names, dtype=object)[row_channel]
    levels = [index.get_level_values(i)[row_group] for i in range(index.nlevels)]
    pair_index = pd.MultiIndex.from_arrays([*levels, names], names=[*by, "channel"])
    channels = metrics_of_codes(timed, pair_code, pair_index, min_contacts)

    mean_quality = channels["mean_quality"].to_numpy(dtype=float)
    timing = channels["km_share_within_target"].to_numpy(dtype=float)
    best = _group_reduce(mean_quality, row_group, n_groups, "max")
    worst = _group_reduce(mean_quality, row_group, n_groups, "min")
    summary = pd.DataFrame(index=index)
    summary["channels"] = np.bincount(row_group, minlength=n_groups)
    summary["scored_channels"] = np.bincount(row_group, weights=channels["scored"].to_numpy() > 0,
                                             minlength=n_groups).astype(np.int64)
    summary["timed_channels"] = np.bincount(row_group, weights=~np.isnan(timing), minlength=n_groups).astype(np.int64)
    summary["insufficient_channels"] = np.bincount(row_group, weights=channels["insufficient"].to_numpy(),
                                                   minlength=n_groups).astype(np.int64)
    summary["best_channel"] = _pick_channel(mean_quality, row_group, names, n_groups, "max")
    summary["worst_channel"] = _pick_channel(mean_quality, row_group, names, n_groups, "min")
    summary["slowest_channel"] = _pick_channel(timing, row_group, names, n_groups, "min")
    summary["channel_gap"] = np.where(summary["scored_channels"] >= 2, best - worst, np.nan)
    summary["score_parity"] = 1.0 - summary["channel_gap"] / 100.0
    summary["timing_on_norm"] = _group_reduce(timing, row_group, n_groups, "min")
    channels = channels.reset_index()
    channels["gap_to_best"] = best[row_group] - mean_quality

    agreement = _answer_agreement(timed, g, ch, n_groups)
    for column in agreement.columns:
        summary[column] = agreement[column].array

    parts = np.column_stack([summary["score_parity"], summary["answer_agreement"], summary["timing_on_norm"]])
    w = np.array([weights.score, weights.answer, weights.timing], dtype=float)
    present = ~np.isnan(parts)
    with np.errstate(invalid="ignore", divide="ignore"):
        consistency_index = 100.0 * np.nansum(parts * w, axis=1) / (present * w).sum(axis=1)
    enough = (summary["channels"].to_numpy() >= 2) & ((present * w).sum(axis=1) > 0)
    summary["consistency_index"] = np.where(enough, consistency_index, np.nan)

    tests = _chance_tests(timed, g, ch, n_groups)
    for column in tests.columns:  # row k is group code k
        summary[column] = tests[column].to_numpy()
    crit = (criterion_spread(contacts, answers, criteria, by) if answers is not None and criteria is not None
            else pd.DataFrame())
    return ConsistencyReport(summary=summary[list(SUMMARY_COLUMNS)], channels=channels, criteria=crit)


def consistency_table(timed: pd.DataFrame, as_of, by: Sequence[str]) -> pd.DataFrame:
    """The ``consistency`` summary per group as the Consistency page shows it.

    Args:
        timed: contacts through ``timeliness`` at ``as_of`` and scored.
        as_of: the instant ``timed`` was timed for.
        by: grouping columns (not ``channel``).

    Returns:
        The group keys and ``CONSISTENCY_TABLE_COLUMNS``, one row per group, highest
        consistency index first (groups without an index last).
    """
    by = list(by)
    summary = consistency(timed, as_of, by=by, already_timed=True).summary.reset_index()
    return summary[[*by, *CONSISTENCY_TABLE_COLUMNS]].sort_values("consistency_index", ascending=False,
                                                                   na_position="last")
