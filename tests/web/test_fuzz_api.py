"""Schemathesis over every documented endpoint, as a visitor and as an admin with a token.

Each operation gets a few generated requests (valid and invalid); none may answer
with a 5xx, and every documented answer must match its schema. Bounded: a handful
of examples per operation, so the whole sweep takes well under a minute per database.
"""

from __future__ import annotations

import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from marsad.core import users
from marsad.core.db import session_scope

EXAMPLES = 5
CHECKS = [not_a_server_error, response_schema_conformance]


def _probe(operation, headers: dict[str, str], who: str, failures: list[str]) -> None:  # type: ignore[no-untyped-def]
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def probe(case) -> None:  # type: ignore[no-untyped-def]
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as exc:
            failures.append(f"{operation.label} ({who}): {str(exc).splitlines()[0][:300]}")
            raise

    probe()


@pytest.mark.slow
def test_no_endpoint_answers_5xx_or_breaks_its_schema(app, sessions) -> None:
    with session_scope(sessions) as session:
        users.create_user(session, username="fuzz", role="admin", password="a-long-password-1")
        token = users.create_token(session, username="fuzz", label="fuzz", actor="fuzz")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20  # the whole API, not an empty schema
    failures: list[str] = []
    for operation in operations:
        for who, headers in (("anonymous", {}), ("admin", {"Authorization": f"Bearer {token}"})):
            before = len(failures)
            try:
                _probe(operation, headers, who, failures)
            except Exception as exc:  # noqa: BLE001 - recorded with its operation
                if len(failures) == before:  # not a failure the probe saw: an error of its own
                    failures.append(f"{operation.label} ({who}): {type(exc).__name__}: {exc}")
    assert failures == [], "\n".join(failures)


@pytest.fixture
def bearer(sessions) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        users.create_user(session, username="api", role="admin", password="a-long-password-1")
        token = users.create_token(session, username="api", label="api", actor="api")
    return {"Authorization": f"Bearer {token}"}


HUGE = str(2**80)


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/flags?offset={HUGE}",
        f"/api/v1/posts?offset={HUGE}",
        f"/api/v1/audit?before={HUGE}",
        f"/api/v1/reports?offset={HUGE}",
        f"/staff/flags?page={HUGE}",
        f"/staff/reports?page={HUGE}",
        f"/api/v1/coordination/statuses?limit={HUGE}",
    ],
)
def test_huge_numbers_are_refused_not_crashed_on(client, bearer, url) -> None:
    response = client.get(url, headers=bearer)
    assert response.status_code == 422, response.text[:200]


def test_classifying_nothing_is_a_clear_422(client, bearer) -> None:
    response = client.post("/api/v1/classify", json={"texts": []}, headers=bearer)
    assert response.status_code == 422 and "texts" in response.text


def test_a_token_holder_can_queue_a_run_without_locking_itself_out(client, bearer) -> None:
    # On SQLite the token check used to open the request's write transaction, and queuing
    # the job in a second one then waited for it: 10 s, then a 500.
    for _i in range(3):
        response = client.post("/api/v1/coordination/runs", json={}, headers=bearer)
        assert response.status_code == 202
    assert client.get("/api/v1/jobs", headers=bearer).status_code == 200


def test_the_openapi_document_has_no_dangling_reference(client) -> None:
    spec = client.get("/openapi.json").json()
    text = json.dumps(spec)
    defined = set(spec.get("components", {}).get("schemas", {}))
    used = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))
    assert used - defined == set()
    body = spec["paths"]["/api/v1/reports"]["post"]["requestBody"]["content"]
    assert "title" in body["application/json"]["schema"]["properties"]
