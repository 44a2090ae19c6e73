"""Declarations and signatures: the texts, versions, periods, signing and its confirmation.

A shipped declaration (``data/iraq-2021.json``) is readable before anything is
stored: reads answer from the file, and the first write (a signature, an
admin's edit) stores it. Signing stores a pending signature and the caller
queues the ``declaration.mail`` job that e-mails the confirmation link; the
signature counts only once the link is opened.
"""

from __future__ import annotations

import copy
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marsad.core import audit, i18n
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput, MarsadError, NotFound
from marsad.core.i18n.markers import N_
from marsad.core.mail import MailError, build_message, send_mail
from marsad.core.security import FieldCipher, derive_key, hmac_hex
from marsad.declaration import texts
from marsad.declaration.models import Declaration, Signature
from marsad.declaration.settings import DeclarationSettings

# The platforms the forms offer; any platform name posts uses is accepted (``demo``…).
_PLATFORM = re.compile(r"[a-z][a-z0-9_-]{0,15}")
PLATFORMS = ("x", "facebook", "instagram", "telegram", "youtube", "tiktok", "other")
EMAIL_CONTEXT = "declaration.email"


def section(settings: Any) -> DeclarationSettings:
    """The declaration section of the settings (defaults when absent)."""
    found = settings.section("declaration") if hasattr(settings, "section") else None
    return found if isinstance(found, DeclarationSettings) else DeclarationSettings()


# --- declarations ----------------------------------------------------------------------


def _row(session: Session, slug: str) -> Declaration | None:
    return session.execute(select(Declaration).where(Declaration.slug == slug)).scalar_one_or_none()


def _from_file(slug: str) -> Declaration:
    doc = texts.shipped(slug)
    return Declaration(
        slug=slug, version=int(doc.get("version", 1)), content=texts.build_content(doc)
    )


def get_declaration(session: Session, *, slug: str) -> Declaration:
    """The declaration by slug (a shipped one not stored yet comes from its file)."""
    row = _row(session, slug)
    if row is not None:
        return row
    if slug in texts.SHIPPED:
        return _from_file(slug)
    raise NotFound("err_declaration_not_found", f"no declaration {slug!r}", "slug")


def stored_declaration(session: Session, *, slug: str) -> Declaration:
    """The declaration's row, storing a shipped one on first use (write sessions only)."""
    row = _row(session, slug)
    if row is not None:
        return row
    row = get_declaration(session, slug=slug)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another request stored it at the same moment: use theirs.
        stored = _row(session, slug)
        assert stored is not None  # noqa: S101 - the insert failed on its unique slug
        return stored
    return row


def list_declarations(session: Session) -> list[Declaration]:
    """Every declaration, stored or shipped, newest first."""
    rows = list(session.execute(select(Declaration)).scalars())
    have = {r.slug for r in rows}
    rows += [_from_file(slug) for slug in texts.SHIPPED if slug not in have]
    return sorted(rows, key=lambda r: r.slug, reverse=True)


def create_declaration(
    session: Session, *, slug: str, doc: dict[str, Any] | None, based_on: str | None, actor: str
) -> Declaration:
    """A new declaration from a document, or a copy of ``based_on`` (the next elections')."""
    texts.check_slug(slug)
    if _row(session, slug) is not None or slug in texts.SHIPPED:
        raise MarsadError(
            "err_declaration_exists", f"a declaration {slug!r} exists", "slug", status=409
        )
    if doc is None:
        if not based_on:
            raise InvalidInput(
                "err_required", "give the declaration's text or the one it is based on", "doc"
            )
        content = dict(get_declaration(session, slug=based_on).content)
    else:
        content = texts.build_content(doc)
    row = Declaration(slug=slug, version=1, content=content, based_on=based_on)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="declaration.created",
        subject_type="declaration",
        subject_id=row.id,
        details={"slug": slug, "based_on": based_on},
    )
    return row


def update_declaration(
    session: Session, *, slug: str, doc: dict[str, Any], actor: str
) -> Declaration:
    """Replace a declaration's text (a new version); existing commitment ids must remain."""
    row = stored_declaration(session, slug=slug)
    content = texts.build_content(doc)
    missing = sorted(set(texts.commitments(row.content)) - set(texts.commitments(content)))
    if missing:
        raise InvalidInput(
            "err_declaration_commitment_removed",
            f"commitments cannot be removed once published: {', '.join(missing)}",
            "groups",
        )
    return _new_version(session, row, content, actor)


