"""Pseudonymous auditor names for manager exports.

A manager may share results without naming the auditors. Each auditor name becomes
``Auditor 3f9a2c1e``: an HMAC-SHA256 of the name under a secret generated once per
installation (kept in the ``setting`` table), so the same auditor gets the same pseudonym in
every export of this installation, while nobody without the database can reverse it or match
it against another installation.
"""

import hashlib
import hmac
import json
import secrets

import pandas as pd
from sqlmodel import Session

from journeys.models import Setting, utcnow

PSEUDONYM_SECRET_SETTING = "pseudonym_secret"
PSEUDONYM_PREFIX = "Auditor "


def pseudonym_secret(*, session: Session) -> str:
    """This installation's pseudonym key, created on first use."""
    row = session.get(Setting, PSEUDONYM_SECRET_SETTING)
    if row is None:
        row = Setting(key=PSEUDONYM_SECRET_SETTING, value_json=json.dumps(secrets.token_hex(32)), updated_at=utcnow())
        session.add(row)
        session.flush()
    return json.loads(row.value_json)


def pseudonym(name: str, *, secret: str) -> str:
    """The stable pseudonym of one auditor name."""
    digest = hmac.new(secret.encode(), (name or "").strip().casefold().encode(), hashlib.sha256).hexdigest()
    return f"{PSEUDONYM_PREFIX}{digest[:8]}"


def pseudonymise_auditors(frame: pd.DataFrame, column: str, *, secret: str) -> pd.DataFrame:
    """A copy of ``frame`` with the auditor names in ``column`` replaced by pseudonyms.

    Empty cells stay empty; the other columns are untouched.

    Raises:
        KeyError: ``column`` is not in the frame.
    """
    if column not in frame.columns:
        raise KeyError(f"column {column!r} not in frame (columns: {list(frame.columns)})")
    result = frame.copy()
    names = result[column]
    mapping = {name: pseudonym(str(name), secret=secret) for name in names.dropna().unique() if str(name).strip()}
    result[column] = names.map(lambda name: mapping.get(name, name))
    return result
