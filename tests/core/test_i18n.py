"""Every user-visible string has an Arabic and a Kurdish translation."""

from __future__ import annotations

import pytest

from marsad.core import i18n
from marsad.core.i18n import catalogs


@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_every_string_is_translated(lang: str) -> None:
    gaps = catalogs.missing(lang)
    assert gaps == [], f"untranslated in {lang} (run make messages, then translate): {gaps[:10]}"


def test_translations_switch_with_the_language() -> None:
    token = i18n.current_language.set("ckb")
    try:
        assert i18n.gettext("Sign in") == "چوونەژوورەوە"
        i18n.current_language.set("ar")
        assert i18n.gettext("Sign in") == "تسجيل الدخول"
        i18n.current_language.set("en")
        assert i18n.gettext("Sign in") == "Sign in"
    finally:
        i18n.current_language.reset(token)
    assert i18n.direction("ar") == i18n.direction("ckb") == "rtl"
    assert i18n.direction("en") == "ltr"
