"""The Alerts page's widgets: one's own e-mail address and alert mode; the admins' mail queue.

The form saves address and mode together in one transaction (``journeys.alerts.preferences``);
an invalid address is refused naming the value. While mail is not set up the page says so
(``journeys.alerts.config.not_configured_text``), and a user without an address reads that
their alerts wait for one. The queue (admins only) shows mails per status, those waiting to
retry with their last error (as plain text: a server's reply is not ours), and "Send now".
"""

import pandas as pd
import streamlit as st

from data.db import read_scope
from journeys.accounts.access import ALERT_ADMINS, has_role
from journeys.alerts import config
from journeys.alerts.preferences import alert_preferences, queue_summary, set_alert_preferences
from journeys.alerts.worker import send_now
from journeys.errors import KlantreisError
from journeys.language import N_, _, ngettext, number
from journeys.local_time import MINUTE, local_column
from journeys.models import AlertMode
from ui.actions import run_action, show_refusal
from ui.text import as_plain_text

MODE_LABELS = {
    AlertMode.ALL.value: N_("All: urgent alerts at once, the rest in a daily digest"),
    AlertMode.DIGEST.value: N_("The daily digest only"),
    AlertMode.OFF.value: N_("None (unsubscribed)"),
}


def mail_setup_note() -> config.MailSettings | None:
    """Say when mail is not set up (or set up wrongly); the settings when it is."""
    try:
        settings = config.mail_settings()
    except KlantreisError as error:
        show_refusal(error)
        return None
    if settings is None:
        st.info(config.not_configured_text(), icon=":material/mail_lock:")
    return settings


def preferences_form(engine, *, actor) -> None:
    """The signed-in user's own address and alert mode, saved in one transaction."""
    with read_scope(engine) as session:
        mine = alert_preferences(session, actor=actor)
    if not mine.email and mine.alerts != AlertMode.OFF.value:
        st.warning(_("You have no e-mail address here: your alerts wait (nothing is lost) and are sent once you "
                     "set one."), icon=":material/mail:")
    if mine.waiting:
        st.caption(ngettext("{n} alert is waiting for the next mail.", "{n} alerts are waiting for the next mail.",
                            mine.waiting).format(n=number(mine.waiting)))
    with st.form("alert_preferences"):
        email = st.text_input(_("E-mail address"), value=mine.email, key="alerts_email",
                              placeholder="name@example.org")
        modes = list(MODE_LABELS)
        mode = st.radio(_("Alert mails"), modes, index=modes.index(mine.alerts), key="alerts_mode",
                        format_func=lambda m: _(MODE_LABELS[m]))
        saved = st.form_submit_button(_("Save"), type="primary")
    if saved:
        run_action(engine, lambda s: set_alert_preferences(s, actor=actor, user_id=actor.id, email=email,
                                                           alerts=mode),
                   _("Your alert settings are saved."))


def mail_queue(engine, *, actor, settings) -> None:
    """The admins' view of the outbox and "Send now"."""
    if not has_role(actor, *ALERT_ADMINS):
        return
    st.subheader(_("Mail queue"), anchor=False)
    if settings is not None:
        st.caption(as_plain_text(config.configured_text(settings)))
    with read_scope(engine) as session:
        summary = queue_summary(session, actor=actor)
    cols = st.columns(3)
    cols[0].metric(_("Waiting to be sent"), number(summary.counts.get("pending", 0)))
    cols[1].metric(_("Being sent"), number(summary.counts.get("sending", 0)))
    cols[2].metric(_("Sent"), number(summary.counts.get("sent", 0)))
    if summary.waiting_for_address:
        st.caption(ngettext("{n} alert waits for its user's e-mail address",
                            "{n} alerts wait for their users' e-mail addresses",
                            summary.waiting_for_address).format(n=number(summary.waiting_for_address)))
    if summary.retrying:
        frame = pd.DataFrame(summary.retrying)
        frame["next_attempt_at"] = local_column(frame["next_attempt_at"], MINUTE)
        frame = frame.rename(columns={"id": _("Mail"), "to": _("To"), "subject": _("Subject"),
                                      "attempts": _("Attempts"), "next_attempt_at": _("Next attempt"),
                                      "last_error": _("Last error")})
        st.dataframe(frame, hide_index=True)  # a grid: cells are never read as Markdown
    if st.button(_("Send now"), icon=":material/send:", key="alerts_send_now"):
        try:
            report = send_now(engine, actor=actor, settings=settings)
        except KlantreisError as error:
            show_refusal(error)
            return
        if report.delivery is None:
            st.info(config.not_configured_text())
        else:
            st.success(_("{sent} sent, {failed} waiting to retry, {composed} composed.").format(
                sent=number(report.delivery.sent), failed=number(len(report.delivery.failed)),
                composed=number(report.composed.mails)))
