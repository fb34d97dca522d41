"""Privacy (admin): how long evidence files are kept, with a dry run before deleting."""

import streamlit as st

from data.db import read_scope, session_scope
from journeys.errors import KlantreisError
from journeys.fieldwork.retention import MAX_MONTHS, purge_evidence, retention_months, set_retention_months
from ui.actions import show_refusal
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()

st.title("Privacy", anchor=False)
st.caption(
    "Evidence files (screenshots, recordings) can hold personal data. Delete them once they are older than "
    "the retention period; contacts, scores and notes stay. The same runs from the command line: "
    "`klantreis retention --months N --dry-run`."
)

with read_scope(engine) as session:
    configured = retention_months(session=session)

notice = st.session_state.pop("admin_retention_notice", None)
if notice:
    st.success(notice, icon=":material/check:")

with st.form("retention_setting"):
    months = st.number_input(
        "Keep evidence for (months)", min_value=1, max_value=MAX_MONTHS, step=1, value=configured or 24,
    )
    if st.form_submit_button("Save retention period"):
        try:
            with session_scope(engine) as session:
                set_retention_months(session=session, actor=user, months=int(months))
            st.success(f"Evidence is kept for {int(months)} months.", icon=":material/check:")
            configured = int(months)
        except KlantreisError as error:
            show_refusal(error)

if configured is None:
    st.info("No retention period is set yet: evidence is kept until you save one.", icon=":material/info:")
    st.stop()

with read_scope(engine) as session:
    preview = purge_evidence(session=session, months=configured, dry_run=True, actor=user)
st.metric(
    f"Evidence older than {configured} months (uploaded before {preview.cutoff:%Y-%m-%d})",
    f"{preview.files:,} files",
    help=f"{preview.bytes / 1_000_000:.1f} MB",
    delta=None,
)
if preview.files:
    confirmed = st.checkbox(f"I understand that {preview.files:,} evidence files will be deleted for good.")
    if st.button("Delete old evidence", type="primary", disabled=not confirmed, icon=":material/delete:"):
        try:
            with session_scope(engine) as session:
                report = purge_evidence(session=session, months=configured, dry_run=False, actor=user)
        except KlantreisError as error:
            show_refusal(error)
        else:
            st.session_state["admin_retention_notice"] = (
                f"Deleted {report.files:,} evidence files ({report.bytes / 1_000_000:.1f} MB)."
            )
            st.rerun()
else:
    st.success("Nothing to delete: no evidence is older than the retention period.", icon=":material/check:")
