"""Export contacts in the interchange format (CSV or XLSX), safe to open in a spreadsheet.

The file has the columns ``journeys.interchange`` reads, so export → import gives the same
contacts, plus the export-only columns ``journeys.interchange.contact_file.EXPORT_ONLY_COLUMNS``
that an import ignores: ``contact_id`` (this installation's id, to tie a row to the contact on
screen), ``channel_label`` (the channel's display name) and the quality score exactly as the
dashboards and the brand report have it, from ``scoring.pipeline.scored_contacts``: ``raw_score``,
``final_score`` (after knock-outs) and ``passed``. Timestamps are written in UTC with an explicit
``+00:00`` offset; checklist answers as ``item:CODE`` columns (yes/no, the number on a scale, or na).

``neutralise_formula`` is the one place that defuses spreadsheet formula injection (a cell
starting with = + - @ tab or carriage return is prefixed with a quote); ``neutralise_frame``
applies it to every text cell of a table. Every CSV or XLSX the product writes goes through one
of them: this export, the app's downloads (``ui.downloads``) and the CLI's ``klantreis report``
and ``klantreis report consistency`` CSV (``cli.output.frame_text``). The import strips that quote again.
Backups are not spreadsheets: they are restored byte for byte and never neutralised.

A client user's file (``actor`` a client, or a filter carrying a client's
``journeys.accounts.scope.ClientScope``, as ``klantreis export contacts --for-client`` builds it)
holds only the released contacts within its grants, and its ``auditor`` column holds each
auditor's pseudonym (``journeys.accounts.scope.auditor_pseudonym``), never a username.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session

from journeys.accounts.access import EXPORTERS, ensure_role
from journeys.accounts.scope import auditor_pseudonym, client_scope
from journeys.fieldwork.contact_filter import AUDITOR, REDIRECT, ContactFilter, contact_conditions, join_names
from journeys.fieldwork.frames import read_answers, read_contacts, read_criteria
from journeys.interchange.contact_file import COLUMNS, EXPORT_ONLY_COLUMNS, FORMULA_TRIGGERS, ITEM_PREFIX
from journeys.language import _
from journeys.models import Answer, Brand, Channel, Contact, Criterion, CriterionKind, Journey, Location, Wave

FORMATS = ("csv", "xlsx")


def neutralise_formula(value):
    """The value with a leading quote when a spreadsheet would run it as a formula (OWASP).

    Non-text values are returned unchanged.
    """
    if isinstance(value, str) and value and value[0] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with ``neutralise_formula`` applied to every text cell (numbers stay
    numbers) and to the column names."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]) or isinstance(
                safe[column].dtype, pd.CategoricalDtype):
            safe[column] = safe[column].astype(object).map(neutralise_formula)
    safe.columns = [neutralise_formula(c) for c in safe.columns]
    return safe


@dataclass
class ExportResult:
    contacts: int
    path: Path


def _contacts_query(flt: ContactFilter):
    query = join_names(sa.select(
        Contact.id, Contact.external_id, Brand.name.label("brand"), Location.name.label("location"),
        Journey.name.label("journey"), Channel.name.label("channel"), Channel.label.label("channel_label"),
        AUDITOR.username.label("auditor"), Contact.auditor_id,
        Wave.name.label("wave"), Contact.started_at, Contact.acknowledged_at, Contact.first_response_at,
        Contact.resolved_at, Contact.due_at, Contact.wait_seconds, Contact.transfers,
        REDIRECT.name.label("redirected_to"), Contact.answer_correct, Contact.answer_text, Contact.notes,
    ))
    # every field of the filter counts, drafts left out by default: an export never carries one
    return query.where(*contact_conditions(flt)).order_by(Contact.started_at, Contact.id)


def _timestamp(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _number(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _scores(connection: Connection, flt: ContactFilter) -> dict[int, list[str]]:
    """``raw_score``, ``final_score`` and ``passed`` per contact id, as text cells: the columns of
    ``scoring.pipeline.scored_contacts`` (the frame the dashboards and the brand report read) for the
    same contacts; an unscored contact has empty cells."""
    from scoring.pipeline import scored_contacts  # scipy and the scoring tables: only an export needs them

    engine = connection.engine
    contacts = read_contacts(engine, flt)
    if contacts.empty:
        return {}
    answers = read_answers(engine, contacts["contact_id"], comments=False)
    criteria = read_criteria(engine, contacts["version_id"].unique().tolist())
    scored = scored_contacts(contacts, answers, criteria, datetime.now(UTC))
    return {
        int(contact_id): [_number(None if pd.isna(raw) else raw), _number(None if pd.isna(final) else final),
                          _yes_no(None if pd.isna(passed) else bool(passed))]
        for contact_id, raw, final, passed in zip(
            scored["contact_id"], scored["raw_score"], scored["final_score"], scored["passed"], strict=True)
    }


def _answer_text(kind: str, value, is_na: bool) -> str:
    if is_na:
        return "na"
    if kind == CriterionKind.YESNO:
        return "yes" if value >= 1 else "no"
    return _number(value)


def scoped_filter(connection: Connection, flt: ContactFilter, actor) -> ContactFilter:
    """``flt`` narrowed to ``actor``'s scope when it is a client user (``client_scope``); as it is otherwise."""
    if actor is None:
        return flt
    with Session(bind=connection) as session:
        scope = client_scope(session=session, actor=actor)
    return flt if scope is None else replace(flt, scope=scope)


