"""Keeping the catalogs in step with the code: extract, merge, fill from TSV, check.

Used by ``make messages`` (``python -m marsad.core.i18n.catalogs update``) and by
the test that fails when a user-visible string has no Arabic or Kurdish
translation.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from marsad.core.i18n import LOCALE_DIR, PLURAL_FORMS

PACKAGE = Path(__file__).resolve().parents[2]
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "nformat": (1, 2), "N_": None}
TRANSLATED = ("ar", "ckb")


def extract() -> Catalog:
    """Every translatable string in the package's Python code and templates."""
    catalog = Catalog(project="marsad", charset="utf-8")
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=METHODS, options_map=options, keywords=KEYWORDS
    ):
        if message:
            catalog.add(message)
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        catalog = Catalog(locale=lang, project="marsad", charset="utf-8")
    else:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
    if lang in PLURAL_FORMS:
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[lang])]
    return catalog


def save(lang: str, catalog: Catalog) -> None:
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(
            handle,
            catalog,
            omit_header=False,
            sort_output=True,
            width=100,
            include_previous=False,
            no_location=True,
        )


def update() -> None:
    """Merge freshly extracted strings into each language's catalog, keeping translations."""
    template = extract()
    for lang in ("ar", "ckb", "en"):
        catalog = load(lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        save(lang, catalog)


def fill(tsv: Path) -> int:
    """Fill translations from a TSV of msgid, Arabic, Kurdish (Sorani). Returns rows used."""
    rows = list(csv.reader(tsv.open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    for col, lang in enumerate(TRANSLATED, start=1):
        catalog = load(lang)
        for row in rows:
            if len(row) > col and row[0] in catalog and row[col].strip():
                catalog[row[0]].string = row[col]
                catalog[row[0]].flags.discard("fuzzy")
        save(lang, catalog)
    return len(rows)


def _untranslated(catalog: Catalog, mid: str | tuple[str, str]) -> bool:
    message = catalog.get(mid)
    if message is None or "fuzzy" in message.flags:
        return True
    if isinstance(mid, tuple):
        # A count phrase needs every plural form of the language, each one written.
        forms = message.string if isinstance(message.string, tuple | list) else ()
        return len(forms) != catalog.num_plurals or not all(f.strip() for f in forms)
    return not message.string


def missing(lang: str) -> list[str]:
    """Strings used in the code that this language's catalog does not translate.

    A count phrase (ngettext) is missing unless each of the language's plural forms is
    filled in (Arabic six, Kurdish and English two).
    """
    catalog = load(lang)
    wanted = {m.id for m in extract() if m.id}
    return sorted(
        mid if isinstance(mid, str) else mid[0] for mid in wanted if _untranslated(catalog, mid)
    )


def missing_plurals(lang: str) -> list[str]:
    """Count phrases whose plural forms this language's catalog does not all fill in."""
    catalog = load(lang)
    wanted = {m.id for m in extract() if isinstance(m.id, tuple)}
    return sorted(mid[0] for mid in wanted if _untranslated(catalog, mid))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m marsad.core.i18n.catalogs")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("update", help="extract strings and merge them into the catalogs")
    fill_p = sub.add_parser("fill", help="fill translations from a TSV: msgid, ar, ckb")
    fill_p.add_argument("tsv", type=Path)
    sub.add_parser("check", help="list strings without Arabic or Kurdish translation")
    args = parser.parse_args(argv)
    if args.cmd == "update":
        update()
    elif args.cmd == "fill":
        fill(args.tsv)
    gaps = {lang: missing(lang) for lang in TRANSLATED}
    for lang, ids in gaps.items():
        for mid in ids:
            sys.stderr.write(f"{lang}: untranslated: {mid}\n")
    return 1 if args.cmd == "check" and any(gaps.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
