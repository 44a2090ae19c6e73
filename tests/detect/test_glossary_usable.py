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
        "target_group": "sect",
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


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_glossary_fits_a_phone(live_server, browser) -> None:
    shots = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-usable"))
    shots.mkdir(parents=True, exist_ok=True)
    for width, name in ((390, "phone"), (1280, "desktop")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(live_server + "/glossary")
        used = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(shots / f"glossary-{name}.png"))
        assert used <= width, f"the glossary is {used} px wide on a {width} px screen"
        context.close()
