"""One meaning of a filter: the SQL form and the pandas form of ``ContactFilter`` select the same contacts.

On seeded demo data (with drafts, contacts without a location, wave or auditor added), every
filter picks the same contact ids when the database applies it (``read_contacts(engine, flt)``,
``contact_conditions``) as when it is applied in memory (``filter_frame``) to the frame of all
contacts, drafts included — both as ``read_contacts`` returns it and with the name columns
made categorical as the dashboards keep them. A table of named cases covers each field alone,
combinations, empty tuples, dates and unknown values; hypothesis then draws many more. Each
test runs on SQLite and on PostgreSQL (the ``engine`` fixture). The export reads through the
same SQL form, so it honours every field too (the auditor and contact filters included).
"""

from dataclasses import fields, replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.db import session_scope
from journeys.accounts.grants import GrantSpec, set_client_grants
from journeys.accounts.scope import ClientScope, client_scope, granted_to
from journeys.accounts.users import create_user
from journeys.demo import seed_demo
from journeys.fieldwork.contact_filter import ContactFilter, contact_conditions, filter_frame
from journeys.fieldwork.frames import read_contacts
from journeys.interchange.exports import export_rows
from journeys.models import Brand, Contact, Location, ReviewStatus, Role

NAME_COLUMNS = {"brands": "brand", "regions": "region", "locations": "location", "waves": "wave", "journeys": "journey",
                "channels": "channel"}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def seeded(engine) -> dict:
    """300 demo contacts, of which some are drafts and some have no location, wave or auditor.

    Returns the engine, the frame of all contacts (drafts included) and the values a filter can
    pick from.
    """
    seed_demo(engine, contacts=300, seed=5)
    with engine.begin() as connection:
        # regions on some locations only: "Noord", "Zuid" and none ("")
        connection.execute(sa.update(Location).where(Location.id % 3 == 1).values(region="Noord"))
        connection.execute(sa.update(Location).where(Location.id % 3 == 2).values(region="Zuid"))
        connection.execute(sa.update(Contact).where(Contact.id % 7 == 0).values(is_draft=True))
        connection.execute(sa.update(Contact).where(Contact.id % 11 == 0).values(location_id=None))
        connection.execute(sa.update(Contact).where(Contact.id % 13 == 0).values(wave_id=None))
        connection.execute(sa.update(Contact).where(Contact.id % 17 == 0).values(auditor_id=None))
        # some not yet released: approved, submitted or still being logged
        for modulo, remainder, status in ((5, 3, ReviewStatus.APPROVED), (9, 4, ReviewStatus.SUBMITTED),
                                          (19, 2, ReviewStatus.OPEN)):
            connection.execute(sa.update(Contact).where(Contact.id % modulo == remainder)
                               .values(review_status=status.value, released_at=None))
    scopes = _client_scopes(engine)
    everything = read_contacts(engine, ContactFilter(include_drafts=True, include_unreleased=True))
    assert everything["is_draft"].sum() > 0 and everything["location"].isna().sum() > 0
    assert {"Noord", "Zuid", ""} <= set(everything["region"])
    assert 0 < everything["released"].sum() < len(everything)
    values = {name: sorted(everything[column].dropna().unique()) for name, column in NAME_COLUMNS.items()}
    values["auditor_ids"] = sorted(int(a) for a in everything["auditor_id"].dropna().unique())
    values["contact_ids"] = sorted(int(c) for c in everything["contact_id"])
    values["started_at"] = sorted(everything["started_at"])
    values["scopes"] = scopes
    return {"engine": engine, "everything": everything, "values": values}


def _client_scopes(engine) -> dict:
    """Client users of the seeded data: one with a whole brand, one with a region of another and
    a location of a third, one with nothing (``client_scope`` of each, and the user ids)."""
    with session_scope(engine) as session:
        brands = session.exec(sa.select(Brand.name).order_by(Brand.name)).scalars().all()
        assert len(brands) >= 3
        third = session.exec(sa.select(Location.name).join(Brand, Brand.id == Location.brand_id)
                             .where(Brand.name == brands[2]).order_by(Location.name)).scalars().first()
        plans = {"brand": [GrantSpec(brands[0])],
                 "region and location": [GrantSpec(brands[1], region="Noord"), GrantSpec(brands[2], location=third)],
                 "none": []}
        admin = create_user(session=session, username="grant-admin", role=Role.ADMIN.value, password="admin-pass")
        out = {}
        for name, grants in plans.items():
            user = create_user(session=session, username=f"client-{name.replace(' ', '-')}", role=Role.CLIENT.value,
                               password="client-pass")
            set_client_grants(session=session, actor=admin, user_id=user.id, grants=grants)
            out[name] = (user.id, client_scope(session=session, actor=user))
        return out


