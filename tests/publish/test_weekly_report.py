"""The weekly report: the CLI, its PDF and HTML, traceable figures, and the approval workflow."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import zlib

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.cli.main import make_app
from marsad.core.db import session_scope
from marsad.core.errors import Forbidden
from marsad.core.models import AuditRecord
from marsad.publish import publications
from tests.conftest import csrf_from, login

runner = CliRunner()
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@sqlite_only
@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--week", "2026-W60"], "week"),
        (["--week", "W49"], "week"),
        (["--week", "2026-W49", "--lang", "fr"], "lang"),
        (["--week", "2026-W49", "--format", "docx"], "format"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(env, tmp_path, args, where):
    out = tmp_path / "r.pdf"
    result = runner.invoke(make_app(), ["publish", "report", *args, "--out", str(out), "--json"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {where}:")
    assert "Traceback" not in result.output
    assert not out.exists()


@sqlite_only
def test_html_report_in_arabic_traces_every_figure(env, tmp_path, add_reports):
    add_reports(4, governorate_pcode="IQG08")
    add_reports(1, governorate_pcode="IQG15")
    out = tmp_path / "week.html"
    result = runner.invoke(
        make_app(),
        [
            "publish",
            "report",
            "--week",
            "2026-W49",
            "--format",
            "html",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["week"] == "2026-W49"
    assert summary["sections"][0] == "reports"
    html = out.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    # Each traced figure's query is printed in the appendix.
    assert html.count("<li><strong>") == summary["figures_traced"] >= 5
    assert "reports.week.published" in html and "FROM reports" in html
    # Counts in Arabic-Indic digits; the lone Dhi-Qar report is hidden.
    assert "٤" in html
    assert 'data-pcode="IQG15"' in html


@sqlite_only
def test_pdf_report_embeds_the_vendored_arabic_font(env, tmp_path, add_reports):
    add_reports(3)
    out = tmp_path / "week.pdf"
    result = runner.invoke(
        make_app(),
        ["publish", "report", "--week", "2026-W49", "--lang", "ckb", "--out", str(out), "--json"],
    )
    assert result.exit_code == 0, result.output
    body = out.read_bytes()
    assert body.startswith(b"%PDF")
    assert b"+Noto-Sans-Arabic" in _inflated(body)  # the vendored font is embedded (subset)


def test_the_pdf_is_built_without_a_css_warning(env, tmp_path, add_reports, caplog):
    """WeasyPrint warns about CSS it does not know: the report's print CSS has none of it."""
    add_reports(3)
    caplog.set_level(logging.WARNING, logger="weasyprint")
    out = tmp_path / "week.pdf"
    result = runner.invoke(
        make_app(), ["publish", "report", "--week", "2026-W49", "--lang", "ar", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (font names live in object streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(match.group(1)))
    return b"".join(parts)


def _staff(client, make_user, name: str, role: str):  # type: ignore[no-untyped-def]
    password = make_user(name, role)
    assert login(client, name, password).status_code == 303
    return client


def _act(client, pub_id: str, action: str, **extra: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/staff/publications/{pub_id}")
    data = {"csrf_token": csrf_from(page.text), "action": action, **extra}
    return client.post(f"/staff/publications/{pub_id}", data=data, follow_redirects=False)


@sqlite_only
def test_draft_approve_publish_is_audited_and_listed(client, make_user, sessions, add_reports):
    add_reports(3)
    assert client.get("/publications").status_code == 200
    _staff(client, make_user, "rev", "reviewer")
    token = csrf_from(client.get("/staff/publications").text)
    made = client.post(
        "/staff/publications",
        data={"csrf_token": token, "week": "2026-W49", "lang": "ar"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    pub_id = made.headers["location"].rsplit("/", 1)[-1]
    # A draft is not public.
    assert client.get(f"/publications/{pub_id}.pdf").status_code == 404
    assert _act(client, pub_id, "publish").status_code == 409  # not approved yet
    narrative = "أسبوع هادئ نسبياً في بغداد."
    assert _act(client, pub_id, "save", narrative=narrative).status_code == 303
    assert _act(client, pub_id, "approve").status_code == 303
    staff_list = client.get("/api/v1/staff/publications").json()["results"]
    assert [(r["week"], r["status"]) for r in staff_list] == [("2026-W49", "approved")]
    listed = client.get("/api/v1/publications").json()["results"]
    assert listed == []
    assert _act(client, pub_id, "publish").status_code == 303
    listed = client.get("/api/v1/publications").json()["results"]
    assert [(r["week"], r["status"]) for r in listed] == [("2026-W49", "published")]
    pdf = client.get(f"/publications/{pub_id}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    html = client.get(f"/publications/{pub_id}.html")
    assert narrative in html.text
    assert "/publications/" in client.get("/publications").text
    # Published: no more edits.
    assert _act(client, pub_id, "save", narrative="x").status_code == 409
    with session_scope(sessions) as session:
        actions = session.execute(
            select(AuditRecord.action).where(AuditRecord.subject_id == pub_id)
        ).scalars()
        assert list(actions) == [
            "publication.created",
            "publication.edited",
            "publication.approved",
            "publication.published",
        ]


@sqlite_only
def test_an_analyst_cannot_approve(sessions):
    with session_scope(sessions) as session:
        pub = publications.create_draft(session, week="2026-W49", lang="en", actor="ana")
        with pytest.raises(Forbidden):
            publications.approve(session, publication_id=pub.id, actor="ana", role="analyst")


@sqlite_only
def test_the_header_isolates_the_week_code_and_local_dates(sessions, settings):
    from marsad.publish import weekly
    from marsad.publish.sections import Period

    with sessions() as session:
        doc = weekly.build(session, settings=settings, period=Period.parse("2026-W49"), lang="ar")
    html = weekly.render_html(doc, settings=settings)
    header = re.search(r'<p class="period">(.*?)</p>', html).group(1)
    # Each code sits in a left-to-right isolate (with LRI/PDI for the PDF): no reversal
    # into "W49-2026" inside Arabic text. Days are Baghdad's: Monday 30 Nov to Sunday 6 Dec.
    isolates = re.findall(r'<bdi dir="ltr" class="iso">\u2066([^<]*)\u2069</bdi>', header)
    assert isolates == ["٢٠٢٦-W٤٩", "٢٠٢٦-١١-٣٠", "٢٠٢٦-١٢-٠٦"]
    assert "\u2066" in re.search(r"<title>(.*?)</title>", html).group(1)
