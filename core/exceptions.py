"""Domain errors raised by services and mapped to messages by each interface."""

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is shown to the user as is."""


class EditConflict(DomainError):
    """Someone else saved the record after this user opened it: refuse rather than overwrite."""


class EnteredInError(DomainError, ValidationError):
    """The record was marked entered in error: it is kept for the record and refuses every later write.

    A DomainError (the API answers 409 Conflict) and a ValidationError (a screen or an import shows it beside
    the form or the row, as any other refusal), so every interface already knows how to say it.
    """

    def __init__(self, message: str) -> None:
        ValidationError.__init__(self, message, code="entered_in_error")

    def __str__(self) -> str:
        return self.message
