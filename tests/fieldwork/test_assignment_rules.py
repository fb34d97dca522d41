"""The pure assignment rules (journeys/fieldwork/assignment_rules.py): examples of every rule and
every reason, then hypothesis properties over small random waves (few locations, channels and
days, so that rules collide): nothing dropped, every assignment allowed, every refusal true and
most specific, no lockout broken, balanced loads where the rules allow it."""

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeys.fieldwork.assignment_rules import (
    AssignmentProposal,
    AuditorFit,
    Lockout,
    PlannedItem,
    Reason,
    Visit,
    auto_assign,
    eligible,
    most_specific,
    reason_text,
    round_robin,
)
from journeys.language import use_language

D = date(2026, 3, 2)


def day(n: int) -> date:
    return D + timedelta(days=n)


def item(id, location_id=1, region="", channel="phone", due=10, start=None):
    return PlannedItem(id=id, location_id=location_id, region=region, channel=channel,
                       due_on=None if due is None else day(due), starts_on=None if start is None else day(start))


def check(item_, auditor, history=(), lockout=Lockout(), wave_index=0):
    return eligible(item_, auditor, history=history, lockout=lockout, wave_index=wave_index)


# ------------------------------------------------------------------------------------ the rules


def test_channel_fit():
    """An auditor with channels takes only those; with none, every channel."""
    assert check(item(1, channel="phone"), AuditorFit(1, channels=frozenset({"email"}))) is Reason.CHANNEL
    assert check(item(1, channel="phone"), AuditorFit(1, channels=frozenset({"email", "phone"}))) is None
    assert check(item(1, channel="phone"), AuditorFit(1)) is None


def test_region_fit():
    """An auditor with regions takes only locations there; an item without a region fits everyone."""
    north = AuditorFit(1, regions=frozenset({"north"}))
    assert check(item(1, region="south"), north) is Reason.REGION
    assert check(item(1, region="north"), north) is None
    assert check(item(1, region=""), north) is None
    assert check(item(1, region="south"), AuditorFit(1)) is None


def test_channel_is_checked_before_region():
    """The first rule broken is the one reported."""
    auditor = AuditorFit(1, channels=frozenset({"email"}), regions=frozenset({"north"}))
    assert check(item(1, channel="phone", region="south"), auditor) is Reason.CHANNEL


@pytest.mark.parametrize(("absences", "start", "due", "reason"), [
    ([(day(0), day(10))], 2, 8, Reason.AVAILABILITY),  # away for the whole window
    ([(day(2), day(8))], 2, 8, Reason.AVAILABILITY),  # exactly the window
    ([(day(3), day(8))], 2, 8, None),  # the first day is free
    ([(day(2), day(7))], 2, 8, None),  # the last day is free
    ([(day(2), day(4)), (day(6), day(8))], 2, 8, None),  # a free day in between
    ([(day(2), day(4)), (day(5), day(8))], 2, 8, Reason.AVAILABILITY),  # adjacent absences join
    ([(day(5), day(8)), (day(0), day(6))], 2, 8, Reason.AVAILABILITY),  # overlapping, in any order
    ([(day(9), day(3))], 2, 8, None),  # an absence ending before it starts is no absence
    ([(day(0), day(100))], 4, 4, Reason.AVAILABILITY),  # a one-day window
    ([(day(0), day(100))], None, 8, None),  # an open window is available
    ([(day(0), day(100))], 2, None, None),
    ([], 8, 2, Reason.AVAILABILITY),  # due before the start: no day to make it
    ([], None, None, None),
])
def test_availability(absences, start, due, reason):
    """Available when one day of the window lies outside every absence; an open window always is."""
    auditor = AuditorFit(1, absences=tuple(absences))
    assert check(item(1, start=start, due=due), auditor) is reason


def test_availability_with_many_absences_at_the_ends_of_time():
    """The walk over absences does not step past the last date there is."""
    auditor = AuditorFit(1, absences=((date.max - timedelta(days=3), date.max),))
    assert check(PlannedItem(1, 1, "", "phone", due_on=date.max, starts_on=date.max - timedelta(days=1)),
                 auditor) is Reason.AVAILABILITY
    far = PlannedItem(1, 1, "", "phone", due_on=date.max, starts_on=date.max - timedelta(days=5))
    assert check(far, auditor) is None


