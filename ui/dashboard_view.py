"""Building blocks of the dashboard pages: tiles, small aggregate tables for the charts, notes.

Everything here reshapes figures that ``scoring/`` computed; nothing defines a rate or a mean.
Chart tables are aggregated to a few rows per channel before they reach Altair.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
import pandas as pd
import streamlit as st

from data.frames import ContactFilter
from journeys.local_time import LOCAL_ZONE, MINUTE, duration, local_column
from scoring import stats
from scoring.consistency import consistency
from scoring.metrics import MIN_CONTACTS, group_codes, metrics_of_timed
from scoring.quality import answer_scores
from ui.dashboard_data import apply_filter, filtered_contacts
from ui.text import as_plain_text

SURVIVAL_POINTS = 60  # points per channel curve sent to the browser


def sample_note(table: pd.DataFrame, group: str, n_column: str) -> str:
    """A caption stating the n a chart rests on and which groups have too few contacts."""
    total = int(table[n_column].sum()) if n_column in table else 0
    thin = table.loc[table["insufficient"].astype(bool)] if "insufficient" in table else table.iloc[0:0]
    note = f"n = {total:,} {'scored ' if n_column == 'scored' else ''}contacts."
    if len(thin):
        names = ", ".join(as_plain_text(v) for v in thin[group].tolist()[:8])
        note += f" Too few contacts (< {MIN_CONTACTS}) for {names}: shown in grey, not to be compared."
    return note


def _too_few(n) -> bool:
    return n is None or n < MIN_CONTACTS


def _pct(value) -> str:
    return "–" if value is None or value != value else f"{value:.0%}"


def kpi_tiles(data: dict, contacts: pd.DataFrame, flt: ContactFilter, shown_figures: dict) -> dict:
    """The five headline tiles of ``shown_figures`` (``headline_figures`` of ``contacts``), each with
    its n and, for a single wave, the change since the previous one.

    Returns the figures shown (for tests and the printable report).
    """
    from ui.dashboard_data import figures as cached

    all_contacts = data["contacts"]
    current, previous = previous_wave(
        [w for w in all_contacts["wave"].cat.categories], flt.waves, contacts["wave"].dropna().unique().tolist())
    single_wave = contacts["wave"].nunique() == 1
    before = None
    if single_wave and previous:
        earlier_filter = replace(flt, waves=(previous,), started_from=None, started_before=None)
        if len(filtered_contacts(data, earlier_filter)):
            before = cached(data, earlier_filter, "headline")
    figures = shown_figures

    def delta(key: str, n_key: str, scale: float = 1.0, unit: str = "") -> str | None:
        # no change against a previous wave too small to compare (the tile's note says so)
        if before is None or _too_few(before[n_key]) or before[key] is None or figures[key] is None:
            return None
        if before[key] != before[key] or figures[key] != figures[key]:
            return None
        return f"{(figures[key] - before[key]) * scale:+.1f}{unit}"

    def compared(n_key: str) -> str:
        """What the tile's change compares with, and the n of that wave."""
        if before is None:
            return ""
        if _too_few(before[n_key]):
            return f" · {as_plain_text(previous)}: too few to compare (n = {before[n_key]:,})"
        return f" · change vs {as_plain_text(previous)} (n = {before[n_key]:,})"

    columns = st.columns(5)
    tiles = [
        ("Quality", "quality", "scored", lambda v: f"{v:.1f}", delta("quality", "scored"),
         "Mean final quality score (0–100) of scored contacts, with N/A left out of the denominator.", "normal"),
        ("Consistency", "consistency", "contacts", lambda v: f"{v:.0f}", delta("consistency", "contacts"),
         "Consistency index, 0–100: score parity between channels, answer agreement and timing against each "
         "channel's own norm (docs/scoring.md). Mean over the brands in view.", "normal"),
        ("Response rate", "response_rate", "contacts", _pct, delta("response_rate", "contacts", 100, " pt"),
         "Contacts with a first response or a resolution, of all contacts (unanswered ones included).", "normal"),
        ("On-time rate", "on_time_rate", "with_deadline", _pct, delta("on_time_rate", "with_deadline", 100, " pt"),
         "Of contacts with a resolution deadline, the share not late as of now.", "normal"),
        ("1st response", "km_median", "contacts", duration, delta("km_median", "contacts", 1 / 60, " min"),
         "Median time to the first response, Kaplan–Meier: unanswered contacts count as still waiting, so the "
         "median is not flattered.", "inverse"),
    ]
    for column, (label, key, n_key, fmt, change, help_text, colour) in zip(columns, tiles, strict=True):
        n = figures[n_key]
        value = figures[key]
        note = compared(n_key)
        if _too_few(n):
            # the tile is narrow: the short word in large type, the whole reason in the caption
            shown, change, note = "too few", None, f" · too few contacts (fewer than {MIN_CONTACTS}) for a figure"
        elif value is None or value != value:
            shown = "–"
        else:
            shown = fmt(value)
        metric_tile(column, label, shown, n, change, help_text, colour, note=note)
    if not single_wave:
        st.caption("Select one wave to see the change against the previous wave.")
    return figures


