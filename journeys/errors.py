"""Errors the domain raises for input a user can correct.

    KlantreisError
    ├── ValidationError   one or more problems, each naming the field (and row), value and rule
    ├── NotFoundError     a named thing (brand, journey, user...) does not exist
    └── PermissionDenied  the signed-in user's role does not allow the action

Pages show these with ``st.error``; the CLI prints them and exits 1. Anything else is a bug.
"""

from dataclasses import dataclass

from journeys.language import _


class KlantreisError(Exception):
    """Base class of every error meant for the user rather than the developer."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (row, field), what was given, and what is allowed.

    ``field`` is the name a program checks (a form's field code, a file's column); ``label``, when
    given, is the field's name on screen and is what the message shows (a form says "First
    response", where an import names its file's ``first_response_at`` column)."""

    field: str
    value: object
    message: str
    row: int | None = None
    label: str | None = None

    def __str__(self) -> str:
        """The problem in the current language: "row 3, e-mail: must be ... (got 'x')".

        ``message`` (and ``label``) are translated by whoever raised the problem."""
        parts = {"row": self.row, "field": self.label or self.field, "message": self.message,
                 "value": repr(self.value)}
        if self.row is not None and self.value is not None:
            return _("row {row}, {field}: {message} (got {value})").format(**parts)
        if self.row is not None:
            return _("row {row}, {field}: {message}").format(**parts)
        if self.value is not None:
            return _("{field}: {message} (got {value})").format(**parts)
        return _("{field}: {message}").format(**parts)


class ValidationError(KlantreisError):
    """The input breaks one or more rules; ``problems`` lists every one, not only the first."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class NotFoundError(KlantreisError):
    """A thing referred to by name or id does not exist."""


class PermissionDenied(KlantreisError):
    """The user's role or ownership does not allow this action."""
