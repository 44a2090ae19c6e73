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

# The plural rule of each language, as gettext writes it. Arabic has six forms (CLDR:
# zero, one, two, few 3-10, many 11-99, other 100-102 and fractions); Babel's own table
# swaps the last two, so the rule is set here rather than trusted to a catalog's header.
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
    ": n%100>=11 ? 4 : 5);",
    "ckb": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
}

current_language: ContextVar[str] = ContextVar("marsad_language", default="ar")


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of one language (cached for the process)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang if lang != "ckb" else "ckb")
    if lang in PLURAL_FORMS:
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[lang])]
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def plural_number(n: float) -> int:
    """The whole number whose plural form ``n`` takes.

    A count is a whole number; a fraction (2.5 hours) takes the "other" form in every
    language Marsad speaks, which 100 has in each of them.
    """
    if isinstance(n, float) and not n.is_integer():
        return 100
    return abs(int(n))


def ngettext(singular: str, plural: str, n: float) -> str:
    """The form of a count phrase that ``n`` takes in the current language."""
    return translations(current_language.get()).ngettext(singular, plural, plural_number(n))


def nformat(singular: str, plural: str, n: float, **values: object) -> str:
    """A count phrase in the current language with ``%(num)s`` (and ``values``) filled in.

    ``nformat("%(num)s post", "%(num)s posts", 3)`` gives "3 posts", "3 منشورات" or
    "3 پۆست": the catalog holds one form per plural category of each language.
    """
    return ngettext(singular, plural, n) % {"num": n, **values}


def pick_language(*candidates: str | None, default: str = "ar") -> str:
    """The first supported language among the candidates, else the default."""
    for lang in candidates:
        if lang in LANGUAGES:
            return lang  # type: ignore[return-value]
    return default


def accept_language(header: str | None) -> str | None:
    """The supported language an HTTP ``Accept-Language`` header prefers, if any.

    ``en-US,en;q=0.9,ar;q=0.8`` gives ``en``; languages are taken by their
    quality, then in the order given; ``ckb`` and ``ku`` both mean Kurdish (Sorani).
    """
    best: tuple[float, int, str] | None = None
    for order, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        base = tag.strip().lower().replace("_", "-").split("-")[0]
        lang = "ckb" if base in ("ckb", "ku") else base
        if lang in LANGUAGES and quality > 0 and (best is None or (-quality, order) < best[:2]):
            best = (-quality, order, lang)
    return best[2] if best else None


def cli_language(environ: dict[str, str] | None = None) -> str:
    """The language of command-line messages: MARSAD_LANGUAGE, else the locale, else English.

    The locale is the first of LC_ALL, LC_MESSAGES and LANG that is set (``ar_IQ.UTF-8``
    gives ``ar``); a C or POSIX locale, or one Marsad does not speak, gives English.
    """
    import os

    env = os.environ if environ is None else environ
    chosen = env.get("MARSAD_LANGUAGE", "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            base = value.split(".")[0].split("@")[0].split("_")[0].lower()
            base = "ckb" if base in ("ckb", "ku") else base
            return base if base in LANGUAGES else "en"
    return "en"


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


_ = gettext
