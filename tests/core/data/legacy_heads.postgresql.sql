-- The schema and data of a Marsad database at the last per-capability migration heads
-- (0003_reports, 0004_detect, 0007_coordination_statuses, 0009_posts_fts_ascii), frozen
-- so tests/core/test_migrations.py can prove such a database is adopted by 0001_baseline.
-- Made from an empty database upgraded with the migrations at commit b0e0dbb; see
-- tests/core/data/README.md. Do not edit by hand.
CREATE TABLE account_links (
    id character varying(36) NOT NULL,
    predecessor character varying(200) NOT NULL,
    successor character varying(200) NOT NULL,
    status character varying(16) NOT NULL,
    score double precision,
    contributions json,
    note text,
    decided_by character varying(64) NOT NULL,
    decided_at timestamp with time zone NOT NULL
);
CREATE TABLE account_statuses (
    id character varying(36) NOT NULL,
    account character varying(200) NOT NULL,
    status character varying(16) NOT NULL,
    source character varying(8) NOT NULL,
    reason character varying(64),
    note text,
    observed_at timestamp with time zone NOT NULL,
    recorded_by character varying(64) NOT NULL,
    recorded_at timestamp with time zone NOT NULL
);
CREATE TABLE accounts (
    id character varying(36) NOT NULL,
    platform character varying(16) NOT NULL,
    account_id character varying(128) NOT NULL,
    handle character varying(128),
    display_name character varying(255),
    actor_id character varying(36),
    first_seen timestamp with time zone NOT NULL,
    last_seen timestamp with time zone NOT NULL,
    registered_at timestamp with time zone
);
CREATE TABLE actors (
    id character varying(36) NOT NULL,
    name character varying(255) NOT NULL,
    kind character varying(32),
    notes text,
    created_at timestamp with time zone NOT NULL
);
CREATE TABLE alembic_version (
    version_num character varying(32) NOT NULL
);
CREATE TABLE api_tokens (
    id character varying(36) NOT NULL,
    user_id character varying(36) NOT NULL,
    token_hash character varying(64) NOT NULL,
    label character varying(128) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone
);
CREATE TABLE audit_head (
    id integer NOT NULL,
    seq integer NOT NULL,
    hash character varying(64) NOT NULL,
    mac character varying(64) NOT NULL
);
CREATE SEQUENCE audit_head_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE audit_head_id_seq OWNED BY audit_head.id;
CREATE TABLE audit_records (
    seq integer NOT NULL,
    at timestamp with time zone NOT NULL,
    actor character varying(128) NOT NULL,
    action character varying(64) NOT NULL,
    subject_type character varying(64) NOT NULL,
    subject_id character varying(128) NOT NULL,
    details text NOT NULL,
    prev_hash character varying(64) NOT NULL,
    hash character varying(64) NOT NULL
);
CREATE TABLE coordination_runs (
    id character varying(36) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    created_by character varying(64) NOT NULL,
    parameters json NOT NULL,
    posts integer NOT NULL,
    clusters integer NOT NULL,
    result json NOT NULL
);
CREATE TABLE flags (
    id character varying(36) NOT NULL,
    post_pk integer NOT NULL,
    model_version character varying(64) NOT NULL,
    glossary_version character varying(64) NOT NULL,
    flagged boolean NOT NULL,
    labels json NOT NULL,
    scores json NOT NULL,
    top_score double precision NOT NULL,
    hate_type json,
    spans json NOT NULL,
    language character varying(8),
    created_at timestamp with time zone NOT NULL,
    review_status character varying(16) NOT NULL,
    reviewed_labels json,
    reviewed_by character varying(64),
    reviewed_at timestamp with time zone,
    review_note text,
    review_count integer NOT NULL
);
CREATE TABLE glossary_entries (
    term_id character varying(128) NOT NULL,
    data json NOT NULL,
    status character varying(16) NOT NULL,
    revision integer NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    updated_by character varying(64) NOT NULL
);
CREATE TABLE glossary_revisions (
    id character varying(36) NOT NULL,
    term_id character varying(128) NOT NULL,
    revision integer NOT NULL,
    glossary_version integer NOT NULL,
    data json NOT NULL,
    changed_by character varying(64) NOT NULL,
    changed_at timestamp with time zone NOT NULL,
    note text
);
CREATE TABLE places (
    pcode character varying(16) NOT NULL,
    level integer NOT NULL,
    parent_pcode character varying(16),
    name_ar character varying(128) NOT NULL,
    name_ckb character varying(128) NOT NULL,
    name_en character varying(128) NOT NULL,
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    geometry text,
    updated_at timestamp with time zone NOT NULL
);
CREATE TABLE post_raw_dicts (
    id integer NOT NULL,
    source character varying(16) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    dictionary bytea NOT NULL
);
CREATE TABLE posts (
    id integer NOT NULL,
    platform character varying(16) NOT NULL,
    post_id character varying(128) NOT NULL,
    account_id character varying(128),
    text text NOT NULL,
    search_text text NOT NULL,
    lang character varying(8),
    created_at timestamp with time zone,
    url text,
    links json,
    hashtags json,
    mentions json,
    reply_to character varying(128),
    quote_of character varying(128),
    forward_from character varying(128),
    retweet_of character varying(128),
    likes integer,
    shares integer,
    replies integer,
    quotes integer,
    views integer,
    reactions integer,
    media json,
    extra json,
    raw bytea,
    source character varying(16) NOT NULL,
    ingested_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE posts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE posts_id_seq OWNED BY posts.id;
CREATE TABLE recovery_codes (
    id character varying(36) NOT NULL,
    user_id character varying(36) NOT NULL,
    code_hash character varying(255) NOT NULL,
    used_at timestamp with time zone
);
CREATE TABLE report_categories (
    id character varying(36) NOT NULL,
    slug character varying(64) NOT NULL,
    parent_id character varying(36),
    name_ar character varying(128) NOT NULL,
    name_ckb character varying(128) NOT NULL,
    name_en character varying(128) NOT NULL,
    confidential boolean NOT NULL,
    "position" integer NOT NULL,
    active boolean NOT NULL
);
CREATE TABLE report_comments (
    id character varying(36) NOT NULL,
    report_id character varying(36) NOT NULL,
    author character varying(64) NOT NULL,
    body text NOT NULL,
    created_at timestamp with time zone NOT NULL
);
CREATE TABLE report_files (
    id character varying(36) NOT NULL,
    report_id character varying(36) NOT NULL,
    sha256 character varying(64) NOT NULL,
    filename character varying(255) NOT NULL,
    media_type character varying(100) NOT NULL,
    size integer NOT NULL,
    created_at timestamp with time zone NOT NULL
);
CREATE TABLE reports (
    id character varying(36) NOT NULL,
    receipt_hash character varying(64) NOT NULL,
    status character varying(16) NOT NULL,
    confidential boolean NOT NULL,
    verified boolean NOT NULL,
    channel character varying(16) NOT NULL,
    source_ref character varying(80),
    language character varying(8) NOT NULL,
    title character varying(300) NOT NULL,
    description text NOT NULL,
    links text NOT NULL,
    category_id character varying(36) NOT NULL,
    occurred_at timestamp with time zone,
    governorate_pcode character varying(16),
    district_pcode character varying(16),
    lat double precision,
    lon double precision,
    contact_sealed text,
    assigned_to_id character varying(36),
    duplicate_of_id character varying(36),
    location_precision character varying(16),
    time_precision character varying(16),
    published_at timestamp with time zone,
    locked_by_id character varying(36),
    locked_until timestamp with time zone,
    version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);
CREATE TABLE system_settings (
    id character varying(36) NOT NULL,
    key character varying(64) NOT NULL,
    value text NOT NULL,
    updated_at timestamp with time zone NOT NULL
);
CREATE TABLE users (
    id character varying(36) NOT NULL,
    username character varying(64) NOT NULL,
    role character varying(16) NOT NULL,
    password_hash character varying(255) NOT NULL,
    is_active boolean NOT NULL,
    totp_secret character varying(255),
    totp_enabled boolean NOT NULL,
    failed_logins integer NOT NULL,
    locked_until timestamp with time zone,
    session_epoch integer NOT NULL,
    language character varying(8),
    created_at timestamp with time zone NOT NULL,
    last_login_at timestamp with time zone
);
CREATE TABLE watchlist_accounts (
    watchlist_id character varying(36) NOT NULL,
    account_pk character varying(36) NOT NULL,
    added_at timestamp with time zone NOT NULL
);
CREATE TABLE watchlist_keywords (
    watchlist_id character varying(36) NOT NULL,
    keyword character varying(255) NOT NULL,
    normalized character varying(255) NOT NULL
);
CREATE TABLE watchlists (
    id character varying(36) NOT NULL,
    name character varying(128) NOT NULL,
    description text,
    created_at timestamp with time zone NOT NULL
);
ALTER TABLE ONLY audit_head ALTER COLUMN id SET DEFAULT nextval('audit_head_id_seq'::regclass);
ALTER TABLE ONLY posts ALTER COLUMN id SET DEFAULT nextval('posts_id_seq'::regclass);
INSERT INTO alembic_version VALUES ('0007_coordination_statuses');
INSERT INTO alembic_version VALUES ('0009_posts_fts_ascii');
INSERT INTO alembic_version VALUES ('0004_detect');
INSERT INTO alembic_version VALUES ('0003_reports');
INSERT INTO audit_head VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 'genesis');
INSERT INTO places VALUES ('IQG01', 1, NULL, 'الانبار', 'ئەنبار', 'Al-Anbar', 33.176, 41.399, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG01Q01', 2, 'IQG01', 'الفلوجة', 'فەللووجە', 'Al-Falluja', 33.14, 43.794, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG01Q02', 2, 'IQG01', 'القائم', 'قائیم', 'Al-Kaim', 34.091, 40.902, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG01Q03', 2, 'IQG01', 'الرمادي', 'ڕومادی', 'Al-Ramadi', 33.24, 42.991, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG01Q04', 2, 'IQG01', 'الرطبة', 'ڕوتبە', 'Al-Rutba', 32.564, 41.154, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG01Q05', 2, 'IQG01', 'عنه', 'عانە', 'Ana', 34.66, 42.043, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG01Q06', 2, 'IQG01', 'حديثة', 'حەدیسە', 'Haditha', 34.125, 42.283, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG01Q07', 2, 'IQG01', 'هيت', 'هیت', 'Heet', 33.814, 42.677, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG02', 1, NULL, 'البصرة', 'بەسرە', 'Al-Basrah', 30.205, 47.504, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG02Q01', 2, 'IQG02', 'ابي الخصيب', 'ئەبولخەسیب', 'Abu Al-Khaseeb', 30.303, 48.058, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG02Q02', 2, 'IQG02', 'البصرة', 'بەسرە', 'Al-Basrah', 30.554, 47.607, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG02Q03', 2, 'IQG02', 'الفاو', 'فاو', 'Al-Faw', 30.044, 48.202, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG02Q04', 2, 'IQG02', 'المدينة', 'مەدینە', 'Al-Midaina', 30.947, 47.277, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG02Q05', 2, 'IQG02', 'القرنة', 'قورنە', 'Al-Qurna', 31.016, 47.52, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG02Q06', 2, 'IQG02', 'الزبير', 'زوبێر', 'Al-Zubair', 30.141, 47.26, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG02Q07', 2, 'IQG02', 'شط العرب', 'شەتولعەرەب', 'Shat Al-Arab', 30.803, 47.807, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG03', 1, NULL, 'المثنى', 'موسەننا', 'Al-Muthanna', 30.405, 45.36, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG03Q01', 2, 'IQG03', 'الخضر', 'خدر', 'Al-Khidhir', 31.142, 45.632, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG03Q02', 2, 'IQG03', 'الرميثة', 'ڕومەیسە', 'Al-Rumaitha', 31.497, 45.368, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG03Q03', 2, 'IQG03', 'السلمان', 'سەلمان', 'Al-Salman', 30.248, 45.348, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG03Q04', 2, 'IQG03', 'السماوة', 'سەماوە', 'Al-Samawa', 31.241, 45.299, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG04', 1, NULL, 'النجف', 'نەجەف', 'Al-Najaf', 31.226, 43.316, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG04Q01', 2, 'IQG04', 'الكوفة', 'کووفە', 'Al-Kufa', 32.114, 44.492, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG04Q02', 2, 'IQG04', 'المناذرة', 'مەنازیرە', 'Al-Manathera', 31.807, 44.466, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG04Q03', 2, 'IQG04', 'النجف', 'نەجەف', 'Al-Najaf', 31.226, 43.316, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG05', 1, NULL, 'القادسية', 'قادسیە', 'Al-Qadissiya', 31.849, 45.164, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG05Q01', 2, 'IQG05', 'عفك', 'عەفەک', 'Afaq', 32.06, 45.356, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG05Q02', 2, 'IQG05', 'الديوانية', 'دیوانیە', 'Al-Diwaniya', 31.97, 44.923, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG05Q03', 2, 'IQG05', 'الحمزة', 'حەمزە', 'Al-Hamza', 31.592, 44.777, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG05Q04', 2, 'IQG05', 'الشامية', 'شامیە', 'Al-Shamiya', 31.757, 44.677, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06', 1, NULL, 'السليمانية', 'سلێمانی', 'Al-Sulaymaniyah', 35.729, 45.501, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06Q01', 2, 'IQG06', 'السليمانية', 'سلێمانی', 'Al-Sulaymaniyah', 35.442, 45.421, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06Q02', 2, 'IQG06', 'جمجمال', 'چەمچەماڵ', 'Chamchamal', 35.143, 45.077, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06Q03', 2, 'IQG06', 'دربندخان', 'دەربەندیخان', 'Derbendikhan', 35.201, 45.717, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06Q04', 2, 'IQG06', 'دوكان', 'دووکان', 'Dokan', 35.87, 45.12, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06Q05', 2, 'IQG06', 'حلبجة', 'هەڵەبجە', 'Halabcha', 35.099, 45.97, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06Q06', 2, 'IQG06', 'كلار', 'کەلار', 'Kalar', 34.901, 45.291, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06Q07', 2, 'IQG06', 'بنجوين', 'پێنجوێن', 'Panjwin', 35.775, 46.062, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06Q08', 2, 'IQG06', 'بشدر', 'پشدەر', 'Pshdar', 36.343, 45.053, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06Q09', 2, 'IQG06', 'رانية', 'ڕانیە', 'Rania', 36.195, 44.861, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG06Q10', 2, 'IQG06', 'شهربازار', 'شارباژێڕ', 'Sharbazher', 35.735, 45.595, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG07', 1, NULL, 'بابل', 'بابل', 'Babil', 32.58, 44.636, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG07Q01', 2, 'IQG07', 'الهاشمية', 'هاشمیە', 'Al-Hashimiya', 32.407, 44.874, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG07Q02', 2, 'IQG07', 'الحلة', 'حیللە', 'Al-Hilla', 32.449, 44.47, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG07Q03', 2, 'IQG07', 'المحاويل', 'مەحاویل', 'Al-Mahaweel', 32.658, 44.66, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG07Q04', 2, 'IQG07', 'المسيب', 'موسەیەب', 'Al-Mussyab', 32.826, 44.307, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG08', 1, NULL, 'بغداد', 'بەغدا', 'Baghdad', 33.28, 44.38, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG08Q01', 2, 'IQG08', 'الاعظمية', 'ئەعزەمیە', 'Al-Adhamiya', 33.523, 44.376, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG08Q02', 2, 'IQG08', 'الكاظمية', 'کازمیە', 'Al-Kadhmiyah', 33.32, 44.056, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG08Q03', 2, 'IQG08', 'الكرخ', 'کەرخ', 'Al-Karkh', 33.254, 44.374, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG08Q04', 2, 'IQG08', 'المدائن', 'مەدائین', 'Al-Mada''in', 33.217, 44.685, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG08Q05', 2, 'IQG08', 'المحمودية', 'مەحموودیە', 'Al-Mahmoudiya', 33.058, 44.329, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG08Q06', 2, 'IQG08', 'الرصافة', 'ڕوسافە', 'Al-Risafa', 33.326, 44.465, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG08Q07', 2, 'IQG08', 'الثورة', 'سەورە', 'Al-Thawra', 33.386, 44.463, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG09', 1, NULL, 'دهوك', 'دهۆک', 'Duhok', 37.044, 43.139, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG09Q01', 2, 'IQG09', 'العمادية', 'ئامێدی', 'Al-Amadiya', 37.118, 43.551, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG09Q02', 2, 'IQG09', 'دهوك', 'دهۆک', 'Duhok', 36.944, 43.103, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG09Q03', 2, 'IQG09', 'سميل', 'سێمێل', 'Sumail', 36.931, 42.728, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG09Q04', 2, 'IQG09', 'زاخو', 'زاخۆ', 'Zakho', 37.203, 42.904, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG10', 1, NULL, 'ديالى', 'دیالە', 'Diyala', 34.071, 44.896, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG10Q01', 2, 'IQG10', 'الخالص', 'خالس', 'Al-Khalis', 34.084, 44.657, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG10Q02', 2, 'IQG10', 'المقدادية', 'موقدادیە', 'Al-Muqdadiya', 33.92, 44.971, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG10Q03', 2, 'IQG10', 'بلدروز', 'بەلەدڕوز', 'Baladruz', 33.561, 45.44, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG10Q04', 2, 'IQG10', 'بعقوبة', 'بەعقووبە', 'Baquba', 33.645, 44.714, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG10Q05', 2, 'IQG10', 'خانقين', 'خانەقین', 'Khanaqin', 34.295, 45.251, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG10Q06', 2, 'IQG10', 'كفري', 'کفری', 'Kifri', 34.558, 44.956, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG11', 1, NULL, 'اربيل', 'هەولێر', 'Erbil', 35.904, 44.19, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG11Q01', 2, 'IQG11', 'الزيبار', 'زێبار', 'Al-Zibar', 37.017, 44.058, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG11Q02', 2, 'IQG11', 'اربيل', 'هەولێر', 'Erbil', 36.09, 43.993, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG11Q03', 2, 'IQG11', 'كويسنجق', 'کۆیە', 'Koysinjaq', 36.013, 44.55, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG11Q04', 2, 'IQG11', 'مخمور', 'مەخموور', 'Makhmour', 35.824, 43.653, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG11Q05', 2, 'IQG11', 'راوندوز', 'ڕەواندز', 'Rawanduz', 36.842, 44.488, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG11Q06', 2, 'IQG11', 'شقلاوة', 'شەقڵاوە', 'Shaqlawa', 36.429, 44.224, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG12', 1, NULL, 'كربلاء', 'کەربەلا', 'Kerbala', 32.498, 43.801, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG12Q01', 2, 'IQG12', 'عين التمر', 'عەین تەمر', 'Ain Al-Tamur', 32.58, 43.485, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG12Q02', 2, 'IQG12', 'الهندية', 'هیندیە', 'Al-Hindiya', 32.466, 44.207, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG12Q03', 2, 'IQG12', 'كربلاء', 'کەربەلا', 'Kerbela', 32.325, 43.96, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG13', 1, NULL, 'كركوك', 'کەرکووک', 'Kirkuk', 35.288, 44.061, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG13Q01', 2, 'IQG13', 'الحويجة', 'حەویجە', 'Al-Hawiga', 35.292, 43.793, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG13Q02', 2, 'IQG13', 'داقوق', 'داقووق', 'Daquq', 34.995, 44.171, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG13Q03', 2, 'IQG13', 'دبس', 'دووبز', 'Dibis', 35.661, 44.131, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG13Q04', 2, 'IQG13', 'كركوك', 'کەرکووک', 'Kirkuk', 35.478, 44.46, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG14', 1, NULL, 'ميسان', 'مەیسان', 'Maysan', 31.914, 47.048, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG14Q01', 2, 'IQG14', 'العمارة', 'عەمارە', 'Al-Amara', 32.067, 47.256, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG14Q02', 2, 'IQG14', 'علي الغربي', 'عەلی غەربی', 'Ali Al-Gharbi', 32.421, 46.766, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG14Q03', 2, 'IQG14', 'الكحلاء', 'کەحلا', 'Al-Kahla', 31.762, 47.43, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG14Q04', 2, 'IQG14', 'الميمونة', 'مەیموونە', 'Al-Maimouna', 31.561, 46.8, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG14Q05', 2, 'IQG14', 'المجر الكبير', 'مەجەڕ کەبیر', 'Al-Mejar Al-Kabir', 31.375, 47.356, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG14Q06', 2, 'IQG14', 'قلعة صالح', 'قەڵای ساڵح', 'Qalat Saleh', 31.499, 47.324, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG15', 1, NULL, 'نينوى', 'نەینەوا', 'Ninewa', 36.098, 42.4, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG15Q01', 2, 'IQG15', 'عقرة', 'ئاکرێ', 'Aqra', 36.668, 43.946, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG15Q02', 2, 'IQG15', 'البعاج', 'بەعاج', 'Al-Baaj', 36.018, 41.805, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG15Q03', 2, 'IQG15', 'الحمدانية', 'حەمدانیە', 'Al-Hamdaniya', 36.232, 43.418, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG15Q04', 2, 'IQG15', 'الحضر', 'حەزەر', 'Al-Hatra', 35.589, 42.505, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG15Q05', 2, 'IQG15', 'الموصل', 'مووسڵ', 'Al-Mosul', 36.051, 42.945, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG15Q06', 2, 'IQG15', 'الشيخان', 'شێخان', 'Al-Shikhan', 36.699, 43.415, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG15Q07', 2, 'IQG15', 'سنجار', 'شنگال', 'Sinjar', 36.365, 41.769, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG15Q08', 2, 'IQG15', 'تلعفر', 'تەلەعفەر', 'Telafar', 36.628, 42.351, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG15Q09', 2, 'IQG15', 'تلكيف', 'تلکێف', 'Tilkaef', 36.556, 42.965, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG16', 1, NULL, 'صلاح الدين', 'سەڵاحەدین', 'Salah Al-Din', 34.662, 43.634, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG16Q01', 2, 'IQG16', 'الدور', 'دوور', 'Al-Daur', 34.505, 44.144, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG16Q02', 2, 'IQG16', 'الشرقاط', 'شەرقات', 'Al-Shirqat', 35.472, 43.175, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG16Q03', 2, 'IQG16', 'بيجي', 'بێجی', 'Beygee', 34.889, 43.037, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG16Q04', 2, 'IQG16', 'بلد', 'بەلەد', 'Balad', 33.939, 43.837, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG16Q05', 2, 'IQG16', 'سامراء', 'سامەڕا', 'Samarra', 34.267, 43.744, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG16Q06', 2, 'IQG16', 'تكريت', 'تکریت', 'Tikrit', 34.57, 43.531, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG16Q07', 2, 'IQG16', 'طوز خورماتو', 'دووزخورماتوو', 'Tooz Khurmato', 34.819, 44.655, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG17', 1, NULL, 'ذي قار', 'زیقار', 'Thi Qar', 31.078, 46.455, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG17Q01', 2, 'IQG17', 'الجبايش', 'جەبایش', 'Al-Chibayish', 30.862, 46.908, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG17Q02', 2, 'IQG17', 'الرفاعي', 'ڕیفاعی', 'Al-Rifai', 31.665, 46.123, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG17Q03', 2, 'IQG17', 'الشطرة', 'شەترە', 'Al-Shatra', 31.463, 46.34, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG17Q04', 2, 'IQG17', 'الناصرية', 'ناسریە', 'Al-Nasiriya', 31.086, 46.282, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG17Q05', 2, 'IQG17', 'سوق الشيوخ', 'سووق شیوخ', 'Suq Al-Shoyokh', 30.814, 46.458, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG18', 1, NULL, 'واسط', 'واست', 'Wassit', 32.863, 45.575, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG18Q01', 2, 'IQG18', 'الحي', 'حەی', 'Al-Hai', 32.179, 46.021, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG18Q02', 2, 'IQG18', 'الكوت', 'کووت', 'Al-Kut', 32.568, 45.998, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG18Q03', 2, 'IQG18', 'النعمانية', 'نوعمانیە', 'Al-Namaniya', 32.482, 45.469, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG18Q04', 2, 'IQG18', 'الصويرة', 'سوەیرە', 'Al-Suwaira', 32.842, 45.047, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO places VALUES ('IQG18Q05', 2, 'IQG18', 'بدرة', 'بەدرە', 'Badra', 32.944, 45.86, NULL, '2026-12-05 13:09:39.901827+00');
INSERT INTO report_categories VALUES ('eec65000-a6c6-4848-b67b-6e65beb42bdb', 'account_hacking', NULL, 'اختراق حساب', 'هاککردنی هەژمار', 'Account hacking', true, 0, true);
INSERT INTO report_categories VALUES ('3ab35e91-3c6e-49ac-beac-5f72c377dee3', 'blackmail', NULL, 'ابتزاز إلكتروني', 'ئیبتیزازی ئەلیکترۆنی', 'Blackmail', true, 1, true);
INSERT INTO report_categories VALUES ('4de40f65-4bad-4cc8-9eda-9726e529bbf1', 'arrest_over_post', NULL, 'اعتقال بسبب منشور', 'دەستگیرکردن بەهۆی پۆستێک', 'Arrest over a post', false, 2, true);
INSERT INTO report_categories VALUES ('cbce29d6-a9c0-44bb-a158-09e3841c84c6', 'threat', NULL, 'تهديد', 'هەڕەشە', 'Threat', false, 3, true);
INSERT INTO report_categories VALUES ('c4d8d8ed-4095-4487-82df-c087ba65bac0', 'incitement', NULL, 'تحريض', 'هاندان', 'Incitement', false, 4, true);
INSERT INTO report_categories VALUES ('ce33c20b-decb-4a9a-9cad-96c3f611d52a', 'hate_speech', NULL, 'خطاب كراهية', 'گوتاری ڕق', 'Hate speech', false, 5, true);
INSERT INTO report_categories VALUES ('3245bae1-cc2e-473a-913f-90f68adbec0f', 'candidate_harassment', NULL, 'مضايقة المرشحين', 'ئازاردانی کاندیدەکان', 'Harassment of candidates', false, 6, true);
INSERT INTO report_categories VALUES ('070c4ae7-1b2c-41b5-afeb-fa9b42b92a40', 'fabricated_media', NULL, 'محتوى مفبرك', 'ناوەڕۆکی ساختە', 'Fabricated media', false, 7, true);
INSERT INTO report_categories VALUES ('989389a3-d516-47cb-94e0-07fd4fa3cfdd', 'misinformation', NULL, 'معلومات مضللة', 'زانیاریی چەواشەکارانە', 'Misinformation', false, 8, true);
INSERT INTO report_categories VALUES ('fbe9a3b8-d1b6-49c9-9d14-800827b4acbd', 'website_blocking', NULL, 'حجب المواقع', 'بلۆککردنی ماڵپەڕ', 'Website blocking', false, 9, true);
INSERT INTO report_categories VALUES ('dc821bb4-6a28-4c91-9723-f95a90e71e15', 'internet_shutdown', NULL, 'قطع الإنترنت', 'بڕینی ئینتەرنێت', 'Internet shutdown', false, 10, true);
INSERT INTO report_categories VALUES ('87e5a7a8-f1e1-4d53-801c-aaf87576cefe', 'privacy_breach', NULL, 'انتهاك الخصوصية', 'پێشێلکردنی تایبەتمەندی', 'Privacy breach', false, 11, true);
INSERT INTO report_categories VALUES ('1296d05c-81ed-4a39-b34a-a9fe9d238676', 'surveillance', NULL, 'مراقبة', 'چاودێری', 'Surveillance', false, 12, true);
INSERT INTO report_categories VALUES ('886355dd-40c6-4586-ab67-67e830f69bfd', 'other', NULL, 'أخرى', 'هیتر', 'Other', false, 13, true);
SELECT pg_catalog.setval('audit_head_id_seq', 1, false);
SELECT pg_catalog.setval('posts_id_seq', 1, false);
ALTER TABLE ONLY alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);
ALTER TABLE ONLY account_links
    ADD CONSTRAINT pk_account_links PRIMARY KEY (id);