def _new_version(
    session: Session, row: Declaration, content: dict[str, Any], actor: str
) -> Declaration:
    row.content = content
    row.version += 1
    row.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="declaration.edited",
        subject_type="declaration",
        subject_id=row.id,
        details={"slug": row.slug, "version": row.version},
    )
    return row


def translation_keys(content: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """``(key, texts)`` of every translatable text, in reading order (the admin form's rows)."""
    rows: list[tuple[str, dict[str, str]]] = [("title", content["title"])]
    rows.append(("preamble", content["preamble"]))
    rows += [(f"purpose:{i}", p) for i, p in enumerate(content["purpose"])]
    rows += [(f"principle:{i}", p) for i, p in enumerate(content["principles"])]
    rows += [(f"period:{p['slug']}", p["name"]) for p in content["periods"]]
    for g in content["groups"]:
        rows.append((f"group:{g['slug']}", g["name"]))
        rows += [(f"commitment:{c['id']}", c) for c in g["commitments"]]
    return rows


def set_translations(
    session: Session, *, slug: str, lang: str, values: dict[str, str], actor: str
) -> Declaration:
    """Fill one language's texts (Kurdish by admins) by key; a new version when any changed."""
    if lang not in texts.LANGS:
        raise InvalidInput("err_language", f"{lang!r} is not ar, ckb or en", "lang")
    row = stored_declaration(session, slug=slug)
    content = _copy(row.content)
    known = dict(translation_keys(content))
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise InvalidInput(
            "err_declaration_key", f"unknown texts: {', '.join(unknown)}", unknown[0]
        )
    changed = False
    for key, value in values.items():
        value = (value or "").strip()
        if known[key].get(lang, "") != value:
            known[key][lang] = value
            changed = True
    return _new_version(session, row, content, actor) if changed else row


def set_periods(
    session: Session, *, slug: str, periods: list[dict[str, Any]], actor: str
) -> Declaration:
    """Replace the monitoring periods (campaign, silence, election day, government formation…)."""
    row = stored_declaration(session, slug=slug)
    content = _copy(row.content)
    checked = texts.build_content({**content, "periods": periods})
    content["periods"] = checked["periods"]
    return _new_version(session, row, content, actor)


def _copy(content: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(content)


# --- signatures ------------------------------------------------------------------------


def _digest(settings: Any, email: str) -> str:
    return hmac_hex(
        derive_key(settings.secret(), "declaration-email"), email.strip().lower().encode()
    )


def _token(settings: Any, signature: Signature, purpose: str) -> str:
    key = derive_key(settings.secret(), f"declaration-{purpose}")
    return f"{signature.id}.{hmac_hex(key, f'{signature.id}:{signature.nonce}'.encode())}"


def cipher_for(settings: Any) -> FieldCipher:
    return FieldCipher.from_settings(settings.field_key, settings.secret())


def _accounts(accounts: Any) -> list[dict[str, str]]:
    out = []
    for i, item in enumerate(accounts or []):
        where = f"accounts[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput("err_invalid_input", "expected {platform, handle}", where)
        platform = str(item.get("platform") or "").strip().lower()
        handle = str(item.get("handle") or "").strip().lstrip("@")
        if not _PLATFORM.fullmatch(platform):
            raise InvalidInput(
                "err_platform_unknown",
                f"{platform!r} is not a platform name (e.g. {', '.join(PLATFORMS)})",
                f"{where}.platform",
            )
        if not handle or len(handle) > 128 or any(c.isspace() for c in handle):
            raise InvalidInput("err_handle_invalid", "a handle without spaces", f"{where}.handle")
        out.append({"platform": platform, "handle": handle})
    return out


def sign(
    session: Session,
    *,
    settings: Any,
    slug: str,
    name: str,
    organisation: str,
    group: str,
    email: str,
    accounts: Any = (),
    language: str = "ar",
) -> Signature:
    """Store a pending signature; InvalidInput (422) or 409 for a second one by this address.

    Everything is checked before anything is written. A pending signature whose link
    expired is replaced, so a signer who missed the mail can sign again.
    """
    declaration = stored_declaration(session, slug=slug)
    name = (name or "").strip()
    if not name or len(name) > 255:
        raise InvalidInput("err_required", "a name is needed (at most 255 characters)", "name")
    organisation = (organisation or "").strip()[:255]
    groups = [g["slug"] for g in declaration.content["groups"]]
    if group not in groups:
        raise InvalidInput(
            "err_group_unknown",
            f"{group!r} is not a group of this declaration; one of {', '.join(groups)}",
            "group",
        )
    build_message(settings, to=email or "", subject="-", text="-")  # the address's form
    checked = _accounts(accounts)
    digest = _digest(settings, email)
    earlier = session.execute(
        select(Signature).where(
            Signature.declaration_id == declaration.id, Signature.email_digest == digest
        )
    ).scalar_one_or_none()
    now = utcnow()
    if earlier is not None:
        if earlier.status == "pending" and earlier.expires_at <= now:
            session.delete(earlier)
            session.flush()
        else:
            raise MarsadError(
                "err_signature_exists",
                "this e-mail address has already signed this declaration",
                "email",
                status=409,
            )
    hours = section(settings).declaration_confirm_hours
    row = Signature(
        declaration_id=declaration.id,
        group_slug=group,
        name=name,
        organisation=organisation,
        email_digest=digest,
        email_encrypted=cipher_for(settings).encrypt(email.strip(), context=EMAIL_CONTEXT),
        accounts=checked,
        status="pending",
        nonce=secrets.token_hex(16),
        expires_at=now + timedelta(hours=hours),
        language=language if language in texts.LANGS else "ar",
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # The same address signing twice at the same moment: the second insert loses.
        raise MarsadError(
            "err_signature_exists",
            "this e-mail address has already signed this declaration",
            "email",
            status=409,
        ) from None
    audit.record(
        session,
        actor="public",
        action="declaration.signed",
        subject_type="signature",
        subject_id=row.id,
        details={"declaration": slug, "group": group},
    )
    return row


def confirmation_links(settings: Any, signature: Signature, slug: str, base: str) -> dict[str, str]:
    """The links a signer is mailed: confirm, and withdraw later."""
    base = base.rstrip("/")
    return {
        purpose: f"{base}/declarations/{slug}/{purpose}/{_token(settings, signature, purpose)}"
        for purpose in ("confirm", "withdraw")
    }


def _by_token(session: Session, settings: Any, token: str, purpose: str) -> Signature:
    sig_id, _sep, _mac = (token or "").partition(".")
    row = session.get(Signature, sig_id) if sig_id else None
    if row is None or not hmac.compare_digest(_token(settings, row, purpose), token):
        raise NotFound("err_signature_link_invalid", "this link is not valid", "token")
    return row


def confirm(session: Session, *, settings: Any, slug: str, token: str) -> Signature:
    """Confirm the signature the link names; 404 for a bad link, 410 once expired or withdrawn."""
    row = _by_token(session, settings, token, "confirm")
    declaration = get_declaration(session, slug=slug)
    if row.declaration_id != declaration.id:
        raise NotFound("err_signature_link_invalid", "this link is not valid", "token")
    if row.status == "confirmed":
        return row
    if row.status == "withdrawn":
        raise MarsadError(
            "err_signature_withdrawn", "this signature was withdrawn", "token", status=410
        )
    if row.expires_at <= utcnow():
        raise MarsadError(
            "err_signature_link_expired",
            "this confirmation link has expired; please sign again",
            "token",
            status=410,
        )
    row.status = "confirmed"
    row.confirmed_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor="public",
        action="declaration.signature_confirmed",
        subject_type="signature",
        subject_id=row.id,
        details={"declaration": slug},
    )
    return row


def withdraw(
    session: Session,
    *,
    settings: Any,
    slug: str,
    token: str | None = None,
    signature_id: str | None = None,
    actor: str = "public",
) -> Signature:
    """Withdraw a signature, by the signer's mailed link or by an admin (``signature_id``)."""
    if token is not None:
        row = _by_token(session, settings, token, "withdraw")
    else:
        row = session.get(Signature, signature_id or "")
        if row is None:
            raise NotFound("err_signature_not_found", "no such signature", "signature_id")
    if row.declaration_id != get_declaration(session, slug=slug).id:
        raise NotFound("err_signature_not_found", "no such signature", "signature_id")
    if row.status != "withdrawn":
        row.status = "withdrawn"
        row.withdrawn_at = utcnow()
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="declaration.signature_withdrawn",
            subject_type="signature",
            subject_id=row.id,
            details={"declaration": slug},
        )
    return row


def verify(
    session: Session, *, slug: str, signature_id: str, actor: str, actor_id: str | None = None
) -> Signature:
    """An admin checked the signer's identity: the verified badge (and its actor, if any)."""
    row = session.get(Signature, signature_id)
    if row is None or row.declaration_id != get_declaration(session, slug=slug).id:
        raise NotFound("err_signature_not_found", "no such signature", "signature_id")
    if row.status != "confirmed":
        raise MarsadError(
            "err_signature_not_confirmed",
            "only a confirmed signature can be verified",
            "signature_id",
            status=409,
        )
    row.verified = True
    row.verified_by = actor
    if actor_id:
        row.actor_id = actor_id
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="declaration.signature_verified",
        subject_type="signature",
        subject_id=row.id,
        details={"declaration": slug},
    )
    return row


