"""The text kernel: normalisation and language identification (Arabic, Kurdish, English).

One owner for every capability: posts (search, the language of each post),
detect (glossary, classifiers), coordination (near-duplicates, hashtags) and
reports (the language of an e-mailed report) import from here.

``normalize`` turns a post into its *canonical matching form*: the form the
glossary matcher, the classifiers, near-duplicate detection and search all key
on, so that obfuscation (diacritics, tatweel, zero-width characters, letter
elongation, lookalike letters) does not change what a text matches.

The steps, in order (each one documented because users of the detectors will
ask why two texts were treated as the same):

1. **Compatibility folding.** NFKD, then every combining mark is deleted. This
   is NFKC plus accent stripping: presentation forms (ﻻ, ﷲ), fullwidth and
   mathematical letters (𝐤𝐢𝐥𝐥) fold to plain letters, and accented letters
   fold to their base (é → e, Kurmanji ê î û ç ş → e i u c s). It also removes
   Arabic harakat, tanwin, shadda, sukun, superscript alef and Quranic marks,
   and it turns the hamza carriers أ إ آ ؤ ئ into ا ا ا و ي (the hamza is a
   combining mark under NFKD).
2. **Case folding** (``str.casefold``).
3. **One translation table** (``str.translate``, one pass):
   deletes tatweel, zero-width and bidi controls (ZWSP, ZWNJ, ZWJ, LRM, RLM,
   ALM, LRE…RLO, LRI…PDI, word joiner, BOM, soft hyphen), variation selectors
   and tag characters; folds ٱ ٲ ٳ ٵ → ا, ى → ي, ة → ه; every decimal digit
   (Arabic-Indic ٠-٩, Persian ۰-۹, …) → 0-9; Persian and Kurdish lookalikes
   ک ڪ → ك, ی ې ے → ي, ھ ہ → ه.

   **Kurdish Sorani letters** fold onto the Arabic letter they are typed as on
   an Arabic keyboard, so a query matches whichever keyboard its writer used:
   ە → ه, ێ → ي, ۆ ۇ ۋ → و, ڕ → ر, ڵ → ل; and, because Iraqi Arabic writers
   swap them freely (گال / كال, چان / جان), گ → ك, چ → ج, پ → ب, ژ → ز,
   ڤ → ف. The normalised form is therefore a *matching skeleton*, not a
   spelling: language identification (:func:`detect_language`) reads the
   original text, never this form.
4. **Latin homoglyphs.** In a word that contains at least one Latin letter,
   Cyrillic and Greek lookalikes (а е о р с у х і ј ѕ һ ԁ ԛ ԝ ӏ, α ο ρ ι κ ν
   υ χ ε, ı ɡ) become the Latin letter they imitate (``kіll`` with a Cyrillic
   і → ``kill``). Words written wholly in Cyrillic or Greek are left alone:
   they are Russian or Greek text, not obfuscated English.
5. **Digit look-alikes inside Latin words.** A run of 0 1 3 4 5 @ $ *between*
   two Latin letters becomes o i e a s a s (``k1ll``, ``f@ggot``). Digits at
   a word's edge are kept (``covid19``, ``3arab``).
6. **Elongation.** A run of three or more of the same letter becomes one
   (``كلللللب`` → ``كلب``, ``stuuuupid`` → ``stupid``). Runs of two are kept,
   because real words have them (``ممنوع``, ``kill``, Kurdish ``وو`` for û).
   The glossary matcher additionally squeezes doubled letters on both sides so
   ``kiiilll`` still meets ``kill``.
7. **Whitespace**: every space character (tab, newline, NBSP, U+2028...) becomes
   a plain space, runs become one space, and the ends are stripped.

Every step either works character by character or maps/deletes characters, so
:func:`normalize_with_offsets` can report, for each character of the normalised
text, which character of the original text it came from.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "detect_language",
    "interface_language",
    "normalize",
    "normalize_with_offsets",
    "tokens",
]

# --------------------------------------------------------------------------- tables

_DELETE = [
    0x0640,  # tatweel (kashida)
    0x00AD,  # soft hyphen
    0x034F,  # combining grapheme joiner
    0x061C,  # Arabic letter mark
    0x0674,  # Arabic high hamza
    0x180E,  # Mongolian vowel separator
    0xFEFF,  # BOM / zero-width no-break space
    *range(0x200B, 0x2010),  # ZWSP, ZWNJ, ZWJ, LRM, RLM
    *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO
    *range(0x2060, 0x2065),  # word joiner, invisible operators
    *range(0x2066, 0x206A),  # LRI, RLI, FSI, PDI
    *range(0x206A, 0x2070),  # deprecated format controls
    *range(0xFE00, 0xFE10),  # variation selectors
    *range(0xE0000, 0xE0080),  # tag characters
    *range(0xE0100, 0xE01F0),  # variation selectors supplement
]

_LETTERS = {
    # alef forms that do not decompose under NFKD
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ٵ": "ا",
    "ى": "ي",
    "ة": "ه",
    # Persian / Urdu / Kurdish lookalikes
    "ک": "ك",
    "ڪ": "ك",
    "ی": "ي",
    "ې": "ي",
    "ے": "ي",
    "ھ": "ه",
    "ہ": "ه",
    # Kurdish Sorani letters (see module docstring)
    "ە": "ه",
    "ێ": "ي",
    "ۆ": "و",
    "ۇ": "و",
    "ۋ": "و",
    "ڕ": "ر",
    "ڵ": "ل",
    "گ": "ك",
    "چ": "ج",
    "پ": "ب",
    "ژ": "ز",
    "ڤ": "ف",
}


def _build_table() -> dict[int, int | str | None]:
    table: dict[int, int | str | None] = {}
    # Combining marks left after NFKD (harakat, shadda, hamza above/below, accents...).
    # Scanning the BMP and SMP covers every combining mark Unicode assigns outside
    # the tag/variation blocks listed in _DELETE.
    for cp in range(0x20000):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me") or unicodedata.combining(ch):
            table[cp] = None
        elif cat == "Nd":
            table[cp] = str(unicodedata.decimal(ch))
        elif ch.isspace() and ch != " ":
            table[cp] = " "
    for cp in _DELETE:
        table[cp] = None
    for src, dst in _LETTERS.items():
        table[ord(src)] = dst
    # Every other BMP character maps to itself: str.translate treats a missing key as
    # "keep" only after raising and clearing a KeyError, which is most of its time.
    for cp in range(0x10000):
        table.setdefault(cp, cp)
    return table


_TABLE = _build_table()

# Cyrillic/Greek/IPA letters that imitate Latin letters, lower case (we casefold first).
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "һ": "h",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "ӏ": "l",
        "ո": "n",
        "α": "a",
        "ο": "o",
        "ρ": "p",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "υ": "u",
        "χ": "x",
        "ε": "e",
        "ı": "i",
        "ɡ": "g",
    }
)
_HOMOGLYPH_CHARS = "".join(chr(k) for k in _HOMOGLYPHS)
_HOMOGLYPH_ANY = re.compile(rf"[{_HOMOGLYPH_CHARS}]")
_HOMOGLYPH_WORD = re.compile(rf"\w*[{_HOMOGLYPH_CHARS}]\w*")
_HAS_LATIN = re.compile(r"[a-z]")

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s"})
# A run of them between two Latin letters: (?<=[a-z])[01345@$]+(?=[a-z]), with the
# lookbehind after the run's first character so that the engine skips ahead to it.
_LEET_RUN = re.compile(r"[01345@$](?<=[a-z][01345@$])[01345@$]*(?=[a-z])")

_ELONGATION = re.compile(r"([^\W\d_])\1{2,}")
_TRIPLE = re.compile(r"(.)\1\1")  # cheap pre-check: most posts have no elongation
_SPACES = re.compile(r" {2,}")
_TOKEN = re.compile(r"[^\W_]+")


# --------------------------------------------------------------------------- normalise


def _homoglyph_word(match: re.Match[str]) -> str:
    word = match.group(0)
    return word.translate(_HOMOGLYPHS) if _HAS_LATIN.search(word) else word


def _leet_run(match: re.Match[str]) -> str:
    return match.group(0).translate(_LEET)


def _char_stage(text: str) -> str:
    return unicodedata.normalize("NFKD", text).casefold().translate(_TABLE)


def _latin_stage(text: str) -> str:
    """Steps 4 and 5: one-for-one substitutions, so offsets are unchanged."""
    if not text.isascii() and _HOMOGLYPH_ANY.search(text):
        text = _HOMOGLYPH_WORD.sub(_homoglyph_word, text)
    return _LEET_RUN.sub(_leet_run, text)


def normalize(text: str) -> str:
    """Return the canonical matching form of ``text`` (see the module docstring).

    Idempotent: ``normalize(normalize(x)) == normalize(x)``.

    >>> normalize("الـــسَّلامُ   عليكم")
    'السلام عليكم'
    >>> normalize("K\u200bI\u200bL\u200bL")
    'kill'
    """
    text = _latin_stage(_char_stage(text))
    if _TRIPLE.search(text):
        text = _ELONGATION.sub(r"\1", text)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip(" ")


_CHAR_CACHE: dict[str, str] = {}  # per-character results of steps 1-3 (bounded)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise ``text`` and map each output character back to the input.

    Returns ``(normalised, offsets)`` where ``normalised == normalize(text)`` and
    ``offsets[i]`` is the index in ``text`` of the character that produced
    ``normalised[i]``. Slower than :func:`normalize` (it works character by
    character); call it only for texts that are known to contain a match.
    """
    chars: list[str] = []
    offsets: list[int] = []
    cache = _CHAR_CACHE
    for i, ch in enumerate(text):
        out = cache.get(ch)
        if out is None:
            out = _char_stage(ch)
            if len(cache) < 100_000:
                cache[ch] = out
        chars.append(out)
        if len(out) == 1:
            offsets.append(i)
        elif out:
            offsets.extend([i] * len(out))
    stage = _latin_stage("".join(chars))

    # Elongation: keep the first letter of each run.
    kept: list[str] = []
    kept_offsets: list[int] = []
    pos = 0
    for m in _ELONGATION.finditer(stage):
        kept.append(stage[pos : m.start() + 1])
        kept_offsets.extend(offsets[pos : m.start() + 1])
        pos = m.end()
    kept.append(stage[pos:])
    kept_offsets.extend(offsets[pos:])
    stage, offsets = "".join(kept), kept_offsets

    # Whitespace: one space per run, carrying the offset of the run's first character.
    out_chars: list[str] = []
    out_offsets: list[int] = []
    pos = 0
    for m in _SPACES.finditer(stage):
        out_chars.append(stage[pos : m.start()])
        out_offsets.extend(offsets[pos : m.start()])
        out_chars.append(" ")
        out_offsets.append(offsets[m.start()])
        pos = m.end()
    out_chars.append(stage[pos:])
    out_offsets.extend(offsets[pos:])
    result = "".join(out_chars)
    start = len(result) - len(result.lstrip(" "))
    end = len(result.rstrip(" "))
    return result[start:end], out_offsets[start:end]


