"""The human side of a case bundle: index.html (Arabic and English) and VERIFY.txt.

The index is one self-contained page: styles inline, no script, no image, no
font and no link to another host, so opening it sends nothing anywhere. Arabic
comes first, right to left; English follows, left to right. Times are shown in
the configured zone (Asia/Baghdad by default) beside UTC.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from marsad.core.i18n import translations
from marsad.core.i18n.markers import N_

HERE = Path(__file__).resolve().parent
LABELS = {
    "title": N_("Case bundle"),
    "intro": N_(
        "This bundle holds evidence preserved by Marsad: each item's files, its metadata, "
        "its chain of custody and its trusted timestamps, with the SHA-256 of every file."
    ),
    "how": N_("How to check it: see VERIFY.txt in this bundle."),
    "created": N_("Made"),
    "by": N_("Made by"),
    "item": N_("Item"),
    "kind": N_("Kind"),
    "source": N_("Source"),
    "captured": N_("Captured"),
    "files": N_("Files"),
    "custody": N_("Custody events"),
    "timestamps": N_("Trusted timestamps"),
    "none": N_("none"),
    "replay": N_("Web capture for replay tools (WACZ)"),
}


# Item kinds and timestamp states, shown from data.
WORDS = {
    "file": N_("file added by hand"),
    "capture": N_("web capture"),
    "attachment": N_("report attachment"),
    "post_record": N_("raw post record"),
    "derivative": N_("derivative (redacted or cropped)"),
    "granted": N_("granted"),
    "pending": N_("waiting for the time-stamping authority"),
    "failed": N_("not granted"),
}


def _words(lang: str) -> dict[str, str]:
    gettext = translations(lang).gettext
    return {word: gettext(msgid) for word, msgid in WORDS.items()}


def _labels(lang: str) -> dict[str, str]:
    gettext = translations(lang).gettext
    return {key: gettext(msgid) for key, msgid in LABELS.items()}


def _when(value: str | None, zone: tzinfo) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} ({local:%Z}) · {moment:%Y-%m-%d %H:%M} UTC"


def render_index(summary: dict[str, Any], *, zone: tzinfo) -> str:
    """index.html of a bundle from its ``bundle.json`` summary."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = lambda value: _when(value, zone)
    template = env.get_template("evidence/bundle_index.html")
    sections = [("ar", "rtl", _labels("ar")), ("en", "ltr", _labels("en"))]
    words = {lang: _words(lang) for lang in ("ar", "en")}
    return template.render(summary=summary, sections=sections, words=words)


def verify_text(summary: dict[str, Any]) -> str:
    """VERIFY.txt: how to check the bundle by hand, in English and Arabic."""
    stamps = [
        (s["path"], s["sha256"].removeprefix("sha256:"))
        for item in summary["items"]
        for s in item["timestamps"]
        if s.get("path")
    ]
    ca = summary.get("tsa_ca")
    lines = [
        "HOW TO CHECK THIS CASE BUNDLE",
        "=============================",
        "",
        "1. Every file against the manifest. Unzip the bundle, enter its folder, and run:",
        "",
        "       sha256sum -c manifest-sha256.txt",
        "",
        "   Every line must say OK. A file not listed in manifest-sha256.txt was added",
        "   after the bundle was made. Without Marsad, `marsad evidence verify-bundle",
        "   case.zip` does this and every check below in one go.",
        "",
        "2. Each item's content: items/<id>/item.json gives the SHA-256 of each file",
        '   ("sha256": "sha256:<hex>"); `sha256sum items/<id>/content.*` must print the',
        "   same hex.",
        "",
        "3. The chain of custody: items/<id>/custody.jsonl has one event per line.",
        '   Each event\'s "hash" is the SHA-256 of the compact JSON array',
        "   [item_id, seq, at, actor, action, reason, details, prev_hash]",
        '   (keys sorted, separators "," and ":", UTF-8 not escaped), and each',
        '   event\'s "prev_hash" is the "hash" of the event before it (64 zeros for',
        "   the first). A changed, removed or reordered event breaks the chain.",
        "",
        "4. Trusted timestamps (RFC 3161): each token is a time-stamp response over the",
        "   item's SHA-256, signed by the time-stamping authority (TSA). Check it with:",
        "",
    ]
    ca_arg = f"-CAfile {ca}" if ca else "-CAfile <the TSA's CA certificate, PEM>"
    if stamps:
        for path, digest in stamps:
            lines.append(f"       openssl ts -verify -in {path} -digest {digest} {ca_arg}")
    else:
        lines.append("       (this bundle holds no timestamp token)")
    lines += [
        "",
        '   "Verification: OK" means the TSA vouches that the file with that SHA-256',
        "   existed at the time written in the token (`openssl ts -reply -in <token>",
        "   -text` shows it). Obtain the TSA's CA certificate from the TSA itself too,",
        "   not only from this bundle.",
        "",
        "5. Web captures: items/<id>/capture.wacz opens in ReplayWeb.page and other",
        "   WACZ readers; its datapackage.json lists the SHA-256 of each of its files.",
        "",
        "",
        "كيفية التحقق من حزمة القضية هذه",
        "==============================",
        "",
        "١. فكّ ضغط الحزمة، وادخل مجلدها، ثم نفّذ:  sha256sum -c manifest-sha256.txt",
        "   يجب أن يظهر OK لكل سطر. أي ملف غير مذكور في الملف manifest-sha256.txt أُضيف",
        "   بعد إنشاء الحزمة. الأمر  marsad evidence verify-bundle case.zip  يجري كل",
        "   الفحوص دون قاعدة بيانات.",
        "٢. يذكر الملف items/<id>/item.json بصمة SHA-256 لكل ملف من ملفات العنصر.",
        "٣. سجل الحيازة items/<id>/custody.jsonl: بصمة كل حدث هي SHA-256 لمحتواه ولبصمة",
        "   الحدث الذي قبله، فأي تعديل أو حذف أو إعادة ترتيب يكسر السلسلة.",
        "٤. الطوابع الزمنية الموثوقة (RFC 3161): تحقّق من كل رمز بالأمر openssl ts -verify",
        "   المذكور أعلاه، مع شهادة سلطة الختم الزمني التي تحصل عليها من السلطة نفسها.",
        "٥. ملفات WACZ تُفتح في ReplayWeb.page لإعادة عرض الصفحات الملتقطة.",
        "",
    ]
    return "\n".join(lines)
