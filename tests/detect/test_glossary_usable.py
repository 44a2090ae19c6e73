"""The glossary pages as staff and the public meet them: labels, errors, search, phones."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import csrf_from


def test_codes_show_as_words_in_english(client) -> None:
    page = client.get("/glossary?lang=en")
    assert page.status_code == 200
    shown = re.sub(r'value="[^"]*"', "", page.text)  # codes stay in the form's values
    assert "extremist_slogan" not in shown and "extremist slogan" in shown
    assert "political_affiliation" not in shown and "political affiliation" in shown


def test_search_strips_the_article_and_clitics(client) -> None:
    for query in ("الخنازير", "والخنازير", "خنازير"):
        page = client.get("/glossary", params={"q": query, "lang": "en"})
        assert 'lang="ar">خنازير ' in page.text, query
        assert "القردة والخنازير" in page.text, query


def test_a_bad_identifier_is_explained_in_the_readers_language(admin_client) -> None:
    form = admin_client.get("/staff/glossary/new?lang=ar")
    data = {
        "csrf_token": csrf_from(form.text),
        "new": "1",
        "id": "Bad Id!",
        "term": "كلمة",
        "language": "ar",
        "target_groups": "sect",
        "category": "slur",
        "severity": "2",
        "status": "draft",
    }
    page = admin_client.post("/staff/glossary?lang=ar", data=data)
    assert page.status_code == 422
    assert "should match pattern" not in page.text and "String should" not in page.text
    assert "المعرِّف: استخدم حروفاً لاتينية صغيرة" in page.text
    english = admin_client.post("/staff/glossary?lang=en", data=data)
    assert "Identifier: Use only small Latin letters" in english.text


RAW_CODES = ("extremist_slogan", "political_affiliation", ">kmr<", ">ckb<", ">ar<", ">en<")


@pytest.mark.parametrize("lang", ["ar", "ckb", "en"])
def test_no_raw_code_on_the_glossary_pages(admin_client, lang: str) -> None:
    for path in ("/glossary", "/staff/glossary", "/staff/glossary/new", "/staff/glossary/en-amaq"):
        page = admin_client.get(path, params={"lang": lang})
        assert page.status_code == 200, path
        shown = re.sub(r'(value|name|lang|href)="[^"]*"', "", page.text)  # codes in attributes
        for code in RAW_CODES:
            assert code not in shown, f"{code} shown on {path} in {lang}"
    arabic = admin_client.get("/glossary", params={"lang": "ar"}).text
    assert ">الكردية (الكرمانجية)<" in arabic and "شعار متطرف" in arabic


def test_the_glossary_says_how_many_terms_it_shows(client) -> None:
    one = client.get("/glossary", params={"q": "رافضي", "lang": "en"}).text
    assert ">1 term<" in one
    arabic = client.get("/glossary", params={"q": "رافضي", "lang": "ar"}).text
    assert ">مصطلح واحد<" in arabic
    many = client.get("/glossary", params={"lang": "en"}).text
    assert re.search(r">\d+ terms<", many)


def test_the_cli_counts_terms_in_the_readers_language(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from marsad.detect.cli import app

    path = tmp_path / "g.yaml"
    path.write_text(
        "version: 7\nterms:\n- {id: ar-test-one, term: كلمة, language: ar,"
        " target_groups: [sect], category: slur, severity: 2, status: published}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MARSAD_LANGUAGE", "en")
    english = CliRunner().invoke(app, ["glossary", "import", str(path), "--check"])
    assert english.exit_code == 0 and "glossary v7: 1 term, 1 published" in english.stdout
    monkeypatch.setenv("MARSAD_LANGUAGE", "ar")
    arabic = CliRunner().invoke(app, ["glossary", "import", str(path), "--check"])
    assert "مصطلح واحد" in arabic.stdout


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_glossary_pages_fit_a_phone(live_server, browser, make_user) -> None:
    from playwright.sync_api import expect

    make_user("mona", "analyst")
    shots = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-glossary"))
    shots.mkdir(parents=True, exist_ok=True)
    pages = {
        "public-ar": "/glossary",
        "public-en": "/glossary?lang=en",
        "public-ckb": "/glossary?lang=ckb",
        "staff": "/staff/glossary?lang=ar",
        "new": "/staff/glossary/new?lang=ar",
        "edit": "/staff/glossary/ar-uqtuluhum?lang=en",
    }
    for width, height, name in ((390, 844, "phone"), (1280, 900, "desktop")):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(live_server + "/login")
        page.fill("input[name=username]", "mona")
        page.fill("input[name=password]", "a-long-password-1")
        page.click("button[type=submit]")
        expect(page.locator("input[name=password]")).to_have_count(0)
        for label, path in pages.items():
            page.goto(live_server + path)
            used = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(shots / f"glossary-{label}-{name}.png"), full_page=True)
            assert used <= width, f"{path} is {used} px wide on a {width} px screen"
        context.close()


def test_reclaimed_is_its_own_flag_and_weak_evidence(admin_client) -> None:
    from marsad.detect.glossary import Glossary

    form = admin_client.get("/staff/glossary/new?lang=en")
    data = {
        "csrf_token": csrf_from(form.text),
        "new": "1",
        "id": "ar-reclaimed-test",
        "term": "كلمة مستعادة",
        "language": "ar",
        "target_groups": "sect",
        "category": "slur",
        "severity": "2",
        "status": "published",
        "reclaimed": "1",
    }
    saved = admin_client.post("/staff/glossary", data=data)
    assert saved.status_code == 200
    edit = admin_client.get("/staff/glossary/ar-reclaimed-test?lang=en").text
    assert 'name="reclaimed" value="1" checked' in edit
    assert 'name="ambiguous" value="1" checked' not in edit
    listing = admin_client.get("/glossary?lang=en&q=مستعادة").text
    assert "reclaimed</span>" in listing and "ambiguous</span>" not in listing
    csv_text = (
        "id,term,language,target_group,category,severity,reclaimed,status\n"
        "x-1,كلمة مستعادة,ar,sect,slur,2,true,published\n"
    )
    glossary = Glossary.from_csv(csv_text, version=1)
    assert glossary.terms[0].reclaimed and not glossary.terms[0].ambiguous
    assert "reclaimed" in glossary.to_csv().splitlines()[0]
    hits = glossary.matcher().find("هذه كلمة مستعادة هنا")
    assert hits and all(h.ambiguous for h in hits), "weighed as weak evidence"