ALTER TABLE ONLY account_statuses
    ADD CONSTRAINT pk_account_statuses PRIMARY KEY (id);
ALTER TABLE ONLY accounts
    ADD CONSTRAINT pk_accounts PRIMARY KEY (id);
ALTER TABLE ONLY actors
    ADD CONSTRAINT pk_actors PRIMARY KEY (id);
ALTER TABLE ONLY api_tokens
    ADD CONSTRAINT pk_api_tokens PRIMARY KEY (id);
ALTER TABLE ONLY audit_head
    ADD CONSTRAINT pk_audit_head PRIMARY KEY (id);
ALTER TABLE ONLY audit_records
    ADD CONSTRAINT pk_audit_records PRIMARY KEY (seq);
ALTER TABLE ONLY coordination_runs
    ADD CONSTRAINT pk_coordination_runs PRIMARY KEY (id);
ALTER TABLE ONLY flags
    ADD CONSTRAINT pk_flags PRIMARY KEY (id);
ALTER TABLE ONLY glossary_entries
    ADD CONSTRAINT pk_glossary_entries PRIMARY KEY (term_id);
ALTER TABLE ONLY glossary_revisions
    ADD CONSTRAINT pk_glossary_revisions PRIMARY KEY (id);
ALTER TABLE ONLY places
    ADD CONSTRAINT pk_places PRIMARY KEY (pcode);
