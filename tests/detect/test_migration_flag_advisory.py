"""Migration 0018_flag_scores_advisory fills in, for flags made before it, whether their
scores were advisory, by the advisory languages of the model version that scored them."""

from __future__ import annotations

from sqlalchemy import text

from marsad.core import migrate
from tests.detect.test_scoring import add_posts_with_ids


def test_existing_flags_get_the_advisory_verdict_of_their_model_version(engine, sessions) -> None:
    migrate.downgrade(engine, "0017_publish_sections")
    add_posts_with_ids(sessions, {1: "p1", 2: "p2", 3: "p3"})
    rows = [
        # id, post, model version, language
        ("a", 1, "marsad-detect-1.2.0+a1b2c3d4", "other"),  # 1.2 labelled "other" itself
        ("b", 1, "marsad-detect-1.2.0+a1b2c3d4", "en"),
        ("c", 1, "marsad-detect-1.2.0+a1b2c3d4", "ar"),
        ("d", 2, "marsad-detect-1.1.0+e5f6a7b8", "other"),
        ("e", 2, "marsad-detect-1.1.0+e5f6a7b8", "ckb"),
        ("f", 2, "marsad-detect-1.3.0+c9d0e1f2", "other"),  # 1.3 added "other"
        ("g", 3, "marsad-detect-1.10.0+c9d0e1f2", "other"),  # versions compare as numbers
        ("h", 3, "hf-arabert+01234567", "other"),  # no list of its own: today's default
        ("i", 3, "hf-arabert+01234567", None),
    ]
    with engine.begin() as conn:
        for flag_id, post, version, language in rows:
            conn.execute(
                text(
                    "INSERT INTO flags (id, post_pk, model_version, glossary_version, flagged,"
                    " current, labels, scores, top_score, spans, language, created_at,"
                    " review_status, review_count) VALUES (:id, :post, :version, :id, :yes,"
                    " :yes, '[]', '{}', 0.5, '[]', :language, '2026-12-01 10:00:00+00:00',"
                    " 'pending', 0)"
                ),
                {
                    "id": flag_id,
                    "post": post,
                    "version": version,
                    "language": language,
                    "yes": True,
                },
            )
    migrate.upgrade(engine, "heads")
    with engine.connect() as conn:
        advisory = dict(conn.execute(text("SELECT id, scores_advisory FROM flags")).all())
    assert {k for k, v in advisory.items() if v} == {"b", "e", "f", "g", "h"}
    migrate.downgrade(engine, "0017_publish_sections")
    migrate.upgrade(engine, "heads")
