"""The posts API and staff pages, in-process."""

from __future__ import annotations

from marsad.posts.ingest import ingest_files

from .helpers import DATA, flag_channel_fixture, ingest_generic, sample


def _load(engine) -> None:
    ingest_files(engine=engine, fmt="telegram", paths=[DATA / "tg_channel"])


def test_api_is_staff_only(client, engine):
    _load(engine)
    assert client.get("/api/v1/posts?q=حكومة").status_code == 401
    assert client.get("/api/v1/posts/1").status_code == 401


def test_api_search_and_post(admin_client, engine):
    _load(engine)
    page = admin_client.get("/api/v1/posts", params={"q": "حكومة"}).json()
    assert page["total"] == 1 and page["items"][0]["post_id"] == "1500000001/3"
    post = admin_client.get(f"/api/v1/posts/{page['items'][0]['id']}").json()
    assert post["raw"]["id"] == 3 and post["reply_to"] == "1500000001/2"
    same = admin_client.get("/api/v1/posts/telegram:1500000001/3").json()
    assert same["id"] == post["id"]
    missing = admin_client.get("/api/v1/posts/telegram:nope")
    assert missing.status_code == 404 and missing.json()["error"] == "err_post_not_found"
    bad = admin_client.get("/api/v1/posts", params={"since": "someday"})
    # the same rule, and the same error, as the CLI's --since
    assert bad.status_code == 422 and bad.json()["error"] == "err_posts_time"
    assert bad.json()["where"] == "since" and "2024-05-01" in bad.json()["message"]
    account = admin_client.get("/api/v1/accounts/telegram/channel1500000001").json()
    assert sum(d["posts"] for d in account["per_day"]) == 4


def test_pages_show_search_results_post_and_account(admin_client, engine):
    _load(engine)
    feed = admin_client.get("/posts", params={"q": "حكومة"})
    assert feed.status_code == 200
    found = feed.text.replace("<mark>", "").replace("</mark>", "")  # matches are marked
    assert "الحكومة تعلن حظر التجوال" in found and "تظاهرة في" not in found
    assert "<mark>الحكومة</mark>" in feed.text
    everything = admin_client.get("/posts")
    assert "تظاهرة في" in everything.text
    page = admin_client.get("/api/v1/posts", params={"q": "تظاهرة"}).json()
    post = admin_client.get(f"/posts/{page['items'][0]['id']}")
    assert post.status_code == 200 and "reactions" in post.text
    assert "https://example.com/news?id=7" in post.text  # the normalised link
    account = admin_client.get("/accounts/telegram/channel1500000001")
    assert account.status_code == 200 and "قناة الرصد التجريبية" in account.text
    assert "<meter" in account.text
    assert "Account created on the platform" not in account.text  # Telegram never says


