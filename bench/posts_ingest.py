"""Benchmark: ingest 1,000,000 tweets (twarc2 JSONL) and 1,000,000 Telegram messages into SQLite.

Generates both files into a temporary folder (synthetic Arabic/English/Kurdish posts in
the real formats' shapes: twarc2 search pages of 100 tweets with includes, half of them
retweets as in real Arabic-hashtag collections; a single-channel Telegram export with
entity-list texts), ingests each into a fresh SQLite database and prints posts/s and
the peak resident memory of the ingesting process.

    nice python bench/posts_ingest.py [--posts 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

_SENTENCES_AR = (
    "الحكومة العراقية تعلن عن حظر التجوال في بغداد والبصرة بعد التظاهرات الانتخابات "
    "البرلمان الشعب المواطنين حقوق الإنسان الصحفيين اعتقال ناشط حرية التعبير "
    "الإنترنت قطع خدمة الكهرباء الماء المحافظة مجلس الوزراء رئيس البرلمان كتلة "
    "تحالف مرشح"
)
_SENTENCES_EN = (
    "the government announced curfew in baghdad after protests elections parliament "
    "journalists arrested activist freedom of expression internet shutdown"
)
WORDS_AR = _SENTENCES_AR.split()
WORDS_EN = _SENTENCES_EN.split()
WORDS_KU = ["حکومەتی", "هەرێمی", "کوردستان", "هەڵبژاردن", "ڕۆژنامەنووس", "ئازادی"]
TAGS = ("العراق", "بغداد", "البصرة", "انتخابات_العراق", "حرية_التعبير", "Iraq", "كردستان")


def _text(rng: random.Random) -> tuple[str, list[str]]:
    roll = rng.random()
    pool = WORDS_AR if roll < 0.75 else WORDS_EN if roll < 0.92 else WORDS_KU
    words = [rng.choice(pool) for _ in range(rng.randint(6, 30))]
    tags = rng.sample(TAGS, rng.randint(0, 2))
    return " ".join(words + ["#" + t for t in tags]), tags


def make_twarc2(path: Path, n: int, seed: int = 1) -> None:
    """twarc2 search pages, 100 tweets a line, half retweets of earlier originals."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    # (id, author, text, created_at): an original's includes copy carries its own time
    originals: list[tuple[str, str, str, str]] = []
    with path.open("w", encoding="utf-8") as fh:
        for page_start in range(0, n, 100):
            data, users, included = [], {}, {}
            for i in range(page_start, min(n, page_start + 100)):
                tweet_id = str(1_700_000_000_000_000_000 + i)
                author = str(10_000 + rng.randrange(50_000))
                users[author] = {
                    "id": author,
                    "username": f"user_{author}",
                    "name": f"مستخدم {author}",
                    "created_at": "2015-01-01T00:00:00.000Z",
                    "public_metrics": {"followers_count": rng.randrange(5000)},
                }
                created = (start + timedelta(seconds=i * 3)).isoformat().replace("+00:00", ".000Z")
                if originals and rng.random() < 0.5:
                    orig_id, orig_author, orig_text, orig_created = rng.choice(originals)
                    handle = f"user_{orig_author}"
                    text = f"RT @{handle}: {orig_text}"[:140]
                    tweet = {
                        "id": tweet_id,
                        "text": text,
                        "author_id": author,
                        "created_at": created,
                        "lang": "ar",
                        "conversation_id": tweet_id,
                        "referenced_tweets": [{"type": "retweeted", "id": orig_id}],
                        "entities": {
                            "mentions": [{"start": 3, "end": 3 + len(handle), "username": handle}]
                        },
                        "public_metrics": {
                            "retweet_count": rng.randrange(50),
                            "reply_count": 0,
                            "like_count": 0,
                            "quote_count": 0,
                        },
                    }
                    included[orig_id] = {
                        "id": orig_id,
                        "text": orig_text,
                        "author_id": orig_author,
                        "created_at": orig_created,
                        "lang": "ar",
                    }
                    users[orig_author] = {
                        "id": orig_author,
                        "username": handle,
                        "name": f"مستخدم {orig_author}",
                    }
                else:
                    text, tags = _text(rng)
                    tweet = {
                        "id": tweet_id,
                        "text": text,
                        "author_id": author,
                        "created_at": created,
                        "lang": "ar",
                        "conversation_id": tweet_id,
                        "possibly_sensitive": False,
                        "reply_settings": "everyone",
                        "entities": {
                            "hashtags": [{"start": 0, "end": len(t) + 1, "tag": t} for t in tags],
                            "urls": [
                                {
                                    "start": 0,
                                    "end": 23,
                                    "url": "https://t.co/x",
                                    "expanded_url": f"https://news.example/{i % 977}?utm_source=tw",
                                }
                            ]
                            if rng.random() < 0.3
                            else [],
                        },
                        "public_metrics": {
                            "retweet_count": rng.randrange(500),
                            "reply_count": rng.randrange(50),
                            "like_count": rng.randrange(2000),
                            "quote_count": rng.randrange(10),
                        },
                        "edit_history_tweet_ids": [tweet_id],
                    }
                    if len(originals) < 20_000:
                        originals.append((tweet_id, author, text, created))
                    elif rng.random() < 0.05:
                        originals[rng.randrange(len(originals))] = (tweet_id, author, text, created)
                data.append(tweet)
            page = {
                "data": data,
                "includes": {"users": list(users.values()), "tweets": list(included.values())},
                "meta": {"result_count": len(data)},
                "__twarc": {
                    "url": "https://api.twitter.com/2/tweets/search/all",
                    "version": "2.14.0",
                    "retrieved_at": "2024-06-01T00:00:00+00:00",
                },
            }
            fh.write(json.dumps(page, ensure_ascii=False) + "\n")


