"""The CLI: e-mail intake over the shared samples, IMAP polling, geo import, exports, Ushahidi."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.core.blobs import BlobStore
from marsad.core.places import Place
from marsad.core.places import cli as geo_cli
from marsad.reports import cli, intake_email
from marsad.reports.models import Report, ReportFile
from marsad.reports.settings import ReportSettings

from .helpers import publish

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
runner = CliRunner()
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "formats"


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/formats/{'/'.join(parts)}")
    return path


def run(app, *args: str) -> dict:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_eml_sample_becomes_a_report_or_a_listed_rejection(env, sessions) -> None:
    folder = shared("email_eml")
    samples = sorted(folder.rglob("*.eml"))
    assert len(samples) == 57
    result = run(cli.app, "ingest-email", str(folder))
    assert result["accepted"] + result["rejected"] == 57
    assert result["accepted"] >= 50
    for row in result["results"]:
        if row["status"] == "rejected":
            assert row["error"] and row["reason"]
    rejected = {
        Path(r["source"]).name: r["error"] for r in result["results"] if r["status"] == "rejected"
    }
    assert rejected.get("report_422.eml") == "err_email_automatic"  # a bounce is not a report
    with sessions() as session:
        reports = list(session.execute(select(Report)).scalars())
        assert len(reports) == result["accepted"]
        assert all(r.channel == "email" and r.status == "received" for r in reports)
        pdfs = session.execute(
            select(ReportFile).where(ReportFile.media_type == "application/pdf")
        ).scalars()
        assert len(list(pdfs)) >= 4  # the PDF attachments became evidence files
        japanese = next(
            r
            for r in reports
            if "japanese_iso_2022" in (r.source_ref or "")
            or "テスト" in r.title + r.description
            or "日本" in r.title + r.description
        )
        assert japanese is not None
    # Ingesting again adds nothing: each message is one report.
    again = run(cli.app, "ingest-email", str(folder))
    assert again["accepted"] == 0
    assert {r["error"] for r in again["results"]} <= {"err_already_received", "err_email_automatic"}


def test_email_sender_becomes_the_sealed_contact(env, sessions, settings) -> None:
    eml = settings.data_dir.parent / "one.eml"
    eml.write_bytes(
        "From: Reporter <sender.secret@example.com>\r\nTo: report@marsad.example\r\n"
        "Subject: [threat] تهديد بسبب منشور\r\nDate: Mon, 06 May 2024 10:00:00 +0300\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nوصلتني رسائل تهديد بعد منشوري.\r\n".encode()
    )
    result = run(cli.app, "ingest-email", str(eml))
    assert result["accepted"] == 1 and "sender.secret" not in json.dumps(result)
    with sessions() as session:
        report = session.execute(select(Report)).scalar_one()
        assert report.category.slug == "threat" and report.language == "ar"
        assert report.contact_sealed and "sender.secret" not in report.contact_sealed


class FakeImap:
    """Just enough of imaplib.IMAP4_SSL for the poller."""

    def __init__(self, messages: dict[bytes, bytes]) -> None:
        self.messages = messages
        self.seen: list[bytes] = []

    def __call__(self, host: str, port: int) -> FakeImap:  # noqa: ARG002
        return self

    def login(self, user: str, password: str) -> None:  # noqa: ARG002
        return None

    def select(self, folder: str) -> None:  # noqa: ARG002
        return None

    def uid(self, command: str, *args: object):  # type: ignore[no-untyped-def]
        if command == "SEARCH":
            return "OK", [b" ".join(u for u in self.messages if u not in self.seen)]
        if command == "FETCH":
            return "OK", [(b"1 (BODY[] {n})", self.messages[args[0]]), b")"]
        self.seen.append(args[0])  # STORE +FLAGS \Seen
        return "OK", []

    def logout(self) -> None:
        return None


def test_imap_poller_runs_the_same_intake_and_marks_messages_seen(
    sessions, settings, cipher
) -> None:
    box = FakeImap(
        {
            b"7": b"From: a@example.org\r\nSubject: Blocked site\r\n\r\nThe site is blocked.\r\n",
            b"8": b"Content-Type: multipart/report; report-type=delivery-status\r\n\r\n",
        }
    )
    conf = ReportSettings(imap_host="imap.example.org", imap_user="u", imap_password="p")
    outcomes = intake_email.poll_imap(
        sessions, settings=conf, cipher=cipher, blobs=BlobStore.from_settings(settings), connect=box
    )
    assert [o.status for o in outcomes] == ["accepted", "rejected"]
    assert box.seen == [b"7", b"8"]
    assert (
        intake_email.poll_imap(
            sessions,
            settings=conf,
            cipher=cipher,
            blobs=BlobStore.from_settings(settings),
            connect=box,
        )
        == []
    )


def test_geo_import_stores_boundaries_and_points_check_against_them(env, sessions, client) -> None:
    adm1 = shared("iraq_boundaries", "irq_admbnda_adm1_cso_20190603.geojson")
    adm2 = shared("iraq_boundaries", "irq_admbnda_adm2_cso_20190603.geojson")
    assert run(geo_cli.app, "import", str(adm1)) == {
        "updated": 18,
        "added": 0,
        "skipped": 0,
        "located": {"reports": 0},
    }
    assert run(geo_cli.app, "import", str(adm2))["updated"] == 101
    with sessions() as session:
        assert all(p.geometry for p in session.execute(select(Place)).scalars())
    layer = client.get("/api/v1/places.geojson?level=1").json()
    assert {f["geometry"]["type"] for f in layer["features"]} <= {"Polygon", "MultiPolygon"}
    # With polygons known, a point in Kuwait (inside Iraq's bounding box) is refused,
    # and a point in Baghdad without a place gets its district.
    kuwait = client.post(
        "/api/v1/reports", json={"title": "x", "category": "threat", "lat": 29.37, "lon": 47.98}
    )
    assert kuwait.status_code == 422 and kuwait.json()["where"] == "lat"
    baghdad = client.post(
        "/api/v1/reports", json={"title": "x", "category": "threat", "lat": 33.3152, "lon": 44.3661}
    )
    assert baghdad.status_code == 201
    with sessions() as session:
        assert session.get(Report, baghdad.json()["id"]).governorate_pcode == "IQG08"


def test_geo_import_refuses_a_file_without_places(env, settings) -> None:
    bad = settings.data_dir.parent / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}')
    result = runner.invoke(geo_cli.app, ["import", str(bad)])
    assert result.exit_code == 2 and "ADM1_PCODE" in result.output


def test_geo_import_of_a_folder_is_named_not_a_traceback(env, settings) -> None:
    folder = settings.data_dir.parent / "boundaries"
    folder.mkdir()
    result = runner.invoke(geo_cli.app, ["import", str(folder)])
    assert result.exit_code == 2, result.output
    assert "cannot be read as a file" in result.output and str(folder) in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_ushahidi_import_keeps_rows_and_drops_points_outside_iraq(env, sessions) -> None:
    result = run(
        cli.app,
        "import-ushahidi",
        str(shared("ushahidi", "ushahidi_v2_export_libya_crisismap_2011.csv")),
    )
    assert result["accepted"] == 6 and result["rejected"] == 0
    assert all("point outside Iraq or unreadable: dropped" in r["notes"] for r in result["results"])
    with sessions() as session:
        report = session.execute(
            select(Report).where(Report.title.like("ICRC warns%"))
        ).scalar_one()
        assert report.lat is None and '"The ICRC' in report.description  # &quot; unescaped
        assert "Location: Benghazi, Libya" in report.description
    assert (
        run(
            cli.app,
            "import-ushahidi",
            str(shared("ushahidi", "ushahidi_v2_export_libya_crisismap_2011.csv")),
        )["accepted"]
        == 0
    )
    platform = run(
        cli.app, "import-ushahidi", str(shared("ushahidi", "ushahidi_platform_import_sample.csv"))
    )
    assert platform["accepted"] == 2


def test_exports_staff_exact_and_public_coarse(
    env, file_report, sessions, staff, monkeypatch
) -> None:
    staff("rev", "reviewer")
    rid, _r = file_report(
        district="IQG08Q03", lat="33.3152", lon="44.3661", contact="who@example.org"
    )
    publish(sessions, rid, location_precision="district")
    monkeypatch.setenv("MARSAD_REPORTS_MIN_PUBLIC_COUNT", "1")  # one report may be placed here
    staff_csv = runner.invoke(cli.app, ["export", "--format", "hxl"]).stdout
    lines = staff_csv.splitlines()
    assert lines[1].startswith("#event+id,#status") and "33.3152" in staff_csv
    assert "who@example.org" not in staff_csv
    public_geo = json.loads(
        runner.invoke(cli.app, ["export", "--public", "--format", "geojson"]).stdout
    )
    assert public_geo["features"][0]["geometry"]["coordinates"] != [44.3661, 33.3152]


def test_the_staff_export_redacts_confidential_cases_unless_an_admin_says(
    env, file_report, sessions, staff
) -> None:
    from marsad.core.db import session_scope
    from marsad.core.models import AuditRecord, User
    from marsad.reports import cases

    staff("rev", "reviewer")
    staff("boss", "admin")
    secret = "ابتزاز باسم الضحية"
    case_id, _r = file_report(
        title=secret, description=secret, category="blackmail", lat="33.31", lon="44.36"
    )
    plain_id, _r = file_report(title="an ordinary report")
    export = runner.invoke(cli.app, ["export"])
    assert export.exit_code == 0, export.output
    assert secret not in export.stdout and "33.31" not in export.stdout
    assert case_id in export.stdout and "an ordinary report" in export.stdout
    # Only an active admin may lift the redaction, and only for the cases they work on.
    refused = runner.invoke(cli.app, ["export", "--as", "rev"])
    assert refused.exit_code == 2 and secret not in refused.output
    assert "--as" in refused.output and "Traceback" not in refused.output
    assert runner.invoke(cli.app, ["export", "--as", "nobody"]).exit_code == 2
    not_theirs = runner.invoke(cli.app, ["export", "--as", "boss"])
    assert not_theirs.exit_code == 0 and secret not in not_theirs.stdout
    with session_scope(sessions) as session:
        boss = session.execute(select(User).where(User.username == "boss")).scalar_one()
        cases.set_caseworker(session, report_id=case_id, username="boss", actor=boss)
    full = runner.invoke(cli.app, ["export", "--as", "boss", "--format", "geojson"])
    assert full.exit_code == 0 and secret in full.stdout
    with session_scope(sessions) as session:
        audited = session.execute(
            select(AuditRecord.actor, AuditRecord.details).where(
                AuditRecord.action == "reports.export_confidential"
            )
        ).all()
    assert [actor for actor, _d in audited] == ["boss", "boss"]
    assert '"cases": 1' in audited[-1].details and plain_id not in audited[-1].details
