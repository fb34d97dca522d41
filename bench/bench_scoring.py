"""Benchmark: scoring N contacts x 20 answers against a plain pandas groupby mean (the floor).

Run: .venv/bin/python bench/bench_scoring.py [--contacts 1000000] [--repeat 3] [--json PATH]

Builds a synthetic contract frame (contacts, 20 answers each, a 20-item checklist with scale
items, N/A, a bonus item, channel-restricted items and all three critical policies), then
times ``score_contacts`` beside ``answers.groupby("contact_id")["value"].mean()`` over the same
answers frame in the same run: the floor any per-contact score must pay. Each is run once to
warm up (the first touch of fresh memory is slow on a VM and would swamp the comparison; its
time is printed too), then ``--repeat`` times; the table shows the median and the best.
Also timed, for information: timeliness, channel_metrics by brand x channel, and consistency
by brand (without and with the criterion spread over all answers) on the same contacts. Target (issue 5): scoring 1,000,000 contacts under 3 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from scoring import channel_metrics, consistency, score_contacts, timeliness  # noqa: E402

CHANNELS = [("store", "store", 0, 300.0), ("phone", "phone", 0, 20.0), ("email", "email", 1, 4 * 3600.0),
            ("chat", "chat", 0, 40.0), ("twitter", "social", 0, 3600.0), ("whatsapp", "messaging", 0, 1200.0)]
ITEMS = 20


def build(n_contacts: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Synthetic contacts, answers and criteria in the frame contract (docs/scoring.md)."""
    rng = np.random.default_rng(seed)
    k = np.arange(ITEMS)
    scale = k % 4 == 0
    criteria = pd.DataFrame({
        "criterion_id": k + 1, "version_id": 1, "code": [f"C{i + 1}" for i in k],
        "section": [f"S{i // 5 + 1}" for i in k], "weight": rng.integers(1, 4, ITEMS).astype(float),
        "kind": np.where(scale, "scale", "yesno"), "scale_min": np.where(scale, 1.0, np.nan),
        "scale_max": np.where(scale, 5.0, np.nan), "na_allowed": True,
        "critical_policy": ["zero_section", "zero_contact", "flag_fail"] + ["none"] * (ITEMS - 3),
        "bonus": k == ITEMS - 1, "channels": [()] * (ITEMS - 2) + [("email",), ("phone", "chat")],
    })
    channel = rng.integers(0, len(CHANNELS), n_contacts)
    names, kinds, business, targets = (np.array(col, dtype=object) for col in zip(*CHANNELS, strict=True))
    start = pd.Timestamp("2026-01-05", tz="UTC").value // 10**3 + rng.integers(0, 60 * 86_400 * 10**6, n_contacts)
    targets = targets.astype(float)[channel]
    answered = rng.random(n_contacts) < 0.8
    first = np.where(answered, start + (rng.exponential(targets) * 10**6).astype(np.int64), np.iinfo(np.int64).min)
    resolved = np.where(answered & (rng.random(n_contacts) < 0.9),
                        first + rng.integers(0, 86_400 * 10**6, n_contacts), np.iinfo(np.int64).min)

    def stamps(micros):
        return pd.Series(np.asarray(micros, dtype=np.int64).view("datetime64[us]")).dt.tz_localize("UTC")

    contacts = pd.DataFrame({
        "contact_id": np.arange(1, n_contacts + 1, dtype=np.int64),
        "brand": pd.Categorical(np.array(["Koopklik", "Fietsfabriek", "Belbanken", "Snelpost"])[
            rng.integers(0, 4, n_contacts)]),
        "location": None, "journey": np.array(["Parcel", "Return", "Invoice", "Warranty", "Opening hours"])[
            rng.integers(0, 5, n_contacts)],
        "version_id": np.int64(1), "wave": np.array(["2026-Q1", "2026-Q2"])[rng.integers(0, 2, n_contacts)],
        "channel": names[channel], "channel_kind": kinds[channel], "auditor": None,
        "started_at": stamps(start), "acknowledged_at": stamps(np.full(n_contacts, np.iinfo(np.int64).min)),
        "first_response_at": stamps(first), "resolved_at": stamps(resolved),
        "due_at": stamps(np.full(n_contacts, np.iinfo(np.int64).min)),
        "wait_seconds": np.nan, "transfers": np.nan,
        "redirected_to": np.where(rng.random(n_contacts) < 0.05, "phone", None),
        "answer_correct": pd.array(np.where(rng.random(n_contacts) < 0.7, True, False), dtype="boolean"),
        "first_response_target_s": targets, "resolution_target_s": 3 * targets + 8 * 3600.0,
        "business_hours": business.astype(bool)[channel],
    })
    n_answers = n_contacts * ITEMS
    item = np.tile(k, n_contacts)
    value = np.where(np.tile(scale, n_contacts), rng.integers(1, 6, n_answers), rng.random(n_answers) < 0.85)
    is_na = rng.random(n_answers) < 0.05
    answers = pd.DataFrame({
        "contact_id": np.repeat(contacts["contact_id"].to_numpy(), ITEMS), "criterion_id": item + 1,
        "value": np.where(is_na, np.nan, value.astype(float)), "is_na": is_na,
    })
    return contacts, answers, criteria


