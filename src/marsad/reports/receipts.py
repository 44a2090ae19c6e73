"""Receipt codes: what a reporter keeps to follow their report, and nothing more.

A code such as ``K7QD-9MZX-4TRB`` is shown once; only its digest is stored, so
the database cannot give the codes back. A *decoy* code (for a submission the
honeypot dropped) has the same form, and its last four characters are a keyed
tag of the first eight, so its page can answer like a real one while nothing
was stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core.errors import NotFound
from marsad.core.i18n import gettext as _
from marsad.reports.models import Report

RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: read aloud safely


def new_receipt() -> str:
    """A random receipt code such as ``K7QD-9MZX-4TRB`` (about 59 bits)."""
    chars = [secrets.choice(RECEIPT_ALPHABET) for _i in range(12)]
    return "-".join("".join(chars[i : i + 4]) for i in (0, 4, 8))


def _decoy_tag(key: bytes, head: str) -> str:
    digest = hmac.new(key, f"marsad-decoy:{head}".encode(), hashlib.sha256).digest()
    return "".join(RECEIPT_ALPHABET[b % len(RECEIPT_ALPHABET)] for b in digest[:4])


def decoy_receipt(key: bytes) -> str:
    """A receipt code for a submission that was dropped (a bot filled the honeypot).

    It has the form of a real one; its last four characters are a keyed tag of
    the first eight, so its page can answer like a new report's without anything
    being stored. ``key`` is secret (see :func:`decoy_key`).
    """
    head = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(8))
    chars = head + _decoy_tag(key, head)
    return "-".join(chars[i : i + 4] for i in (0, 4, 8))


def is_decoy_receipt(key: bytes, code: str) -> bool:
    """Whether ``code`` was made by :func:`decoy_receipt` with this key."""
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(normal) != 12:
        return False
    return hmac.compare_digest(_decoy_tag(key, normal[:8]), normal[8:])


def decoy_key(secret: str) -> bytes:
    """The key of decoy receipts, derived from the secret key (never stored)."""
    return hashlib.sha256(f"marsad-decoy-key:{secret}".encode()).digest()


def receipt_digest(code: str) -> str:
    """The stored form of a receipt code (case and dashes do not matter)."""
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"marsad-receipt:{normal}".encode()).hexdigest()


def receipt_status(session: Session, *, code: str) -> str:
    """The status of the report with this receipt; never its content."""
    status = session.execute(
        select(Report.status).where(Report.receipt_hash == receipt_digest(code))
    ).scalar_one_or_none()
    if status is None:
        raise NotFound("err_receipt_not_found", _("No report has this receipt code."), "code")
    return status