def signatories(session: Session, *, slug: str, lang: str) -> dict[str, Any]:
    """Confirmed signatories (public fields only) and their counts per group."""
    declaration = get_declaration(session, slug=slug)
    rows = (
        list(
            session.execute(
                select(Signature)
                .where(Signature.declaration_id == declaration.id, Signature.status == "confirmed")
                .order_by(Signature.confirmed_at)
            ).scalars()
        )
        if declaration.id
        else []
    )
    names = {g["slug"]: texts.pick(g["name"], lang) for g in declaration.content["groups"]}
    counts = dict.fromkeys(names, 0)
    for row in rows:
        counts[row.group_slug] = counts.get(row.group_slug, 0) + 1
    return {
        "slug": slug,
        "count": len(rows),
        "groups": [{"slug": g, "name": names[g], "count": counts[g]} for g in names],
        "signatories": [
            {
                "name": r.name,
                "organisation": r.organisation,
                "group": r.group_slug,
                "verified": r.verified,
                "accounts": r.accounts,
                "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
            }
            for r in rows
        ],
    }


def pending_signatures(session: Session, *, slug: str) -> list[Signature]:
    """Every signature of a declaration, for admins (the address stays encrypted)."""
    declaration = get_declaration(session, slug=slug)
    if not declaration.id:
        return []
    return list(
        session.execute(
            select(Signature)
            .where(Signature.declaration_id == declaration.id)
            .order_by(Signature.created_at.desc())
        ).scalars()
    )