def headline_figures(contacts: pd.DataFrame, as_of) -> dict:
    """The tile figures for a set of timed, scored contacts (all from ``scoring/``)."""
    overall = metrics_of_timed(contacts, []).iloc[0]
    by_brand = consistency(contacts, as_of, by=["brand"], already_timed=True).summary
    index = by_brand["consistency_index"].dropna()
    return {
        "quality": float(overall["mean_quality"]),
        "scored": int(overall["scored"]),
        "consistency": float(index.mean()) if len(index) else float("nan"),
        "response_rate": float(overall["response_rate"]),
        "contacts": int(overall["contacts"]),
        "on_time_rate": float(overall["on_time_rate"]),
        "with_deadline": int(overall["with_deadline"]),
        "km_median": float(overall["km_median_first_response_s"]),
    }


def response_time_table(contacts: pd.DataFrame) -> pd.DataFrame:
    """Per channel: spread of answered first-response times, KM median, target, n, unanswered.

    Expects the timeliness columns (``responded``, ``first_response_s``, ``response_time_s``).
    """
    if contacts.empty:
        return pd.DataFrame(columns=["channel", "p10", "p25", "p50", "p75", "p90", "km_median", "target", "n",
                                     "unanswered", "insufficient"])
    codes, channels = group_codes(contacts, ["channel"])  # integer codes: no string work per row
    g = len(channels)
    responded = contacts["responded"].to_numpy(bool)
    answered = pd.Series(contacts["first_response_s"].to_numpy(float)).where(responded)
    quantiles = answered.groupby(codes).quantile([0.1, 0.25, 0.5, 0.75, 0.9]).unstack()
    quantiles = quantiles.reindex(range(g)).to_numpy()
    wait = contacts["response_time_s"].to_numpy(float)
    has_wait = ~np.isnan(wait)
    km = stats.km_median_by_code(stats.km_table(wait[has_wait], responded[has_wait], codes[has_wait]), g)
    target = pd.Series(contacts["first_response_target_s"].to_numpy(float)).groupby(codes).median()
    table = pd.DataFrame({
        "channel": np.asarray(channels, dtype=object),
        "p10": quantiles[:, 0], "p25": quantiles[:, 1], "p50": quantiles[:, 2], "p75": quantiles[:, 3],
        "p90": quantiles[:, 4],
        "km_median": km,
        "target": target.reindex(range(g)).to_numpy(),
        "n": np.bincount(codes, minlength=g),
        "unanswered": np.bincount(codes, weights=~responded, minlength=g).astype(int),
    })
    table["insufficient"] = table["n"] < MIN_CONTACTS
    # a log axis cannot show zero seconds: clip to one second
    for column in ("p10", "p25", "p50", "p75", "p90", "km_median", "target"):
        table[column] = table[column].clip(lower=1)
    return table