def test_lockout_in_waves():
    """A visit in one of the last `waves` waves locks; an older, the same or a later wave does not."""
    auditor = AuditorFit(7)
    lockout = Lockout(waves=2)

    def at(wave, location=1, auditor_id=7):
        return [Visit(auditor_id=auditor_id, location_id=location, wave_index=wave, day=None)]

    assert check(item(1), auditor, at(4), lockout, wave_index=5) is Reason.LOCKOUT
    assert check(item(1), auditor, at(3), lockout, wave_index=5) is Reason.LOCKOUT
    assert check(item(1), auditor, at(2), lockout, wave_index=5) is None
    assert check(item(1), auditor, at(5), lockout, wave_index=5) is None
    assert check(item(1), auditor, at(6), lockout, wave_index=5) is None
    assert check(item(1), auditor, at(4, location=2), lockout, wave_index=5) is None
    assert check(item(1), auditor, at(4, auditor_id=8), lockout, wave_index=5) is None
    assert check(item(1), auditor, at(4), Lockout(), wave_index=5) is None
    assert check(item(1, location_id=None), auditor, at(4), lockout, wave_index=5) is None


def test_lockout_in_days():
    """A visit fewer than `days` days from the item's day locks, on either side; a day unknown never does."""
    auditor = AuditorFit(7)
    lockout = Lockout(days=5)

    def on(n):
        return [Visit(auditor_id=7, location_id=1, wave_index=0, day=None if n is None else day(n))]

    assert check(item(1, due=10), auditor, on(6), lockout) is Reason.LOCKOUT
    assert check(item(1, due=10), auditor, on(14), lockout) is Reason.LOCKOUT
    assert check(item(1, due=10), auditor, on(10), lockout) is Reason.LOCKOUT
    assert check(item(1, due=10), auditor, on(5), lockout) is None
    assert check(item(1, due=10), auditor, on(15), lockout) is None
    assert check(item(1, due=10), auditor, on(None), lockout) is None
    assert check(item(1, due=None), auditor, on(10), lockout) is None
    assert check(item(1, due=None, start=8), auditor, on(10), lockout) is Reason.LOCKOUT  # the start, when no due date


def test_lockout_is_checked_last():
    """An auditor away and locked out is reported away: availability comes before the lockout."""
    auditor = AuditorFit(7, absences=((day(0), day(20)),))
    history = [Visit(7, 1, 0, day(10))]
    assert check(item(1, due=10, start=5), auditor, history, Lockout(days=3)) is Reason.AVAILABILITY


def test_negative_lockout_is_refused():
    """A lockout below zero is a mistake, said with the value."""
    with pytest.raises(ValueError, match=r"Lockout.days .*got -1"):
        Lockout(days=-1)


# ----------------------------------------------------------------------------- the proposal


def test_no_auditors():
    """With nobody to assign to, every item is left with that reason."""
    proposal = auto_assign([item(1), item(2)], [])
    assert proposal == AssignmentProposal(assigned={}, unassigned={1: Reason.NO_AUDITORS, 2: Reason.NO_AUDITORS})


def test_each_reason_of_a_proposal():
    """Each item left over carries the most specific rule that stopped it."""
    auditors = [AuditorFit(1, channels=frozenset({"phone", "email"}), regions=frozenset({"north"}),
                           absences=((day(20), day(30)),)),
                AuditorFit(2, channels=frozenset({"phone"}))]
    items = [item(1, channel="store"),  # nobody does the store
             item(2, channel="email", region="south"),  # only auditor 1 does e-mail, not in the south
             item(3, channel="email", region="north", start=21, due=25),  # auditor 1 is away
             item(4, channel="email", region="north", location_id=9),  # auditor 1 was there last wave
             item(5, channel="phone", region="south")]  # auditor 2 may
    history = [Visit(auditor_id=1, location_id=9, wave_index=2, day=None)]
    proposal = auto_assign(items, auditors, history=history, lockout=Lockout(waves=1), wave_index=3)
    assert proposal.assigned == {5: 2}
    assert proposal.unassigned == {1: Reason.CHANNEL, 2: Reason.REGION, 3: Reason.AVAILABILITY, 4: Reason.LOCKOUT}


def test_most_specific_reason_across_auditors():
    """One auditor fails the channel, another is away: the item is reported as unavailable."""
    auditors = [AuditorFit(1, channels=frozenset({"email"})), AuditorFit(2, absences=((day(0), day(30)),))]
    proposal = auto_assign([item(1, channel="phone", start=1, due=5)], auditors)
    assert proposal.unassigned == {1: Reason.AVAILABILITY}
    assert most_specific([Reason.CHANNEL, Reason.LOCKOUT, Reason.REGION]) is Reason.LOCKOUT
    assert most_specific([]) is Reason.NO_AUDITORS


