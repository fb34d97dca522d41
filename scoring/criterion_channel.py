"""Mean item score per checklist item × channel: the Consistency page's heatmap.

``item_scores`` flattens every scored checklist answer of a scored frame into arrays once;
``criterion_channel_table`` then gives, for any subset of that frame's rows, the mean item
score of each item (criterion code, pooled over journeys and checklist versions) on each
channel, cells of fewer than ``MIN_CONTACTS`` answers left out, items with the widest spread
between channels first (docs/scoring.md, "Criterion × channel"). Item scores are those of
``scoring.quality.answer_scores``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.metrics import MIN_CONTACTS, group_codes
from scoring.quality import answer_scores

__all__ = ["CRITERION_CHANNEL_COLUMNS", "ItemScores", "criterion_channel_table", "item_scores"]

CRITERION_CHANNEL_COLUMNS = ("criterion", "channel", "score", "n", "spread")


@dataclass(frozen=True)
class ItemScores:
    """Every scored (not N/A) checklist answer as flat arrays, one entry per answer.

    Built once per scored frame, so a criterion view of any subset is a gather and a
    ``bincount`` over these arrays instead of re-scoring millions of answers.
    """

    row: np.ndarray  # int64, the answer's contact as its ``row`` in the scored frame
    rows: int  # rows of that frame
    item: np.ndarray  # int64 index into ``labels``: the criterion code (versions share a code)
    score: np.ndarray  # item score 0..100 (quality.answer_scores)
    labels: np.ndarray  # "CODE · text" per item


def item_scores(frame: pd.DataFrame, answers: pd.DataFrame, criteria: pd.DataFrame) -> ItemScores:
    """The ``ItemScores`` of ``frame``'s contacts.

    Args:
        frame: a ``pipeline.dashboard_frame`` (its ``row`` column numbers the rows).
        answers, criteria: the contract frames the contacts were scored with.
    """
    items = answer_scores(frame, answers, criteria)
    items = items[~items["is_na"].to_numpy()]
    rows = frame["row"].to_numpy(np.int64)[pd.Index(frame["contact_id"]).get_indexer(items["contact_id"])]
    item, codes = pd.factorize(items["code"], sort=True)
    texts = criteria.drop_duplicates("code").set_index("code")["text"]
    # the whole text: the chart shortens a long label to its width with an ellipsis, the tooltip shows it all
    labels = np.array([f"{code} · {str(texts.get(code, '') or '')}" for code in codes], dtype=object)
    return ItemScores(rows, len(frame), item.astype(np.int64), items["item_score"].to_numpy(float), labels)


def criterion_channel_table(contacts: pd.DataFrame, items: ItemScores, max_items: int = 40) -> pd.DataFrame:
    """Mean item score (0–1) per checklist item × channel for ``contacts``.

    Args:
        contacts: rows of the frame ``items`` was built from (``row`` and ``channel``).
        items: ``item_scores`` of that frame.
        max_items: keep the items with the widest spread between channels, at most this many.

    Returns:
        ``CRITERION_CHANNEL_COLUMNS``: ``criterion`` ("CODE · text"), ``channel``, ``score``
        (mean item score / 100), ``n`` answers and the item's ``spread`` (highest − lowest
        channel score of the cells shown). Cells with fewer than ``MIN_CONTACTS`` answers are
        left out and do not count towards the spread.
    """
    empty = pd.DataFrame(columns=list(CRITERION_CHANNEL_COLUMNS))
    if contacts.empty or not len(items.score):
        return empty
    channel_code, channels = group_codes(contacts, ["channel"])
    # channel code per row of the frame (-1: not in view): each answer finds its contact's channel by a gather
    channel_of = np.full(items.rows, -1, dtype=np.int64)
    channel_of[contacts["row"].to_numpy(np.int64)] = channel_code
    answer_channel = channel_of[items.row]
    keep = answer_channel >= 0
    k, n_ch = len(items.labels), len(channels)
    key = answer_channel[keep] * k + items.item[keep]
    sums = np.bincount(key, weights=items.score[keep], minlength=n_ch * k).reshape(n_ch, k)
    counts = np.bincount(key, minlength=n_ch * k).reshape(n_ch, k)
    ch, item = np.nonzero(counts >= MIN_CONTACTS)
    if not len(ch):
        return empty
    cells = pd.DataFrame({"item": item, "channel": np.asarray(channels, dtype=object)[ch].astype(str),
                          "score": sums[ch, item] / counts[ch, item] / 100.0, "n": counts[ch, item]})
    spread = cells.groupby("item")["score"].agg(lambda s: s.max() - s.min())
    cells["spread"] = cells["item"].map(spread)
    keep_items = spread.sort_values(ascending=False, kind="stable").index[:max_items]
    cells = cells[cells["item"].isin(keep_items)]
    cells["criterion"] = items.labels[cells["item"].to_numpy()]
    return cells[list(CRITERION_CHANNEL_COLUMNS)].reset_index(drop=True)
