"""The Klantreis data model: one SQLModel table per entity, constraints in the schema.

Entity map (arrows are foreign keys)::

    Brand ─< Location                        (a location has a region: brand → region → location)
    Channel                      (built-in and user-added; kind decides live vs asynchronous)
    Journey ─< JourneyChannel >─ Channel     (per-channel response targets)
    Journey ─< ChecklistVersion ─< Criterion ─< CriterionChannel >─ Channel
    Wave ─< WaveBrand, WaveJourney, WaveChannel   (what the wave covers; no rows: all)
    Wave ─< PlanLine ─< Assignment >─ User, Contact   (the fieldwork plan: quotas, planned contacts)
    User ─< AuditorChannel, AuditorRegion, AuditorAbsence   (what assignment honours)
    User                         (table ``app_user``: "user" is reserved in PostgreSQL)
    Contact >─ Wave, Brand, Location, Journey, ChecklistVersion, Channel, User
    Contact ─< Answer >─ Criterion
    Contact ─< Evidence
    Contact ─< ReviewEvent >─ User   (the audit trail: submitted, returned, approved, released, appealed, …)
    Contact ─< Appeal ─< AppealEvidence >─ Evidence   (a client's dispute of one answer or the timing)
    User ─< ClientGrant >─ Brand, Location   (what a client user may see: brands, or regions or locations of one)
    ActionRule >─ Brand, Journey, User       (when a finding needs follow-up: critical fail, low score, late, gap)
    ActionRule ─< ActionItem >─ Contact, Criterion, Location, Wave, User   (one finding to fix, its owner, due date)
    ActionItem ─< ActionEvent                (status changes and comments on an action)
    User ─< Notification >─ ActionItem, Appeal   (what someone is to be told; urgent alone, else in a digest)
    Notification >─ OutboxMail >─ User       (a mail to send: idempotency key, retries with back-off)
    ChangeLog                    (who changed what, when, old → new)
    Setting                      (key → JSON value: pass band, office hours, retention)
    AuthSession >─ User          (a signed-in browser: hashed cookie token, expiry, revocation)
    SignInThrottle               (failed sign-ins per typed username: account-wide and per source)

Every timestamp is stored as UTC and read back timezone-aware (see ``UTCDateTime``).
Enumerated values are stored as short strings guarded by CHECK constraints rather than
native database enums, so adding a value is a plain migration on SQLite and PostgreSQL.
"""

import enum
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as naive UTC and returned as timezone-aware UTC.

    SQLite has no timezone type and silently drops ``tzinfo``; converting to UTC on the way
    in and re-attaching it on the way out gives the same behaviour on both databases and
    keeps stored values comparable as fixed-width text inside SQLite CHECK constraints.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # raw text from a hand-edited SQLite file
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Deterministic constraint names on both databases, so later migrations can drop or alter
# them by name (SQLite batch migrations need names; PostgreSQL would invent its own).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (the only clock the model uses)."""
    return datetime.now(UTC)


class ChannelKind(enum.StrEnum):
    STORE = "store"
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    SOCIAL = "social"
    MESSAGING = "messaging"
    WEBAPP = "webapp"
    OTHER = "other"

    @property
    def is_live(self) -> bool:
        """Live channels have a wait and a handling time; the others go sent → answered."""
        return self in LIVE_KINDS


LIVE_KINDS = frozenset({ChannelKind.STORE, ChannelKind.PHONE, ChannelKind.CHAT})


