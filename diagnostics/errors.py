"""Exceptions the engine raises, each with a message a user can act on.

Only the command line turns them into exit statuses and only pages turn them into
on-screen messages; the engine itself never prints or exits.
"""


class DiagnosticError(Exception):
    """Base class: the message says what is wrong and how to fix it."""


class ContentError(DiagnosticError):
    """The content file is missing, malformed or inconsistent."""


class AnswerError(DiagnosticError):
    """Answers name unknown questions or use values outside the answer scale."""


class ImportFileError(DiagnosticError):
    """An uploaded or given spreadsheet cannot be read as a portfolio."""


class NotFoundError(DiagnosticError):
    """A token, code or id does not match anything saved."""


class AccessError(DiagnosticError):
    """The caller lacks the link, code or sign-in an action needs."""


class StorageError(DiagnosticError):
    """The database cannot be reached or refused the change."""
