"""The journey editor: texts, channels with targets (human units), and the checklist as a table.

``journey_form`` renders the widgets and returns a ``JourneyIn`` built from them; the pages
hand it to the services, which validate and name the row and field of every problem.

The checklist table shows the criteria of a list kept in the session (the *base*); the table's
own edits are a delta on it (the state Streamlit keeps for a table editor). "Add a criterion" is a form
whose submit button runs ``add_criterion`` as its callback: Streamlit runs a callback at the
start of the run its click causes, before the script, so an add cannot be dropped when a new
interaction interrupts that run before it reaches the form (which is how criteria got lost
while the server was slow: the add was handled in the script body, after the page's reads).
The callback folds the table's edits into the base (``apply_table_edits``), appends the new
criterion or refuses it with the problem named, and leaves a notice under the form.
Critical policies and kinds are shown in the users' words (``journeys.wording``), and every
label, help text and notice in the user's language (``journeys.language``). The tables' column
keys and the widget keys stay the same in every language; only their labels are translated.
A new criterion's section starts as "General" in the user's language ("Algemeen"); what is
typed is stored as typed.
"""

import math

import pandas as pd
import streamlit as st

from journeys.catalogue.journeys import CriterionIn, JourneyChannelIn, JourneyIn, criterion_problems
from journeys.catalogue.reference import BUILTIN_BY_NAME, DEFAULTS_BY_KIND
from journeys.language import N_, _
from journeys.models import ChannelKind, CriterionKind, CriticalPolicy
from journeys.wording import (
    criterion_kind_label,
    critical_policy_help,
    critical_policy_label,
)
from ui.text import as_plain_text

CHECKLIST_COLUMNS = ["code", "text", "section", "kind", "scale_min", "scale_max", "weight", "na_allowed",
                     "critical_policy", "bonus", "channels"]
# What a person needs to see at a glance comes first, so N/A, knock-out, bonus and channels
# stay on screen at 1440 px; the kind and its scale bounds follow.
CHECKLIST_ORDER = ["code", "text", "critical_policy", "na_allowed", "bonus", "channels", "weight", "section",
                   "kind", "scale_min", "scale_max"]
POLICY_OPTIONS = [p.value for p in CriticalPolicy]
KIND_OPTIONS = [k.value for k in CriterionKind]
# A new criterion does not allow N/A unless the author says so.
NA_ALLOWED_DEFAULT = False


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


def _channel_list(text) -> tuple[str, ...]:
    return tuple(c.strip().lower() for c in str(_clean(text, "")).split(",") if c.strip())


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
            weight=_clean(row.get("weight"), 1.0), na_allowed=bool(_clean(row.get("na_allowed"), NA_ALLOWED_DEFAULT)),
            critical_policy=_clean(row.get("critical_policy"), CriticalPolicy.NONE.value),
            bonus=bool(_clean(row.get("bonus"), False)), channels=_channel_list(row.get("channels"))))
    return criteria


def apply_table_edits(frame: pd.DataFrame, edits: dict | None) -> pd.DataFrame:
    """``frame`` with a ``data_editor``'s edits applied (its session-state value: ``edited_rows``,
    ``added_rows``, ``deleted_rows``), as the table returns it to the script."""
    if not edits:
        return frame
    rows = frame.to_dict("records")
    for index, changes in (edits.get("edited_rows") or {}).items():
        index = int(index)
        if 0 <= index < len(rows):
            rows[index].update(changes)
    deleted = {int(i) for i in edits.get("deleted_rows") or ()}
    rows = [row for i, row in enumerate(rows) if i not in deleted]
    rows += [dict(added) for added in edits.get("added_rows") or ()]
    return pd.DataFrame(rows, columns=CHECKLIST_COLUMNS)


def policy_legend() -> str:
    """Every critical policy in words with what it does, one Markdown line each."""
    return "\n".join(f"- **{critical_policy_label(p)}**: {critical_policy_help(p)}" for p in POLICY_OPTIONS)


def _add_keys(key: str) -> dict[str, str]:
    fields = ("code", "text", "section", "weight", "kind", "scale_min", "scale_max", "policy", "na", "bonus",
              "channels")
    return {field: f"{key}_add_{field}" for field in fields}


# What a new criterion starts from, and what the form returns to after an add (the section is
# kept: criteria often come in a row of one section).
_ADD_DEFAULTS = {"code": "", "text": "", "weight": 1.0, "kind": CriterionKind.YESNO.value, "scale_min": None,
                 "scale_max": None, "policy": CriticalPolicy.NONE.value, "na": NA_ALLOWED_DEFAULT, "bonus": False,
                 "channels": []}
# The add form's labels, for its refusals.
_ADD_FIELD_LABELS = {"code": N_("Code"), "text": N_("Criterion"), "section": N_("Section"), "weight": N_("Weight"),
                     "kind": N_("Kind"), "scale_min": N_("Scale from"), "scale_max": N_("Scale to"),
                     "critical_policy": N_("Critical (knock-out)"), "channels": N_("Only on channels")}


