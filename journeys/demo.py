"""Deterministic demo data: four Dutch brands audited on ten channels over two waves.

The story the data tells (so the dashboards have something to find):

* **Vliegwel** (airline): good on the phone, slow and often silent on e-mail, parks social
  questions in private messages.
* **Belnet** (telecom): quick on chat and social, weaker in its stores.
* **Stroomkracht** (energy): staffed 9 to 5 only, so evening and weekend contacts wait long;
  answers are correct but slow everywhere.
* **Koopklik** (web shop): fast everywhere with automatic acknowledgements, but answers differ
  between channels (low consistency).

The study around them: the stores lie in three regions (Noord, Midden, Zuid) and wave 2026-Q3
has a fieldwork plan — one planned contact for each of its logged contacts, assigned to the auditor
who made it (done), and some more that nobody made: assigned but overdue, or never assigned.
So the progress page and the dashboards' plan coverage have a gap to show on first start.

Review before release (``seed_demo(review=True)``, what ``klantreis demo`` seeds): wave 2026-Q2 is
reviewed and released to the client (each contact submitted by its auditor, approved by the
reviewer or the manager — a few after being returned once and revised — and released with the
wave a few days after its last approval); wave 2026-Q3 is in review as of ``REVIEW_NOW``: its most
recent contacts still open or waiting in the review queue (the oldest a few days), a few returned
with a reviewer's comment, the rest approved and waiting for the wave's release (all at once).
A contact that is not finished (``journeys.fieldwork.planned.contact_logged``) stays open: in
2026-Q3 those nobody answered yet; in 2026-Q2 the auditors saved the checklist of each contact
nobody answered after waiting ``UNANSWERED_WAIT_DAYS`` (unanswered is a result: it is released
and counts). Two client users (one for a whole brand, one for one region of another) have
appealed a few released answers: open, waiting for the client, upheld (the answer changed and the
contact rescored with ``scoring.pipeline.scored_contacts``) and rejected. The agency's action rules
(``ACTION_RULES``: Vliegwel's failed knock-out items, Belnet's low scores, a wide channel gap) have
turned the released wave's findings into action items for the clients: some still open, some
overdue, some in progress, done, verified or rejected, each with its history.

Same seed → same rows. Contacts carry ``external_id = demo-<seed>-<n>``, so running the
command again adds nothing that is already there. Rows are generated with numpy per
(journey, channel) group and written with bulk inserts in one transaction.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from faker import Faker
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from data.db import session_scope
from journeys.accounts.users import get_user, hash_password, user_problems
from journeys.catalogue.journeys import create_journey, current_version
from journeys.catalogue.reference import (
    ensure_builtin_channels,
    get_or_create_brand,
    get_or_create_location,
    get_or_create_wave,
)
from journeys.catalogue.templates import TEMPLATES
from journeys.fieldwork.contact_filter import ContactFilter
from journeys.fieldwork.frames import read_answers, read_contacts, read_criteria
from journeys.fieldwork.planned import contact_logged
from journeys.fieldwork.scores import store_scores
from journeys.local_time import LOCAL_ZONE, LOCAL_ZONE_NAME
from journeys.models import (
    LIVE_KINDS,
    ActionEvent,
    ActionItem,
    ActionRule,
    ActionStatus,
    Answer,
    Appeal,
    AppealStatus,
    Assignment,
    Brand,
    ChangeLog,
    Channel,
    ChannelKind,
    ClientGrant,
    Contact,
    Criterion,
    CriterionChannel,
    Journey,
    JourneyChannel,
    PlanLine,
    ReleaseMode,
    ReviewAction,
    ReviewEvent,
    ReviewStatus,
    Role,
    RuleKind,
    Setting,
    User,
    Wave,
)

DEMO_SETTING_KEY = "demo_data"
REGIONS = ("Noord", "Midden", "Zuid")
PLANNED_WAVE = "2026-Q3"
# Of the plan's cells, this share asks for one contact more than was made (the gap), and of those
# extra planned contacts this share was never assigned.
SHORT_CELLS = 0.25
NEVER_ASSIGNED = 0.3
DEFAULT_CONTACTS = 3000

# The demo clients' appeals (``_ensure_appeals``), per client user, in this order: what became of each.
APPEALS = {
    "client1": (AppealStatus.OPEN, AppealStatus.WAITING_CLIENT, AppealStatus.UPHELD, AppealStatus.REJECTED, None),
    "client2": (AppealStatus.UPHELD, AppealStatus.REJECTED, AppealStatus.OPEN),
}  # None: an open appeal of the timing
APPEAL_REASONS = (
    "Volgens ons gespreksverslag heeft de medewerker dit wel degelijk gedaan; het staat letterlijk in de "
    "transcriptie. Graag opnieuw beoordelen.",
    "Onze medewerker heeft dit wel genoemd, alleen aan het eind van het gesprek. Wij vragen u de score op dit "
    "punt te herzien.",
    "De beoordeling is te streng: de medewerker verwees naar de pagina waar precies dit staat.",
)
APPEAL_SAMPLE = 60
TIMING_APPEAL_REASON = ("De eerste reactie is eerder verstuurd dan hier staat: in ons systeem staat het antwoord "
                        "ruim een uur eerder.")
APPEAL_QUERY = ("Kunt u de transcriptie of een schermafbeelding van het gesprek meesturen? In het bewijs van de "
                "mystery shopper zien we dit niet terug.")
UPHELD_DECISION = ("Toegekend: op de schermafbeelding van de mystery shopper staat het wel. Het item is aangepast "
                   "naar ja en het contact opnieuw gescoord.")
REJECTED_DECISION = ("Niet toegekend: in de schermafbeelding van het gesprek komt dit niet voor; de beoordeling "
                     "blijft staan.")


@dataclass(frozen=True)
class BrandProfile:
    name: str
    sector: str
    quality: float  # logit offset of "yes" on checklist items
    accuracy: float  # logit offset of a correct answer
    speed: float  # multiplier on response times (1 = typical)
    nine_to_five: bool  # evening/weekend messages wait for the next morning
    never_answers: float  # share of asynchronous contacts never answered
    auto_ack: bool  # sends automatic acknowledgements
    redirects: float  # share of social contacts redirected
    channel_quality: dict  # channel kind → logit offset
    channel_accuracy: dict  # channel kind → logit offset


BRANDS = (
    BrandProfile("Vliegwel", "airline", 0.6, 0.8, 1.6, False, 0.32, False, 0.35,
                 {"phone": 0.9, "email": -0.8, "social": -0.6}, {"phone": 0.6, "email": -0.6, "social": -0.9}),
    BrandProfile("Belnet", "telecom", 0.7, 0.9, 0.7, False, 0.10, True, 0.12,
                 {"chat": 0.8, "social": 0.6, "store": -0.9}, {"chat": 0.5, "store": -0.8}),
    BrandProfile("Stroomkracht", "energy", 0.4, 1.3, 2.2, True, 0.18, False, 0.2,
                 {}, {}),
    BrandProfile("Koopklik", "web shop", 0.9, 0.2, 0.5, False, 0.06, True, 0.08,
                 {"email": 0.4, "chat": 0.5, "social": -0.5, "messaging": -0.4},
                 {"social": -1.4, "messaging": -1.0, "email": 0.9, "chat": 0.6}),
)

WAVES = (("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)), ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)))

# Median first response (seconds) on a typical channel of each kind; log-normal spread.
FIRST_RESPONSE_MEDIAN = {"store": 150, "phone": 75, "chat": 40, "email": 8 * 3600, "social": 2 * 3600, "messaging": 25 * 60}
FIRST_RESPONSE_SIGMA = {"store": 0.7, "phone": 0.9, "chat": 0.8, "email": 1.1, "social": 1.2, "messaging": 1.1}
HANDLING_MEDIAN = {"store": 7 * 60, "phone": 6 * 60, "chat": 9 * 60}
# Share of live contacts that never get through (hung up after waiting, chat without agent).
LIVE_UNANSWERED = {"store": 0.0, "phone": 0.04, "chat": 0.08}
# Per-channel slowness within a kind (SMS is slower than WhatsApp).
CHANNEL_SPEED = {"sms": 3.0, "instagram": 1.5, "messenger": 0.8}

DEMO_ACCOUNTS = (
    ("auditor1", Role.AUDITOR), ("auditor2", Role.AUDITOR), ("auditor3", Role.AUDITOR),
    ("manager", Role.MANAGER), ("admin", Role.ADMIN), ("reviewer", Role.REVIEWER),
    ("client1", Role.CLIENT), ("client2", Role.CLIENT),
)
# The accounts of review, release and appeals: seeded with the review states (``seed_demo(review=True)``).
REVIEW_ACCOUNTS = frozenset({"reviewer", "client1", "client2"})
DISPLAY_NAMES = {"manager": "Demo Manager", "admin": "Demo Admin", "reviewer": "Demo Reviewer",
                 "client1": "Demo Client Vliegwel", "client2": "Demo Client Belnet Zuid"}
# What each demo client user sees (``ClientGrant``): a whole brand (region ""), or one region of one.
CLIENT_GRANTS = {"client1": ("Vliegwel", ""), "client2": ("Belnet", "Zuid")}

# Review before release (``seed_demo(review=True)``): the wave reviewed and released, the wave in
# review, and the moment the second is seen in (the morning after its fieldwork ended, local time:
# what was answered later is still being logged).
RELEASED_WAVE = "2026-Q2"
REVIEW_WAVE = PLANNED_WAVE
REVIEW_NOW = datetime(2026, 10, 1, 10, 0, tzinfo=LOCAL_ZONE).astimezone(UTC)
QUEUE_DAYS = 4          # contacts of the wave in review submitted this recently still wait for a reviewer
RETURNED_IN_QUEUE = 0.12  # of those, this share the reviewer already sent back
RETURNED_EARLIER = 0.05   # of those submitted up to RETURN_DAYS ago, this share was sent back, not revised yet
RETURN_DAYS = 10
UNANSWERED_WAIT_DAYS = 5  # how long an auditor waits for an answer before saving the contact as unanswered
REVISED = 0.04          # of the approved ones, this share was returned once and approved after revision
BY_MANAGER = 0.25       # reviews done by the manager rather than the reviewer
RETURN_COMMENTS = (
    "Bewijs ontbreekt: voeg de schermafbeelding van het gesprek toe.",
    "De tijden kloppen niet met het bewijs: volgens de schermafbeelding kwam het eerste antwoord later. "
    "Pas de tijdstempels aan.",
    "Het genoteerde antwoord is te kort om te beoordelen; schrijf op wat de medewerker letterlijk zei.",
    "Twee checklistitems staan op n.v.t. terwijl ze wel van toepassing zijn; vul ze alsnog in.",
    "Score en notitie spreken elkaar tegen: je schrijft dat je werd doorverwezen, maar het item over "
    "doorverwijzen staat op ja. Graag nakijken.",
)


def demo_email(username: str) -> str:
    """A demo account's e-mail address, at a domain reserved for examples (RFC 2606): alert mails
    to it go nowhere real even when the demo runs against a real mail server."""
    return f"{username}@klantreis.example"


def demo_password(username: str) -> str:
    """The documented password of a demo account (demo data is for trying, not for production)."""
    return f"{username}-demo"


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _ensure_catalogue(session: Session, fake: Faker, review: bool) -> dict:
    channels = ensure_builtin_channels(session=session)
    brands, locations = {}, {}
    for profile in BRANDS:
        brand = get_or_create_brand(session=session, name=profile.name, sector=profile.sector)
        brands[profile.name] = brand
        stores = []
        for number in range(3):
            city = fake.unique.city()
            store = get_or_create_location(session=session, brand=brand, name=f"{profile.name} {city}", city=city)
            if not store.region:  # a new store, or one from before regions existed
                store.region = REGIONS[number]
                store.external_code = f"{profile.name[:3].upper()}-{number + 1:03d}"
            stores.append(store)
        service = get_or_create_location(session=session, brand=brand, name="Klantenservice", city="")
        locations[profile.name] = (stores, service)
    journeys = {}
    for template in TEMPLATES:
        journey = session.exec(select(Journey).where(Journey.name == template.name)).first()
        journeys[template.name] = journey or create_journey(session=session, journey_in=template)
    waves = [get_or_create_wave(session=session, name=n, starts_on=s, ends_on=e) for n, s, e in WAVES]
    created_accounts = []
    auditors = []
    accounts = [(u, r) for u, r in DEMO_ACCOUNTS if review or u not in REVIEW_ACCOUNTS]
    users = {username: get_user(session=session, username=username) for username, _role in accounts}
    # argon2 takes a deliberate third of a second per password: hash the new accounts' side by side
    missing = [username for username, user in users.items() if user is None]
    with ThreadPoolExecutor(max_workers=max(1, len(missing))) as pool:
        hashes = dict(zip(missing, pool.map(lambda name: hash_password(demo_password(name)), missing), strict=True))
    for username, role in accounts:
        user = users[username]
        if user is None:
            assert not user_problems(username=username, role=role.value, password=demo_password(username))
            name = fake.name() if role == Role.AUDITOR else DISPLAY_NAMES[username]
            user = User(username=username, display_name=name, role=role.value, password_hash=hashes[username],
                        email=demo_email(username))
            session.add(user)
            created_accounts.append((username, role.value, demo_password(username)))
        if role == Role.AUDITOR:
            auditors.append(user)
        users[username] = user
    session.flush()
    for username, (brand_name, region) in CLIENT_GRANTS.items() if review else ():
        user, brand = users[username], brands[brand_name]
        if session.exec(select(ClientGrant.id).where(ClientGrant.user_id == user.id)).first() is None:
            session.add(ClientGrant(user_id=user.id, brand_id=brand.id, region=region))
    session.flush()
    return dict(channels=channels, brands=brands, locations=locations, journeys=journeys, waves=waves,
                auditors=auditors, users=users, created_accounts=created_accounts)


def _start_times(rng: np.random.Generator, n: int, wave_index: np.ndarray) -> pd.DatetimeIndex:
    """Local start times: mostly weekday office hours, some evenings and weekends."""
    starts = np.array([np.datetime64(WAVES[w][1]) for w in range(len(WAVES))])
    lengths = np.array([(WAVES[w][2] - WAVES[w][1]).days + 1 for w in range(len(WAVES))])
    day = rng.integers(0, lengths[wave_index])
    dates = starts[wave_index] + day.astype("timedelta64[D]")
    weekday = np.asarray(pd.DatetimeIndex(dates).day_of_week)
    # Auditors work mostly on weekdays: move 70 % of weekend draws to the Friday before.
    move = (weekday >= 5) & (rng.random(n) < 0.7)
    dates = dates - np.where(move, weekday - 4, 0).astype("timedelta64[D]")
    hour = np.clip(rng.normal(13.5, 3.6, n), 7, 22.9)
    seconds = (hour * 3600).astype(np.int64)
    local = pd.DatetimeIndex(dates.astype("datetime64[s]") + seconds.astype("timedelta64[s]"))
    return local.tz_localize(LOCAL_ZONE_NAME, ambiguous="NaT", nonexistent="shift_forward").tz_convert(UTC)


def _after_hours(local: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray((local.hour < 9) | (local.hour >= 17) | (local.day_of_week >= 5))


def _seconds_until_next_morning(local: pd.DatetimeIndex) -> np.ndarray:
    """Seconds from a local time to the next weekday 09:00 (for brands staffed 9 to 5)."""
    midnight = local.normalize()
    next_day = np.where(local.hour >= 9, 1, 0)
    target = midnight + pd.to_timedelta(next_day, unit="D") + pd.Timedelta(hours=9)
    wd = np.asarray(target.day_of_week)
    target = target + pd.to_timedelta(np.where(wd == 5, 2, np.where(wd == 6, 1, 0)), unit="D")
    return np.asarray((target - local).total_seconds())


def _answer_texts(journey_name: str) -> tuple[list[str], list[str]]:
    """Phrasings of a correct and of a wrong answer per journey (auditors paraphrase replies)."""
    pools = {
        "Cancel a flight and get a refund": (
            ["You get the full fare back within 7 days with a medical certificate via the refund form.",
             "With a doctor's note we refund the whole ticket, usually within a week.",
             "Taxes are always refunded; with a medical certificate the full price, within 7 days."],
            ["We can only offer a voucher for a future flight.", "Refunds are not possible for this fare.",
             "Please call our service number, we cannot help you here."]),
        "Ask about a delivery": (
            ["The parcel is delayed at the sorting centre and arrives within 2 working days; otherwise we send a new one.",
             "It is stuck at the depot, you will have it within two working days or your money back."],
            ["Please wait a few more days.", "We have no information about parcels, contact the carrier.",
             "It should arrive tomorrow."]),
        "File a complaint": (
            ["Our apologies. Complaint registered under reference number; new appointment with priority and a fixed compensation.",
             "Sorry for this. You receive the standard compensation and a priority appointment; here is your reference."],
            ["The engineer was delayed, please book a new appointment online.",
             "Complaints can only be sent by post.", "We cannot see what happened, call us."]),
        "A technical question": (
            ["Set the modem to a fixed 5 GHz channel or enable band steering in the app; otherwise a free engineer visit.",
             "Turn on band steering in the modem app. If it still drops we send a replacement modem."],
            ["Restart the modem.", "This is a problem of your own devices.", "Please call the technical helpdesk."]),
        "Help with an order": (
            ["Yes, until it is packed this evening via My orders; after that the carrier can redirect it.",
             "I changed the address for you; it was still possible because the order is not packed yet."],
            ["Changing an address is not possible after ordering.", "Cancel the order and order again.",
             "Send us an e-mail with your order number."]),
    }
    return pools[journey_name]


def seed_demo(engine: Engine, *, contacts: int = DEFAULT_CONTACTS, seed: int = 7, review: bool = False) -> dict:
    """Fill the database with the demo dataset (idempotent for a given seed).

    ``review``: contacts carry review states over time, with their audit trail and a few
    appeals, and the reviewer and client accounts (``REVIEW_ACCOUNTS``) with the clients'
    grants are made (see the module's docstring; ``klantreis demo`` asks for it). Without it
    every contact is released at its start and only the other demo accounts exist: the data the
    tests that pin figures (tests/figures) were taken from.

    Returns:
        A summary: contacts added and skipped, and the demo accounts created in this run with
        their passwords (empty when they already existed — passwords are printed only once).
    """
    if contacts < 0:
        raise ValueError(f"contacts must be at least 0 (got {contacts})")
    rng = np.random.default_rng(seed)
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    with session_scope(engine) as session:
        catalogue = _ensure_catalogue(session, fake, review)
        prefix = f"demo-{seed}-"
        existing = set(
            session.exec(select(Contact.external_id).where(Contact.external_id.like(f"{prefix}%"))).all()
        )
        added = skipped = 0
        if contacts:
            plan = _plan_contacts(session, rng, fake, catalogue, contacts, prefix)
            if review:
                plan["review"] = _plan_review(session, plan, catalogue, np.random.default_rng(seed + 2))
            keep = ~plan["contacts"]["external_id"].isin(existing).to_numpy()
            added, skipped = _insert(session, plan, keep), int((~keep).sum())
        _ensure_fieldwork_plan(session, catalogue, prefix, np.random.default_rng(seed + 1))
        marker = session.get(Setting, DEMO_SETTING_KEY) or Setting(key=DEMO_SETTING_KEY)
        marker.value_json = json.dumps({"seed": seed, "contacts": contacts})
        session.add(marker)
        user_ids = {name: user.id for name, user in catalogue["users"].items()}
    if review and contacts:
        _ensure_appeals(engine, prefix, user_ids, np.random.default_rng(seed + 3))
        _ensure_actions(engine, user_ids, np.random.default_rng(seed + 4))
    return {"added": added, "skipped": skipped, "accounts": catalogue["created_accounts"]}


def _plan_contacts(session, rng, fake, catalogue, n, prefix) -> dict:
    """Every contact and answer row of the dataset as frames, decided by the seed alone."""
    channels = catalogue["channels"]
    journey_list = list(catalogue["journeys"].values())
    journey_channels = {
        j.id: [channels_by_id[jc.channel_id] for jc in session.exec(
            select(JourneyChannel).where(JourneyChannel.journey_id == j.id)).all()]
        for channels_by_id in [{c.id: c for c in channels.values()}] for j in journey_list
    }
    for j in journey_list:
        journey_channels[j.id].sort(key=lambda c: c.name)
    brand_index = rng.integers(0, len(BRANDS), n)
    journey_index = rng.integers(0, len(journey_list), n)
    wave_index = rng.integers(0, len(WAVES), n)
    channel_draw = rng.random(n)
    auditor_index = rng.integers(0, len(catalogue["auditors"]), n)
    started = _start_times(rng, n, wave_index)
    # A DST gap can leave NaT: shift those by an hour deterministically.
    started = started.fillna(pd.Timestamp("2026-07-01 10:00", tz=UTC))
    local = started.tz_convert(LOCAL_ZONE_NAME)
    after_hours = _after_hours(local)
    wait_to_morning = _seconds_until_next_morning(local)
    noise = rng.normal(0, 0.6, n)  # the contact's own luck: one employee better than another
    response_draw = rng.standard_normal(n)
    handling_draw = rng.standard_normal(n)
    unanswered_draw = rng.random(n)
    ack_draw = rng.random(n)
    redirect_draw = rng.random(n)
    resolve_draw = rng.random(n)
    correct_draw = rng.random(n)
    text_draw = rng.integers(0, 1000, n)
    note_draw = rng.random(n)
    transfers = rng.poisson(0.25, n)
    notes_pool = [fake.sentence(nb_words=10) for _ in range(40)]

    rows = []
    for i in range(n):
        journey = journey_list[journey_index[i]]
        options = journey_channels[journey.id]
        rows.append((journey, options[int(channel_draw[i] * len(options))]))
    channel_names = np.array([c.name for _, c in rows])
    kinds = np.array([c.kind for _, c in rows])
    journey_ids = np.array([j.id for j, _ in rows])
    profiles = [BRANDS[b] for b in brand_index]

    speed = np.array([p.speed for p in profiles]) * np.array([CHANNEL_SPEED.get(c, 1.0) for c in channel_names])
    median = np.array([FIRST_RESPONSE_MEDIAN[k] for k in kinds]) * speed
    sigma = np.array([FIRST_RESPONSE_SIGMA[k] for k in kinds])
    first_response_s = median * np.exp(sigma * response_draw)
    is_live = np.isin(kinds, [k.value for k in LIVE_KINDS])
    nine_to_five = np.array([p.nine_to_five for p in profiles], dtype=bool)
    # Evenings and weekends are slower on asynchronous channels; 9-to-5 brands wait for morning.
    slow = after_hours & ~is_live
    first_response_s = np.where(slow, first_response_s * 2.5, first_response_s)
    first_response_s = np.where(slow & nine_to_five, wait_to_morning + first_response_s * 0.3, first_response_s)
    never = np.where(is_live, [LIVE_UNANSWERED.get(k, 0.0) for k in kinds], [p.never_answers for p in profiles])
    unanswered = unanswered_draw < never
    handling_s = np.array([HANDLING_MEDIAN.get(k, 0) for k in kinds]) * np.exp(0.5 * handling_draw)
    is_social = kinds == ChannelKind.SOCIAL.value
    redirected = is_social & ~unanswered & (redirect_draw < np.array([p.redirects for p in profiles]))
    redirect_target = np.where(redirect_draw < 0.5 * np.array([p.redirects for p in profiles]), "messenger", "phone")

    started_s = started.as_unit("s")
    first_response_at = started_s + pd.to_timedelta(np.where(unanswered, np.nan, first_response_s), unit="s")
    # Live: resolved at the end of the conversation. Async: often resolved in the first reply,
    # otherwise hours to days later; some answered contacts are still unresolved.
    async_resolution = np.where(resolve_draw < 0.55, 0.0, first_response_s * np.exp(rng.normal(0.5, 0.8, n)))
    async_resolution = np.where(resolve_draw > 0.93, np.nan, async_resolution)
    resolution_gap = np.where(is_live, handling_s, async_resolution)
    resolved_at = first_response_at + pd.to_timedelta(resolution_gap, unit="s")
    auto_ack = np.array([p.auto_ack for p in profiles], dtype=bool) & ~is_live & (ack_draw < 0.9)
    acknowledged_at = started_s + pd.to_timedelta(np.where(auto_ack, 30 + ack_draw * 60, np.nan), unit="s")

    quality = np.array([p.quality for p in profiles]) + noise
    quality += np.array([p.channel_quality.get(k, 0.0) for p, k in zip(profiles, kinds, strict=True)])
    quality -= np.where(after_hours, 0.3, 0.0)
    accuracy = np.array([p.accuracy for p in profiles]) + noise * 0.8
    accuracy += np.array([p.channel_accuracy.get(k, 0.0) for p, k in zip(profiles, kinds, strict=True)])
    correct = correct_draw < _sigmoid(accuracy)
    judged = ~unanswered

    texts = []
    for i in range(n):
        good, bad = _answer_texts(rows[i][0].name)
        texts.append("" if unanswered[i] else (good if correct[i] else bad)[text_draw[i] % len(good if correct[i] else bad)])

    brand_names = [p.name for p in profiles]
    location_ids = []
    for i in range(n):
        stores, service = catalogue["locations"][brand_names[i]]
        location_ids.append(stores[text_draw[i] % len(stores)].id if kinds[i] == "store" else service.id)

    versions = {j.id: current_version(session=session, journey_id=j.id).id for j in journey_list}
    auditors = catalogue["auditors"]
    frame = pd.DataFrame({
        "external_id": [f"{prefix}{i:07d}" for i in range(n)],
        "brand_id": [catalogue["brands"][b].id for b in brand_names],
        "location_id": location_ids,
        "journey_id": journey_ids,
        "checklist_version_id": [versions[j] for j in journey_ids],
        "channel_id": [channels[c].id for c in channel_names],
        "wave_id": [catalogue["waves"][w].id for w in wave_index],
        "auditor_id": [auditors[a].id for a in auditor_index],
        "started_at": started_s,
        "acknowledged_at": acknowledged_at,
        "first_response_at": first_response_at,
        "resolved_at": resolved_at,
        "wait_seconds": np.where(is_live & ~unanswered, np.round(first_response_s), np.where(is_live, np.round(first_response_s * 3), np.nan)),
        "handling_seconds": np.where(is_live & ~unanswered, np.round(handling_s), np.nan),
        "transfers": np.where(is_live, transfers, 0),
        "redirected_to_channel_id": [channels[t].id if r else None for r, t in zip(redirected, redirect_target, strict=True)],
        "answer_text": texts,
        "answer_correct": [bool(c) if j else None for c, j in zip(correct, judged, strict=True)],
        "notes": [notes_pool[text_draw[i] % len(notes_pool)] if note_draw[i] < 0.15 else "" for i in range(n)],
    })
    answers = _plan_answers(session, rng, frame, quality, unanswered, redirected, channel_names, versions)
    return {"contacts": frame, "answers": answers}


def _plan_answers(session, rng, frame, quality, unanswered, redirected, channel_names, versions) -> pd.DataFrame:
    """Checklist answers per (journey, channel) group, vectorised over the group's contacts."""
    criteria = session.exec(select(Criterion).where(Criterion.version_id.in_(list(versions.values())))).all()
    restricted: dict[int, set[str]] = {}
    for criterion_id, name in session.exec(
        select(CriterionChannel.criterion_id, Channel.name).join(Channel, Channel.id == CriterionChannel.channel_id)
    ).all():
        restricted.setdefault(criterion_id, set()).add(name)
    by_version: dict[int, list[Criterion]] = {}
    for c in criteria:
        by_version.setdefault(c.version_id, []).append(c)
    difficulty_rng = np.random.default_rng(12345)  # fixed: item difficulty is part of the scenario
    difficulty = {c.id: difficulty_rng.normal(0, 0.7) for c in sorted(criteria, key=lambda c: c.id)}

    parts = []
    version_ids = frame["checklist_version_id"].to_numpy()
    scored = ~unanswered
    for (version_id, channel_name), idx in pd.DataFrame(
        {"v": version_ids, "c": channel_names}
    )[scored].groupby(["v", "c"]).indices.items():
        rows = np.flatnonzero(scored)[idx]
        for criterion in sorted(by_version[version_id], key=lambda c: c.position):
            allowed = restricted.get(criterion.id)
            if allowed and channel_name not in allowed:
                continue
            p = _sigmoid(quality[rows] + difficulty[criterion.id] - (0.8 if criterion.bonus else 0.0))
            draw = rng.random(len(rows))
            if criterion.kind == "scale":
                span = criterion.scale_max - criterion.scale_min
                value = criterion.scale_min + rng.binomial(int(span), p)
            else:
                value = (draw < p).astype(float)
            if criterion.code in ("NOCALL",):
                value = np.where(redirected[rows], 0.0, value)
            na = criterion.na_allowed & (rng.random(len(rows)) < 0.04)
            parts.append(pd.DataFrame({
                "row": rows,
                "criterion_id": criterion.id,
                "value": np.where(na, np.nan, value.astype(float)),
                "is_na": na,
            }))
    if not parts:
        return pd.DataFrame(columns=["row", "criterion_id", "value", "is_na"])
    return pd.concat(parts, ignore_index=True)


def _hours(rng: np.random.Generator, low: float, high: float, n: int) -> pd.TimedeltaIndex:
    return pd.to_timedelta(np.round(rng.uniform(low, high, n) * 3600), unit="s")


def _next_morning(at: pd.Timestamp) -> pd.Timestamp:
    """10:00 local on the first weekday after ``at`` (when a manager releases a wave), in UTC."""
    day = at.tz_convert(LOCAL_ZONE_NAME).normalize() + pd.Timedelta(days=1)
    while day.day_of_week >= 5:
        day += pd.Timedelta(days=1)
    return (day + pd.Timedelta(hours=10)).tz_convert(UTC)


def _unanswered_checklists(session: Session, frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The checklist an auditor saves for a contact nobody answered: every item that applies to
    its channel N/A where the item allows it, else its lowest value (nothing was said)."""
    versions = frame["checklist_version_id"].to_numpy()[rows]
    channels = frame["channel_id"].to_numpy()[rows]
    criteria = session.exec(select(Criterion).where(Criterion.version_id.in_(sorted({int(v) for v in versions})))
                            .order_by(Criterion.version_id, Criterion.position, Criterion.id)).all()
    restricted: dict[int, set[int]] = {}
    for criterion_id, channel_id in session.exec(select(CriterionChannel.criterion_id, CriterionChannel.channel_id)):
        restricted.setdefault(criterion_id, set()).add(channel_id)
    parts = []
    for criterion in criteria:
        allowed = restricted.get(criterion.id)
        mask = (versions == criterion.version_id) & (np.isin(channels, list(allowed)) if allowed else True)
        if mask.any():
            lowest = criterion.scale_min if criterion.kind == "scale" else 0.0
            parts.append(pd.DataFrame({"row": rows[mask], "criterion_id": criterion.id,
                                       "value": np.nan if criterion.na_allowed else float(lowest),
                                       "is_na": bool(criterion.na_allowed)}))
    if not parts:
        return pd.DataFrame(columns=["row", "criterion_id", "value", "is_na"])
    return pd.concat(parts, ignore_index=True)


def _plan_review(session: Session, plan: dict, catalogue: dict, rng: np.random.Generator) -> dict:
    """Each planned contact's review status, release time and audit trail (see the module's
    docstring), decided by the seed and the contacts alone, vectorised over all of them.

    Returns ``review_status`` and ``released_at`` (one per contact row) and ``events``: a frame
    of ``row``, ``action``, ``at``, ``user_id``, ``comment`` in the order they happened.
    """
    frame, answers = plan["contacts"], plan["answers"]
    n = len(frame)
    kinds = {c.id: c.kind for c in catalogue["channels"].values()}
    live = frame["channel_id"].map(kinds).isin([k.value for k in LIVE_KINDS]).to_numpy()
    waves = {w.id: w for w in catalogue["waves"]}
    wave_name = frame["wave_id"].map({i: w.name for i, w in waves.items()}).to_numpy()
    stamps = ["started_at", "acknowledged_at", "first_response_at", "resolved_at"]
    finished = frame[stamps].max(axis=1).dt.ceil("s")
    assessed = np.zeros(n, dtype=bool)
    assessed[answers["row"].unique()] = True
    answered = np.where(live, frame["resolved_at"].notna(), frame["first_response_at"].notna())
    # Unanswered is a result: in the released wave the auditors waited UNANSWERED_WAIT_DAYS and then
    # saved the checklist of each contact nobody answered (N/A where allowed, else the lowest
    # value), so it counts; in the wave in review they are still waiting.
    gave_up = (wave_name == RELEASED_WAVE) & ~answered & ~assessed
    if gave_up.any():
        plan["answers"] = answers = pd.concat([answers, _unanswered_checklists(session, frame, np.flatnonzero(gave_up))],
                                              ignore_index=True)
        assessed |= gave_up
        finished = finished.where(~gave_up, frame["started_at"] + pd.Timedelta(days=UNANSWERED_WAIT_DAYS))
    # the rule of journeys.fieldwork.planned.contact_logged: not finished, not submitted
    logged = assessed | answered
    users = catalogue["users"]
    # every draw for every row, whatever its state: the same seed gives the same trail
    submit_delay, review_delay = _hours(rng, 0.5, 30, n), _hours(rng, 2, 70, n)
    revise_delay, second_delay = _hours(rng, 4, 48, n), _hours(rng, 1, 30, n)
    queue_delay = _hours(rng, 1, 20, n)
    state_draw, cycle_draw, by_draw = rng.random(n), rng.random(n), rng.random(n)
    comment = np.array(RETURN_COMMENTS, dtype=object)[rng.integers(0, len(RETURN_COMMENTS), n)]
    reviewer = np.where(by_draw < BY_MANAGER, users["manager"].id, users["reviewer"].id)
    auditor = frame["auditor_id"].to_numpy()

    submitted = finished + submit_delay
    released_wave, review_wave = wave_name == RELEASED_WAVE, wave_name == REVIEW_WAVE
    now = pd.Timestamp(REVIEW_NOW)
    age = (now - submitted).to_numpy()
    in_review = review_wave & logged & (submitted < now).to_numpy()
    queued = in_review & (age < np.timedelta64(QUEUE_DAYS, "D"))
    returned_now = (queued & (state_draw < RETURNED_IN_QUEUE) & (submitted + queue_delay < now).to_numpy()) | (
        in_review & ~queued & (age < np.timedelta64(RETURN_DAYS, "D")) & (state_draw < RETURNED_EARLIER))
    waiting = queued & ~returned_now
    # a return and a revision take up to 6 days: only contacts submitted longer ago went through one
    revised = (released_wave & logged | in_review & ~queued & (age > np.timedelta64(7, "D"))) & (
        cycle_draw < REVISED) & ~returned_now
    approved = (released_wave & logged | in_review & ~queued) & ~returned_now

    status = np.full(n, ReviewStatus.OPEN.value, dtype=object)
    status[waiting] = ReviewStatus.SUBMITTED.value
    status[returned_now] = ReviewStatus.RETURNED.value
    status[approved & review_wave] = ReviewStatus.APPROVED.value
    status[approved & released_wave] = ReviewStatus.RELEASED.value

    first_return = submitted + pd.Series(np.where(returned_now & queued, queue_delay, review_delay), index=frame.index)
    resubmitted = first_return + revise_delay
    approved_at = (resubmitted + second_delay).where(revised, submitted + review_delay)
    release = approved & released_wave
    wave = next(w for w in catalogue["waves"] if w.name == RELEASED_WAVE)
    if wave.released_at is None and release.any():
        wave.released_at = _next_morning(approved_at[release].max()).to_pydatetime()
        wave.release_mode = ReleaseMode.AT_ONCE.value
        session.add(wave)
    wave_release = pd.Timestamp(wave.released_at) if wave.released_at is not None else pd.NaT
    # approved after an earlier run released the wave: released on approval (journeys.review.states)
    released_at = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s, UTC]")
    released_at[release] = approved_at[release].clip(lower=wave_release)

    parts = []

    def add(mask, action, at, user, text=""):
        rows = np.flatnonzero(mask)
        if len(rows):
            parts.append(pd.DataFrame({
                "row": rows, "action": action.value, "at": pd.DatetimeIndex(at)[rows],
                "user_id": np.broadcast_to(user, n)[rows],
                "comment": np.broadcast_to(np.asarray(text, dtype=object), n)[rows], "order": len(parts)}))

    add(waiting | returned_now | approved, ReviewAction.SUBMITTED, submitted, auditor)
    add(returned_now | revised, ReviewAction.RETURNED, first_return, reviewer, comment)
    add(revised, ReviewAction.SUBMITTED, resubmitted, auditor)
    add(approved, ReviewAction.APPROVED, approved_at, reviewer)
    add(release, ReviewAction.RELEASED, released_at, users["manager"].id)
    events = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["row", "action", "at", "user_id", "comment", "order"])
    events = events.sort_values(["row", "order"], kind="stable").drop(columns="order").reset_index(drop=True)
    return {"review_status": status, "released_at": released_at, "events": events}


def _nullable(series: pd.Series) -> list:
    """Python values with NaN/NaT as None (what the database driver expects)."""
    values = series.astype(object).where(series.notna(), None)
    return values.tolist()


def _insert(session: Session, plan: dict, keep: np.ndarray) -> int:
    """Bulk-insert the kept contacts and their answers (Core executemany, batched)."""
    frame = plan["contacts"][keep]
    if frame.empty:
        return 0
    now = datetime.now(UTC)
    columns = {name: _nullable(frame[name]) for name in frame.columns}
    for ts in ("started_at", "acknowledged_at", "first_response_at", "resolved_at"):
        columns[ts] = [None if v is None else v.round("s").to_pydatetime() for v in columns[ts]]
    for integer in ("location_id", "redirected_to_channel_id", "transfers", "brand_id", "journey_id",
                    "checklist_version_id", "channel_id", "wave_id", "auditor_id"):
        columns[integer] = [None if v is None else int(v) for v in columns[integer]]
    records = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    review = plan.get("review")
    if review is None:  # every contact released when it was made
        statuses, released = [ReviewStatus.RELEASED.value] * len(records), columns["started_at"]
    else:
        statuses = review["review_status"][keep].tolist()
        released = [None if pd.isna(v) else v.to_pydatetime() for v in review["released_at"][keep]]
    for r, status, released_at in zip(records, statuses, released, strict=True):
        r.update(transfers=r["transfers"] or 0, created_at=now, updated_at=now, due_at=None,
                 created_by_id=r["auditor_id"], updated_by_id=r["auditor_id"],
                 review_status=status, released_at=released_at)
    table = Contact.__table__
    connection = session.connection()
    ids = []
    batch = 5000
    for start in range(0, len(records), batch):
        result = connection.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), records[start:start + batch]
        )
        ids.extend(r[0] for r in result)
    row_to_id = dict(zip(np.flatnonzero(keep).tolist(), ids, strict=True))
    answers = plan["answers"]
    answers = answers[answers["row"].isin(row_to_id.keys())]
    contact_ids = answers["row"].map(row_to_id).astype(int).tolist()
    criterion_ids = answers["criterion_id"].astype(int).tolist()
    values = _nullable(answers["value"])
    nas = answers["is_na"].astype(bool).tolist()
    answer_rows = [
        {"contact_id": c, "criterion_id": k, "value": v, "is_na": a, "comment": ""}
        for c, k, v, a in zip(contact_ids, criterion_ids, values, nas, strict=True)
    ]
    for start in range(0, len(answer_rows), 50_000):
        connection.execute(sa.insert(Answer.__table__), answer_rows[start:start + 50_000])
    store_scores(connection, ids)  # as every save does (journeys.fieldwork.scores)
    if review is not None:
        events = review["events"]
        events = events[events["row"].isin(row_to_id.keys())]
        event_rows = [
            {"contact_id": row_to_id[r], "action": a, "occurred_at": t, "user_id": u, "comment": c}
            for r, a, t, u, c in zip(events["row"].tolist(), events["action"].tolist(),
                                     events["at"].dt.to_pydatetime().tolist(), events["user_id"].astype(int).tolist(),
                                     events["comment"].tolist(), strict=True)]
        for start in range(0, len(event_rows), 50_000):
            connection.execute(sa.insert(ReviewEvent.__table__), event_rows[start:start + 50_000])
    return len(records)


def _ensure_fieldwork_plan(session: Session, catalogue: dict, prefix: str, rng: np.random.Generator) -> None:
    """Wave 2026-Q3's fieldwork plan, made once: a plan line per brand × location × journey ×
    channel the wave's logged demo contacts fall in, one done assignment per such contact (its
    auditor's; the demo's unanswered contacts carry no checklist, so they stay ad hoc),
    and in ``SHORT_CELLS`` of the cells one planned contact more — assigned and overdue, or never
    assigned. Bulk inserts; nothing when the wave has a plan already."""
    wave = next(w for w in catalogue["waves"] if w.name == PLANNED_WAVE)
    if session.exec(select(PlanLine.id).where(PlanLine.wave_id == wave.id).limit(1)).first() is not None:
        return
    made = pd.DataFrame(session.exec(
        select(Contact.id, Contact.brand_id, Contact.location_id, Contact.journey_id, Contact.channel_id,
               Contact.auditor_id)
        .join(Channel, Channel.id == Contact.channel_id)
        .where(Contact.wave_id == wave.id, Contact.external_id.like(f"{prefix}%"), contact_logged())
        .order_by(Contact.id)).all(),
        columns=["contact_id", "brand_id", "location_id", "journey_id", "channel_id", "auditor_id"])
    if made.empty:
        return
    cell = ["brand_id", "location_id", "journey_id", "channel_id"]
    cells = made.groupby(cell, sort=True).size().rename("made").reset_index()
    cells["extra"] = (rng.random(len(cells)) < SHORT_CELLS).astype(int)
    connection = session.connection()
    table = PlanLine.__table__
    line_rows = [dict(wave_id=wave.id, brand_id=int(r.brand_id), location_id=int(r.location_id),
                      journey_id=int(r.journey_id), channel_id=int(r.channel_id), quantity=int(r.made + r.extra),
                      time_slot="any", due_on=wave.ends_on) for r in cells.itertuples()]
    line_ids = [row[0] for row in connection.execute(
        sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), line_rows)]
    cells["line_id"] = line_ids
    made = made.merge(cells[[*cell, "line_id"]], on=cell)
    assigned_at = datetime.combine(wave.starts_on, datetime.min.time(), tzinfo=UTC)
    rows = [dict(plan_line_id=int(r.line_id), wave_id=wave.id, auditor_id=int(r.auditor_id), due_on=wave.ends_on,
                 contact_id=int(r.contact_id), assigned_at=assigned_at, created_at=assigned_at)
            for r in made.itertuples()]
    auditors = [a.id for a in catalogue["auditors"]]
    for r in cells[cells["extra"] > 0].itertuples():
        assigned = rng.random() >= NEVER_ASSIGNED
        rows.append(dict(plan_line_id=int(r.line_id), wave_id=wave.id, due_on=wave.ends_on, contact_id=None,
                         auditor_id=int(auditors[int(rng.integers(0, len(auditors)))]) if assigned else None,
                         assigned_at=assigned_at if assigned else None, created_at=assigned_at))
    connection.execute(sa.insert(Assignment.__table__), rows)


def _final_scores(contacts: pd.DataFrame, answers: pd.DataFrame, criteria: pd.DataFrame) -> dict:
    """contact id → final score as every figure computes it (None: nothing to score): the quality
    half of ``scoring.pipeline.scored_contacts``, whose ``final_score`` it is (the timing half
    changes no score and costs a first-call warm-up the demo need not pay)."""
    from scoring.quality import score_contacts  # scipy and the scoring tables: only the appeals need them

    scored = score_contacts(contacts, answers, criteria)
    return {int(c): (None if pd.isna(v) else float(v)) for c, v in scored["final_score"].items()}


# The agency's action rules (``seed_demo(review=True)``): kind, brand (None: every brand), threshold,
# days to act, urgent (mailed at once rather than in the daily digest). Per brand, as an agency
# agrees them with each client: the two brands with client users.
ACTION_RULES = (
    (RuleKind.CRITICAL_FAIL, "Vliegwel", None, 14, True),
    (RuleKind.SCORE_BELOW, "Belnet", 50.0, 21, False),
    (RuleKind.CHANNEL_GAP, None, 25.0, 30, False),
)
# Where the demo's actions stand: the share of them in each status (the rest open), and of the open
# ones the share that found their owner too late (due date passed: overdue).
ACTION_STATES = ((ActionStatus.VERIFIED, 0.15), (ActionStatus.DONE, 0.15), (ActionStatus.IN_PROGRESS, 0.2),
                 (ActionStatus.REJECTED, 0.04))
OVERDUE_SHARE = 0.5
ACTION_COMMENTS = (
    "Het team is opnieuw getraind op de begroeting; de nieuwe werkinstructie hangt in de personeelsruimte.",
    "Besproken in het teamoverleg van maandag; de teamleider controleert dit de komende weken steekproefsgewijs.",
    "De standaardantwoorden in het klantcontactsysteem zijn aangepast.",
    "We hebben extra bezetting ingeroosterd op de drukke uren.",
)
REJECT_REASON = "Deze bevinding valt onder het landelijke klantcontactcentrum, niet onder deze vestiging."


def _ensure_actions(engine: Engine, user_ids: dict, rng: np.random.Generator) -> None:
    """The agency's action rules, applied once to the released results, and where each action
    stands: moved back in time so some are overdue and others were worked on, with their steps."""
    from datetime import timedelta

    from journeys.actions.generate import apply_rules

    with session_scope(engine) as session:
        if session.exec(select(ActionRule.id).limit(1)).first() is not None:
            return
        brands = {b.name: b.id for b in session.exec(select(Brand)).all()}
        for kind, brand, threshold, due_days, urgent in ACTION_RULES:
            session.add(ActionRule(kind=kind.value, brand_id=brands[brand] if brand else None, threshold=threshold,
                                   due_days=due_days, urgent=urgent, created_by_id=user_ids["manager"]))
    now = datetime.now(UTC).replace(microsecond=0)
    apply_rules(engine, as_of=now)
    with session_scope(engine) as session:
        actions = session.exec(select(ActionItem).order_by(ActionItem.id)).all()
        draws = rng.random(len(actions))
        for action, draw in zip(actions, draws, strict=True):
            status, edge = ActionStatus.OPEN, 0.0
            # an action nobody is granted on waits for the agency to name its owner
            for candidate, share in ACTION_STATES if action.owner_id is not None else ():
                edge += share
                if draw < edge:
                    status = candidate
                    break
            late = status == ActionStatus.OPEN and rng.random() < OVERDUE_SHARE
            # found a while ago: the due date as the rule set it from then (past it, for the overdue ones)
            age = int(rng.integers(20, 45)) if late else int(rng.integers(8, 45)) if status != ActionStatus.OPEN else int(
                rng.integers(0, 6))
            created = now - timedelta(days=age, hours=int(rng.integers(0, 9)))
            action.created_at = action.updated_at = created
            action.due_on = action.due_on - timedelta(days=age)
            steps = []
            moments = sorted(created + timedelta(hours=float(h)) for h in rng.uniform(4, max(6, 24 * age - 2), 3))
            actor = action.owner_id
            comment = ACTION_COMMENTS[action.id % len(ACTION_COMMENTS)]
            if status == ActionStatus.REJECTED:
                steps.append((moments[0], actor, ActionStatus.OPEN, ActionStatus.REJECTED, REJECT_REASON))
                action.status_reason = REJECT_REASON
            elif status != ActionStatus.OPEN:
                steps.append((moments[0], actor, ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ""))
                steps.append((moments[1], actor, None, None, comment))
                if status in (ActionStatus.DONE, ActionStatus.VERIFIED):
                    steps.append((moments[2], actor, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ""))
                    action.done_at = moments[2]
                if status == ActionStatus.VERIFIED:
                    verified = moments[2] + timedelta(days=2)
                    steps.append((verified, user_ids["manager"], ActionStatus.DONE, ActionStatus.VERIFIED, ""))
                    action.verified_at, action.verified_by_id = verified, user_ids["manager"]
            action.status = status.value
            if steps:
                action.updated_at = max(step[0] for step in steps)
            session.add(action)
            session.add_all([ActionEvent(action_id=action.id, occurred_at=at, user_id=user,
                                         from_status=old.value if old else None, to_status=new.value if new else None,
                                         text=text) for at, user, old, new, text in steps])


def _ensure_appeals(engine: Engine, prefix: str, user_ids: dict, rng: np.random.Generator) -> None:
    """The demo clients' appeals (``APPEALS``) on released answers within their grants, made once:
    each appealed within its wave's window, with its trail; an upheld one changes the answer (change
    log as ``journeys.fieldwork.contacts`` writes it) and keeps the scores before and after."""
    from journeys.accounts.scope import client_scope

    with session_scope(engine) as session:
        if session.exec(select(Appeal.id).join(Contact, Contact.id == Appeal.contact_id)
                        .where(Contact.external_id.like(f"{prefix}%")).limit(1)).first() is not None:
            return
        chosen = {}
        for username in APPEALS:
            scope = client_scope(session=session, actor=session.get(User, user_ids[username]))
            rows = session.exec(
                select(Contact.id).join(Wave, Wave.id == Contact.wave_id)
                .where(Contact.external_id.like(f"{prefix}%"), Wave.name == RELEASED_WAVE,
                       Contact.review_status == ReviewStatus.RELEASED.value, scope.condition(),
                       Contact.first_response_at.is_not(None))  # what a client disputes was said
                .order_by(Contact.external_id)).all()
            # a sample to choose from: reading and scoring every contact of a brand is not needed
            sample = np.sort(rng.choice(len(rows), size=min(len(rows), APPEAL_SAMPLE), replace=False))
            chosen[username] = [int(rows[i]) for i in sample]
    ids = sorted({i for rows in chosen.values() for i in rows})
    if not ids:
        return
    contacts = read_contacts(engine, ContactFilter(contact_ids=tuple(ids), include_unreleased=True))
    answers = read_answers(engine, ids, comments=False)
    criteria = read_criteria(engine, contacts["version_id"].unique().tolist())
    # the items a client disputes: answered "no" on a yes/no item
    disputable = answers.merge(criteria[["criterion_id", "kind", "code"]], on="criterion_id")
    disputable = disputable[(disputable["kind"] == "yesno") & ~disputable["is_na"] & (disputable["value"] == 0)]
    disputable = disputable.sort_values(["contact_id", "criterion_id"])
    released = dict(zip(contacts["contact_id"], contacts["released_at"], strict=True))
    appeals, used = [], set()
    for username, outcomes in APPEALS.items():
        candidates = [i for i in chosen[username] if i not in used]
        has_item = set(disputable["contact_id"].tolist())
        with_item = [i for i in candidates if i in has_item]
        for outcome in outcomes:
            pool = with_item if outcome is not None else candidates
            pool = [i for i in pool if i not in used]
            if not pool:
                continue
            contact_id = int(pool[int(rng.integers(0, len(pool)))])
            used.add(contact_id)
            item = None
            if outcome is not None:
                items = disputable[disputable["contact_id"] == contact_id]
                item = items.iloc[int(rng.integers(0, len(items)))]
            opened = pd.Timestamp(released[contact_id]) + pd.Timedelta(seconds=round(rng.uniform(6, 130) * 3600))
            appeals.append(dict(user=username, contact_id=contact_id, outcome=outcome, item=item, opened=opened,
                                reason=APPEAL_REASONS[len(appeals) % len(APPEAL_REASONS)] if item is not None
                                else TIMING_APPEAL_REASON, answered_after=pd.Timedelta(seconds=round(rng.uniform(4, 30) * 3600)),
                                decided_after=pd.Timedelta(seconds=round(rng.uniform(26, 96) * 3600))))
    upheld = [a for a in appeals if a["outcome"] == AppealStatus.UPHELD]
    rescored = {a["contact_id"] for a in upheld}
    own = contacts[contacts["contact_id"].isin(rescored)]
    unchanged = answers[answers["contact_id"].isin(rescored)]
    before = _final_scores(own, unchanged, criteria)
    changed = unchanged.copy()
    for a in upheld:
        changed.loc[(changed["contact_id"] == a["contact_id"]) & (changed["criterion_id"] == a["item"].criterion_id),
                    "value"] = 1.0
    after = _final_scores(own, changed, criteria)

    reviewer, client_ids = user_ids["reviewer"], user_ids
    with session_scope(engine) as session:
        for a in appeals:
            outcome = a["outcome"] or AppealStatus.OPEN
            opened = a["opened"].to_pydatetime()
            decided = (a["opened"] + a["decided_after"]).to_pydatetime()
            appeal = Appeal(contact_id=a["contact_id"], criterion_id=None if a["item"] is None
                            else int(a["item"].criterion_id), opened_by_id=client_ids[a["user"]],
                            opened_at=opened, reason=a["reason"], status=outcome.value)
            events = [(ReviewAction.APPEALED, opened, client_ids[a["user"]], a["reason"])]
            if outcome == AppealStatus.WAITING_CLIENT:
                events.append((ReviewAction.APPEAL_QUERIED, (a["opened"] + a["answered_after"]).to_pydatetime(),
                               reviewer, APPEAL_QUERY))
            if outcome in (AppealStatus.UPHELD, AppealStatus.REJECTED):
                upheld_now = outcome == AppealStatus.UPHELD
                appeal.decided_by_id, appeal.decided_at = reviewer, decided
                appeal.decision = UPHELD_DECISION if upheld_now else REJECTED_DECISION
                events.append((ReviewAction.APPEAL_UPHELD if upheld_now else ReviewAction.APPEAL_REJECTED,
                               decided, reviewer, appeal.decision))
            if outcome == AppealStatus.UPHELD:
                contact_id, criterion_id = a["contact_id"], int(a["item"].criterion_id)
                appeal.score_before, appeal.score_after = before[contact_id], after[contact_id]
                session.execute(sa.update(Answer).where(Answer.contact_id == contact_id,
                                                        Answer.criterion_id == criterion_id).values(value=1.0))
                session.execute(sa.update(Contact).where(Contact.id == contact_id).values(
                    updated_at=decided, updated_by_id=reviewer))
                store_scores(session, [contact_id])
                log = [("update", f"item:{a['item'].code}", "0", "1")]
                if appeal.score_before != appeal.score_after:
                    log.append(("update", "final_score", _score_text(appeal.score_before),
                                _score_text(appeal.score_after)))
                session.execute(sa.insert(ChangeLog.__table__), [
                    dict(changed_at=decided, user_id=reviewer, entity="contact", entity_id=contact_id, action=action,
                         field=field, old_value=old, new_value=new) for action, field, old, new in log])
            session.add(appeal)
            session.flush()
            session.execute(sa.insert(ReviewEvent.__table__), [
                dict(contact_id=a["contact_id"], appeal_id=appeal.id, action=action.value, occurred_at=at,
                     user_id=user, comment=comment) for action, at, user, comment in events])


def _score_text(score: float | None) -> str | None:
    return None if score is None else f"{score:.1f}"


def demo_info(session: Session) -> dict | None:
    """The demo marker ({seed, contacts}) when the database holds demo data, else None."""
    marker = session.get(Setting, DEMO_SETTING_KEY)
    return json.loads(marker.value_json) if marker else None


def database_is_empty(session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is None and session.exec(select(Contact.id).limit(1)).first() is None


__all__ = ["seed_demo", "demo_info", "demo_password", "database_is_empty", "DEMO_ACCOUNTS", "BRANDS"]
