"""The users' words for the domain's codes: what a person reads where the code stores a name.

One home for every such word, so the checklist editor, a contact's drill-down, the change
history and the error messages never show an internal code (``flag_fail``, ``first_response_at``,
``item:GREET``) and never name the same thing two ways. The pages, the CLI and the domain's own
error messages all read them from here.

Every word is in the current language (``journeys.language``): the tables below hold the English
messages, marked with ``N_`` for the catalog, and the functions translate them when called, so a
page or a command that sets its language first reads Dutch ("Eerste reactie", "een beheerder",
"2 contacten"). Index a table only for its codes or its English; for what a person reads, call
the function (``field_label``, ``critical_policy_label``, ``critical_policy_help``,
``criterion_kind_label``, ``answer_word``, ``checklist_column_labels``,
``change_column_labels``, ``change_action_label``, ``role_label``, ...).

- ``CRITICAL_POLICY_LABELS`` / ``CRITICAL_POLICY_HELP``: what a failed critical criterion does,
  in a few words and in a sentence (the editor shows the sentence where the policy is chosen);
  ``critical_policy_label`` and ``critical_policy_help`` translate them.
- ``KNOCKOUT_LABELS``: the knock-out that struck a scored contact (``scoring.quality``'s
  ``knockout`` column), as shown next to its score; ``"none"`` reads as nothing at all.
- ``CONTACT_FIELD_LABELS`` and ``field_label``: a contact's fields by their name on screen, also
  the ``item:CODE`` entries of the change history.
- ``CRITERION_KIND_LABELS``: yes/no or a scale (``criterion_kind_label``, ``criterion_kind_labels``).
- ``ANSWER_LABELS``, ``answer_word`` and ``answer_label``: a checklist answer (Yes, No, N/A, a
  point on a scale); ``yes_no``: a stored true/false as "yes" or "no".
- ``CHECKLIST_COLUMN_LABELS`` (``checklist_column_labels``): the columns of a contact's
  checklist answers in its drill-down.
- ``CHANGE_ACTION_LABELS``, ``CHANGE_COLUMN_LABELS`` (``change_action_label``,
  ``change_column_labels``) and ``change_value_text``: a contact's change history, its stored
  values (ISO times in UTC, ``True``, seconds) as a person reads them, times in local time
  (``journeys.local_time``).
- ``ROLE_LABELS`` / ``ROLE_PLURALS``, ``role_label``, ``role_with_article`` and
  ``roles_in_words``: the roles as a refusal names them ("The page 'Users' is for
  administrators; you are signed in as a manager."). The article is part of each role's
  message ("an auditor", Dutch "een auditor"), never computed from the word.
- ``TIME_SLOT_LABELS`` (``time_slot_label``, ``time_slot_labels``): when a planned contact is to
  be made (any time, office hours, after hours, weekend).
- ``ASSIGNMENT_STATUS_LABELS`` (``assignment_status_label``): a planned contact's state on a work
  list and in the progress figures (to do, due soon, overdue, started, done).
- ``REVIEW_STATUS_LABELS`` (``review_status_label``), ``APPEAL_STATUS_LABELS``
  (``appeal_status_label``) and ``REVIEW_ACTION_LABELS`` (``review_action_label``): a contact's
  way to the client, an appeal's state and the steps of the audit trail.
- ``counted``: a count with its noun in the right number ("1 row", "2 rows"; "1 contact",
  "2 contacten"), through ``ngettext`` for the nouns it knows.
"""

import re
from datetime import datetime

from journeys.language import N_, _, ngettext, number, plain_number
from journeys.local_time import DATED_SECOND, local_text
from journeys.models import AppealStatus, CriterionKind, CriticalPolicy, ReviewAction, ReviewStatus, Role

