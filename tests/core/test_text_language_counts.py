"""detect_language's faster letter counting gives exactly the counts of the original."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.core import text as normalize

# The original per-letter patterns (before counting runs of letters).
_ARABIC_LETTER = re.compile(r"(?=[\u0600-\u06ff\u0750-\u077f\ufb50-\ufeff])[^\W\d_]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")

_MIXED = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
        st.characters(min_codepoint=0x20, max_codepoint=0x24F),
        st.sampled_from("\u0640\u200b\u200c\u200d\u200e\u200f ١٢٣_#@"),
    ),
    max_size=200,
)


@settings(max_examples=500, deadline=None)
@given(_MIXED)
def test_script_counts_equal_the_per_letter_counts(text: str) -> None:
    assert normalize._script_counts(text) == (
        len(_ARABIC_LETTER.findall(text)),
        len(_LATIN_LETTER.findall(text)),
    )


@settings(max_examples=300, deadline=None)
@given(_MIXED)
def test_deleting_only_when_present_changes_nothing(text: str) -> None:
    deleted = text.translate(normalize._LANG_DELETE)
    assert (deleted != text) == bool(normalize._LANG_DELETE_ANY.search(text))


_URL_OR_HANDLE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\b(?:url|user)\b", re.IGNORECASE)


def _reference_detect_language(text: str) -> str:
    """detect_language as it was before the faster word handling (the reference)."""
    import unicodedata

    n = normalize
    text = unicodedata.normalize("NFC", _URL_OR_HANDLE.sub(" ", text))
    text = text.translate(n._LANG_DELETE)
    arabic, latin = len(_ARABIC_LETTER.findall(text)), len(_LATIN_LETTER.findall(text))
    if arabic == 0 and latin == 0:
        return "other"
    words = [w.lower() for w in n._WORD_RAW.findall(text)]
    if arabic >= latin:
        sorani = 3 * len(n._SORANI_RE.findall(text))
        sorani += 2 * sum(map(n._SORANI_WORDS.__contains__, words))
        persian = 2 * sum(map(n._PERSIAN_WORDS.__contains__, words))
        arab = 2 * sum(map(n._ARABIC_WORDS.__contains__, words))
        arab += len(n._ARABIC_ONLY_RE.findall(text))
        arab += sum(w.startswith(("ال", "وال", "بال")) and len(w) > 3 for w in words)
        sorani += len(n._SORANI_HINT_RE.findall(text)) // 2
        best = max(("ckb", sorani), ("other", persian), ("ar", arab), key=lambda kv: kv[1])
        return "ar" if best[1] == 0 else best[0]
    lowered = text.lower()
    kurmanji = 3 * len(n._KURMANJI_RE.findall(lowered))
    kurmanji += 2 * sum(map(n._KURMANJI_WORDS.__contains__, words))
    english = 2 * sum(map(n._ENGLISH_WORDS.__contains__, words))
    foreign = 3 * len(n._FOREIGN_RE.findall(lowered))
    foreign += 2 * sum(map(n._TURKISH_WORDS.__contains__, words))
    best = max(("en", english), ("kmr", kurmanji), ("other", foreign), key=lambda kv: kv[1])
    return best[0] if best[1] > 0 else "other"


_WORDY = st.lists(
    st.one_of(
        st.sampled_from(
            sorted(
                normalize._SORANI_WORDS
                | normalize._PERSIAN_WORDS
                | normalize._ARABIC_WORDS
                | normalize._KURMANJI_WORDS
                | normalize._ENGLISH_WORDS
                | normalize._TURKISH_WORDS
            )
            + ["الحكومة", "والشعب", "بالعراق", "ال", "الي", "İstanbul", "Alİ", "الİ", "THE"]
            + ["http://x.y/#a-b", "HTTPſ://z", "www.a", "WWW.b", "user", "uſer", "URL", "xurl"]
            + ["@u_1", "#وسم", "5الحكومة", "_والي", "http", "u"]
        ),
        _MIXED,
    ),
    max_size=12,
).map(" ".join)


@settings(max_examples=800, deadline=None)
@given(st.one_of(_MIXED, _WORDY, st.text(max_size=100)))
def test_detect_language_equals_the_reference(text: str) -> None:
    assert normalize.detect_language(text) == _reference_detect_language(text)


_LINKY = st.lists(
    st.one_of(
        st.sampled_from(
            ["http://a.b/#x-y", "https://", "HtTp://q", "www.", "WwW.x", "user", "url"]
        ),
        st.sampled_from(["uſer", "httpſ://", "xuser", "_url", "@", "#", "@a_b", "#وسم", " ", "/"]),
        st.text(alphabet="abhuwsſ:/.#@_ -ال1", max_size=6),
    ),
    max_size=10,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(_LINKY)
def test_links_and_handles_are_removed_as_by_the_ignorecase_pattern(text: str) -> None:
    assert normalize._URL_OR_HANDLE.sub(" ", text) == _URL_OR_HANDLE.sub(" ", text)


_ARTICLE_TEXT = st.text(alphabet="البوحكمة ،1_xİ", max_size=30)


_LEET_RUN = re.compile(r"(?<=[a-z])[01345@$]+(?=[a-z])")  # the pattern as first written


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="ab1@$3x 0_5é", max_size=20))
def test_leet_runs_found_as_by_the_lookbehind_pattern(text: str) -> None:
    assert normalize._LEET_RUN.sub(normalize._leet_run, text) == _LEET_RUN.sub(
        normalize._leet_run, text
    )


@settings(max_examples=1000, deadline=None)
@given(_ARTICLE_TEXT)
def test_article_words_counted_over_the_joined_words(text: str) -> None:
    words = normalize._WORD_RAW.findall(text)
    expected = sum(w.startswith(("ال", "وال", "بال")) and len(w) > 3 for w in words)
    assert len(normalize._ARTICLE_IN_WORDS.findall(" " + " ".join(words))) == expected
