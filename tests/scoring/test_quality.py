"""Quality score: hand-computed cases for every rule in docs/scoring.md, plus a slow reference."""

import math
import time

import numpy as np
import pandas as pd
import pytest

from scoring.quality import QUALITY_COLUMNS, PassBand, answer_scores, score_contacts, section_scores

from .builders import answers_frame, contacts_frame, criteria_frame

NAN = float("nan")
Y, N, NA = 1.0, 0.0, None  # yes, no, N/A answers

# (case id, criteria specs, answers {criterion_id: value}, raw, final, knockout, passed)
CASES = [
    ("all yes", [{}, {}, {}], {1: Y, 2: Y, 3: Y}, 100.0, 100.0, "none", True),
    ("one no of three", [{}, {}, {}], {1: Y, 2: N, 3: Y}, 200 / 3, 200 / 3, "none", True),
    ("N/A leaves the denominator", [{}, {}, {}], {1: Y, 2: Y, 3: NA}, 100.0, 100.0, "none", True),
    ("N/A and a no", [{}, {}, {}], {1: Y, 2: N, 3: NA}, 50.0, 50.0, "none", True),
    ("weights on earned and possible", [{"weight": 1}, {"weight": 2}, {"weight": 3}], {1: Y, 2: N, 3: Y},
     400 / 6, 400 / 6, "none", True),
    ("scale item 4 on 1..5", [{"kind": "scale", "scale_min": 1, "scale_max": 5, "weight": 2}, {}], {1: 4, 2: Y},
     250 / 3, 250 / 3, "none", True),
    ("scale value beyond the scale is clipped", [{"kind": "scale", "scale_min": 0, "scale_max": 10}, {}],
     {1: 12, 2: N}, 50.0, 50.0, "none", True),
    ("bonus adds earned only", [{}, {}, {}, {}, {"bonus": True}], {1: Y, 2: N, 3: N, 4: N, 5: Y},
     50.0, 50.0, "none", True),
    ("bonus capped at 100", [{}, {}, {"bonus": True}], {1: Y, 2: Y, 3: Y}, 100.0, 100.0, "none", True),
    ("missed bonus costs nothing", [{}, {}, {"bonus": True}], {1: Y, 2: Y, 3: N}, 100.0, 100.0, "none", True),
    ("criterion of another channel ignored", [{}, {}, {"channels": ("phone",)}], {1: Y, 2: Y, 3: N},
     100.0, 100.0, "none", True),
    ("criterion listing the channel applies", [{}, {"channels": ("phone", "email")}], {1: Y, 2: N},
     50.0, 50.0, "none", True),
    ("missing answer leaves the denominator", [{}, {}, {}], {1: Y, 2: Y}, 100.0, 100.0, "none", True),
    ("all N/A is unscored", [{}, {}], {1: NA, 2: NA}, NAN, NAN, "none", None),
    ("zero_section drops the section", [{"section": "A"}, {"section": "A", "critical_policy": "zero_section"},
                                        {"section": "B"}, {"section": "B"}], {1: Y, 2: N, 3: Y, 4: Y},
     75.0, 50.0, "zero_section", True),
    ("zero_section also drops bonus in it", [{"section": "A"}, {"section": "A", "critical_policy": "zero_section"},
                                             {"section": "A", "bonus": True}, {"section": "B"}],
     {1: Y, 2: N, 3: Y, 4: Y}, 100.0, 100 / 3, "zero_section", False),
    ("zero_contact zeroes the contact", [{}, {"critical_policy": "zero_contact"}, {}, {}], {1: Y, 2: N, 3: Y, 4: Y},
     75.0, 0.0, "zero_contact", False),
    ("flag_fail keeps the score but fails", [{}, {"critical_policy": "flag_fail"}, {}, {}], {1: Y, 2: N, 3: Y, 4: Y},
     75.0, 75.0, "flag_fail", False),
    ("critical item answered yes is no knock-out", [{}, {"critical_policy": "zero_contact"}], {1: N, 2: Y},
     50.0, 50.0, "none", True),
    ("critical item N/A is no knock-out", [{}, {"critical_policy": "zero_contact"}], {1: Y, 2: NA},
     100.0, 100.0, "none", True),
    ("critical scale at its minimum fails", [{"kind": "scale", "scale_min": 1, "scale_max": 5,
                                              "critical_policy": "flag_fail"}, {}], {1: 1, 2: Y},
     50.0, 50.0, "flag_fail", False),
    ("critical scale above its minimum passes", [{"kind": "scale", "scale_min": 1, "scale_max": 5,
                                                  "critical_policy": "flag_fail"}, {}], {1: 2, 2: Y},
     62.5, 62.5, "none", True),
    ("zero_contact outranks flag_fail", [{"critical_policy": "flag_fail"}, {"critical_policy": "zero_contact"}, {}],
     {1: N, 2: N, 3: Y}, 100 / 3, 0.0, "zero_contact", False),
    ("below the pass mark fails", [{}, {}, {}], {1: Y, 2: N, 3: N}, 100 / 3, 100 / 3, "none", False),
]


