"""Which findings break an action rule: pure functions over the scored frames.

An action rule (``journeys.models.ActionRule``, data set by the agency) says when a result needs
follow-up. Whether a contact or a wave breaks it is decided here, over the same frames every
figure is computed from (``scoring.pipeline.scored_contacts`` and ``scoring.quality.answer_scores``),
so an action plan never disagrees with the dashboard that showed the finding. The database side
(``journeys.actions.generate``) stores one action item per rule and finding key (`Finding.key`): the key names
a finding stably across reruns, so running the rules twice creates nothing twice.

The four kinds (`RuleSpec.kind`; the values of ``journeys.models.RuleKind``, as plain strings
because ``scoring`` imports nothing of ours) and their exact boundaries are in docs/scoring.md,
section "Action rules".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.metrics import MIN_CONTACTS

__all__ = ["KINDS", "Finding", "RuleSpec", "findings"]

KINDS = ("critical", "score", "late", "gap")
KEY_LENGTH = 120  # ActionItem.finding_key's column length


@dataclass(frozen=True)
class RuleSpec:
    """One rule as the pure functions read it: ``brand`` / ``journey`` None means every one;
    ``threshold`` points (score, gap) or seconds past the target (late), unused for critical."""

    rule_id: int
    kind: str
    brand: str | None = None
    journey: str | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class Finding:
    """One thing a rule found: a contact (and item), or a journey's channel gap in a wave.

    ``key`` names it stably across reruns (ids where names could be long or change);
    ``measured`` is the figure found (score, seconds past the target, gap points) beside the
    rule's ``threshold``; ``channel`` of a gap finding is its lowest-scoring channel."""

    rule_id: int
    key: str
    kind: str
    contact_id: int | None
    criterion_id: int | None
    brand: str
    location: str | None
    journey: str
    channel: str | None
    wave: str | None
    measured: float | None
    threshold: float | None


def _text(value) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else str(value)