def tokens(text: str) -> list[str]:
    """Return the word tokens of ``normalize(text)``.

    Tokens are runs of letters and digits (any script). Punctuation, emoji and
    the ``#``/``@`` sigils are dropped, so a hashtag keeps its word
    (``#حرية_الصحافة`` → ``حريه``, ``الصحافه``); underscores split words.
    """
    return _TOKEN.findall(normalize(text))


# --------------------------------------------------------------------------- language

# Links, handles, hashtags and the url / user placeholders of public datasets; that is
# re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\b(?:url|user)\b", re.IGNORECASE), spelled
# so that every branch starts with a character class: the regex engine then skips
# ahead to the next candidate character instead of trying each branch at every
# position (twice as fast). Under IGNORECASE, s also matches ſ (U+017F).
_URL_OR_HANDLE = re.compile(
    r"[@#]\w+|[hHwWuU](?:(?<=[hH])[tT][tT][pP][sSſ]?://\S+|(?<=[wW])[wW][wW]\.\S+"
    r"|(?<=[uU])(?<!\w[uU])(?:[rR][lL]|[sSſ][eE][rR])\b)"
)
_WORD_RAW = re.compile(r"[^\W\d_]+")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SORANI_LETTERS = frozenset("ەێۆڕڵ")
_SORANI_WORDS = _wordset(
    "لە بە کە بۆ ئەو ئەم ئەوە ئەمە ئێمە ئێوە ئەوان من تۆ زۆر نییە هەیە دەکات "
    "دەکەن بوو بێت دەبێت چۆن چی کوردستان کورد خەڵک ئەمڕۆ یان لەگەڵ هەموو "
    "وەک پێش دوای سەر ناو"
)
_PERSIAN_WORDS = _wordset("است این را می برای از که با نیست هست شما ما آنها بود شده کرد خواهد")
_ARABIC_WORDS = _wordset(
    "في من على الى إلى عن مع هذا هذه ذلك التي الذي ان أن إن لا ما لم لن كل "
    "الله انت انا هو هي نحن هم كان قد بس شلون اكو ماكو هاي هواي شنو ليش "
    "يعني والله"
)
_ARABIC_SCRIPT_WORDS = _SORANI_WORDS | _PERSIAN_WORDS | _ARABIC_WORDS
_ARABIC_ONLY_LETTERS = frozenset("ةىأإآؤثذضظصطعغق")
_KURMANJI_LETTERS = frozenset("êîûçş")
_TURKISH_LETTERS = frozenset("ğıöüİ")
_OTHER_LATIN_LETTERS = frozenset("éèàâäëïôùœæßñãõå")
_KURMANJI_WORDS = _wordset(
    "û ji bi di de ku ev em hûn ez tu ew wî wê min te me xwe jî li ne na heye "
    "nîne dike dikin bû bûye ye kurd kurdî kurdistan gelek çi çawa ji bo spas "
    "rojnamevan welat hikûmet divê hatin"
)
_ENGLISH_WORDS = _wordset(
    "the and is are was were to of a an in on at for with that this it you i "
    "he she they we not be have has had do does will would should can from by "
    "as or but if what who all my your our their them his her"
)
_TURKISH_WORDS = _wordset("ve bir bu da için ile çok değil ne var yok ben sen")