CRITICAL_POLICY_LABELS: dict[str, str] = {
    CriticalPolicy.NONE: N_("No knock-out"),
    CriticalPolicy.ZERO_SECTION: N_("Section scores 0"),
    CriticalPolicy.ZERO_CONTACT: N_("Contact scores 0"),
    CriticalPolicy.FLAG_FAIL: N_("Contact fails, score kept"),
}

CRITICAL_POLICY_HELP: dict[str, str] = {
    CriticalPolicy.NONE: N_("A failed answer only loses this criterion's points."),
    CriticalPolicy.ZERO_SECTION: N_("A failed answer sets the score of its whole section to 0; "
                                    "the other sections count as usual."),
    CriticalPolicy.ZERO_CONTACT: N_("A failed answer sets the whole contact's score to 0, and the contact fails."),
    CriticalPolicy.FLAG_FAIL: N_("A failed answer makes the contact fail, but its score stays as earned, "
                                 "so the score still shows how the rest went."),
}

# The knock-out that struck, next to a score (the most severe one when several did).
KNOCKOUT_LABELS: dict[str, str] = {
    "none": "",
    CriticalPolicy.ZERO_SECTION: N_("a critical criterion set its section to 0"),
    CriticalPolicy.ZERO_CONTACT: N_("a critical criterion set the score to 0"),
    CriticalPolicy.FLAG_FAIL: N_("failed on a critical criterion (score kept)"),
}

CRITERION_KIND_LABELS: dict[str, str] = {
    CriterionKind.YESNO: N_("Yes / no"),
    CriterionKind.SCALE: N_("Scale"),
}

CONTACT_FIELD_LABELS: dict[str, str] = {
    "started_at": N_("Start"),
    "acknowledged_at": N_("Acknowledged"),
    "first_response_at": N_("First response"),
    "resolved_at": N_("Resolved"),
    "due_at": N_("Due"),
    "wait_seconds": N_("Waiting time"),
    "handling_seconds": N_("Handling time"),
    "transfers": N_("Transfers"),
    "redirected_to_channel_id": N_("Redirected to"),
    "redirected_to": N_("Redirected to"),
    "answer_text": N_("Answer received"),
    "answer_correct": N_("Answer correct"),
    "notes": N_("Notes"),
    "external_id": N_("External id"),
    "wave_id": N_("Wave"),
    "wave": N_("Wave"),
    "brand_id": N_("Brand"),
    "location_id": N_("Location"),
    "journey_id": N_("Journey"),
    "channel_id": N_("Channel"),
    "auditor_id": N_("Auditor"),
    "is_draft": N_("Draft"),
    "checklist_version_id": N_("Checklist version"),
    "evidence": N_("Evidence"),
    "contact": N_("Contact"),
}

ITEM_FIELD_PREFIX = "item:"


def _words(message: str) -> str:
    """A marked message in the current language; "" stays "" (gettext's "" is the catalog's header)."""
    return _(message) if message else ""


def field_label(name: str) -> str:
    """A contact field's name on screen: ``first_response_at`` → "First response" ("Eerste
    reactie"), ``item:GREET`` → "Criterion GREET"; an unknown name is shown as it is, never dropped."""
    if name.startswith(ITEM_FIELD_PREFIX):
        return _("Criterion {code}").format(code=name[len(ITEM_FIELD_PREFIX):].strip())
    if name in CONTACT_FIELD_LABELS:
        return _(CONTACT_FIELD_LABELS[name])
    return name.replace("_", " ").capitalize()


def critical_policy_label(policy: str) -> str:
    """A critical policy in words; an unknown code is shown as it is."""
    return _(CRITICAL_POLICY_LABELS[policy]) if policy in CRITICAL_POLICY_LABELS else policy


def critical_policy_help(policy: str) -> str:
    """What a critical policy does, in a sentence; "" for an unknown code."""
    return _(CRITICAL_POLICY_HELP[policy]) if policy in CRITICAL_POLICY_HELP else ""


