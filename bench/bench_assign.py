"""Benchmark: automatic assignment of a wave against a plain round-robin (the floor) in the same run.

Run: .venv/bin/python bench/bench_assign.py [--items 10000] [--auditors 50] [--locations 500]
[--lockout-waves 2] [--lockout-days 0] [--repeat 3] [--json PATH]

Builds a synthetic wave (seeded): ``--items`` planned contacts over ``--locations`` locations in
12 regions (one in twenty a brand-level contact without a location), on five channels (and one
in a hundred by SMS), due over a 13-week wave; ``--auditors`` auditors with varied channels (a
third do the five, the last one every channel, SMS too), regions (a third work everywhere),
absences (up to three periods) and start loads; and a history of four earlier waves in which
every location was visited by one to three auditors. Then it times
``auto_assign`` (every rule, the balance and the reasons) beside ``round_robin`` (every item
handed out in turn, no rule looked at) on the same input: the least any assignment must pay.
Each is run once cold, then ``--repeat`` times; the table shows the median, the best and the
cold run, with the ratio of the medians, the share assigned, the reasons for what is left over
and the spread of the loads. Target (issue 17): well under a few seconds (``--target``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from journeys.fieldwork.assignment_rules import (  # noqa: E402
    AuditorFit,
    Lockout,
    PlannedItem,
    Visit,
    auto_assign,
    round_robin,
)

CHANNELS = ("store", "phone", "email", "webchat", "whatsapp")
RARE_CHANNEL = "sms"  # one planned contact in a hundred, done by one auditor only: some are left over
REGIONS = tuple(f"Region {n}" for n in range(1, 13))
WAVE_START = date(2027, 1, 4)
WAVE_DAYS = 91
EARLIER_WAVES = 4


def build(n_items: int, n_auditors: int, n_locations: int, seed: int):
    """Synthetic planned items, auditors and a history of earlier waves."""
    rng = random.Random(seed)
    region_of = {location: REGIONS[rng.randrange(len(REGIONS))] for location in range(1, n_locations + 1)}
    items = []
    for item_id in range(1, n_items + 1):
        location = None if rng.random() < 0.05 else rng.randint(1, n_locations)
        items.append(PlannedItem(
            id=item_id, location_id=location, region=region_of.get(location, ""),
            channel=RARE_CHANNEL if rng.random() < 0.01 else rng.choice(CHANNELS), due_on=WAVE_START + timedelta(days=rng.randrange(7, WAVE_DAYS)),
            starts_on=WAVE_START))
    auditors = []
    for auditor_id in range(1, n_auditors + 1):
        channels = frozenset(CHANNELS) if auditor_id % 3 == 0 else frozenset(rng.sample(CHANNELS, rng.randint(1, 3)))
        if auditor_id == n_auditors:
            channels = frozenset()  # the one auditor who does every channel, the rare one too
        regions = frozenset() if auditor_id % 3 == 1 else frozenset(rng.sample(REGIONS, rng.randint(1, 4)))
        absences = []
        for _ in range(rng.randint(0, 3)):
            first = WAVE_START + timedelta(days=rng.randrange(-10, WAVE_DAYS))
            absences.append((first, first + timedelta(days=rng.randint(1, 21))))
        auditors.append(AuditorFit(id=auditor_id, channels=channels, regions=regions, absences=tuple(absences),
                                   load=rng.randint(0, 5)))
    history = [Visit(auditor_id=rng.randint(1, n_auditors), location_id=location, wave_index=wave,
                     day=WAVE_START - timedelta(days=WAVE_DAYS * (EARLIER_WAVES - wave) - rng.randrange(WAVE_DAYS)))
               for wave in range(EARLIER_WAVES) for location in range(1, n_locations + 1)
               for _ in range(rng.randint(1, 3))]
    return items, auditors, history


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
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--auditors", type=int, default=50)
    parser.add_argument("--locations", type=int, default=500)
    parser.add_argument("--lockout-waves", type=int, default=2)
    parser.add_argument("--lockout-days", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", type=float, default=3.0, help="seconds allowed for auto_assign (median run)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()

    began = time.perf_counter()
    items, auditors, history = build(args.items, args.auditors, args.locations, args.seed)
    build_s = time.perf_counter() - began
    lockout = Lockout(waves=args.lockout_waves, days=args.lockout_days)

    floor_label = "floor: round_robin (no rules)"
    assign_label = f"auto_assign (lockout {lockout.waves} waves / {lockout.days} days)"
    measures = {
        floor_label: timed(lambda: round_robin(items, auditors), args.repeat),
        assign_label: timed(lambda: auto_assign(items, auditors, history=history, lockout=lockout,
                                                wave_index=EARLIER_WAVES), args.repeat),
    }
    proposal = measures[assign_label]["result"]
    share = len(proposal.assigned) / len(items) if items else 0.0
    reasons = Counter(str(reason) for reason in proposal.unassigned.values())
    start_load = {a.id: a.load for a in auditors}
    given = Counter(proposal.assigned.values())
    loads = [start_load[a.id] + given[a.id] for a in auditors]

    print(f"synthetic wave: {len(items):,} planned contacts, {len(auditors)} auditors, {args.locations:,} locations, "
          f"{len(history):,} earlier visits (built in {build_s:.2f} s, seed {args.seed})")
    print(f"{'measure':<48}{'median s':>10}{'best s':>9}{'cold s':>9}{'items/s':>12}")
    for label, m in measures.items():
        print(f"{label:<48}{m['median']:>10.3f}{m['best']:>9.3f}{m['cold']:>9.3f}{len(items) / m['median']:>12,.0f}")
    ratio = measures[assign_label]["median"] / measures[floor_label]["median"]
    print(f"auto_assign / floor: {ratio:.1f}x the plain round-robin")
    print(f"assigned: {len(proposal.assigned):,} of {len(items):,} ({share:.1%}); left over by reason: "
          + (", ".join(f"{reason} {n:,}" for reason, n in sorted(reasons.items())) or "none"))
    if loads:
        print(f"loads (start load + assigned) over {len(loads)} auditors: min {min(loads)}, "
              f"median {statistics.median(loads):g}, max {max(loads)}")
    met = measures[assign_label]["median"] < args.target
    print(f"target: auto-assigning {len(items):,} contacts under {args.target:g} s -> {'met' if met else 'NOT met'}")
    if args.json:
        figures = {label: {k: v for k, v in m.items() if k != "result"} for label, m in measures.items()}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "items": len(items), "auditors": len(auditors), "locations": args.locations, "history": len(history),
            "lockout": {"waves": lockout.waves, "days": lockout.days}, "repeat": args.repeat,
            "assigned": len(proposal.assigned), "assigned_share": share, "unassigned_by_reason": dict(reasons),
            "ratio_to_floor": ratio, "target_s": args.target, "target_met": met, "measures": figures}, indent=2))


if __name__ == "__main__":
    main()
