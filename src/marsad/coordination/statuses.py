"""Account statuses: which accounts are suspended, deactivated, deleted or protected, since when.

A status comes from the data (a platform's compliance file) or from staff. Every
observation is kept (``account_statuses`` is append-only) and audited; an
account's current status is its latest observation by ``observed_at``, the time
the platform or the data gives, so a late import of an old suspension does not
hide a newer reactivation. Accounts are named as elsewhere in coordination, with
their platform: ``x:12345``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.coordination.models import AccountStatus
from marsad.core import audit
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _

STATUSES = ("active", "suspended", "deactivated", "deleted", "protected")
SOURCES = ("data", "staff")
#: Statuses of an account that is gone from its platform: the ones successors are sought for.
GONE = ("suspended", "deactivated", "deleted")
# Status and source names reach the pages as data; marked here for translation.
_LABELS = (
    _("active"),
    _("suspended"),
    _("deactivated"),
    _("deleted"),
    _("protected"),
    _("data"),
    _("staff"),
)

_ACCOUNT = re.compile(r"^[a-z][a-z0-9_]*:\S+$")
# A compliance line's reason, as X/twarc2 writes it, is the account's status.
COMPLIANCE_REASONS = {"suspended", "deactivated", "deleted", "protected"}
MAX_ERRORS = 1000


def _account(value: str) -> str:
    account = (value or "").strip()
    if not _ACCOUNT.match(account) or len(account) > 200:
        raise InvalidInput(
            "err_status_account",
            f"{value!r} is not an account id: name its platform, e.g. x:12345",
            where="account",
        )
    return account


def _status(value: str) -> str:
    if value not in STATUSES:
        raise InvalidInput(
            "err_status_value", f"{value!r} is not a status: use {', '.join(STATUSES)}", "status"
        )
    return value


def parse_time(value: Any, *, where: str = "observed_at", zone: tzinfo = UTC) -> datetime:
    """An ISO 8601 time (naive = in ``zone``, UTC by default; ``Z`` accepted) or a
    datetime, as aware UTC."""
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(
                "err_status_time", f"{value!r} is not an ISO 8601 time", where=where
            ) from None
    when = (when.replace(tzinfo=zone) if when.tzinfo is None else when).astimezone(UTC)
    if when > datetime.now(UTC) + timedelta(days=1):
        raise InvalidInput("err_status_time", f"{when.isoformat()} is in the future", where=where)
    return when


def find_status(
    session: Session, *, account: str, status: str, source: str, observed_at: datetime
) -> AccountStatus | None:
    """The record of exactly this observation, if it was recorded already."""
    return session.execute(
        select(AccountStatus).where(
            AccountStatus.account == account,
            AccountStatus.status == status,
            AccountStatus.source == source,
            AccountStatus.observed_at == observed_at,
        )
    ).scalar_one_or_none()


def record_status(
    session: Session,
    *,
    account: str,
    status: str,
    actor: str,
    source: str = "staff",
    observed_at: datetime | str | None = None,
    reason: str | None = None,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> AccountStatus:
    """Append one status observation (validated; audited). ``observed_at`` defaults to now.

    The same observation (account, status, source and time) is refused: it is
    already in the history.
    """
    account = _account(account)
    status = _status(status)
    if source not in SOURCES:
        raise InvalidInput("err_status_source", f"use {' or '.join(SOURCES)}", "source")
    when = parse_time(observed_at) if observed_at is not None else datetime.now(UTC)
    if find_status(session, account=account, status=status, source=source, observed_at=when):
        raise InvalidInput(
            "err_status_duplicate",
            f"{account} is already recorded {status} at {when.isoformat()}",
            where="observed_at",
        )
    row = AccountStatus(
        account=account,
        status=status,
        source=source,
        reason=(reason or "").strip()[:64] or None,
        note=(note or "").strip() or None,
        observed_at=when,
        recorded_by=actor,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="account_status.recorded",
        subject_type="account_status",
        subject_id=row.id,
        details={
            "account": account,
            "status": status,
            "source": source,
            "observed_at": when.isoformat(),
            **(details or {}),
        },
    )
    return row


def _latest_first() -> tuple[Any, ...]:
    return (
        AccountStatus.observed_at.desc(),
        AccountStatus.recorded_at.desc(),
        AccountStatus.id.desc(),
    )


def status_history(session: Session, *, account: str) -> list[AccountStatus]:
    """Every status recorded for ``account``, latest observation first."""
    return list(
        session.execute(
            select(AccountStatus)
            .where(AccountStatus.account == account.strip())
            .order_by(*_latest_first())
        ).scalars()
    )


def current_status(session: Session, *, account: str) -> AccountStatus | None:
    """The account's latest status by ``observed_at``, or None when none is recorded."""
    return session.execute(
        select(AccountStatus)
        .where(AccountStatus.account == account.strip())
        .order_by(*_latest_first())
        .limit(1)
    ).scalar_one_or_none()