def test_account_page_and_json_show_when_the_account_was_created(admin_client, engine):
    ingest_files(engine=engine, fmt="x", paths=[sample("twitter/twarc2_v2/flat.jsonl")])
    api = admin_client.get("/api/v1/accounts/x/2718660392").json()
    assert api["registered_at"].startswith("2014-08-09T05:17:14")
    page = admin_client.get("/accounts/x/2718660392", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and 'datetime="2014-08-09T05:17:14' in page.text


def test_a_crafted_post_url_is_not_a_link(admin_client, engine, tmp_path):
    path = tmp_path / "evil.csv"
    path.write_text('id,text,url\nz1,hello,"javascript:alert(1)"\n', encoding="utf-8")
    ingest_files(engine=engine, fmt="csv", paths=[path], mapping="id=id,text=text,url=url")
    page = admin_client.get("/api/v1/posts", params={"q": "hello"}).json()
    html = admin_client.get(f"/posts/{page['items'][0]['id']}").text
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html


def test_post_page_shows_where_a_forward_came_from(admin_client, engine, tmp_path):
    import json

    path = tmp_path / "result.json"
    message = {
        "id": 1,
        "type": "message",
        "date_unixtime": "1704067200",
        "from_id": "channel42",
        "text": "خبر",
        "forwarded_from": "وكالة أنباء",
        "forwarded_from_id": "channel777",
    }
    doc = {"name": "c", "type": "public_channel", "id": 42, "messages": [message]}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    ingest_files(engine=engine, fmt="telegram", paths=[path])
    api = admin_client.get("/api/v1/posts/telegram:42/1").json()
    assert api["forward_from"] == "channel777"
    html = admin_client.get("/posts/telegram:42/1").text
    # the source is named and links to its posts in the feed, not to a post of that id
    assert "forward_from" in html and "channel777" in html
    assert 'href="/posts?platform=telegram&amp;account=channel777"' in html
    assert 'href="/posts/telegram:channel777"' not in html


def test_api_and_feed_filter_flagged_posts(admin_client, engine, sessions):
    from marsad.detect.model import TASKS
    from marsad.posts.views import LABELS

    assert LABELS == TASKS  # the feed offers detect's labels
    _load(engine)
    with sessions() as session:
        flag_channel_fixture(session)
    api = admin_client.get("/api/v1/posts", params={"flagged": "true"}).json()
    assert sorted(p["post_id"] for p in api["items"]) == ["1500000001/2", "1500000001/3"]
    by_label = admin_client.get("/api/v1/posts", params={"label": "violence"}).json()
    assert [p["post_id"] for p in by_label["items"]] == ["1500000001/3"]
    unknown = admin_client.get("/api/v1/posts", params={"label": "spam"})
    assert unknown.status_code == 422 and unknown.json()["error"] == "err_flag_labels"
    admin_client.cookies.set("marsad_lang", "en")
    feed = admin_client.get("/posts", params={"flagged": "true", "limit": 1})
    assert feed.status_code == 200
    assert 'name="flagged" value="true" checked' in feed.text and "Flagged only" in feed.text
    assert "plain old text" not in feed.text  # the rejected flag's post is left out
    # paging and the JSON twin keep the filter
    assert "flagged=true" in feed.text.split('rel="next"')[0].rsplit("href=", 1)[1]
    assert 'href="/api/v1/posts?flagged=true' in feed.text
    labelled = admin_client.get("/posts", params={"label": "violence"})
    assert '<option value="violence" selected>' in labelled.text
    assert "الحكومة تعلن حظر التجوال" in labelled.text and "تظاهرة في" not in labelled.text
    admin_client.cookies.set("marsad_lang", "ar")
    arabic = admin_client.get("/posts")
    assert "المُعلَّمة فقط" in arabic.text


def test_feed_language_filter_leaves_the_interface_language_alone(admin_client, engine):
    ingest_generic(engine, lang=True)
    feed = admin_client.get("/posts", params={"language": "en"})
    assert feed.status_code == 200
    assert "hello from Erbil" in feed.text
    assert 'dir="rtl"' in feed.text  # still the Arabic interface, not switched to English
    assert "marsad_lang" not in feed.cookies
    assert "البصرة" not in feed.text  # the Arabic post is filtered out
    assert 'href="/api/v1/posts?language=' not in feed.text
    assert 'href="/api/v1/posts?lang=en' in feed.text  # the JSON twin names it as the API does


def test_a_post_whose_dictionary_is_missing_is_an_error_page_not_a_crash(
    admin_client, engine, sessions
):
    import zstandard
    from sqlalchemy import update

    from marsad.posts.models import Post

    _load(engine)
    samples = [f'{{"id": {i}, "text": "رسالة {i}", "views": {i * 7}}}'.encode() for i in range(300)]
    unknown = zstandard.train_dictionary(2048, samples)
    blob = zstandard.ZstdCompressor(dict_data=unknown).compress(b'{"id": 3}')
    with sessions() as session:
        session.execute(update(Post).where(Post.post_id == "1500000001/3").values(raw=blob))
        session.commit()
    api = admin_client.get("/api/v1/posts/telegram:1500000001/3")
    assert api.status_code == 500 and api.json()["error"] == "err_post_raw_dictionary"
    assert str(unknown.dict_id()) in api.json()["message"]
    page = admin_client.get("/posts/telegram:1500000001/3", headers={"Accept-Language": "en"})
    assert page.status_code == 500 and str(unknown.dict_id()) in page.text
    assert "Traceback" not in page.text


def test_feed_language_filter_names_languages_not_codes(admin_client, engine):
    ingest_generic(engine, lang=True)
    feed = admin_client.get("/posts", params={"language": "ckb"}).text
    assert '<option value="ckb" selected>الكردية (السورانية)</option>' in feed
    assert ">kmr<" not in feed and ">en<" not in feed