def critical_policy_labels() -> dict[str, str]:
    """Every critical policy's code → its label in the current language (the editor's options)."""
    return {code: _(label) for code, label in CRITICAL_POLICY_LABELS.items()}


def knockout_label(knockout: str | None) -> str:
    """The knock-out next to a score, or "" when none struck."""
    if not knockout:
        return ""
    return _words(KNOCKOUT_LABELS[knockout]) if knockout in KNOCKOUT_LABELS else knockout


# A checklist answer as the assessment offers it and the drill-down shows it.
ANSWER_LABELS: dict[str, str] = {"yes": N_("Yes"), "no": N_("No"), "na": N_("N/A")}


def answer_word(key: str) -> str:
    """``"yes"``, ``"no"`` or ``"na"`` as the checklist offers it: "Yes" / "No" / "N/A"
    ("Ja" / "Nee" / "N.v.t.")."""
    return _(ANSWER_LABELS[key])


def _point(value: float) -> str:
    """A point on a scale or a number of seconds as the language writes it, without trailing
    zeros or grouping: "4", "3.5" / "3,5"."""
    return plain_number(value)


def answer_label(value: float | None, is_na: bool, kind: str) -> str:
    """A stored answer in words: "Yes" / "No" (a yes/no criterion's 1 / 0), the point on a
    scale ("4"), "N/A"; "–" when not answered."""
    if is_na:
        return answer_word("na")
    if value is None or value != value:  # None or NaN: not answered
        return "–"
    if kind == CriterionKind.YESNO and value in (0, 1):
        return answer_word("yes" if value == 1 else "no")
    return _point(value)


def yes_no(value: bool) -> str:
    """A true/false as a person reads it: "yes" or "no" ("ja" / "nee")."""
    return _("yes") if value else _("no")


# The drill-down's checklist columns, by the column of ``scoring.quality.answer_scores`` they show.
CHECKLIST_COLUMN_LABELS: dict[str, str] = {
    "criterion": N_("Criterion"),
    "section": N_("Section"),
    "value": N_("Answer"),
    "is_na": N_("N/A"),
    "item_score": N_("Points"),
    "critical_failed": N_("Critical failed"),
    "comment": N_("Comment"),
}


def checklist_column_labels() -> dict[str, str]:
    """``CHECKLIST_COLUMN_LABELS`` in the current language (column → header)."""
    return {column: _(label) for column, label in CHECKLIST_COLUMN_LABELS.items()}


# The change log's actions and columns.
CHANGE_ACTION_LABELS: dict[str, str] = {"create": N_("Created"), "update": N_("Changed"), "delete": N_("Removed")}
CHANGE_COLUMN_LABELS: dict[str, str] = {
    "changed_at": N_("When"), "user": N_("By"), "field": N_("Field"), "old_value": N_("Before"),
    "new_value": N_("After"), "action": N_("Change"),
}


def change_action_label(action: str) -> str:
    """A change log's action in words ("Changed" / "Gewijzigd"); an unknown code as it is."""
    return _(CHANGE_ACTION_LABELS[action]) if action in CHANGE_ACTION_LABELS else action


def change_column_labels() -> dict[str, str]:
    """``CHANGE_COLUMN_LABELS`` in the current language (column → header)."""
    return {column: _(label) for column, label in CHANGE_COLUMN_LABELS.items()}


SECONDS_FIELDS = ("wait_seconds", "handling_seconds")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_TRUE_FALSE = {"True": True, "False": False}


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
        return yes_no(_TRUE_FALSE[value])
    if field in SECONDS_FIELDS:
        try:
            seconds = float(value)
        except ValueError:
            return value
        return _("{seconds} s").format(seconds=_point(seconds))
    return value


def criterion_kind_label(kind: str) -> str:
    """A criterion's kind in words (yes/no or a scale); an unknown code is shown as it is."""
    return _(CRITERION_KIND_LABELS[kind]) if kind in CRITERION_KIND_LABELS else kind


