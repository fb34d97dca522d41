"""The journey editor: texts, channels with targets (human units), and the checklist as a table.

``journey_form`` renders the widgets and returns a ``JourneyIn`` built from them; the pages
hand it to the services, which validate and name the row and field of every problem.
"""

import math

import pandas as pd
import streamlit as st

from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn
from journeys.catalogue.reference import BUILTIN_BY_NAME, DEFAULTS_BY_KIND
from journeys.models import ChannelKind, CriterionKind, CriticalPolicy

CHECKLIST_COLUMNS = ["code", "text", "section", "kind", "scale_min", "scale_max", "weight", "na_allowed",
                     "critical_policy", "bonus", "channels"]


def _minutes(seconds):
    return None if seconds is None else round(seconds / 60, 2)


def checklist_frame(criteria: list[CriterionIn]) -> pd.DataFrame:
    rows = [{"code": c.code, "text": c.text, "section": c.section, "kind": c.kind, "scale_min": c.scale_min,
             "scale_max": c.scale_max, "weight": c.weight, "na_allowed": c.na_allowed,
             "critical_policy": c.critical_policy, "bonus": c.bonus, "channels": ", ".join(c.channels)}
            for c in criteria]
    return pd.DataFrame(rows, columns=CHECKLIST_COLUMNS).astype({"scale_min": float, "scale_max": float,
                                                                 "weight": float})


def _clean(value, default=None):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    return value


def criteria_from_frame(frame: pd.DataFrame) -> list[CriterionIn]:
    """Rows of the checklist table as criteria; wholly empty rows (an unused new line) are skipped."""
    criteria = []
    for row in frame.to_dict("records"):
        if not any(_clean(row.get(c)) not in (None, "", False) for c in ("code", "text")):
            continue
        criteria.append(CriterionIn(
            code=str(_clean(row.get("code"), "")), text=str(_clean(row.get("text"), "")),
            section=str(_clean(row.get("section"), "General")), kind=_clean(row.get("kind"), CriterionKind.YESNO.value),
            scale_min=_clean(row.get("scale_min")), scale_max=_clean(row.get("scale_max")),
            weight=_clean(row.get("weight"), 1.0), na_allowed=bool(_clean(row.get("na_allowed"), True)),
            critical_policy=_clean(row.get("critical_policy"), CriticalPolicy.NONE.value),
            bonus=bool(_clean(row.get("bonus"), False)),
            channels=tuple(c.strip().lower() for c in str(_clean(row.get("channels"), "")).split(",") if c.strip())))
    return criteria


