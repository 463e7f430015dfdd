"""Domain errors raised by services and mapped to messages by each interface."""


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is shown to the user as is."""


class EditConflict(DomainError):
    """Someone else saved the record after this user opened it: refuse rather than overwrite."""
