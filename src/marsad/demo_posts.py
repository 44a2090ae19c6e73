"""Sample social-media posts for `marsad demo`, written by the project.

Fictional accounts on a fictional platform export (generic JSONL), in Iraqi
Arabic, Kurdish Sorani and English: everyday talk about elections, services
and the internet, with some abusive, hateful and inciting posts of the kind
monitors look for, and a small copy-paste campaign. No real person's words.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

ACCOUNTS = {
    "u100": ("baghdad_voice", "صوت بغداد"),
    "u101": ("basra_news_24", "أخبار البصرة"),
    "u102": ("hawler_today", "هەولێر ئەمڕۆ"),
    "u103": ("civic_watch_iq", "Civic Watch Iraq"),
    "u104": ("abu_haider_77", "ابو حيدر"),
    "u105": ("najaf_daily", "النجف اليوم"),
    "u106": ("patriot_iq_1", "وطني ١"),
    "u107": ("patriot_iq_2", "وطني ٢"),
    "u108": ("patriot_iq_3", "وطني ٣"),
    "u109": ("sulaimani_youth", "لاوانی سلێمانی"),
    "u110": ("abu_haider_78", "ابو حيدر ٧٨"),
}

# The abusive account u104 is suspended after its last post (the demo records
# that); two weeks later u110 appears with nearly the same name, the same evening
# habits and the same words: the successor an analyst should be shown first.
BANNED_ACCOUNT = "u104"
SUCCESSOR_ACCOUNT = "u110"
SUCCESSOR_TEXTS = (
    "رجعنا، يا خونة يا حقيرين، ما تسكتونا",
    "انت حمار وما تفهم شي، سد حلكك وروح",
    "هذول الخونة لازم ينطردون واحد واحد",
)

TEXTS = [
    (
        "u100",
        "انقطاع الانترنت اليوم في بغداد من الساعة الخامسة، هل عندكم نفس المشكلة؟ #قطع_الانترنت",
    ),
    ("u101", "مفوضية الانتخابات تعلن مواعيد تحديث سجل الناخبين في البصرة"),
    ("u102", "ئەمڕۆ لە هەولێر کۆبوونەوەیەک دەربارەی ئازادی ڕادەربڕین ئەنجامدرا"),
    ("u103", "Election observers in Nineveh report long queues but a calm day so far."),
    ("u104", "يا كلب يا حقير، والله لو شفتك بالشارع اكسر راسك"),
    ("u105", "توزيع الحصة التموينية يتأخر للشهر الثاني في النجف"),
    ("u109", "لاوانی سلێمانی داوای هێڵی ئینتەرنێتی خێراتر دەکەن"),
    ("u103", "Reminder: think before you share. Verify a photo before you post it."),
    ("u104", "هذول الخونة لازم ينذبحون واحد واحد، اقتلوهم ولا ترحموهم"),
    ("u100", "شكرا لكل الصحفيين اللي غطوا الانتخابات بمهنية"),
    ("u101", "أمطار غزيرة متوقعة على البصرة وذي قار نهاية الأسبوع"),
    ("u102", "Internet access was restored in Erbil after three hours."),
    ("u105", "حساب مزيف ينتحل صفة مرشح في النجف، انتبهوا"),
    ("u104", "انت حمار وما تفهم شي، سد حلكك"),
    ("u109", "هەڵبژاردن مافی هەموومانە، بەشداری بکەن"),
    ("u103", "Our weekly report on hate speech online is out: trends in three provinces."),
    ("u100", "باقية وتتمدد — منشور متطرف رصدناه وأبلغنا عنه المنصة"),
]

# A copy-paste campaign: three new accounts post near-identical texts within
# minutes of each other, again and again.
CAMPAIGN = (
    "المرشح فلان هو الأمل الوحيد للعراق، انتخبوه وانشروا #الأمل_الوحيد",
    "لا تصدقوا الاشاعات عن مرشحنا، كلها اكاذيب من الخصوم #الأمل_الوحيد",
    "يوم الانتخابات كلنا نروح وننتخب الأمل الوحيد، شاركوا المنشور #الأمل_الوحيد",
)
CAMPAIGN_ACCOUNTS = ("u106", "u107", "u108")


# Everyday chatter, so that the chance model has ordinary activity to measure
# the campaign against: common hashtags used by many accounts at random times.
CHATTER = (
    ("الكهرباء مقطوعة من الصبح", "#الكهرباء"),
    ("الجو حار جدا اليوم", "#بغداد"),
    ("مباراة المنتخب الليلة", "#العراق"),
    ("زحمة على الجسر", "#بغداد"),
    ("الامتحانات الوزارية بعد أسبوع", "#العراق"),
    ("الانترنت بطيء اليوم", "#قطع_الانترنت"),
)
ORGANIC_ACCOUNTS = ("u100", "u101", "u102", "u103", "u105", "u109")


def write_sample_posts(path: Path, *, now: datetime | None = None) -> Path:
    """Write the sample posts as generic JSONL: id, author, author_name, text, created_at."""
    now = now or datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    lines = []
    for i, (account, text) in enumerate(TEXTS):
        lines.append(_line(f"demo-{i}", account, text, now - timedelta(hours=3 * i)))
    for i in range(240):
        account = ORGANIC_ACCOUNTS[(i * 7) % len(ORGANIC_ACCOUNTS)]
        phrase, tag = CHATTER[(i * 5 + i // 7) % len(CHATTER)]
        at = now - timedelta(minutes=(i * 977) % (30 * 24 * 60))
        lines.append(_line(f"demo-o{i}", account, f"{phrase} {i % 13} {tag}", at))
    banned_last = max(
        now - timedelta(hours=3 * i) for i, (a, _t) in enumerate(TEXTS) if a == BANNED_ACCOUNT
    )
    for i, text in enumerate(SUCCESSOR_TEXTS):
        at = banned_last + timedelta(days=14 + i, hours=i)
        lines.append(_line(f"demo-s{i}", SUCCESSOR_ACCOUNT, text, at))
    for k, message in enumerate(CAMPAIGN):
        start = now - timedelta(days=k + 1)
        for j, account in enumerate(CAMPAIGN_ACCOUNTS):
            text = message if j != 1 else message + "!!"  # small edits do not hide a copy
            lines.append(_line(f"demo-c{k}-{j}", account, text, start + timedelta(seconds=20 * j)))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line(post_id: str, account: str, text: str, at: datetime) -> str:
    handle, name = ACCOUNTS[account]
    return json.dumps(
        {
            "id": post_id,
            "author": handle,
            "author_name": name,
            "text": text,
            "created_at": at.isoformat(),
        },
        ensure_ascii=False,
    )
