"""Report categories: those Marsad ships with, lookup by slug, and admins' edits.

Slugs are stable identifiers used by the API, exports and imports; names are
shown in the visitor's language. ``confidential`` marks categories whose
reports are handled as private cases by default (a reviewer can change it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.reports.models import Category


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


def list_categories(session: Session, *, include_inactive: bool = False) -> list[Category]:
    """Categories in display order."""
    query = select(Category).order_by(Category.position, Category.slug)
    if not include_inactive:
        query = query.where(Category.active.is_(True))
    return list(session.execute(query).scalars())


def get_category(session: Session, *, slug: str) -> Category:
    """An active category by slug; InvalidInput naming ``category`` when unknown."""
    category = session.execute(
        select(Category).where(Category.slug == slug.strip(), Category.active.is_(True))
    ).scalar_one_or_none()
    if category is None:
        raise InvalidInput(
            "err_category_unknown",
            _("Unknown category: {value}").format(value=slug),
            "category",
        )
    return category


def save_category(
    session: Session,
    *,
    slug: str,
    name_ar: str,
    name_ckb: str,
    name_en: str,
    parent: str | None = None,
    confidential: bool = False,
    actor: str,
) -> Category:
    """Create or rename a category (admins); audited."""
    slug = slug.strip().lower()
    if not slug or not slug.replace("_", "").isalnum() or len(slug) > 64:
        raise InvalidInput(
            "err_slug_invalid", _("An identifier is small Latin letters, digits and _."), "slug"
        )
    parent_row = get_category(session, slug=parent) if parent else None
    if parent_row is not None and parent_row.slug == slug:
        raise InvalidInput("err_category_parent", _("A category cannot contain itself."), "parent")
    category = session.execute(select(Category).where(Category.slug == slug)).scalar_one_or_none()
    if category is None:
        position = session.execute(select(func.count()).select_from(Category)).scalar_one()
        category = Category(slug=slug, position=position)
        session.add(category)
    category.name_ar, category.name_ckb, category.name_en = name_ar, name_ckb, name_en
    category.parent_id = parent_row.id if parent_row else None
    category.confidential = confidential
    category.active = True
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="category.saved",
        subject_type="category",
        subject_id=category.id,
        details={"slug": slug, "parent": parent},
    )
    return category
