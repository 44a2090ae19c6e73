"""Audit records as sentences a person reads, in the reader's language.

The audit trail stores stable action codes (``user.disabled``) and JSON details;
the audit page shows each as a sentence. Codes without a sentence here are shown
as ``actor: action``, never hidden.
"""

from __future__ import annotations

import json
from typing import Any

from marsad.core.i18n import gettext as _
from marsad.core.i18n.markers import N_

# action -> sentence; %(actor)s is who acted, %(subject)s what it acted on.
SENTENCES = {
    "login.succeeded": N_("%(actor)s signed in."),
    "login.failed": N_("A sign-in as %(actor)s failed."),
    "login.refused_locked": N_("A sign-in as %(actor)s was refused: too many failures."),
    "login.recovery_code_used": N_("%(actor)s signed in with a recovery code."),
    "logout": N_("%(actor)s signed out."),
    "user.created": N_("%(actor)s added the staff account %(subject)s."),
    "user.disabled": N_("%(actor)s disabled the staff account %(subject)s."),
    "user.enabled": N_("%(actor)s enabled the staff account %(subject)s."),
    "user.password_changed": N_("%(actor)s changed the password of %(subject)s."),
    "token.created": N_("%(actor)s created an API token for %(subject)s."),
    "report.received": N_("Report %(subject)s was received."),
    "report.viewed": N_("%(actor)s opened report %(subject)s."),
    "report.contact_viewed": N_("%(actor)s viewed the contact of report %(subject)s."),
    "report.edited": N_("%(actor)s edited report %(subject)s."),
    "report.transition": N_("%(actor)s changed the status of report %(subject)s."),
    "report.assigned": N_("%(actor)s assigned report %(subject)s."),
    "report.commented": N_("%(actor)s commented on report %(subject)s."),
    "report.locked": N_("%(actor)s opened report %(subject)s for editing."),
    "report.contact_requested": N_("%(actor)s asked for the contact of report %(subject)s."),
    "report.contact_approved": N_(
        "%(actor)s approved a request for the contact of report %(subject)s."
    ),
    "report.contact_denied": N_(
        "%(actor)s denied a request for the contact of report %(subject)s."
    ),
    "report.file_viewed": N_("%(actor)s looked at a file of report %(subject)s."),
    "report.file_downloaded": N_("%(actor)s downloaded a file of report %(subject)s."),
    "case.caseworker_added": N_("%(actor)s added a caseworker to case %(subject)s."),
    "case.caseworker_removed": N_("%(actor)s removed a caseworker from case %(subject)s."),
    "case.entry_added": N_("%(actor)s added an entry to case %(subject)s."),
    "case.entry_done": N_("%(actor)s marked a follow-up of case %(subject)s done."),
    "case.updated": N_("%(actor)s updated case %(subject)s."),
    "report.located": N_("Report %(subject)s was placed in its area from its point."),
    "flag.confirmed": N_("%(actor)s confirmed a flagged post."),
    "flag.rejected": N_("%(actor)s rejected a flagged post."),
    "flag.undone": N_("%(actor)s took back a decision on a flagged post."),
    "glossary.term_created": N_("%(actor)s added the glossary term %(subject)s."),
    "glossary.term_changed": N_("%(actor)s changed the glossary term %(subject)s."),
    "coordination.run": N_("%(actor)s ran a coordination search."),
    "posts.ingested": N_("%(actor)s imported posts."),
    "job.submitted": N_("%(actor)s started a background job."),
    "job.cancelled": N_("%(actor)s cancelled a background job."),
}
# The families the audit page filters by (the part before the dot).
FAMILIES = {
    "login": N_("Sign-ins"),
    "user": N_("Staff accounts"),
    "token": N_("API tokens"),
    "report": N_("Reports"),
    "case": N_("Confidential cases"),
    "flag": N_("Flagged posts"),
    "glossary": N_("Glossary"),
    "coordination": N_("Coordination"),
    "posts": N_("Posts"),
    "job": N_("Background jobs"),
}


def describe(*, action: str, actor: str, subject_id: str, details: str | None) -> str:
    """One record as a sentence in the current language."""
    try:
        extra: Any = json.loads(details) if details else {}
    except ValueError:
        extra = {}
    subject = extra.get("username") if isinstance(extra, dict) else None
    subject = subject or subject_id[:8]
    sentence = SENTENCES.get(action)
    if sentence is None:
        return f"{actor}: {action}"
    return _(sentence) % {"actor": actor, "subject": subject}