_LANG_DELETE = dict.fromkeys((0x0640, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F))
# Most texts hold none of them, and finding that out costs a tenth of translate().
_LANG_DELETE_ANY = re.compile("[" + "".join(map(chr, _LANG_DELETE)) + "]")


# Letter counts by regular expression (C speed): ingest calls this for every post.
# Runs of letters rather than single letters: the same count from a tenth of the
# matches.
# The Arabic-block letters are listed one by one (a class of ranges), which matches
# two to three times faster than a lookahead per letter.
def _ranges(cps: list[int]) -> str:
    out, i = [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        out.append(re.escape(chr(cps[i])) + ("-" + re.escape(chr(cps[j])) if j > i else ""))
        i = j + 1
    return "".join(out)


_IS_LETTER = re.compile(r"[^\W\d_]")
_ARABIC_LETTER = re.compile(
    "["
    + _ranges(
        [
            cp
            for lo, hi in ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFEFF))
            for cp in range(lo, hi + 1)
            if _IS_LETTER.match(chr(cp))
        ]
    )
    + "]+"
)
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_LATIN_ANY = re.compile(r"[A-Za-z\u00c0-\u024f]")


def _count(chars: frozenset[str] | str) -> re.Pattern[str]:
    return re.compile("[" + re.escape("".join(sorted(chars))) + "]")


