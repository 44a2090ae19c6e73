"""Request helpers shared by the reports API and pages."""

from __future__ import annotations

from datetime import date

from fastapi import Request

from marsad.core.errors import InvalidInput, MarsadError
from marsad.core.i18n import gettext as _
from marsad.reports.public import PublicFilter
from marsad.reports.ratelimit import RateLimiter
from marsad.reports.settings import ReportSettings


def report_settings(request: Request) -> ReportSettings:
    """The reports section of the settings this app was created with."""
    return request.app.state.settings.reports


def _report_limiter(request: Request) -> RateLimiter:
    state = request.app.state
    if not hasattr(state, "report_limiter"):
        settings = report_settings(request)
        state.report_limiter = RateLimiter(
            settings.reports_rate_limit, settings.reports_rate_window
        )
    limiter: RateLimiter = state.report_limiter
    return limiter


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def check_rate(request: Request) -> None:
    """Count this submission; refuse with 429 when the address sent too many lately (memory only).

    A submission that is then refused gives its count back (:func:`release_rate`).
    """
    if not _report_limiter(request).hit(_address(request)):
        raise MarsadError(
            "err_rate_limited",
            _("Too many reports from this connection. Please try again later."),
            status=429,
        )


def release_rate(request: Request) -> None:
    """Give back what :func:`check_rate` counted: the submission was refused, nothing stored.

    A reporter whose report came back with a wrong field (422) or a busy or
    unavailable database (503) must not be locked out by sending it again.
    Counting first and giving back keeps the limit strict for a burst sent at once.
    """
    _report_limiter(request).release(_address(request))


def _day(value: str | None, where: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("err_date_invalid", _("The date is not a valid date."), where) from None


def public_filter(
    category: str | None = None,
    governorate: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> PublicFilter:
    """Filters of the public list, map and exports, from query parameters."""
    return PublicFilter(
        category=category or None,
        governorate=(governorate or "").upper() or None,
        date_from=_day(date_from, "date_from"),
        date_to=_day(date_to, "date_to"),
    )
