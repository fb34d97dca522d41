"""Fieldwork progress of a wave: planned against done, per group and over the wave's days.

Everything starts from the frame of ``journeys.fieldwork.planned.planned_contacts`` (one row per
planned contact, with its ``status``) and counts that status, never a rule of its own, so the
progress page, ``klantreis report progress`` and the auditors' work list agree on every contact:

- ``progress_by(frame, by)``: one row per brand, region, location, journey, channel or auditor
  with ``planned``, ``done``, ``started``, ``overdue``, ``unassigned`` and ``share_done``
  (done / planned; ``planned`` is its n). Each planned contact counts in ``planned`` and in at
  most one of the other four (its status); to do and due soon are the rest. A contact past its
  due date counts as overdue, started or not, assigned or not (``journeys.fieldwork.planned.status_of``).
- ``progress_totals(frame)``: the same counts for the whole frame (a ``ProgressCounts``), and
  ``with_totals_row`` to put them under a table.
- ``burn_up(frame, starts_on, ends_on, today)``: per day, the cumulative done and the cumulative
  planned line.
- ``coverage_text(done, planned)``: "34 of 40 planned contacts", the plan's coverage beside a
  figure (the dashboards show it).
- ``wave_progress(session=, actor=, wave_id=, today=)``: the service behind the page and the
  command, checked against ``ALL_CONTACT_READERS``; ``progress_waves`` and ``default_progress_wave``
  list the waves and pick the one a page opens on.

The pure functions take no database: a test gives them a frame.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlmodel import Session, select

from journeys.accounts.access import ALL_CONTACT_READERS, Actor, ensure_role
from journeys.catalogue.reference import default_wave
from journeys.errors import Problem, ValidationError
from journeys.fieldwork.planned import planned_contacts
from journeys.language import N_, _, ngettext, number
from journeys.local_time import LOCAL_ZONE
from journeys.models import Wave

GROUPS = ("brand", "region", "location", "journey", "channel", "auditor")
COUNT_COLUMNS = ("planned", "done", "started", "overdue", "unassigned")
PROGRESS_COLUMNS = (*COUNT_COLUMNS, "share_done")
# The statuses (journeys.fieldwork.planned.STATUSES) counted in a column of their own.
COUNTED_STATUSES = ("done", "started", "overdue", "unassigned")

# What a group reads as where the frame has no value: a planned contact nobody is to make yet,
# a plan line for the brand as a whole (no location), a location without a region. English, as
# the command line's machine-readable output keeps them; a page passes them translated
# (``missing_labels``).
MISSING_LABELS: dict[str, str] = {
    "auditor": N_("Not assigned"),
    "location": N_("Brand level"),
    "region": N_("No region"),
}


def missing_labels() -> dict[str, str]:
    """``MISSING_LABELS`` in the current language (for a page)."""
    return {group: _(label) for group, label in MISSING_LABELS.items()}


@dataclass(frozen=True)
class ProgressCounts:
    """The counts of a set of planned contacts (see the module's docstring)."""

    planned: int
    done: int
    started: int
    overdue: int
    unassigned: int

    @property
    def share_done(self) -> float | None:
        """done / planned; None when nothing is planned (no denominator)."""
        return self.done / self.planned if self.planned else None

    @property
    def complete(self) -> bool:
        """Every planned contact is done (and there is a plan): the only state read as complete."""
        return self.planned > 0 and self.done == self.planned

    @property
    def short(self) -> int:
        """How many planned contacts are not done yet."""
        return self.planned - self.done


def _check_group(by: str) -> None:
    if by not in GROUPS:
        raise ValidationError(Problem("by", by, _("must be one of {groups}").format(groups=", ".join(GROUPS))))


def _group_values(frame: pd.DataFrame, by: str, labels: dict[str, str]) -> pd.Series:
    values = frame[by].astype(object)
    empty = values.isna() | (values.astype(str).str.strip() == "")
    return values.where(~empty, labels.get(by, ""))


def progress_by(frame: pd.DataFrame, by: str, *, missing: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per value of ``by`` (one of ``GROUPS``) with the columns ``by``, ``PROGRESS_COLUMNS``,
    ordered by the group's name; rows without a value are grouped under ``missing[by]``
    (default ``MISSING_LABELS``: "Not assigned" for the auditor).

    Raises:
        ValidationError: ``by`` is not one of ``GROUPS``.
    """
    _check_group(by)
    labels = MISSING_LABELS if missing is None else {**MISSING_LABELS, **missing}
    if frame.empty:
        return pd.DataFrame({by: pd.Series(dtype=object), **{c: pd.Series(dtype="int64") for c in COUNT_COLUMNS},
                             "share_done": pd.Series(dtype="float64")})
    counted = pd.DataFrame({by: _group_values(frame, by, labels), "planned": 1})
    for status in COUNTED_STATUSES:
        counted[status] = (frame["status"] == status).astype("int64").to_numpy()
    table = counted.groupby(by, sort=False).sum().reset_index()
    table = table.sort_values(by, key=lambda s: s.astype(str).str.casefold(), kind="stable").reset_index(drop=True)
    table = table[[by, *COUNT_COLUMNS]].astype({c: "int64" for c in COUNT_COLUMNS})
    table["share_done"] = table["done"] / table["planned"]
    return table


def progress_totals(frame: pd.DataFrame) -> ProgressCounts:
    """The counts of every planned contact of ``frame``."""
    status = frame["status"] if "status" in frame else pd.Series(dtype=object)
    return ProgressCounts(planned=len(frame), **{s: int((status == s).sum()) for s in COUNTED_STATUSES})


def with_totals_row(table: pd.DataFrame, by: str, label: str = "Total") -> pd.DataFrame:
    """``table`` (of ``progress_by``) with one more row, ``label`` in the group column, summing it."""
    sums = {c: int(table[c].sum()) for c in COUNT_COLUMNS}
    total = {by: label, **sums, "share_done": sums["done"] / sums["planned"] if sums["planned"] else float("nan")}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True).astype(
        {c: "int64" for c in COUNT_COLUMNS})


def _local_days(times: pd.Series) -> pd.Series:
    """Aware (or naive UTC, as SQLite gives them back) times as local calendar days."""
    return pd.to_datetime(times, utc=True).dt.tz_convert(LOCAL_ZONE).dt.date


BURN_UP_COLUMNS = ("day", "planned", "done")


def burn_up(frame: pd.DataFrame, starts_on: date, ends_on: date, today: date) -> pd.DataFrame:
    """Per day from ``starts_on`` to ``ends_on``: ``planned``, the planned contacts due by that day
    (a contact counts on its due day; one without a due date on the wave's last day; one due
    before the start on the first day), and ``done``, the done contacts completed by that day (the
    local day of ``contact_logged_at``; one completed before the start counts on the first day).
    Days after ``today`` have no ``done`` (NaN): they have not happened yet.

    The days run on past ``ends_on`` to the latest due date or completion, if later, so both
    lines end at their totals. One row per day: columns ``BURN_UP_COLUMNS``.
    """
    done_frame = frame[frame["status"] == "done"] if not frame.empty else frame
    done_days = _local_days(done_frame["contact_logged_at"]) if not done_frame.empty else pd.Series(dtype=object)
    due_days = frame["due_on"].map(lambda d: d if isinstance(d, date) else ends_on) if not frame.empty \
        else pd.Series(dtype=object)
    last = max([ends_on, *[d for d in due_days if isinstance(d, date)],
                *[d for d in done_days if isinstance(d, date)]])
    days = [starts_on + timedelta(days=i) for i in range((last - starts_on).days + 1)]
    due_counts = pd.Series([max(d, starts_on) for d in due_days], dtype=object).value_counts()
    done_counts = pd.Series([max(d, starts_on) for d in done_days], dtype=object).value_counts()
    planned = pd.Series([int(due_counts.get(d, 0)) for d in days], dtype="int64").cumsum()
    done = pd.Series([int(done_counts.get(d, 0)) for d in days], dtype="float64").cumsum()
    done[[d > today for d in days]] = float("nan")
    return pd.DataFrame({"day": days, "planned": planned, "done": done})


def burn_up_span(starts_on: date | None, ends_on: date | None, frame: pd.DataFrame) -> tuple[date, date] | None:
    """The days a burn-up covers: the wave's start and end; a date the wave does not have is
    taken from its planned contacts (the earliest or latest due date or completion). None when
    neither the wave nor its contacts give a day."""
    known = []
    if not frame.empty:
        known += [d for d in frame["due_on"] if isinstance(d, date)]
        done = frame[frame["status"] == "done"]
        if not done.empty:
            known += [d for d in _local_days(done["contact_logged_at"]) if isinstance(d, date)]
    first = starts_on or (min(known) if known else ends_on)
    last = ends_on or (max(known) if known else starts_on)
    if first is None or last is None:
        return None
    return (first, last) if first <= last else (last, first)


def coverage_text(done: int, planned: int) -> str:
    """The plan's coverage in words, in the current language: "34 of 40 planned contacts"
    ("34 van 40 geplande contacten"). For a figure's caption beside the dashboards' numbers;
    the plural follows ``planned``."""
    return ngettext("{done} of {planned} planned contact", "{done} of {planned} planned contacts", planned).format(
        done=number(done), planned=number(planned))


# ------------------------------------------------------------------------------------ the service

@dataclass(frozen=True)
class WaveProgress:
    """A wave's fieldwork progress on ``today``: its planned contacts (``frame``, of
    ``planned_contacts``) and their ``totals``."""

    wave: Wave
    frame: pd.DataFrame
    totals: ProgressCounts
    today: date

    @property
    def final(self) -> bool:
        """The wave is closed: its figures are final."""
        return self.wave.closed_at is not None

    @property
    def quota_short(self) -> bool:
        """Fewer contacts done than planned: the wave's fieldwork is not complete."""
        return not self.totals.complete


def progress_waves(*, session: Session, actor: Actor) -> list[Wave]:
    """Every wave, latest start first (a wave without dates last), for choosing one."""
    ensure_role(actor, *ALL_CONTACT_READERS, action="read fieldwork progress")
    waves = session.exec(select(Wave)).all()
    return sorted(waves, key=lambda w: (w.starts_on is None, -(w.starts_on or date.min).toordinal(), w.name))


def default_progress_wave(waves: list[Wave], today: date) -> Wave | None:
    """The wave a progress page opens on: the one running on ``today``
    (``journeys.catalogue.reference.default_wave``), else the latest (by start date, then id)."""
    running = default_wave(waves, today)
    if running is not None:
        return running
    if not waves:
        return None
    return max(waves, key=lambda w: (w.starts_on or date.min, w.id or 0))


def wave_named(*, session: Session, name: str) -> Wave:
    """The wave called ``name`` (as typed, spaces around it ignored).

    Raises:
        ValidationError: no wave has that name; the message names the known waves.
    """
    wave = session.exec(select(Wave).where(Wave.name == name.strip())).first()
    if wave is None:
        known = sorted(session.exec(select(Wave.name)).all())
        raise ValidationError(Problem("--wave", name, _("is no wave; the waves are: {waves}").format(
            waves=", ".join(known) if known else _("(none)"))))
    return wave


def wave_progress(*, session: Session, actor: Actor, wave_id: int, today: date) -> WaveProgress:
    """The progress of wave ``wave_id`` on ``today`` (a local day).

    Raises:
        PermissionDenied: the actor does not read every contact (``ALL_CONTACT_READERS``).
        ValidationError: no wave has that id.
    """
    ensure_role(actor, *ALL_CONTACT_READERS, action="read fieldwork progress")
    wave = session.get(Wave, wave_id)
    if wave is None:
        raise ValidationError(Problem("wave_id", wave_id, _("is no wave")))
    frame = planned_contacts(session=session, today=today, wave_id=wave_id)
    return WaveProgress(wave=wave, frame=frame, totals=progress_totals(frame), today=today)


__all__ = [
    "BURN_UP_COLUMNS", "COUNT_COLUMNS", "GROUPS", "MISSING_LABELS", "PROGRESS_COLUMNS",
    "ProgressCounts", "WaveProgress", "burn_up", "burn_up_span", "coverage_text", "default_progress_wave", "missing_labels",
    "progress_by", "progress_totals", "progress_waves", "wave_named", "wave_progress", "with_totals_row",
]