def _script_counts(text: str) -> tuple[int, int]:
    if text.isascii():
        return 0, sum(map(len, _LATIN_LETTER.findall(text)))
    latin = sum(map(len, _LATIN_LETTER.findall(text))) if _LATIN_ANY.search(text) else 0
    return sum(map(len, _ARABIC_LETTER.findall(text))), latin


_SORANI_RE = _count(_SORANI_LETTERS)
_ARABIC_ONLY_RE = _count(_ARABIC_ONLY_LETTERS)
_SORANI_HINT_RE = _count("ھیک")
_KURMANJI_RE = _count(_KURMANJI_LETTERS)
_FOREIGN_RE = _count(_TURKISH_LETTERS | _OTHER_LATIN_LETTERS)


# A word (a run of letters) that starts with ال and has four letters or more, or starts
# with وال / بال, found in one search over the words joined with spaces (each preceded
# by one), which the engine scans for the literal space.
_ARTICLE_IN_WORDS = re.compile(" (?:ال[^ ]{2}|[وب]ال[^ ])")


def _has_article(word: str) -> bool:
    return word.startswith(("ال", "وال", "بال")) and len(word) > 3


def detect_language(text: str) -> str:
    """Guess the language of a post: ``"ar"``, ``"ckb"``, ``"kmr"``, ``"en"`` or ``"other"``.

    Reads the original text (the Kurdish letters matter, so not the normalised
    form). Arabic script is Kurdish Sorani when it has the Sorani letters
    ە ێ ۆ ڕ ڵ or Sorani function words, Persian (``"other"``) when it has
    Persian function words, else Arabic. Latin script is Kurmanji when it has
    ê î û ç ş or Kurmanji function words, English when it has English function
    words, else ``"other"`` (Turkish, French, Arabizi...). Text with no letters
    (emoji only, numbers, links) is ``"other"``.
    """
    text = unicodedata.normalize("NFC", _URL_OR_HANDLE.sub(" ", text))
    if _LANG_DELETE_ANY.search(text):
        text = text.translate(_LANG_DELETE)
    arabic, latin = _script_counts(text)
    if arabic == 0 and latin == 0:
        return "other"
    if arabic >= latin:
        # The word lists are all Arabic script, which has no case: a word matches one
        # lowered exactly when it matches as written, so no lowering here. Only İ
        # lowers to two characters (changing a word's length), hence the other path.
        words = _WORD_RAW.findall(text)
        # Only the words in one of the lists count below (most are in none).
        listed = [*filter(_ARABIC_SCRIPT_WORDS.__contains__, words)]
        sorani = 3 * len(_SORANI_RE.findall(text))
        sorani += 2 * sum(map(_SORANI_WORDS.__contains__, listed))
        persian = 2 * sum(map(_PERSIAN_WORDS.__contains__, listed))
        arab = 2 * sum(map(_ARABIC_WORDS.__contains__, listed))
        arab += len(_ARABIC_ONLY_RE.findall(text))
        if "\u0130" in text:
            arab += sum(_has_article(w.lower()) for w in words)
        else:  # the words, one space before each: one search for all their prefixes
            arab += len(_ARTICLE_IN_WORDS.findall(" " + " ".join(words)))
        # Sorani spells /h/ and /e/ differently from Arabic; ھ and ی/ک are weak Kurdish hints.
        sorani += len(_SORANI_HINT_RE.findall(text)) // 2
        best = max(("ckb", sorani), ("other", persian), ("ar", arab), key=lambda kv: kv[1])
        if best[1] == 0:
            return "ar"
        return best[0]
    if text.isascii():  # ASCII lowers letter by letter: the same words either way
        words = _WORD_RAW.findall(text.lower())
    else:
        words = [w.lower() for w in _WORD_RAW.findall(text)]
    lowered = text.lower()
    kurmanji = 3 * len(_KURMANJI_RE.findall(lowered))
    kurmanji += 2 * sum(map(_KURMANJI_WORDS.__contains__, words))
    english = 2 * sum(map(_ENGLISH_WORDS.__contains__, words))
    foreign = 3 * len(_FOREIGN_RE.findall(lowered))
    foreign += 2 * sum(map(_TURKISH_WORDS.__contains__, words))
    best = max(("en", english), ("kmr", kurmanji), ("other", foreign), key=lambda kv: kv[1])
    return best[0] if best[1] > 0 else "other"


