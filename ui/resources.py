"""Process-wide resources for the app: the migrated database engine.

``st.cache_resource`` is shared by every session in the server process, so the engine is keyed
by its URL (tests switch URLs between runs) and the schema upgrade runs once per URL.
"""

import streamlit as st
from sqlalchemy.engine import Engine

from data import db
from data.errors import driver_message, explain_operational_error
from journeys.language import _
from ui.text import as_plain_text


@st.cache_resource(show_spinner=False)  # the spinner is get_engine's, in the session's language
def _migrated_engine(url: str) -> Engine:
    db.upgrade(url)
    return db.get_engine(url)


def get_engine() -> Engine:
    """The engine of the configured database, migrated to the newest schema.

    A database that cannot be opened (server down, unwritable file, a bad setting) stops the
    page with the reason, as the command line does, instead of a traceback.
    """
    url = db.database_url()
    try:
        with st.spinner(_("Preparing the database…")):  # shown only when it takes a while (a migration)
            return _migrated_engine(url)
    except Exception as exc:  # noqa: BLE001 - any failure to open is reported the same way
        # the sentence of data.errors, or the driver's first line: never SQLAlchemy's statement dump
        explained = explain_operational_error(exc, url)
        st.error(as_plain_text(f"{explained[0].upper()}{explained[1:]}." if explained
                 else _("Cannot open the database {database}: {reason}").format(
                     database=db.describe_url(url), reason=driver_message(exc))), icon=":material/error:")
        st.stop()
