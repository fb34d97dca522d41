"""Turn a database constraint violation into a message a user can act on.

The schema guards the data (CHECK, UNIQUE, FOREIGN KEY); when one fires, the driver's text
differs between SQLite and PostgreSQL. Constraint names are deterministic (see the naming
convention in journeys.models), so both are mapped here to the field and the rule.
"""

import re

import sqlalchemy as sa

from journeys.errors import Problem
from journeys.language import N_, _

# constraint name → (field, what is allowed); the words are translated when a problem is made
MESSAGES: dict[str, tuple[str, str]] = {
    "uq_brand_name": ("brand", N_("a brand with this name already exists")),
    "uq_channel_name": ("channel", N_("a channel with this name already exists")),
    "uq_journey_name": ("journey", N_("a journey with this name already exists")),
    "uq_wave_name": ("wave", N_("a wave with this name already exists")),
    "uq_app_user_username": ("username", N_("this username is already taken")),
    "uq_location_brand_name": ("location", N_("this brand already has a location with this name")),
    "uq_criterion_version_code": ("code", N_("each criterion code may appear only once in a checklist")),
    "uq_checklist_version_journey_number": ("version", N_("this checklist version number already exists")),
    "uq_contact_brand_external_id": ("external_id", N_("this brand already has a contact with this external id")),
    "ck_channel_kind": ("kind", N_("must be one of store, phone, email, chat, social, messaging, webapp, other")),
    "ck_journey_status": ("status", N_("must be active or archived")),
    "ck_criterion_kind": ("kind", N_("must be yesno or scale")),
    "ck_criterion_critical_policy": ("critical_policy", N_("must be none, zero_section, zero_contact or flag_fail")),
    "ck_criterion_weight_not_negative": ("weight", N_("must be at least 0")),
    "ck_criterion_scale_range": ("scale_max", N_("a scale needs a minimum below its maximum")),
    "ck_criterion_bonus_not_critical": ("critical_policy", N_("a bonus item cannot be critical")),
    "ck_app_user_role": ("role", N_("must be auditor, manager or admin")),
    "ck_contact_acknowledged_after_start": ("acknowledged_at", N_("must not be before started_at")),
    "ck_contact_first_response_after_start": ("first_response_at", N_("must not be before started_at")),
    "ck_contact_resolved_after_start": ("resolved_at", N_("must not be before started_at")),
    "ck_contact_resolved_after_first_response": ("resolved_at", N_("must not be before first_response_at")),
    "ck_contact_wait_not_negative": ("wait_seconds", N_("must be at least 0")),
    "ck_contact_handling_not_negative": ("handling_seconds", N_("must be at least 0")),
    "ck_contact_transfers_not_negative": ("transfers", N_("must be at least 0")),
    "ck_answer_value_or_na": ("value", N_("give a value, or mark the item N/A — not both")),
    "ck_wave_ends_after_start": ("ends_on", N_("must not be before starts_on")),
    "ck_journey_channel_first_response_target_positive": ("first_response_target_seconds", N_("must be positive")),
    "ck_journey_channel_resolution_target_positive": ("resolution_target_seconds", N_("must be positive")),
    "ck_evidence_size_not_negative": ("size_bytes", N_("must be at least 0")),
    "ck_evidence_sha256_length": ("sha256", N_("must be 64 hexadecimal characters")),
}

# SQLite names UNIQUE failures by columns, not by constraint: "UNIQUE constraint failed: brand.name"
_SQLITE_UNIQUE = {
    "brand.name": "uq_brand_name", "channel.name": "uq_channel_name", "journey.name": "uq_journey_name",
    "wave.name": "uq_wave_name", "app_user.username": "uq_app_user_username",
    "location.brand_id, location.name": "uq_location_brand_name",
    "criterion.version_id, criterion.code": "uq_criterion_version_code",
    "checklist_version.journey_id, checklist_version.number": "uq_checklist_version_journey_number",
    "contact.brand_id, contact.external_id": "uq_contact_brand_external_id",
}


def constraint_name(exc: sa.exc.IntegrityError) -> str | None:
    text = str(exc.orig)
    quoted = re.search(r'constraint "([^"]+)"', text)  # PostgreSQL
    if quoted:
        return quoted.group(1)
    check = re.search(r"CHECK constraint failed: (\w+)", text)  # SQLite
    if check:
        return check.group(1)
    unique = re.search(r"UNIQUE constraint failed: (.+)$", text)
    if unique:
        return _SQLITE_UNIQUE.get(unique.group(1).strip())
    return None


def explain(exc: sa.exc.IntegrityError) -> Problem:
    """The field and rule behind a constraint violation (SQLite or PostgreSQL)."""
    name = constraint_name(exc)
    if name in MESSAGES:
        field, message = MESSAGES[name]
        return Problem(field, None, _(message))
    text = str(exc.orig).lower()
    if "foreign key" in text:
        return Problem("reference", None, _("refers to something that does not exist or is still in use"))
    if "not null" in text or "null value" in text:
        column = re.search(r'column "(\w+)"|NOT NULL constraint failed: \w+\.(\w+)', str(exc.orig))
        field = next((g for g in column.groups() if g), "value") if column else "value"
        return Problem(field, None, _("is required"))
    return Problem("record", None, _("breaks a database rule ({rule})").format(
        rule=name or str(exc.orig).splitlines()[0]))
