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
    # Why a capture failed: the code before the colon in ``EvidenceItem.reason``.
    "failures": {
        "err_capture_url": N_("The address is not a web address that can be captured."),
        "err_capture_unreachable": N_("The site could not be reached."),
        "err_capture_network": N_("The network failed during the capture."),
        "err_capture_timeout": N_("The site did not answer in time."),
        "err_capture_tls": N_("The site's secure connection could not be verified."),
        "err_capture_too_large": N_("The page is larger than the capture limit."),
        "err_capture_redirect_loop": N_("The site keeps redirecting and never shows a page."),
        "err_capture_failed": N_("The capture failed."),
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


def failure(reason: str | None) -> tuple[str, str]:
    """Split a stored failure reason (``"err_code: detail"``) into the msgid staff read
    and the technical detail (English, shown small, for whoever debugs the capture)."""
    code, _, detail = (reason or "").partition(":")
    if code not in LABELS["failures"]:
        return LABELS["failures"]["err_capture_failed"], (reason or "").strip()
    return LABELS["failures"][code], detail.strip()