def _categorical(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its name columns as categories, the way the dashboards' scored frame keeps them."""
    out = frame.copy()
    for column in NAME_COLUMNS.values():
        out[column] = out[column].astype("category")
    return out


def _assert_forms_agree(seeded: dict, flt: ContactFilter) -> set[int]:
    """The ids the database selects for ``flt`` equal those ``filter_frame`` selects in memory."""
    by_sql = set(read_contacts(seeded["engine"], flt)["contact_id"])
    everything = seeded["everything"]
    assert set(filter_frame(everything, flt)["contact_id"]) == by_sql, flt
    assert set(filter_frame(_categorical(everything), flt)["contact_id"]) == by_sql, flt
    return by_sql


def _cases(values: dict) -> dict[str, ContactFilter]:
    """Named filters: each field alone, empty tuples, combinations, dates, unknown values."""
    times = values["started_at"]
    middle = times[len(times) // 2].to_pydatetime()
    late = times[3 * len(times) // 4].to_pydatetime()
    auditor = values["auditor_ids"][0]
    cases = {
        "nothing chosen": ContactFilter(),
        "empty tuples": ContactFilter(brands=(), locations=(), waves=(), journeys=(), channels=(),
                                      auditor_ids=(), contact_ids=()),
        "drafts included": ContactFilter(include_drafts=True),
        "one auditor": ContactFilter(auditor_ids=(auditor,)),
        "one auditor with drafts": ContactFilter(auditor_ids=(auditor,), include_drafts=True),
        "some contacts": ContactFilter(contact_ids=tuple(values["contact_ids"][::5])),
        "a draft by id": ContactFilter(contact_ids=(7, 14)),
        "a draft by id, drafts included": ContactFilter(contact_ids=(7, 14), include_drafts=True),
        "from a moment on (inclusive)": ContactFilter(started_from=middle),
        "before a moment (exclusive)": ContactFilter(started_before=middle),
        "between two moments": ContactFilter(started_from=middle, started_before=late),
        "between two moments in local time": ContactFilter(started_from=middle.astimezone(AMSTERDAM),
                                                           started_before=late.astimezone(AMSTERDAM)),
        "an empty period": ContactFilter(started_from=late, started_before=middle),
        "a location every brand has": ContactFilter(locations=("Klantenservice",)),
        "one region": ContactFilter(regions=("Noord",)),
        "locations without a region": ContactFilter(regions=("",)),
        "region and brand": ContactFilter(regions=("Zuid",), brands=(values["brands"][0],)),
        "region and every location": ContactFilter(regions=("Noord",), locations=tuple(values["locations"])),
        "unknown region": ContactFilter(regions=("Nergens",)),
        "brand, wave and channel": ContactFilter(brands=(values["brands"][0],), waves=(values["waves"][-1],),
                                                 channels=tuple(values["channels"][:2])),
        "journey, auditor and period": ContactFilter(journeys=(values["journeys"][0],), auditor_ids=(auditor,),
                                                     started_from=middle),
        "every field at once": ContactFilter(
            brands=tuple(values["brands"][:2]), regions=("Noord", "Zuid"), locations=tuple(values["locations"]),
            waves=tuple(values["waves"]),
            journeys=tuple(values["journeys"]), channels=tuple(values["channels"]),
            auditor_ids=tuple(values["auditor_ids"]), contact_ids=tuple(values["contact_ids"][::2]),
            started_from=times[0].to_pydatetime(), started_before=late, include_drafts=True),
        "unknown brand": ContactFilter(brands=("Nobody BV",)),
        "unknown auditor": ContactFilter(auditor_ids=(999_999,)),
        "unknown contact": ContactFilter(contact_ids=(-1,)),
        "known and unknown brand": ContactFilter(brands=(values["brands"][0], "Nobody BV")),
        "none matching": ContactFilter(brands=(values["brands"][0],), contact_ids=(-1,)),
        "unreleased included": ContactFilter(include_unreleased=True),
        "unreleased and drafts included": ContactFilter(include_unreleased=True, include_drafts=True),
        "a client's brand": ContactFilter(scope=values["scopes"]["brand"][1]),
        "a client's brand, unreleased asked for": ContactFilter(scope=values["scopes"]["brand"][1],
                                                                include_unreleased=True),
        "a client's region and location": ContactFilter(scope=values["scopes"]["region and location"][1]),
        "a client without grants": ContactFilter(scope=values["scopes"]["none"][1]),
        "a client's scope and another brand": ContactFilter(scope=values["scopes"]["brand"][1],
                                                            brands=(values["brands"][1],)),
        "a client's scope and a wave": ContactFilter(scope=values["scopes"]["region and location"][1],
                                                     waves=(values["waves"][0],)),
    }
    for name in NAME_COLUMNS:
        cases[f"one of {name}"] = ContactFilter(**{name: (values[name][0],)})
        cases[f"all {name}"] = ContactFilter(**{name: tuple(values[name])})
    return cases


def test_named_filters_select_the_same_contacts_in_sql_and_in_memory(seeded):
    """Each named filter selects one set of contacts in both forms, and the sets are not trivial:
    a single known value picks some but not all, an unknown value picks none. The table sets
    every field of ``ContactFilter`` somewhere, so a new field without a case fails here."""
    cases = _cases(seeded["values"])
    for filter_field in fields(ContactFilter):
        default = getattr(ContactFilter(), filter_field.name)
        assert any(getattr(flt, filter_field.name) != default for flt in cases.values()), filter_field.name
    selected = {name: _assert_forms_agree(seeded, flt) for name, flt in cases.items()}
    everyone = set(seeded["everything"]["contact_id"])
    released = set(seeded["everything"].loc[seeded["everything"]["released"], "contact_id"])
    saved_any = set(seeded["everything"].loc[~seeded["everything"]["is_draft"], "contact_id"])
    saved = saved_any & released  # what every figure counts by default
    assert selected["nothing chosen"] == selected["empty tuples"] == saved
    assert selected["drafts included"] == everyone & released
    assert selected["a draft by id"] == set() and selected["a draft by id, drafts included"] == {7, 14}
    for name in ("one auditor", "from a moment on (inclusive)", "between two moments", "one of brands",
                 "one of channels", "a location every brand has", "some contacts", "one region",
                 "locations without a region"):
        assert 0 < len(selected[name]) < len(saved), name
    assert selected["between two moments"] == selected["between two moments in local time"]
    # a region narrows to its locations: never a contact without a location, never another region's
    noord = seeded["everything"].set_index("contact_id").loc[sorted(selected["one region"])]
    assert set(noord["region"]) == {"Noord"} and noord["location"].notna().all()
    assert selected["region and every location"] == selected["one region"]
    for name in ("an empty period", "unknown brand", "unknown auditor", "unknown contact", "none matching",
                 "unknown region", "a client without grants", "a client's scope and another brand"):
        assert selected[name] == set(), name
    # released only by default; the agency may ask for the others, a client's scope never has them
    assert selected["unreleased included"] == saved_any and selected["unreleased and drafts included"] == everyone
    assert selected["a client's brand"] == selected["a client's brand, unreleased asked for"]
    frame = seeded["everything"].set_index("contact_id")
    mine = frame.loc[sorted(selected["a client's brand"])]
    assert len(mine) and set(mine["brand"]) == {seeded["values"]["brands"][0]} and mine["released"].all()
    theirs = frame.loc[sorted(selected["a client's region and location"])]
    assert len(theirs) and set(theirs["brand"]) <= set(seeded["values"]["brands"][1:3]) and theirs["released"].all()


def _filters(values: dict):
    """Hypothesis strategy: filters over the seeded values, with some unknown ones mixed in."""
    def some(options, unknown):
        return st.lists(st.sampled_from(list(options) + [unknown]), max_size=3, unique=True).map(tuple)

    moments = st.sampled_from(values["started_at"]).flatmap(
        lambda t: st.sampled_from([t, t + timedelta(microseconds=1), t - timedelta(seconds=1)])
    ).map(lambda t: t.to_pydatetime().astimezone(AMSTERDAM))
    return st.builds(
        ContactFilter,
        brands=some(values["brands"], "Nobody BV"),
        regions=some(values["regions"], "Nergens"),
        locations=some(values["locations"], "Nowhere"),
        waves=some(values["waves"], "1999-Q1"),
        journeys=some(values["journeys"], "No such journey"),
        channels=some(values["channels"], "pigeon"),
        auditor_ids=some(values["auditor_ids"], 999_999),
        started_from=st.none() | moments,
        started_before=st.none() | moments,
        contact_ids=st.none().map(lambda _: ()) | st.lists(st.sampled_from(values["contact_ids"]), min_size=1,
                                                           max_size=40).map(tuple),
        include_drafts=st.booleans(),
        include_unreleased=st.booleans(),
        scope=st.sampled_from([None, *(scope for _id, scope in values["scopes"].values())]),
    )


def test_drawn_filters_select_the_same_contacts_in_sql_and_in_memory(seeded):
    """Hypothesis draws filters of every field (known and unknown values, exact start times as
    bounds); the SQL form and the pandas form always select the same contacts."""

    @settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_filters(seeded["values"]))
    def agree(flt):
        _assert_forms_agree(seeded, flt)

    agree()


def test_ignore_and_columns_of_the_in_memory_form(seeded):
    """``ignore`` drops fields from the in-memory filter: the result equals the SQL form of the
    filter without them (``("period",)`` drops both dates). ``columns`` keeps only those
    columns, rows in the frame's order."""
    values = seeded["values"]
    times = values["started_at"]
    flt = ContactFilter(waves=(values["waves"][0],), auditor_ids=(values["auditor_ids"][0],),
                        started_from=times[10].to_pydatetime(), started_before=times[-10].to_pydatetime())
    everything = seeded["everything"]
    for ignore, without in ((("waves",), replace(flt, waves=())),
                            (("period",), replace(flt, started_from=None, started_before=None)),
                            (("waves", "auditor_ids"), replace(flt, waves=(), auditor_ids=()))):
        expected = set(read_contacts(seeded["engine"], without)["contact_id"])
        assert set(filter_frame(everything, flt, ignore=ignore)["contact_id"]) == expected, ignore
        assert expected != set(read_contacts(seeded["engine"], flt)["contact_id"]), ignore
    narrow = filter_frame(everything, flt, columns=("contact_id", "brand"))
    assert list(narrow.columns) == ["contact_id", "brand"]
    assert list(narrow["contact_id"]) == list(filter_frame(everything, flt)["contact_id"])
    assert list(narrow["contact_id"]) == sorted(narrow["contact_id"]) and len(narrow) > 0


def test_export_honours_the_auditor_and_contact_filters(seeded):
    """The export carries exactly the contacts ``read_contacts`` selects for the same filter:
    one auditor's contacts (only that auditor in the auditor column), chosen contact ids, both,
    and a combination with names and dates."""
    values, everything = seeded["values"], seeded["everything"]
    auditor = values["auditor_ids"][1]
    username = everything.loc[everything["auditor_id"] == auditor, "auditor"].iloc[0]
    chosen = tuple(values["contact_ids"][1::4])
    filters = [
        ContactFilter(auditor_ids=(auditor,)),
        ContactFilter(contact_ids=chosen),
        ContactFilter(auditor_ids=(auditor,), contact_ids=chosen),
        ContactFilter(brands=(values["brands"][0],), auditor_ids=(auditor,),
                      started_from=values["started_at"][50].to_pydatetime()),
    ]
    saved = int((~everything["is_draft"]).sum())
    for flt in filters:
        with seeded["engine"].connect() as connection:
            header, rows, count = export_rows(connection, flt)
            rows = list(rows)
        expected = read_contacts(seeded["engine"], flt)
        assert 0 < count == len(rows) == len(expected) < saved, flt
        exported = {row[header.index("external_id")] for row in rows}
        assert exported == set(expected["external_id"]), flt
        if flt.auditor_ids:
            assert {row[header.index("auditor")] for row in rows} == {username}, flt


@pytest.mark.parametrize("client", ["brand", "region and location", "none"])
def test_granted_to_is_the_scope_condition_and_released(seeded, client):
    """``granted_to(user_id)``, the self-contained SQL of ``journeys.accounts.access.contact_visible_to``,
    selects exactly the contacts of ``ClientScope.condition()`` that are released (drafts included:
    it is about access, not counting), and its contacts equal the scope filter's."""
    user_id, scope = seeded["values"]["scopes"][client]
    with seeded["engine"].connect() as connection:
        def ids(*where) -> set[int]:
            return set(connection.execute(sa.select(Contact.id).where(*where)).scalars())

        by_grant = ids(granted_to(user_id))
        by_scope = ids(scope.condition(), Contact.review_status == ReviewStatus.RELEASED.value)
        by_filter = ids(*contact_conditions(ContactFilter(scope=scope, include_drafts=True)))
    assert by_grant == by_scope == by_filter
    assert (len(by_grant) == 0) == (client == "none")
    assert ClientScope() != scope or client == "none"


def test_filtered_rows_come_in_the_order_asked_for():
    """``order_by``: the picked rows by that column, ties in the frame's order, missing values
    last (the dashboards' filtered frames, ordered by waiting time); without it, the frame's order."""
    frame = pd.DataFrame({"contact_id": [1, 2, 3, 4, 5, 6], "is_draft": [False, False, True, False, False, False],
                          "released": True, "response_time_s": [30.0, None, 10.0, 30.0, 5.0, None]})
    assert filter_frame(frame, ContactFilter())["contact_id"].tolist() == [1, 2, 4, 5, 6]
    ordered = filter_frame(frame, ContactFilter(), order_by="response_time_s", columns=("contact_id",))
    assert ordered["contact_id"].tolist() == [5, 1, 4, 2, 6] and list(ordered.columns) == ["contact_id"]