def _clear_add_form(key: str) -> None:
    keys = _add_keys(key)
    for field, value in _ADD_DEFAULTS.items():
        st.session_state[keys[field]] = value


def _refusal(problem) -> str:
    value = problem.value
    if problem.field == "critical_policy" and value is not None:
        value = critical_policy_label(value)
    label = _(_ADD_FIELD_LABELS[problem.field]) if problem.field in _ADD_FIELD_LABELS else problem.field
    if value is None:
        return _("{field}: {problem}").format(field=label, problem=problem.message)
    return _("{field}: {problem} (got {value})").format(field=label, problem=problem.message, value=repr(value))


def add_criterion(key: str, journey_channels: list[str]) -> None:
    """The "Add criterion" callback: the typed criterion joins the checklist, or is refused with
    each problem named and the typed values kept; either way a notice says so under the form."""
    keys, state = _add_keys(key), st.session_state
    base_key, round_key, result_key = f"{key}_base", f"{key}_round", f"{key}_add_result"
    kind = state.get(keys["kind"]) or CriterionKind.YESNO.value
    criterion = CriterionIn(
        code=(state.get(keys["code"]) or "").strip(), text=(state.get(keys["text"]) or "").strip(),
        section=(state.get(keys["section"]) or "").strip() or _("General"),
        weight=float(_clean(state.get(keys["weight"]), 1.0)), kind=kind,
        scale_min=_clean(state.get(keys["scale_min"])) if kind == CriterionKind.SCALE else None,
        scale_max=_clean(state.get(keys["scale_max"])) if kind == CriterionKind.SCALE else None,
        na_allowed=bool(state.get(keys["na"], NA_ALLOWED_DEFAULT)),
        critical_policy=state.get(keys["policy"]) or CriticalPolicy.NONE.value,
        bonus=bool(state.get(keys["bonus"], False)),
        channels=tuple(c.strip().lower() for c in state.get(keys["channels"]) or ()))
    table_key = f"{key}_checklist_{state[round_key]}"
    current = criteria_from_frame(apply_table_edits(checklist_frame(state[base_key]), state.get(table_key)))
    row = len(current) + 1
    problems = [p for p in criterion_problems(current + [criterion], {c.lower() for c in journey_channels})
                if p.row == row]
    if problems:
        state[result_key] = ("error", [_refusal(p) for p in problems])
        return
    state[base_key] = current + [criterion]
    state[round_key] += 1  # a fresh table, started from the new base (the old edits are in it now)
    state[result_key] = ("ok", _("Added “{code}” as criterion {row}; save the journey to keep it.").format(
        code=criterion.code, row=row))
    _clear_add_form(key)


def _add_form(key: str, chosen: list[str]) -> None:
    keys, state = _add_keys(key), st.session_state
    for field, value in {**_ADD_DEFAULTS, "section": _("General")}.items():
        state.setdefault(keys[field], value)  # set here, not as widget values: the callback resets them
    if any(c not in chosen for c in state[keys["channels"]]):  # a channel left the journey; else keep what is picked
        state[keys["channels"]] = [c for c in state[keys["channels"]] if c in chosen]
    with st.form(f"{key}_add", border=True):
        st.markdown(_("**Add a criterion** (handy on a phone)"))
        left, right = st.columns([1, 3])
        left.text_input(_("Code"), key=keys["code"])
        right.text_input(_("Criterion"), key=keys["text"])
        left, mid, right = st.columns(3)
        left.text_input(_("Section"), key=keys["section"])
        mid.number_input(_("Weight"), min_value=0.0, step=0.5, key=keys["weight"])
        right.multiselect(_("Only on channels"), chosen, key=keys["channels"], placeholder=_("empty = every channel"))
        left, mid, right = st.columns(3)
        left.selectbox(_("Kind"), KIND_OPTIONS, format_func=criterion_kind_label, key=keys["kind"])
        mid.number_input(_("Scale from"), value=None, step=1.0, key=keys["scale_min"], help=_("Only for a scale."))
        right.number_input(_("Scale to"), value=None, step=1.0, key=keys["scale_max"], help=_("Only for a scale."))
        st.selectbox(_("Critical (knock-out)"), POLICY_OPTIONS, format_func=critical_policy_label, key=keys["policy"],
                     help=_("What a failed answer on this criterion does:") + "\n\n" + policy_legend())
        left, right = st.columns(2)
        left.checkbox(_("N/A allowed"), key=keys["na"],
                      help=_("The auditor may answer 'not applicable'; the criterion then does not count."))
        right.checkbox(_("Bonus"), key=keys["bonus"], help=_("Extra points on top; never critical."))
        st.form_submit_button(_("Add criterion"), icon=":material/playlist_add:", on_click=add_criterion,
                              args=(key, list(chosen)))
        outcome = st.session_state.pop(f"{key}_add_result", None)
        if outcome and outcome[0] == "ok":
            st.success(as_plain_text(outcome[1]), icon=":material/check_circle:")
        elif outcome:
            st.error(_("Not added, your input is kept:") + "\n\n" + "\n".join(f"- {as_plain_text(p)}" for p in outcome[1]),
                     icon=":material/error:")