def _score_one(specs, given, channel="email", pass_band=PassBand()):
    criteria = criteria_frame(*specs)
    contacts = contacts_frame({"channel": channel})
    return score_contacts(contacts, answers_frame({1: given}), criteria, pass_band).iloc[0]


def _same(a, b):
    return (isinstance(a, float) and math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


@pytest.mark.parametrize("case, specs, given, raw, final, knockout, passed", CASES, ids=[c[0] for c in CASES])
def test_score_cases(case, specs, given, raw, final, knockout, passed):
    """Each rule of the score gives the hand-computed raw and final score, knock-out and pass flag."""
    row = _score_one(specs, given)
    assert _same(row["raw_score"], raw)
    assert _same(row["final_score"], final)
    assert row["knockout"] == knockout
    assert (row["passed"] is pd.NA) if passed is None else bool(row["passed"]) is passed
    assert bool(row["critical_fail"]) is (knockout != "none")


def test_na_is_not_scored_as_zero():
    """The classic bug (N/A as 0 in the divisor) would give 66.7; the score must be 100."""
    row = _score_one([{}, {}, {}], {1: Y, 2: Y, 3: NA})
    assert row["raw_score"] == 100.0
    assert row["possible_points"] == 2.0
    assert row["na_items"] == 1


@pytest.mark.parametrize(
    "given, applicable, scored, na, missing",
    [
        ({1: Y, 2: Y, 3: Y}, 3, 3, 0, 0),
        ({1: Y, 3: NA}, 3, 1, 1, 1),
        ({}, 3, 0, 0, 3),
        ({1: Y, 2: Y, 3: Y, 4: N}, 3, 3, 0, 0),  # answer to a phone-only criterion is ignored
    ],
)
def test_item_counts(given, applicable, scored, na, missing):
    """Applicable, scored, N/A and missing item counts follow the channel's applicable criteria."""
    row = _score_one([{}, {}, {}, {"channels": ("phone",)}], given)
    assert (row["applicable_items"], row["scored_items"], row["na_items"], row["missing_items"]) == (
        applicable, scored, na, missing)


@pytest.mark.parametrize(
    "pass_band, score_answers, band, passed",
    [
        (PassBand(), {1: Y, 2: N}, "pass", True),  # 50 is on the mark: passes
        (PassBand(pass_mark=60), {1: Y, 2: N}, "fail", False),
        (PassBand(pass_mark=50, good_mark=100), {1: Y, 2: Y}, "good", True),
        (PassBand(pass_mark=50, good_mark=None), {1: Y, 2: Y}, "pass", True),
        (PassBand(pass_mark=0), {1: N, 2: N}, "pass", True),
    ],
)
def test_pass_band(pass_band, score_answers, band, passed):
    """The pass band is configurable: marks are inclusive, the good band optional."""
    row = _score_one([{}, {}], score_answers, pass_band=pass_band)
    assert row["band"] == band
    assert bool(row["passed"]) is passed


@pytest.mark.parametrize("kwargs", [dict(pass_mark=-1), dict(pass_mark=101), dict(pass_mark=60, good_mark=50)])
def test_pass_band_rejects_nonsense(kwargs):
    """Pass and good marks outside 0..100 or in the wrong order are refused."""
    with pytest.raises(ValueError):
        PassBand(**kwargs)


def test_points_and_bonus_columns():
    """Earned points include bonus points; possible points exclude bonus items."""
    row = _score_one([{"weight": 2}, {}, {"bonus": True, "weight": 0.5}], {1: Y, 2: N, 3: Y})
    assert (row["possible_points"], row["earned_points"], row["bonus_points"]) == (3.0, 2.5, 0.5)
    assert row["raw_score"] == pytest.approx(250 / 3)


def test_versions_and_unknown_rows_are_ignored():
    """Criteria of another checklist version, unknown criteria and unknown contacts do not count."""
    criteria = criteria_frame({}, {}, {"version_id": 2})
    contacts = contacts_frame({"version_id": 1}, {"version_id": 2})
    answers = answers_frame({1: {1: Y, 2: N, 3: N, 99: N}, 2: {1: Y, 3: Y}, 77: {1: N}})
    out = score_contacts(contacts, answers, criteria)
    assert list(out.index) == [1, 2]
    assert out.loc[1, "raw_score"] == 50.0 and out.loc[1, "applicable_items"] == 2
    assert out.loc[2, "raw_score"] == 100.0 and out.loc[2, "applicable_items"] == 1


def test_output_shape_and_order():
    """The result is indexed by contact_id in the contacts' order with exactly QUALITY_COLUMNS."""
    criteria = criteria_frame({}, {})
    contacts = contacts_frame({}, {}, {})
    contacts["contact_id"] = [30, 10, 20]
    out = score_contacts(contacts, answers_frame({10: {1: Y}, 20: {1: N}, 30: {1: Y, 2: N}}), criteria)
    assert list(out.columns) == list(QUALITY_COLUMNS)
    assert list(out.index) == [30, 10, 20] and out.index.name == "contact_id"
    assert list(out["raw_score"]) == [50.0, 100.0, 0.0]


def test_sparse_ids_use_the_hash_path():
    """Huge, sparse ids (not autoincrement keys) are matched as well as dense ones."""
    criteria = criteria_frame({}, {})
    criteria["criterion_id"] = [10**12, 5]
    contacts = contacts_frame({}, {})
    contacts["contact_id"] = [-4, 9 * 10**15]
    answers = answers_frame({-4: {10**12: Y, 5: N}, 9 * 10**15: {5: Y}})
    out = score_contacts(contacts, answers, criteria)
    assert list(out["raw_score"]) == [50.0, 100.0]


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(critical_policy="zero_everything"), "critical_policy"),
        (dict(kind="stars"), "kind"),
        (dict(weight=-1.0), "weight"),
        (dict(kind="scale", scale_min=5.0, scale_max=5.0), "scale_max"),
    ],
)
def test_invalid_criteria_are_refused(change, message):
    """Criteria that break the contract raise a ValueError naming the problem."""
    with pytest.raises(ValueError, match=message):
        _score_one([change], {1: Y})