def test_the_same_location_twice_in_one_wave_within_the_lockout_days():
    """Assignments made in the call count as visits: one auditor is not sent to one location twice
    within the lockout days, a second auditor takes the second item, and with nobody else it stays over."""
    items = [item(1, due=10), item(2, due=12), item(3, due=20)]
    one = auto_assign(items, [AuditorFit(1)], lockout=Lockout(days=5))
    assert one.assigned == {1: 1, 3: 1} and one.unassigned == {2: Reason.LOCKOUT}
    two = auto_assign(items, [AuditorFit(1), AuditorFit(2)], lockout=Lockout(days=5))
    assert set(two.assigned) == {1, 2, 3} and two.assigned[1] != two.assigned[2]


def test_the_same_wave_does_not_lock_by_waves():
    """The rule in waves counts earlier waves only: a call may send one auditor to one location twice."""
    proposal = auto_assign([item(1), item(2)], [AuditorFit(1)], lockout=Lockout(waves=3), wave_index=4)
    assert proposal.assigned == {1: 1, 2: 1}


def test_lowest_load_first_then_lowest_id():
    """Each item goes to the auditor with the least work, counting the load they came with."""
    auditors = [AuditorFit(1, load=2), AuditorFit(2), AuditorFit(3, load=1)]
    proposal = auto_assign([item(i, location_id=None) for i in range(1, 7)], auditors)
    loads = {a: [a_ for a_ in proposal.assigned.values()].count(a) for a in (1, 2, 3)}
    assert loads == {1: 1, 2: 3, 3: 2}  # 3, 3, 3 with the start loads
    assert proposal.assigned[1] == 2 and proposal.assigned[2] == 2 and proposal.assigned[3] == 3


def test_a_tie_prefers_an_auditor_not_yet_at_the_location():
    """Between equally loaded auditors, one not yet given this location in the call goes first."""
    items = [item(1, location_id=1), item(2, location_id=2), item(3, location_id=1), item(4, location_id=2)]
    proposal = auto_assign(items, [AuditorFit(1), AuditorFit(2)])
    assert proposal.assigned == {1: 1, 2: 2, 3: 2, 4: 1}


def test_most_constrained_first():
    """An item only one auditor may take is given before items anyone may take, so it is not left over."""
    auditors = [AuditorFit(1), AuditorFit(2, channels=frozenset({"phone"}))]
    items = [item(1, channel="phone", due=3), item(2, channel="email", due=3)]
    proposal = auto_assign(items, auditors, lockout=Lockout(days=5))
    assert proposal.assigned == {2: 1, 1: 2} and not proposal.unassigned


def test_earlier_due_date_first():
    """Among equally constrained items, the one due first is given first."""
    proposal = auto_assign([item(1, due=20), item(2, due=16)], [AuditorFit(1)], lockout=Lockout(days=10))
    assert proposal.assigned == {2: 1} and proposal.unassigned == {1: Reason.LOCKOUT}


def test_an_item_without_any_day_is_not_locked_by_days():
    """An item with neither start nor due date has no day to measure the lockout in days from."""
    proposal = auto_assign([item(1, due=20), item(2, due=16), item(3, due=None)], [AuditorFit(1)],
                           lockout=Lockout(days=10))
    assert proposal.assigned == {2: 1, 3: 1} and proposal.unassigned == {1: Reason.LOCKOUT}


def test_duplicate_ids_are_refused():
    """Two items (or auditors) with one id would collapse in the proposal: refused, naming the id."""
    with pytest.raises(ValueError, match="item ids must be unique .*got 1 twice"):
        auto_assign([item(1), item(1)], [AuditorFit(1)])
    with pytest.raises(ValueError, match="auditor ids must be unique .*got 3 twice"):
        auto_assign([item(1)], [AuditorFit(3), AuditorFit(3)])


def test_round_robin_ignores_every_rule():
    """The floor hands the items out in turn, whatever the auditors do."""
    auditors = [AuditorFit(2, channels=frozenset({"email"})), AuditorFit(1, absences=((day(0), day(99)),))]
    proposal = round_robin([item(3), item(1), item(2)], auditors)
    assert proposal.assigned == {1: 1, 2: 2, 3: 1} and not proposal.unassigned
    assert round_robin([item(1)], []).unassigned == {1: Reason.NO_AUDITORS}