def make_telegram(path: Path, n: int, seed: int = 2) -> None:
    """A single-channel Telegram Desktop export of n messages (plus a few service ones)."""
    rng = random.Random(seed)
    start = 1_704_067_200
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            '{\n "name": "قناة الاختبار",\n "type": "public_channel",\n "id": 1999999999,\n'
            ' "messages": [\n'
        )
        for i in range(n):
            when = start + i * 7
            text, tags = _text(rng)
            plain = text.split(" #")[0]
            entities = [{"type": "plain", "text": plain}] + [
                {"type": "hashtag", "text": f" #{t}"} for t in tags
            ]
            msg = {
                "id": i + 1,
                "type": "message",
                "date": datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "date_unixtime": str(when),
                "from": "قناة الاختبار",
                "from_id": "channel1999999999",
                "text": entities if tags else plain,
                "text_entities": entities,
            }
            if rng.random() < 0.1:
                msg["reply_to_message_id"] = max(1, i - rng.randrange(1, 50))
            if rng.random() < 0.2:
                msg["forwarded_from"] = "وكالة الأنباء"
            if rng.random() < 0.3:
                msg["reactions"] = [
                    {"type": "emoji", "count": rng.randrange(1, 100), "emoji": "👍"}
                ]
            if i % 1000 == 0:  # a service message now and then: not a post
                service = {
                    "id": -i,
                    "type": "service",
                    "date_unixtime": str(when),
                    "actor": "x",
                    "action": "pin_message",
                }
                fh.write(("" if i == 0 else ",\n") + json.dumps(service) + ",\n")
            else:
                fh.write(",\n")
            fh.write(json.dumps(msg, ensure_ascii=False))
        fh.write("\n ]\n}\n")


def run_ingest(fmt: str, path: Path, db: Path, workers: int | None = None) -> dict:
    """Ingest in a child process so its peak RSS is the ingest's alone."""
    code = f"""
import json, resource, sys, time
from marsad.core.settings import Settings
from marsad.core.db import make_engine
from marsad.core import migrate
from marsad.posts.ingest import ingest_files
settings = Settings(env="test", data_dir={str(db.parent)!r}, database_url="sqlite:///{db}",
                    secret_key="bench-secret-key-long-enough-0123456789abcdef")
engine = make_engine(settings)
migrate.upgrade(engine)
t = time.perf_counter()
result = ingest_files(engine=engine, fmt={fmt!r}, paths=[{str(path)!r}], workers={workers!r})
elapsed = time.perf_counter() - t
out = result.to_json(); out.pop("errors")
# posts_per_s counts records read (a tweet file's copies of retweeted originals too);
# new_posts_per_s the posts stored.
out.update(seconds=round(elapsed, 1), posts_per_s=round(result.read / elapsed),
           new_posts_per_s=round(result.inserted / elapsed),
           peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
# Workers (big JSONL files are split across processes) report as children: their CPU
# adds up, and their peak is the largest one's.
out.update(cpu_s=round(me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, 1),
           worker_peak_rss_mb=round(kids.ru_maxrss / 1024))
print(json.dumps(out))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    parser.add_argument("--only", choices=("x", "telegram"))
    parser.add_argument(
        "--workers", type=int, help="worker processes per big file (default: the ingest's own)"
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="marsad-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for fmt, name, make in (
            ("x", "tweets.jsonl", make_twarc2),
            ("telegram", "result.json", make_telegram),
        ):
            if args.only and fmt != args.only:
                continue
            path = folder / f"{args.posts}_{name}"
            if not path.exists():
                t = time.perf_counter()
                make(path, args.posts)
                print(
                    f"generated {path.name}: {path.stat().st_size / 1e6:.0f} MB in "
                    f"{time.perf_counter() - t:.0f} s",
                    flush=True,
                )
            db = folder / f"{fmt}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            figures = run_ingest(fmt, path, db, args.workers)
            figures["db_mb"] = round(db.stat().st_size / 1e6)
            print(f"{fmt}: {json.dumps(figures)}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    _ = resource  # the child reports its own peak RSS


if __name__ == "__main__":
    main()
