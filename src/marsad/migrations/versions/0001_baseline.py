"""baseline: every table Marsad has, in one revision

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-05 13:30:00

Replaces the nine per-capability branches (0001_core … 0009_posts_fts_ascii) with the
schema they built, written out by hand: the core (staff, tokens, audit chain, settings,
places), posts (with the backend's full-text index), detect, reports and coordination.
A database still at the old heads is recognised by marsad.core.migrate and stamped
with this revision instead, since its schema is the same.

Nothing here imports Marsad: a migration must build the same tables whatever the
code becomes later. Times are ``sa.DateTime(timezone=True)`` (what UTCDateTime
stores); the gazetteer and the shipped categories are copied in as they were.

The full-text index is backend-specific and not in the models; it is named *_fts*
(the models-vs-migrations test leaves those alone):
- SQLite: a contentless FTS5 table over posts.search_text with the ascii tokenizer
  (the search text is already normalised tokens joined by spaces), keyed by post time.
  New posts are indexed by the posts service in the same transaction; the two
  triggers keep updates and deletes, which are rare, in step.
- PostgreSQL: a GIN index over to_tsvector('simple', search_text).
"""

import csv
import io
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)
_ID = sa.String(length=36)

# The FTS5 rowid of a post: seconds since 1900 of its time shifted left 30 bits, OR its
# id (ids stay below 2**30). FTS5 streams matches in rowid order, so "newest first" is
# the index's own order; ``rowid & (2**30 - 1)`` gives the post back.
_KEY = (
    "((max(coalesce(CAST(strftime('%s', {t}.created_at) AS INTEGER), -2208988800) "
    "+ 2208988800, 0) << 30) | {t}.id)"
)
_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE posts_fts USING fts5(search_text, content='', columnsize=0, "
    "tokenize='ascii')",
    "CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN "  # noqa: S608 - constant DDL
    "INSERT INTO posts_fts(posts_fts, rowid, search_text) "
    f"VALUES ('delete', {_KEY.format(t='old')}, old.search_text); END",
    "CREATE TRIGGER posts_fts_au AFTER UPDATE OF search_text, created_at ON posts "  # noqa: S608
    "BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, search_text) "
    f"VALUES ('delete', {_KEY.format(t='old')}, old.search_text); "
    f"INSERT INTO posts_fts(rowid, search_text) VALUES ({_KEY.format(t='new')}, "
    "new.search_text); END",
]
_POSTGRES_FTS = (
    "CREATE INDEX ix_posts_fts_search ON posts USING gin (to_tsvector('simple', search_text))"
)

