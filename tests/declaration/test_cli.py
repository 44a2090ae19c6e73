"""``marsad declaration``: the league table, signatories, suggestions and agreement."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from marsad.cli.main import app
from marsad.core.db import session_scope
from marsad.core.settings import Settings
from marsad.declaration import actors, violations
from marsad.declaration.settings import DeclarationSettings
from tests.coordination.test_statuses import cli_env  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.usefixtures("cli_env"),
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
]
runner = CliRunner()


def _run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["declaration", *args])


def test_the_cli_prints_the_league_table_and_refuses_an_unknown_declaration(
    sessions, settings
) -> None:
    lapsed = Settings(
        **settings.model_dump(exclude={"declaration"}),
        declaration=DeclarationSettings(declaration_reply_days=0),
    )
    with session_scope(sessions) as session:
        actor_id = actors.create_actor(
            session, name="Ali al-Baghdadi", kind="candidate", party="Future Alliance",
            accounts=[{"platform": "x", "handle": "ali_albaghdadi"}], actor="mona",
        ).actor_id  # fmt: skip
        row = violations.create_violation(
            session, references={}, actor_id=actor_id, commitment_id="candidates-3",
            description="", severity="low", evidence=[], created_by="mona", period="silence",
        )  # fmt: skip
        for coder in ("mona", "omar"):
            violations.code(
                session, violation_id=row.id, coder=coder, commitment_id="candidates-3",
                breach=coder == "mona", severity="low",
            )  # fmt: skip
        for action in ("confirm", "notify"):
            violations.move(
                session, violation_id=row.id, action=action, actor="rana", settings=lapsed
            )

    done = _run("scorecards", "iraq-2021", "--by", "party", "--json")
    assert done.exit_code == 0, done.output
    [party] = json.loads(done.stdout)["rows"]
    assert party["key"] == "Future Alliance" and party["breached"] == 1
    csv = _run("scorecards", "--csv")
    assert csv.stdout.splitlines()[1].startswith(f"{actor_id},Ali al-Baghdadi,1,8,7,1,1,0")
    empty = _run("scorecards", "--period", "campaign", "--json")
    assert json.loads(empty.stdout)["rows"][0]["breached"] == 0

    kappa = json.loads(_run("agreement", "--json").stdout)
    overall = next(k for k in kappa if k["period"] is None)
    assert overall["pairs"] == 1 and overall["agreement"] == 0.0

    assert json.loads(_run("signatories", "--json").stdout)["count"] == 0
    suggested = _run("suggest", "--json")
    assert suggested.exit_code == 0, suggested.output
    assert json.loads(suggested.stdout)["suggested"] == {"flag": 0, "coordination": 0, "image": 0}

    missing = _run("scorecards", "nowhere", "--json")
    assert missing.exit_code == 2 and missing.stdout == ""
    assert "err_declaration_not_found" in missing.stderr
