"""Sixteen auditors log and correct contacts at the same time (issue 9, "proof under faults").

Each auditor is a thread of one process sharing the engine of ``data.db.get_engine`` — how the
Streamlit server runs its sessions — and does what the pages do, one transaction per click:
sign in, start a contact, press the stopwatch or record the response times, save the assessment,
and later open older contacts again to correct the assessment, correct the times by hand or attach
evidence. Every auditor keeps its own record of what it believes it saved.

Afterwards the database must hold exactly that: no service call raised (no "database is locked",
deadlock or serialization failure reached a user), every auditor has exactly its contacts with its
final values and answers, no contact is lost or doubled, and the change log holds every change
each auditor made, old → new, no more and no fewer.
"""

import re
import struct
import threading
import time
import traceback
import zlib
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from data import db
from data.db import session_scope
from journeys.accounts.sessions import start_session
from journeys.accounts.users import (
    MAX_FAILED_LOGINS,
    UNKNOWN_SOURCE,
    SignInRefused,
    authenticate,
    create_user,
    username_key,
)
from journeys.catalogue.journeys import create_journey, current_version
from journeys.catalogue.reference import ensure_builtin_channels, get_or_create_brand, get_or_create_wave
from journeys.fieldwork.contacts import (
    EDITABLE_FIELDS,
    AnswerIn,
    ContactStart,
    add_evidence,
    read_contact,
    record_event,
    save_contact,
    start_contact,
)
from journeys.models import Answer, ChangeLog, Contact, Criterion, SignInThrottle, utcnow
from tests.factories import journey_in

AUDITORS = 16
CONTACTS_PER_AUDITOR = 200
CHANNELS = ("phone", "email", "twitter")  # one live channel (stopwatch), two asynchronous ones
NUMERIC_FIELDS = {"wait_seconds", "handling_seconds"}


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the pages hand it to the services (``ui.session.SignedInUser``)."""

    id: int
    username: str
    role: str


@dataclass
class Belief:
    """What one auditor believes one contact holds, and the change-log entries it caused."""

    contact_id: int
    channel: str
    fields: dict
    answers: dict = field(default_factory=dict)  # criterion code -> value
    log: list = field(default_factory=list)  # (field, old text, new text) in the order made


def _text(value):
    """The change log's text of a value (``journeys.fieldwork.contacts._log``)."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _comparable(field_name, text):
    # A computed wait of 120 s is logged as "120"; read back from the float column it is "120.0".
    if text is not None and field_name in NUMERIC_FIELDS:
        return float(text)
    return text


def _apply(belief: Belief, changes: dict) -> None:
    """Expected effect of ``save_contact(changes=...)``: the stopwatch rule on live channels, and one
    log entry per field whose value changes."""
    merged = dict(belief.fields, **changes)
    if belief.channel == "phone" and {"started_at", "first_response_at", "resolved_at"} & set(changes):
        if "wait_seconds" not in changes and merged["first_response_at"] is not None:
            merged["wait_seconds"] = round((merged["first_response_at"] - merged["started_at"]).total_seconds())
        if "handling_seconds" not in changes and merged["resolved_at"] and merged["first_response_at"]:
            merged["handling_seconds"] = round((merged["resolved_at"] - merged["first_response_at"]).total_seconds())
    for name in EDITABLE_FIELDS:
        if belief.fields[name] != merged[name]:
            belief.log.append((name, _text(belief.fields[name]), _text(merged[name])))
    belief.fields = merged


def _apply_answers(belief: Belief, answers: dict) -> None:
    for code, value in answers.items():
        old = belief.answers.get(code)
        if old != value:
            belief.log.append((f"item:{code}", None if old is None else f"{old:g}", f"{value:g}"))
            belief.answers[code] = value


