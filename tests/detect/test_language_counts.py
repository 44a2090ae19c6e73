"""detect_language's faster letter counting gives exactly the counts of the original."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.detect import normalize

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
