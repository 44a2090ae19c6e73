"""The pure parts: Cohen's kappa, look-alike names, the declaration document's checks."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import cohen_kappa_score

from marsad.core.errors import InvalidInput
from marsad.declaration import texts
from marsad.declaration.agreement import cohen_kappa
from marsad.declaration.impersonation import look_alikes


def test_kappa_matches_scikit_learn_and_is_none_when_undefined() -> None:
    rng = random.Random(7)
    for _ in range(20):
        a = [rng.choice("xyz") for _ in range(30)]
        b = [x if rng.random() < 0.7 else rng.choice("xyz") for x in a]
        assert cohen_kappa(list(zip(a, b, strict=True))) == pytest.approx(cohen_kappa_score(a, b))
    assert cohen_kappa([(True, True), (True, True)]) is None
    assert cohen_kappa([]) is None
    assert cohen_kappa([(True, True), (False, False)]) == 1.0


def test_look_alikes_cross_scripts_and_spellings() -> None:
    official = [
        {
            "platform": "x",
            "handle": "ali_albaghdadi",
            "display_name": "علي البغدادي",
            "actor_id": "a",
        }
    ]
    others = [
        {"platform": "x", "account_id": "1", "handle": "ali_albaghdady", "display_name": None},
        {"platform": "x", "account_id": "2", "handle": "news", "display_name": "علي البغدادي"},
        {"platform": "x", "account_id": "3", "handle": "basra_news", "display_name": "Basra"},
        {"platform": "telegram", "account_id": "4", "handle": "ali_albaghdadi"},
        {"platform": "x", "account_id": "5", "handle": "ALI_ALBAGHDADI"},  # the official itself
    ]
    found = look_alikes(official, others)
    assert {f.account_id for f in found} == {"1", "2"}
    assert next(f for f in found if f.account_id == "2").by == "name"


def test_the_shipped_document_keeps_stable_ids_and_bad_documents_name_the_field() -> None:
    content = texts.build_content(texts.shipped("iraq-2021"))
    ids = list(texts.commitments(content))
    assert len(ids) == 28 and ids[0] == "candidates-1" and ids[-1] == "individuals-5"
    assert texts.commitment_for(content, "candidates", "coordination") == "candidates-8"
    assert texts.commitment_for(content, "individuals", "hate") == "individuals-3"
    doc = texts.shipped("iraq-2021")
    doc["groups"][2]["commitments"][0] = {"ar": "", "en": ""}
    with pytest.raises(InvalidInput) as caught:
        texts.build_content(doc)
    assert caught.value.where == "groups[2].commitments[0]"
    doc = texts.shipped("iraq-2021")
    doc["periods"][0]["ends"] = "2020-01-01"
    with pytest.raises(InvalidInput) as caught:
        texts.build_content(doc)
    assert caught.value.where == "periods[0]"
