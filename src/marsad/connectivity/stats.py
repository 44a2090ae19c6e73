"""The connectivity section of the dashboards and the weekly report: both halves' figures.

Shutdowns and outages of the week come from the outages half
(:mod:`marsad.connectivity.outages.stats`), blocking confirmed by OONI from the
blocking half (:mod:`marsad.connectivity.blocking.stats`); the section puts
them side by side, with each figure's query.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from marsad.connectivity.blocking import stats as blocking
from marsad.connectivity.outages import stats as outages
from marsad.core import i18n
from marsad.core.i18n.markers import N_
from marsad.publish.sections import Figures, Period, Section


def compute(session: Session, period: Period, settings: Any) -> Figures:  # noqa: ARG001
    """The week's shutdowns and outages, and the websites and apps confirmed blocked."""
    lang = i18n.current_language.get()
    cuts, cut_sources = outages.figures(session, period, lang)
    blocked, blocked_sources = blocking.figures(session, period)
    return {
        "weeks": period.trend_labels(),
        "outages": cuts,
        "blocking": blocked,
        "sources": [*cut_sources, *blocked_sources],
    }


SECTION = Section(
    key="connectivity",
    title=N_("Shutdowns and blocking"),
    order=60,
    compute=compute,
    template="connectivity/stats_section.html",
    description=N_(
        "Internet shutdowns and outages staff did not reject, and websites and apps "
        "that OONI measurements confirmed blocked."
    ),
)