# Iraq's 18 governorates and their districts by OCHA P-code, with a representative point
# inside each (as core/data/iraq_places.csv held them on 2026-12-05).
_GAZETTEER = """\
pcode,level,parent,name_en,name_ar,name_ckb,lat,lon
IQG01,1,,Al-Anbar,الانبار,ئەنبار,33.176,41.399
IQG01Q01,2,IQG01,Al-Falluja,الفلوجة,فەللووجە,33.14,43.794
IQG01Q02,2,IQG01,Al-Kaim,القائم,قائیم,34.091,40.902
IQG01Q03,2,IQG01,Al-Ramadi,الرمادي,ڕومادی,33.24,42.991
IQG01Q04,2,IQG01,Al-Rutba,الرطبة,ڕوتبە,32.564,41.154
IQG01Q05,2,IQG01,Ana,عنه,عانە,34.66,42.043
IQG01Q06,2,IQG01,Haditha,حديثة,حەدیسە,34.125,42.283
IQG01Q07,2,IQG01,Heet,هيت,هیت,33.814,42.677
IQG02,1,,Al-Basrah,البصرة,بەسرە,30.205,47.504
IQG02Q01,2,IQG02,Abu Al-Khaseeb,ابي الخصيب,ئەبولخەسیب,30.303,48.058
IQG02Q02,2,IQG02,Al-Basrah,البصرة,بەسرە,30.554,47.607
IQG02Q03,2,IQG02,Al-Faw,الفاو,فاو,30.044,48.202
IQG02Q04,2,IQG02,Al-Midaina,المدينة,مەدینە,30.947,47.277
IQG02Q05,2,IQG02,Al-Qurna,القرنة,قورنە,31.016,47.52
IQG02Q06,2,IQG02,Al-Zubair,الزبير,زوبێر,30.141,47.26
IQG02Q07,2,IQG02,Shat Al-Arab,شط العرب,شەتولعەرەب,30.803,47.807
IQG03,1,,Al-Muthanna,المثنى,موسەننا,30.405,45.36
IQG03Q01,2,IQG03,Al-Khidhir,الخضر,خدر,31.142,45.632
IQG03Q02,2,IQG03,Al-Rumaitha,الرميثة,ڕومەیسە,31.497,45.368
IQG03Q03,2,IQG03,Al-Salman,السلمان,سەلمان,30.248,45.348
IQG03Q04,2,IQG03,Al-Samawa,السماوة,سەماوە,31.241,45.299
IQG04,1,,Al-Najaf,النجف,نەجەف,31.226,43.316
IQG04Q01,2,IQG04,Al-Kufa,الكوفة,کووفە,32.114,44.492
IQG04Q02,2,IQG04,Al-Manathera,المناذرة,مەنازیرە,31.807,44.466
IQG04Q03,2,IQG04,Al-Najaf,النجف,نەجەف,31.226,43.316
IQG05,1,,Al-Qadissiya,القادسية,قادسیە,31.849,45.164
IQG05Q01,2,IQG05,Afaq,عفك,عەفەک,32.06,45.356
IQG05Q02,2,IQG05,Al-Diwaniya,الديوانية,دیوانیە,31.97,44.923
IQG05Q03,2,IQG05,Al-Hamza,الحمزة,حەمزە,31.592,44.777
IQG05Q04,2,IQG05,Al-Shamiya,الشامية,شامیە,31.757,44.677
IQG06,1,,Al-Sulaymaniyah,السليمانية,سلێمانی,35.729,45.501
IQG06Q01,2,IQG06,Al-Sulaymaniyah,السليمانية,سلێمانی,35.442,45.421
IQG06Q02,2,IQG06,Chamchamal,جمجمال,چەمچەماڵ,35.143,45.077
IQG06Q03,2,IQG06,Derbendikhan,دربندخان,دەربەندیخان,35.201,45.717
IQG06Q04,2,IQG06,Dokan,دوكان,دووکان,35.87,45.12
IQG06Q05,2,IQG06,Halabcha,حلبجة,هەڵەبجە,35.099,45.97
IQG06Q06,2,IQG06,Kalar,كلار,کەلار,34.901,45.291
IQG06Q07,2,IQG06,Panjwin,بنجوين,پێنجوێن,35.775,46.062
IQG06Q08,2,IQG06,Pshdar,بشدر,پشدەر,36.343,45.053
IQG06Q09,2,IQG06,Rania,رانية,ڕانیە,36.195,44.861
IQG06Q10,2,IQG06,Sharbazher,شهربازار,شارباژێڕ,35.735,45.595
IQG07,1,,Babil,بابل,بابل,32.58,44.636
IQG07Q01,2,IQG07,Al-Hashimiya,الهاشمية,هاشمیە,32.407,44.874
IQG07Q02,2,IQG07,Al-Hilla,الحلة,حیللە,32.449,44.47
IQG07Q03,2,IQG07,Al-Mahaweel,المحاويل,مەحاویل,32.658,44.66
IQG07Q04,2,IQG07,Al-Mussyab,المسيب,موسەیەب,32.826,44.307
IQG08,1,,Baghdad,بغداد,بەغدا,33.28,44.38
IQG08Q01,2,IQG08,Al-Adhamiya,الاعظمية,ئەعزەمیە,33.523,44.376
IQG08Q02,2,IQG08,Al-Kadhmiyah,الكاظمية,کازمیە,33.32,44.056
IQG08Q03,2,IQG08,Al-Karkh,الكرخ,کەرخ,33.254,44.374
IQG08Q04,2,IQG08,Al-Mada'in,المدائن,مەدائین,33.217,44.685
IQG08Q05,2,IQG08,Al-Mahmoudiya,المحمودية,مەحموودیە,33.058,44.329
IQG08Q06,2,IQG08,Al-Risafa,الرصافة,ڕوسافە,33.326,44.465
IQG08Q07,2,IQG08,Al-Thawra,الثورة,سەورە,33.386,44.463
IQG09,1,,Duhok,دهوك,دهۆک,37.044,43.139
IQG09Q01,2,IQG09,Al-Amadiya,العمادية,ئامێدی,37.118,43.551
IQG09Q02,2,IQG09,Duhok,دهوك,دهۆک,36.944,43.103
IQG09Q03,2,IQG09,Sumail,سميل,سێمێل,36.931,42.728
IQG09Q04,2,IQG09,Zakho,زاخو,زاخۆ,37.203,42.904
IQG10,1,,Diyala,ديالى,دیالە,34.071,44.896
IQG10Q01,2,IQG10,Al-Khalis,الخالص,خالس,34.084,44.657
IQG10Q02,2,IQG10,Al-Muqdadiya,المقدادية,موقدادیە,33.92,44.971
IQG10Q03,2,IQG10,Baladruz,بلدروز,بەلەدڕوز,33.561,45.44
IQG10Q04,2,IQG10,Baquba,بعقوبة,بەعقووبە,33.645,44.714
IQG10Q05,2,IQG10,Khanaqin,خانقين,خانەقین,34.295,45.251
IQG10Q06,2,IQG10,Kifri,كفري,کفری,34.558,44.956
IQG11,1,,Erbil,اربيل,هەولێر,35.904,44.19
IQG11Q01,2,IQG11,Al-Zibar,الزيبار,زێبار,37.017,44.058
IQG11Q02,2,IQG11,Erbil,اربيل,هەولێر,36.09,43.993
IQG11Q03,2,IQG11,Koysinjaq,كويسنجق,کۆیە,36.013,44.55
IQG11Q04,2,IQG11,Makhmour,مخمور,مەخموور,35.824,43.653
IQG11Q05,2,IQG11,Rawanduz,راوندوز,ڕەواندز,36.842,44.488
IQG11Q06,2,IQG11,Shaqlawa,شقلاوة,شەقڵاوە,36.429,44.224
IQG12,1,,Kerbala,كربلاء,کەربەلا,32.498,43.801
IQG12Q01,2,IQG12,Ain Al-Tamur,عين التمر,عەین تەمر,32.58,43.485
IQG12Q02,2,IQG12,Al-Hindiya,الهندية,هیندیە,32.466,44.207
IQG12Q03,2,IQG12,Kerbela,كربلاء,کەربەلا,32.325,43.96
IQG13,1,,Kirkuk,كركوك,کەرکووک,35.288,44.061
IQG13Q01,2,IQG13,Al-Hawiga,الحويجة,حەویجە,35.292,43.793
IQG13Q02,2,IQG13,Daquq,داقوق,داقووق,34.995,44.171
IQG13Q03,2,IQG13,Dibis,دبس,دووبز,35.661,44.131
IQG13Q04,2,IQG13,Kirkuk,كركوك,کەرکووک,35.478,44.46
IQG14,1,,Maysan,ميسان,مەیسان,31.914,47.048
IQG14Q01,2,IQG14,Al-Amara,العمارة,عەمارە,32.067,47.256
IQG14Q02,2,IQG14,Ali Al-Gharbi,علي الغربي,عەلی غەربی,32.421,46.766
IQG14Q03,2,IQG14,Al-Kahla,الكحلاء,کەحلا,31.762,47.43
IQG14Q04,2,IQG14,Al-Maimouna,الميمونة,مەیموونە,31.561,46.8
IQG14Q05,2,IQG14,Al-Mejar Al-Kabir,المجر الكبير,مەجەڕ کەبیر,31.375,47.356
IQG14Q06,2,IQG14,Qalat Saleh,قلعة صالح,قەڵای ساڵح,31.499,47.324
IQG15,1,,Ninewa,نينوى,نەینەوا,36.098,42.4
IQG15Q01,2,IQG15,Aqra,عقرة,ئاکرێ,36.668,43.946
IQG15Q02,2,IQG15,Al-Baaj,البعاج,بەعاج,36.018,41.805
IQG15Q03,2,IQG15,Al-Hamdaniya,الحمدانية,حەمدانیە,36.232,43.418
IQG15Q04,2,IQG15,Al-Hatra,الحضر,حەزەر,35.589,42.505
IQG15Q05,2,IQG15,Al-Mosul,الموصل,مووسڵ,36.051,42.945
IQG15Q06,2,IQG15,Al-Shikhan,الشيخان,شێخان,36.699,43.415
IQG15Q07,2,IQG15,Sinjar,سنجار,شنگال,36.365,41.769
IQG15Q08,2,IQG15,Telafar,تلعفر,تەلەعفەر,36.628,42.351
IQG15Q09,2,IQG15,Tilkaef,تلكيف,تلکێف,36.556,42.965
IQG16,1,,Salah Al-Din,صلاح الدين,سەڵاحەدین,34.662,43.634
IQG16Q01,2,IQG16,Al-Daur,الدور,دوور,34.505,44.144
IQG16Q02,2,IQG16,Al-Shirqat,الشرقاط,شەرقات,35.472,43.175
IQG16Q03,2,IQG16,Beygee,بيجي,بێجی,34.889,43.037
IQG16Q04,2,IQG16,Balad,بلد,بەلەد,33.939,43.837
IQG16Q05,2,IQG16,Samarra,سامراء,سامەڕا,34.267,43.744
IQG16Q06,2,IQG16,Tikrit,تكريت,تکریت,34.57,43.531
IQG16Q07,2,IQG16,Tooz Khurmato,طوز خورماتو,دووزخورماتوو,34.819,44.655
IQG17,1,,Thi Qar,ذي قار,زیقار,31.078,46.455
IQG17Q01,2,IQG17,Al-Chibayish,الجبايش,جەبایش,30.862,46.908
IQG17Q02,2,IQG17,Al-Rifai,الرفاعي,ڕیفاعی,31.665,46.123
IQG17Q03,2,IQG17,Al-Shatra,الشطرة,شەترە,31.463,46.34
IQG17Q04,2,IQG17,Al-Nasiriya,الناصرية,ناسریە,31.086,46.282
IQG17Q05,2,IQG17,Suq Al-Shoyokh,سوق الشيوخ,سووق شیوخ,30.814,46.458
IQG18,1,,Wassit,واسط,واست,32.863,45.575
IQG18Q01,2,IQG18,Al-Hai,الحي,حەی,32.179,46.021
IQG18Q02,2,IQG18,Al-Kut,الكوت,کووت,32.568,45.998
IQG18Q03,2,IQG18,Al-Namaniya,النعمانية,نوعمانیە,32.482,45.469
IQG18Q04,2,IQG18,Al-Suwaira,الصويرة,سوەیرە,32.842,45.047
IQG18Q05,2,IQG18,Badra,بدرة,بەدرە,32.944,45.86
"""

