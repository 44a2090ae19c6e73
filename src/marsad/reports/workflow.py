"""The review workflow as pure data: statuses, allowed moves, who may make them.

No FastAPI or SQLAlchemy here (STYLE: pure logic is testable on its own).
The graph:

    received → triaged → verified | unverified | rejected | duplicate
    received → rejected | duplicate          (obvious spam or repeats)
    unverified → verified                    (confirmed later)
    verified | unverified → published        (unverified is shown as such)
    any of the four decisions, published → archived
    published → verified                     (withdrawn from the public map)
    archived → triaged                       (reopened, admins only)

Confidential cases (hacked accounts, blackmail, intimate images) are handled
like any other report but can never be published.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from marsad.core.errors import Forbidden, InvalidInput

RECEIVED, TRIAGED = "received", "triaged"
VERIFIED, UNVERIFIED, REJECTED, DUPLICATE = "verified", "unverified", "rejected", "duplicate"
PUBLISHED, ARCHIVED = "published", "archived"
STATUSES = (RECEIVED, TRIAGED, VERIFIED, UNVERIFIED, REJECTED, DUPLICATE, PUBLISHED, ARCHIVED)
OPEN_STATUSES = (RECEIVED, TRIAGED)

REVIEWERS = frozenset({"reviewer", "admin"})
TRIAGERS = frozenset({"analyst", "reviewer", "admin"})
ADMINS = frozenset({"admin"})

# (from, to) → roles allowed to make the move.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (RECEIVED, TRIAGED): TRIAGERS,
    (RECEIVED, REJECTED): REVIEWERS,
    (RECEIVED, DUPLICATE): TRIAGERS,
    (TRIAGED, VERIFIED): REVIEWERS,
    (TRIAGED, UNVERIFIED): REVIEWERS,
    (TRIAGED, REJECTED): REVIEWERS,
    (TRIAGED, DUPLICATE): TRIAGERS,
    (UNVERIFIED, VERIFIED): REVIEWERS,
    (VERIFIED, PUBLISHED): REVIEWERS,
    (UNVERIFIED, PUBLISHED): REVIEWERS,
    (VERIFIED, ARCHIVED): REVIEWERS,
    (UNVERIFIED, ARCHIVED): REVIEWERS,
    (REJECTED, ARCHIVED): REVIEWERS,
    (DUPLICATE, ARCHIVED): REVIEWERS,
    (PUBLISHED, ARCHIVED): REVIEWERS,
    (PUBLISHED, VERIFIED): REVIEWERS,
    (ARCHIVED, TRIAGED): ADMINS,
}

LOCATION_PRECISIONS = ("exact", "district", "governorate")
TIME_PRECISIONS = ("exact", "day", "week", "month")
# What a publication gets when the reviewer does not choose: the safer end.
DEFAULT_LOCATION_PRECISION = "district"
DEFAULT_TIME_PRECISION = "day"


def next_statuses(current: str, role: str, *, confidential: bool = False) -> list[str]:
    """The statuses this role may move a report to from ``current``, in display order."""
    return [
        to
        for to in STATUSES
        if (current, to) in TRANSITIONS
        and role in TRANSITIONS[(current, to)]
        and not (confidential and to == PUBLISHED)
    ]


def check_transition(current: str, to: str, role: str, *, confidential: bool = False) -> None:
    """Raise InvalidInput or Forbidden unless ``role`` may move a report ``current`` → ``to``."""
    if to not in STATUSES:
        raise InvalidInput("err_status_unknown", f"unknown status {to!r}", "to")
    roles = TRANSITIONS.get((current, to))
    if roles is None:
        raise InvalidInput("err_transition_invalid", f"a {current} report cannot become {to}", "to")
    if role not in roles:
        raise Forbidden(
            "err_transition_forbidden",
            f"the {role} role may not move a report from {current} to {to}",
        )
    if confidential and to == PUBLISHED:
        raise InvalidInput(
            "err_confidential_unpublishable", "a confidential case can never be published", "to"
        )


def check_precision(location: str, time: str) -> None:
    """Raise InvalidInput unless both precisions are known values."""
    if location not in LOCATION_PRECISIONS:
        raise InvalidInput(
            "err_precision_invalid",
            f"location precision must be one of {', '.join(LOCATION_PRECISIONS)}",
            "location_precision",
        )
    if time not in TIME_PRECISIONS:
        raise InvalidInput(
            "err_precision_invalid",
            f"time precision must be one of {', '.join(TIME_PRECISIONS)}",
            "time_precision",
        )


def raised_precision(
    before_location: str | None, before_time: str | None, location: str, time: str
) -> list[str]:
    """Which of ``location_precision`` / ``time_precision`` would show more than before.

    ``before_*`` are the precisions of an earlier publication (None: never
    published). The lists above run from the most precise to the least.
    """
    raised = []
    if before_location in LOCATION_PRECISIONS and LOCATION_PRECISIONS.index(
        location
    ) < LOCATION_PRECISIONS.index(before_location):
        raised.append("location_precision")
    if before_time in TIME_PRECISIONS and TIME_PRECISIONS.index(time) < TIME_PRECISIONS.index(
        before_time
    ):
        raised.append("time_precision")
    return raised


def coarse_time(value: datetime | None, precision: str, zone: str = "Asia/Baghdad") -> str | None:
    """The public form of a time at ``precision``, in the local time zone.

    exact → ``2024-05-01T14:30+03:00``; day → ``2024-05-01``; week → ``2024-W18``;
    month → ``2024-05``. A week or month never carries its day.
    """
    if value is None:
        return None
    local = value.astimezone(ZoneInfo(zone))
    if precision == "exact":
        return local.isoformat(timespec="minutes")
    if precision == "day":
        return local.strftime("%Y-%m-%d")
    if precision == "week":
        year, week, _day = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.strftime("%Y-%m")


def period_start(value: str) -> datetime:
    """The UTC start of a public period written by :func:`coarse_time` (for sorting, filters)."""
    if "-W" in value:
        year, week = value.split("-W")
        return datetime.fromisocalendar(int(year), int(week), 1).replace(tzinfo=UTC)
    if len(value) == 7:
        return datetime.fromisoformat(value + "-01").replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


LOCK_TTL = timedelta(minutes=15)