def test_missing_column_is_named():
    """A frame without a contract column raises an error that names the column."""
    criteria = criteria_frame({}).drop(columns="bonus")
    with pytest.raises(ValueError, match="bonus"):
        score_contacts(contacts_frame({}), answers_frame({1: {1: Y}}), criteria)


def test_duplicate_contact_ids_are_refused():
    """Two contacts with one id would silently share answers, so they are refused."""
    contacts = contacts_frame({}, {})
    contacts["contact_id"] = [1, 1]
    with pytest.raises(ValueError, match="unique"):
        score_contacts(contacts, answers_frame({1: {1: Y}}), criteria_frame({}))


def test_section_scores_hand_example():
    """Section scores: a zero_section failure zeroes its section's final score only."""
    criteria = criteria_frame({"section": "Greeting"}, {"section": "Greeting", "critical_policy": "zero_section"},
                              {"section": "Answer", "weight": 2}, {"section": "Answer"})
    out = section_scores(contacts_frame({}), answers_frame({1: {1: Y, 2: N, 3: Y, 4: NA}}), criteria)
    assert list(out["section"]) == ["Greeting", "Answer"]
    greeting, answer = out.iloc[0], out.iloc[1]
    assert (greeting["raw_score"], greeting["final_score"], bool(greeting["critical_fail"])) == (50.0, 0.0, True)
    assert (answer["raw_score"], answer["final_score"], answer["na_items"]) == (100.0, 100.0, 1)


