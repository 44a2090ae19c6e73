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


def check_rate(request: Request) -> None:
    """Refuse with 429 when this address sent too many reports lately (memory only)."""
    state = request.app.state
    settings = report_settings(request)
    if not hasattr(state, "report_limiter"):
        state.report_limiter = RateLimiter(
            settings.reports_rate_limit, settings.reports_rate_window
        )
    address = request.client.host if request.client else None
    if not state.report_limiter.hit(address):
        raise MarsadError(
            "err_rate_limited",
            _("Too many reports from this connection. Please try again later."),
            status=429,
        )


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