# Letters only Kurdish (Sorani) writing uses, beside the Persian ones Kurds also type.
_KURDISH_INTERFACE_LETTERS = frozenset("ڕڵۆێەڤگچپژ")


def interface_language(text: str) -> str:
    """The interface language (``ar``, ``ckb`` or ``en``) to answer a text's writer in.

    Coarser than :func:`detect_language` on purpose: one Kurdish-only letter is
    enough to answer in Kurdish, any other Arabic script gets Arabic, anything
    else English (the three languages Marsad speaks).
    """
    if any(ch in _KURDISH_INTERFACE_LETTERS for ch in text):
        return "ckb"
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        return "ar"
    return "en"


# Arabic clitics a reader looks past when searching: the article, and the conjunctions
# (و، ف) and prepositions (ب، ك، ل) written joined to it; ل + ال is written لل. Posts
# search and the glossary's search both take a query word back to its stem with them.
_CONJUNCTIONS = ("", "و", "ف")
ARTICLE_CLITICS = tuple(
    sorted(
        {c + p + "ال" for c in _CONJUNCTIONS for p in ("", "ب", "ك")}
        | {c + "لل" for c in _CONJUNCTIONS},
        key=len,
        reverse=True,  # the longest first: وال is stripped whole, not as و
    )
)
# A stem shorter than this keeps its article: الله is not ال + له.
MIN_STEM = 3


def stem(word: str) -> str:
    """A normalised Arabic word without its article and the clitics joined to it.

    والخونه, الخونه, بالخونه and للخونه all give خونه. Only a clitic group that
    includes the article is stripped, and only when at least three letters remain.
    """
    for prefix in ARTICLE_CLITICS:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
            return word[len(prefix) :]
    return word
