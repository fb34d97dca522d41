"""What the database can store, checked before writing.

A value the database cannot hold (a NUL character in PostgreSQL text, a number beyond a 32-bit
INTEGER, a name longer than its VARCHAR) makes the driver raise ``sqlalchemy.exc.DataError`` or
``OverflowError`` in the middle of a write; nothing turns those into a message a user can act
on. So the import, the contact forms and the journey editor check input against these limits
first and refuse it with a ``journeys.errors.Problem`` that names the field, shows the value and
says what is allowed.
"""

import math
import numbers
from datetime import UTC, datetime

# INTEGER columns (transfers, response targets) are 32-bit on PostgreSQL.
MAX_INTEGER = 2**31 - 1
# Timestamps must lie in this window (UTC). The scoring refuses data spanning more than 200
# years (a typo such as 2206 would otherwise build a business-hours grid for centuries), and
# years far outside it overflow when converted between time zones; no mystery contact was
# made before 1970.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2101, 1, 1, tzinfo=UTC)  # exclusive: 2100-12-31 is the last allowed day
TIMESTAMP_RANGE = "between 1970-01-01 and 2100-12-31"
NUL_MESSAGE = "contains a NUL character (\\x00), which cannot be stored; remove it"
# A megabyte as the evidence uploader counts it (Streamlit's ``max_upload_size`` and
# ``server.maxUploadSize`` are in units of 1024 × 1024 bytes).
MEGABYTE = 1024 * 1024
# The one limit of an evidence file, in those megabytes: the uploader refuses a larger file in the
# browser, its label and the check at upload (``journeys.fieldwork.evidence.MAX_EVIDENCE_BYTES``)
# state the same number, and .streamlit/config.toml's server.maxUploadSize agrees.
MAX_EVIDENCE_MB = 10


def text_problem(text: str, max_length: int | None = None) -> str | None:
    """Why ``text`` cannot be stored (NUL character, too long), or None."""
    if "\x00" in text:
        return NUL_MESSAGE
    if max_length is not None and len(text) > max_length:
        return f"is longer than {max_length} characters ({len(text):,})"
    return None


def shown(text: str, width: int = 40) -> str:
    """A long value cut for a message (the message must stay readable)."""
    return text if len(text) <= width else text[:width] + "…"


def timestamp_problem(value: datetime) -> str | None:
    """Why an aware timestamp is outside what the app stores and scores, or None."""
    if not EARLIEST <= value < LATEST:
        return f"must lie {TIMESTAMP_RANGE} (UTC)"
    return None


def is_finite(value) -> bool:
    """A real number that is neither NaN nor infinite (whole numbers of any size; numpy numbers too)."""
    if isinstance(value, numbers.Integral):
        return True  # math.isfinite would overflow converting 10**400 to float
    return isinstance(value, numbers.Real) and math.isfinite(value)
# The most planned contacts one plan line (a quota cell) may ask for: a typo such as 2000 for 20
# would otherwise create thousands of assignments nobody can make.
MAX_PLANNED_PER_LINE = 1000