def journey_form(initial: JourneyIn, channel_names: list[str], channel_kinds: dict[str, str], key: str) -> JourneyIn:
    """Widgets for a journey, prefilled from ``initial``; returns what the user has entered."""
    name = st.text_input("Name", value=initial.name, key=f"{key}_name")
    scenario = st.text_area("Scenario (what the mystery shopper plays)", value=initial.scenario, key=f"{key}_scenario")
    question = st.text_area("The question asked on every channel", value=initial.question, key=f"{key}_question")
    reference = st.text_area("Reference answer (what a correct answer must contain)", value=initial.reference_answer,
                             key=f"{key}_reference")
    chosen = st.multiselect("Channels", channel_names, default=[c.channel for c in initial.channels
                                                                if c.channel in channel_names], key=f"{key}_channels")
    given = {c.channel: c for c in initial.channels}
    rows = []
    for name_ in chosen:
        spec = given.get(name_)
        builtin = BUILTIN_BY_NAME.get(name_) or DEFAULTS_BY_KIND.get(ChannelKind(channel_kinds.get(name_, "other")))
        first = spec.first_response_target_seconds if spec and spec.first_response_target_seconds else (
            builtin.first_response_target_seconds if builtin else None)
        resolution = spec.resolution_target_seconds if spec and spec.resolution_target_seconds else (
            builtin.resolution_target_seconds if builtin else None)
        hours = spec.business_hours if spec and spec.business_hours is not None else (
            builtin.business_hours if builtin else False)
        rows.append({"channel": name_, "first response (min)": _minutes(first), "resolution (min)": _minutes(resolution),
                     "working hours only": bool(hours)})
    st.caption("Targets start from the trade's common norms (phone 20 s, chat 40 s, e-mail 4 working hours, "
               "social 1 h, messaging 20 min); change them per channel. 'Working hours only' measures on the "
               "business clock (Mon–Fri 09–17, Dutch holidays off).")
    targets = st.data_editor(
        pd.DataFrame(rows, columns=["channel", "first response (min)", "resolution (min)", "working hours only"]),
        hide_index=True, width="stretch", disabled=["channel"], key=f"{key}_targets_{'-'.join(chosen)}",
        column_config={"first response (min)": st.column_config.NumberColumn(min_value=0.01, format="%.2f"),
                       "resolution (min)": st.column_config.NumberColumn(min_value=0.01, format="%.1f")})
    st.markdown("**Checklist** — one row per criterion. Channels: empty = every channel, else comma-separated "
                "names (e.g. `store`): on other channels the item is N/A by design.")
    # The table starts from a base list kept in the session; "Add a criterion" folds the table's
    # current edits into that base and adds the new row, so nothing typed in the table is lost.
    base_key, round_key = f"{key}_base", f"{key}_round"
    if base_key not in st.session_state:
        st.session_state[base_key] = list(initial.criteria)
        st.session_state[round_key] = 0
    checklist = st.data_editor(
        checklist_frame(st.session_state[base_key]), num_rows="dynamic", hide_index=True, width="stretch",
        key=f"{key}_checklist_{st.session_state[round_key]}",
        column_config={
            "code": st.column_config.TextColumn("code", width="small"),
            "text": st.column_config.TextColumn("text", width="large"),
            "kind": st.column_config.SelectboxColumn("kind", options=[k.value for k in CriterionKind], default="yesno"),
            "scale_min": st.column_config.NumberColumn("scale min"),
            "scale_max": st.column_config.NumberColumn("scale max"),
            "weight": st.column_config.NumberColumn("weight", default=1.0),
            "na_allowed": st.column_config.CheckboxColumn("N/A allowed", default=True),
            "critical_policy": st.column_config.SelectboxColumn(
                "critical", options=[p.value for p in CriticalPolicy], default="none"),
            "bonus": st.column_config.CheckboxColumn("bonus", default=False),
            "channels": st.column_config.TextColumn("channels"),
        })
    with st.form(f"{key}_add", clear_on_submit=True, border=True):
        st.markdown("**Add a criterion** (handy on a phone)")
        left, right = st.columns([1, 3])
        code = left.text_input("Code", key=f"{key}_add_code")
        text = right.text_input("Criterion", key=f"{key}_add_text")
        left, mid, right = st.columns(3)
        section = left.text_input("Section", value="General", key=f"{key}_add_section")
        weight = mid.number_input("Weight", min_value=0.0, value=1.0, step=0.5, key=f"{key}_add_weight")
        only = right.text_input("Only on channels", key=f"{key}_add_channels", placeholder="empty = all")
        if st.form_submit_button("Add criterion", icon=":material/playlist_add:"):
            st.session_state[base_key] = criteria_from_frame(checklist) + [CriterionIn(
                code=code, text=text, section=section or "General", weight=weight,
                channels=tuple(c.strip().lower() for c in only.split(",") if c.strip()))]
            st.session_state[round_key] += 1
            st.rerun()

    def seconds(value):
        value = _clean(value)
        return None if value is None else int(round(float(value) * 60))

    return JourneyIn(
        name=name, scenario=scenario, question=question, reference_answer=reference,
        channels=[JourneyChannelIn(r["channel"], seconds(r["first response (min)"]), seconds(r["resolution (min)"]),
                                   bool(r["working hours only"])) for r in targets.to_dict("records")],
        criteria=criteria_from_frame(checklist))
