"""Words the evidence pages show for stored codes (kinds, statuses, custody actions…).

English msgids marked with ``N_`` so the catalogue extraction finds them; the
pages translate them when they render (``_(labels.kinds[item.kind])``).
"""

from __future__ import annotations

from marsad.core.i18n.markers import N_

LABELS = {
    "kinds": {
        "capture": N_("Captured page"),
        "file": N_("File"),
        "attachment": N_("Report attachment"),
        "post_record": N_("Post record"),
        "derivative": N_("Derived copy"),
    },
    "statuses": {
        "pending": N_("Pending"),
        "captured": N_("Kept"),
        "failed": N_("Failed"),
        "granted": N_("Granted"),
    },
    "actions": {
        "create": N_("Created"),
        "capture": N_("Capture attempt"),
        "view": N_("Viewed"),
        "download": N_("Downloaded"),
        "export": N_("Exported"),
        "transfer": N_("Handed over"),
        "verify": N_("Verified"),
        "timestamp": N_("Time-stamped"),
    },
    "roles": {
        "warc": N_("WARC record"),
        "screenshot": N_("Screenshot"),
        "pdf": N_("PDF"),
        "metadata": N_("Capture metadata"),
        "original": N_("Original"),
        "frame": N_("Video frame"),
    },
    "reasons": {
        "preview": N_("Preview"),
    },
    "changes": {
        "http_status": N_("HTTP status"),
        "content_sha256": N_("Content hash"),
        "title": N_("Title"),
        "size": N_("Size"),
    },
}


def label(group: str, code: str) -> str:
    """The msgid for ``code`` in ``group``; the code itself when it has none."""
    return LABELS.get(group, {}).get(code, code)