# ------------------------------------------------------------------------------------ the texts


def test_reason_texts_in_english_and_dutch():
    """Each reason is a sentence naming what stopped it, in the user's language."""
    texts = {reason: reason_text(reason, item(1, channel="phone", region="Noord", start=2, due=8))
             for reason in Reason}
    assert texts[Reason.CHANNEL] == "No auditor does the channel phone."
    assert "Noord" in texts[Reason.REGION] and "phone" in texts[Reason.REGION]
    assert texts[Reason.AVAILABILITY] == "Every auditor who fits is away from 4 Mar 2026 to 10 Mar 2026."
    assert "rotation lockout" in texts[Reason.LOCKOUT]
    assert reason_text(Reason.AVAILABILITY, item(1, start=8, due=2)).startswith("Its due date (4 Mar 2026)")
    assert reason_text(Reason.AVAILABILITY, item(1, start=2, due=2)) == "Every auditor who fits is away on 4 Mar 2026."
    with use_language("nl"):
        dutch = {reason: reason_text(reason, item(1, channel="phone", region="Noord", start=2, due=8))
                 for reason in Reason}
    assert all(dutch[reason] != texts[reason] for reason in Reason)
    assert "kanaal" in dutch[Reason.CHANNEL] and "regio" in dutch[Reason.REGION] and "mrt" in dutch[Reason.AVAILABILITY]


# ------------------------------------------------------------------------------- the properties

CHANNELS = ("phone", "email", "store")
REGIONS = ("", "north", "south")
PROPERTIES = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def optional_day(lo=0, hi=30):
    return st.one_of(st.none(), st.integers(lo, hi).map(day))


@st.composite
def planned_items(draw, max_size=25):
    ids = draw(st.lists(st.integers(1, 500), unique=True, max_size=max_size))
    return [PlannedItem(id=i, location_id=draw(st.one_of(st.none(), st.integers(1, 4))),
                        region=draw(st.sampled_from(REGIONS)), channel=draw(st.sampled_from(CHANNELS)),
                        due_on=draw(optional_day(5, 30)), starts_on=draw(optional_day(0, 12)))
            for i in ids]


@st.composite
def auditor_fits(draw, max_size=5):
    ids = draw(st.lists(st.integers(1, 50), unique=True, max_size=max_size))
    auditors = []
    for i in ids:
        absences = draw(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 12)), max_size=3))
        auditors.append(AuditorFit(
            id=i, channels=frozenset(draw(st.lists(st.sampled_from(CHANNELS), max_size=2))),
            regions=frozenset(draw(st.lists(st.sampled_from(REGIONS[1:]), max_size=1))),
            absences=tuple((day(s), day(s + n)) for s, n in absences), load=draw(st.integers(0, 3))))
    return auditors


@st.composite
def histories(draw, auditor_ids):
    if not auditor_ids:
        return []
    return draw(st.lists(st.builds(Visit, auditor_id=st.sampled_from(auditor_ids), location_id=st.integers(1, 4),
                                   wave_index=st.integers(0, 6), day=optional_day(-10, 40)), max_size=12))


@st.composite
def waves(draw):
    items = draw(planned_items())
    auditors = draw(auditor_fits())
    history = draw(histories([a.id for a in auditors]))
    lockout = Lockout(waves=draw(st.integers(0, 3)), days=draw(st.integers(0, 12)))
    return items, auditors, history, lockout, draw(st.integers(0, 6))


def visits_of(proposal, items, wave_index, leave_out=None):
    """The call's own assignments as visits of the wave being assigned, on each item's day."""
    by_id = {i.id: i for i in items}
    return [Visit(auditor_id=a, location_id=by_id[i].location_id, wave_index=wave_index, day=by_id[i].day)
            for i, a in proposal.assigned.items() if i != leave_out and by_id[i].location_id is not None]