def _restricted(rule: RuleSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` within the rule's brand and journey."""
    keep = np.ones(len(frame), dtype=bool)
    if rule.brand is not None:
        keep &= (frame["brand"].astype(object) == rule.brand).to_numpy(dtype=bool)
    if rule.journey is not None:
        keep &= (frame["journey"].astype(object) == rule.journey).to_numpy(dtype=bool)
    return frame[keep]


def _contact_finding(rule: RuleSpec, row, key: str, measured, criterion_id=None) -> Finding:
    return Finding(rule_id=rule.rule_id, key=key, kind=rule.kind, contact_id=int(row.contact_id),
                   criterion_id=None if criterion_id is None else int(criterion_id), brand=str(row.brand),
                   location=_text(row.location), journey=str(row.journey), channel=_text(row.channel),
                   wave=_text(row.wave), measured=None if measured is None else float(measured),
                   threshold=rule.threshold)


def critical_findings(rule: RuleSpec, scored: pd.DataFrame, item_scores: pd.DataFrame) -> list[Finding]:
    """One finding per (contact, failed critical item) of the rule's contacts."""
    contacts = _restricted(rule, scored)
    failed = item_scores.loc[item_scores["critical_failed"].to_numpy(dtype=bool), ["contact_id", "criterion_id"]]
    pairs = failed.merge(contacts, on="contact_id", how="inner").sort_values(["contact_id", "criterion_id"])
    return [_contact_finding(rule, row, f"critical:{int(row.contact_id)}:{int(row.criterion_id)}", None,
                             row.criterion_id) for row in pairs.itertuples(index=False)]


def score_findings(rule: RuleSpec, scored: pd.DataFrame) -> list[Finding]:
    """Contacts whose final score is strictly below the threshold (unscored contacts never)."""
    contacts = _restricted(rule, scored)
    score = contacts["final_score"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        below = contacts[~np.isnan(score) & (score < float(rule.threshold))].sort_values("contact_id")
    return [_contact_finding(rule, row, f"score:{int(row.contact_id)}", row.final_score)
            for row in below.itertuples(index=False)]


def late_findings(rule: RuleSpec, scored: pd.DataFrame) -> list[Finding]:
    """Contacts whose first response came, or is still missing, more than ``threshold`` seconds
    after its target, on the contact's own clock (``response_clock_s``: to the response, or to
    ``as_of`` when unanswered). Contacts without a target never."""
    contacts = _restricted(rule, scored)
    over = contacts["response_clock_s"].to_numpy(dtype=float) - contacts["first_response_target_s"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        late = ~np.isnan(over) & (over > float(rule.threshold))
    hits = contacts.assign(seconds_over=over)[late].sort_values("contact_id")
    return [_contact_finding(rule, row, f"late:{int(row.contact_id)}", row.seconds_over)
            for row in hits.itertuples(index=False)]


def _gap_key(brand, journey, wave) -> str:
    """``gap:brand|journey|wave``; a digest of it when the names are too long for the column."""
    key = f"gap:{brand}|{journey}|{wave}"
    if len(key) <= KEY_LENGTH:
        return key
    return "gap#" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def gap_findings(rule: RuleSpec, scored: pd.DataFrame, min_n: int) -> list[Finding]:
    """Per (brand, journey, wave): max − min of the channels' mean final score, over channels with
    at least ``min_n`` scored contacts; a finding when the gap is strictly above the threshold."""
    contacts = _restricted(rule, scored)
    contacts = contacts[contacts["final_score"].notna() & contacts["wave"].notna() & contacts["channel"].notna()]
    if contacts.empty:
        return []
    keys = ["brand", "journey", "wave", "channel"]
    frame = contacts[keys + ["final_score"]].astype({k: object for k in keys})
    means = frame.groupby(keys, sort=True, observed=True)["final_score"].agg(["mean", "size"]).reset_index()
    means = means[means["size"] >= min_n]
    out = []
    for (brand, journey, wave), group in means.groupby(["brand", "journey", "wave"], sort=True):
        if len(group) < 2:
            continue
        # the lowest-scoring channel is the one to act on; ties: the first by name
        group = group.sort_values(["mean", "channel"], kind="stable")
        gap = float(group["mean"].iloc[-1] - group["mean"].iloc[0])
        if gap > float(rule.threshold):
            out.append(Finding(rule_id=rule.rule_id, key=_gap_key(brand, journey, wave),
                               kind=rule.kind, contact_id=None, criterion_id=None, brand=str(brand),
                               location=None, journey=str(journey), channel=str(group["channel"].iloc[0]),
                               wave=str(wave), measured=gap, threshold=rule.threshold))
    return out


def findings(rules, scored: pd.DataFrame, item_scores: pd.DataFrame, *, min_n: int = MIN_CONTACTS) -> list[Finding]:
    """Every finding of every rule, rule by rule in the order given, each rule's in key order.

    Args:
        rules: ``RuleSpec``s (active ones; the caller decides).
        scored: the frame of ``scoring.pipeline.scored_contacts`` (the contacts to judge, e.g. the
            released ones).
        item_scores: ``scoring.quality.answer_scores`` of the same contacts.
        min_n: the fewest scored contacts a channel needs to count in a gap (the app's
            ``scoring.metrics.MIN_CONTACTS``, the default).

    Returns:
        ``Finding``s; a gap key names brand, journey and wave (all unique names), a contact's
        key its ids, so the same frames always give the same keys.
    """
    out: list[Finding] = []
    for rule in rules:
        if rule.kind == "critical":
            out += critical_findings(rule, scored, item_scores)
        elif rule.kind == "score":
            out += score_findings(rule, scored)
        elif rule.kind == "late":
            out += late_findings(rule, scored)
        elif rule.kind == "gap":
            out += gap_findings(rule, scored, min_n)
        else:
            raise ValueError(f"unknown rule kind {rule.kind!r}; one of {', '.join(KINDS)}")
    return out