ALTER TABLE ONLY post_raw_dicts
    ADD CONSTRAINT pk_post_raw_dicts PRIMARY KEY (id);
ALTER TABLE ONLY posts
    ADD CONSTRAINT pk_posts PRIMARY KEY (id);
ALTER TABLE ONLY recovery_codes
    ADD CONSTRAINT pk_recovery_codes PRIMARY KEY (id);
ALTER TABLE ONLY report_categories
    ADD CONSTRAINT pk_report_categories PRIMARY KEY (id);
ALTER TABLE ONLY report_comments
    ADD CONSTRAINT pk_report_comments PRIMARY KEY (id);
ALTER TABLE ONLY report_files
    ADD CONSTRAINT pk_report_files PRIMARY KEY (id);
ALTER TABLE ONLY reports
    ADD CONSTRAINT pk_reports PRIMARY KEY (id);
ALTER TABLE ONLY system_settings
    ADD CONSTRAINT pk_system_settings PRIMARY KEY (id);
ALTER TABLE ONLY users
    ADD CONSTRAINT pk_users PRIMARY KEY (id);
ALTER TABLE ONLY watchlist_accounts
    ADD CONSTRAINT pk_watchlist_accounts PRIMARY KEY (watchlist_id, account_pk);
ALTER TABLE ONLY watchlist_keywords
    ADD CONSTRAINT pk_watchlist_keywords PRIMARY KEY (watchlist_id, keyword);
