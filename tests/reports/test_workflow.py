"""The status machine: the allowed graph, who may move what, confidential cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.core.errors import Forbidden, InvalidInput
from marsad.reports import workflow

ROLES = ("analyst", "reviewer", "admin")


def test_the_happy_path_is_allowed_to_a_reviewer() -> None:
    path = ["received", "triaged", "verified", "published", "archived"]
    for current, to in zip(path, path[1:], strict=False):
        workflow.check_transition(current, to, "reviewer")


@given(
    st.sampled_from(workflow.STATUSES), st.sampled_from(workflow.STATUSES), st.sampled_from(ROLES)
)
def test_any_move_outside_the_graph_or_role_fails(current: str, to: str, role: str) -> None:
    allowed = (current, to) in workflow.TRANSITIONS and role in workflow.TRANSITIONS[(current, to)]
    if allowed:
        workflow.check_transition(current, to, role)
        assert to in workflow.next_statuses(current, role)
    else:
        with pytest.raises((InvalidInput, Forbidden)):
            workflow.check_transition(current, to, role)
        assert to not in workflow.next_statuses(current, role)


def test_skipping_verification_or_going_back_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        workflow.check_transition("received", "published", "admin")
    assert exc.value.code == "err_transition_invalid"
    with pytest.raises(InvalidInput):
        workflow.check_transition("rejected", "published", "admin")


def test_an_analyst_may_triage_but_not_verify_or_publish() -> None:
    workflow.check_transition("received", "triaged", "analyst")
    with pytest.raises(Forbidden):
        workflow.check_transition("triaged", "verified", "analyst")
    with pytest.raises(Forbidden):
        workflow.check_transition("verified", "published", "analyst")


def test_only_admins_reopen_archived_reports() -> None:
    with pytest.raises(Forbidden):
        workflow.check_transition("archived", "triaged", "reviewer")
    workflow.check_transition("archived", "triaged", "admin")


def test_confidential_cases_can_never_be_published() -> None:
    for role in ROLES:
        assert "published" not in workflow.next_statuses("verified", role, confidential=True)
    with pytest.raises(InvalidInput) as exc:
        workflow.check_transition("verified", "published", "admin", confidential=True)
    assert exc.value.code == "err_confidential_unpublishable"


def test_coarse_time_never_shows_more_than_its_precision() -> None:
    when = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)  # 2 May 01:30 in Baghdad
    assert workflow.coarse_time(when, "exact") == "2024-05-02T01:30+03:00"
    assert workflow.coarse_time(when, "day") == "2024-05-02"
    assert workflow.coarse_time(when, "week") == "2024-W18"
    assert workflow.coarse_time(when, "month") == "2024-05"