MAIL_SUBJECT = N_("Confirm your signature of the {title}")
MAIL_BODY = N_(
    "Thank you for signing the {title}.\n\n"
    "To confirm your signature, open this link within {hours}:\n{confirm}\n\n"
    "If you did not sign, ignore this message: nothing will be published.\n\n"
    "To withdraw your signature later:\n{withdraw}\n"
)


def send_confirmation(
    sessions: Any, *, settings: Any, signature_id: str, base_url: str
) -> dict[str, Any]:
    """E-mail a pending signature its confirmation link (blocking: the ``declaration.mail`` job).

    Sent at most once: the sending time is committed right after the send, so a
    job delivered again finds it and sends nothing. A job killed between the
    two may send the same link twice, which confirms nothing twice.
    """
    with sessions() as session:
        row = session.get(Signature, signature_id)
        if row is None:
            raise NotFound("err_signature_not_found", "no such signature", "signature_id")
        if row.mail_sent_at is not None or row.status != "pending":
            return {"sent": False, "reason": "already sent or no longer pending"}
        declaration = session.get(Declaration, row.declaration_id)
        assert declaration is not None
        email = cipher_for(settings).decrypt(row.email_encrypted, context=EMAIL_CONTEXT)
        base = section(settings).declaration_public_url or base_url
        links = confirmation_links(settings, row, declaration.slug, base)
        lang = row.language if row.language in texts.LANGS else "ar"
        title = texts.pick(declaration.content["title"], lang)
        words = i18n.translations(lang)
        subject, body = words.gettext(MAIL_SUBJECT), words.gettext(MAIL_BODY)
        hours = section(settings).declaration_confirm_hours
        within = words.ngettext("%(num)s hour", "%(num)s hours", i18n.plural_number(hours)) % {
            "num": hours
        }
        session.rollback()
    try:
        sent = send_mail(
            settings,
            to=email,
            subject=subject.format(title=title),
            text=body.format(title=title, hours=within, **links),
        )
    except MailError as exc:
        # The reason names the server, never the address or the link.
        raise MarsadError("err_mail_failed", exc.reason, "mail", status=502) from None
    with sessions() as session:
        row = session.get(Signature, signature_id)
        if row is not None:
            row.mail_sent_at = utcnow()
        session.commit()
    return {"sent": True, "message_id": sent.message_id}