class Auditor(threading.Thread):
    """One auditor clicking through the pages; stops at the first error that would reach the user."""

    def __init__(self, url: str, number: int, world: dict, start_line: threading.Barrier):
        super().__init__(name=f"auditor{number:02d}")
        self.url, self.number, self.world, self.start_line = url, number, world, start_line
        self.beliefs: list[Belief] = []
        self.error: str | None = None
        self.actor: Actor | None = None

    def act(self, step: str, action):
        """One click: one transaction on the shared engine, as ``ui.actions.run_action`` runs it."""
        try:
            with session_scope(db.get_engine(self.url)) as session:
                return action(session)
        except Exception as exc:
            raise _UserSawError(f"{self.name} {step}: {exc!r}\n{traceback.format_exc()}") from exc

    def run(self) -> None:
        try:
            self.start_line.wait()
            self.sign_in()
            for i in range(CONTACTS_PER_AUDITOR):
                self.log_contact(i)
                if i >= 10 and i % 3 == 0:  # come back to an older contact
                    self.edit(self.beliefs[i - 10], kind=(i // 3) % 3, round_=1)
            for belief in self.beliefs[::20]:  # a second correction of the same contacts
                self.edit(belief, kind=0, round_=2)
        except _UserSawError as error:
            self.error = str(error)
        except Exception:  # a bug in the test itself must not pass silently either
            self.error = f"{self.name}: {traceback.format_exc()}"

    def sign_in(self) -> None:
        """The sign-in form, then ``ui.session.sign_in`` (two actions, as in streamlit_app.py)."""
        user = self.act("sign in", lambda s: authenticate(
            session=s, username=self.name, password=f"{self.name}-password"))
        self.act("session token", lambda s: start_session(session=s, user=user))
        self.actor = Actor(user.id, user.username, user.role)

    def log_contact(self, i: int) -> None:
        world, actor = self.world, self.actor
        channel = CHANNELS[(i + self.number) % len(CHANNELS)]
        live = channel == "phone"
        # live channels start the stopwatch now (the page passes no time); e-mail was sent earlier
        sent = None if live else world["base"] - timedelta(hours=2, seconds=i)
        contact = self.act(f"start contact {i}", lambda s: start_contact(session=s, actor=actor, start=ContactStart(
            journey_id=world["journey_id"], brand_id=world["brand_id"], channel_id=world["channel_ids"][channel],
            wave_id=world["wave_id"], started_at=sent)))
        fields = dict.fromkeys(EDITABLE_FIELDS)
        fields.update(started_at=contact.started_at, transfers=0, answer_text="", notes="", wave_id=world["wave_id"])
        belief = Belief(contact.id, channel, fields, log=[("", None, f"{channel} contact started")])
        self.beliefs.append(belief)
        cid = contact.id

        if live:
            for event in ("first_response", "resolved"):  # "picked up now", "conversation ended now"
                contact = self.act(f"{event} {i}", lambda s, e=event: record_event(
                    session=s, actor=actor, contact_id=cid, event=e))
                stamp = f"{event}_at"
                _apply(belief, {stamp: getattr(contact, stamp)})
        else:
            events = [("acknowledged", 3)] if channel == "email" else []
            if i % 5:  # every fifth asynchronous contact is never answered and stays open
                events.append(("first_response", 10 + i % 50))
            for event, minutes in events:
                at = belief.fields["started_at"] + timedelta(minutes=minutes)
                self.act(f"{event} {i}", lambda s, e=event, at=at: record_event(
                    session=s, actor=actor, contact_id=cid, event=e, at=at))
                _apply(belief, {f"{event}_at": at})

        answers = {code: float((i + self.number + k) % 2) for k, code in enumerate(world["codes"])}
        changes = {"answer_text": f"Answer {self.number}/{i}", "answer_correct": i % 3 == 0,
                   "redirected_to_channel_id": None, "transfers": i % 4, "notes": f"note {self.number}/{i}"}
        self.save_assessment(f"assessment {i}", belief, changes, answers)

    def save_assessment(self, step: str, belief: Belief, changes: dict, answers: dict) -> None:
        codes = self.world["criterion_ids"]
        self.act(step, lambda s: save_contact(
            session=s, actor=self.actor, contact_id=belief.contact_id, changes=changes, complete=True,
            answers=[AnswerIn(codes[code], value) for code, value in answers.items()]))
        _apply(belief, changes)
        _apply_answers(belief, answers)

    def edit(self, belief: Belief, *, kind: int, round_: int) -> None:
        cid, actor = belief.contact_id, self.actor
        # open the contact as the page does: it must show what this auditor saved
        shown = self.act(f"open {cid}", lambda s: read_contact(session=s, actor=actor, contact_id=cid))
        seen = {name: getattr(shown, name) for name in EDITABLE_FIELDS}
        assert {k: _comparable(k, v) for k, v in seen.items()} == {
            k: _comparable(k, v) for k, v in belief.fields.items()}, f"{self.name}: contact {cid} changed under me"
        if kind == 0:  # correct the assessment
            fields = belief.fields
            changes = {"answer_text": fields["answer_text"], "answer_correct": not fields["answer_correct"],
                       "redirected_to_channel_id": None, "transfers": fields["transfers"] + 1,
                       "notes": f"{fields['notes']} (correction {round_})"}
            answers = dict(belief.answers, C2=1.0 - belief.answers["C2"])
            self.save_assessment(f"correct {cid}", belief, changes, answers)
        elif kind == 1:  # "Correct the times by hand": the form sends all four stamps
            fields = dict(belief.fields)
            if belief.channel == "phone":
                fields["started_at"] -= timedelta(seconds=30)
            elif fields["first_response_at"] is None:
                fields["first_response_at"] = fields["started_at"] + timedelta(minutes=70)
            else:
                fields["first_response_at"] -= timedelta(minutes=1)
                fields["resolved_at"] = fields["first_response_at"] + timedelta(minutes=5)
            changes = {name: fields[name] for name in ("started_at", "acknowledged_at", "first_response_at",
                                                       "resolved_at")}
            self.act(f"times {cid}", lambda s: save_contact(session=s, actor=actor, contact_id=cid, changes=changes))
            _apply(belief, changes)
        else:  # attach a screenshot
            data = _png(f"{self.name} contact {cid}")
            evidence = self.act(f"evidence {cid}", lambda s: add_evidence(
                session=s, actor=actor, contact_id=cid, file_name=f"shot-{cid}.png", data=data))
            belief.log.append(("evidence", None,
                               f"shot-{cid}.png (image/png, sha256 {evidence.sha256[:12]}…)"))


def _png(comment: str) -> bytes:
    """A valid 1 × 1 PNG made unique by a text chunk (evidence images are decoded at upload)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\x00" + comment.encode()) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
            + chunk(b"IEND", b""))


class _UserSawError(Exception):
    """An exception escaped a service call: the page would have shown it to the auditor."""


def _world(url: str) -> dict:
    with session_scope(db.get_engine(url)) as session:
        channels = ensure_builtin_channels(session=session)
        brand = get_or_create_brand(session=session, name="Koopklik")
        wave = get_or_create_wave(session=session, name="2026-Q1")
        journey = create_journey(session=session, journey_in=journey_in(channels=CHANNELS))
        version = current_version(session=session, journey_id=journey.id)
        criteria = session.exec(select(Criterion).where(Criterion.version_id == version.id)).all()
        world = dict(
            base=datetime.now(UTC), journey_id=journey.id, brand_id=brand.id, wave_id=wave.id,
            channel_ids={name: channels[name].id for name in CHANNELS},
            criterion_ids={c.code: c.id for c in criteria}, codes=sorted(c.code for c in criteria),
        )

    def add_account(n: int) -> None:  # one account per action, as Admin → Users adds them
        with session_scope(db.get_engine(url)) as session:
            create_user(session=session, username=f"auditor{n:02d}", role="auditor", password=f"auditor{n:02d}-password")

    with ThreadPoolExecutor(4) as pool:  # argon2 is slow by design; hash several at once
        list(pool.map(add_account, range(AUDITORS)))
    return world


def test_sixteen_auditors_lose_nothing(db_url):
    """16 auditors × 200 contacts at once: no error, every contact and value as saved, a complete log."""
    set_up = time.perf_counter()
    world = _world(db_url)
    start_line = threading.Barrier(AUDITORS)
    auditors = [Auditor(db_url, n, world, start_line) for n in range(AUDITORS)]
    began = time.perf_counter()
    for auditor in auditors:
        auditor.start()
    for auditor in auditors:
        auditor.join(timeout=600)
    elapsed = time.perf_counter() - began
    assert not any(a.is_alive() for a in auditors), "an auditor hung"
    errors = [a.error for a in auditors if a.error]
    assert not errors, f"{len(errors)} auditor(s) saw an error; the first:\n{errors[0]}"

    with session_scope(db.get_engine(db_url)) as session:
        contacts = {c.id: c for c in session.exec(select(Contact)).all()}
        answers = defaultdict(dict)
        for contact_id, code, value in session.exec(
                select(Answer.contact_id, Criterion.code, Answer.value).join(Criterion)).all():
            answers[contact_id][code] = value
        log_rows = session.exec(
            select(ChangeLog.entity_id, ChangeLog.user_id, ChangeLog.action, ChangeLog.field, ChangeLog.old_value,
                   ChangeLog.new_value).where(ChangeLog.entity == "contact").order_by(ChangeLog.id)).all()

    # no contact lost or doubled: exactly the 200 each auditor started, and nothing else
    believed = {b.contact_id: (a, b) for a in auditors for b in a.beliefs}
    assert [len(a.beliefs) for a in auditors] == [CONTACTS_PER_AUDITOR] * AUDITORS
    assert len(believed) == AUDITORS * CONTACTS_PER_AUDITOR, "a contact id was handed out twice"
    assert set(contacts) == set(believed)
    assert Counter(c.auditor_id for c in contacts.values()) == {a.actor.id: CONTACTS_PER_AUDITOR for a in auditors}

    # every contact holds the final values and answers its auditor saved
    for contact_id, (auditor, belief) in believed.items():
        stored = contacts[contact_id]
        assert stored.auditor_id == auditor.actor.id
        assert stored.channel_id == world["channel_ids"][belief.channel]
        assert {k: _comparable(k, getattr(stored, k)) for k in EDITABLE_FIELDS} == {
            k: _comparable(k, v) for k, v in belief.fields.items()}, f"contact {contact_id}"
        assert answers[contact_id] == belief.answers, f"answers of contact {contact_id}"

    # the change log: every change each auditor made, old → new, by that auditor, in order per field
    actual = defaultdict(list)
    for row in log_rows:
        actual[row.entity_id].append(row)
    expected_total = sum(len(b.log) for _, b in believed.values())
    assert len(log_rows) == expected_total, f"{len(log_rows)} change-log entries, {expected_total} changes made"
    assert set(actual) == set(believed)
    for contact_id, (auditor, belief) in believed.items():
        rows = actual[contact_id]
        assert rows[0].action == "create" and all(r.action == "update" for r in rows[1:]), f"contact {contact_id}"
        assert {r.user_id for r in rows} == {auditor.actor.id}
        # within one save the fields may be written in any order; per field the history is ordered
        by_field, want = defaultdict(list), defaultdict(list)
        for r in rows:
            by_field[r.field].append((_comparable(r.field, r.old_value), _comparable(r.field, r.new_value)))
        for name, old, new in belief.log:
            want[name].append((_comparable(name, old), _comparable(name, new)))
        assert by_field == want, f"change log of contact {contact_id}"

    print(f"\n{sa.make_url(db_url).get_backend_name()}: {AUDITORS} auditors × {CONTACTS_PER_AUDITOR} contacts, "
          f"{expected_total} change-log entries in {elapsed:.1f} s (set-up {began - set_up:.1f} s, "
          f"checks {time.perf_counter() - began - elapsed:.1f} s)")



def test_simultaneous_wrong_passwords_each_count(db_url):
    """Wrong passwords typed at the same moment in five tabs each count towards the lock: no
    attempt overwrites another's count (the password check runs between two transactions)."""
    engine = db.get_engine(db_url)
    with session_scope(engine) as session:
        create_user(session=session, username="target", role="auditor", password="right-password")
    start_line = threading.Barrier(MAX_FAILED_LOGINS)
    refusals: list[str] = []

    def attempt() -> None:
        start_line.wait()
        try:
            with session_scope(engine) as session:
                authenticate(session=session, username="target", password="wrong-password")
        except SignInRefused as refusal:
            refusals.append(str(refusal))

    tabs = [threading.Thread(target=attempt) for _ in range(MAX_FAILED_LOGINS)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(timeout=120)
    assert len(refusals) == MAX_FAILED_LOGINS, refusals
    # An attempt that starts after another one's slow-down is refused without a check (not counted).
    left = sorted(int(n) for n in re.findall(r"\((\d) attempts? left", " ".join(refusals)))
    locked = sum("is locked for" in r for r in refusals)
    counted = len(left) + locked
    assert left == list(range(MAX_FAILED_LOGINS - len(left), MAX_FAILED_LOGINS)), refusals  # 4, 3, ... each once
    with session_scope(engine) as session:
        rows = {row.source: row for row in session.exec(
            select(SignInThrottle).where(SignInThrottle.username_sha256 == username_key("target"))).all()}
    assert rows["*"].failed_logins == counted, refusals  # the account-wide count behind the delay
    here = rows[UNKNOWN_SOURCE]  # the lock of the one source all five tabs share
    if counted == MAX_FAILED_LOGINS:
        assert locked == 1 and here.failed_logins == 0 and here.locked_until > utcnow() + timedelta(minutes=14)
    else:
        assert locked == 0 and here.failed_logins == counted, refusals
