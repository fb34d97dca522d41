"""Alerts: where one's alert mails go and which ones come; for admins the mail queue.

Every signed-in role has this page: an action's owner and an appeal's client get alerts, and
everyone may unsubscribe here (the link at the foot of every alert mail points here)."""

import streamlit as st

from journeys.language import _
from ui import alerts as view
from ui.actions import show_notice
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()

st.title(_("Alerts"), anchor=False)
show_notice()
settings = view.mail_setup_note()
view.preferences_form(engine, actor=user)
view.mail_queue(engine, actor=user, settings=settings)