ALTER TABLE ONLY watchlists
    ADD CONSTRAINT pk_watchlists PRIMARY KEY (id);
ALTER TABLE ONLY account_links
    ADD CONSTRAINT uq_account_links_predecessor UNIQUE (predecessor, successor);
ALTER TABLE ONLY account_statuses
    ADD CONSTRAINT uq_account_statuses_account UNIQUE (account, status, source, observed_at);
ALTER TABLE ONLY accounts
    ADD CONSTRAINT uq_accounts_platform UNIQUE (platform, account_id);
ALTER TABLE ONLY api_tokens
    ADD CONSTRAINT uq_api_tokens_token_hash UNIQUE (token_hash);
ALTER TABLE ONLY audit_records
    ADD CONSTRAINT uq_audit_records_hash UNIQUE (hash);
ALTER TABLE ONLY flags
    ADD CONSTRAINT uq_flags_post_pk UNIQUE (post_pk, model_version, glossary_version);
ALTER TABLE ONLY glossary_revisions
    ADD CONSTRAINT uq_glossary_revisions_term_id UNIQUE (term_id, revision);
ALTER TABLE ONLY posts
    ADD CONSTRAINT uq_posts_platform UNIQUE (platform, post_id);
ALTER TABLE ONLY report_categories
    ADD CONSTRAINT uq_report_categories_slug UNIQUE (slug);
