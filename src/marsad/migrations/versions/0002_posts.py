"""posts: posts, accounts, actors, watchlists, and the full-text index

Revision ID: 0002_posts
Revises: 0001_core
Create Date: 2026-11-22 11:00:00

Written by hand to agree with marsad.posts.models. The full-text index is
backend-specific and not in the models: a contentless FTS5 table over
posts.search_text, keyed by post time, with triggers keeping it in step on SQLite;
a GIN index over to_tsvector('simple', search_text) on PostgreSQL. Both are named
*_fts* (the models-vs-migrations test skips those).
"""

import sqlalchemy as sa
from alembic import op

from marsad.core.db import UTCDateTime

revision = "0002_posts"
down_revision = "0001_core"
branch_labels = ("posts",)
depends_on = None

_JSON = sa.JSON(none_as_null=True)

# The FTS5 rowid is a time key, not the post id: seconds since 1900 shifted left 30
# bits, OR the post id (ids stay below 2**30). FTS5 streams matches in rowid order, so
# "newest first" is the index's own order and a page of a common word costs the same
# as a rare one; ``rowid & (2**30 - 1)`` gives the post back. Contentless (the text
# lives once, in posts.search_text) and without per-row sizes (no bm25 ranking).
# New posts are indexed by the posts service in the same transaction
# (marsad.posts.service; an AFTER INSERT trigger costs five times more per row);
# updates and deletes, which are rare, are kept in step by these triggers.
_KEY = (
    "((max(coalesce(CAST(strftime('%s', {t}.created_at) AS INTEGER), -2208988800) "
    "+ 2208988800, 0) << 30) | {t}.id)"
)
_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE posts_fts USING fts5(search_text, content='', columnsize=0, "
    "tokenize='unicode61 remove_diacritics 2')",
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


def upgrade() -> None:
    op.create_table(
        "actors",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
    )
    op.create_index(op.f("ix_actors_name"), "actors", ["name"], unique=False)

    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=False),
        sa.Column("handle", sa.String(length=128), nullable=True),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_accounts_actor_id_actors"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("platform", "account_id", name=op.f("uq_accounts_platform")),
    )
    op.create_index(op.f("ix_accounts_handle"), "accounts", ["handle"], unique=False)
    op.create_index(op.f("ix_accounts_actor_id"), "accounts", ["actor_id"], unique=False)

    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("post_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=128), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("links", _JSON, nullable=True),
        sa.Column("hashtags", _JSON, nullable=True),
        sa.Column("mentions", _JSON, nullable=True),
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
        sa.Column("media", _JSON, nullable=True),
        sa.Column("extra", _JSON, nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ingested_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("platform", "post_id", name=op.f("uq_posts_platform")),
    )
    op.create_index(op.f("ix_posts_created_at"), "posts", ["created_at"], unique=False)
    op.create_index(
        "ix_posts_account_time", "posts", ["platform", "account_id", "created_at"], unique=False
    )

    op.create_table(
        "watchlists",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlists")),
        sa.UniqueConstraint("name", name=op.f("uq_watchlists_name")),
    )
    op.create_table(
        "watchlist_accounts",
        sa.Column("watchlist_id", sa.String(length=36), nullable=False),
        sa.Column("account_pk", sa.String(length=36), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_pk"],
            ["accounts.id"],
            name=op.f("fk_watchlist_accounts_account_pk_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["watchlist_id"],
            ["watchlists.id"],
            name=op.f("fk_watchlist_accounts_watchlist_id_watchlists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("watchlist_id", "account_pk", name=op.f("pk_watchlist_accounts")),
    )
    op.create_index(
        op.f("ix_watchlist_accounts_account_pk"),
        "watchlist_accounts",
        ["account_pk"],
        unique=False,
    )
    op.create_table(
        "watchlist_keywords",
        sa.Column("watchlist_id", sa.String(length=36), nullable=False),
        sa.Column("keyword", sa.String(length=255), nullable=False),
        sa.Column("normalized", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["watchlist_id"],
            ["watchlists.id"],
            name=op.f("fk_watchlist_keywords_watchlist_id_watchlists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("watchlist_id", "keyword", name=op.f("pk_watchlist_keywords")),
    )

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_posts_fts_search ON posts "
            "USING gin (to_tsvector('simple', search_text))"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("posts_fts_ad", "posts_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS posts_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_posts_fts_search")
    op.drop_table("watchlist_keywords")
    op.drop_index(op.f("ix_watchlist_accounts_account_pk"), table_name="watchlist_accounts")
    op.drop_table("watchlist_accounts")
    op.drop_table("watchlists")
    op.drop_index("ix_posts_account_time", table_name="posts")
    op.drop_index(op.f("ix_posts_created_at"), table_name="posts")
    op.drop_table("posts")
    op.drop_index(op.f("ix_accounts_actor_id"), table_name="accounts")
    op.drop_index(op.f("ix_accounts_handle"), table_name="accounts")
    op.drop_table("accounts")
    op.drop_index(op.f("ix_actors_name"), table_name="actors")
    op.drop_table("actors")