@PROPERTIES
@given(waves())
def test_nothing_is_dropped_every_assignment_is_allowed_every_refusal_is_true(wave):
    """Every item is assigned or left over (never both); every assignment passes every rule against
    the history and the call's other assignments; every item left over has nobody eligible in the
    end, and its reason is the most specific one ``eligible`` gives."""
    items, auditors, history, lockout, wave_index = wave
    proposal = auto_assign(items, auditors, history=history, lockout=lockout, wave_index=wave_index)
    ids = {i.id for i in items}
    assert set(proposal.assigned) | set(proposal.unassigned) == ids
    assert not set(proposal.assigned) & set(proposal.unassigned)
    by_auditor = {a.id: a for a in auditors}
    for it in items:
        if it.id in proposal.assigned:
            others = visits_of(proposal, items, wave_index, leave_out=it.id)
            auditor = by_auditor[proposal.assigned[it.id]]
            assert eligible(it, auditor, history=[*history, *others], lockout=lockout, wave_index=wave_index) is None
        else:
            final = [*history, *visits_of(proposal, items, wave_index)]
            reasons = [eligible(it, a, history=final, lockout=lockout, wave_index=wave_index) for a in auditors]
            assert None not in reasons
            assert proposal.unassigned[it.id] is most_specific(reasons)


@PROPERTIES
@given(waves())
def test_fit_and_availability_are_never_broken(wave):
    """No auditor is given a channel or a region they do not do, or an item whose window they are away for."""
    items, auditors, history, lockout, wave_index = wave
    proposal = auto_assign(items, auditors, history=history, lockout=lockout, wave_index=wave_index)
    by_auditor = {a.id: a for a in auditors}
    for it in items:
        if it.id not in proposal.assigned:
            continue
        auditor = by_auditor[proposal.assigned[it.id]]
        assert not auditor.channels or it.channel in auditor.channels
        assert not auditor.regions or not it.region or it.region in auditor.regions
        if it.starts_on is not None and it.due_on is not None:
            free = [it.starts_on + timedelta(days=n) for n in range((it.due_on - it.starts_on).days + 1)]
            assert any(not any(s <= d <= e for s, e in auditor.absences) for d in free)


@PROPERTIES
@given(waves())
def test_no_auditor_twice_at_one_location_within_the_lockout(wave):
    """Against the history (in waves and in days) and within the call (in days), no auditor goes
    back to a location inside the lockout."""
    items, auditors, history, lockout, wave_index = wave
    proposal = auto_assign(items, auditors, history=history, lockout=lockout, wave_index=wave_index)
    by_id = {i.id: i for i in items}
    given_ = [(by_id[i], a) for i, a in proposal.assigned.items() if by_id[i].location_id is not None]
    for it, a in given_:
        for visit in history:
            if (visit.auditor_id, visit.location_id) != (a, it.location_id):
                continue
            assert not 0 < wave_index - visit.wave_index <= lockout.waves
            if lockout.days and visit.day is not None and it.day is not None:
                assert abs((it.day - visit.day).days) >= lockout.days
    for n, (first, a) in enumerate(given_):
        for second, b in given_[n + 1:]:
            if a == b and first.location_id == second.location_id and lockout.days \
                    and first.day is not None and second.day is not None:
                assert abs((first.day - second.day).days) >= lockout.days


@PROPERTIES
@given(items=planned_items(max_size=60), n_auditors=st.integers(1, 7), start_load=st.integers(0, 5),
       waves_locked=st.integers(0, 3))
def test_loads_differ_by_at_most_one_where_the_rules_allow(items, n_auditors, start_load, waves_locked):
    """When every auditor may take every item and all start equal, everything is assigned and the loads end at most one apart."""
    items = [replace(i, starts_on=None) if i.day is not None and i.starts_on and i.starts_on > i.day else i
             for i in items]  # an empty window (due before the start) is no one's
    auditors = [AuditorFit(id=10 + n, load=start_load) for n in range(n_auditors)]
    proposal = auto_assign(items, auditors, lockout=Lockout(waves=waves_locked))
    assert not proposal.unassigned
    loads = [list(proposal.assigned.values()).count(a.id) for a in auditors]
    assert max(loads) - min(loads) <= 1


@PROPERTIES
@given(waves(), st.randoms(use_true_random=False))
def test_the_proposal_does_not_depend_on_input_order(wave, rng: random.Random):
    """The same wave in another order gives the same proposal: deterministic."""
    items, auditors, history, lockout, wave_index = wave
    first = auto_assign(items, auditors, history=history, lockout=lockout, wave_index=wave_index)
    items, auditors, history = list(items), list(auditors), list(history)
    for seq in (items, auditors, history):
        rng.shuffle(seq)
    assert auto_assign(items, auditors, history=history, lockout=lockout, wave_index=wave_index) == first
