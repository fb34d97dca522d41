"""The users' words for the domain's codes: what a person reads where the code stores a name.

One home for every such word, so the checklist editor, a contact's drill-down, the change
history and the error messages never show an internal code (``flag_fail``, ``first_response_at``,
``item:GREET``) and never name the same thing two ways. The pages, the CLI and the domain's own
error messages all read them from here.

- ``CRITICAL_POLICY_LABELS`` / ``CRITICAL_POLICY_HELP``: what a failed critical criterion does,
  in a few words and in a sentence (the editor shows the sentence where the policy is chosen).
- ``KNOCKOUT_LABELS``: the knock-out that struck a scored contact (``scoring.quality``'s
  ``knockout`` column), as shown next to its score; ``"none"`` reads as nothing at all.
- ``CONTACT_FIELD_LABELS`` and ``field_label``: a contact's fields by their name on screen, also
  the ``item:CODE`` entries of the change history.
- ``CRITERION_KIND_LABELS``: yes/no or a scale.
- ``ANSWER_LABELS`` and ``answer_label``: a checklist answer (Yes, No, N/A, a point on a scale);
  ``yes_no``: a stored true/false as "yes" or "no".
- ``CHECKLIST_COLUMN_LABELS``: the columns of a contact's checklist answers in its drill-down.
- ``CHANGE_ACTION_LABELS``, ``CHANGE_COLUMN_LABELS`` and ``change_value_text``: a contact's
  change history, its stored values (ISO times in UTC, ``True``, seconds) as a person reads
  them, times in local time (``journeys.local_time``).
- ``ROLE_LABELS`` / ``ROLE_PLURALS``, ``role_with_article`` and ``roles_in_words``: the roles as a
  refusal names them ("The page 'Users' is for administrators; you are signed in as a manager.").
- ``counted``: a count with its noun in the right number ("1 row", "2 rows").
"""

import re
from datetime import datetime

from journeys.local_time import DATED_SECOND, local_text
from journeys.models import CriterionKind, CriticalPolicy, Role

CRITICAL_POLICY_LABELS: dict[str, str] = {
    CriticalPolicy.NONE: "No knock-out",
    CriticalPolicy.ZERO_SECTION: "Section scores 0",
    CriticalPolicy.ZERO_CONTACT: "Contact scores 0",
    CriticalPolicy.FLAG_FAIL: "Contact fails, score kept",
}

CRITICAL_POLICY_HELP: dict[str, str] = {
    CriticalPolicy.NONE: "A failed answer only loses this criterion's points.",
    CriticalPolicy.ZERO_SECTION: "A failed answer sets the score of its whole section to 0; "
                                 "the other sections count as usual.",
    CriticalPolicy.ZERO_CONTACT: "A failed answer sets the whole contact's score to 0, and the contact fails.",
    CriticalPolicy.FLAG_FAIL: "A failed answer makes the contact fail, but its score stays as earned, "
                              "so the score still shows how the rest went.",
}

# The knock-out that struck, next to a score (the most severe one when several did).
KNOCKOUT_LABELS: dict[str, str] = {
    "none": "",
    CriticalPolicy.ZERO_SECTION: "a critical criterion set its section to 0",
    CriticalPolicy.ZERO_CONTACT: "a critical criterion set the score to 0",
    CriticalPolicy.FLAG_FAIL: "failed on a critical criterion (score kept)",
}

CRITERION_KIND_LABELS: dict[str, str] = {
    CriterionKind.YESNO: "Yes / no",
    CriterionKind.SCALE: "Scale",
}

CONTACT_FIELD_LABELS: dict[str, str] = {
    "started_at": "Start",
    "acknowledged_at": "Acknowledged",
    "first_response_at": "First response",
    "resolved_at": "Resolved",
    "due_at": "Due",
    "wait_seconds": "Waiting time",
    "handling_seconds": "Handling time",
    "transfers": "Transfers",
    "redirected_to_channel_id": "Redirected to",
    "redirected_to": "Redirected to",
    "answer_text": "Answer received",
    "answer_correct": "Answer correct",
    "notes": "Notes",
    "external_id": "External id",
    "wave_id": "Wave",
    "wave": "Wave",
    "brand_id": "Brand",
    "location_id": "Location",
    "journey_id": "Journey",
    "channel_id": "Channel",
    "auditor_id": "Auditor",
    "is_draft": "Draft",
    "checklist_version_id": "Checklist version",
    "evidence": "Evidence",
    "contact": "Contact",
}