class JourneyStatus(enum.StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class CriterionKind(enum.StrEnum):
    YESNO = "yesno"
    SCALE = "scale"


class CriticalPolicy(enum.StrEnum):
    NONE = "none"
    ZERO_SECTION = "zero_section"
    ZERO_CONTACT = "zero_contact"
    FLAG_FAIL = "flag_fail"


class TimeSlot(enum.StrEnum):
    """When a planned contact is to be made: after-hours coverage is one of the things measured."""

    ANY = "any"
    OFFICE_HOURS = "office_hours"   # a weekday within office hours
    AFTER_HOURS = "after_hours"     # a weekday outside office hours
    WEEKEND = "weekend"


class Role(enum.StrEnum):
    AUDITOR = "auditor"
    MANAGER = "manager"
    ADMIN = "admin"
    REVIEWER = "reviewer"  # agency quality control: approves or returns submitted contacts, decides appeals
    CLIENT = "client"      # the audited company: its own brands' released results only (``ClientGrant``)


class ReviewStatus(enum.StrEnum):
    """Where a contact is on its way to the client (``journeys.review.states`` holds the moves).

    open → submitted → approved → released, and submitted → returned → submitted again. Only a
    released contact counts for the client and, by default, in every figure, report and export.
    """

    OPEN = "open"            # being logged by its auditor
    SUBMITTED = "submitted"  # waiting for a reviewer
    RETURNED = "returned"    # sent back to the auditor with a comment
    APPROVED = "approved"    # checked; waits for its wave's release
    RELEASED = "released"    # the client sees it


class ReleaseMode(enum.StrEnum):
    """How a wave's approved contacts reach the client."""

    AT_ONCE = "at_once"        # all together, when a manager releases the wave
    CONTINUOUS = "continuous"  # each one as soon as it is approved


class AppealStatus(enum.StrEnum):
    OPEN = "open"                  # waiting for an agency reviewer
    WAITING_CLIENT = "waiting"     # the reviewer asked the client for more
    UPHELD = "upheld"              # decided for the client: the answer or timing changed
    REJECTED = "rejected"          # decided against, with a reason


DECIDED_APPEALS = frozenset({AppealStatus.UPHELD, AppealStatus.REJECTED})


class ReviewAction(enum.StrEnum):
    """One step of a contact's audit trail (``ReviewEvent.action``)."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    RELEASED = "released"
    CORRECTED = "corrected"        # a reviewer changed an answer or timing, with a reason
    APPEALED = "appealed"          # a client opened an appeal
    APPEAL_QUERIED = "queried"     # the reviewer asked the client for more on an appeal
    APPEAL_ANSWERED = "answered"   # the client answered that question
    APPEAL_UPHELD = "upheld"
    APPEAL_REJECTED = "rejected"


def _one_of(column: str, values: type[enum.StrEnum], name: str) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=name)


def _not_before(later: str, earlier: str) -> str:
    return f"{later} IS NULL OR {later} >= {earlier}"


def _ts(nullable: bool = True, **kw):
    return Field(sa_type=UTCDateTime(), nullable=nullable, **kw)


class AlertMode(enum.StrEnum):
    """Which alert mails a user wants (``User.alerts``)."""

    ALL = "all"          # urgent alerts at once, the rest in a daily digest
    DIGEST = "digest"    # everything in the daily digest, urgent alerts too
    OFF = "off"          # no alert mails at all (unsubscribed)


class RuleKind(enum.StrEnum):
    """What makes an action rule create an action item (``scoring.action_rules`` holds the tests)."""

    CRITICAL_FAIL = "critical"     # a critical (knock-out) checklist item failed on a contact
    SCORE_BELOW = "score"          # a contact's final score is below ``threshold`` points
    RESPONSE_LATE = "late"         # the first response missed its target by more than ``threshold`` seconds
    CHANNEL_GAP = "gap"            # a journey's channel gap in a wave exceeds ``threshold`` points


class ActionStatus(enum.StrEnum):
    """An action item's way: open → in progress → done → verified; or rejected with a reason."""

    OPEN = "open"
    IN_PROGRESS = "progress"
    DONE = "done"
    VERIFIED = "verified"
    REJECTED = "rejected"


CLOSED_ACTIONS = frozenset({ActionStatus.VERIFIED, ActionStatus.REJECTED})


class NotificationKind(enum.StrEnum):
    """Why someone gets an alert (``Notification.kind``)."""

    ACTION_NEW = "action"          # a rule created an action this user owns
    DUE_SOON = "due_soon"          # an action of theirs is due in a few days
    OVERDUE = "overdue"            # an action of theirs is past its due date
    APPEAL_DECIDED = "appeal"      # an appeal this user opened was decided


class MailStatus(enum.StrEnum):
    PENDING = "pending"    # waiting to be sent (again, after ``next_attempt_at``)
    SENDING = "sending"    # claimed by a worker at ``claimed_at`` (a stale claim is retried)
    SENT = "sent"


class Brand(SQLModel, table=True):
    """The audited organisation."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    sector: str = Field(default="", max_length=80)
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)
    # Archived: kept with its contacts and figures, offered in no new plan or contact form.
    archived: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})

    __table_args__ = (sa.CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),)


class Location(SQLModel, table=True):
    """A store, branch or team of a brand."""

    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = Field(foreign_key="brand.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=120)
    city: str = Field(default="", max_length=80)
    address: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    # The level between brand and location that reports group by ("Noord", "Randstad"); "" none.
    region: str = Field(default="", max_length=80, sa_column_kwargs={"server_default": ""})
    # The client's own code for the location (a branch number); unique within a brand.
    external_code: str | None = Field(default=None, max_length=60)
    archived: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})

    __table_args__ = (
        sa.UniqueConstraint("brand_id", "name", name="uq_location_brand_name"),
        # An index, not a constraint: SQLite adds an index to an existing table without copying it.
        sa.Index("uq_location_brand_external_code", "brand_id", "external_code", unique=True),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
    )


class Channel(SQLModel, table=True):
    """Where a contact happens. Built-in channels cannot be deleted; users may add more."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    label: str = Field(default="", max_length=60)
    kind: str = Field(max_length=12)
    builtin: bool = Field(default=False)

    __table_args__ = (
        _one_of("kind", ChannelKind, "kind"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
    )

    @property
    def is_live(self) -> bool:
        return ChannelKind(self.kind).is_live


class Journey(SQLModel, table=True):
    """A scenario asked identically on every channel, with its reference answer."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    scenario: str = Field(default="")
    question: str = Field(default="")
    reference_answer: str = Field(default="")
    status: str = Field(default=JourneyStatus.ACTIVE.value, max_length=10)
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)
    updated_at: datetime = _ts(nullable=False, default_factory=utcnow)

    __table_args__ = (
        _one_of("status", JourneyStatus, "status"),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
    )


class JourneyChannel(SQLModel, table=True):
    """A channel a journey runs on, with that channel's response targets."""

    __tablename__ = "journey_channel"

    journey_id: int = Field(foreign_key="journey.id", ondelete="CASCADE", primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", ondelete="RESTRICT", primary_key=True)
    first_response_target_seconds: int | None = Field(default=None)
    resolution_target_seconds: int | None = Field(default=None)
    business_hours: bool = Field(default=False)

    __table_args__ = (
        sa.CheckConstraint(
            "first_response_target_seconds IS NULL OR first_response_target_seconds > 0",
            name="first_response_target_positive",
        ),
        sa.CheckConstraint(
            "resolution_target_seconds IS NULL OR resolution_target_seconds > 0",
            name="resolution_target_positive",
        ),
    )


class ChecklistVersion(SQLModel, table=True):
    """A frozen checklist of a journey. Contacts point at the version they were scored with."""

    __tablename__ = "checklist_version"

    id: int | None = Field(default=None, primary_key=True)
    journey_id: int = Field(foreign_key="journey.id", ondelete="CASCADE", index=True)
    number: int = Field(ge=1)
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)
    note: str = Field(default="")

    __table_args__ = (
        sa.UniqueConstraint("journey_id", "number", name="uq_checklist_version_journey_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )


class Criterion(SQLModel, table=True):
    """One checklist item of a checklist version."""

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="checklist_version.id", ondelete="CASCADE", index=True)
    position: int = Field(default=0)
    code: str = Field(max_length=30)
    text: str
    section: str = Field(default="General", max_length=80)
    weight: float = Field(default=1.0)
    kind: str = Field(default=CriterionKind.YESNO.value, max_length=8)
    scale_min: float | None = Field(default=None)
    scale_max: float | None = Field(default=None)
    na_allowed: bool = Field(default=True)
    critical_policy: str = Field(default=CriticalPolicy.NONE.value, max_length=14)
    bonus: bool = Field(default=False)

    __table_args__ = (
        sa.UniqueConstraint("version_id", "code", name="uq_criterion_version_code"),
        _one_of("kind", CriterionKind, "kind"),
        _one_of("critical_policy", CriticalPolicy, "critical_policy"),
        sa.CheckConstraint("weight >= 0", name="weight_not_negative"),
        sa.CheckConstraint("length(trim(code)) > 0", name="code_not_empty"),
        sa.CheckConstraint("length(trim(text)) > 0", name="text_not_empty"),
        sa.CheckConstraint(
            "kind <> 'scale' OR (scale_min IS NOT NULL AND scale_max IS NOT NULL "
            "AND scale_min < scale_max)",
            name="scale_range",
        ),
        sa.CheckConstraint(
            "NOT (bonus AND critical_policy <> 'none')", name="bonus_not_critical"
        ),
    )


class CriterionChannel(SQLModel, table=True):
    """Restricts a criterion to some channels; a criterion without rows applies everywhere."""

    __tablename__ = "criterion_channel"

    criterion_id: int = Field(foreign_key="criterion.id", ondelete="CASCADE", primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", ondelete="CASCADE", primary_key=True)


class Wave(SQLModel, table=True):
    """One audit round, e.g. 2026-Q1: its dates and whether it is closed (who closed it is in the
    change log). A closed wave takes no new contacts and its figures are final. What it covers:
    ``WaveBrand``, ``WaveJourney``, ``WaveChannel`` (no rows: every brand, journey, channel)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    starts_on: date | None = Field(default=None)
    ends_on: date | None = Field(default=None)
    closed_at: datetime | None = _ts()
    # Release to the client (``ReleaseMode``): all at once when ``released_at`` is set, or each
    # contact as it is approved. A client may appeal a released contact for ``appeal_days`` days.
    release_mode: str = Field(default=ReleaseMode.AT_ONCE.value, max_length=12,
                              sa_column_kwargs={"server_default": ReleaseMode.AT_ONCE.value})
    released_at: datetime | None = _ts()
    appeal_days: int = Field(default=7, sa_column_kwargs={"server_default": "7"})

    __table_args__ = (
        sa.CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on",
            name="ends_after_start",
        ),
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_empty"),
        _one_of("release_mode", ReleaseMode, "release_mode"),
        sa.CheckConstraint("appeal_days >= 0", name="appeal_days_not_negative"),
    )


class WaveBrand(SQLModel, table=True):
    """A brand a wave is for; a wave without rows is for every brand."""

    __tablename__ = "wave_brand"

    wave_id: int = Field(foreign_key="wave.id", ondelete="CASCADE", primary_key=True)
    brand_id: int = Field(foreign_key="brand.id", ondelete="CASCADE", primary_key=True)


class WaveJourney(SQLModel, table=True):
    """A journey a wave covers; a wave without rows covers every journey."""

    __tablename__ = "wave_journey"

    wave_id: int = Field(foreign_key="wave.id", ondelete="CASCADE", primary_key=True)
    journey_id: int = Field(foreign_key="journey.id", ondelete="CASCADE", primary_key=True)


class WaveChannel(SQLModel, table=True):
    """A channel a wave covers; a wave without rows covers every channel."""

    __tablename__ = "wave_channel"

    wave_id: int = Field(foreign_key="wave.id", ondelete="CASCADE", primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", ondelete="CASCADE", primary_key=True)


class PlanLine(SQLModel, table=True):
    """One quota of a wave's fieldwork plan: so many contacts for a brand (at a location, or at
    brand level when ``location_id`` is None) on a journey and channel, in a time slot, by a date.
    Each planned contact of it is an ``Assignment`` row (``quantity`` of them)."""

    __tablename__ = "plan_line"

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(foreign_key="wave.id", ondelete="CASCADE", index=True)
    brand_id: int = Field(foreign_key="brand.id", ondelete="RESTRICT")
    location_id: int | None = Field(default=None, foreign_key="location.id", ondelete="RESTRICT")
    journey_id: int = Field(foreign_key="journey.id", ondelete="RESTRICT")
    channel_id: int = Field(foreign_key="channel.id", ondelete="RESTRICT")
    quantity: int = Field(default=1)
    time_slot: str = Field(default=TimeSlot.ANY.value, max_length=12)
    due_on: date | None = Field(default=None)

    __table_args__ = (
        sa.UniqueConstraint("wave_id", "brand_id", "location_id", "journey_id", "channel_id", "time_slot",
                            name="uq_plan_line_cell"),
        sa.CheckConstraint("quantity >= 1", name="quantity_positive"),
        _one_of("time_slot", TimeSlot, "time_slot"),
    )


class Assignment(SQLModel, table=True):
    """One planned contact of a plan line: who is to make it (None: not assigned yet), by when,
    and the contact made for it. Done when its contact is saved complete; a contact no
    assignment points at is ad hoc (outside the plan)."""

    id: int | None = Field(default=None, primary_key=True)
    plan_line_id: int = Field(foreign_key="plan_line.id", ondelete="CASCADE", index=True)
    wave_id: int = Field(foreign_key="wave.id", ondelete="CASCADE", index=True)  # the line's, for fast counts
    auditor_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT", index=True)
    due_on: date | None = Field(default=None)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL", unique=True)
    assigned_at: datetime | None = _ts()
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)


class AuditorChannel(SQLModel, table=True):
    """A channel an auditor tests; an auditor without rows may be given every channel."""

    __tablename__ = "auditor_channel"

    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", ondelete="CASCADE", primary_key=True)


class AuditorRegion(SQLModel, table=True):
    """A region an auditor covers (``Location.region``); an auditor without rows covers all."""

    __tablename__ = "auditor_region"

    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", primary_key=True)
    region: str = Field(max_length=80, primary_key=True)


class AuditorAbsence(SQLModel, table=True):
    """A period (both days included) an auditor cannot do fieldwork."""

    __tablename__ = "auditor_absence"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    starts_on: date
    ends_on: date
    note: str = Field(default="", max_length=200)

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)


class User(SQLModel, table=True):
    """A person who signs in. Deactivated, never deleted, so history stays attributable."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    display_name: str = Field(default="", max_length=120)
    role: str = Field(max_length=8)
    password_hash: str = Field(default="")
    active: bool = Field(default=True)
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)
    # The language the app speaks to this person ("nl", "en"; journeys.language.LANGUAGES), chosen in
    # the app's menu; None: the browser's language, then the installation's default.
    language: str | None = Field(default=None, max_length=8)
    # Where alert mails go ("" : none) and which ones (``AlertMode``): the user's own preferences.
    email: str = Field(default="", max_length=254, sa_column_kwargs={"server_default": ""})
    alerts: str = Field(default=AlertMode.ALL.value, max_length=8,
                        sa_column_kwargs={"server_default": AlertMode.ALL.value})

    __table_args__ = (
        _one_of("role", Role, "role"),
        _one_of("alerts", AlertMode, "alerts"),
        sa.CheckConstraint("length(trim(username)) > 0", name="username_not_empty"),
    )


class Contact(SQLModel, table=True):
    """One mystery contact on one channel."""

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int | None = Field(default=None, foreign_key="wave.id", ondelete="RESTRICT", index=True)
    brand_id: int = Field(foreign_key="brand.id", ondelete="RESTRICT", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id", ondelete="RESTRICT")
    journey_id: int = Field(foreign_key="journey.id", ondelete="RESTRICT", index=True)
    checklist_version_id: int = Field(foreign_key="checklist_version.id", ondelete="RESTRICT")
    channel_id: int = Field(foreign_key="channel.id", ondelete="RESTRICT", index=True)
    auditor_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT", index=True)
    started_at: datetime = _ts(nullable=False, index=True)
    acknowledged_at: datetime | None = _ts()
    first_response_at: datetime | None = _ts()
    resolved_at: datetime | None = _ts()
    due_at: datetime | None = _ts()
    wait_seconds: float | None = Field(default=None)
    handling_seconds: float | None = Field(default=None)
    transfers: int = Field(default=0)
    redirected_to_channel_id: int | None = Field(default=None, foreign_key="channel.id", ondelete="RESTRICT")
    answer_text: str = Field(default="")
    answer_correct: bool | None = Field(default=None)
    notes: str = Field(default="")
    external_id: str | None = Field(default=None, max_length=120)
    # An assessment saved incomplete: kept and shown to its auditor, never scored or counted
    # (dashboards, reports, exports) until it is saved complete.
    is_draft: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # On its way to the client (``ReviewStatus``); ``released_at``: when the client could first see it.
    review_status: str = Field(default=ReviewStatus.OPEN.value, max_length=10, index=True,
                               sa_column_kwargs={"server_default": ReviewStatus.OPEN.value})
    released_at: datetime | None = _ts()
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT")
    updated_at: datetime = _ts(nullable=False, default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT")

    __table_args__ = (
        sa.UniqueConstraint("brand_id", "external_id", name="uq_contact_brand_external_id"),
        sa.CheckConstraint(_not_before("acknowledged_at", "started_at"), name="acknowledged_after_start"),
        sa.CheckConstraint(_not_before("first_response_at", "started_at"), name="first_response_after_start"),
        sa.CheckConstraint(_not_before("resolved_at", "started_at"), name="resolved_after_start"),
        sa.CheckConstraint(
            "resolved_at IS NULL OR first_response_at IS NULL OR resolved_at >= first_response_at",
            name="resolved_after_first_response",
        ),
        sa.CheckConstraint("wait_seconds IS NULL OR wait_seconds >= 0", name="wait_not_negative"),
        sa.CheckConstraint("handling_seconds IS NULL OR handling_seconds >= 0", name="handling_not_negative"),
        sa.CheckConstraint("transfers >= 0", name="transfers_not_negative"),
        _one_of("review_status", ReviewStatus, "review_status"),
    )


class Answer(SQLModel, table=True):
    """A contact's answer to one criterion: a value, or N/A."""

    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", primary_key=True)
    criterion_id: int = Field(foreign_key="criterion.id", ondelete="RESTRICT", primary_key=True, index=True)
    value: float | None = Field(default=None)
    is_na: bool = Field(default=False)
    comment: str = Field(default="")

    __table_args__ = (
        sa.CheckConstraint(
            "(is_na AND value IS NULL) OR (NOT is_na AND value IS NOT NULL)",
            name="value_or_na",
        ),
    )


class ContactScore(SQLModel, table=True):
    """A contact's quality score as ``scoring.quality.score_contacts`` computes it, stored when the
    contact's answers are written (same transaction; ``journeys.fieldwork.scores``), so the
    dashboards and reports read one row per contact instead of re-scoring every answer.

    Only what does not depend on the moment or the pass mark is stored: ``passed`` and ``band``
    follow from ``final_score`` and ``knockout`` (``scoring.quality.PassBand.classify``), the
    timings from the contact's own columns as of the report. ``klantreis rescore`` recomputes
    every row (after a change to the scoring rules)."""

    __tablename__ = "contact_score"

    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", primary_key=True)
    raw_score: float | None = Field(default=None)
    final_score: float | None = Field(default=None)
    critical_fail: bool
    knockout: str = Field(max_length=12)
    possible_points: float
    earned_points: float
    bonus_points: float
    applicable_items: int
    scored_items: int
    na_items: int
    missing_items: int

    __table_args__ = (
        sa.CheckConstraint("knockout IN ('none', 'zero_section', 'flag_fail', 'zero_contact')", name="knockout"),
    )


class PendingInput(SQLModel, table=True):
    """What one user typed into a contact's assessment and has not saved yet (autosaved on every
    change), so a reload, a page switch or a refused save loses nothing. ``values_json`` holds
    the typed values as the page had them; they are validated only when the user saves.
    Deleted when that user saves the contact (as a draft or complete)."""

    __tablename__ = "pending_input"

    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", primary_key=True)
    values_json: str = Field(sa_type=sa.Text())
    updated_at: datetime = _ts(nullable=False, default_factory=utcnow)


class Evidence(SQLModel, table=True):
    """A file attached to a contact: a screenshot, photo, recording or PDF."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    file_name: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=sa.LargeBinary())
    uploaded_at: datetime = _ts(nullable=False, default_factory=utcnow)
    uploaded_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT")
    # Images: a bounded copy made once from the checked original, so a page never decodes the
    # original (see journeys.fieldwork.evidence). Null for other files, and for images stored before
    # thumbnails existed until the first view makes one (or records why it could not).
    thumbnail: bytes | None = Field(default=None, sa_type=sa.LargeBinary())
    thumbnail_media_type: str | None = Field(default=None, max_length=100)
    preview_problem: str | None = Field(default=None, max_length=500)

    __table_args__ = (
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )


class ClientGrant(SQLModel, table=True):
    """What a client user may see: a whole brand (``region`` "" and no location), the locations of
    one region of it, or one location of it. A client without grants sees nothing."""

    __tablename__ = "client_grant"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    brand_id: int = Field(foreign_key="brand.id", ondelete="CASCADE")
    region: str = Field(default="", max_length=80)
    location_id: int | None = Field(default=None, foreign_key="location.id", ondelete="CASCADE")

    __table_args__ = (
        sa.UniqueConstraint("user_id", "brand_id", "region", "location_id", name="uq_client_grant"),
        sa.CheckConstraint("region = '' OR location_id IS NULL", name="region_or_location"),
    )


class ReviewEvent(SQLModel, table=True):
    """One step of a contact's audit trail (``ReviewAction``): who, when, and what they wrote."""

    __tablename__ = "review_event"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    occurred_at: datetime = _ts(nullable=False, default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT")
    action: str = Field(max_length=10)
    comment: str = Field(default="")
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id", ondelete="CASCADE", index=True)

    __table_args__ = (_one_of("action", ReviewAction, "action"),)


class Appeal(SQLModel, table=True):
    """A client's dispute of one checklist answer (``criterion_id``) or of the timing (None) of a
    released contact, and the agency's decision. An upheld appeal changes the answer or timing;
    the scores before and after are kept here, the field changes in the change log."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE", index=True)
    criterion_id: int | None = Field(default=None, foreign_key="criterion.id", ondelete="RESTRICT")
    opened_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT")
    opened_at: datetime = _ts(nullable=False, default_factory=utcnow)
    reason: str = Field(default="")
    status: str = Field(default=AppealStatus.OPEN.value, max_length=10, index=True)
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT")
    decided_at: datetime | None = _ts()
    decision: str = Field(default="")  # the reviewer's reason, shown to both sides
    score_before: float | None = Field(default=None)
    score_after: float | None = Field(default=None)

    __table_args__ = (
        _one_of("status", AppealStatus, "status"),
        sa.CheckConstraint("length(trim(reason)) > 0", name="reason_not_empty"),
    )


class AppealEvidence(SQLModel, table=True):
    """An evidence file a client attached to an appeal (stored as the contact's ``Evidence``)."""

    __tablename__ = "appeal_evidence"

    appeal_id: int = Field(foreign_key="appeal.id", ondelete="CASCADE", primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", ondelete="CASCADE", primary_key=True)


class ActionRule(SQLModel, table=True):
    """When a finding needs follow-up (``RuleKind``), for one brand or every brand (``brand_id``
    None), one journey or every journey: who owns the action (``owner_id``; None: the client user
    granted most narrowly on the finding's location), when it is due, and whether its alert is
    urgent (sent at once instead of in the daily digest). Rules are data: the app shows them in
    plain words (``journeys.actions.rules``). ``threshold``: points for score and gap rules,
    seconds past the target for late rules, unused for critical rules."""

    __tablename__ = "action_rule"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    brand_id: int | None = Field(default=None, foreign_key="brand.id", ondelete="CASCADE", index=True)
    journey_id: int | None = Field(default=None, foreign_key="journey.id", ondelete="CASCADE")
    threshold: float | None = Field(default=None)
    owner_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    due_days: int = Field(default=14)
    urgent: bool = Field(default=False)
    active: bool = Field(default=True)
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT")

    __table_args__ = (
        _one_of("kind", RuleKind, "kind"),
        sa.CheckConstraint("due_days >= 0", name="due_days_not_negative"),
        sa.CheckConstraint("kind = 'critical' OR threshold IS NOT NULL", name="threshold_needed"),
    )


class ActionItem(SQLModel, table=True):
    """One finding to act on: what was found (the contact, the item, or a journey's channel gap in
    a wave), who owns it, when it is due and where it stands (``ActionStatus``). ``finding_key``
    names the finding (``scoring.action_rules.Finding.key``): one action per rule and finding, so
    running the rules again creates nothing twice. ``measured`` and ``threshold`` are the figure
    found and the rule's limit at the time, so the action still reads right after a rule changes."""

    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="action_rule.id", ondelete="RESTRICT", index=True)
    finding_key: str = Field(max_length=120)
    kind: str = Field(max_length=10)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL", index=True)
    criterion_id: int | None = Field(default=None, foreign_key="criterion.id", ondelete="RESTRICT")
    brand_id: int = Field(foreign_key="brand.id", ondelete="CASCADE", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id", ondelete="SET NULL")
    journey_id: int = Field(foreign_key="journey.id", ondelete="RESTRICT")
    channel_id: int | None = Field(default=None, foreign_key="channel.id", ondelete="RESTRICT")
    wave_id: int | None = Field(default=None, foreign_key="wave.id", ondelete="RESTRICT")
    measured: float | None = Field(default=None)
    threshold: float | None = Field(default=None)
    owner_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL", index=True)
    due_on: date
    status: str = Field(default=ActionStatus.OPEN.value, max_length=10, index=True)
    status_reason: str = Field(default="")  # why it was rejected, or sent back after done
    urgent: bool = Field(default=False)
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)
    updated_at: datetime = _ts(nullable=False, default_factory=utcnow)
    done_at: datetime | None = _ts()
    verified_at: datetime | None = _ts()
    verified_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT")

    __table_args__ = (
        sa.UniqueConstraint("rule_id", "finding_key", name="uq_action_item_finding"),
        _one_of("kind", RuleKind, "kind"),
        _one_of("status", ActionStatus, "status"),
        sa.CheckConstraint("status <> 'rejected' OR length(trim(status_reason)) > 0", name="rejected_with_reason"),
    )


class ActionEvent(SQLModel, table=True):
    """A step on an action: a status change (``from_status`` → ``to_status``, with the reason in
    ``text``) or a comment (no statuses). Shown as the action's history."""

    __tablename__ = "action_event"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action_item.id", ondelete="CASCADE", index=True)
    occurred_at: datetime = _ts(nullable=False, default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT")
    from_status: str | None = Field(default=None, max_length=10)
    to_status: str | None = Field(default=None, max_length=10)
    text: str = Field(default="")

    __table_args__ = (
        sa.CheckConstraint("(from_status IS NULL) = (to_status IS NULL)", name="status_pair"),
        sa.CheckConstraint("to_status IS NOT NULL OR length(trim(text)) > 0", name="comment_not_empty"),
    )


class OutboxMail(SQLModel, table=True):
    """A mail to send, composed in the recipient's language when it was queued. ``key`` is its
    idempotency key (also the Message-ID's left part): one mail per key, ever, so a rerun or a
    second worker never sends it twice. A failed send stays pending with ``last_error`` and is
    tried again after ``next_attempt_at`` (back-off); it is never dropped."""

    __tablename__ = "outbox_mail"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=sa.Text())
    body_html: str = Field(sa_type=sa.Text())
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)
    status: str = Field(default=MailStatus.PENDING.value, max_length=8, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = _ts(nullable=False, default_factory=utcnow)
    claimed_at: datetime | None = _ts()
    last_error: str = Field(default="")
    sent_at: datetime | None = _ts()

    __table_args__ = (
        _one_of("status", MailStatus, "status"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )


class Notification(SQLModel, table=True):
    """Something one user is to be told (``NotificationKind``), about an action or an appeal.
    ``key`` makes it once per event and user (e.g. ``overdue:<action>:<user>``). Urgent ones go
    out in a mail of their own, the others in the user's daily digest; ``mail_id`` is the mail
    that carried it (None: not yet composed)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=10)
    action_id: int | None = Field(default=None, foreign_key="action_item.id", ondelete="CASCADE")
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id", ondelete="CASCADE")
    urgent: bool = Field(default=False)
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)
    mail_id: int | None = Field(default=None, foreign_key="outbox_mail.id", ondelete="SET NULL", index=True)

    __table_args__ = (_one_of("kind", NotificationKind, "kind"),)


class ChangeLog(SQLModel, table=True):
    """An audit trail entry: who changed which field of which record, when, old → new."""

    __tablename__ = "change_log"

    id: int | None = Field(default=None, primary_key=True)
    changed_at: datetime = _ts(nullable=False, default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="RESTRICT")
    entity: str = Field(max_length=40)
    entity_id: int
    action: str = Field(max_length=10)
    field: str = Field(default="", max_length=60)
    old_value: str | None = Field(default=None)
    new_value: str | None = Field(default=None)

    __table_args__ = (
        sa.Index("ix_change_log_entity", "entity", "entity_id"),
        sa.CheckConstraint("action IN ('create', 'update', 'delete')", name="action"),
    )


class Setting(SQLModel, table=True):
    """An installation-wide setting stored as JSON text (pass band, office hours, retention)."""

    key: str = Field(primary_key=True, max_length=60)
    value_json: str = Field(default="null")
    updated_at: datetime = _ts(nullable=False, default_factory=utcnow)


class AuthSession(SQLModel, table=True):
    """A signed-in browser: a random token (kept only as its SHA-256) with an expiry.

    The browser holds the token in a cookie so a reload keeps the user signed in; signing out
    sets ``revoked_at``. Rows are kept after expiry for the sign-in history of an account.
    """

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    token_sha256: str = Field(max_length=64, unique=True)
    created_at: datetime = _ts(nullable=False, default_factory=utcnow)
    expires_at: datetime = _ts(nullable=False)
    revoked_at: datetime | None = _ts()
    method: str = Field(default="password", max_length=10)

    __table_args__ = (
        sa.CheckConstraint("length(token_sha256) = 64", name="token_sha256_length"),
        sa.CheckConstraint("expires_at > created_at", name="expires_after_created"),
        sa.CheckConstraint("method IN ('password', 'sso')", name="method"),
    )


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins in a row for one typed username, kept whether or not the account exists.

    Keyed by the SHA-256 of the normalised username, so an unknown name goes through exactly the
    bookkeeping of a real one (nothing tells them apart) and a password typed into the username
    box is not stored readable. ``source`` is ``*`` for the account-wide row (the escalating
    delay between attempts) or the address the attempts came from (the lock); see
    ``journeys.accounts.users.authenticate``.
    """

    __tablename__ = "sign_in_throttle"

    username_sha256: str = Field(primary_key=True, max_length=64)
    source: str = Field(primary_key=True, max_length=64)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = _ts()
    updated_at: datetime = _ts(nullable=False, default_factory=utcnow, index=True)

    __table_args__ = (
        sa.CheckConstraint("length(username_sha256) = 64", name="username_sha256_length"),
        sa.CheckConstraint("failed_logins >= 0", name="failed_logins_not_negative"),
    )
