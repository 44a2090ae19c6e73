"""The contract between capabilities and what Marsad publishes.

A capability adds a part of the public dashboard, the staff dashboard and the
weekly monitoring report by returning :class:`Section` objects from its
``marsad_publish_sections`` hook. A section is:

- ``compute(session, period, settings) -> figures``: one JSON-able dict of
  numbers for one :class:`Period`, computed with aggregate queries. The
  dashboard, the ``/api/v1/stats`` twins and the weekly report all call it, so
  a number means the same everywhere.
- ``template``: a Jinja2 template (in the capability's template folder) that
  renders ``figures`` as HTML with inline SVG charts; it is included in the
  dashboard page and in the report (HTML and PDF), so it must need no
  JavaScript and load nothing from another host.

Every figure must be traceable: ``figures["sources"]`` lists, for each figure,
the query it came from (see :func:`source`); the weekly report prints them in
an appendix. Figures never hold text written by a reporter or a post's author,
and any count of reports below the small-count threshold is hidden
(:func:`shown_count`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _

Figures = dict[str, Any]
Audience = Literal["public", "staff"]


@dataclass(frozen=True)
class Period:
    """An ISO week in the observatory's time zone, as a half-open UTC interval.

    ``start`` and ``end`` are aware UTC datetimes (``start <= t < end``);
    ``label`` is ``2026-W49``. ``weeks`` is how many weeks back the trend
    charts look, ending with this one.
    """

    year: int
    week: int
    timezone: str = "Asia/Baghdad"
    weeks: int = 12

    @classmethod
    def parse(cls, value: str, *, timezone: str = "Asia/Baghdad", weeks: int = 12) -> Period:
        """``2026-W49`` → the period; InvalidInput naming ``week`` for anything else.

        A week that does not exist in its year (``2026-W60``, ``2025-W53``) is refused.
        """
        text = (value or "").strip().upper()
        year_text, sep, week_text = text.partition("-W")
        if not sep or not (year_text.isdigit() and len(year_text) == 4 and week_text.isdigit()):
            raise InvalidInput(
                "err_week_invalid",
                _("Write the week as YYYY-Www, for example 2026-W05: {value}").format(value=value),
                "week",
            )
        year, week = int(year_text), int(week_text)
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise InvalidInput(
                "err_week_invalid",
                _("The year {year} has no week {week}.").format(year=year, week=week),
                "week",
            ) from None
        return cls(year, week, timezone, weeks)

    @classmethod
    def containing(cls, moment: datetime, *, timezone: str = "Asia/Baghdad") -> Period:
        """The week that holds ``moment`` (in the observatory's time zone)."""
        local = moment.astimezone(ZoneInfo(timezone)).date()
        year, week, _day = local.isocalendar()
        return cls(year, week, timezone)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def first_day(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def _utc(self, day: date) -> datetime:
        local = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(UTC)

    @property
    def start(self) -> datetime:
        return self._utc(self.first_day)

    @property
    def end(self) -> datetime:
        return self._utc(self.first_day + timedelta(days=7))

    @property
    def trend_start(self) -> datetime:
        """The start of the first of the ``weeks`` weeks that end with this one."""
        return self._utc(self.first_day - timedelta(days=7 * (self.weeks - 1)))

    def previous(self) -> Period:
        day = self.first_day - timedelta(days=7)
        year, week, _day = day.isocalendar()
        return Period(year, week, self.timezone, self.weeks)

    def trend_labels(self) -> list[str]:
        """The labels of the trend weeks, oldest first."""
        labels = []
        for back in range(self.weeks - 1, -1, -1):
            year, week, _day = (self.first_day - timedelta(days=7 * back)).isocalendar()
            labels.append(f"{year}-W{week:02d}")
        return labels

    def trend_weeks(self) -> list[tuple[str, datetime, datetime]]:
        """(label, start, end) of each trend week, oldest first, as UTC bounds."""
        bounds = []
        for back in range(self.weeks - 1, -1, -1):
            first = self.first_day - timedelta(days=7 * back)
            year, week, _day = first.isocalendar()
            bounds.append(
                (f"{year}-W{week:02d}", self._utc(first), self._utc(first + timedelta(days=7)))
            )
        return bounds

    def week_of(self, moment: datetime) -> str:
        """The ISO week label of a UTC time in this period's zone."""
        return week_label(moment.astimezone(ZoneInfo(self.timezone)).date())

    def to_json(self) -> dict[str, Any]:
        return {
            "week": self.label,
            "start": self.start.isoformat(),
            # The week's first and last local days, for showing (start/end are UTC).
            "first_day": self.first_day.isoformat(),
            "last_day": (self.first_day + timedelta(days=6)).isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.timezone,
            "weeks": self.weeks,
        }


def week_label(day: date) -> str:
    """The ISO week label (``2026-W49``) of a local date."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Section:
    """One part of the dashboards and the weekly report, contributed by a capability.

    ``key``: stable identifier (``reports``), also the ``/api/v1/stats/<key>``
    path; ``title``: an English msgid (mark it with ``N_``); ``order``: place on
    the page (low first); ``compute``: see the module docstring; ``template``:
    the Jinja2 template that renders ``figures`` (given ``figures``, ``section``,
    ``lang`` and ``charts``); ``audience``: ``public`` sections are on
    ``/dashboard`` and in the report, ``staff`` ones only on ``/staff``;
    ``keep`` (optional): computes, in a read session, the figures worth storing
    and returns their scopes, which the ``publish.refresh-figures`` job writes to
    ``publish_figures`` under the section's key (see :mod:`marsad.publish.stored`).
    """

    key: str
    title: str
    order: int
    compute: Callable[[Any, Period, Any], Figures]
    template: str
    audience: Audience = "public"
    description: str = ""
    requires: tuple[str, ...] = field(default=())
    keep: Callable[[Any, Any], list[str]] | None = None

    def __post_init__(self) -> None:
        if not self.key.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"a section key is a plain name, not {self.key!r}")


def source(figure: str, statement: Any = None, **params: Any) -> dict[str, Any]:
    """Where a figure comes from: its name, the SQL (as text, without values) and parameters.

    ``statement`` is a SQLAlchemy selectable or a plain description. Parameters
    must be JSON-able (times as ISO strings).
    """
    if statement is None:
        query = ""
    elif isinstance(statement, str):
        query = statement
    else:
        query = _sql_text(statement)
    clean = {
        key: value.isoformat() if isinstance(value, datetime | date) else value
        for key, value in params.items()
    }
    return {"figure": figure, "query": query, "params": clean}


_SQL_TEXT: dict[Any, str] = {}


def _sql_text(statement: Any) -> str:
    """A statement's SQL on one line, without values; cached by its structure (compiling
    costs milliseconds, and a dashboard cites a dozen queries on every request)."""
    cache_key = statement._generate_cache_key()
    key = cache_key.key if cache_key is not None else None
    found = _SQL_TEXT.get(key) if key is not None else None
    if found is None:
        found = " ".join(str(statement.compile()).split())
        if key is not None and len(_SQL_TEXT) < 512:
            _SQL_TEXT[key] = found
    return found


def queue_figures(
    *,
    queue: str,
    waiting: int,
    oldest: datetime | None,
    count: Callable[[datetime, datetime], int],
    period: Period,
    href: str,
    sources: list[dict[str, Any]],
) -> dict[str, Any]:
    """A staff queue's figures: how many wait, the oldest one's age, and how many came in
    this week against last (``count(start, end)`` counts one week's)."""
    from marsad.core.db import utcnow

    previous = period.previous()
    age = (utcnow() - oldest) if oldest else None
    return {
        "queue": queue,
        "waiting": waiting,
        "oldest_hours": round(age / timedelta(hours=1), 1) if age else None,
        "this_week": count(period.start, period.end),
        "last_week": count(previous.start, previous.end),
        "href": href,
        "sources": sources,
    }


def shown_count(n: int, k: int) -> dict[str, Any]:
    """``{"count": n}``, or ``{"count": None, "fewer_than": k}`` when ``0 < n < k``.

    Zero is shown: it singles no one out (and grouped queries never return it).
    """
    if 0 < n < k:
        return {"count": None, "fewer_than": k}
    return {"count": n}


def sections(registry: Any, audience: Audience | None = None) -> list[Section]:
    """The enabled capabilities' sections (of one audience), in page order."""
    found = registry.publish_sections()
    if audience is not None:
        found = [s for s in found if s.audience == audience]
    return found


def local_day(column: Any, dialect: str, timezone: str) -> Any:
    """A SQL expression for the local calendar day of a UTC time column.

    PostgreSQL converts with the zone's rules; SQLite (no zone database) shifts
    by the zone's current UTC offset, exact for zones without daylight saving
    such as Asia/Baghdad.
    """
    from sqlalchemy import Date, cast, func

    if dialect == "postgresql":
        return cast(func.timezone(timezone, column), Date)
    offset = datetime.now(ZoneInfo(timezone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return func.date(column, f"{minutes:+d} minutes")


def as_date(value: Any) -> date:
    """A day from the database (a ``date`` on PostgreSQL, text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
