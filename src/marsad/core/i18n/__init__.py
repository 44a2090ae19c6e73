"""Translations: gettext catalogs (Babel) for Arabic, Kurdish Sorani and English.

Catalogs are the ``.po`` files beside this module, read once at start-up (no
compiled ``.mo`` to forget to build). The language of the current request is
held in a context variable, so templates and error messages translate
without passing the language around.
"""

from __future__ import annotations

import gettext as _gettext
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("ar", "ckb", "en")
RTL = frozenset({"ar", "ckb"})
LANGUAGE_NAMES = {"ar": "العربية", "ckb": "کوردی", "en": "English"}

current_language: ContextVar[str] = ContextVar("marsad_language", default="ar")


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of one language (cached for the process)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang if lang != "ckb" else "ckb")
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def pick_language(*candidates: str | None, default: str = "ar") -> str:
    """The first supported language among the candidates, else the default."""
    for lang in candidates:
        if lang in LANGUAGES:
            return lang  # type: ignore[return-value]
    return default


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


_ = gettext