def test_section_scores_count_missing_sections():
    """A section with applicable criteria but no answers appears, unscored, with its missing items."""
    criteria = criteria_frame({"section": "A"}, {"section": "B"}, {"section": "B"})
    out = section_scores(contacts_frame({}), answers_frame({1: {1: Y}}), criteria).set_index("section")
    assert out.loc["B", "missing_items"] == 2 and math.isnan(out.loc["B", "raw_score"])


def test_answer_scores_item_score():
    """Item scores are 100 · f per applicable answer, NaN for N/A; inapplicable answers are left out."""
    criteria = criteria_frame({"kind": "scale", "scale_min": 0, "scale_max": 4}, {}, {"channels": ("phone",)})
    out = answer_scores(contacts_frame({}), answers_frame({1: {1: 3, 2: NA, 3: Y}}), criteria)
    assert list(out["criterion_id"]) == [1, 2]
    assert out["item_score"].iloc[0] == 75.0 and math.isnan(out["item_score"].iloc[1])


# --------------------------------------------------------------------------- reference check


def _reference(contacts, answers, criteria):
    """A deliberately plain per-contact loop over the documented formula (the oracle)."""
    crit = criteria.set_index("criterion_id")
    out = {}
    for contact in contacts.itertuples():
        mine = crit[(crit["version_id"] == contact.version_id)
                    & crit["channels"].map(lambda c, ch=contact.channel: not c or ch in c)]
        given = answers[answers["contact_id"] == contact.contact_id].set_index("criterion_id")
        earned = possible = 0.0
        section_earned, knocked, zero_contact, flag = {}, set(), False, False
        for cid, c in mine.iterrows():
            if cid not in given.index or given.loc[cid, "is_na"]:
                continue
            v = given.loc[cid, "value"]
            f = v if c["kind"] == "yesno" else (v - c["scale_min"]) / (c["scale_max"] - c["scale_min"])
            f = min(max(f, 0.0), 1.0)
            earned += c["weight"] * f
            section_earned[c["section"]] = section_earned.get(c["section"], 0.0) + c["weight"] * f
            possible += 0.0 if c["bonus"] else c["weight"]
            if f == 0 and c["critical_policy"] == "zero_section":
                knocked.add(c["section"])
            zero_contact |= f == 0 and c["critical_policy"] == "zero_contact"
            flag |= f == 0 and c["critical_policy"] == "flag_fail"
        if possible == 0:
            out[contact.contact_id] = (NAN, NAN)
            continue
        final = min(100.0, 100 * (earned - sum(section_earned[s] for s in knocked)) / possible)
        out[contact.contact_id] = (min(100.0, 100 * earned / possible), 0.0 if zero_contact else final)
    return out


def _random_world(seed, n_contacts=300):
    rng = np.random.default_rng(seed)
    specs = []
    for i in range(12):
        scale = i % 3 == 0
        specs.append(dict(
            version_id=1 + (i >= 9), section=f"S{i % 4}", weight=float(rng.integers(0, 4)),
            kind="scale" if scale else "yesno", scale_min=1.0 if scale else NAN, scale_max=5.0 if scale else NAN,
            critical_policy=rng.choice(["none", "none", "none", "zero_section", "zero_contact", "flag_fail"]),
            bonus=bool(rng.random() < 0.15), channels=() if rng.random() < 0.7 else ("email", "chat"),
        ))
    criteria = criteria_frame(*specs)
    contacts = contacts_frame(*[{"channel": rng.choice(["email", "phone", "chat"]),
                                 "version_id": int(rng.choice([1, 1, 2]))} for _ in range(n_contacts)])
    given = {}
    for cid in contacts["contact_id"]:
        row = {}
        for k, spec in enumerate(specs, start=1):
            draw = rng.random()
            if draw < 0.08:
                continue  # missing
            if draw < 0.15:
                row[k] = None
            else:
                row[k] = float(rng.integers(1, 6)) if spec["kind"] == "scale" else float(rng.random() < 0.7)
        given[int(cid)] = row
    answers = answers_frame(given).sample(frac=1.0, random_state=seed)  # order must not matter
    return contacts, answers, criteria