def survival_table(contacts: pd.DataFrame) -> pd.DataFrame:
    """Kaplan–Meier share answered over time per channel, thinned to ``SURVIVAL_POINTS`` each."""
    codes, channels = group_codes(contacts, ["channel"])
    wait = contacts["response_time_s"].to_numpy(float)
    has_wait = ~np.isnan(wait)  # a contact without a start time has no duration to count
    table = stats.km_table(wait[has_wait], contacts["responded"].to_numpy(bool)[has_wait], codes[has_wait])
    sizes = np.bincount(codes, minlength=len(channels))
    parts = []
    for code, curve in table.groupby("g", sort=True):
        curve = curve[curve["time"] > 0]
        if curve.empty:
            continue
        # evenly spaced on the log axis, always keeping the last point
        grid = np.unique(np.geomspace(curve["time"].iloc[0], curve["time"].iloc[-1], SURVIVAL_POINTS))
        idx = np.searchsorted(curve["time"].to_numpy(), grid, side="right") - 1
        thinned = curve.iloc[np.unique(np.clip(idx, 0, len(curve) - 1))]
        parts.append(pd.DataFrame({
            "channel": str(channels[code]),
            "seconds": thinned["time"].to_numpy(),
            "share_answered": 1.0 - thinned["survival"].to_numpy(),
            "n": int(sizes[code]),
            "insufficient": bool(sizes[code] < MIN_CONTACTS),
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["channel", "seconds", "share_answered", "n", "insufficient"])


def previous_wave(all_waves: list[str], selected: tuple[str, ...], present: list[str]) -> tuple[str | None, str | None]:
    """(current, previous) wave for deltas: the newest wave in view and the wave before it."""
    ordered = sorted(w for w in all_waves if w)
    in_view = sorted(w for w in (selected or present) if w)
    if not in_view:
        return None, None
    current = in_view[-1]
    index = ordered.index(current) if current in ordered else -1
    return current, (ordered[index - 1] if index > 0 else None)


def metric_tile(column, label: str, value: str, n: int | None, delta: str | None = None, help: str = "",
                delta_color: str = "normal", note: str = "") -> None:
    """One KPI tile with its n (and ``note``) underneath; ``value`` already formatted (or "too few")."""
    column.metric(label, value, delta=delta, help=help, delta_color=delta_color, border=True)
    if n is not None:
        column.caption(f"n = {n:,}{note}")


def contacts_label(n: int) -> str:
    """"1 contact", "1,234 contacts"."""
    return f"{n:,} contact{'' if n == 1 else 's'}"


def filter_summary(flt: ContactFilter) -> str:
    """The filters in force as one line for a caption (names made literal: captions render Markdown)."""
    parts = []
    for label, values in (("brand", flt.brands), ("wave", flt.waves), ("journey", flt.journeys),
                          ("channel", flt.channels), ("location", flt.locations)):
        if values:
            parts.append(f"{label}: {', '.join(as_plain_text(v) for v in values)}")
    if flt.started_from or flt.started_before:  # the local dates the manager picked, both ends included
        first = f"{flt.started_from.astimezone(LOCAL_ZONE).date()}" if flt.started_from else "…"
        last = f"{flt.started_before.astimezone(LOCAL_ZONE).date() - timedelta(days=1)}" if flt.started_before else "…"
        parts.append(f"started {first} to {last}")
    return "; ".join(parts) or "all contacts"




def consistency_table(contacts: pd.DataFrame, as_of, by: list[str]) -> pd.DataFrame:
    """The consistency summary per group, with the columns a manager reads first."""
    summary = consistency(contacts, as_of, by=by, already_timed=True).summary.reset_index()
    columns = [*by, "consistency_index", "channel_gap", "best_channel", "worst_channel", "answer_agreement",
               "consistent_all_channels", "slowest_channel", "timing_on_norm", "channels", "insufficient_channels",
               "kruskal_p", "kruskal_n", "chi2_p", "chi2_n"]
    return summary[columns].sort_values("consistency_index", ascending=False, na_position="last")


@dataclass(frozen=True)
class ItemScores:
    """Every scored (not N/A) checklist answer as flat arrays, one entry per answer.

    Built once per data version (``ui.dashboard_data``), so a criterion view of any filter is a
    gather and a ``bincount`` over these arrays instead of re-scoring millions of answers.
    """

    row: np.ndarray  # int64, the answer's contact as its ``row`` in the scored frame
    rows: int  # rows of that frame
    item: np.ndarray  # int64 index into ``labels``: the criterion code (versions share a code)
    score: np.ndarray  # item score 0..100 (scoring.quality.answer_scores)
    labels: np.ndarray  # "CODE · text" per item


def item_scores(frame: pd.DataFrame, answers: pd.DataFrame, criteria: pd.DataFrame) -> ItemScores:
    """The ``ItemScores`` of the scored frame's contacts (``ui.dashboard_data.build_scored``, with
    its ``row`` column); item scores as ``scoring.quality`` defines them."""
    items = answer_scores(frame, answers, criteria)
    items = items[~items["is_na"].to_numpy()]
    rows = frame["row"].to_numpy(np.int64)[pd.Index(frame["contact_id"]).get_indexer(items["contact_id"])]
    item, codes = pd.factorize(items["code"], sort=True)
    texts = criteria.drop_duplicates("code").set_index("code")["text"]
    labels = np.array([f"{code} · {str(texts.get(code, '') or '')[:50]}" for code in codes], dtype=object)
    return ItemScores(rows, len(frame), item.astype(np.int64), items["item_score"].to_numpy(float), labels)


def criterion_channel_table(contacts: pd.DataFrame, items: ItemScores, max_items: int = 40) -> pd.DataFrame:
    """Mean item score (0–1) per checklist item × channel for ``contacts`` (rows of the frame
    ``items`` was built from), for the heatmap; items with the widest spread between channels
    first, at most ``max_items`` of them. Cells with fewer than ``MIN_CONTACTS`` answers are left out."""
    empty = pd.DataFrame(columns=["criterion", "channel", "score", "n", "spread"])
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
    return cells[["criterion", "channel", "score", "n", "spread"]].reset_index(drop=True)


def contact_list(contacts: pd.DataFrame) -> pd.DataFrame:
    """The contacts of a drill-down, newest first, with the columns a manager scans."""
    ordered = contacts.sort_values(["started_at", "contact_id"], ascending=False, kind="stable")
    return pd.DataFrame({
        "contact": ordered["contact_id"].to_numpy(),
        "started (Amsterdam)": local_column(ordered["started_at"], MINUTE),
        "brand": ordered["brand"].astype(str).to_numpy(),
        "channel": ordered["channel"].astype(str).to_numpy(),
        "journey": ordered["journey"].astype(str).to_numpy(),
        "wave": ordered["wave"].astype(str).to_numpy(),
        "score": ordered["final_score"].round(1).to_numpy(),
        "first response": ordered["first_response_s"].map(duration).where(ordered["responded"], "unanswered").to_numpy(),
        "answer correct": ordered["answer_correct"].map({True: "yes", False: "no"}).fillna("–").to_numpy(),
        "redirected to": ordered["redirected_to"].fillna("").to_numpy(),
    })


def brand_report(all_contacts: pd.DataFrame, flt: ContactFilter, brand: str, wave: str | None, as_of) -> str:
    """The printable one-page report for one brand (and wave): tiles, main charts, channel table."""
    from ui import charts
    from ui.report import brand_report_html

    scope = replace(flt, brands=(brand,), waves=(wave,) if wave else ())
    contacts = apply_filter(all_contacts, scope)
    figures = headline_figures(contacts, as_of) if len(contacts) else None
    by_channel = metrics_of_timed(contacts, ["channel"]).reset_index() if len(contacts) else pd.DataFrame()

    def shown(key, n_key, fmt):
        if figures is None or _too_few(figures[n_key]):
            return ("too few contacts", figures[n_key] if figures else 0)
        value = figures[key]
        return ("–" if value != value else fmt(value), figures[n_key])

    tiles = [("Quality", *shown("quality", "scored", lambda v: f"{v:.1f}")),
             ("Consistency index", *shown("consistency", "contacts", lambda v: f"{v:.0f}")),
             ("Response rate", *shown("response_rate", "contacts", _pct)),
             ("On-time rate", *shown("on_time_rate", "with_deadline", _pct)),
             ("Median first response", *shown("km_median", "contacts", duration))]
    sections = []
    if len(contacts):
        sections = [("Quality per channel (95 % interval)", charts.quality_by_group(by_channel, "channel")),
                    ("Time to first response (log scale, target in orange)",
                     charts.response_times(response_time_table(contacts)))]
    table = by_channel[["channel", "contacts", "response_rate", "km_median_first_response_s", "on_time_rate",
                        "mean_quality", "accuracy_rate", "redirect_rate"]].copy() if len(by_channel) else pd.DataFrame()
    if len(table):
        for column in ("response_rate", "on_time_rate", "accuracy_rate", "redirect_rate"):
            table[column] = (100 * table[column]).round(0)
        table["km_median_first_response_s"] = table["km_median_first_response_s"].map(duration)
        table = table.rename(columns={"km_median_first_response_s": "median first response (KM)",
                                      "response_rate": "response %", "on_time_rate": "on time %",
                                      "accuracy_rate": "correct %", "redirect_rate": "redirected %",
                                      "mean_quality": "quality"})
    return brand_report_html(brand=brand, wave=wave, as_of=as_of, tiles=tiles, chart_sections=sections, table=table)
