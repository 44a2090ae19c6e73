"""Searching posts as an analyst types: clitics, highlighted matches, flags, order."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

from marsad.posts import service

from .helpers import GENERIC_MAP, flag_post

POSTS = {
    "1": ("الخونة باعوا البلد", datetime(2025, 3, 1, tzinfo=UTC)),
    "2": ("هؤلاء خونة ولا غير", datetime(2025, 3, 2, tzinfo=UTC)),
    "3": ("سقط والخونة معهم", datetime(2025, 3, 3, tzinfo=UTC)),
    "4": ("للخونة عقاب قريب", datetime(2025, 3, 4, tzinfo=UTC)),
    "5": ("صباح الخير يا بغداد", datetime(2025, 3, 5, tzinfo=UTC)),
    "6": ("اللغة العربية جميلة", datetime(2025, 3, 6, tzinfo=UTC)),
}


def _store(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The posts above, ingested as x posts of account u1 (ingest builds the index)."""
    import csv

    from marsad.posts.ingest import ingest_files

    path = tmp_path / "posts.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["post_id", "user", "user_name", "body", "time"])
        for post_id, (text, when) in POSTS.items():
            out.writerow([post_id, "u1", "U", text, when.isoformat()])
    ingest_files(engine=engine, fmt="csv", paths=[path], platform="x", mapping=GENERIC_MAP)


def _ids(session, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.post_id for p in service.search(session=session, **kw).items]


def test_a_word_with_its_clitics_finds_what_the_bare_word_finds(session, engine, tmp_path) -> None:
    _store(engine, tmp_path)
    bare = _ids(session, query="خونة")
    assert bare == ["4", "3", "2", "1"]
    assert _ids(session, query="الخونة") == bare
    assert _ids(session, query="والخونة") == bare
    assert _ids(session, query="للخونة") == bare
    assert _ids(session, query="لغة") == ["6"] and _ids(session, query="اللغة") == ["6"]
    assert _ids(session, query="الخير") == ["5"]
    assert _ids(session, query="خونة", sort="oldest") == ["1", "2", "3", "4"]


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.inputs.append(dict(attrs))


def test_feed_placeholder_is_whole_and_matches_are_marked(
    admin_client, session, engine, tmp_path
) -> None:
    _store(engine, tmp_path)
    for lang, phrase in (("en", '"a phrase"'), ("ar", "عبارة"), ("ckb", "دەستەواژە")):
        page = admin_client.get("/posts", params={"q": "خونة", "lang": lang})
        parser = _Inputs()
        parser.feed(page.text)
        box = next(i for i in parser.inputs if i.get("name") == "q")
        assert phrase in (box.get("placeholder") or ""), f"the {lang} placeholder is cut"
        assert box.get("prefix*") is None and 'phrase"' not in box
    assert "<mark>والخونة</mark>" in page.text and "<mark>للخونة</mark>" in page.text
    assert "<mark>صباح" not in page.text
    oldest = admin_client.get("/posts", params={"sort": "oldest"}).text
    assert oldest.index("الخونة باعوا") < oldest.index("اللغة العربية")
    bad = admin_client.get("/api/v1/posts", params={"sort": "best"})
    assert bad.status_code == 422 and bad.json()["where"] == "sort"


def test_feed_marks_flagged_posts(admin_client, session, engine, tmp_path) -> None:
    _store(engine, tmp_path)
    flag_post(session, "x:1", ["hate"])
    flag_post(session, "x:2", ["offensive"], status="rejected", reviewed=[])
    flag_post(session, "x:3", ["hate"], status="confirmed", reviewed=["violence"])
    page = admin_client.get("/posts", params={"lang": "en"}).text
    rows = {p.split("</li>")[0].count("is-flagged") for p in page.split('<li class="post')[1:]}
    assert rows == {0, 1}
    api = {p["post_id"]: p["flag"] for p in admin_client.get("/api/v1/posts").json()["items"]}
    assert api["1"] == {"status": "pending", "labels": ["hate"]}
    assert api["3"] == {"status": "confirmed", "labels": ["violence"]}
    assert api["2"] is None and api["5"] is None
    assert page.count('class="post is-flagged"') == 2
