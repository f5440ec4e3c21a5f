"""Domain exceptions shared by the services, the CLI and the pages."""

from __future__ import annotations


class StatsdashError(Exception):
    """Base class: a problem Statsdash can explain in one line."""


class FetchError(StatsdashError):
    """Data for one source (a GA property or a YouTube channel group) could not be fetched."""

    def __init__(self, source: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message
        self.status = status  # the HTTP status of a refusal that was not retried, if any


class QuotaExhausted(FetchError):
    """A daily or hourly quota is used up; retrying before it refills will not help."""


class AuthError(StatsdashError):
    """Credentials are missing, revoked or expired; the message says how to renew them."""


class BadResponse(FetchError):
    """The API answered with something Statsdash cannot read (malformed JSON, missing fields)."""


class TimedOut(FetchError):
    """The fetch budget of a page or export ran out before this source answered."""