def export_rows(connection: Connection, flt: ContactFilter = ContactFilter(), *,
                actor=None) -> tuple[list[str], Iterator[list[str]], int]:
    """The header, the rows (text cells, not yet neutralised) and the number of contacts.

    ``actor``: the signed-in user when the export is asked for in the app; only managers, admins
    and client users may export (the command line runs as the operator and passes none). A client
    user's export is narrowed to its scope (``scoped_filter``), with auditors pseudonymised.

    Raises:
        PermissionDenied: an actor whose role may not export.
    """
    if actor is not None:
        ensure_role(actor, *EXPORTERS, action=_("export contacts"))
    flt = scoped_filter(connection, flt, actor)
    pseudonymous = flt.scope is not None
    contacts = connection.execute(_contacts_query(flt)).all()
    ids = [c.id for c in contacts]
    answers: dict[int, dict[str, str]] = {}
    codes: dict[str, None] = {}
    if ids:
        wanted = set(ids)
        query = (
            sa.select(Answer.contact_id, Criterion.code, Criterion.kind, Criterion.position, Answer.value, Answer.is_na)
            .join(Criterion, Criterion.id == Answer.criterion_id)
            .order_by(Criterion.position, Criterion.code)
        )
        if len(ids) <= 1000:
            query = query.where(Answer.contact_id.in_(ids))
        for a in connection.execute(query):
            if a.contact_id not in wanted:
                continue
            codes.setdefault(a.code, None)
            answers.setdefault(a.contact_id, {})[a.code] = _answer_text(a.kind, a.value, a.is_na)
    item_codes = list(codes)
    scores = _scores(connection, flt) if ids else {}
    unscored = ["", "", ""]
    # contact_id first (the row's contact), the other export-only columns after the import's own
    header = ["contact_id", *COLUMNS, *EXPORT_ONLY_COLUMNS[1:]] + [f"{ITEM_PREFIX}{code}" for code in item_codes]

    def rows():
        for c in contacts:
            own = answers.get(c.id, {})
            yield [str(c.id)] + [
                c.external_id or "", c.brand, c.location or "", c.journey, c.channel,
                (auditor_pseudonym(c.auditor_id) if pseudonymous else c.auditor) or "",
                c.wave or "", _timestamp(c.started_at), _timestamp(c.acknowledged_at),
                _timestamp(c.first_response_at), _timestamp(c.resolved_at), _timestamp(c.due_at),
                _number(c.wait_seconds), str(c.transfers or 0), c.redirected_to or "",
                "" if c.answer_correct is None else ("yes" if c.answer_correct else "no"),
                c.answer_text or "", c.notes or "",
                c.channel_label or c.channel, *scores.get(c.id, unscored),
            ] + [own.get(code, "") for code in item_codes]

    return header, rows(), len(contacts)


def export_contacts(*, connection: Connection, path: Path, file_format: str,
                    flt: ContactFilter = ContactFilter(), actor=None) -> ExportResult:
    """Write the contacts matching ``flt`` to ``path`` as CSV (UTF-8, with BOM for Excel) or XLSX.

    Every cell goes through ``neutralise_formula``. ``actor`` as in ``export_rows``.

    Raises:
        PermissionDenied: an actor whose role may not export.
    """
    path = Path(path)
    header, rows, count = export_rows(connection, flt, actor=actor)
    if file_format == "csv":
        # the BOM makes Excel read UTF-8; the import accepts files with and without it
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                writer.writerow([neutralise_formula(v) for v in row])
    elif file_format == "xlsx":
        import openpyxl  # lazy: a heavy import that only XLSX exports need

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("contacts")
        sheet.append(header)
        for row in rows:
            # text cells only: timestamps stay exact ISO text instead of Excel's local serial dates
            sheet.append([neutralise_formula(v) for v in row])
        workbook.save(path)
    else:
        raise ValueError(f"unknown format {file_format!r}; use one of {FORMATS}")
    return ExportResult(count, path)
