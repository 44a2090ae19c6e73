"""Case bundles: written from the store, checked alone, and every tampering named."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.cli.main import app as marsad
from marsad.core.settings import Settings
from marsad.evidence.bundle import verify_bundle
from marsad.evidence.models import CustodyEvent
from marsad.evidence.settings import EvidenceSettings
from marsad.evidence.timestamps import stamp_items
from marsad.evidence.wacz import check_wacz, read_record
from tests.evidence.extras.helpers import PAGE, make_warc, members, rewrite

runner = CliRunner()
NOTE = "رسالة تهديد وصلت إلى صحفية\n".encode()


@pytest.fixture
def case(env, sessions, make_item, tsa, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """Three items (a file with a timestamp, a web capture with a screenshot, a picture)
    bundled through the real command; returns (zip path, item ids)."""
    note = make_item(NOTE, media_type="text/plain", title="تهديد", source_ref="report:17")
    capture = make_item(
        make_warc(),
        kind="capture",
        media_type="application/warc",
        title="Deleted post",
        source_url="https://example.org/post/1",
        parts=[("screenshot", b"\x89PNG fake screenshot bytes", "image/png")],
    )
    picture = make_item(b"\xff\xd8\xff\xe0 not really a jpeg", media_type="image/jpeg")
    configured = Settings(
        **env.model_dump(),
        evidence=EvidenceSettings(evidence_tsa_url=tsa.url, evidence_tsa_ca_file=tsa.ca_file),
    )
    stamp_items(sessions=sessions, settings=configured, item_ids=[note, capture], actor="m1")
    monkeypatch.setenv("MARSAD_EVIDENCE_TSA_CA_FILE", str(tsa.ca_file))
    out = tmp_path / "case.zip"
    ids = f"{note},{capture},{picture}"
    done = runner.invoke(
        marsad, ["evidence", "bundle", "--items", ids, "--out", str(out), "--json"]
    )
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["items"] == [note, capture, picture]
    assert result["out"] == str(out) and result["sha256"].startswith("sha256:")
    return out, (note, capture, picture)


def _verify(path: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    done = runner.invoke(marsad, ["evidence", "verify-bundle", str(path), "--json"])
    return done.exit_code, json.loads(done.stdout)


def test_a_fresh_bundle_verifies_and_records_its_export(case, sessions) -> None:
    out, (note, capture, picture) = case
    code, result = _verify(out)
    assert code == 0 and result["ok"] and result["problems"] == []
    assert result["items"] == 3 and result["checked"] >= 12
    with sessions() as session:
        for item in (note, capture, picture):
            actions = session.scalars(
                select(CustodyEvent.action)
                .where(CustodyEvent.item_id == item)
                .order_by(CustodyEvent.seq)
            ).all()
            assert actions[-1] == "export"
    names = set(members(out))
    assert {
        "index.html", "VERIFY.txt", "bundle.json", "manifest-sha256.txt", "tsa-ca.pem",
        f"items/{note}/content.txt", f"items/{capture}/content.warc",
        f"items/{capture}/capture.wacz", f"items/{picture}/content.jpg",
    } <= names  # fmt: skip
    log = members(out)[f"items/{note}/custody.jsonl"].decode().splitlines()
    assert [json.loads(line)["action"] for line in log] == ["create", "timestamp", "export"]


def test_a_bundle_checks_by_hand_with_sha256sum_and_openssl(case, tmp_path) -> None:
    out, _ = case
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(folder)
    summed = subprocess.run(
        ["sha256sum", "-c", "manifest-sha256.txt"], cwd=folder, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert summed.returncode == 0, summed.stdout + summed.stderr
    commands = re.findall(r"^ +(openssl ts -verify .*)$", (folder / "VERIFY.txt").read_text(), re.M)
    assert len(commands) == 2
    for command in commands:
        done = subprocess.run(command.split(), cwd=folder, capture_output=True, text=True)
        assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr


def test_the_index_is_arabic_and_english_and_requests_nothing(case) -> None:
    out, (note, _capture, _picture) = case
    html = members(out)["index.html"].decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<section lang="en" dir="ltr">' in html and "Case bundle" in html
    assert "حزمة القضية" in html and "تهديد" in html and f"evidence:{note}" in html
    # No script, image, stylesheet or font: nothing a browser would fetch.
    assert not re.search(r"<(script|img|link|iframe)|src=|href=|url\(|@import", html, re.I)


def test_the_wacz_opens_as_a_web_archive(case) -> None:
    out, (_note, capture, _picture) = case
    import io

    wacz = io.BytesIO(members(out)[f"items/{capture}/capture.wacz"])
    assert check_wacz(wacz) == []
    with zipfile.ZipFile(wacz) as zf:
        names = set(zf.namelist())
        assert {"archive/data.warc", "indexes/index.cdxj", "pages/pages.jsonl",
                "datapackage.json", "datapackage-digest.json"} <= names  # fmt: skip
        assert zf.getinfo("archive/data.warc").compress_type == zipfile.ZIP_STORED
        cdx = zf.read("indexes/index.cdxj").decode().splitlines()
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
        package = json.loads(zf.read("datapackage.json"))
    assert len(cdx) == 1 and cdx[0].startswith("org,example)/post/1 ")
    assert pages[0]["format"] == "json-pages-1.0"
    assert pages[1]["url"] == "https://example.org/post/1"
    assert package["wacz_version"] == "1.1.1"
    record = read_record(wacz, cdx[0])
    assert record.startswith(b"WARC/1.") and PAGE in record


def test_altered_added_and_missing_files_are_named(case) -> None:
    out, (note, capture, _picture) = case
    files = members(out)
    files[f"items/{note}/content.txt"] = NOTE.replace("صحفية".encode(), "شخص".encode())
    files["items/extra.txt"] = b"slipped in later"
    files["../outside.sh"] = b"a path that leaves the folder it is unzipped in"
    del files[f"items/{capture}/parts/" + next(
        n.rsplit("/", 1)[1] for n in files if n.startswith(f"items/{capture}/parts/")
    )]  # fmt: skip
    rewrite(out, files)
    code, result = _verify(out)
    assert code == 1 and not result["ok"]
    found = {(p["problem"], p["file"]) for p in result["problems"]}
    assert ("altered", f"items/{note}/content.txt") in found
    assert ("added", "items/extra.txt") in found
    assert ("added", "../outside.sh") in found
    assert any(kind == "missing" and f"items/{capture}/parts/" in f for kind, f in found)


def test_a_rewritten_custody_log_is_caught_even_with_a_fixed_manifest(case) -> None:
    out, (note, _capture, _picture) = case
    files = members(out)
    name = f"items/{note}/custody.jsonl"
    events = [json.loads(line) for line in files[name].decode().splitlines()]
    events[0]["actor"] = "someone-else"
    files[name] = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events).encode()
    rewrite(out, files, fix_manifest=True)
    code, result = _verify(out)
    assert code == 1
    assert result["problems"] == [
        {
            "file": name,
            "problem": "custody",
            "message": f"custody event 1 of item {note}: its content was changed after it "
            "was written",
        }
    ]


def test_a_swapped_content_or_token_is_caught_even_with_a_fixed_manifest(case) -> None:
    out, (note, capture, _picture) = case
    files = members(out)
    files[f"items/{note}/content.txt"] = b"another text entirely\n"
    token_of = {
        i: next(n for n in files if n.startswith(f"items/{i}/timestamps/")) for i in (note, capture)
    }
    files[token_of[capture]] = files[token_of[note]]  # the note's token under the capture
    rewrite(out, files, fix_manifest=True)
    result = verify_bundle(out)
    found = {(p["problem"], p["file"], p["message"]) for p in result["problems"]}
    assert (
        "content",
        f"items/{note}/content.txt",
        "the item's recorded SHA-256 is not this file's",
    ) in found
    assert (
        "timestamp",
        token_of[capture],
        "the token's imprint is not this file's SHA-256",
    ) in found


def test_bad_input_gives_one_line_and_leaves_no_file(env, make_item, store, tmp_path) -> None:
    item = make_item(NOTE)
    lost = make_item(b"a file whose blob went missing")
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "case.zip"
    missing = runner.invoke(
        marsad, ["evidence", "bundle", "--items", f"{item},999", "--out", str(out), "--json"]
    )
    assert missing.exit_code == 2 and "no evidence item 999" in missing.output
    store.path("sha256:" + __import__("hashlib").sha256(b"a file whose blob went missing")
               .hexdigest()).unlink()  # fmt: skip
    gone = runner.invoke(
        marsad, ["evidence", "bundle", "--items", f"{item},{lost}", "--out", str(out), "--json"]
    )
    assert gone.exit_code == 2 and "is missing from the store" in gone.output
    assert list(folder.iterdir()) == []
    into_folder = runner.invoke(
        marsad, ["evidence", "bundle", "--items", str(item), "--out", str(folder), "--json"]
    )
    assert into_folder.exit_code == 2 and "is a folder, not a file" in into_folder.output
    blocked = folder / "not-a-folder"
    blocked.write_bytes(b"")
    under_a_file = runner.invoke(
        marsad,
        ["evidence", "bundle", "--items", str(item), "--out", str(blocked / "c.zip"), "--json"],
    )
    assert under_a_file.exit_code == 2 and "cannot write" in under_a_file.output
    not_zip = tmp_path / "note.zip"
    not_zip.write_bytes(b"hello")
    done = runner.invoke(marsad, ["evidence", "verify-bundle", str(not_zip), "--json"])
    assert done.exit_code == 2 and "is not a zip file" in done.output
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w"):
        pass
    code, result = _verify(empty)
    assert code == 1 and result["problems"][0]["problem"] == "missing"


@pytest.mark.browser
def test_the_index_reads_on_a_phone_and_a_desktop_and_fetches_nothing(
    case, browser, tmp_path
) -> None:
    out, (note, _capture, _picture) = case
    index = tmp_path / "index.html"
    index.write_bytes(members(out)["index.html"])
    shots = Path("/tmp/shots-evidence-extras")
    shots.mkdir(exist_ok=True)
    for width in (390, 1280):
        page = browser.new_page(viewport={"width": width, "height": 900})
        requested: list[str] = []
        page.on("request", lambda request, seen=requested: seen.append(request.url))
        page.goto(index.as_uri())
        assert requested == [index.as_uri()]
        heading = page.locator("section[lang=ar] h1")
        assert heading.inner_text() == "حزمة القضية"
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        english = page.locator("section[lang=en]")
        assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
        # Nothing sticks out sideways on a phone: long hashes wrap.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.locator("article").count() == 6
        page.screenshot(path=str(shots / f"bundle-index-{width}.png"), full_page=True)
        page.close()
