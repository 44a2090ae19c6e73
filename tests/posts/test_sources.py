"""Source adapters against real samples (../shared/formats) and in-repo fixtures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from marsad.core.errors import InvalidInput
from marsad.posts.schema import PostRecord, Rejection
from marsad.posts.sources import make_source
from marsad.posts.sources.base import normalize_url, parse_time

from .helpers import DATA, sample, split

# ------------------------------------------------------------------------ Telegram


def test_telegram_single_chat_skips_service_messages_and_reads_both_date_forms():
    posts, rejected = split(
        make_source("telegram").iter_posts(sample("telegram/chat-analytics_DM_2A_7M.json"))
    )
    assert rejected == []
    # 8 messages, 2 of them service (joined_telegram, phone_call)
    assert len(posts) == 6
    assert {p.post_id for p in posts} >= {"700000000/3644", "700000000/3662"}
    by_id = {p.post_id: p for p in posts}
    # date only (no zone) is read as UTC; date_unixtime is a string of epoch seconds
    assert by_id["700000000/3644"].created_at == datetime(2019, 7, 12, 16, 55, 32, tzinfo=UTC)
    assert by_id["700000000/3662"].created_at == datetime.fromtimestamp(1652135033, UTC)
    # text as an entity list is rebuilt, and its link entity becomes a link
    assert by_id["700000000/3644"].text == "https://google.com 👀"
    assert by_id["700000000/3644"].links == ["https://google.com/"]
    assert by_id["700000000/3644"].account.account_id == "user700000000"
    # a photo that was not exported is recorded as a photo without a file
    assert by_id["700000000/3672"].media[0].type == "photo"
    assert by_id["700000000/3672"].media[0].sha256 is None


def test_telegram_full_account_export_keeps_each_chat_apart():
    posts, rejected = split(
        make_source("telegram").iter_posts(sample("telegram/chat-analytics_MultiChat_2C_6M.json"))
    )
    assert rejected == []
    chats = {p.post_id.split("/")[0] for p in posts}
    assert chats == {"700000001", "700000002"}
    assert all(p.extra["chat_id"] == p.post_id.split("/")[0] for p in posts)


def test_telegram_prefers_text_entities_when_text_disagrees():
    posts, _ = split(
        make_source("telegram").iter_posts(
            sample("telegram/kant2002_channel_text_array_mismatch_snippet.json")
        )
    )
    assert [p.text for p in posts] == ["✈Текст повідомленння"]
    assert posts[0].account.account_id == "channel1234567890"


def test_telegram_accounts_have_no_creation_time():
    posts, _ = split(make_source("telegram").iter_posts(DATA / "tg_channel" / "result.json"))
    assert posts and all(p.account is None or p.account.registered_at is None for p in posts)


def test_telegram_reactions_are_summed():
    posts, _ = split(
        make_source("telegram").iter_posts(
            sample("telegram/kant2002_channel_reactions_snippet.json")
        )
    )
    assert posts[0].engagement.reactions == 14
    assert posts[0].extra["edited_unixtime"] == "1694539740"


def test_telegram_channel_fixture_links_hashtags_media_and_replies():
    posts, rejected = split(make_source("telegram").iter_posts(DATA / "tg_channel" / "result.json"))
    assert rejected == []
    by_id = {p.post_id: p for p in posts}
    assert set(by_id) == {"1500000001/2", "1500000001/3", "1500000001/4", "1500000001/5"}
    first = by_id["1500000001/2"]
    assert first.hashtags == ["بغداد"]
    assert first.links == ["https://example.com/news?id=7"]
    assert first.lang == "ar"
    assert first.engagement.reactions == 7
    assert first.url == "https://t.me/c/1500000001/2"
    assert first.media[0].sha256 is not None and first.media[0].sha256.startswith("sha256:")
    reply = by_id["1500000001/3"]
    assert reply.relations.reply_to == "1500000001/2"
    assert reply.extra["forwarded_from"] == "وكالة أنباء"
    assert reply.mentions == ["iraq_news"]
    old = by_id["1500000001/4"]  # old export: int from_id, plain string text
    assert old.account.account_id == "channel1500000001"
    assert old.hashtags == ["vote"] and old.links == ["https://t.me/x"]
    # a media path pointing outside the export folder is never read
    assert by_id["1500000001/5"].media[0].sha256 is None


def test_telegram_reply_into_another_chat_names_that_chat(tmp_path: Path):
    path = tmp_path / "result.json"
    path.write_text(
        json.dumps(
            {
                "name": "g",
                "type": "public_supergroup",
                "id": 77,
                "messages": [
                    {
                        "id": 5,
                        "type": "message",
                        "date_unixtime": "1700000000",
                        "from_id": "user1",
                        "text": "a",
                        "reply_to_message_id": 3,
                        "reply_to_peer_id": "channel999",
                    },
                    {
                        "id": 6,
                        "type": "message",
                        "date_unixtime": "1700000001",
                        "from_id": "user1",
                        "text": "b",
                        "reply_to_message_id": 5,
                    },
                ],
            }
        )
    )
    posts, _ = split(make_source("telegram").iter_posts(path))
    assert [p.relations.reply_to for p in posts] == ["999/3", "77/5"]


def _telegram_file(tmp_path: Path, messages: list[dict], name: str = "result.json") -> Path:
    path = tmp_path / name
    doc = {"name": "c", "type": "public_channel", "id": 5, "messages": messages}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _message(msg_id: int, **fields) -> dict:
    return {
        "id": msg_id,
        "type": "message",
        "date_unixtime": str(1_700_000_000 + msg_id),
        "from_id": "channel5",
        "text": f"نص {msg_id}",
        **fields,
    }


def test_telegram_forwards_name_their_source_in_the_relation(tmp_path: Path):
    path = _telegram_file(
        tmp_path,
        [
            _message(1, forwarded_from="وكالة أنباء", forwarded_from_id="channel777"),
            _message(2, forwarded_from="قناة قديمة"),  # an older export: the name only
            _message(3),
            _message(4, forwarded_from="ن" * 129),  # first and last names, 64 each
        ],
    )
    posts, rejected = split(make_source("telegram").iter_posts(path))
    assert rejected == []
    assert [p.relations.forward_from for p in posts] == [
        "channel777",
        "قناة قديمة",
        None,
        "ن" * 128,
    ]
    # extra keeps what the export said, as before
    assert posts[0].extra["forwarded_from"] == "وكالة أنباء"
    assert posts[0].extra["forwarded_from_id"] == "channel777"
    assert "forwarded_from_id" not in posts[1].extra
    # the in-repo channel fixture: a forward whose export gives only the name
    posts, _ = split(make_source("telegram").iter_posts(DATA / "tg_channel" / "result.json"))
    by_id = {p.post_id: p for p in posts}
    assert by_id["1500000001/3"].relations.forward_from == "وكالة أنباء"
    assert by_id["1500000001/2"].relations.forward_from is None


def test_telegram_bad_inputs_become_rejections(tmp_path: Path):
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    wrong = tmp_path / "tweets.json"
    wrong.write_text('{"data": [{"id": "1", "text": "hi"}]}')
    truncated = tmp_path / "cut.json"
    full = (DATA / "tg_channel" / "result.json").read_bytes()
    truncated.write_bytes(full[: full.index(b'"id": 4,') + 30])
    source = make_source("telegram")
    for path, expect in ((empty, "empty"), (wrong, "not a Telegram export")):
        posts, rejected = split(source.iter_posts(path))
        assert posts == [] and len(rejected) == 1 and expect in rejected[0].reason
    posts, rejected = split(source.iter_posts(truncated))
    assert [p.post_id for p in posts] == ["1500000001/2", "1500000001/3"]
    assert len(rejected) == 1 and "truncated" in rejected[0].reason
    assert rejected[0].reason.startswith(f"file ends at byte {truncated.stat().st_size} ")
    assert rejected[0].file == str(truncated) and rejected[0].position == "messages[3]"


@pytest.mark.parametrize("layout", ["single", "account"])
def test_telegram_tells_truncation_invalid_utf8_and_invalid_json_apart(tmp_path: Path, layout):
    def export(messages: list[dict]) -> bytes:
        doc = {"name": "c", "type": "public_channel", "id": 5, "messages": messages}
        if layout == "account":
            doc = {"chats": {"list": [doc]}}
        return json.dumps(doc, ensure_ascii=False).encode()

    body = export([_message(1), _message(2, text="نص ثان MARK"), _message(3)])
    mark = body.index(b"MARK")
    garbage = body[: mark - 1] + b'", "x": oops' + body[mark + 4 :]
    first = "messages[1]" if layout == "single" else "after chats.list[0].messages[1]"
    cases = {
        # a message with bytes that are not UTF-8 inside its text
        "utf8": (body[:mark] + b"\xff\xfe" + body[mark:], f"invalid UTF-8 at byte {mark}"),
        # a stray word where a value belongs
        "garbage": (
            garbage,
            f"invalid JSON at byte {garbage.index(b'oops')} "
            "(lexical error: invalid char in json text)",
        ),
        # the export stops in the middle of the second message
        "cut": (body[: mark + 2], f"file ends at byte {mark + 2} in the middle of a JSON value"),
    }
    for name, (data, reason) in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(data)
        posts, rejected = split(make_source("telegram").iter_posts(path))
        assert [p.post_id for p in posts] == ["5/1"], name
        assert len(rejected) == 1, name
        assert rejected[0].file == str(path) and rejected[0].position == first, name
        assert rejected[0].reason.startswith(reason), (name, rejected[0].reason)
        assert ("truncated" in rejected[0].reason) == (name == "cut"), name
        # the parser's quote of the file's bytes stays out of the message
        assert "right here" not in rejected[0].reason and "\\x" not in rejected[0].reason
        assert "oops" not in rejected[0].reason and "MA" not in rejected[0].reason


def test_telegram_file_that_is_not_json_at_all(tmp_path: Path):
    garbage = tmp_path / "result.json"
    garbage.write_bytes(b"<html><body>\x00\x01 not an export</body></html>")
    utf16 = tmp_path / "utf16.json"
    utf16.write_bytes(json.dumps({"id": 1, "messages": []}).encode("utf-16"))
    for path, reason in (
        (garbage, "invalid JSON at byte 0 (lexical error: invalid char in json text)"),
        (utf16, "invalid UTF-8 at byte 0"),
    ):
        posts, rejected = split(make_source("telegram").iter_posts(path))
        assert posts == [] and [(r.file, r.position) for r in rejected] == [(str(path), "$")]
        assert rejected[0].reason == reason
        assert "truncated" not in rejected[0].reason and "html" not in rejected[0].reason


def test_telegram_huge_text_field_is_rejected_not_loaded(tmp_path: Path):
    path = tmp_path / "big.json"
    big = "ا" * (5 * 1024 * 1024)  # 10 MB of UTF-8
    path.write_text(
        json.dumps(
            {
                "name": "c",
                "type": "public_channel",
                "id": 5,
                "messages": [
                    {
                        "id": 1,
                        "type": "message",
                        "date_unixtime": "1700000000",
                        "from_id": "channel5",
                        "text": big,
                    },
                    {
                        "id": 2,
                        "type": "message",
                        "date_unixtime": "1700000001",
                        "from_id": "channel5",
                        "text": "ok",
                    },
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    posts, rejected = split(make_source("telegram").iter_posts(path))
    assert [p.post_id for p in posts] == ["5/2"]
    assert rejected[0].position == "messages[0]" and "exceeds" in rejected[0].reason


# ------------------------------------------------------------------------ X / Twitter


def test_twarc2_page_includes_referenced_tweets_by_their_own_authors():
    posts, rejected = split(
        make_source("x").iter_posts(sample("twitter/twarc2_v2/two_tweets.jsonl"))
    )
    assert rejected == []
    by_id = {p.post_id: p for p in posts}
    rt = by_id["1394735776701816833"]
    original = by_id["1391677057810288641"]
    assert rt.relations.retweet_of == original.post_id
    assert rt.account.handle == "LachiVeronica"
    assert original.account.handle == "bibaigna96"
    assert rt.text == "RT @bibaigna96: #POIUYTREWQ"
    assert rt.created_at == datetime(2021, 5, 18, 19, 24, 56, tzinfo=UTC)
    assert rt.engagement.shares == 1


def test_twarc2_truncated_last_line_is_one_rejection_and_stream_pages_are_read():
    path = sample("twitter/twarc2_v2/streaming_output_with_error.jsonl")
    posts, rejected = split(make_source("x").iter_posts(path))
    assert len(rejected) == 1
    assert rejected[0].position == "line 8" and "truncated" in rejected[0].reason
    assert len(posts) >= 7  # one data object per line on the filtered stream, plus includes


def test_twarc2_flattened_lines_and_compliance_lines():
    posts, rejected = split(make_source("x").iter_posts(sample("twitter/twarc2_v2/flat.jsonl")))
    assert rejected == []
    with sample("twitter/twarc2_v2/flat.jsonl").open() as fh:
        line_ids = {json.loads(line)["id"] for line in fh}
    assert line_ids <= {p.post_id for p in posts}
    assert all(p.account is not None and p.account.handle for p in posts)
    retweets = [p for p in posts if p.relations.retweet_of]
    assert retweets and all(
        p.text.startswith("RT @") and "…" not in p.text[-2:]
        for p in retweets
        if p.relations.retweet_of in line_ids | {q.post_id for q in posts}
    )
    compliance, rejected = split(
        make_source("x").iter_posts(sample("twitter/twarc2_v2/tweets_compliance.jsonl"))
    )
    assert compliance == [] and rejected == []


def test_x_accounts_carry_their_creation_time_from_every_shape():
    # API v2 page: includes.users[].created_at
    posts, _ = split(make_source("x").iter_posts(sample("twitter/twarc2_v2/two_tweets.jsonl")))
    by_id = {p.post_id: p for p in posts}
    assert by_id["1394735776701816833"].account.account_id == "1379899464345923590"
    assert by_id["1394735776701816833"].account.registered_at == datetime(
        2021, 4, 7, 20, 50, 54, tzinfo=UTC
    )
    # twarc2 flattened: author.created_at, and each referenced tweet's author
    posts, _ = split(make_source("x").iter_posts(sample("twitter/twarc2_v2/flat.jsonl")))
    by_account = {p.account.account_id: p.account for p in posts}
    assert by_account["1352661060663336960"].registered_at == datetime(
        2021, 1, 22, 16, 55, 15, tzinfo=UTC
    )
    assert by_account["2718660392"].registered_at == datetime(2014, 8, 9, 5, 17, 14, tzinfo=UTC)
    assert all(p.account.registered_at is not None for p in posts)
    # v1.1: user.created_at, "Wed Aug 09 11:59:46 +0000 2017"
    posts, _ = split(make_source("x").iter_posts(sample("twitter/v1_1/spark-test-tweets.jsonl")))
    by_account = {p.account.account_id: p.account for p in posts}
    assert by_account["111111111111111112"].registered_at == datetime(
        2017, 8, 9, 11, 59, 46, tzinfo=UTC
    )
    assert by_account["77777777"].registered_at == datetime(2009, 5, 3, 18, 9, 12, tzinfo=UTC)


def test_x_media_and_links_are_normalised():
    posts, _ = split(make_source("x").iter_posts(sample("twitter/twarc2_v2/media_tweet.jsonl")))
    with_media = [p for p in posts if p.media]
    assert with_media and with_media[0].media[0].type == "video"
    posts, _ = split(make_source("x").iter_posts(sample("twitter/twarc2_v2/many_urls.jsonl")))
    links = [link for p in posts for link in p.links]
    assert links and all("utm_" not in link and "#" not in link for link in links)


def test_v1_1_invalid_line_7_and_embedded_retweets():
    path = sample("twitter/v1_1/spark-test-tweets.jsonl")
    posts, rejected = split(make_source("twitter").iter_posts(path))
    assert [r.position for r in rejected] == ["line 7"]
    assert "invalid JSON" in rejected[0].reason
    assert any(p.relations.retweet_of for p in posts)
    assert any(p.relations.quote_of for p in posts)
    assert all(p.created_at is not None and p.created_at.tzinfo is not None for p in posts)


def test_v1_1_extended_array_reads_full_text():
    posts, rejected = split(
        make_source("x").iter_posts(
            sample("twitter/v1_1/phoenix_keyword_tweets_v1_1_extended.json")
        )
    )
    assert rejected == []
    assert "1461731209554313223" in {p.post_id for p in posts}
    by_id = {p.post_id: p for p in posts}
    # a retweet carries its original's full text, and the original is a post of its own
    assert by_id["1461731209554313223"].text == "RT @YemenShaawtar: tweet_1_retweet_text_1"
    assert by_id["1461731209554313223"].relations.retweet_of == "1461728605831053316"
    assert by_id["1461749682200358914"].text == "tweet_2_text"


def test_twarc2_flattened_replies_keep_what_they_answer():
    path = sample("twitter/twarc2_v2/flat.jsonl")
    posts, rejected = split(make_source("x").iter_posts(path))
    assert rejected == []
    by_id = {p.post_id: p for p in posts}
    with path.open() as fh:
        lines = [json.loads(line) for line in fh]
    answered = {
        t["id"]: ref
        for t in lines
        for ref in t.get("referenced_tweets") or []
        if ref["type"] == "replied_to"
    }
    assert len(answered) == 31
    # each reply names the tweet it answers, and nothing else
    for tweet_id, ref in answered.items():
        relations = by_id[tweet_id].relations
        assert relations.reply_to == ref["id"], tweet_id
        assert relations.retweet_of is None and relations.forward_from is None
        # the tweet answered, embedded in the line, is a post by its own author
        assert by_id[ref["id"]].account.account_id == ref["author_id"]
    # a thread: a reply to a reply, both in the file
    assert by_id["1380242347905183747"].relations.reply_to == "1380242345652785166"
    assert by_id["1380242345652785166"].relations.reply_to == "1380242340925874179"
    assert by_id["1380242347905183747"].extra["in_reply_to_user_id"] == "1359750175183540224"
    # tweets that answer nothing have no reply relation
    plain = [
        p for p in posts if p.post_id not in answered and p.post_id in {t["id"] for t in lines}
    ]
    assert plain and all(
        p.relations.reply_to is None
        for p in plain
        if not any(r["type"] == "replied_to" for r in p.raw.get("referenced_tweets") or [])
    )


def test_v1_1_reply_relation():
    posts, _ = split(make_source("x").iter_posts(sample("twitter/v1_1/spark-test-tweets.jsonl")))
    replies = {p.post_id: p.relations.reply_to for p in posts if p.relations.reply_to}
    assert replies == {"1111111111111111116": "1111111111111111118"}


def test_x_refuses_a_csv_file(tmp_path: Path):
    posts, rejected = split(make_source("x").iter_posts(DATA / "generic.csv"))
    assert posts == [] and "not X/Twitter JSON" in rejected[0].reason


def test_x_invalid_utf8_line(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    good = sample("twitter/twarc2_v2/two_tweets.jsonl").read_bytes().strip()
    path.write_bytes(b'{"data": {"id": "9", "text": "\xff\xfe"}}\n' + good + b"\n")
    posts, rejected = split(make_source("x").iter_posts(path))
    assert rejected[0].position == "line 1" and "UTF-8" in rejected[0].reason
    assert len(posts) == 2


# ------------------------------------------------------------------------ CrowdTangle


def test_crowdtangle_api_posts():
    posts, rejected = split(
        make_source("crowdtangle").iter_posts(
            sample("crowdtangle/phoenix_crowdtangle_api_posts_response.json")
        )
    )
    assert rejected == []
    assert [p.post_id for p in posts] == [
        "11430503918_10159078346893919",
        "10162931178_10157582304861179",
    ]
    first = posts[0]
    assert first.platform == "facebook" and first.account.handle == "luisfonsi"
    assert first.created_at == datetime(2020, 10, 29, 14, 56, 5, tzinfo=UTC)
    assert first.engagement.likes == 42617 and first.engagement.shares == 303
    assert first.hashtags == ["Perfecta"]


def test_crowdtangle_csv_new_and_old_layouts_give_the_same_post():
    new, rej_new = split(make_source("crowdtangle").iter_posts(DATA / "crowdtangle_new.csv"))
    old, rej_old = split(make_source("crowdtangle").iter_posts(DATA / "crowdtangle_old.csv"))
    assert rej_new == [] and rej_old == []
    assert new[0].post_id == old[0].post_id == "100200300_555666777"
    assert new[0].created_at == old[0].created_at == datetime(2021, 6, 1, 16, 30, tzinfo=UTC)
    assert new[0].engagement.likes == 1000  # thousands separators elsewhere do not break counts
    assert new[0].links == ["https://example.org/a"]  # fbclid dropped, duplicates merged
    assert new[0].account.display_name == "شبكة الأخبار"
    # the new layout's "Page Created" is when the page was made; the old layout lacks it
    assert new[0].account.registered_at == datetime(2015, 1, 1, tzinfo=UTC)
    assert old[0].account.registered_at is None
    assert new[0].hashtags == ["العراق"]


# ------------------------------------------------------------------------ YouTube


def test_youtube_threads_with_inline_replies():
    posts, rejected = split(
        make_source("youtube").iter_posts(sample("youtube/phoenix_comment_threads_response.json"))
    )
    assert rejected == []
    assert len(posts) == 13  # 12 threads, 1 inline reply
    replies = [p for p in posts if p.relations.reply_to]
    assert len(replies) == 1
    assert replies[0].relations.reply_to in {p.post_id for p in posts}
    assert all(p.url and "lc=" in p.url for p in posts)


def test_youtube_list_of_pages_prefers_text_original():
    posts, _ = split(
        make_source("youtube").iter_posts(
            sample("youtube/phoenix_comment_threads_pull_list_1.json")
        )
    )
    # the upstream edit made textDisplay differ from textOriginal; the original wins
    assert "comment_1-text_original-updated" in {p.text for p in posts}


def test_youtube_other_responses_are_rejected_with_their_kind():
    _, rejected = split(
        make_source("youtube").iter_posts(
            sample("youtube/phoenix_search_videos_page_with_next.json")
        )
    )
    assert "youtube#searchListResponse" in rejected[0].reason


# ------------------------------------------------------------------------ generic tables


def test_generic_csv_mapping():
    source = make_source(
        "csv",
        mapping="id=post_id,author=user,author_name=user_name,text=body,created_at=time,lang=lang",
        platform="facebook",
    )
    posts, rejected = split(source.iter_posts(DATA / "generic.csv"))
    assert [p.post_id for p in posts] == ["a1", "a2"]
    assert posts[0].links == ["https://x.example/a"] and posts[0].lang == "ar"
    assert posts[1].created_at == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    assert {r.position.split(" (")[0] for r in rejected} == {"row 3", "row 4"}
    assert any("unreadable date" in r.reason for r in rejected)


def test_generic_csv_invalid_utf8_and_missing_column():
    source = make_source("csv", mapping="id=post_id,text=body")
    posts, rejected = split(source.iter_posts(DATA / "bad_utf8.csv"))
    assert [p.post_id for p in posts] == ["b1"]
    assert "UTF-8" in rejected[0].reason
    posts, rejected = split(
        make_source("csv", mapping="id=nope,text=body").iter_posts(DATA / "generic.csv")
    )
    assert posts == [] and "nope" in rejected[0].reason


def test_generic_jsonl_dotted_paths(tmp_path: Path):
    path = tmp_path / "posts.jsonl"
    path.write_text(
        json.dumps({"id": 7, "user": {"id": "u9"}, "msg": "سلام"}) + "\n[1]\n", encoding="utf-8"
    )
    posts, rejected = split(
        make_source("jsonl", mapping="id=id,author=user.id,text=msg").iter_posts(path)
    )
    assert posts[0].post_id == "7" and posts[0].account.account_id == "u9"
    assert rejected[0].position == "line 2"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_reply_to_mapping_names_the_post_answered(tmp_path: Path, fmt: str):
    rows = [
        {"id": "r1", "text": "أصل", "parent": ""},
        {"id": "r2", "text": "رد", "parent": " r1 "},  # spaces around, as spreadsheets leave
        {"id": "r3", "text": "بلا أصل", "parent": "   "},
        {"id": "r4", "text": "رد على رد", "parent": "r2"},
    ]
    if fmt == "csv":
        path = tmp_path / "posts.csv"
        lines = ["id,text,parent"] + [f'{r["id"]},{r["text"]},"{r["parent"]}"' for r in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        mapping = "id=id,text=text,reply_to=parent"
    else:
        path = tmp_path / "posts.jsonl"
        nested = [{"id": r["id"], "msg": r["text"], "in": {"to": r["parent"]}} for r in rows]
        nested.append({"id": 5, "msg": "أرقام", "in": {"to": 4.0}})  # numbers, as JSON has them
        path.write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in nested) + "\n", encoding="utf-8"
        )
        mapping = "id=id,text=msg,reply_to=in.to"
    posts, rejected = split(make_source(fmt, mapping=mapping).iter_posts(path))
    assert rejected == []
    replies = {p.post_id: p.relations.reply_to for p in posts}
    expected = {"r1": None, "r2": "r1", "r3": None, "r4": "r2"}
    if fmt == "jsonl":
        expected["5"] = "4"
    assert replies == expected


def test_mapping_errors_name_the_problem():
    with pytest.raises(InvalidInput, match="needs id"):
        make_source("csv", mapping="text=body")
    with pytest.raises(InvalidInput, match="unknown field"):
        make_source("csv", mapping="id=a,text=b,colour=c")
    with pytest.raises(InvalidInput, match="unknown format"):
        make_source("myspace")


@pytest.mark.parametrize("fmt", ["telegram", "x", "crowdtangle", "youtube"])
def test_empty_file_is_one_rejection(tmp_path: Path, fmt: str):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    posts, rejected = split(make_source(fmt).iter_posts(path))
    assert posts == [] and len(rejected) == 1 and "empty" in rejected[0].reason


# ------------------------------------------------------------------------ a 10 MB field

HUGE = "x" * (10 * 1024 * 1024)


def _huge_twarc2_page(tmp_path: Path) -> tuple[Path, dict]:
    page = json.loads(sample("twitter/twarc2_v2/two_tweets.jsonl").read_text())
    page["data"][0]["text"] = HUGE
    path = tmp_path / "page.jsonl"
    path.write_text(json.dumps(page) + "\n")
    return path, {}


def _huge_twarc2_original(tmp_path: Path) -> tuple[Path, dict]:
    # the retweeted original, whose text a retweet's own text is rebuilt from
    page = json.loads(sample("twitter/twarc2_v2/two_tweets.jsonl").read_text())
    page["includes"]["tweets"][0]["text"] = HUGE
    path = tmp_path / "page.jsonl"
    path.write_text(json.dumps(page) + "\n")
    return path, {}


def _huge_v1_original(tmp_path: Path) -> tuple[Path, dict]:
    lines = sample("twitter/v1_1/spark-test-tweets.jsonl").read_text().splitlines()
    retweet = next(json.loads(line) for line in lines if '"retweeted_status"' in line)
    original = retweet["retweeted_status"]
    original["text"] = HUGE
    original.pop("full_text", None)
    original.pop("extended_tweet", None)
    path = tmp_path / "v1.jsonl"
    path.write_text(json.dumps(retweet) + "\n")
    return path, {}


def _huge_youtube(tmp_path: Path) -> tuple[Path, dict]:
    doc = json.loads(sample("youtube/phoenix_comment_threads_response.json").read_text())
    snippet = doc["items"][0]["snippet"]["topLevelComment"]["snippet"]
    snippet["textOriginal"] = snippet["textDisplay"] = HUGE
    path = tmp_path / "threads.json"
    path.write_text(json.dumps(doc))
    return path, {}


def _huge_crowdtangle_api(tmp_path: Path) -> tuple[Path, dict]:
    doc = json.loads(sample("crowdtangle/phoenix_crowdtangle_api_posts_response.json").read_text())
    doc["result"]["posts"][0]["message"] = HUGE
    path = tmp_path / "posts.json"
    path.write_text(json.dumps(doc))
    return path, {}


def _huge_crowdtangle_csv(tmp_path: Path) -> tuple[Path, dict]:
    import csv

    with (DATA / "crowdtangle_new.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows = [dict(rows[0], Message=HUGE), *rows]  # the same post twice, the first one huge
    path = tmp_path / "ct.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path, {}


def _huge_csv(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "posts.csv"
    path.write_text(f"id,text\nbig,{HUGE}\nsmall,نص قصير\n", encoding="utf-8")
    return path, {"mapping": "id=id,text=text"}


def _huge_jsonl(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "posts.jsonl"
    lines = [{"id": "big", "msg": HUGE}, {"id": "small", "msg": "نص قصير"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n")
    return path, {"mapping": "id=id,text=msg"}


@pytest.mark.parametrize(
    ("fmt", "build", "position"),
    [
        ("x", _huge_twarc2_page, "line 1 data[0]"),
        ("x", _huge_twarc2_original, "line 1 includes.tweets[0]"),
        ("x", _huge_v1_original, "line 1 retweeted_status"),
        ("youtube", _huge_youtube, "$.items[0]"),
        ("crowdtangle", _huge_crowdtangle_api, "$.result.posts[0]"),
        ("crowdtangle", _huge_crowdtangle_csv, "row 1 (line 2)"),
        ("csv", _huge_csv, "row 1 (line 2)"),
        ("jsonl", _huge_jsonl, "line 1"),
    ],
)
def test_a_10_mb_text_field_is_one_rejection_and_the_rest_is_read(
    tmp_path: Path, fmt: str, build, position: str
):
    path, options = build(tmp_path)
    posts, rejected = split(make_source(fmt, **options).iter_posts(path))
    assert [(r.file, r.reason) for r in rejected] == [
        (str(path), "text of 10,485,760 characters exceeds the 200,000 limit")
    ]
    assert rejected[0].position.startswith(position), rejected[0].position
    assert posts and all(len(p.text) <= 200_000 for p in posts)


# ------------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM:443/Path?utm_source=x&b=2&fbclid=1#frag",
            "https://www.example.com/Path?b=2",
        ),
        ("http://example.com", "http://example.com/"),
        ("www.example.com/a", "http://www.example.com/a"),
        ("javascript:alert(1)", None),
        (
            "https://example.com:8080/x?q=عراق",
            "https://example.com:8080/x?q=%D8%B9%D8%B1%D8%A7%D9%82",
        ),
    ],
)
def test_normalize_url(url: str, expected: str | None):
    assert normalize_url(url) == expected


def test_parse_time_forms_are_aware_utc():
    expected = datetime(2019, 10, 21, 10, 13, 2, tzinfo=UTC)
    for value in (
        "Mon Oct 21 10:13:02 +0000 2019",
        "2019-10-21T10:13:02.000Z",
        "2019-10-21 13:13:02+03:00",
        str(int(expected.timestamp())),
        int(expected.timestamp()),
        "2019-10-21 10:13:02",
    ):
        assert parse_time(value) == expected, value
    assert parse_time("yesterday") is None


def test_a_file_of_another_format_is_named_as_such(tmp_path: Path):
    tweets = sample("twitter/twarc2_v2/two_tweets.jsonl")
    posts, rejected = split(make_source("telegram").iter_posts(tweets))
    assert posts == [] and len(rejected) == 1 and "not a Telegram export" in rejected[0].reason
    posts, rejected = split(make_source("x").iter_posts(DATA / "tg_channel" / "result.json"))
    assert posts == [] and "Telegram export" in rejected[0].reason
    posts, rejected = split(
        make_source("youtube").iter_posts(
            sample("crowdtangle/phoenix_crowdtangle_api_posts_response.json")
        )
    )
    assert posts == [] and "not a comment thread" in rejected[0].reason
    posts, rejected = split(
        make_source("crowdtangle").iter_posts(
            sample("youtube/phoenix_comment_threads_response.json")
        )
    )
    assert posts == [] and "not a CrowdTangle" in rejected[0].reason


def test_a_plugin_adds_a_format_and_cannot_replace_a_builtin(monkeypatch, tmp_path: Path):
    from collections.abc import Iterator
    from typing import ClassVar

    import marsad.posts.sources as sources
    from marsad.posts.schema import PostRecord
    from marsad.posts.sources.base import Source

    class Mastodon(Source):
        name: ClassVar[str] = "mastodon"
        description: ClassVar[str] = "a test plugin"

        def iter_posts(self, path: Path) -> Iterator[PostRecord]:
            yield PostRecord(
                platform="other", post_id=path.name, account=None, text="hi", created_at=None
            )

    class FakeTelegram(Mastodon):
        name: ClassVar[str] = "telegram"

    class EntryPoint:
        def __init__(self, name, obj):
            self.name, self.value, self.obj = name, f"plugin:{name}", obj

        def load(self):
            if isinstance(self.obj, Exception):
                raise self.obj
            return self.obj

    monkeypatch.setattr(
        sources,
        "entry_points",
        lambda group: [
            EntryPoint("mastodon", Mastodon),
            EntryPoint("telegram", FakeTelegram),
            EntryPoint("broken", ImportError("missing dependency")),
            EntryPoint("odd", object),
        ],
    )
    assert set(sources.available_sources()) == set(sources.SOURCES) | {"mastodon"}
    posts, _ = split(make_source("mastodon").iter_posts(tmp_path / "x.json"))
    assert [p.post_id for p in posts] == ["x.json"]
    assert type(make_source("telegram")).__name__ == "TelegramSource"


@pytest.mark.parametrize("account_layout", [False, True])
def test_telegram_parts_share_the_messages_out_exactly_once(tmp_path: Path, account_layout):
    messages = [
        {"id": i, "type": "message", "date_unixtime": str(1_704_067_200 + i), "text": f"م {i}"}
        for i in range(1, 2001)
    ]
    messages[500] = {"type": "message", "text": "no id"}
    doc = {"name": "c", "type": "public_channel", "id": 5, "messages": messages}
    if account_layout:
        doc = {
            "chats": {
                "list": [
                    dict(doc, messages=messages[:900]),
                    dict(doc, id=6, messages=messages[900:]),
                ]
            }
        }
    body = json.dumps(doc, indent=1).encode()
    path = tmp_path / "result.json"
    path.write_bytes(body[: body.rindex(b'"id": 1990')])  # truncated near the end
    source = make_source("telegram")
    whole = list(source.iter_posts(path))
    parts = [list(source.iter_part(path, part, 3)) for part in range(3)]
    assert all(any(isinstance(i, PostRecord) for i in p) for p in parts)  # each builds some
    assert sorted(map(repr, whole)) == sorted(repr(i) for p in parts for i in p)
    # the file's own rejection (the truncation) once, from the last part
    assert [r.reason for r in parts[2] if isinstance(r, Rejection)][-1].startswith("file ends")


def test_counted_file_position_is_what_tell_says(tmp_path):
    import ijson

    from marsad.posts.sources.telegram import CountedReader

    messages = [{"id": i, "type": "message", "text": "نص " * (i % 50)} for i in range(3000)]
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"id": 1, "messages": messages}, ensure_ascii=False))
    with path.open("rb") as raw:
        fh = CountedReader(raw)
        for _ in ijson.items(fh, "messages.item", buf_size=4096):
            assert fh.pos == raw.tell()


# -- Telegram exports whose messages start lines: read a message at a time by orjson


def _ijson_only(monkeypatch, path: Path, parts: int | None = None) -> list:
    """What the ijson reader alone yields for ``path`` (whole, or part by part)."""
    from marsad.posts.sources import telegram

    with monkeypatch.context() as patch:
        patch.setattr(telegram, "message_lines", lambda _path: None)
        source = make_source("telegram")
        if parts is None:
            return list(source.iter_posts(path))
        return [i for part in range(parts) for i in source.iter_part(path, part, parts)]


def _parsed(items) -> str:
    """``items`` as text to compare, with raw records kept as bytes read as JSON."""
    import dataclasses

    return repr(
        [
            dataclasses.replace(i, raw=json.loads(i.raw))
            if isinstance(i, PostRecord) and isinstance(i.raw, bytes)
            else i
            for i in items
        ]
    )


def _without_ijson_messages(monkeypatch) -> None:
    """Make reading messages with ijson fail: the orjson reader must read them all."""
    from marsad.posts.sources import telegram

    items = telegram.ijson.items

    def refuse(fh, prefix, **kwargs):
        assert prefix != "messages.item", "the messages were read with ijson"
        return items(fh, prefix, **kwargs)

    monkeypatch.setattr(telegram.ijson, "items", refuse)


def _exports(tmp_path: Path) -> dict[str, Path]:
    messages = [
        _message(
            i,
            text=[{"type": "plain", "text": f"نص {i} "}, {"type": "hashtag", "text": "#بغداد"}],
            reactions=[{"type": "emoji", "count": i, "emoji": "👍"}],
            views=2**62 + i,  # a long integer, read exactly
        )
        for i in range(1, 41)
    ]
    messages[7] = {"id": 8, "type": "service", "action": "pin_message"}
    messages[9] = {"type": "message", "text": "no id"}
    doc = {"name": "قناة", "type": "public_channel", "id": 5, "messages": messages}
    indented = json.dumps(doc, ensure_ascii=False, indent=1)
    lines = (
        '{"name": "قناة", "type": "public_channel", "id": 5, "messages": [\n'
        + ",\n".join(json.dumps(m, ensure_ascii=False) for m in messages)
        + "\n]}\n"
    )
    files = {
        "telegram desktop": indented,
        "four spaces": json.dumps(doc, ensure_ascii=False, indent=4),
        "a message a line": lines,
        "windows line ends": indented.replace("\n", "\r\n"),
    }
    paths = {}
    for name, text in files.items():
        paths[name] = tmp_path / f"{name.replace(' ', '_')}.json"
        paths[name].write_bytes(text.encode())
    return paths


def test_telegram_messages_on_lines_read_exactly_as_ijson_reads_them(tmp_path, monkeypatch):
    from marsad.posts.sources.telegram import message_lines

    for name, path in _exports(tmp_path).items():
        expected = _ijson_only(monkeypatch, path)
        with monkeypatch.context() as patch:
            _without_ijson_messages(patch)
            got = list(make_source("telegram").iter_posts(path))
            parted = [i for k in range(3) for i in make_source("telegram").iter_part(path, k, 3)]
        assert message_lines(path) is not None, name
        assert _parsed(got) == repr(expected), name
        assert sorted(_parsed([i]) for i in parted) == sorted(repr([i]) for i in expected), name
        posts, rejected = split(got)
        assert len(posts) == 38 and [r.position for r in rejected] == ["messages[9]"], name
        # each raw record is the message as the file spells it
        assert all(p.raw in path.read_bytes() for p in posts), name
        assert json.loads(posts[0].raw)["views"] == 2**62 + 1


def test_telegram_real_exports_are_read_a_message_at_a_time(monkeypatch):
    for name in (
        "kant2002_channel_reactions_snippet.json",
        "kant2002_channel_service_create_channel_snippet.json",
        "kant2002_channel_text_array_mismatch_snippet.json",
        "chat-analytics_DM_2A_7M.json",
    ):
        path = sample(f"telegram/{name}")
        expected = _ijson_only(monkeypatch, path)
        with monkeypatch.context() as patch:
            _without_ijson_messages(patch)
            assert _parsed(make_source("telegram").iter_posts(path)) == repr(expected), name


def test_telegram_cut_inside_a_message_falls_back_to_ijson_without_loss(tmp_path, monkeypatch):
    # Objects inside messages that start lines at the messages' own indentation: the
    # cut before them is inside a message, and ijson reads on from there.
    messages = [_message(i, media={"kind": "photo", "n": i}) for i in range(1, 301)]
    doc = {"name": "c", "type": "public_channel", "id": 5, "messages": messages}
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    text = text.replace(
        '"media": {\n    "kind": "photo",\n    "n": 150\n   }', '"media":\n  {"n": 150}'
    )
    text = text.replace(
        '"media": {\n    "kind": "photo",\n    "n": 250\n   }', '"media":\n  {"n": 250}'
    )
    assert text.count('\n  {"n": ') == 2
    path = tmp_path / "result.json"
    path.write_text(text)
    expected = _ijson_only(monkeypatch, path)
    assert len(split(expected)[0]) == 300
    assert _parsed(make_source("telegram").iter_posts(path)) == repr(expected)
    for parts in (2, 3, 5):
        got = [i for k in range(parts) for i in make_source("telegram").iter_part(path, k, parts)]
        assert sorted(_parsed([i]) for i in got) == sorted(repr([i]) for i in expected), parts


@pytest.mark.parametrize(
    "damage", ["utf8", "garbage", "cut", "two commas", "more keys", "beyond 64 bits"]
)
def test_telegram_broken_indented_export_reads_as_with_ijson(tmp_path, monkeypatch, damage):
    messages = [_message(i, text=f"نص {i} MARK{i}") for i in range(1, 201)]
    doc = {"name": "c", "type": "public_channel", "id": 5, "messages": messages}
    body = json.dumps(doc, ensure_ascii=False, indent=1).encode()
    mark = body.index(b"MARK120")
    body = {
        "utf8": body[:mark] + b"\xff" + body[mark:],
        "garbage": body[: mark - 1] + b'", "x": oops' + body[mark + 7 :],
        "cut": body[:mark],
        "two commas": body.replace(b"\n  },\n  {", b"\n  },,\n  {", 1),
        "more keys": body[: body.rindex(b"}")] + b',\n "extra": [\n  {"id": 1}\n ]\n}\n',
        # orjson would read it as a float; ijson refuses it (integer overflow)
        "beyond 64 bits": body[:mark] + b'", "n": 123456789012345678901, "t": "' + body[mark:],
    }[damage]
    path = tmp_path / "result.json"
    path.write_bytes(body)
    expected = _ijson_only(monkeypatch, path)
    got = list(make_source("telegram").iter_posts(path))
    assert _parsed(got) == repr(expected)
    parted = [i for k in range(3) for i in make_source("telegram").iter_part(path, k, 3)]
    expected_parts = _ijson_only(monkeypatch, path, 3)
    assert sorted(_parsed([i]) for i in parted) == sorted(repr([i]) for i in expected_parts)
    posts, rejected = split(got)
    if damage == "more keys":
        assert len(posts) == 200 and not rejected
    else:
        assert rejected and len(posts) < 200
    if damage == "beyond 64 bits":  # named where the number starts
        at = body.index(b"123456789012345678901")
        assert (
            rejected[-1].reason
            == f"invalid JSON at byte {at} (parse error: integer beyond 64 bits)"
        )


def test_telegram_message_pieces_do_not_depend_on_the_read_size(tmp_path):
    from marsad.posts.sources.telegram import message_lines, message_texts

    messages = [_message(i, text="ن" * (i * 37 % 900)) for i in range(1, 120)]
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"id": 5, "messages": messages}, ensure_ascii=False, indent=1))
    first, cut = message_lines(path)
    whole = list(message_texts(path, first, cut))
    assert len(whole) == 119 and whole[-1][2] and not any(last for _, _, last in whole[:-1])
    for block in (1, 2, 3, 7, 64, 1000, 4096):
        assert list(message_texts(path, first, cut, block=block)) == whole, block


def test_x_integers_beyond_64_bits_are_kept_exactly_in_the_raw_record(tmp_path):
    # orjson reads them as floats, last digits lost, without an error
    tweets = [
        {"id": "1", "text": "نص", "author_id": "9", "n": 2**70 + 1, "m": -(2**64) - 1},
        {"id": "2", "text": "نص", "author_id": "9", "n": 2**63 + 1, "m": 1.5},
    ]
    path = tmp_path / "flat.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in tweets))
    posts, rejected = split(make_source("x").iter_posts(path))
    assert not rejected
    assert [(p.raw["n"], p.raw["m"]) for p in posts] == [
        (2**70 + 1, -(2**64) - 1),
        (2**63 + 1, 1.5),
    ]
    assert all(isinstance(p.raw["n"], int) for p in posts)