def timed(function, repeat: int) -> dict:
    """Cold (first) run, then ``repeat`` warm runs: seconds as cold / median / best."""
    started = time.perf_counter()
    result = function()
    cold = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return {"cold": cold, "median": statistics.median(runs), "best": min(runs), "result": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", type=float, default=3.0, help="seconds allowed for scoring (median run)")
    parser.add_argument("--no-extras", action="store_true", help="time only the score and the floor")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()

    began = time.perf_counter()
    contacts, answers, criteria = build(args.contacts, args.seed)
    build_s = time.perf_counter() - began
    as_of = contacts["started_at"].max() + pd.Timedelta(days=1)

    measures = {
        "floor: answers.groupby(contact_id).value.mean()":
            timed(lambda: answers.groupby("contact_id")["value"].mean(), args.repeat),
        "score_contacts (quality 0-100, knock-outs, bands)":
            timed(lambda: score_contacts(contacts, answers, criteria), args.repeat),
    }
    if not args.no_extras:
        scores = measures["score_contacts (quality 0-100, knock-outs, bands)"]["result"]
        scored = contacts.join(scores, on="contact_id")
        measures["timeliness (business clock, deadlines)"] = timed(lambda: timeliness(contacts, as_of), args.repeat)
        measures["channel_metrics by brand x channel"] = timed(
            lambda: channel_metrics(scored, by=["brand", "channel"], as_of=as_of), args.repeat)
        measures["consistency by brand"] = timed(lambda: consistency(scored, as_of, by=["brand"]), args.repeat)
        measures["consistency by brand + criterion spread"] = timed(
            lambda: consistency(scored, as_of, by=["brand"], answers=answers, criteria=criteria), args.repeat)

    n_answers = len(answers)
    print(f"synthetic data: {args.contacts:,} contacts x {ITEMS} answers = {n_answers:,} answer rows "
          f"(built in {build_s:.1f} s, seed {args.seed})")
    print(f"{'measure':<56}{'median s':>10}{'best s':>9}{'cold s':>9}{'answers/s':>14}")
    for label, m in measures.items():
        print(f"{label:<56}{m['median']:>10.2f}{m['best']:>9.2f}{m['cold']:>9.2f}{n_answers / m['median']:>14,.0f}")
    score = measures["score_contacts (quality 0-100, knock-outs, bands)"]
    floor = measures["floor: answers.groupby(contact_id).value.mean()"]
    print(f"score / floor: {score['median'] / floor['median']:.1f}x the plain groupby mean")
    met = score["median"] < args.target
    print(f"target: scoring {args.contacts:,} contacts under {args.target:g} s -> {'met' if met else 'NOT met'}")
    if args.json:
        figures = {label: {k: v for k, v in m.items() if k != "result"} for label, m in measures.items()}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"contacts": args.contacts, "answers": n_answers, "repeat": args.repeat,
                                         "target_s": args.target, "target_met": met, "measures": figures}, indent=2))


if __name__ == "__main__":
    main()
