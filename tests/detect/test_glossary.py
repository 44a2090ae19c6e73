"""Glossary: typed terms, YAML/CSV round trips with located errors, and the matcher."""

from __future__ import annotations

import functools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.core.errors import InvalidInput
from marsad.detect.glossary import Glossary, GlossaryMatcher, load_default_glossary

SMALL = """
version: 3
name: test
terms:
- {id: ar-kill, term: اقتلوهم, variants: [اذبحوهم], language: ar, target_group: sect,
   category: incitement, severity: 3, status: published}
- {id: ar-rafidi, term: روافض, language: ar, target_group: sect, category: slur,
   severity: 3, status: published}
- {id: en-kill, term: kill them all, language: en, target_group: ethnicity,
   category: incitement, severity: 3, status: published}
- {id: en-draft, term: vermin, language: en, target_group: ethnicity,
   category: dehumanising, severity: 2, status: draft}
"""


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.from_yaml(SMALL)


def test_spans_point_at_the_original_obfuscated_text(glossary: Glossary) -> None:
    text = "قال: اقـــتُـلُوهم\u200b الآن و kiiilll THEM   all!"
    hits = glossary.matcher().find(text)
    assert [h.term_id for h in hits] == ["ar-kill", "en-kill"]
    assert text[hits[0].start : hits[0].end] == "اقـــتُـلُوهم\u200b"
    assert text[hits[1].start : hits[1].end] == "kiiilll THEM   all"
    assert hits[0].text == text[hits[0].start : hits[0].end]


def test_word_boundaries_and_arabic_proclitics(glossary: Glossary) -> None:
    matcher = glossary.matcher()
    assert [h.text for h in matcher.find("والروافض هنا")] == ["والروافض"]
    assert matcher.find("skill them allegedly") == []  # inside other words
    assert matcher.find("كروافضي") == []


def test_hashtags_match_multi_word_terms(glossary: Glossary) -> None:
    hits = glossary.matcher().find("#kill_them_all")
    assert [h.term_id for h in hits] == ["en-kill"]


def test_only_published_terms_match_by_default(glossary: Glossary) -> None:
    assert glossary.matcher().find("vermin") == []
    assert [h.term_id for h in glossary.matcher(("draft",)).find("vermin")] == ["en-draft"]


def test_yaml_and_csv_round_trip(glossary: Glossary) -> None:
    assert Glossary.from_yaml(glossary.to_yaml()) == glossary
    again = Glossary.from_csv(glossary.to_csv(), version=3, name="test")
    assert again == glossary


def test_csv_errors_name_row_and_column(glossary: Glossary) -> None:
    bad = glossary.to_csv().replace(",3,", ",7,", 1)
    with pytest.raises(InvalidInput) as err:
        Glossary.from_csv(bad, version=1)
    assert "row 1, column severity" in str(err.value)
    with pytest.raises(InvalidInput, match="row 2, column category"):
        Glossary.from_csv(glossary.to_csv().replace("slur", "insult"), version=1)
    with pytest.raises(InvalidInput, match="missing column"):
        Glossary.from_csv("id,term\nx,y\n", version=1)


def test_yaml_errors_name_the_term(glossary: Glossary) -> None:
    with pytest.raises(InvalidInput, match=r"terms\[1\]\.target_group"):
        Glossary.from_yaml(
            SMALL.replace("target_group: sect, category: slur", "target_group: x, category: slur")
        )
    with pytest.raises(InvalidInput, match="duplicate term id"):
        Glossary.from_yaml(SMALL.replace("id: en-draft", "id: en-kill"))
    with pytest.raises(InvalidInput, match="empty once normalised"):
        Glossary.from_yaml(SMALL.replace("term: روافض", "term: '\u200b\u064e'"))


def test_shipped_glossary_is_valid_and_covers_the_brief() -> None:
    g = load_default_glossary()
    assert g.version >= 1
    published = [t for t in g.terms if t.status == "published"]
    assert {t.language for t in published} >= {"ar", "ckb", "en"}
    assert {t.category for t in published} == {
        "slur",
        "dehumanising",
        "incitement",
        "extremist_slogan",
    }
    assert {t.target_group for t in published} >= {"sect", "ethnicity", "religion", "gender"}
    m = g.matcher()
    assert {h.category for h in m.find("باقية وتتمدد")} == {"extremist_slogan"}
    assert {h.category for h in m.find("لازم نطهر البلد منهم")} == {"incitement"}


@functools.cache
def _default_matcher() -> GlossaryMatcher:
    return load_default_glossary().matcher()


@given(st.text(max_size=60))
@settings(max_examples=200, deadline=None)
def test_matcher_spans_are_valid_on_any_text(text: str) -> None:
    matcher = _default_matcher()
    for hit in matcher.find(text + " اقتلوهم " + text):
        assert 0 <= hit.start < hit.end <= len(text) * 2 + 9
        assert hit.text


def test_matching_time_grows_linearly() -> None:
    matcher = _default_matcher()
    chunk = "والله هذا كلام ما بي فايدة اقتلوهم " * 10

    def timed(n: int) -> float:
        # CPU time of this process, so a busy machine's scheduling does not count.
        text = chunk * n
        start = time.process_time()
        matcher.find(text)
        return time.process_time() - start

    small, big = min(timed(20) for _ in range(5)), min(timed(200) for _ in range(5))
    assert big < small * 30  # 10x the text, well under 30x the time (no quadratic blow-up)
