-- The schema and data of a Marsad database at the last per-capability migration heads
-- (0003_reports, 0004_detect, 0007_coordination_statuses, 0009_posts_fts_ascii), frozen
-- so tests/core/test_migrations.py can prove such a database is adopted by 0001_baseline.
-- Made from an empty database upgraded with the migrations at commit b0e0dbb; see
-- tests/core/data/README.md. Do not edit by hand.

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE audit_head (
	id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	mac VARCHAR(64) NOT NULL, 
	CONSTRAINT pk_audit_head PRIMARY KEY (id)
);
CREATE TABLE audit_records (
	seq INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(128) NOT NULL, 
	action VARCHAR(64) NOT NULL, 
	subject_type VARCHAR(64) NOT NULL, 
	subject_id VARCHAR(128) NOT NULL, 
	details TEXT NOT NULL, 
	prev_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	CONSTRAINT pk_audit_records PRIMARY KEY (seq), 
	CONSTRAINT uq_audit_records_hash UNIQUE (hash)
);
CREATE INDEX ix_audit_records_action ON audit_records (action);
CREATE TABLE system_settings (
	id VARCHAR(36) NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_system_settings PRIMARY KEY (id), 
	CONSTRAINT uq_system_settings_key UNIQUE ("key")
);
CREATE TABLE users (
	id VARCHAR(36) NOT NULL, 
	username VARCHAR(64) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	is_active BOOLEAN NOT NULL, 
	totp_secret VARCHAR(255), 
	totp_enabled BOOLEAN NOT NULL, 
	failed_logins INTEGER NOT NULL, 
	locked_until DATETIME, 
	session_epoch INTEGER NOT NULL, 
	language VARCHAR(8), 
	created_at DATETIME NOT NULL, 
	last_login_at DATETIME, 
	CONSTRAINT pk_users PRIMARY KEY (id), 
	CONSTRAINT uq_users_username UNIQUE (username)
);
CREATE TABLE api_tokens (
	id VARCHAR(36) NOT NULL, 
	user_id VARCHAR(36) NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	label VARCHAR(128) NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_used_at DATETIME, 
	revoked_at DATETIME, 
	CONSTRAINT pk_api_tokens PRIMARY KEY (id), 
	CONSTRAINT fk_api_tokens_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT uq_api_tokens_token_hash UNIQUE (token_hash)
);
CREATE INDEX ix_api_tokens_user_id ON api_tokens (user_id);
CREATE TABLE recovery_codes (
	id VARCHAR(36) NOT NULL, 
	user_id VARCHAR(36) NOT NULL, 
	code_hash VARCHAR(255) NOT NULL, 
	used_at DATETIME, 
	CONSTRAINT pk_recovery_codes PRIMARY KEY (id), 
	CONSTRAINT fk_recovery_codes_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_recovery_codes_user_id ON recovery_codes (user_id);
CREATE TABLE actors (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	kind VARCHAR(32), 
	notes TEXT, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_actors PRIMARY KEY (id)
);
CREATE INDEX ix_actors_name ON actors (name);
CREATE TABLE accounts (
	id VARCHAR(36) NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	account_id VARCHAR(128) NOT NULL, 
	handle VARCHAR(128), 
	display_name VARCHAR(255), 
	actor_id VARCHAR(36), 
	first_seen DATETIME NOT NULL, 
	last_seen DATETIME NOT NULL, registered_at DATETIME, 
	CONSTRAINT pk_accounts PRIMARY KEY (id), 
	CONSTRAINT fk_accounts_actor_id_actors FOREIGN KEY(actor_id) REFERENCES actors (id) ON DELETE SET NULL, 
	CONSTRAINT uq_accounts_platform UNIQUE (platform, account_id)
);
CREATE INDEX ix_accounts_handle ON accounts (handle);
CREATE INDEX ix_accounts_actor_id ON accounts (actor_id);
CREATE TABLE posts (
	id INTEGER NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	post_id VARCHAR(128) NOT NULL, 
	account_id VARCHAR(128), 
	text TEXT NOT NULL, 
	search_text TEXT NOT NULL, 
	lang VARCHAR(8), 
	created_at DATETIME, 
	url TEXT, 
	links JSON, 
	hashtags JSON, 
	mentions JSON, 
	reply_to VARCHAR(128), 
	quote_of VARCHAR(128), 
	forward_from VARCHAR(128), 
	retweet_of VARCHAR(128), 
	likes INTEGER, 
	shares INTEGER, 
	replies INTEGER, 
	quotes INTEGER, 
	views INTEGER, 
	reactions INTEGER, 
	media JSON, 
	extra JSON, 
	raw BLOB, 
	source VARCHAR(16) NOT NULL, 
	ingested_at DATETIME NOT NULL, 
	CONSTRAINT pk_posts PRIMARY KEY (id), 
	CONSTRAINT uq_posts_platform UNIQUE (platform, post_id)
);
CREATE INDEX ix_posts_created_at ON posts (created_at);
CREATE INDEX ix_posts_account_time ON posts (platform, account_id, created_at);
CREATE TABLE watchlists (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(128) NOT NULL, 
	description TEXT, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_watchlists PRIMARY KEY (id), 
	CONSTRAINT uq_watchlists_name UNIQUE (name)
);
CREATE TABLE watchlist_accounts (
	watchlist_id VARCHAR(36) NOT NULL, 
	account_pk VARCHAR(36) NOT NULL, 
	added_at DATETIME NOT NULL, 
	CONSTRAINT pk_watchlist_accounts PRIMARY KEY (watchlist_id, account_pk), 
	CONSTRAINT fk_watchlist_accounts_account_pk_accounts FOREIGN KEY(account_pk) REFERENCES accounts (id) ON DELETE CASCADE, 
	CONSTRAINT fk_watchlist_accounts_watchlist_id_watchlists FOREIGN KEY(watchlist_id) REFERENCES watchlists (id) ON DELETE CASCADE
);
CREATE INDEX ix_watchlist_accounts_account_pk ON watchlist_accounts (account_pk);
CREATE TABLE watchlist_keywords (
	watchlist_id VARCHAR(36) NOT NULL, 
	keyword VARCHAR(255) NOT NULL, 
	normalized VARCHAR(255) NOT NULL, 
	CONSTRAINT pk_watchlist_keywords PRIMARY KEY (watchlist_id, keyword), 
	CONSTRAINT fk_watchlist_keywords_watchlist_id_watchlists FOREIGN KEY(watchlist_id) REFERENCES watchlists (id) ON DELETE CASCADE
);
CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN INSERT INTO posts_fts(posts_fts, rowid, search_text) VALUES ('delete', ((max(coalesce(CAST(strftime('%s', old.created_at) AS INTEGER), -2208988800) + 2208988800, 0) << 30) | old.id), old.search_text); END;
CREATE TRIGGER posts_fts_au AFTER UPDATE OF search_text, created_at ON posts BEGIN INSERT INTO posts_fts(posts_fts, rowid, search_text) VALUES ('delete', ((max(coalesce(CAST(strftime('%s', old.created_at) AS INTEGER), -2208988800) + 2208988800, 0) << 30) | old.id), old.search_text); INSERT INTO posts_fts(rowid, search_text) VALUES (((max(coalesce(CAST(strftime('%s', new.created_at) AS INTEGER), -2208988800) + 2208988800, 0) << 30) | new.id), new.search_text); END;
CREATE TABLE coordination_runs (
	id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(64) NOT NULL, 
	parameters JSON NOT NULL, 
	posts INTEGER NOT NULL, 
	clusters INTEGER NOT NULL, 
	result JSON NOT NULL, 
	CONSTRAINT pk_coordination_runs PRIMARY KEY (id)
);
CREATE INDEX ix_coordination_runs_created_at ON coordination_runs (created_at);
CREATE TABLE account_links (
	id VARCHAR(36) NOT NULL, 
	predecessor VARCHAR(200) NOT NULL, 
	successor VARCHAR(200) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	score FLOAT, 
	contributions JSON, 
	note TEXT, 
	decided_by VARCHAR(64) NOT NULL, 
	decided_at DATETIME NOT NULL, 
	CONSTRAINT pk_account_links PRIMARY KEY (id), 
	CONSTRAINT uq_account_links_predecessor UNIQUE (predecessor, successor)
);
CREATE INDEX ix_account_links_predecessor ON account_links (predecessor);
CREATE INDEX ix_account_links_successor ON account_links (successor);
CREATE TABLE account_statuses (
	id VARCHAR(36) NOT NULL, 
	account VARCHAR(200) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	source VARCHAR(8) NOT NULL, 
	reason VARCHAR(64), 
	note TEXT, 
	observed_at DATETIME NOT NULL, 
	recorded_by VARCHAR(64) NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	CONSTRAINT pk_account_statuses PRIMARY KEY (id), 
	CONSTRAINT uq_account_statuses_account UNIQUE (account, status, source, observed_at)
);
CREATE INDEX ix_account_statuses_account ON account_statuses (account);
CREATE INDEX ix_account_statuses_status ON account_statuses (status);
CREATE TABLE post_raw_dicts (
	id INTEGER NOT NULL, 
	source VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	dictionary BLOB NOT NULL, 
	CONSTRAINT pk_post_raw_dicts PRIMARY KEY (id)
);
CREATE INDEX ix_post_raw_dicts_source ON post_raw_dicts (source);
CREATE VIRTUAL TABLE posts_fts USING fts5(search_text, content='', columnsize=0, tokenize='ascii');
CREATE TABLE flags (
	id VARCHAR(36) NOT NULL, 
	post_pk INTEGER NOT NULL, 
	model_version VARCHAR(64) NOT NULL, 
	glossary_version VARCHAR(64) NOT NULL, 
	flagged BOOLEAN NOT NULL, 
	labels JSON NOT NULL, 
	scores JSON NOT NULL, 
	top_score FLOAT NOT NULL, 
	hate_type JSON, 
	spans JSON NOT NULL, 
	language VARCHAR(8), 
	created_at DATETIME NOT NULL, 
	review_status VARCHAR(16) NOT NULL, 
	reviewed_labels JSON, 
	reviewed_by VARCHAR(64), 
	reviewed_at DATETIME, 
	review_note TEXT, 
	review_count INTEGER NOT NULL, 
	CONSTRAINT pk_flags PRIMARY KEY (id), 
	CONSTRAINT fk_flags_post_pk_posts FOREIGN KEY(post_pk) REFERENCES posts (id) ON DELETE CASCADE, 
	CONSTRAINT uq_flags_post_pk UNIQUE (post_pk, model_version, glossary_version)
);
CREATE INDEX ix_flags_post_pk ON flags (post_pk);
CREATE INDEX ix_flags_queue ON flags (flagged, review_status, top_score);
CREATE TABLE glossary_entries (
	term_id VARCHAR(128) NOT NULL, 
	data JSON NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	revision INTEGER NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by VARCHAR(64) NOT NULL, 
	CONSTRAINT pk_glossary_entries PRIMARY KEY (term_id)
);
CREATE INDEX ix_glossary_entries_status ON glossary_entries (status);
CREATE TABLE glossary_revisions (
	id VARCHAR(36) NOT NULL, 
	term_id VARCHAR(128) NOT NULL, 
	revision INTEGER NOT NULL, 
	glossary_version INTEGER NOT NULL, 
	data JSON NOT NULL, 
	changed_by VARCHAR(64) NOT NULL, 
	changed_at DATETIME NOT NULL, 
	note TEXT, 
	CONSTRAINT pk_glossary_revisions PRIMARY KEY (id), 
	CONSTRAINT uq_glossary_revisions_term_id UNIQUE (term_id, revision)
);
CREATE INDEX ix_glossary_revisions_glossary_version ON glossary_revisions (glossary_version);
CREATE INDEX ix_glossary_revisions_term_id ON glossary_revisions (term_id);
CREATE TABLE places (
	pcode VARCHAR(16) NOT NULL, 
	level INTEGER NOT NULL, 
	parent_pcode VARCHAR(16), 
	name_ar VARCHAR(128) NOT NULL, 
	name_ckb VARCHAR(128) NOT NULL, 
	name_en VARCHAR(128) NOT NULL, 
	lat FLOAT NOT NULL, 
	lon FLOAT NOT NULL, 
	geometry TEXT, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_places PRIMARY KEY (pcode)
);
CREATE INDEX ix_places_parent_pcode ON places (parent_pcode);
CREATE TABLE report_categories (
	id VARCHAR(36) NOT NULL, 
	slug VARCHAR(64) NOT NULL, 
	parent_id VARCHAR(36), 
	name_ar VARCHAR(128) NOT NULL, 
	name_ckb VARCHAR(128) NOT NULL, 
	name_en VARCHAR(128) NOT NULL, 
	confidential BOOLEAN NOT NULL, 
	position INTEGER NOT NULL, 
	active BOOLEAN NOT NULL, 
	CONSTRAINT pk_report_categories PRIMARY KEY (id), 
	CONSTRAINT fk_report_categories_parent_id_report_categories FOREIGN KEY(parent_id) REFERENCES report_categories (id) ON DELETE SET NULL, 
	CONSTRAINT uq_report_categories_slug UNIQUE (slug)
);
CREATE TABLE reports (
	id VARCHAR(36) NOT NULL, 
	receipt_hash VARCHAR(64) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	confidential BOOLEAN NOT NULL, 
	verified BOOLEAN NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	source_ref VARCHAR(80), 
	language VARCHAR(8) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	description TEXT NOT NULL, 
	links TEXT NOT NULL, 
	category_id VARCHAR(36) NOT NULL, 
	occurred_at DATETIME, 
	governorate_pcode VARCHAR(16), 
	district_pcode VARCHAR(16), 
	lat FLOAT, 
	lon FLOAT, 
	contact_sealed TEXT, 
	assigned_to_id VARCHAR(36), 
	duplicate_of_id VARCHAR(36), 
	location_precision VARCHAR(16), 
	time_precision VARCHAR(16), 
	published_at DATETIME, 
	locked_by_id VARCHAR(36), 
	locked_until DATETIME, 
	version INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_reports PRIMARY KEY (id), 
	CONSTRAINT fk_reports_assigned_to_id_users FOREIGN KEY(assigned_to_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_reports_category_id_report_categories FOREIGN KEY(category_id) REFERENCES report_categories (id), 
	CONSTRAINT fk_reports_duplicate_of_id_reports FOREIGN KEY(duplicate_of_id) REFERENCES reports (id) ON DELETE SET NULL, 
	CONSTRAINT fk_reports_locked_by_id_users FOREIGN KEY(locked_by_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT uq_reports_receipt_hash UNIQUE (receipt_hash), 
	CONSTRAINT uq_reports_source_ref UNIQUE (source_ref)
);
CREATE INDEX ix_reports_assigned_to_id ON reports (assigned_to_id);
CREATE INDEX ix_reports_category_id ON reports (category_id);
CREATE INDEX ix_reports_created_at ON reports (created_at);
CREATE INDEX ix_reports_governorate_pcode ON reports (governorate_pcode);
CREATE INDEX ix_reports_published_at ON reports (published_at);
CREATE INDEX ix_reports_status ON reports (status);
CREATE TABLE report_comments (
	id VARCHAR(36) NOT NULL, 
	report_id VARCHAR(36) NOT NULL, 
	author VARCHAR(64) NOT NULL, 
	body TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_report_comments PRIMARY KEY (id), 
	CONSTRAINT fk_report_comments_report_id_reports FOREIGN KEY(report_id) REFERENCES reports (id) ON DELETE CASCADE
);
CREATE INDEX ix_report_comments_report_id ON report_comments (report_id);
CREATE TABLE report_files (
	id VARCHAR(36) NOT NULL, 
	report_id VARCHAR(36) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	filename VARCHAR(255) NOT NULL, 
	media_type VARCHAR(100) NOT NULL, 
	size INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_report_files PRIMARY KEY (id), 
	CONSTRAINT fk_report_files_report_id_reports FOREIGN KEY(report_id) REFERENCES reports (id) ON DELETE CASCADE
);
CREATE INDEX ix_report_files_report_id ON report_files (report_id);
CREATE INDEX ix_report_files_sha256 ON report_files (sha256);
INSERT INTO alembic_version (version_num) VALUES ('0003_reports');
INSERT INTO alembic_version (version_num) VALUES ('0004_detect');
INSERT INTO alembic_version (version_num) VALUES ('0007_coordination_statuses');
INSERT INTO alembic_version (version_num) VALUES ('0009_posts_fts_ascii');
INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 'genesis');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG01', 1, NULL, 'الانبار', 'ئەنبار', 'Al-Anbar', 33.176, 41.399, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG01Q01', 2, 'IQG01', 'الفلوجة', 'فەللووجە', 'Al-Falluja', 33.14, 43.794, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG01Q02', 2, 'IQG01', 'القائم', 'قائیم', 'Al-Kaim', 34.091, 40.902, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG01Q03', 2, 'IQG01', 'الرمادي', 'ڕومادی', 'Al-Ramadi', 33.24, 42.991, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG01Q04', 2, 'IQG01', 'الرطبة', 'ڕوتبە', 'Al-Rutba', 32.564, 41.154, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG01Q05', 2, 'IQG01', 'عنه', 'عانە', 'Ana', 34.66, 42.043, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG01Q06', 2, 'IQG01', 'حديثة', 'حەدیسە', 'Haditha', 34.125, 42.283, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG01Q07', 2, 'IQG01', 'هيت', 'هیت', 'Heet', 33.814, 42.677, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG02', 1, NULL, 'البصرة', 'بەسرە', 'Al-Basrah', 30.205, 47.504, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG02Q01', 2, 'IQG02', 'ابي الخصيب', 'ئەبولخەسیب', 'Abu Al-Khaseeb', 30.303, 48.058, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG02Q02', 2, 'IQG02', 'البصرة', 'بەسرە', 'Al-Basrah', 30.554, 47.607, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG02Q03', 2, 'IQG02', 'الفاو', 'فاو', 'Al-Faw', 30.044, 48.202, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG02Q04', 2, 'IQG02', 'المدينة', 'مەدینە', 'Al-Midaina', 30.947, 47.277, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG02Q05', 2, 'IQG02', 'القرنة', 'قورنە', 'Al-Qurna', 31.016, 47.52, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG02Q06', 2, 'IQG02', 'الزبير', 'زوبێر', 'Al-Zubair', 30.141, 47.26, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG02Q07', 2, 'IQG02', 'شط العرب', 'شەتولعەرەب', 'Shat Al-Arab', 30.803, 47.807, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG03', 1, NULL, 'المثنى', 'موسەننا', 'Al-Muthanna', 30.405, 45.36, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG03Q01', 2, 'IQG03', 'الخضر', 'خدر', 'Al-Khidhir', 31.142, 45.632, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG03Q02', 2, 'IQG03', 'الرميثة', 'ڕومەیسە', 'Al-Rumaitha', 31.497, 45.368, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG03Q03', 2, 'IQG03', 'السلمان', 'سەلمان', 'Al-Salman', 30.248, 45.348, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG03Q04', 2, 'IQG03', 'السماوة', 'سەماوە', 'Al-Samawa', 31.241, 45.299, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG04', 1, NULL, 'النجف', 'نەجەف', 'Al-Najaf', 31.226, 43.316, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG04Q01', 2, 'IQG04', 'الكوفة', 'کووفە', 'Al-Kufa', 32.114, 44.492, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG04Q02', 2, 'IQG04', 'المناذرة', 'مەنازیرە', 'Al-Manathera', 31.807, 44.466, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG04Q03', 2, 'IQG04', 'النجف', 'نەجەف', 'Al-Najaf', 31.226, 43.316, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG05', 1, NULL, 'القادسية', 'قادسیە', 'Al-Qadissiya', 31.849, 45.164, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG05Q01', 2, 'IQG05', 'عفك', 'عەفەک', 'Afaq', 32.06, 45.356, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG05Q02', 2, 'IQG05', 'الديوانية', 'دیوانیە', 'Al-Diwaniya', 31.97, 44.923, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG05Q03', 2, 'IQG05', 'الحمزة', 'حەمزە', 'Al-Hamza', 31.592, 44.777, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG05Q04', 2, 'IQG05', 'الشامية', 'شامیە', 'Al-Shamiya', 31.757, 44.677, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06', 1, NULL, 'السليمانية', 'سلێمانی', 'Al-Sulaymaniyah', 35.729, 45.501, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06Q01', 2, 'IQG06', 'السليمانية', 'سلێمانی', 'Al-Sulaymaniyah', 35.442, 45.421, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06Q02', 2, 'IQG06', 'جمجمال', 'چەمچەماڵ', 'Chamchamal', 35.143, 45.077, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06Q03', 2, 'IQG06', 'دربندخان', 'دەربەندیخان', 'Derbendikhan', 35.201, 45.717, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06Q04', 2, 'IQG06', 'دوكان', 'دووکان', 'Dokan', 35.87, 45.12, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06Q05', 2, 'IQG06', 'حلبجة', 'هەڵەبجە', 'Halabcha', 35.099, 45.97, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06Q06', 2, 'IQG06', 'كلار', 'کەلار', 'Kalar', 34.901, 45.291, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06Q07', 2, 'IQG06', 'بنجوين', 'پێنجوێن', 'Panjwin', 35.775, 46.062, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06Q08', 2, 'IQG06', 'بشدر', 'پشدەر', 'Pshdar', 36.343, 45.053, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06Q09', 2, 'IQG06', 'رانية', 'ڕانیە', 'Rania', 36.195, 44.861, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG06Q10', 2, 'IQG06', 'شهربازار', 'شارباژێڕ', 'Sharbazher', 35.735, 45.595, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG07', 1, NULL, 'بابل', 'بابل', 'Babil', 32.58, 44.636, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG07Q01', 2, 'IQG07', 'الهاشمية', 'هاشمیە', 'Al-Hashimiya', 32.407, 44.874, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG07Q02', 2, 'IQG07', 'الحلة', 'حیللە', 'Al-Hilla', 32.449, 44.47, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG07Q03', 2, 'IQG07', 'المحاويل', 'مەحاویل', 'Al-Mahaweel', 32.658, 44.66, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG07Q04', 2, 'IQG07', 'المسيب', 'موسەیەب', 'Al-Mussyab', 32.826, 44.307, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG08', 1, NULL, 'بغداد', 'بەغدا', 'Baghdad', 33.28, 44.38, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG08Q01', 2, 'IQG08', 'الاعظمية', 'ئەعزەمیە', 'Al-Adhamiya', 33.523, 44.376, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG08Q02', 2, 'IQG08', 'الكاظمية', 'کازمیە', 'Al-Kadhmiyah', 33.32, 44.056, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG08Q03', 2, 'IQG08', 'الكرخ', 'کەرخ', 'Al-Karkh', 33.254, 44.374, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG08Q04', 2, 'IQG08', 'المدائن', 'مەدائین', 'Al-Mada''in', 33.217, 44.685, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG08Q05', 2, 'IQG08', 'المحمودية', 'مەحموودیە', 'Al-Mahmoudiya', 33.058, 44.329, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG08Q06', 2, 'IQG08', 'الرصافة', 'ڕوسافە', 'Al-Risafa', 33.326, 44.465, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG08Q07', 2, 'IQG08', 'الثورة', 'سەورە', 'Al-Thawra', 33.386, 44.463, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG09', 1, NULL, 'دهوك', 'دهۆک', 'Duhok', 37.044, 43.139, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG09Q01', 2, 'IQG09', 'العمادية', 'ئامێدی', 'Al-Amadiya', 37.118, 43.551, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG09Q02', 2, 'IQG09', 'دهوك', 'دهۆک', 'Duhok', 36.944, 43.103, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG09Q03', 2, 'IQG09', 'سميل', 'سێمێل', 'Sumail', 36.931, 42.728, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG09Q04', 2, 'IQG09', 'زاخو', 'زاخۆ', 'Zakho', 37.203, 42.904, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG10', 1, NULL, 'ديالى', 'دیالە', 'Diyala', 34.071, 44.896, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG10Q01', 2, 'IQG10', 'الخالص', 'خالس', 'Al-Khalis', 34.084, 44.657, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG10Q02', 2, 'IQG10', 'المقدادية', 'موقدادیە', 'Al-Muqdadiya', 33.92, 44.971, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG10Q03', 2, 'IQG10', 'بلدروز', 'بەلەدڕوز', 'Baladruz', 33.561, 45.44, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG10Q04', 2, 'IQG10', 'بعقوبة', 'بەعقووبە', 'Baquba', 33.645, 44.714, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG10Q05', 2, 'IQG10', 'خانقين', 'خانەقین', 'Khanaqin', 34.295, 45.251, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG10Q06', 2, 'IQG10', 'كفري', 'کفری', 'Kifri', 34.558, 44.956, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG11', 1, NULL, 'اربيل', 'هەولێر', 'Erbil', 35.904, 44.19, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG11Q01', 2, 'IQG11', 'الزيبار', 'زێبار', 'Al-Zibar', 37.017, 44.058, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG11Q02', 2, 'IQG11', 'اربيل', 'هەولێر', 'Erbil', 36.09, 43.993, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG11Q03', 2, 'IQG11', 'كويسنجق', 'کۆیە', 'Koysinjaq', 36.013, 44.55, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG11Q04', 2, 'IQG11', 'مخمور', 'مەخموور', 'Makhmour', 35.824, 43.653, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG11Q05', 2, 'IQG11', 'راوندوز', 'ڕەواندز', 'Rawanduz', 36.842, 44.488, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG11Q06', 2, 'IQG11', 'شقلاوة', 'شەقڵاوە', 'Shaqlawa', 36.429, 44.224, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG12', 1, NULL, 'كربلاء', 'کەربەلا', 'Kerbala', 32.498, 43.801, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG12Q01', 2, 'IQG12', 'عين التمر', 'عەین تەمر', 'Ain Al-Tamur', 32.58, 43.485, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG12Q02', 2, 'IQG12', 'الهندية', 'هیندیە', 'Al-Hindiya', 32.466, 44.207, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG12Q03', 2, 'IQG12', 'كربلاء', 'کەربەلا', 'Kerbela', 32.325, 43.96, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG13', 1, NULL, 'كركوك', 'کەرکووک', 'Kirkuk', 35.288, 44.061, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG13Q01', 2, 'IQG13', 'الحويجة', 'حەویجە', 'Al-Hawiga', 35.292, 43.793, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG13Q02', 2, 'IQG13', 'داقوق', 'داقووق', 'Daquq', 34.995, 44.171, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG13Q03', 2, 'IQG13', 'دبس', 'دووبز', 'Dibis', 35.661, 44.131, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG13Q04', 2, 'IQG13', 'كركوك', 'کەرکووک', 'Kirkuk', 35.478, 44.46, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG14', 1, NULL, 'ميسان', 'مەیسان', 'Maysan', 31.914, 47.048, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG14Q01', 2, 'IQG14', 'العمارة', 'عەمارە', 'Al-Amara', 32.067, 47.256, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG14Q02', 2, 'IQG14', 'علي الغربي', 'عەلی غەربی', 'Ali Al-Gharbi', 32.421, 46.766, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG14Q03', 2, 'IQG14', 'الكحلاء', 'کەحلا', 'Al-Kahla', 31.762, 47.43, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG14Q04', 2, 'IQG14', 'الميمونة', 'مەیموونە', 'Al-Maimouna', 31.561, 46.8, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG14Q05', 2, 'IQG14', 'المجر الكبير', 'مەجەڕ کەبیر', 'Al-Mejar Al-Kabir', 31.375, 47.356, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG14Q06', 2, 'IQG14', 'قلعة صالح', 'قەڵای ساڵح', 'Qalat Saleh', 31.499, 47.324, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG15', 1, NULL, 'نينوى', 'نەینەوا', 'Ninewa', 36.098, 42.4, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG15Q01', 2, 'IQG15', 'عقرة', 'ئاکرێ', 'Aqra', 36.668, 43.946, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG15Q02', 2, 'IQG15', 'البعاج', 'بەعاج', 'Al-Baaj', 36.018, 41.805, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG15Q03', 2, 'IQG15', 'الحمدانية', 'حەمدانیە', 'Al-Hamdaniya', 36.232, 43.418, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG15Q04', 2, 'IQG15', 'الحضر', 'حەزەر', 'Al-Hatra', 35.589, 42.505, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG15Q05', 2, 'IQG15', 'الموصل', 'مووسڵ', 'Al-Mosul', 36.051, 42.945, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG15Q06', 2, 'IQG15', 'الشيخان', 'شێخان', 'Al-Shikhan', 36.699, 43.415, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG15Q07', 2, 'IQG15', 'سنجار', 'شنگال', 'Sinjar', 36.365, 41.769, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG15Q08', 2, 'IQG15', 'تلعفر', 'تەلەعفەر', 'Telafar', 36.628, 42.351, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG15Q09', 2, 'IQG15', 'تلكيف', 'تلکێف', 'Tilkaef', 36.556, 42.965, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG16', 1, NULL, 'صلاح الدين', 'سەڵاحەدین', 'Salah Al-Din', 34.662, 43.634, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG16Q01', 2, 'IQG16', 'الدور', 'دوور', 'Al-Daur', 34.505, 44.144, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG16Q02', 2, 'IQG16', 'الشرقاط', 'شەرقات', 'Al-Shirqat', 35.472, 43.175, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG16Q03', 2, 'IQG16', 'بيجي', 'بێجی', 'Beygee', 34.889, 43.037, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG16Q04', 2, 'IQG16', 'بلد', 'بەلەد', 'Balad', 33.939, 43.837, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG16Q05', 2, 'IQG16', 'سامراء', 'سامەڕا', 'Samarra', 34.267, 43.744, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG16Q06', 2, 'IQG16', 'تكريت', 'تکریت', 'Tikrit', 34.57, 43.531, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG16Q07', 2, 'IQG16', 'طوز خورماتو', 'دووزخورماتوو', 'Tooz Khurmato', 34.819, 44.655, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG17', 1, NULL, 'ذي قار', 'زیقار', 'Thi Qar', 31.078, 46.455, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG17Q01', 2, 'IQG17', 'الجبايش', 'جەبایش', 'Al-Chibayish', 30.862, 46.908, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG17Q02', 2, 'IQG17', 'الرفاعي', 'ڕیفاعی', 'Al-Rifai', 31.665, 46.123, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG17Q03', 2, 'IQG17', 'الشطرة', 'شەترە', 'Al-Shatra', 31.463, 46.34, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG17Q04', 2, 'IQG17', 'الناصرية', 'ناسریە', 'Al-Nasiriya', 31.086, 46.282, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG17Q05', 2, 'IQG17', 'سوق الشيوخ', 'سووق شیوخ', 'Suq Al-Shoyokh', 30.814, 46.458, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG18', 1, NULL, 'واسط', 'واست', 'Wassit', 32.863, 45.575, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG18Q01', 2, 'IQG18', 'الحي', 'حەی', 'Al-Hai', 32.179, 46.021, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG18Q02', 2, 'IQG18', 'الكوت', 'کووت', 'Al-Kut', 32.568, 45.998, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG18Q03', 2, 'IQG18', 'النعمانية', 'نوعمانیە', 'Al-Namaniya', 32.482, 45.469, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG18Q04', 2, 'IQG18', 'الصويرة', 'سوەیرە', 'Al-Suwaira', 32.842, 45.047, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO places (pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, geometry, updated_at) VALUES ('IQG18Q05', 2, 'IQG18', 'بدرة', 'بەدرە', 'Badra', 32.944, 45.86, NULL, '2026-12-05 13:09:38.861308');
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('0234c8ae-2135-4a13-9a13-808610c1723a', 'hate_speech', NULL, 'خطاب كراهية', 'گوتاری ڕق', 'Hate speech', 0, 5, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('02f193e4-c0ca-4890-8c7e-771ac75d1868', 'website_blocking', NULL, 'حجب المواقع', 'بلۆککردنی ماڵپەڕ', 'Website blocking', 0, 9, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('04661bd1-8dc8-4092-8ef0-66976ab44046', 'blackmail', NULL, 'ابتزاز إلكتروني', 'ئیبتیزازی ئەلیکترۆنی', 'Blackmail', 1, 1, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('176bddce-3e8f-417f-b07e-2b184c4b6df0', 'misinformation', NULL, 'معلومات مضللة', 'زانیاریی چەواشەکارانە', 'Misinformation', 0, 8, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('17a894aa-a1d8-40b5-aa9f-3dfd4b713b44', 'candidate_harassment', NULL, 'مضايقة المرشحين', 'ئازاردانی کاندیدەکان', 'Harassment of candidates', 0, 6, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('1ce9a659-8377-402c-9cb8-a506204fe8d0', 'threat', NULL, 'تهديد', 'هەڕەشە', 'Threat', 0, 3, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('38cc45e9-fa38-4a0c-b5bf-a4a0a15a388b', 'arrest_over_post', NULL, 'اعتقال بسبب منشور', 'دەستگیرکردن بەهۆی پۆستێک', 'Arrest over a post', 0, 2, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('439393ab-4908-4564-a390-57c92a9d000f', 'surveillance', NULL, 'مراقبة', 'چاودێری', 'Surveillance', 0, 12, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('4d2d4013-d084-448e-a26d-d2421818056c', 'account_hacking', NULL, 'اختراق حساب', 'هاککردنی هەژمار', 'Account hacking', 1, 0, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('9f204342-8d4f-47c2-8f5d-055fd37bb9d6', 'other', NULL, 'أخرى', 'هیتر', 'Other', 0, 13, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('a0c9d2db-308e-474d-a270-2c44bb584dce', 'incitement', NULL, 'تحريض', 'هاندان', 'Incitement', 0, 4, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('b8d54b00-b05c-40b6-8bad-d0f9a613625c', 'privacy_breach', NULL, 'انتهاك الخصوصية', 'پێشێلکردنی تایبەتمەندی', 'Privacy breach', 0, 11, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('c1a1b87a-e21d-4892-afb1-2a04390d4b8b', 'fabricated_media', NULL, 'محتوى مفبرك', 'ناوەڕۆکی ساختە', 'Fabricated media', 0, 7, 1);
INSERT INTO report_categories (id, slug, parent_id, name_ar, name_ckb, name_en, confidential, position, active) VALUES ('e5d2f801-92ff-4f2f-913b-facded56456c', 'internet_shutdown', NULL, 'قطع الإنترنت', 'بڕینی ئینتەرنێت', 'Internet shutdown', 0, 10, 1);