def criterion_kind_labels() -> dict[str, str]:
    """Every criterion kind's code → its label in the current language (the editor's options)."""
    return {code: _(label) for code, label in CRITERION_KIND_LABELS.items()}


# A role as a person reads it ("you are signed in as a manager"), and the roles a page is for.
ROLE_LABELS: dict[str, str] = {
    Role.AUDITOR: N_("auditor"),
    Role.MANAGER: N_("manager"),
    Role.ADMIN: N_("administrator"),
    Role.REVIEWER: N_("reviewer"),
    Role.CLIENT: N_("client user"),
}
ROLE_PLURALS: dict[str, str] = {
    Role.AUDITOR: N_("auditors"),
    Role.MANAGER: N_("managers"),
    Role.ADMIN: N_("administrators"),
    Role.REVIEWER: N_("reviewers"),
    Role.CLIENT: N_("client users"),
}
# The article belongs to each language's word ("an administrator", "een beheerder").
ROLE_WITH_ARTICLE: dict[str, str] = {
    Role.AUDITOR: N_("an auditor"),
    Role.MANAGER: N_("a manager"),
    Role.ADMIN: N_("an administrator"),
    Role.REVIEWER: N_("a reviewer"),
    Role.CLIENT: N_("a client user"),
}


def role_label(role: str) -> str:
    """A role in a word: ``admin`` → "administrator" ("beheerder"); an unknown code as it is."""
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def role_with_article(role: str) -> str:
    """``manager`` → "a manager", ``auditor`` → "an auditor", ``admin`` → "an administrator"
    (Dutch: "een manager", "een auditor", "een beheerder")."""
    if role in ROLE_WITH_ARTICLE:
        return _(ROLE_WITH_ARTICLE[role])
    return _("a {role}").format(role=role)


def roles_in_words(roles) -> str:
    """The roles a thing is for, in the order auditor, manager, administrator: "managers and
    administrators" ("managers en beheerders")."""
    names = [_(ROLE_PLURALS[r]) for r in Role if r in set(roles)]
    if len(names) == 1:
        return names[0]
    return _("{items} and {last}").format(items=", ".join(names[:-1]), last=names[-1])


# The nouns ``counted`` knows, each as its own plural message so every language gets its forms.
_COUNTED = {
    "row": lambda n: ngettext("{n} row", "{n} rows", n),
    "contact": lambda n: ngettext("{n} contact", "{n} contacts", n),
    "scored contact": lambda n: ngettext("{n} scored contact", "{n} scored contacts", n),
    "answer": lambda n: ngettext("{n} answer", "{n} answers", n),
    "checklist answer": lambda n: ngettext("{n} checklist answer", "{n} checklist answers", n),
    "field and answer change": lambda n: ngettext("{n} field and answer change",
                                                  "{n} field and answer changes", n),
    "cell": lambda n: ngettext("{n} cell", "{n} cells", n),
    "brand": lambda n: ngettext("{n} brand", "{n} brands", n),
    "location": lambda n: ngettext("{n} location", "{n} locations", n),
    "journey": lambda n: ngettext("{n} journey", "{n} journeys", n),
    "journey channel": lambda n: ngettext("{n} journey channel", "{n} journey channels", n),
    "channel": lambda n: ngettext("{n} channel", "{n} channels", n),
    "auditor": lambda n: ngettext("{n} auditor", "{n} auditors", n),
    "wave": lambda n: ngettext("{n} wave", "{n} waves", n),
    "criterion": lambda n: ngettext("{n} criterion", "{n} criteria", n),
    "section": lambda n: ngettext("{n} section", "{n} sections", n),
    "user": lambda n: ngettext("{n} user", "{n} users", n),
    "version": lambda n: ngettext("{n} version", "{n} versions", n),
}


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``0 rows``: a count with its noun in the right number, in the
    current language for the nouns ``_COUNTED`` knows ("2 contacten"), the number as the
    language writes it ("1.234"). Another noun keeps the English given (``plural`` or
    ``singular`` + "s"); new code calls ``ngettext`` with its own sentence instead."""
    forms = _COUNTED.get(singular)
    if forms is not None:
        return forms(count).format(n=number(count))
    return f"{number(count)} {singular if count == 1 else (plural or singular + 's')}"


TIME_SLOT_LABELS: dict[str, str] = {
    "any": N_("Any time"),
    "office_hours": N_("Office hours"),
    "after_hours": N_("After hours"),
    "weekend": N_("Weekend"),
}


def time_slot_label(slot: str) -> str:
    """A time slot (``journeys.models.TimeSlot``) in words; an unknown code is shown as it is."""
    return _(TIME_SLOT_LABELS[slot]) if slot in TIME_SLOT_LABELS else slot


def time_slot_labels() -> dict[str, str]:
    """Every time slot's code → its label in the current language (a form's options)."""
    return {code: _(label) for code, label in TIME_SLOT_LABELS.items()}


ASSIGNMENT_STATUS_LABELS: dict[str, str] = {
    "unassigned": N_("Not assigned"),
    "to_do": N_("To do"),
    "due_soon": N_("Due soon"),
    "overdue": N_("Overdue"),
    "started": N_("Started"),
    "done": N_("Done"),
}


def assignment_status_label(status: str) -> str:
    """A planned contact's status in words; an unknown code is shown as it is."""
    return _(ASSIGNMENT_STATUS_LABELS[status]) if status in ASSIGNMENT_STATUS_LABELS else status