ITEM_FIELD_PREFIX = "item:"


def field_label(name: str) -> str:
    """A contact field's name on screen: ``first_response_at`` → "First response",
    ``item:GREET`` → "Criterion GREET"; an unknown name is shown as it is, never dropped."""
    if name.startswith(ITEM_FIELD_PREFIX):
        return f"Criterion {name[len(ITEM_FIELD_PREFIX):].strip()}"
    return CONTACT_FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def critical_policy_label(policy: str) -> str:
    """A critical policy in words; an unknown code is shown as it is."""
    return CRITICAL_POLICY_LABELS.get(policy, policy)


def knockout_label(knockout: str | None) -> str:
    """The knock-out next to a score, or "" when none struck."""
    if not knockout:
        return ""
    return KNOCKOUT_LABELS.get(knockout, knockout)


# A checklist answer as the assessment offers it and the drill-down shows it.
ANSWER_LABELS: dict[str, str] = {"yes": "Yes", "no": "No", "na": "N/A"}


def answer_label(value: float | None, is_na: bool, kind: str) -> str:
    """A stored answer in words: "Yes" / "No" (a yes/no criterion's 1 / 0), the point on a
    scale ("4"), "N/A"; "–" when not answered."""
    if is_na:
        return ANSWER_LABELS["na"]
    if value is None or value != value:  # None or NaN: not answered
        return "–"
    if kind == CriterionKind.YESNO and value in (0, 1):
        return ANSWER_LABELS["yes" if value == 1 else "no"]
    return f"{value:g}"


def yes_no(value: bool) -> str:
    """A true/false as a person reads it: "yes" or "no"."""
    return "yes" if value else "no"


# The drill-down's checklist columns, by the column of ``scoring.quality.answer_scores`` they show.
CHECKLIST_COLUMN_LABELS: dict[str, str] = {
    "criterion": "Criterion",
    "section": "Section",
    "value": "Answer",
    "is_na": "N/A",
    "item_score": "Points",
    "critical_failed": "Critical failed",
    "comment": "Comment",
}

# The change log's actions and columns.
CHANGE_ACTION_LABELS: dict[str, str] = {"create": "Created", "update": "Changed", "delete": "Removed"}
CHANGE_COLUMN_LABELS: dict[str, str] = {
    "changed_at": "When", "user": "By", "field": "Field", "old_value": "Before", "new_value": "After",
    "action": "Change",
}
SECONDS_FIELDS = ("wait_seconds", "handling_seconds")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_TRUE_FALSE = {"True": "yes", "False": "no"}


def change_value_text(field: str, value: str | None) -> str:
    """A value of the change log as a person reads it: a stored time (ISO, with its offset) in
    local time ("Tue 01 Dec 2026 19:40:00"), ``True`` / ``False`` as yes / no, seconds as
    "26 s"; "–" for no value. Anything else (a name, a note) is shown as it is."""
    if value is None:
        return "–"
    if _ISO_TIME.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        # a time without an offset is a wall-clock time as typed (an import's cell): shown as it is
        return value if moment.tzinfo is None else local_text(moment, DATED_SECOND)
    if value in _TRUE_FALSE:
        return _TRUE_FALSE[value]
    if field in SECONDS_FIELDS:
        try:
            return f"{float(value):g} s"
        except ValueError:
            return value
    return value


def criterion_kind_label(kind: str) -> str:
    """A criterion's kind in words (yes/no or a scale); an unknown code is shown as it is."""
    return CRITERION_KIND_LABELS.get(kind, kind)


# A role as a person reads it ("you are signed in as a manager"), and the roles a page is for.
ROLE_LABELS: dict[str, str] = {
    Role.AUDITOR: "auditor",
    Role.MANAGER: "manager",
    Role.ADMIN: "administrator",
}
ROLE_PLURALS: dict[str, str] = {
    Role.AUDITOR: "auditors",
    Role.MANAGER: "managers",
    Role.ADMIN: "administrators",
}


def role_with_article(role: str) -> str:
    """``manager`` → "a manager", ``auditor`` → "an auditor", ``admin`` → "an administrator"."""
    label = ROLE_LABELS.get(role, role)
    return f"{'an' if label[:1] in 'aeiou' else 'a'} {label}"


def roles_in_words(roles) -> str:
    """The roles a thing is for, in the order auditor, manager, administrator: "managers and administrators"."""
    names = [ROLE_PLURALS[r] for r in Role if r in set(roles)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``0 rows``: a count with its noun in the right number."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"
