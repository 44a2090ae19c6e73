"""JSON twins of the blocking pages: ``/api/v1/connectivity/blocked`` and a measurement."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from marsad.connectivity.blocking import service
from marsad.core.errors import InvalidInput
from marsad.web.deps import ReadSession

router = APIRouter(prefix="/api/v1/connectivity", tags=["connectivity"])


class _Query:
    """The filters of the blocked list, shared by the page and the API."""

    def __init__(
        self,
        country: Annotated[str | None, Query(max_length=2)] = None,
        since: Annotated[str | None, Query(max_length=10)] = None,
        confirmed_only: bool = False,
    ) -> None:
        self.country = country.strip().upper() or None if country else None
        if self.country is not None and not (len(self.country) == 2 and self.country.isalpha()):
            raise InvalidInput("err_connectivity_input", "a two-letter country code", "country")
        self.since: date | None = None
        if since:
            try:
                self.since = date.fromisoformat(since)
            except ValueError:
                raise InvalidInput(
                    "err_connectivity_input", f"{since!r} is not a date (YYYY-MM-DD)", "since"
                ) from None
        self.confirmed_only = confirmed_only


BlockedQuery = Annotated[_Query, Depends()]


@router.get("/blocked")
def blocked(session: ReadSession, query: BlockedQuery) -> dict[str, Any]:
    """What is blocked now, per network (the page /connectivity/blocked shows the same)."""
    return service.blocked_now(
        session, country=query.country, since=query.since, confirmed_only=query.confirmed_only
    )


@router.get("/measurements/{ident}")
def measurement(ident: str, session: ReadSession) -> dict[str, Any]:
    """One stored measurement with its evidence, by OONI uid or Marsad id."""
    return service.measurement_json(service.get_measurement(session, ident=ident), full=True)


@router.get("/history")
def history(
    session: ReadSession,
    target: Annotated[str, Query(min_length=1, max_length=1000)],
    asn: int | None = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
) -> dict[str, Any]:
    """A target's status per network and day (``marsad connectivity history`` prints the same)."""
    return service.target_history(session, target=target, asn=asn, since=_Query(since=since).since)
