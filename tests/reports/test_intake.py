"""The web intake: checked against categories kept in memory, stored by group commit."""

from __future__ import annotations

from sqlalchemy import event, func, select, update

from marsad.core.db import session_scope
from marsad.reports.intake import report_writer
from marsad.reports.models import Category, Report


def submit(client, title: str):  # type: ignore[no-untyped-def]
    body = {"title": title, "category": "threat", "contact": "+964 770 000 0000"}
    return client.post("/api/v1/reports", json=body)


def reports(sessions) -> list[Report]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(session.execute(select(Report).order_by(Report.title)).scalars())


def test_a_category_switched_off_after_it_was_read_refuses_the_report(client, sessions) -> None:
    assert submit(client, "first").status_code == 201  # the categories are now in memory
    with session_scope(sessions) as session:
        session.execute(update(Category).where(Category.slug == "threat").values(active=False))
    refused = submit(client, "second")
    assert refused.status_code == 422
    assert refused.json()["where"] == "category"
    assert [r.title for r in reports(sessions)] == ["first"]


def test_a_category_made_confidential_after_it_was_read_stores_a_confidential_case(
    client, sessions
) -> None:
    assert submit(client, "before").status_code == 201
    with session_scope(sessions) as session:
        session.execute(update(Category).where(Category.slug == "threat").values(confidential=True))
    assert submit(client, "after").status_code == 201
    assert [(r.title, r.confidential) for r in reports(sessions)] == [
        ("after", True),
        ("before", False),
    ]


def test_a_report_whose_commit_answer_was_lost_is_stored_once_under_its_receipt(
    app, client, sessions
) -> None:
    lost = []

    def lose_the_first_answer(session) -> None:  # type: ignore[no-untyped-def]
        # The database has committed; the caller hears an error, as from a dropped link.
        if not lost and not session.in_nested_transaction():
            lost.append(1)
            raise OSError("the answer was lost")

    event.listen(report_writer(app).sessions, "after_commit", lose_the_first_answer)
    answer = submit(client, "once")
    assert answer.status_code == 201
    assert lost == [1]
    with sessions() as session:
        assert session.execute(select(func.count()).select_from(Report)).scalar_one() == 1
    status = client.get(f"/api/v1/receipts/{answer.json()['receipt']}")
    assert status.status_code == 200
    assert [r.id for r in reports(sessions)] == [answer.json()["id"]]
