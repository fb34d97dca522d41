"""The users' words for the domain's codes (``journeys.wording``) in Dutch, and English unchanged."""

from journeys.language import use_language
from journeys.models import Role
from journeys.wording import (
    CRITICAL_POLICY_LABELS,
    answer_label,
    answer_word,
    change_action_label,
    change_column_labels,
    change_value_text,
    checklist_column_labels,
    counted,
    criterion_kind_label,
    critical_policy_help,
    critical_policy_label,
    critical_policy_labels,
    field_label,
    knockout_label,
    role_label,
    role_with_article,
    roles_in_words,
    yes_no,
)


def test_field_labels_in_dutch():
    with use_language("nl"):
        assert field_label("first_response_at") == "Eerste reactie"
        assert field_label("resolved_at") == "Opgelost"
        assert field_label("wave_id") == "Meetronde"
        assert field_label("item:GREET") == "Criterium GREET"
        assert field_label("some_new_field") == "Some new field"  # unknown: shown, never dropped
    assert field_label("first_response_at") == "First response"
    assert field_label("item:GREET") == "Criterion GREET"


def test_counted_in_dutch_plurals_and_grouping():
    with use_language("nl"):
        assert counted(1, "contact") == "1 contact"
        assert counted(2, "contact") == "2 contacten"
        assert counted(1234, "contact") == "1.234 contacten"
        assert counted(0, "row") == "0 rijen"
        assert counted(1, "row") == "1 rij"
        assert counted(3, "criterion") == "3 criteria"
        assert counted(2, "scored contact") == "2 gescoorde contacten"
    assert counted(1234, "contact") == "1,234 contacts"
    assert counted(2, "criterion") == "2 criteria"
    assert counted(2, "gizmo") == "2 gizmos"  # a noun it does not know keeps the English given


def test_roles_with_their_article_per_language():
    with use_language("nl"):
        assert role_with_article(Role.ADMIN) == "een beheerder"
        assert role_with_article(Role.AUDITOR) == "een auditor"
        assert role_label(Role.ADMIN) == "beheerder"
        assert roles_in_words([Role.ADMIN, Role.MANAGER]) == "managers en beheerders"
        assert roles_in_words(list(Role)) == "auditors, managers, beheerders, beoordelaars en gebruikers van de opdrachtgever"
        assert roles_in_words([Role.AUDITOR, Role.MANAGER, Role.ADMIN]) == "auditors, managers en beheerders"
        assert role_with_article(Role.CLIENT) == "een gebruiker van de opdrachtgever"
        assert roles_in_words([Role.REVIEWER, Role.MANAGER]) == "managers en beoordelaars"
    assert role_with_article(Role.ADMIN) == "an administrator"
    assert role_with_article(Role.MANAGER) == "a manager"
    assert roles_in_words([Role.ADMIN, Role.MANAGER]) == "managers and administrators"


def test_policies_kinds_answers_and_the_change_log_in_dutch():
    with use_language("nl"):
        assert critical_policy_label("none") == "Geen knock-out"
        assert critical_policy_label("zero_section") == "Onderdeel scoort 0"
        assert "onderdeel" in critical_policy_help("zero_section")
        assert list(critical_policy_labels()) == list(CRITICAL_POLICY_LABELS)
        assert knockout_label("flag_fail").startswith("gezakt op een knock-outcriterium")
        assert knockout_label("none") == ""
        assert criterion_kind_label("yesno") == "Ja / nee"
        assert criterion_kind_label("scale") == "Schaal"
        assert (answer_word("yes"), answer_word("no"), answer_word("na")) == ("Ja", "Nee", "N.v.t.")
        assert answer_label(1, False, "yesno") == "Ja"
        assert answer_label(3.5, False, "scale") == "3,5"
        assert answer_label(None, True, "scale") == "N.v.t."
        assert yes_no(True) == "ja" and yes_no(False) == "nee"
        assert change_value_text("answer_correct", "True") == "ja"
        assert change_value_text("wait_seconds", "26.5") == "26,5 s"
        assert change_action_label("update") == "Gewijzigd"
        assert change_column_labels()["field"] == "Veld"
        assert checklist_column_labels()["section"] == "Onderdeel"
        assert critical_policy_label("made_up") == "made_up"
    assert answer_label(3.5, False, "scale") == "3.5"
    assert change_value_text("wait_seconds", "26") == "26 s"
    assert change_value_text("answer_correct", "False") == "no"
    assert critical_policy_label("flag_fail") == "Contact fails, score kept"


def test_a_database_rule_refusal_reads_dutch():
    """A constraint the database enforces is explained in the user's language (data.constraints)."""
    import sqlalchemy as sa

    from data.constraints import explain

    class _Orig(Exception):
        pass

    refused = sa.exc.IntegrityError("INSERT", {}, _Orig("UNIQUE constraint failed: brand.name"))
    with use_language("nl"):
        assert str(explain(refused)) == "brand: er bestaat al een merk met deze naam"
    assert str(explain(refused)) == "brand: a brand with this name already exists"
