"""posts: SQLite's full-text index splits the search text at spaces only (FTS5 ascii)

Revision ID: 0009_posts_fts_ascii
Revises: 0008_posts_raw_dicts
Create Date: 2026-12-01 14:30:00

posts.search_text is already the normalised tokens joined by single spaces (see
marsad.posts.search.search_text), and queries are normalised the same way, so the
unicode61 tokenizer's own Unicode folding and splitting found nothing left to do
but cost about 30 % of the time spent indexing. The ascii tokenizer keeps every
non-ASCII character in its token and splits at the spaces: the same tokens. The
index is rebuilt from posts.search_text, in one statement, both ways. PostgreSQL's
index is not an FTS5 table: nothing changes there.
"""

from alembic import op

revision = "0009_posts_fts_ascii"
down_revision = "0008_posts_raw_dicts"
branch_labels = None
depends_on = None

# The FTS5 rowid of a post, as 0002_posts defines it (and its triggers compute it):
# seconds since 1900 of its time shifted left 30 bits, OR its id.
_KEY = (
    "((max(coalesce(CAST(strftime('%s', created_at) AS INTEGER), -2208988800) "
    "+ 2208988800, 0) << 30) | id)"
)


def _rebuild(tokenize: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # The triggers on posts name posts_fts; SQLite resolves that when they fire.
    op.execute("DROP TABLE posts_fts")
    op.execute(
        "CREATE VIRTUAL TABLE posts_fts USING fts5(search_text, content='', columnsize=0, "
        f"tokenize='{tokenize}')"
    )
    op.execute(
        f"INSERT INTO posts_fts(rowid, search_text) SELECT {_KEY}, search_text FROM posts"  # noqa: S608 - constant
    )
    # One segment instead of the many a bulk insert leaves: prefix queries read fewer
    # (3 s for a million posts).
    op.execute("INSERT INTO posts_fts(posts_fts) VALUES ('optimize')")


def upgrade() -> None:
    _rebuild("ascii")


def downgrade() -> None:
    _rebuild("unicode61 remove_diacritics 2")
