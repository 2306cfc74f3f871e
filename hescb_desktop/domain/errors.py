"""Errors the domain and services raise for users to read."""

from __future__ import annotations


class DomainError(Exception):
    """Something a user asked for that the rules refuse; the message is shown as it is."""


class ValidationError(DomainError):
    """Bad input: a missing field, a wrong value."""


class MarkingError(ValidationError):
    """A protective marking this app must not hold."""


class NotFoundError(DomainError):
    """No live record with that id or reference."""
