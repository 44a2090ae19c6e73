"""Planted groups in generated organic activity: recovered with high precision and recall."""

from __future__ import annotations

import numpy as np
import pytest

from marsad.coordination.coaction import co_action_edges, surprise
from marsad.coordination.service import detect_coordination
from marsad.coordination.synthetic import generate, pairwise_scores
from marsad.coordination.table import PostTable


@pytest.mark.parametrize("seed", [101, 202, 303, 404])
def test_planted_groups_recovered_across_seeds(seed: int) -> None:
    data = generate(n_posts=40_000, n_accounts=4_000, n_groups=8, seed=seed)
    result = detect_coordination(data.table, window=60, min_repeat=3)
    precision, recall = pairwise_scores(data.groups, [c.accounts for c in result.clusters])
    assert precision >= 0.95, precision
    assert recall >= 0.90, recall


def test_no_groups_in_purely_organic_activity() -> None:
    data = generate(n_posts=30_000, n_accounts=3_000, n_groups=0, seed=7)
    result = detect_coordination(data.table, window=60, min_repeat=3)
    assert sum(len(c.accounts) for c in result.clusters) <= 2


def _burst(accounts: list[str], obj: str, t0: int, step: int) -> list[dict[str, object]]:
    return [
        {"account_id": a, "url": obj, "timestamp": t0 + step * n} for n, a in enumerate(accounts)
    ]


def test_viral_bursts_and_heavy_users_are_not_coordination() -> None:
    rng = np.random.default_rng(0)
    rows: list[dict[str, object]] = []
    heavy = ["heavy1", "heavy2", "heavy3"]
    crowd = [f"user{i}" for i in range(3000)]
    # Twenty viral links, each shared by 300 random users and all heavy users within minutes.
    for v in range(20):
        sharers = list(rng.choice(crowd, size=300, replace=False)) + heavy
        rng.shuffle(sharers)
        rows += _burst(sharers, f"https://news.example/viral{v}", 10_000 * v, 1)
    # A real group: five accounts, six rare links, each within 20 seconds.
    group = ["g1", "g2", "g3", "g4", "g5"]
    for e in range(6):
        rows += _burst(group, f"https://blog.example/op{e}", 500_000 + 7_000 * e, 4)
    for n, r in enumerate(rows):
        r["post_id"] = str(n)
    result = detect_coordination(PostTable.from_rows(rows), methods=["links"], window=60)
    assert [c.accounts for c in result.clusters] == [group]
    # A count-based detector (CooRTweet) would tie the heavy users together.
    counted = detect_coordination(
        PostTable.from_rows(rows), methods=["links"], window=60, weighting="count"
    )
    assert any({e.source, e.target} <= set(heavy) for e in counted.edges)


def test_rare_repeated_coaction_is_more_surprising_than_popular() -> None:
    assert (
        surprise(np.array([5]), np.array([0.01]))[0] > surprise(np.array([5]), np.array([3.0]))[0]
    )
    assert surprise(np.array([0]), np.array([0.5]))[0] == 0.0
    # Far tails stay finite and ordered rather than underflowing to infinity.
    far = surprise(np.array([400, 500]), np.array([1e-6, 1e-6]))
    assert np.all(np.isfinite(far)) and far[1] > far[0] > 300


def test_min_repeat_requires_distinct_objects() -> None:
    account = np.array([0, 1, 0, 1, 0, 1])
    obj = np.array([7, 7, 7, 7, 8, 8])
    t = np.array([0, 5, 100, 104, 200, 201])
    edges = co_action_edges(account, obj, t, window=10, min_repeat=2, min_surprise=0.0)
    assert edges.objects.tolist() == [2]
    assert edges.pairs.tolist() == [3]
    strict = co_action_edges(account, obj, t, window=10, min_repeat=3, min_surprise=0.0)
    assert not strict.significant.any()


def test_copy_paste_campaign_found_through_obfuscation() -> None:
    messages = [
        "المرشح فلان سرق أموال الشعب ويجب محاسبته أمام القضاء العراقي اليوم",
        "لا تصدقوا الصحفية التي نشرت التقرير فهي عميلة لجهات خارجية معروفة اليوم",
        "قاطعوا القناة الكاذبة التي تنشر الفتنة بين أبناء البلد الواحد اليوم",
        "الناشطون في الساحة مدفوعون من السفارات ولا يمثلون الشباب العراقي اليوم",
        "ادعموا القائمة الوطنية فهي الوحيدة القادرة على حماية المحافظة من الخراب اليوم",
    ]
    rows = []
    for e, base in enumerate(messages):
        variants = [
            base,
            base.replace("سرق", "سَرَقَ"),  # diacritics
            base.replace("الشعب", "الشـــعب"),  # tatweel
            base + " https://t.co/x" + str(e),  # a link of its own
            base.replace("اليوم", "الآن"),  # one word changed
        ]
        for n, text in enumerate(variants):
            rows.append({"account_id": f"army{n}", "text": text, "timestamp": 5000 * e + 3 * n})
    for n in range(200):
        rows.append(
            {
                "account_id": f"org{n % 40}",
                "text": f"نص عادي رقم {n} عن الحياة اليومية في بغداد",
                "timestamp": 37 * n,
            }
        )
    for n, r in enumerate(rows):
        r["post_id"] = f"p{n}"
    result = detect_coordination(PostTable.from_rows(rows), methods=["text"], window=30)
    assert [c.accounts for c in result.clusters] == [[f"army{n}" for n in range(5)]]
    assert result.clusters[0].methods == ["text"]
