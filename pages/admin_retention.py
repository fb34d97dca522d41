"""Privacy (admin): how long evidence files are kept, with a dry run before deleting."""

import streamlit as st

from data.db import read_scope, session_scope
from journeys.errors import KlantreisError
from journeys.fieldwork.retention import MAX_MONTHS, purge_evidence, retention_months, set_retention_months
from journeys.language import _, day_text, ngettext, number
from ui.actions import show_refusal
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()


def megabytes(size: int) -> str:
    return _("{size} MB").format(size=number(size / 1_000_000, 1))


st.title(_("Privacy"), anchor=False)
st.caption(_(
    "Evidence files (screenshots, recordings) can hold personal data. Delete them once they are older than "
    "the retention period; contacts, scores and notes stay. The same runs from the command line: "
    "`klantreis retention --months N --dry-run`."
))

with read_scope(engine) as session:
    configured = retention_months(session=session)

notice = st.session_state.pop("admin_retention_notice", None)
if notice:
    st.success(notice, icon=":material/check:")

with st.form("retention_setting"):
    months = st.number_input(
        _("Keep evidence for (months)"), min_value=1, max_value=MAX_MONTHS, step=1, value=configured or 24,
        key="retention_months",
    )
    if st.form_submit_button(_("Save retention period")):
        try:
            with session_scope(engine) as session:
                set_retention_months(session=session, actor=user, months=int(months))
            st.success(ngettext("Evidence is kept for {n} month.", "Evidence is kept for {n} months.",
                                int(months)).format(n=number(int(months))), icon=":material/check:")
            configured = int(months)
        except KlantreisError as error:
            show_refusal(error)

if configured is None:
    st.info(_("No retention period is set yet: evidence is kept until you save one."), icon=":material/info:")
    st.stop()

with read_scope(engine) as session:
    preview = purge_evidence(session=session, months=configured, dry_run=True, actor=user)
st.metric(
    ngettext("Evidence older than {n} month (uploaded before {day})",
             "Evidence older than {n} months (uploaded before {day})", configured).format(
        n=number(configured), day=day_text(preview.cutoff)),
    ngettext("{n} file", "{n} files", preview.files).format(n=number(preview.files)),
    help=megabytes(preview.bytes),
    delta=None,
)
if preview.files:
    confirmed = st.checkbox(
        ngettext("I understand that {n} evidence file will be deleted for good.",
                 "I understand that {n} evidence files will be deleted for good.", preview.files).format(
            n=number(preview.files)),
        key="retention_confirm",
    )
    if st.button(_("Delete old evidence"), type="primary", disabled=not confirmed, icon=":material/delete:",
                 key="retention_delete"):
        try:
            with session_scope(engine) as session:
                report = purge_evidence(session=session, months=configured, dry_run=False, actor=user)
        except KlantreisError as error:
            show_refusal(error)
        else:
            st.session_state["admin_retention_notice"] = ngettext(
                "Deleted {n} evidence file ({size}).", "Deleted {n} evidence files ({size}).", report.files,
            ).format(n=number(report.files), size=megabytes(report.bytes))
            st.rerun()
else:
    st.success(_("Nothing to delete: no evidence is older than the retention period."), icon=":material/check:")