REVIEW_STATUS_LABELS: dict[str, str] = {
    ReviewStatus.OPEN: N_("Being logged"),
    ReviewStatus.SUBMITTED: N_("Submitted for review"),
    ReviewStatus.RETURNED: N_("Returned for revision"),
    ReviewStatus.APPROVED: N_("Approved, not yet released"),
    ReviewStatus.RELEASED: N_("Released"),
}


def review_status_label(status: str) -> str:
    """A contact's review status (``journeys.models.ReviewStatus``) in words."""
    return _(REVIEW_STATUS_LABELS[status]) if status in REVIEW_STATUS_LABELS else status


APPEAL_STATUS_LABELS: dict[str, str] = {
    AppealStatus.OPEN: N_("Open"),
    AppealStatus.WAITING_CLIENT: N_("Waiting for the client"),
    AppealStatus.UPHELD: N_("Decided: upheld"),
    AppealStatus.REJECTED: N_("Decided: rejected"),
}


def appeal_status_label(status: str) -> str:
    """An appeal's status (``journeys.models.AppealStatus``) in words."""
    return _(APPEAL_STATUS_LABELS[status]) if status in APPEAL_STATUS_LABELS else status


REVIEW_ACTION_LABELS: dict[str, str] = {
    ReviewAction.SUBMITTED: N_("Submitted for review"),
    ReviewAction.RETURNED: N_("Returned for revision"),
    ReviewAction.APPROVED: N_("Approved"),
    ReviewAction.RELEASED: N_("Released to the client"),
    ReviewAction.CORRECTED: N_("Corrected by a reviewer"),
    ReviewAction.APPEALED: N_("Appealed by the client"),
    ReviewAction.APPEAL_QUERIED: N_("Appeal: question to the client"),
    ReviewAction.APPEAL_ANSWERED: N_("Appeal: the client answered"),
    ReviewAction.APPEAL_UPHELD: N_("Appeal upheld"),
    ReviewAction.APPEAL_REJECTED: N_("Appeal rejected"),
}


def review_action_label(action: str) -> str:
    """A step of the audit trail (``journeys.models.ReviewAction``) in words."""
    return _(REVIEW_ACTION_LABELS[action]) if action in REVIEW_ACTION_LABELS else action
