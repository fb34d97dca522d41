"""Map a NYC 311 service-request extract to the Klantreis contact file format.

Usage:
    python docs/examples/nyc311_to_klantreis.py nyc311.csv contacts.csv

NYC Open Data's 311 export (one row per service request) maps like this:

    Unique Key              -> external_id
    Agency                  -> brand          (the organisation that answers: NYPD, HPD, DSNY, ...)
    Borough                 -> location
    Complaint Type          -> journey        (the question asked)
    Open Data Channel Type  -> channel        (phone, online, mobile, unknown, other)
    Created Date            -> started_at
    Closed Date             -> resolved_at    (left empty when it is before Created Date)
    Due Date                -> due_at         (left empty when it is before Created Date)
    Resolution Description  -> answer_text
    Descriptor              -> notes
    Status, Resolution Action Updated Date -> x:status, x:resolution_updated (ignored on import)

311 times are New York local time written as ``05/01/2022 12:00:03 AM``; they are written with
their UTC offset (``2022-05-01T00:00:03-04:00``) so no ``--timezone`` is needed on import.
311 has no separate first response, so ``first_response_at`` stays empty: the resolution counts
as the response (docs/scoring.md). The script prints the last timestamp in the file, the
natural ``--as-of`` for a report.
"""

import csv
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
HEADER = ["external_id", "brand", "location", "journey", "channel", "started_at", "resolved_at", "due_at",
          "answer_text", "notes", "x:status", "x:resolution_updated"]


def local_time(text: str) -> datetime | None:
    """A 311 timestamp (``MM/DD/YYYY hh:mm:ss AM``, New York time) as an aware datetime."""
    text = (text or "").strip()
    if not text:
        return None
    return datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=NEW_YORK)


def convert(source_path: str, target_path: str) -> dict:
    """Write the contact file; returns counts and the last timestamp seen."""
    stats = {"rows": 0, "closed_before_created": 0, "due_before_created": 0, "last": None}
    with open(source_path, newline="", encoding="utf-8-sig") as source, \
            open(target_path, "w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(HEADER)
        for row in csv.DictReader(source):
            created = local_time(row["Created Date"])
            closed = local_time(row["Closed Date"])
            due = local_time(row["Due Date"])
            if closed is not None and closed < created:
                stats["closed_before_created"] += 1
                closed = None
            if due is not None and due < created:
                stats["due_before_created"] += 1
                due = None
            for moment in (created, closed):
                if moment is not None and (stats["last"] is None or moment > stats["last"]):
                    stats["last"] = moment
            writer.writerow([
                row["Unique Key"], row["Agency"].strip() or "Unknown agency",
                (row["Borough"] or "").strip().title(), row["Complaint Type"].strip()[:120],
                (row["Open Data Channel Type"] or "unknown").strip().lower(),
                created.isoformat(), closed.isoformat() if closed else "", due.isoformat() if due else "",
                row["Resolution Description"], row["Descriptor"], row["Status"],
                row["Resolution Action Updated Date"],
            ])
            stats["rows"] += 1
    return stats


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    stats = convert(sys.argv[1], sys.argv[2])
    print(f"{stats['rows']:,} requests written to {sys.argv[2]}")
    print(f"closed before created (resolution left empty): {stats['closed_before_created']}")
    print(f"due before created (deadline left empty): {stats['due_before_created']}")
    if stats["last"] is not None:
        print(f"last timestamp in the file: {stats['last'].isoformat()}")


if __name__ == "__main__":
    main()