def list_accounts_with_status(
    session: Session, *, status: str | Sequence[str] | None = None, limit: int | None = None
) -> list[AccountStatus]:
    """Each account's current status record, latest observation first.

    ``status`` (one or several) keeps the accounts whose *current* status is one of
    them: an account suspended and later reactivated is not listed as suspended.
    """
    wanted = [status] if isinstance(status, str) else list(status or [])
    for value in wanted:
        _status(value)
    latest = (
        select(
            AccountStatus.id,
            func.row_number()
            .over(partition_by=AccountStatus.account, order_by=_latest_first())
            .label("n"),
        )
    ).subquery()
    query = (
        select(AccountStatus)
        .join(latest, latest.c.id == AccountStatus.id)
        .where(latest.c.n == 1)
        .order_by(*_latest_first())
    )
    if wanted:
        query = query.where(AccountStatus.status.in_(wanted))
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def to_json(row: AccountStatus) -> dict[str, Any]:
    return {
        "id": row.id,
        "account": row.account,
        "status": row.status,
        "source": row.source,
        "reason": row.reason,
        "note": row.note,
        "observed_at": row.observed_at.isoformat(),
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at.isoformat(),
    }


# --- compliance files -------------------------------------------------------------


@dataclass
class ImportResult:
    read: int = 0
    recorded: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all used, 3 some lines rejected, 2 nothing usable."""
        if self.recorded + self.duplicates == 0:
            return 2
        return 3 if self.rejected else 0

    def error(self, path: Path, position: int | None, reason: str, *, lines: int = 1) -> None:
        self.rejected += lines
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"file": str(path), "position": position, "reason": reason})

    def to_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors": self.errors,
        }


KINDS = ("auto", "users", "tweets")
_TWEET_KEYS = ("redacted_at", "upto_tweet_id")


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for n, line in enumerate(handle, start=1):
            if line.strip():
                yield n, line


def _is_tweets_file(path: Path) -> bool:
    """A tweet compliance file: so named, or a line with a key only tweet compliance has."""
    if "tweet" in path.name.lower():
        return True
    return any(any(f'"{key}"' in line for key in _TWEET_KEYS) for _n, line in _lines(path))


def _observation(obj: Any, platform: str) -> tuple[str, str, datetime, str]:
    """(account, status, observed_at, reason) of one users compliance line, or ValueError."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    if any(key in obj for key in _TWEET_KEYS):
        raise ValueError("a tweet compliance line (it has redacted_at): tweets are not accounts")
    ident = obj.get("id")
    if isinstance(ident, bool) or not isinstance(ident, str | int) or not str(ident).strip():
        raise ValueError("no id")
    ident = str(ident).strip()
    if platform == "x" and not ident.isdigit():
        raise ValueError(f"id {ident!r} is not an X account id (digits)")
    action = obj.get("action")
    if action != "delete":
        raise ValueError(f"action {action!r} is not a status change (delete)")
    reason = obj.get("reason")
    if reason not in COMPLIANCE_REASONS:
        raise ValueError(f"reason {reason!r} is not one of {', '.join(sorted(COMPLIANCE_REASONS))}")
    if not obj.get("created_at"):
        raise ValueError("no created_at")
    try:
        when = parse_time(obj["created_at"], where="created_at")
    except InvalidInput as exc:
        raise ValueError(f"created_at: {exc.message}") from None
    return f"{platform}:{ident}", reason, when, f"compliance {action}: {reason}"


def import_compliance(
    session: Session,
    *,
    paths: Sequence[Path],
    actor: str,
    platform: str = "x",
    kind: str = "auto",
) -> ImportResult:
    """Record the account statuses of X/twarc2 users compliance files (source ``data``).

    Each line ``{"id", "action": "delete", "created_at", "reason"}`` records the
    account ``platform:id`` with its reason as status, observed at ``created_at``.
    An observation already recorded counts as a duplicate, so importing a file
    twice records nothing new. Tweet compliance files (``kind="tweets"``, or with
    ``auto`` a file named ``*tweet*`` or whose lines have ``redacted_at``) concern
    tweets, not accounts: the whole file is refused with one error. Bad lines are
    rejected, each with its file and line; the rest is recorded.
    """
    if kind not in KINDS:
        raise InvalidInput("err_status_kind", f"use {', '.join(KINDS)}", where="--kind")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", platform or ""):
        raise InvalidInput("err_status_platform", f"{platform!r} is not a platform", "--platform")
    result = ImportResult()
    for path in paths:
        path = Path(path)
        if not path.is_file():
            result.error(path, None, "no such file", lines=0)
            continue
        if kind == "tweets" or (kind == "auto" and _is_tweets_file(path)):
            count = sum(1 for _ in _lines(path))
            result.read += count
            result.error(
                path,
                None,
                f"a tweet compliance file: its {count} lines concern tweets, not accounts, "
                "and were not imported (import the users compliance file; --kind users if "
                "this is one)",
                lines=count,
            )
            continue
        for n, line in _lines(path):
            result.read += 1
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                result.error(path, n, f"not JSON ({exc.msg})")
                continue
            try:
                account, status, when, reason = _observation(obj, platform)
            except ValueError as exc:
                result.error(path, n, str(exc))
                continue
            if find_status(
                session, account=account, status=status, source="data", observed_at=when
            ):
                result.duplicates += 1
                continue
            record_status(
                session,
                account=account,
                status=status,
                actor=actor,
                source="data",
                observed_at=when,
                reason=reason,
                details={"file": path.name, "line": n},
            )
            result.recorded += 1
    return result