ALTER TABLE ONLY reports
    ADD CONSTRAINT uq_reports_receipt_hash UNIQUE (receipt_hash);
ALTER TABLE ONLY reports
    ADD CONSTRAINT uq_reports_source_ref UNIQUE (source_ref);
ALTER TABLE ONLY system_settings
    ADD CONSTRAINT uq_system_settings_key UNIQUE (key);
ALTER TABLE ONLY users
    ADD CONSTRAINT uq_users_username UNIQUE (username);
ALTER TABLE ONLY watchlists
    ADD CONSTRAINT uq_watchlists_name UNIQUE (name);
CREATE INDEX ix_account_links_predecessor ON account_links USING btree (predecessor);
CREATE INDEX ix_account_links_successor ON account_links USING btree (successor);
CREATE INDEX ix_account_statuses_account ON account_statuses USING btree (account);
CREATE INDEX ix_account_statuses_status ON account_statuses USING btree (status);
CREATE INDEX ix_accounts_actor_id ON accounts USING btree (actor_id);
CREATE INDEX ix_accounts_handle ON accounts USING btree (handle);
CREATE INDEX ix_actors_name ON actors USING btree (name);
CREATE INDEX ix_api_tokens_user_id ON api_tokens USING btree (user_id);
CREATE INDEX ix_audit_records_action ON audit_records USING btree (action);
CREATE INDEX ix_coordination_runs_created_at ON coordination_runs USING btree (created_at);
CREATE INDEX ix_flags_post_pk ON flags USING btree (post_pk);
CREATE INDEX ix_flags_queue ON flags USING btree (flagged, review_status, top_score);
CREATE INDEX ix_glossary_entries_status ON glossary_entries USING btree (status);
CREATE INDEX ix_glossary_revisions_glossary_version ON glossary_revisions USING btree (glossary_version);
CREATE INDEX ix_glossary_revisions_term_id ON glossary_revisions USING btree (term_id);
CREATE INDEX ix_places_parent_pcode ON places USING btree (parent_pcode);
CREATE INDEX ix_post_raw_dicts_source ON post_raw_dicts USING btree (source);
CREATE INDEX ix_posts_account_time ON posts USING btree (platform, account_id, created_at);
CREATE INDEX ix_posts_created_at ON posts USING btree (created_at);
CREATE INDEX ix_posts_fts_search ON posts USING gin (to_tsvector('simple'::regconfig, search_text));
CREATE INDEX ix_recovery_codes_user_id ON recovery_codes USING btree (user_id);
CREATE INDEX ix_report_comments_report_id ON report_comments USING btree (report_id);
CREATE INDEX ix_report_files_report_id ON report_files USING btree (report_id);
CREATE INDEX ix_report_files_sha256 ON report_files USING btree (sha256);
CREATE INDEX ix_reports_assigned_to_id ON reports USING btree (assigned_to_id);
CREATE INDEX ix_reports_category_id ON reports USING btree (category_id);
CREATE INDEX ix_reports_created_at ON reports USING btree (created_at);
CREATE INDEX ix_reports_governorate_pcode ON reports USING btree (governorate_pcode);
CREATE INDEX ix_reports_published_at ON reports USING btree (published_at);
CREATE INDEX ix_reports_status ON reports USING btree (status);
CREATE INDEX ix_watchlist_accounts_account_pk ON watchlist_accounts USING btree (account_pk);
ALTER TABLE ONLY accounts
    ADD CONSTRAINT fk_accounts_actor_id_actors FOREIGN KEY (actor_id) REFERENCES actors(id) ON DELETE SET NULL;