@pytest.mark.parametrize("chunk_rows", [None, 7, 1000], ids=["one chunk", "tiny chunks", "mid chunks"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_score_matches_plain_reference(seed, chunk_rows, monkeypatch):
    """On random, shuffled checklists the chunked vectorised score equals a plain loop over the formula."""
    if chunk_rows:
        monkeypatch.setattr("scoring.quality.CHUNK_ROWS", chunk_rows)
    contacts, answers, criteria = _random_world(seed)
    out = score_contacts(contacts, answers, criteria)
    monkeypatch.setattr("scoring.quality.CHUNK_ROWS", 1 << 30)
    pd.testing.assert_frame_equal(out, score_contacts(contacts, answers, criteria))  # chunking changes nothing
    expected = _reference(contacts, answers, criteria)
    for cid, (raw, final) in expected.items():
        assert _same(out.loc[cid, "raw_score"], raw), cid
        assert _same(out.loc[cid, "final_score"], final), cid
    counts = answers.merge(contacts[["contact_id"]]).groupby("contact_id").size()
    assert (out["scored_items"] + out["na_items"] <= counts.reindex(out.index, fill_value=0)).all()


@pytest.mark.parametrize("seed", [4, 5])
def test_section_points_add_up_to_contact_points(seed, monkeypatch):
    """Section possible and earned points add up to the contact's points (scored in small chunks)."""
    monkeypatch.setattr("scoring.quality.CHUNK_ROWS", 50)
    contacts, answers, criteria = _random_world(seed, n_contacts=100)
    sections = section_scores(contacts, answers, criteria).groupby("contact_id")[
        ["possible_points", "earned_points", "missing_items", "na_items"]].sum()
    contact = score_contacts(contacts, answers, criteria)
    joined = contact.join(sections.add_suffix("_s"))
    np.testing.assert_allclose(joined["possible_points"], joined["possible_points_s"].fillna(0))
    np.testing.assert_allclose(joined["earned_points"], joined["earned_points_s"].fillna(0))
    assert (joined["missing_items"] == joined["missing_items_s"].fillna(0)).all()


def test_scoring_is_vectorised():
    """Fifty thousand contacts with twenty answers each score in well under the time a per-contact loop needs."""
    n, k = 50_000, 20
    criteria = criteria_frame(*[{"critical_policy": "zero_section" if i == 0 else "none", "section": f"S{i % 4}"}
                                for i in range(k)])
    contacts = contacts_frame({})
    contacts = contacts.loc[np.zeros(n, dtype=int)].reset_index(drop=True)
    contacts["contact_id"] = np.arange(1, n + 1)
    rng = np.random.default_rng(0)
    answers = pd.DataFrame({"contact_id": np.repeat(np.arange(1, n + 1), k),
                            "criterion_id": np.tile(np.arange(1, k + 1), n),
                            "value": (rng.random(n * k) < 0.8).astype(float), "is_na": False})
    started = time.perf_counter()
    out = score_contacts(contacts, answers, criteria)
    assert time.perf_counter() - started < 3.0  # a per-contact Python loop takes minutes here
    assert out["final_score"].notna().all()


@pytest.mark.parametrize("ids", [[2, 5, 9], [1, 2, 3], [10**12, 3, 10**15]], ids=["lookup table", "contiguous", "hash"])
def test_every_id_matching_path_ignores_unknown_ids(ids):
    """Contiguous, gapped and sparse contact ids all match their answers and ignore unknown ones."""
    criteria = criteria_frame({}, {})
    contacts = contacts_frame({}, {}, {})
    contacts["contact_id"] = ids
    given = {ids[0]: {1: Y, 2: N}, ids[1]: {1: Y}, ids[2]: {2: N}, 7: {1: N}, -1: {1: N}, 10**16: {1: N}}
    out = score_contacts(contacts, answers_frame(given), criteria)
    assert list(out["raw_score"]) == [50.0, 100.0, 0.0]
    assert list(out["missing_items"]) == [0, 1, 1]
