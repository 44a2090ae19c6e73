"""Words for the codes the reports capability stores, in the reader's language.

Pages never print a stored code (``web``, ``governorate``, ``image/jpeg``,
``received``): they print what these functions return. Each table maps a code
to a function, so the text is translated when the page is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from marsad.core.i18n import gettext as _

Label = Callable[[], str]

CHANNEL_LABELS: dict[str, Label] = {
    "web": lambda: _("the web form"),
    "api": lambda: _("the API"),
    "email": lambda: _("e-mail"),
    "import": lambda: _("an import (Ushahidi)"),
    "sample": lambda: _("sample data"),
}
# What the public sees of a published report, one sentence per choice.
LOCATION_SENTENCES: dict[str, Label] = {
    "exact": lambda: _("The public sees the exact point."),
    "district": lambda: _("The public sees the district only."),
    "governorate": lambda: _("The public sees the governorate only."),
}
TIME_SENTENCES: dict[str, Label] = {
    "exact": lambda: _("The public sees the exact time."),
    "day": lambda: _("The public sees the day only."),
    "week": lambda: _("The public sees the week only."),
    "month": lambda: _("The public sees the month only."),
}
FILE_KINDS: dict[str, Label] = {
    "image": lambda: _("Photo"),
    "video": lambda: _("Video"),
    "audio": lambda: _("Audio"),
    "application/pdf": lambda: _("PDF document"),
    "text": lambda: _("Text"),
}
# The message shown after a form on the staff report page was saved (?done=…).
DONE_MESSAGES: dict[str, Label] = {
    "transition": lambda: _("Saved: the status was changed."),
    "assigned": lambda: _("Saved: the assignment was changed."),
    "commented": lambda: _("Saved: your comment was added."),
    "edited": lambda: _("Saved: your changes to the report were stored."),
    "unlocked": lambda: _("The report is no longer open for editing; nothing was changed."),
    "requested": lambda: _("Your request for the contact was sent to a second person."),
    "decided": lambda: _("Saved: your decision on the request was recorded."),
    "case": lambda: _("Saved: the case was updated."),
}


def label(table: dict[str, Label], code: str | None) -> str:
    """The words for ``code`` in ``table``; a code without words is shown as it is."""
    if code is None:
        return ""
    words = table.get(code)
    return words() if words else code


def file_kind(media_type: str) -> str:
    """Photo, Video, Audio, PDF document or Text, for a file's media type."""
    kind = FILE_KINDS.get(media_type) or FILE_KINDS.get(media_type.partition("/")[0])
    return kind() if kind else _("File")


def transition_sentence(before: str, after: str, status_label: Callable[[str], str]) -> str:
    """A status move as a sentence: "Status changed from Received to Being reviewed"."""
    return _("Status changed from %(before)s to %(after)s.") % {
        "before": status_label(before),
        "after": status_label(after),
    }


def occurred_text(when: datetime | None, precision: str | None, zone: str) -> str:
    """When it happened, as precise as the reporter gave it (a date alone stays a date)."""
    if when is None:
        return "—"
    local = when.astimezone(ZoneInfo(zone))
    if precision == "day":
        return local.strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")
