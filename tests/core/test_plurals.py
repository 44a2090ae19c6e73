"""Counts read as a speaker would say them: Arabic's six plural forms, English's two."""

from __future__ import annotations

import pytest

from marsad.core import i18n
from marsad.core.i18n import catalogs

COUNTS = (0, 1, 2, 3, 11, 100)


@pytest.fixture
def language():  # type: ignore[no-untyped-def]
    token = i18n.current_language.set("ar")
    yield i18n.current_language
    i18n.current_language.reset(token)


def test_arabic_counts_take_each_of_the_six_forms(language) -> None:
    language.set("ar")
    posts = [i18n.nformat("%(num)s post", "%(num)s posts", n) for n in COUNTS]
    assert posts == ["0 منشور", "منشور واحد", "منشوران", "3 منشورات", "11 منشوراً", "100 منشور"]
    reports = [
        i18n.nformat("%(num)s published report.", "%(num)s published reports.", n) for n in COUNTS
    ]
    assert reports[1] == "بلاغ منشور واحد." and "1 بلاغاً" not in reports[1]
    assert reports[3] == "3 بلاغات منشورة." and reports[4] == "11 بلاغاً منشوراً."
    assert reports[5] == "100 بلاغ منشور."
    # 101 and 102 are read like 100 ("other"), 111 like 11 ("many").
    assert i18n.nformat("%(num)s post", "%(num)s posts", 102) == "102 منشور"
    assert i18n.nformat("%(num)s post", "%(num)s posts", 111) == "111 منشوراً"


def test_english_and_kurdish_counts(language) -> None:
    language.set("en")
    shown = [
        i18n.nformat("%(num)s published report.", "%(num)s published reports.", n) for n in COUNTS
    ]
    assert shown[1] == "1 published report." and shown[0] == "0 published reports."
    assert shown[5] == "100 published reports."
    language.set("ckb")
    assert i18n.nformat("%(num)s post", "%(num)s posts", 3) == "3 پۆست"
    # A fraction (2.5 hours) takes the "other" form instead of failing.
    language.set("en")
    assert i18n.nformat("%(num)s hour", "%(num)s hours", 2.5) == "2.5 hours"
    language.set("ar")
    assert i18n.nformat("%(num)s hour", "%(num)s hours", 2.5) == "2.5 ساعة"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_templates_choose_the_form_by_the_count(app) -> None:
    """The pages' Jinja ``ngettext`` goes through the same rule, escaped as other text."""
    env = app.state.templates
    template = env.from_string(
        '{{ ngettext("%(num)s published report.", "%(num)s published reports.", n) }}'
    )
    token = i18n.current_language.set("ar")
    try:
        arabic = [template.render(n=n) for n in COUNTS]
        i18n.current_language.set("en")
        english = [template.render(n=n) for n in COUNTS]
    finally:
        i18n.current_language.reset(token)
    assert arabic == [
        "لا بلاغات منشورة.",
        "بلاغ منشور واحد.",
        "بلاغان منشوران.",
        "3 بلاغات منشورة.",
        "11 بلاغاً منشوراً.",
        "100 بلاغ منشور.",
    ]
    assert english == [
        "0 published reports.",
        "1 published report.",
        "2 published reports.",
        "3 published reports.",
        "11 published reports.",
        "100 published reports.",
    ]


@pytest.mark.parametrize("lang", ["ar", "ckb", "en"])
def test_every_count_phrase_has_each_plural_form(lang: str) -> None:
    gaps = catalogs.missing_plurals(lang)
    assert gaps == [], f"count phrases without all their plural forms in {lang}: {gaps[:10]}"
    catalog = catalogs.load(lang)
    assert catalog.num_plurals == {"ar": 6, "ckb": 2, "en": 2}[lang]


def test_a_half_filled_count_phrase_is_reported(tmp_path, monkeypatch) -> None:
    """The catalog check fails on an Arabic entry with only some of its six forms."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="ar")
    catalog.mime_headers = [("Plural-Forms", i18n.PLURAL_FORMS["ar"])]
    catalog.add(("%(num)s post", "%(num)s posts"), ("منشور", "منشوران", "", "", "", ""))
    monkeypatch.setattr(catalogs, "load", lambda lang: catalog)
    monkeypatch.setattr(catalogs, "extract", lambda: [catalog[("%(num)s post", "%(num)s posts")]])
    assert catalogs.missing_plurals("ar") == ["%(num)s post"]
    assert catalogs.missing("ar") == ["%(num)s post"]


def test_the_arabic_rule_is_cldrs_not_babels_table() -> None:
    """Babel's built-in table swaps forms 4 and 5 (11 ↔ 100): the catalog header is ours."""
    catalog = catalogs.load("ar")
    assert "n%100>=11 ? 4 : 5" in catalog.plural_forms
    with catalogs.po_path("ar").open(encoding="utf-8") as handle:
        header = handle.read(2000)
    assert "n%100>=11 ? 4 : 5" in header.replace('"\n"', "")
