"""Successor features beyond names and avatars: each finds a successor the others miss."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from marsad.coordination import lineage
from marsad.coordination import recreated_accounts as ra
from marsad.coordination.cli import app
from marsad.coordination.recreated_accounts import (
    DEFAULT_WEIGHTS,
    AccountProfile,
    bio_links,
    consonant_skeleton,
    rank_successors,
    similarities,
)
from marsad.coordination.signals import behaviour_profiles, co_sharers, coactions
from marsad.coordination.table import PostTable
from marsad.core.db import session_scope
from marsad.posts import read as posts_read
from marsad.posts.ingest import ingest_files

runner = CliRunner()
MAPPING = "id=id,author=author,author_name=author_name,text=text,created_at=created_at"


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _without(feature: str) -> dict[str, float]:
    return {k: (0.0 if k == feature else v) for k, v in DEFAULT_WEIGHTS.items()}


# ------------------------------------------------------------------ transliteration


@pytest.mark.parametrize(
    ("latin", "arabic"),
    [
        ("ali_albaghdadi", "علي البغدادي"),
        ("Mustafa", "مصطفى"),
        ("zainab", "زينب"),
        ("Fatimah", "فاطمة"),
        ("yousif", "يوسف"),
        ("waleed", "وليد"),
        ("a7mad", "أحمد"),
        ("abdulrahman", "عبد الرحمن"),
        ("khalid", "خالد"),
        ("Haider", "حيدر"),
        ("thaer", "ثائر"),
        ("dhurgham", "ضرغام"),
        ("shaimaa", "شيماء"),
        ("ghufran", "غفران"),
    ],
)
def test_romanisations_and_arabic_meet_on_one_skeleton(latin: str, arabic: str) -> None:
    assert consonant_skeleton(latin) == consonant_skeleton(arabic) != ""


def test_names_across_scripts_are_similar_and_strangers_are_not() -> None:
    def sims(a: AccountProfile, b: AccountProfile) -> dict[str, float]:
        return similarities(a, b)

    arabic = AccountProfile("a", handle="حسين", display_name="حسين")
    assert sims(arabic, AccountProfile("b", handle="hussein.iq"))["handle"] > 0.8
    # A Latin handle against the other account's Arabic display name counts for the handle.
    named = AccountProfile("a", handle="x_1", display_name="علي البغدادي")
    assert sims(named, AccountProfile("b", handle="ali_albaghdadi"))["handle"] == 1.0
    assert sims(named, AccountProfile("b", display_name="Ali Al-Baghdadi"))["display_name"] == 1.0
    # Unrelated names across scripts keep their (low) same-script similarity.
    assert sims(named, AccountProfile("b", display_name="News desk"))["display_name"] < 0.2
    assert sims(named, AccountProfile("b", handle="sports_fan"))["handle"] < 0.3
    # Same script: the transliteration does not apply.
    assert sims(AccountProfile("a", handle="noor"), AccountProfile("b", handle="nour"))[
        "handle"
    ] == pytest.approx(0.75)


def test_a_latin_recreation_of_an_arabic_named_account_is_found_by_transliteration() -> None:
    suspended = AccountProfile("s", handle="علي_البغدادي", display_name="علي البغدادي")
    pool = [
        AccountProfile("succ", handle="ali_albaghdadi2", display_name="Ali Albaghdadi"),
        AccountProfile("n1", handle="ali_alnajafi", display_name="Ali Alnajafi"),
        AccountProfile("n2", handle="hussein_albasri", display_name="Hussein Albasri"),
        AccountProfile("n3", handle="baghdad_news", display_name="Baghdad News"),
        AccountProfile("n4", handle="علي_النجفي", display_name="علي النجفي"),
        AccountProfile("n5", handle="حسين_البغدادي", display_name="حسين البغدادي"),
        AccountProfile("n6", handle="mustafa_iq", display_name="مصطفى العراقي"),
    ]
    ranked = rank_successors(suspended, pool)
    assert ranked[0].account_id == "succ"
    assert ranked[0].similarities["display_name"] == 1.0
    assert ranked[0].score > ranked[1].score + 0.1
    # Without the cross-script comparison the Latin successor is out-ranked.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ra, "_ACROSS_MIN", 2.0)
        assert rank_successors(suspended, pool)[0].account_id != "succ"


# ------------------------------------------------------------------ bio links, followers


def test_bio_links_are_normalised() -> None:
    assert bio_links("قناتي https://www.T.me/Ali_News/ و youtube.com/@ali. نهاية.الجملة") == {
        "t.me/ali_news",
        "youtube.com/@ali",
    }
    assert bio_links("no link here, just.words") == frozenset()


def test_a_successor_found_only_by_its_bio_link() -> None:
    suspended = AccountProfile(
        "s", handle="voice_of_basra", bio="أخبار البصرة https://t.me/basra_voice"
    )
    pool = [
        AccountProfile("succ", handle="qwerty_77", bio="القناة البديلة: t.me/basra_voice/"),
        AccountProfile("n1", handle="basra_today", bio="أخبار البصرة أولا بأول t.me/basra_today"),
        AccountProfile("n2", handle="voice_iq", bio="صوت العراق https://t.me/voice_iq"),
    ]
    ranked = rank_successors(suspended, pool)
    assert ranked[0].account_id == "succ"
    assert ranked[0].similarities["bio_links"] == 1.0
    assert "bio_links" not in ranked[1].similarities or ranked[1].similarities["bio_links"] == 0
    assert rank_successors(suspended, pool, weights=_without("bio_links"))[0].account_id != "succ"


def test_shared_followers_from_the_accounts_file(tmp_path: Path) -> None:
    circle = [f"f{n}" for n in range(12)]
    rng = random.Random(3)
    rows = [
        ["old", "sky_line", "", " ".join(circle)],
        ["new", "river_9", "", " ".join(circle[:10] + ["f99"])],
    ]
    for n in range(8):
        rows.append(
            [f"o{n}", f"acc{n}", "", " ".join(rng.sample([f"g{k}" for k in range(30)], 10))]
        )
    accounts = _csv(tmp_path / "accounts.csv", ["account_id", "handle", "bio", "followers"], rows)
    result = runner.invoke(
        app, ["successors", "--suspended", "old", "--accounts", str(accounts), "--json"]
    )
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.stdout)["suspended"][0]["candidates"]
    assert ranked[0]["account_id"] == "new"
    assert ranked[0]["similarities"]["followers"] == pytest.approx(10 / 13, abs=1e-4)
    assert ranked[0]["contributions"]["followers"] > 0
    assert all(c["similarities"].get("followers", 0) == 0 for c in ranked[1:])


def test_bad_followers_in_jsonl_are_one_line_errors(tmp_path: Path) -> None:
    path = tmp_path / "accounts.jsonl"
    path.write_text(
        json.dumps({"account_id": "a", "handle": "x"})
        + "\n"
        + json.dumps({"account_id": "b", "followers": [{"id": 1}]})
        + "\n"
    )
    result = runner.invoke(app, ["successors", "--suspended", "a", "--accounts", str(path)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "followers" in lines[0] and "row 2" in lines[0], result.output


# ------------------------------------------------------------------ writing style

MINE = [
    "والله يمعود هسه شكو ماكو بالبصرة؟؟ ماي ماكو وكهرباء ماكو ~~",
    "يمعود خلوها لله، هسه الحر يكتل والمولدة طافية؟؟ ~~",
    "شكو ماكو اليوم؟؟ والله البصرة تستاهل احسن من هيج ~~",
    "هسه يكولون المي راح يرجع، يمعود منو يصدك؟؟ ~~",
    "والله ما نسكت، البصرة مالتنه وهسه وقت الحق ~~",
    "يمعود شوفوا الشط شلون صاير؟؟ والله حرام ~~",
]
NEWS = [
    "أعلنت وزارة الكهرباء اليوم عن خطة جديدة لزيادة ساعات التجهيز في المحافظات الجنوبية.",
    "عقد مجلس المحافظة جلسة طارئة لمناقشة أزمة المياه وتداعياتها على المزارعين.",
    "قال المتحدث باسم الحكومة إن الإجراءات ستبدأ مطلع الشهر المقبل في جميع الدوائر.",
    "شهدت الأسواق المحلية ارتفاعا ملحوظا في أسعار المواد الغذائية خلال الأسبوع الماضي.",
]
FORMAL = [
    "نرجو من الإخوة المتابعين الالتزام بآداب الحوار، مع الشكر والتقدير.",
    "تنويه: سيتم نشر التقرير الكامل غدا إن شاء الله، تابعونا.",
    "نتمنى للجميع دوام الصحة والعافية، ونسأل الله أن يحفظ البلاد والعباد.",
]


def test_a_successor_found_only_by_its_writing_style(tmp_path: Path) -> None:
    rng = random.Random(11)
    writers = {"old": MINE, "new": MINE, "news1": NEWS, "news2": NEWS, "formal": FORMAL}
    rows = []
    for n in range(60):
        account = list(writers)[n % len(writers)]
        day = 40 if account == "new" else 0
        text = rng.choice(writers[account]) + f" {rng.randint(1, 99)}"
        rows.append([f"p{n}", account, 1_700_000_000 + 86_400 * (day + n // 5) + 3600 * 18, text])
    posts = _csv(tmp_path / "posts.csv", ["post_id", "account_id", "timestamp", "text"], rows)
    accounts = _csv(
        tmp_path / "accounts.csv",
        ["account_id", "handle", "display_name"],
        [
            ["old", "basrawi_1", "ابن البصرة"],
            ["new", "skyfall_x", "Sky"],
            ["news1", "river_kh", "Sky"],
            ["news2", "moon_light7", "Sky"],
            ["formal", "desk_q", "Sky"],
        ],
    )
    args = ["successors", "--suspended", "old", "--input", str(posts), "--accounts", str(accounts)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.stdout)["suspended"][0]["candidates"]
    assert ranked[0]["account_id"] == "new", ranked
    style = {c["account_id"]: c["similarities"]["style"] for c in ranked}
    assert style["new"] > 0.6 > 0.3 > max(v for k, v in style.items() if k != "new"), style
    # Without its style it does not stand out: everyone posts at the same hour.
    table = PostTable.from_rows(
        [{"account_id": r[1], "post_id": r[0], "timestamp": r[2], "text": r[3]} for r in rows]
    )
    profiles = behaviour_profiles(table)
    pool = [p for a, p in profiles.items() if a != "old"]
    scores = {c.account_id: c.score for c in rank_successors(profiles["old"], pool)}
    assert scores["new"] > max(v for k, v in scores.items() if k != "new") + 0.2
    flat = rank_successors(profiles["old"], pool, weights=_without("style"))
    assert len({c.score for c in flat}) == 1


def test_style_needs_enough_text_and_ignores_links_mentions_and_hashtags() -> None:
    assert ra.style_grams(["قصير"]) == Counter()
    body = "نص عادي بلا أي شيء مميز " * 10
    noisy = ra.style_grams([body + " https://x.com/a @someone #وسم"])
    assert noisy == ra.style_grams([body])


# ------------------------------------------------------------------ co-sharers


def _circle_rows() -> list[dict[str, object]]:
    """The banned account re-shared with a circle; months later its successor, with the same."""
    rows: list[dict[str, object]] = []
    t0 = 1_750_000_000
    circle = [f"c{n}" for n in range(5)]
    others = [f"d{n}" for n in range(5)]

    def share(who: str, obj: str, ts: int) -> None:
        rows.append(
            {"account_id": who, "post_id": f"{who}-{obj}", "timestamp": ts, "object_id": obj}
        )

    for k in range(8):
        for n, member in enumerate(["old", *circle]):
            share(member, f"a{k}", t0 + 86_400 * k + 7 * n)
        for n, member in enumerate(["new", *circle]):
            share(member, f"b{k}", t0 + 86_400 * (90 + k) + 7 * n)
        for n, member in enumerate(["decoy", *others]):
            share(member, f"x{k}", t0 + 86_400 * (90 + k) + 7 * n)
        # a viral post: everyone at once, which makes nobody a co-sharer
        viral = t0 + 86_400 * (90 + k) + 5 * 3600
        for n in range(150):
            share(f"v{n}", f"viral{k}", viral + n % 40)
        share("decoy", f"viral{k}", viral + 5)
        share("old", f"viral{k}", viral + 6)
    return rows


def test_co_sharers_skip_viral_moments_and_other_times() -> None:
    table = PostTable.from_rows(_circle_rows())
    peers = co_sharers(coactions(table))
    assert peers["old"] == {f"c{n}" for n in range(5)}
    assert peers["new"] == {f"c{n}" for n in range(5)}
    assert peers["decoy"] == {f"d{n}" for n in range(5)}
    assert peers["c0"] == {"old", "new", "c1", "c2", "c3", "c4"}
    # Outside the window nobody co-acts (the circle shares 7 s apart).
    assert "new" not in co_sharers(coactions(table), window=3)


def test_a_successor_found_only_by_its_co_sharers() -> None:
    profiles = behaviour_profiles(PostTable.from_rows(_circle_rows()))
    pool = [p for a, p in profiles.items() if a != "old"]
    ranked = rank_successors(profiles["old"], pool, limit=200)
    assert ranked[0].account_id == "new"
    assert ranked[0].similarities["cosharers"] == 1.0
    # Its circle comes next (each misses itself from the set), strangers and the decoy after.
    assert {c.account_id for c in ranked[1:6]} == {f"c{n}" for n in range(5)}
    decoy = next(c for c in ranked if c.account_id == "decoy")
    assert decoy.similarities["cosharers"] == 0.0
    # Without co-sharers the decoy, which keeps the banned account's hours, comes first.
    without = rank_successors(profiles["old"], pool, weights=_without("cosharers"), limit=200)
    assert without[0].account_id == "decoy"


# ------------------------------------------------------------------ on the store


@pytest.fixture
def circle_store(engine, tmp_path):  # type: ignore[no-untyped-def]
    """A store where the banned account and its successor link the same things with one circle."""
    rng = random.Random(5)
    start = datetime(2026, 9, 1, 18, tzinfo=UTC)
    rows = []

    def post(author: str, name: str, text: str, when: datetime) -> None:
        rows.append(
            {
                "id": f"p{len(rows)}",
                "author": author,
                "author_name": name,
                "text": text,
                "created_at": when.isoformat(),
            }
        )

    circle = [f"ring{n}" for n in range(4)]
    for k in range(6):
        for n, who in enumerate(["banned_voice", *circle]):
            post(
                who,
                who,
                f"شوفوا https://basra-truth.iq/a{k}",
                start + timedelta(days=k, seconds=9 * n),
            )
        for n, who in enumerate(["zz_fresh", *circle]):
            post(
                who,
                who,
                f"شوفوا https://basra-truth.iq/b{k}",
                start + timedelta(days=60 + k, seconds=9 * n),
            )
    for n in range(120):
        handle = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8)) + str(n)
        for k in range(4):
            when = start + timedelta(days=rng.randint(0, 70), minutes=rng.randint(0, 600))
            post(handle, "News", f"خبر https://site{n % 7}.iq/{n}-{k}", when)
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    ingest_files(fmt="jsonl", paths=[path], engine=engine, mapping=MAPPING)
    return len(rows)


def test_store_finds_the_successor_by_co_sharers_reading_around_its_links(
    circle_store, engine, sessions, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    read: Counter[str] = Counter()
    for name in ("iter_share_rows", "iter_share_rows_of", "iter_share_rows_near"):
        real = getattr(posts_read, name)

        def counted(real=real, name=name, **kwargs):  # type: ignore[no-untyped-def]
            for row in real(**kwargs):
                read[name] += 1
                yield row

        monkeypatch.setattr(posts_read, name, counted)

    def bounded(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        flat = " ".join(statement.split())
        if " FROM posts" in flat and "posts_fts" not in flat:
            assert (
                "posts.account_id IN" in flat
                or "posts.created_at BETWEEN" in flat
                or ("posts.account_id =" in flat)
            ), flat

    event.listen(engine, "before_cursor_execute", bounded)
    try:
        with session_scope(sessions) as session:
            ranked = lineage.propose_successors(session, suspended="other:banned_voice", limit=5)
    finally:
        event.remove(engine, "before_cursor_execute", bounded)
    assert ranked[0]["account_id"] == "other:zz_fresh"
    assert ranked[0]["similarities"]["cosharers"] == 1.0
    # Its own posts; the candidates' (names do not tell them apart here, so most are
    # read) and the posts around their links, every query bounded by account or time.
    assert read["iter_share_rows"] == 6
    with session_scope(sessions) as session:
        everything = lineage.store_profiles(session)
    pool = [p for a, p in everything.items() if a != "other:banned_voice"]
    full = rank_successors(everything["other:banned_voice"], pool, limit=5)
    assert [c["account_id"] for c in ranked] == [c.account_id for c in full]
    assert [c["score"] for c in ranked] == [round(c.score, 4) for c in full]


def test_cosharers_meet_on_a_link_whatever_its_tracking_parameters() -> None:
    base = datetime(2026, 9, 1, 12, tzinfo=UTC).timestamp()
    urls = (
        "https://www.news.example/story/1?utm_source=tw",
        "http://news.example/story/1/",
        "news.example/story/1?fbclid=abc",
    )
    rows = [
        {"account_id": f"acc{i}", "post_id": f"p{i}", "timestamp": base + 5 * i, "url": u}
        for i, u in enumerate(urls)
    ]
    peers = co_sharers(coactions(PostTable.from_rows(rows)))
    assert peers["acc0"] == {"acc1", "acc2"}, peers
