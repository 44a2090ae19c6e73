"""The categories Marsad ships with (admins add, rename and nest more).

Slugs are stable identifiers used by the API, exports and imports; names are
shown in the visitor's language. ``confidential`` marks categories whose
reports are handled as private cases by default (a reviewer can change it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategorySeed:
    slug: str
    name_ar: str
    name_ckb: str
    name_en: str
    confidential: bool = False
    parent: str | None = None


DEFAULT_CATEGORIES: tuple[CategorySeed, ...] = (
    CategorySeed("account_hacking", "اختراق حساب", "هاککردنی هەژمار", "Account hacking", True),
    CategorySeed("blackmail", "ابتزاز إلكتروني", "ئیبتیزازی ئەلیکترۆنی", "Blackmail", True),
    CategorySeed(
        "arrest_over_post", "اعتقال بسبب منشور", "دەستگیرکردن بەهۆی پۆستێک", "Arrest over a post"
    ),
    CategorySeed("threat", "تهديد", "هەڕەشە", "Threat"),
    CategorySeed("incitement", "تحريض", "هاندان", "Incitement"),
    CategorySeed("hate_speech", "خطاب كراهية", "گوتاری ڕق", "Hate speech"),
    CategorySeed(
        "candidate_harassment",
        "مضايقة المرشحين",
        "ئازاردانی کاندیدەکان",
        "Harassment of candidates",
    ),
    CategorySeed("fabricated_media", "محتوى مفبرك", "ناوەڕۆکی ساختە", "Fabricated media"),
    CategorySeed("misinformation", "معلومات مضللة", "زانیاریی چەواشەکارانە", "Misinformation"),
    CategorySeed("website_blocking", "حجب المواقع", "بلۆککردنی ماڵپەڕ", "Website blocking"),
    CategorySeed("internet_shutdown", "قطع الإنترنت", "بڕینی ئینتەرنێت", "Internet shutdown"),
    CategorySeed("privacy_breach", "انتهاك الخصوصية", "پێشێلکردنی تایبەتمەندی", "Privacy breach"),
    CategorySeed("surveillance", "مراقبة", "چاودێری", "Surveillance"),
    CategorySeed("other", "أخرى", "هیتر", "Other"),
)