# The report categories a fresh install ships with: slug, Arabic, Kurdish Sorani, English,
# confidential (handled as private cases by default).
_CATEGORIES = (
    ("account_hacking", "اختراق حساب", "هاککردنی هەژمار", "Account hacking", True),
    ("blackmail", "ابتزاز إلكتروني", "ئیبتیزازی ئەلیکترۆنی", "Blackmail", True),
    (
        "arrest_over_post",
        "اعتقال بسبب منشور",
        "دەستگیرکردن بەهۆی پۆستێک",
        "Arrest over a post",
        False,
    ),
    ("threat", "تهديد", "هەڕەشە", "Threat", False),
    ("incitement", "تحريض", "هاندان", "Incitement", False),
    ("hate_speech", "خطاب كراهية", "گوتاری ڕق", "Hate speech", False),
    (
        "candidate_harassment",
        "مضايقة المرشحين",
        "ئازاردانی کاندیدەکان",
        "Harassment of candidates",
        False,
    ),
    ("fabricated_media", "محتوى مفبرك", "ناوەڕۆکی ساختە", "Fabricated media", False),
    ("misinformation", "معلومات مضللة", "زانیاریی چەواشەکارانە", "Misinformation", False),
    ("website_blocking", "حجب المواقع", "بلۆککردنی ماڵپەڕ", "Website blocking", False),
    ("internet_shutdown", "قطع الإنترنت", "بڕینی ئینتەرنێت", "Internet shutdown", False),
    ("privacy_breach", "انتهاك الخصوصية", "پێشێلکردنی تایبەتمەندی", "Privacy breach", False),
    ("surveillance", "مراقبة", "چاودێری", "Surveillance", False),
    ("other", "أخرى", "هیتر", "Other", False),
)


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=f"pk_{table}")