ALTER TABLE ONLY api_tokens
    ADD CONSTRAINT fk_api_tokens_user_id_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;
ALTER TABLE ONLY flags
    ADD CONSTRAINT fk_flags_post_pk_posts FOREIGN KEY (post_pk) REFERENCES posts(id) ON DELETE CASCADE;
ALTER TABLE ONLY recovery_codes
    ADD CONSTRAINT fk_recovery_codes_user_id_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;
ALTER TABLE ONLY report_categories
    ADD CONSTRAINT fk_report_categories_parent_id_report_categories FOREIGN KEY (parent_id) REFERENCES report_categories(id) ON DELETE SET NULL;
ALTER TABLE ONLY report_comments
    ADD CONSTRAINT fk_report_comments_report_id_reports FOREIGN KEY (report_id) REFERENCES reports(id) ON DELETE CASCADE;
ALTER TABLE ONLY report_files
    ADD CONSTRAINT fk_report_files_report_id_reports FOREIGN KEY (report_id) REFERENCES reports(id) ON DELETE CASCADE;
ALTER TABLE ONLY reports
    ADD CONSTRAINT fk_reports_assigned_to_id_users FOREIGN KEY (assigned_to_id) REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE ONLY reports
    ADD CONSTRAINT fk_reports_category_id_report_categories FOREIGN KEY (category_id) REFERENCES report_categories(id);
ALTER TABLE ONLY reports
    ADD CONSTRAINT fk_reports_duplicate_of_id_reports FOREIGN KEY (duplicate_of_id) REFERENCES reports(id) ON DELETE SET NULL;
ALTER TABLE ONLY reports
    ADD CONSTRAINT fk_reports_locked_by_id_users FOREIGN KEY (locked_by_id) REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE ONLY watchlist_accounts
    ADD CONSTRAINT fk_watchlist_accounts_account_pk_accounts FOREIGN KEY (account_pk) REFERENCES accounts(id) ON DELETE CASCADE;
ALTER TABLE ONLY watchlist_accounts
    ADD CONSTRAINT fk_watchlist_accounts_watchlist_id_watchlists FOREIGN KEY (watchlist_id) REFERENCES watchlists(id) ON DELETE CASCADE;
ALTER TABLE ONLY watchlist_keywords
    ADD CONSTRAINT fk_watchlist_keywords_watchlist_id_watchlists FOREIGN KEY (watchlist_id) REFERENCES watchlists(id) ON DELETE CASCADE;
