"""Errors the emulator answers with, shaped like Google's JSON error bodies."""

from __future__ import annotations

STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
REASONS = {
    400: "badRequest",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    429: "rateLimitExceeded",
    500: "backendError",
    503: "backendError",
}


class ApiError(Exception):
    """An HTTP error answer; `body(style)` renders it the GA ("ga") or YouTube ("yt") way."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        reason: str | None = None,
        domain: str = "global",
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "unknown")
        self.domain = domain
        self.headers = headers or {}

    def body(self, style: str) -> dict:
        error = {"code": self.code, "message": self.message}
        if style == "yt":
            error["errors"] = [
                {"message": self.message, "domain": self.domain, "reason": self.reason}
            ]
        error["status"] = STATUS.get(self.code, "UNKNOWN")
        return {"error": error}


def invalid(message: str) -> ApiError:
    """400 INVALID_ARGUMENT."""
    return ApiError(400, message)


GA_SCHEMA_URL = "https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema"
GA_NO_PERMISSION = (
    "User does not have sufficient permissions for this property. To learn more about "
    "Property ID, see https://developers.google.com/analytics/devguides/reporting/data/v1/"
    "property-id."
)
YT_NOT_SUPPORTED = (
    "The query is not supported. Check the documentation at "
    "https://developers.google.com/youtube/analytics/v2/available_reports "
    "for a list of supported queries."
)
YT_QUOTA = (
    "The request cannot be completed because you have exceeded your "
    '<a href="/youtube/v3/getting-started#quota">quota</a>.'
)

FAULT_KINDS = (
    "rate",
    "quota_day",
    "quota_hour",
    "yt_quota",
    "yt_rate",
    "yt_scope",
    "500",
    "503",
    "401",
    "400",
    "403",
    "slow",
    "malformed",
    "hang",
    "drop",
    "no_rows",
)
# Faults that are not an error answer: a slow or broken 200, or no usable answer at all.
# hang: the connection is accepted and never answered (until latency_ms, default 10 min, or
# a reset); drop: the headers promise the whole body and the connection closes halfway
# (the client sees http.client.IncompleteRead); no_rows: a GA4 report keeps its rowCount
# but loses its rows, an answer that contradicts itself.
TRANSPORT_KINDS = ("slow", "malformed", "hang", "drop", "no_rows")
HANG_MS = 600_000


def fault_error(kind: str) -> ApiError:
    """The error an injected fault answers with (not for TRANSPORT_KINDS)."""
    if kind == "rate":
        return ApiError(429, "Exhausted concurrent requests quota.")
    if kind in ("quota_day", "quota_hour"):
        span = "day" if kind == "quota_day" else "hour"
        return ApiError(
            429,
            f"Exhausted property tokens per {span} for a project per property. These quota "
            "tokens will return in under 24 hours. To learn more, see "
            "https://developers.google.com/analytics/devguides/reporting/data/v1/quotas",
        )
    if kind == "yt_quota":
        return ApiError(403, YT_QUOTA, reason="quotaExceeded", domain="youtube.quota")
    if kind == "yt_rate":
        return ApiError(
            403, "Rate Limit Exceeded", reason="rateLimitExceeded", domain="usageLimits"
        )
    if kind == "yt_scope":  # a token without a scope the query needs (e.g. the monetary one)
        return ApiError(
            403,
            "Request had insufficient authentication scopes.",
            reason="insufficientPermissions",
        )
    messages = {
        "500": "Internal error encountered.",
        "503": "The service is currently unavailable.",
        "401": "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        "400": "Request contains an invalid argument.",
        "403": "The caller does not have permission",
    }
    headers = {"Retry-After": "1"} if kind == "503" else None
    return ApiError(int(kind), messages[kind], headers=headers)