def _unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=f"uq_{table}_{columns[0]}")


def _fk(
    table: str, column: str, target: str, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}_{referred}", ondelete=ondelete
    )


def _index(table: str, *columns: str, name: str | None = None) -> None:
    op.create_index(name or f"ix_{table}_{columns[0]}", table, list(columns), unique=False)


def upgrade() -> None:
    _core()
    _posts()
    _detect()
    _reports()
    _coordination()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(_POSTGRES_FTS)
    _seed()


def _core() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        _pk("audit_head"),
    )
    op.create_table(
        "audit_records",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        _pk("audit_records", "seq"),
        _unique("audit_records", "hash"),
    )
    _index("audit_records", "action")
    op.create_table(
        "system_settings",
        sa.Column("id", _ID, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        _pk("system_settings"),
        _unique("system_settings", "key"),
    )
    op.create_table(
        "users",
        sa.Column("id", _ID, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.String(length=255), nullable=True),
        sa.Column("totp_enabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _TIME, nullable=True),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("last_login_at", _TIME, nullable=True),
        _pk("users"),
        _unique("users", "username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("last_used_at", _TIME, nullable=True),
        sa.Column("revoked_at", _TIME, nullable=True),
        _fk("api_tokens", "user_id", "users.id", "CASCADE"),
        _pk("api_tokens"),
        _unique("api_tokens", "token_hash"),
    )
    _index("api_tokens", "user_id")
    op.create_table(
        "recovery_codes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("used_at", _TIME, nullable=True),
        _fk("recovery_codes", "user_id", "users.id", "CASCADE"),
        _pk("recovery_codes"),
    )
    _index("recovery_codes", "user_id")
    op.create_table(
        "places",
        sa.Column("pcode", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parent_pcode", sa.String(length=16), nullable=True),
        sa.Column("name_ar", sa.String(length=128), nullable=False),
        sa.Column("name_ckb", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=True),
        sa.Column("updated_at", _TIME, nullable=False),
        _pk("places", "pcode"),
    )
    _index("places", "parent_pcode")


def _posts() -> None:
    op.create_table(
        "actors",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        _pk("actors"),
    )
    _index("actors", "name")
    op.create_table(
        "accounts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("handle", sa.String(length=128), nullable=True),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("actor_id", _ID, nullable=True),
        sa.Column("first_seen", _TIME, nullable=False),
        sa.Column("last_seen", _TIME, nullable=False),
        # Last, where the old migration 0006 added it: the column order stays the same.
        sa.Column("registered_at", _TIME, nullable=True),
        _fk("accounts", "actor_id", "actors.id", "SET NULL"),
        _pk("accounts"),
        _unique("accounts", "platform", "account_id"),
    )
    _index("accounts", "handle")
    _index("accounts", "actor_id")
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("post_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("created_at", _TIME, nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=True),
        sa.Column("hashtags", sa.JSON(), nullable=True),
        sa.Column("mentions", sa.JSON(), nullable=True),
        sa.Column("reply_to", sa.String(length=128), nullable=True),
        sa.Column("quote_of", sa.String(length=128), nullable=True),
        sa.Column("forward_from", sa.String(length=128), nullable=True),
        sa.Column("retweet_of", sa.String(length=128), nullable=True),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("shares", sa.Integer(), nullable=True),
        sa.Column("replies", sa.Integer(), nullable=True),
        sa.Column("quotes", sa.Integer(), nullable=True),
        sa.Column("views", sa.Integer(), nullable=True),
        sa.Column("reactions", sa.Integer(), nullable=True),
        sa.Column("media", sa.JSON(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ingested_at", _TIME, nullable=False),
        _pk("posts"),
        _unique("posts", "platform", "post_id"),
    )
    _index("posts", "created_at")
    _index("posts", "platform", "account_id", "created_at", name="ix_posts_account_time")
    op.create_table(
        "post_raw_dicts",
        # The dictionary's own zstd id (every frame compressed with it names it), not a sequence.
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("dictionary", sa.LargeBinary(), nullable=False),
        _pk("post_raw_dicts"),
    )
    _index("post_raw_dicts", "source")
    op.create_table(
        "watchlists",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        _pk("watchlists"),
        _unique("watchlists", "name"),
    )
    op.create_table(
        "watchlist_accounts",
        sa.Column("watchlist_id", _ID, nullable=False),
        sa.Column("account_pk", _ID, nullable=False),
        sa.Column("added_at", _TIME, nullable=False),
        _fk("watchlist_accounts", "account_pk", "accounts.id", "CASCADE"),
        _fk("watchlist_accounts", "watchlist_id", "watchlists.id", "CASCADE"),
        _pk("watchlist_accounts", "watchlist_id", "account_pk"),
    )
    _index("watchlist_accounts", "account_pk")
    op.create_table(
        "watchlist_keywords",
        sa.Column("watchlist_id", _ID, nullable=False),
        sa.Column("keyword", sa.String(length=255), nullable=False),
        sa.Column("normalized", sa.String(length=255), nullable=False),
        _fk("watchlist_keywords", "watchlist_id", "watchlists.id", "CASCADE"),
        _pk("watchlist_keywords", "watchlist_id", "keyword"),
    )


def _detect() -> None:
    op.create_table(
        "flags",
        sa.Column("id", _ID, nullable=False),
        sa.Column("post_pk", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("glossary_version", sa.String(length=64), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("top_score", sa.Float(), nullable=False),
        sa.Column("hate_type", sa.JSON(), nullable=True),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("review_status", sa.String(length=16), nullable=False),
        sa.Column("reviewed_labels", sa.JSON(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", _TIME, nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("review_count", sa.Integer(), nullable=False),
        _fk("flags", "post_pk", "posts.id", "CASCADE"),
        _pk("flags"),
        _unique("flags", "post_pk", "model_version", "glossary_version"),
    )
    _index("flags", "post_pk")
    _index("flags", "flagged", "review_status", "top_score", name="ix_flags_queue")
    op.create_table(
        "glossary_entries",
        sa.Column("term_id", sa.String(length=128), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        _pk("glossary_entries", "term_id"),
    )
    _index("glossary_entries", "status")
    op.create_table(
        "glossary_revisions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("term_id", sa.String(length=128), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("glossary_version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", _TIME, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _pk("glossary_revisions"),
        _unique("glossary_revisions", "term_id", "revision"),
    )
    _index("glossary_revisions", "glossary_version")
    _index("glossary_revisions", "term_id")


def _reports() -> None:
    op.create_table(
        "report_categories",
        sa.Column("id", _ID, nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("parent_id", _ID, nullable=True),
        sa.Column("name_ar", sa.String(length=128), nullable=False),
        sa.Column("name_ckb", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _fk("report_categories", "parent_id", "report_categories.id", "SET NULL"),
        _pk("report_categories"),
        _unique("report_categories", "slug"),
    )
    op.create_table(
        "reports",
        sa.Column("id", _ID, nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=80), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("links", sa.Text(), nullable=False),
        sa.Column("category_id", _ID, nullable=False),
        sa.Column("occurred_at", _TIME, nullable=True),
        sa.Column("governorate_pcode", sa.String(length=16), nullable=True),
        sa.Column("district_pcode", sa.String(length=16), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("contact_sealed", sa.Text(), nullable=True),
        sa.Column("assigned_to_id", _ID, nullable=True),
        sa.Column("duplicate_of_id", _ID, nullable=True),
        sa.Column("location_precision", sa.String(length=16), nullable=True),
        sa.Column("time_precision", sa.String(length=16), nullable=True),
        sa.Column("published_at", _TIME, nullable=True),
        sa.Column("locked_by_id", _ID, nullable=True),
        sa.Column("locked_until", _TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        _fk("reports", "assigned_to_id", "users.id", "SET NULL"),
        _fk("reports", "category_id", "report_categories.id"),
        _fk("reports", "duplicate_of_id", "reports.id", "SET NULL"),
        _fk("reports", "locked_by_id", "users.id", "SET NULL"),
        _pk("reports"),
        _unique("reports", "receipt_hash"),
        _unique("reports", "source_ref"),
    )
    for column in (
        "assigned_to_id",
        "category_id",
        "created_at",
        "governorate_pcode",
        "published_at",
        "status",
    ):
        _index("reports", column)
    op.create_table(
        "report_comments",
        sa.Column("id", _ID, nullable=False),
        sa.Column("report_id", _ID, nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        _fk("report_comments", "report_id", "reports.id", "CASCADE"),
        _pk("report_comments"),
    )
    _index("report_comments", "report_id")
    op.create_table(
        "report_files",
        sa.Column("id", _ID, nullable=False),
        sa.Column("report_id", _ID, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        _fk("report_files", "report_id", "reports.id", "CASCADE"),
        _pk("report_files"),
    )
    _index("report_files", "report_id")
    _index("report_files", "sha256")


def _coordination() -> None:
    op.create_table(
        "coordination_runs",
        sa.Column("id", _ID, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("clusters", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        _pk("coordination_runs"),
    )
    _index("coordination_runs", "created_at")
    op.create_table(
        "account_links",
        sa.Column("id", _ID, nullable=False),
        sa.Column("predecessor", sa.String(length=200), nullable=False),
        sa.Column("successor", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("contributions", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", _TIME, nullable=False),
        _pk("account_links"),
        _unique("account_links", "predecessor", "successor"),
    )
    _index("account_links", "predecessor")
    _index("account_links", "successor")
    op.create_table(
        "account_statuses",
        sa.Column("id", _ID, nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("observed_at", _TIME, nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
        _pk("account_statuses"),
        _unique("account_statuses", "account", "status", "source", "observed_at"),
    )
    _index("account_statuses", "account")
    _index("account_statuses", "status")


def _seed() -> None:
    """The rows a fresh install starts with: the audit chain's genesis head, the
    gazetteer (so reports can be placed at once) and the shipped categories."""
    now = datetime.now(UTC)
    op.bulk_insert(
        sa.table(
            "audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"), sa.column("mac")
        ),
        [{"id": 1, "seq": 0, "hash": "0" * 64, "mac": "genesis"}],
    )
    places = sa.table(
        "places",
        *(sa.column(name) for name in ("pcode", "level", "parent_pcode", "geometry")),
        *(sa.column(f"name_{lang}") for lang in ("ar", "ckb", "en")),
        sa.column("lat", sa.Float()),
        sa.column("lon", sa.Float()),
        sa.column("updated_at", _TIME),
    )
    op.bulk_insert(
        places,
        [
            {
                "pcode": row["pcode"],
                "level": int(row["level"]),
                "parent_pcode": row["parent"] or None,
                "name_ar": row["name_ar"],
                "name_ckb": row["name_ckb"],
                "name_en": row["name_en"],
                "lat": float(row["lat"]),
                "lon": float(row["lon"]),
                "geometry": None,
                "updated_at": now,
            }
            for row in csv.DictReader(io.StringIO(_GAZETTEER))
        ],
    )
    categories = sa.table(
        "report_categories",
        *(sa.column(name) for name in ("id", "slug", "parent_id", "name_ar", "name_ckb")),
        sa.column("name_en"),
        sa.column("confidential", sa.Boolean()),
        sa.column("position", sa.Integer()),
        sa.column("active", sa.Boolean()),
    )
    op.bulk_insert(
        categories,
        [
            {
                "id": str(uuid.uuid4()),
                "slug": slug,
                "parent_id": None,
                "name_ar": name_ar,
                "name_ckb": name_ckb,
                "name_en": name_en,
                "confidential": confidential,
                "position": position,
                "active": True,
            }
            for position, (slug, name_ar, name_ckb, name_en, confidential) in enumerate(_CATEGORIES)
        ],
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("posts_fts_ad", "posts_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS posts_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_posts_fts_search")
    # Dependants first; a table's indexes go with it.
    for table in (
        "account_statuses",
        "account_links",
        "coordination_runs",
        "report_files",
        "report_comments",
        "reports",
        "report_categories",
        "glossary_revisions",
        "glossary_entries",
        "flags",
        "watchlist_keywords",
        "watchlist_accounts",
        "watchlists",
        "post_raw_dicts",
        "posts",
        "accounts",
        "actors",
        "places",
        "recovery_codes",
        "api_tokens",
        "users",
        "system_settings",
        "audit_records",
        "audit_head",
    ):
        op.drop_table(table)