def journey_form(initial: JourneyIn, channel_names: list[str], channel_kinds: dict[str, str], key: str) -> JourneyIn:
    """Widgets for a journey, prefilled from ``initial``; returns what the user has entered."""
    name = st.text_input(_("Name"), value=initial.name, key=f"{key}_name")
    scenario = st.text_area(_("Scenario (what the mystery shopper plays)"), value=initial.scenario,
                            key=f"{key}_scenario")
    question = st.text_area(_("The question asked on every channel"), value=initial.question, key=f"{key}_question")
    reference = st.text_area(_("Reference answer (what a correct answer must contain)"),
                             value=initial.reference_answer, key=f"{key}_reference")
    chosen = st.multiselect(_("Channels"), channel_names, default=[c.channel for c in initial.channels
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
    st.caption(_("Targets start from the trade's common norms (phone 20 s, chat 40 s, e-mail 4 working hours, "
                 "social 1 h, messaging 20 min); change them per channel. 'Working hours only' measures on the "
                 "business clock (Mon–Fri 09–17, Dutch holidays off)."))
    targets = st.data_editor(
        pd.DataFrame(rows, columns=["channel", "first response (min)", "resolution (min)", "working hours only"]),
        hide_index=True, width="stretch", disabled=["channel"], key=f"{key}_targets_{'-'.join(chosen)}",
        column_config={"channel": st.column_config.TextColumn(_("Channel")),
                       "first response (min)": st.column_config.NumberColumn(
                           _("First response (min)"), min_value=0.01, format="%.2f"),
                       "resolution (min)": st.column_config.NumberColumn(
                           _("Resolution (min)"), min_value=0.01, format="%.1f"),
                       "working hours only": st.column_config.CheckboxColumn(_("Working hours only"))})
    st.markdown(_("**Checklist** — one row per criterion. Channels: empty = every channel, else comma-separated "
                  "names (e.g. `store`): on other channels the item is N/A by design."))
    base_key, round_key = f"{key}_base", f"{key}_round"
    if base_key not in st.session_state:
        st.session_state[base_key] = list(initial.criteria)
        st.session_state[round_key] = 0
    checklist = st.data_editor(
        checklist_frame(st.session_state[base_key]), num_rows="dynamic", hide_index=True, width="stretch",
        key=f"{key}_checklist_{st.session_state[round_key]}", column_order=CHECKLIST_ORDER,
        column_config={
            "code": st.column_config.TextColumn(_("Code"), width=80),
            "text": st.column_config.TextColumn(_("Criterion"), width=260),
            "critical_policy": st.column_config.SelectboxColumn(
                _("Critical (knock-out)"), width=165, options=POLICY_OPTIONS, format_func=critical_policy_label,
                default=CriticalPolicy.NONE.value, required=True,
                help=_("What a failed answer does; see the list under the table.")),
            "na_allowed": st.column_config.CheckboxColumn(_("N/A allowed"), width=105, default=NA_ALLOWED_DEFAULT),
            "bonus": st.column_config.CheckboxColumn(_("Bonus"), width=70, default=False),
            "channels": st.column_config.TextColumn(_("Only on channels"), width=125,
                                                    help=_("Empty = every channel; else comma-separated names.")),
            "weight": st.column_config.NumberColumn(_("Weight"), width=70, default=1.0),
            "section": st.column_config.TextColumn(_("Section"), width=110),
            "kind": st.column_config.SelectboxColumn(
                _("Kind"), width=90, options=KIND_OPTIONS, format_func=criterion_kind_label,
                default=CriterionKind.YESNO.value, required=True),
            "scale_min": st.column_config.NumberColumn(_("Scale from"), width=80),
            "scale_max": st.column_config.NumberColumn(_("Scale to"), width=80),
        })
    st.caption(_("Critical (knock-out): what a failed answer does.") + "\n\n" + policy_legend())
    _add_form(key, chosen)

    def seconds(value):
        value = _clean(value)
        return None if value is None else int(round(float(value) * 60))

    return JourneyIn(
        name=name, scenario=scenario, question=question, reference_answer=reference,
        channels=[JourneyChannelIn(r["channel"], seconds(r["first response (min)"]), seconds(r["resolution (min)"]),
                                   bool(r["working hours only"])) for r in targets.to_dict("records")],
        criteria=criteria_from_frame(checklist))
