"""Sample reports for ``marsad demo``: invented cases in Arabic, Kurdish and English.

No real person, account or event: names, places and details are made up for
the demo. Loading twice adds nothing (each sample has a fixed source ref).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.blobs import BlobStore
from marsad.core.db import utcnow
from marsad.core.security import FieldCipher
from marsad.core.settings import Settings
from marsad.reports import service, workflow
from marsad.reports.models import Report


@dataclass(frozen=True)
class Sample:
    key: str
    title: str
    description: str
    category: str
    language: str
    when: datetime
    district: str | None = None
    governorate: str | None = None
    point: tuple[float, float] | None = None
    contact: str | None = None
    status: str = workflow.RECEIVED
    location_precision: str = "district"
    time_precision: str = "day"


def _d(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


SAMPLES: tuple[Sample, ...] = (
    Sample(
        "s01",
        "استدعاء مدوّن للتحقيق بسبب منشور ساخر",
        "استُدعي مدوّن إلى مركز شرطة بعد منشور ساخر عن انقطاع الكهرباء، وطُلب منه حذف المنشور.",
        "arrest_over_post",
        "ar",
        _d(2025, 3, 4),
        district="IQG02Q02",
        status=workflow.PUBLISHED,
    ),
    Sample(
        "s02",
        "حجب موقع إخباري محلي",
        "تعذّر الوصول إلى موقع إخباري محلي من شبكتين للهاتف المحمول منذ ثلاثة أيام.",
        "website_blocking",
        "ar",
        _d(2025, 3, 10),
        district="IQG08Q06",
        status=workflow.PUBLISHED,
        time_precision="week",
    ),
    Sample(
        "s03",
        "قطع الإنترنت أثناء الامتحانات",
        "انقطعت خدمة الإنترنت صباحاً لساعتين في أيام الامتحانات الوزارية.",
        "internet_shutdown",
        "ar",
        _d(2025, 6, 14),
        governorate="IQG17",
        status=workflow.PUBLISHED,
        location_precision="governorate",
        time_precision="day",
    ),
    Sample(
        "s04",
        "هەڕەشە لە ڕۆژنامەنووسێک لە تۆڕە کۆمەڵایەتییەکان",
        "دوای بڵاوکردنەوەی ڕاپۆرتێک دەربارەی گەندەڵی، چەندین هەژماری نەناسراو"
        " هەڕەشەیان لە ڕۆژنامەنووسەکە کرد.",
        "threat",
        "ckb",
        _d(2025, 4, 2),
        district="IQG06Q01",
        status=workflow.PUBLISHED,
    ),
    Sample(
        "s05",
        "گوتاری ڕق دژی کەمینەیەکی ئایینی",
        "پەیجێکی گەورە چەند پۆستێکی بڵاوکردەوە کە داوای دەرکردنی کەمینەیەکی ئایینی دەکات.",
        "hate_speech",
        "ckb",
        _d(2025, 5, 20),
        district="IQG09Q02",
        status=workflow.PUBLISHED,
        time_precision="month",
    ),
    Sample(
        "s06",
        "Fabricated video of a candidate shared widely",
        "An edited video attributing invented statements to a local candidate"
        " spread on several pages.",
        "fabricated_media",
        "en",
        _d(2025, 7, 1),
        district="IQG15Q05",
        status=workflow.PUBLISHED,
    ),
    Sample(
        "s07",
        "Candidate harassed with coordinated comments",
        "A woman candidate's posts received hundreds of near-identical insulting"
        " comments within an hour.",
        "candidate_harassment",
        "en",
        _d(2025, 7, 8),
        district="IQG11Q02",
        point=(36.19, 44.01),
        status=workflow.PUBLISHED,
        location_precision="exact",
    ),
    Sample(
        "s08",
        "اختراق حساب ناشطة ونشر صور خاصة",
        "اختُرق حساب ناشطة وهُدّدت بنشر صور خاصة ما لم تتوقف عن النشر.",
        "blackmail",
        "ar",
        _d(2025, 8, 3),
        district="IQG07Q02",
        contact="sample-reporter@example.invalid",
        status=workflow.TRIAGED,
    ),
    Sample(
        "s09",
        "معلومات مضللة عن مراكز الاقتراع",
        "تنتشر رسالة تدّعي تغيير مواعيد فتح مراكز الاقتراع.",
        "misinformation",
        "ar",
        _d(2025, 8, 20),
        district="IQG13Q04",
    ),
    Sample(
        "s10",
        "Surveillance app found on a journalist's phone",
        "A journalist found an unknown app with access to messages after a phone"
        " was held at a checkpoint.",
        "surveillance",
        "en",
        _d(2025, 9, 2),
        governorate="IQG10",
        contact="+964 700 000 0000",
    ),
)


def load_sample_reports(session: Session, *, settings: Settings, cipher: FieldCipher) -> int:
    """Add the sample reports that are missing; return how many were added."""
    added = 0
    limits = settings.reports
    for sample in SAMPLES:
        ref = f"sample:{sample.key}"
        if session.execute(select(Report.id).where(Report.source_ref == ref)).first():
            continue
        done = service.submit_report(
            session,
            submission=service.Submission(
                title=sample.title,
                description=sample.description,
                category=sample.category,
                occurred_at=sample.when,
                governorate=sample.governorate,
                district=sample.district,
                lat=sample.point[0] if sample.point else None,
                lon=sample.point[1] if sample.point else None,
                contact=sample.contact,
                language=sample.language,
            ),
            channel="sample",
            cipher=cipher,
            settings=limits,
            blobs=BlobStore.from_settings(settings),
            zone=settings.timezone,
            source_ref=ref,
            actor="sample",
        )
        report = done.report
        if sample.status != workflow.RECEIVED:
            report.status = sample.status
            report.verified = sample.status == workflow.PUBLISHED
            if sample.status == workflow.PUBLISHED:
                report.location_precision = sample.location_precision
                report.time_precision = sample.time_precision
                report.published_at = utcnow()
            audit.record(
                session,
                actor="sample",
                action="report.transition",
                subject_type="report",
                subject_id=report.id,
                details={"from": workflow.RECEIVED, "to": sample.status, "sample": True},
            )
        added += 1
    session.flush()
    return added
