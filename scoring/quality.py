"""Contact quality score 0–100 from checklist answers: N/A, weights, bonus and knock-outs.

Definitions (docs/scoring.md, "Quality score"), per contact:
    A criterion *applies* to a contact when it belongs to the contact's checklist version and
    its ``channels`` tuple is empty or names the contact's channel. Other criteria, and answers
    to them, are ignored entirely (not in the numerator, not in the denominator).
    item fraction f = value for yes/no (1 yes, 0 no); (value - scale_min) / (scale_max -
        scale_min) for a scale, clipped to [0, 1].
    An applicable item is *scored* unless it is N/A (``is_na`` or value NaN) or has no answer
        row (counted in ``missing_items`` so the UI can warn).
    possible P = Σ weight over scored non-bonus items;
    earned   E = Σ weight · f over scored items (bonus items add to E only);
    raw_score = min(100, 100 · E / P); NaN when P = 0 (nothing to score).
    A critical item *fails* when it is scored and earns nothing (f = 0). Its policy:
        zero_section: the earned points of its section are dropped (E − E_section);
        zero_contact: the final score is 0;
        flag_fail: the score is kept but the contact fails.
    final_score = 0 if a zero_contact item failed, else min(100, 100 · (E − D) / P) with D the
        earned points of knocked-out sections. Raw and final are both returned.
    passed = final_score >= pass_mark and no zero_contact/flag_fail knock-out (NA if unscored).

Everything is computed with array gathers from small (version, channel) × criterion tables and
``np.bincount`` per contact: no Python loop over contacts or answers. The answers are processed
in chunks of ``CHUNK_ROWS`` rows so the per-answer arrays stay cache-sized (a loop over ~80
chunks for twenty million answers, not over rows); a million contacts with twenty answers each
score in about a second (bench/bench_scoring.py).

Public API:
    PassBand(pass_mark=50.0, good_mark=80.0)
    score_contacts(contacts, answers, criteria, pass_band=PassBand()) -> DataFrame by contact_id
    section_scores(contacts, answers, criteria) -> DataFrame, one row per contact × section
    answer_scores(contacts, answers, criteria) -> DataFrame, one row per applicable answer
    item_score_sums(contacts, answers, criteria, contact_codes, n_codes) -> (sums, counts)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.contract import (
    ANSWER_COLUMNS,
    CRITERION_COLUMNS,
    CRITERION_KINDS,
    CRITICAL_POLICIES,
    require_columns,
)

__all__ = [
    "BANDS",
    "KNOCKOUTS",
    "QUALITY_COLUMNS",
    "PassBand",
    "answer_scores",
    "item_score_sums",
    "score_contacts",
    "section_scores",
]

QUALITY_COLUMNS = (
    "raw_score", "final_score", "passed", "critical_fail", "knockout", "band", "possible_points",
    "earned_points", "bonus_points", "applicable_items", "scored_items", "na_items", "missing_items",
)
BANDS = ("fail", "pass", "good", "unscored")
KNOCKOUTS = ("none", "zero_section", "flag_fail", "zero_contact")  # in increasing severity
_POLICY_CODE = {name: code for code, name in enumerate(CRITICAL_POLICIES)}  # none=0, zero_section=1, ...


@dataclass(frozen=True)
class PassBand:
    """Where a final score passes, and (optionally) where it counts as good.

    Attributes:
        pass_mark: final scores at or above it pass (default 50: "< 50 % fails").
        good_mark: final scores at or above it are in the 'good' band; None for no such band.
    """

    pass_mark: float = 50.0
    good_mark: float | None = 80.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.pass_mark <= 100.0:
            raise ValueError(f"pass_mark must be within 0..100, got {self.pass_mark}")
        if self.good_mark is not None and not self.pass_mark <= self.good_mark <= 100.0:
            raise ValueError(f"good_mark must be within pass_mark..100, got {self.good_mark}")

    def classify(self, final_score: np.ndarray, knocked_out: np.ndarray) -> tuple[pd.Series, pd.Categorical]:
        """Pass flags and band labels for final scores.

        Args:
            final_score: float array (NaN = unscored).
            knocked_out: bool array, True where a zero_contact or flag_fail item failed.

        Returns:
            ``(passed, band)``: a nullable boolean array (NA where unscored) and a categorical
            with categories ``BANDS``.
        """
        score = np.asarray(final_score, dtype=float)
        unscored = np.isnan(score)
        with np.errstate(invalid="ignore"):
            passed = (score >= self.pass_mark) & ~np.asarray(knocked_out, dtype=bool)
            good = passed & (score >= self.good_mark) if self.good_mark is not None else np.zeros_like(passed)
        codes = np.select([unscored, ~passed, good], [3, 0, 2], default=1)
        flags = pd.array(passed, dtype="boolean")
        flags[unscored] = pd.NA
        return flags, pd.Categorical.from_codes(codes, categories=list(BANDS))


# --------------------------------------------------------------------------- preparation

# Answers are scored in chunks of this many rows: every per-answer array of a chunk (a few MB)
# stays in the CPU cache and its memory is reused, instead of twenty-million-row temporaries
# that cost more in page faults than in arithmetic.
CHUNK_ROWS = 1 << 18

# Bits of the per-(combo, criterion) "special" table: rows with a non-zero code are a minority,
# so one gather plus one np.flatnonzero finds them and the rest of the work is on a subset.
_INAPPLICABLE = 1  # unknown contact or criterion, other version, or not for this channel
_BONUS = 2
_POLICY_SHIFT = 2  # bits 2-3 hold the critical policy code (0 none .. 3 flag_fail)


class _IdMatcher:
    """Maps ids to positions in a reference array of unique ids; unknown ids map to ``missing``.

    Built once per call and applied per chunk. Three strategies, fastest first: ids that are
    exactly lo, lo+1, ... (a full table read) need a subtraction; dense non-negative ids (the
    database's autoincrement keys) a lookup-table gather; anything else a hash lookup.
    """

    def __init__(self, reference: np.ndarray, missing: int) -> None:
        self.reference = np.asarray(reference, dtype=np.int64)
        self.missing = missing
        self.mode = "hash"
        if len(self.reference) == 0:
            self.mode = "empty"
            return
        self.lo, self.hi = int(self.reference.min()), int(self.reference.max())
        if (self.hi - self.lo == len(self.reference) - 1 and self.reference[0] == self.lo
                and bool((np.diff(self.reference) == 1).all())):
            self.mode = "range"
        elif self.lo >= 0 and self.hi <= 4 * len(self.reference) + 1_000_000:
            self.mode = "table"
            self.table = np.full(self.hi + 2, missing, dtype=np.int64)  # last slot: out of range
            self.table[self.reference] = np.arange(len(self.reference))
        else:
            self.index = pd.Index(self.reference)

    def __call__(self, query: np.ndarray) -> np.ndarray:
        query = np.asarray(query, dtype=np.int64)
        if self.mode == "empty":
            return np.full(len(query), self.missing, dtype=np.int64)
        if self.mode == "hash":
            found = self.index.get_indexer(query).astype(np.int64)
            found[found < 0] = self.missing
            return found
        outside = len(query) and (query.min() < self.lo or query.max() > self.hi)
        if self.mode == "range":
            positions = query - self.lo
            return np.where((query < self.lo) | (query > self.hi), self.missing, positions) if outside else positions
        if outside:
            query = np.where((query < 0) | (query > self.hi), self.hi + 1, query)
        return self.table[query]


def _validate_criteria(criteria: pd.DataFrame) -> None:
    require_columns(criteria, CRITERION_COLUMNS, "criteria")
    if not criteria["criterion_id"].is_unique:
        raise ValueError("criteria: criterion_id must be unique")
    bad_kind = set(criteria["kind"]) - set(CRITERION_KINDS)
    if bad_kind:
        raise ValueError(f"criteria: unknown kind(s) {sorted(bad_kind)}")
    bad_policy = set(criteria["critical_policy"].fillna("none")) - set(CRITICAL_POLICIES)
    if bad_policy:
        raise ValueError(f"criteria: unknown critical_policy {sorted(bad_policy)}")
    if (criteria["weight"].astype(float) < 0).any() or criteria["weight"].isna().any():
        raise ValueError("criteria: weight must be a number >= 0")
    scale = criteria[criteria["kind"] == "scale"]
    if not (scale["scale_max"].astype(float) > scale["scale_min"].astype(float)).all():
        raise ValueError("criteria: a scale criterion needs scale_max > scale_min")


def _applicability(contacts: pd.DataFrame, crit: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Code of each contact's (version, channel) pair and the criteria × pairs "applies" matrix.

    There are few distinct pairs, so applicability is decided once per pair, not per contact.
    """
    v_code, versions = pd.factorize(contacts["version_id"].to_numpy(dtype=np.int64))
    ch_code, channels = pd.factorize(contacts["channel"], use_na_sentinel=False)
    width = max(len(channels), 1)
    combo, combo_uniq = pd.factorize(v_code.astype(np.int64) * width + ch_code)
    pair_version = np.asarray(versions)[combo_uniq // width]
    pair_channel = np.asarray(channels, dtype=object)[combo_uniq % width]
    k_version = crit["version_id"].to_numpy(dtype=np.int64)
    applies = np.zeros((len(crit), len(combo_uniq)), dtype=bool)
    for j in range(len(combo_uniq)):  # loop over the few pairs, vectorised over criteria
        channel = pair_channel[j]
        restricted = crit["channels"].map(lambda chans, ch=channel: bool(chans) and ch not in chans)
        applies[:, j] = (k_version == pair_version[j]) & ~restricted.to_numpy(dtype=bool)
    return np.asarray(combo, dtype=np.int64), applies


@dataclass
class _Tables:
    """Everything about contacts and criteria the per-answer work looks up (built once per call).

    Per-answer quantities are gathers from small tables indexed by
    ``flat = combo(contact) * (K + 1) + criterion position``, with a spare combo and a spare
    criterion slot for unknown contacts and criteria.
    """

    contact_ids: np.ndarray
    n_contacts: int
    n_criteria: int
    criteria: pd.DataFrame  # reset to positions 0..K-1
    combo: np.ndarray  # per contact
    applies: np.ndarray  # criteria × combos
    applicable: np.ndarray  # applicable criteria per contact
    contact_match: _IdMatcher
    criterion_match: _IdMatcher
    combo_base: np.ndarray  # per contact position (+ spare): combo * (K + 1)
    slope_t: np.ndarray  # f = value * slope + offset; NaN marks "not applicable"
    offset_t: np.ndarray
    weight_t: np.ndarray
    possible_t: np.ndarray
    special_t: np.ndarray
    k_pos_t: np.ndarray  # criterion position per flat index
    section: np.ndarray  # section code per criterion position (+ spare)
    section_names: pd.Index
    section_t: np.ndarray  # section code per flat index


def _tables(contacts: pd.DataFrame, criteria: pd.DataFrame) -> _Tables:
    require_columns(contacts, ("contact_id", "version_id", "channel"), "contacts")
    _validate_criteria(criteria)
    crit = criteria.reset_index(drop=True)
    n_crit = len(crit)
    contact_ids = contacts["contact_id"].to_numpy(dtype=np.int64)
    if not pd.Index(contact_ids).is_unique:
        raise ValueError("contacts: contact_id must be unique")
    n = len(contact_ids)
    combo, applies = _applicability(contacts, crit)
    n_combo = applies.shape[1]
    applicable = applies.sum(axis=0)[combo] if n else np.zeros(0, dtype=np.int64)

    valid_t = np.zeros((n_combo + 1, n_crit + 1), dtype=bool)
    valid_t[:n_combo, :n_crit] = applies.T
    is_scale = (crit["kind"] == "scale").to_numpy()
    lo = np.where(is_scale, crit["scale_min"].to_numpy(dtype=float), 0.0)
    span = np.where(is_scale, crit["scale_max"].to_numpy(dtype=float) - lo, 1.0)
    weight = crit["weight"].to_numpy(dtype=float)
    bonus = crit["bonus"].to_numpy(dtype=bool)
    policy = crit["critical_policy"].fillna("none").map(_POLICY_CODE).to_numpy(dtype=np.int8)

    def table(per_criterion: np.ndarray, fill) -> np.ndarray:
        out = np.full((n_combo + 1, n_crit + 1), fill, dtype=np.asarray(per_criterion).dtype)
        out[:, :n_crit] = per_criterion
        out[~valid_t] = fill  # a criterion that does not apply contributes nothing
        return out.ravel()

    special_t = table((bonus * _BONUS + (policy << _POLICY_SHIFT)).astype(np.int8), np.int8(0))
    special_t[~valid_t.ravel()] = _INAPPLICABLE
    section_code, section_names = pd.factorize(crit["section"].fillna("").to_numpy(dtype=object))
    section = np.append(section_code, max(len(section_names), 1)).astype(np.int64)
    return _Tables(
        contact_ids=contact_ids, n_contacts=n, n_criteria=n_crit, criteria=crit, combo=combo, applies=applies,
        applicable=applicable, contact_match=_IdMatcher(contact_ids, n),
        criterion_match=_IdMatcher(crit["criterion_id"].to_numpy(), n_crit),
        combo_base=np.append(combo, n_combo) * (n_crit + 1),
        slope_t=table(1.0 / span, np.nan), offset_t=table(-lo / span, np.nan), weight_t=table(weight, 0.0),
        possible_t=table(np.where(bonus, 0.0, weight), 0.0), special_t=special_t,
        k_pos_t=np.tile(np.arange(n_crit + 1), n_combo + 1), section=section,
        section_names=pd.Index(section_names), section_t=np.tile(section, n_combo + 1),
    )


@dataclass
class _Points:
    """Per-answer arrays of one chunk of answers (or of all of them)."""

    tables: _Tables
    c_pos: np.ndarray  # contact position per answer; n_contacts (a spare bin) for unknown contacts
    flat: np.ndarray  # index into every table
    fraction: np.ndarray  # item fraction f in [0, 1]; NaN where not scored (N/A or not applicable)
    earned: np.ndarray  # weight * f where scored, else 0
    possible: np.ndarray  # weight where scored and not bonus, else 0
    unscored: np.ndarray  # answers with NaN fraction
    special_rows: np.ndarray  # answers whose special code is non-zero
    special: np.ndarray  # their codes (_INAPPLICABLE, _BONUS, policy bits)
    _failed: tuple | None = None  # cache: failed critical answers and their policy codes

    def k_pos(self, rows: np.ndarray) -> np.ndarray:
        """Criterion position of the given answers (K for unknown criteria)."""
        return self.tables.k_pos_t[self.flat[rows]]

    def valid(self) -> np.ndarray:
        """Bool per answer: a known contact's answer to a criterion that applies to it."""
        return (self.tables.special_t[self.flat] & _INAPPLICABLE) == 0

    def failed(self, policy: str | None = None) -> np.ndarray:
        """Answers whose critical item failed (f = 0), optionally of one policy only."""
        if self._failed is None:
            policy_codes = self.special >> _POLICY_SHIFT
            rows = self.special_rows[policy_codes > 0]
            with np.errstate(invalid="ignore"):
                hit = self.fraction[rows] <= 0.0  # NaN (not scored) never fails
            self._failed = (rows[hit], policy_codes[policy_codes > 0][hit])
        rows, codes = self._failed
        return rows if policy is None else rows[codes == _POLICY_CODE[policy]]


def _points(t: _Tables, contact_id: np.ndarray, criterion_id: np.ndarray, value: np.ndarray,
            is_na: np.ndarray) -> _Points:
    """Item fraction, earned and possible points of each answer (one chunk of columns)."""
    c_pos = t.contact_match(contact_id)
    flat = t.combo_base[c_pos]
    flat += t.criterion_match(criterion_id)
    if (is_na & ~np.isnan(value)).any():  # the contract says NaN for N/A; make it so
        value = np.where(is_na, np.nan, value)
    # From here on NaN in `fraction` means "not scored" (N/A or not applicable) by construction.
    fraction = t.slope_t[flat]
    fraction *= value
    fraction += t.offset_t[flat]
    np.clip(fraction, 0.0, 1.0, out=fraction)
    earned = t.weight_t[flat]
    earned *= fraction
    np.fmax(earned, 0.0, out=earned)  # fmax turns NaN (not scored) into 0 without a mask
    possible = t.possible_t[flat]
    unscored = np.flatnonzero(np.isnan(fraction))
    possible[unscored] = 0.0
    special = t.special_t[flat]
    special_rows = np.flatnonzero(special)
    return _Points(t, c_pos, flat, fraction, earned, possible, unscored, special_rows, special[special_rows])


def _answer_columns(answers: pd.DataFrame):
    require_columns(answers, ANSWER_COLUMNS, "answers")
    return (answers["contact_id"].to_numpy(dtype=np.int64), answers["criterion_id"].to_numpy(dtype=np.int64),
            answers["value"].to_numpy(dtype=float), answers["is_na"].to_numpy(dtype=bool))


def _prepare(contacts: pd.DataFrame, answers: pd.DataFrame, criteria: pd.DataFrame) -> _Points:
    """All answers as one chunk (for the row-level frames; the score itself goes by chunks)."""
    return _points(_tables(contacts, criteria), *_answer_columns(answers))


class _Sums:
    """Per-contact running sums over chunks; each chunk adds only over the contacts it spans."""

    def __init__(self, n_contacts: int, names) -> None:
        self.n = n_contacts
        self.values = {name: np.zeros(n_contacts + 1) for name in names}  # + the spare bin

    def add(self, name: str, c_pos: np.ndarray, weights=None) -> None:
        if len(c_pos) == 0:
            return
        lo, hi = int(c_pos.min()), int(c_pos.max())
        # answers usually come grouped by contact, so a chunk spans few contacts
        self.values[name][lo:hi + 1] += np.bincount(c_pos - lo, weights=weights, minlength=hi - lo + 1)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name][: self.n]


def _scores(earned: np.ndarray, possible: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(possible > 0, np.minimum(100.0, 100.0 * earned / possible), np.nan)


def score_contacts(
    contacts: pd.DataFrame,
    answers: pd.DataFrame,
    criteria: pd.DataFrame,
    pass_band: PassBand = PassBand(),
) -> pd.DataFrame:
    """Quality score of every contact (raw and after knock-outs), with pass flag and band.

    Args:
        contacts: the contacts frame (needs ``contact_id``, ``version_id``, ``channel``).
        answers: the answers frame (one row per contact × criterion).
        criteria: the criteria frame of the versions the contacts use.
        pass_band: where scores pass and where they are good.

    Returns:
        DataFrame indexed by ``contact_id`` (contacts' order) with ``QUALITY_COLUMNS``:
        ``raw_score``, ``final_score`` (0–100, NaN when nothing could be scored), ``passed``
        (nullable boolean), ``critical_fail`` (any critical item failed), ``knockout`` (the
        most severe policy that struck: none / zero_section / flag_fail / zero_contact),
        ``band`` (fail / pass / good / unscored), ``possible_points``, ``earned_points``
        (raw, bonus included), ``bonus_points``, ``applicable_items``, ``scored_items``,
        ``na_items`` and ``missing_items`` (applicable criteria without an answer row).
    """
    t = _tables(contacts, criteria)
    columns = _answer_columns(answers)
    n = t.n_contacts
    # sections holding a zero_section item: their earned points may have to be dropped
    zs_criteria = (t.criteria["critical_policy"] == "zero_section").to_numpy()
    zs_sections = np.unique(t.section[:-1][zs_criteria])
    sums = _Sums(n, ["possible", "earned", "bonus", "rows", "inapplicable", "na",
                     *[f"section_{s}" for s in zs_sections]])
    failed_contacts, failed_policies, failed_sections = [], [], []
    for start in range(0, max(len(columns[0]), 1), CHUNK_ROWS):
        p = _points(t, *(column[start:start + CHUNK_ROWS] for column in columns))
        sums.add("possible", p.c_pos, p.possible)
        sums.add("earned", p.c_pos, p.earned)
        sums.add("rows", p.c_pos)
        bonus_rows = p.special_rows[(p.special & _BONUS) > 0]
        sums.add("bonus", p.c_pos[bonus_rows], p.earned[bonus_rows])
        sums.add("inapplicable", p.c_pos[p.special_rows[(p.special & _INAPPLICABLE) > 0]])
        na_rows = p.unscored[(t.special_t[p.flat[p.unscored]] & _INAPPLICABLE) == 0]
        sums.add("na", p.c_pos[na_rows])
        if len(zs_sections):
            section = t.section_t[p.flat]
            for s in zs_sections:
                rows = np.flatnonzero(section == s)
                sums.add(f"section_{s}", p.c_pos[rows], p.earned[rows])
        failed = p.failed()
        failed_contacts.append(p.c_pos[failed])
        failed_policies.append(p._failed[1])
        failed_sections.append(t.section[p.k_pos(failed)])
    failed_c = np.concatenate(failed_contacts)
    failed_p = np.concatenate(failed_policies)
    failed_s = np.concatenate(failed_sections)

    def struck(mask: np.ndarray) -> np.ndarray:
        flags = np.zeros(n + 1, dtype=bool)
        flags[failed_c[mask]] = True
        return flags[:n]

    zero_section = struck(failed_p == _POLICY_CODE["zero_section"])
    zero_contact = struck(failed_p == _POLICY_CODE["zero_contact"])
    flag_fail = struck(failed_p == _POLICY_CODE["flag_fail"])
    deduction = np.zeros(n)  # D: earned points of knocked-out sections
    for s in zs_sections:
        knocked = struck((failed_p == _POLICY_CODE["zero_section"]) & (failed_s == s))
        deduction += np.where(knocked, sums[f"section_{s}"], 0.0)

    possible, earned = sums["possible"], sums["earned"]
    answered = sums["rows"] - sums["inapplicable"]
    na_items = sums["na"]
    raw = _scores(earned, possible)
    final = _scores(earned - deduction, possible)
    final = np.where(zero_contact & ~np.isnan(final), 0.0, final)
    passed, band = pass_band.classify(final, zero_contact | flag_fail)
    knockout = np.select([zero_contact, flag_fail, zero_section], [3, 2, 1], default=0)
    return pd.DataFrame(
        {
            "raw_score": raw,
            "final_score": final,
            "passed": passed,
            "critical_fail": zero_section | zero_contact | flag_fail,
            "knockout": pd.Categorical.from_codes(knockout, categories=list(KNOCKOUTS)),
            "band": band,
            "possible_points": possible,
            "earned_points": earned,
            "bonus_points": sums["bonus"],
            "applicable_items": t.applicable.astype(np.int64),
            "scored_items": (answered - na_items).astype(np.int64),
            "na_items": na_items.astype(np.int64),
            # never negative, even if a duplicate answer row slipped through
            "missing_items": np.maximum(t.applicable - answered, 0).astype(np.int64),
        },
        index=pd.Index(t.contact_ids, name="contact_id"),
    )


def item_score_sums(
    contacts: pd.DataFrame,
    answers: pd.DataFrame,
    criteria: pd.DataFrame,
    contact_codes: np.ndarray,
    n_codes: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Sum and count of item scores (100 · f, scored items only) per contact code × criterion.

    The building block of criterion views at any grouping (e.g. brand × channel): the caller
    gives each contact a code, and gets back dense ``(n_codes, K)`` arrays in criteria order,
    computed chunk by chunk like the score (no per-answer Python loop, no big temporaries).

    Args:
        contacts, answers, criteria: the contract frames.
        contact_codes: int code (0..n_codes-1) per contact row.
        n_codes: number of codes.

    Returns:
        ``(sums, counts)``, float arrays of shape ``(n_codes, len(criteria))``.
    """
    t = _tables(contacts, criteria)
    columns = _answer_columns(answers)
    k = t.n_criteria
    codes = np.append(np.asarray(contact_codes, dtype=np.int64), n_codes)  # spare code for unknown contacts
    size = (n_codes + 1) * (k + 1)
    sums = np.zeros(size)
    counts = np.zeros(size)
    for start in range(0, len(columns[0]), CHUNK_ROWS):
        p = _points(t, *(column[start:start + CHUNK_ROWS] for column in columns))
        scored = ~np.isnan(p.fraction)
        key = codes[p.c_pos[scored]] * (k + 1) + t.k_pos_t[p.flat[scored]]
        sums += np.bincount(key, weights=100.0 * p.fraction[scored], minlength=size)
        counts += np.bincount(key, minlength=size)
    shape = (n_codes + 1, k + 1)
    return sums.reshape(shape)[:n_codes, :k], counts.reshape(shape)[:n_codes, :k]


def answer_scores(contacts: pd.DataFrame, answers: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """One row per answer to an applicable criterion, with its item score and points.

    Used for criterion-level views (which item differs most between channels) so they share
    the score's definition of applicability, N/A and the item fraction.

    Args:
        contacts, answers, criteria: the contract frames.

    Returns:
        DataFrame with ``contact_id, criterion_id, code, section, is_na, item_score`` (100 · f,
        NaN for N/A), ``earned_points, possible_points, bonus, critical_failed`` — answers to
        unknown contacts or to criteria that do not apply are left out.
    """
    points = _prepare(contacts, answers, criteria)
    rows = np.flatnonzero(points.valid())
    k = points.k_pos(rows)
    crit = points.tables.criteria
    return pd.DataFrame(
        {
            "contact_id": points.tables.contact_ids[points.c_pos[rows]],
            "criterion_id": crit["criterion_id"].to_numpy(dtype=np.int64)[k],
            "code": crit["code"].to_numpy(dtype=object)[k],
            "section": crit["section"].to_numpy(dtype=object)[k],
            "is_na": np.isnan(points.fraction[rows]),
            "item_score": 100.0 * points.fraction[rows],
            "earned_points": points.earned[rows],
            "possible_points": points.possible[rows],
            "bonus": crit["bonus"].to_numpy(dtype=bool)[k],
            "critical_failed": np.isin(rows, points.failed()),
        }
    )


def section_scores(contacts: pd.DataFrame, answers: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """Score of every section of every contact, with the zero_section knock-out applied.

    The section formula is the contact formula restricted to the section's items:
    ``raw_score = min(100, 100 · E_s / P_s)``; ``final_score`` is 0 when a zero_section critical
    item of the section failed (other policies act on the whole contact, not on sections).

    Args:
        contacts, answers, criteria: the contract frames.

    Returns:
        DataFrame with one row per contact × section that has applicable criteria:
        ``contact_id, section, applicable_items, scored_items, na_items, missing_items,
        possible_points, earned_points, raw_score, final_score, critical_fail``.
    """
    points = _prepare(contacts, answers, criteria)
    t = points.tables
    section_code, sections = t.section[:-1], t.section_names
    n_sections = max(len(sections), 1)

    # expected (contact, section) pairs and their applicable counts, via the combo matrix
    per_combo = np.zeros((t.applies.shape[1], n_sections), dtype=np.int64)
    for s in range(len(sections)):  # few sections; vectorised over combos
        per_combo[:, s] = t.applies[section_code == s].sum(axis=0)
    combo_pairs = pd.DataFrame(
        [(j, s, per_combo[j, s]) for j, s in zip(*np.nonzero(per_combo), strict=True)],
        columns=["combo", "s", "applicable_items"],
    )
    grid = pd.DataFrame({"c": np.arange(t.n_contacts), "combo": t.combo}).merge(combo_pairs, on="combo")

    rows = np.flatnonzero(points.valid())
    na = np.isnan(points.fraction[rows])
    given = pd.DataFrame(
        {
            "c": points.c_pos[rows],
            "s": t.section[points.k_pos(rows)],
            "answered": 1,
            "scored_items": (~na).astype(np.int64),
            "na_items": na.astype(np.int64),
            "possible_points": points.possible[rows],
            "earned_points": points.earned[rows],
            "knocked": np.isin(rows, points.failed("zero_section")),
            "critical_fail": np.isin(rows, points.failed()),
        }
    ).groupby(["c", "s"], sort=False).agg(
        answered=("answered", "sum"), scored_items=("scored_items", "sum"), na_items=("na_items", "sum"),
        possible_points=("possible_points", "sum"), earned_points=("earned_points", "sum"),
        knocked=("knocked", "any"), critical_fail=("critical_fail", "any"),
    )
    out = grid.merge(given.reset_index(), on=["c", "s"], how="left")
    for column in ("answered", "scored_items", "na_items"):
        out[column] = out[column].fillna(0).astype(np.int64)
    for column in ("possible_points", "earned_points"):
        out[column] = out[column].fillna(0.0)
    for column in ("knocked", "critical_fail"):
        out[column] = out[column].fillna(False).astype(bool)
    out["missing_items"] = np.maximum(out["applicable_items"] - out["answered"], 0)
    out["raw_score"] = _scores(out["earned_points"].to_numpy(), out["possible_points"].to_numpy())
    out["final_score"] = np.where(out["knocked"] & out["raw_score"].notna(), 0.0, out["raw_score"])
    out.insert(0, "contact_id", points.tables.contact_ids[out["c"].to_numpy()])
    out.insert(1, "section", np.asarray(sections, dtype=object)[out["s"].to_numpy()])
    out = out.sort_values(["c", "s"], kind="stable")
    return out[["contact_id", "section", "applicable_items", "scored_items", "na_items", "missing_items",
                "possible_points", "earned_points", "raw_score", "final_score", "critical_fail"]].reset_index(drop=True)
