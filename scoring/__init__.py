"""Klantreis scoring: pure pandas/numpy analytics, one definition of every number.

Frames in, frames out: no Streamlit, no database, nothing else of the project is imported.
The frame contract (``contacts``, ``answers``, ``criteria``) and every formula with a worked
example are in ``docs/scoring.md``.

Map of the package (one idea per module):
    contract     column names of the frame contract; timestamp <-> epoch-second helpers
    quality      contact quality score 0–100: N/A, weights, bonus, knock-outs, pass band
                 (PassBand, score_contacts, section_scores, answer_scores)
    calendar     the business-hours clock with NL/BE public holidays (BusinessCalendar)
    timeliness   first response and resolution against journey-channel targets (timeliness)
    stats        Wilson and t intervals, Kaplan–Meier, coefficient of variation
    metrics      channel metrics for any grouping (channel_metrics, metrics_of_timed, metrics_table)
    consistency  cross-channel consistency index, answer agreement, criterion spread,
                 chance tests (consistency, consistency_table, criterion_spread)
    headline     the five headline tiles of a set of contacts (headline_figures, HeadlineFigures,
                 brand_mean_consistency)
    response_times  first response per channel: spread and KM median, KM curves
                 (response_time_table, survival_table)
    criterion_channel  mean item score per checklist item × channel (item_scores,
                 criterion_channel_table)
    agreement    auditor calibration: Krippendorff's alpha, auditor bias
    pipeline     contract frames -> scored and timed contacts in one call (scored_contacts), and
                 the same rows laid out for the dashboards (dashboard_frame)

Every figure a page, the brand report or ``klantreis report`` shows is one call of these on
``scored_contacts``; docs/scoring.md, "Where each figure is defined", names the function of
each tile, chart and report column.

Typical use::

    from scoring import scored_contacts, channel_metrics, consistency
    scored = scored_contacts(contacts, answers, criteria, as_of=now)
    per_channel = channel_metrics(scored, by=["brand", "channel"], as_of=now)
    report = consistency(scored, as_of=now, by=["brand"], answers=answers, criteria=criteria)
"""

from scoring.agreement import auditor_bias, calibration_alpha, krippendorff_alpha
from scoring.calendar import BusinessCalendar
from scoring.consistency import (
    ConsistencyReport,
    ConsistencyWeights,
    consistency,
    consistency_table,
    criterion_spread,
)
from scoring.criterion_channel import ItemScores, criterion_channel_table, item_scores
from scoring.headline import HeadlineFigures, brand_mean_consistency, headline_figures
from scoring.metrics import METRIC_COLUMNS, channel_metrics, metrics_of_timed, metrics_table
from scoring.pipeline import dashboard_frame, scored_contacts
from scoring.quality import QUALITY_COLUMNS, PassBand, answer_scores, score_contacts, section_scores
from scoring.response_times import response_time_table, survival_table
from scoring.stats import (
    coefficient_of_variation,
    kaplan_meier,
    km_median,
    km_share_within,
    mean_ci,
    wilson_interval,
)
from scoring.timeliness import TIMELINESS_COLUMNS, timeliness

__all__ = [
    "METRIC_COLUMNS",
    "QUALITY_COLUMNS",
    "TIMELINESS_COLUMNS",
    "BusinessCalendar",
    "ConsistencyReport",
    "ConsistencyWeights",
    "HeadlineFigures",
    "ItemScores",
    "PassBand",
    "answer_scores",
    "auditor_bias",
    "brand_mean_consistency",
    "calibration_alpha",
    "channel_metrics",
    "coefficient_of_variation",
    "consistency",
    "consistency_table",
    "criterion_channel_table",
    "criterion_spread",
    "dashboard_frame",
    "headline_figures",
    "item_scores",
    "kaplan_meier",
    "km_median",
    "km_share_within",
    "krippendorff_alpha",
    "mean_ci",
    "metrics_of_timed",
    "metrics_table",
    "response_time_table",
    "score_contacts",
    "scored_contacts",
    "section_scores",
    "survival_table",
    "timeliness",
    "wilson_interval",
]
