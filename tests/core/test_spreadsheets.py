"""CSV for Excel: a UTF-8 byte order mark when asked, the same bytes as before otherwise."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from marsad.core.spreadsheets import BOM_BYTES, with_bom

BOM = b"\xef\xbb\xbf"


def test_the_mark_is_added_once() -> None:
    assert BOM_BYTES == BOM
    assert with_bom("a,b\n", True).encode("utf-8")[:3] == BOM
    assert with_bom(with_bom("a,b\n", True), True) == with_bom("a,b\n", True)
    assert with_bom("a,b\n", False) == "a,b\n"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports.csv",
        "/api/v1/reports.csv?hxl=1",
        "/api/v1/connectivity/export.csv",
        "/staff/reports/export?format=csv",
    ],
)
def test_web_downloads_start_with_the_mark_when_asked(admin_client, path: str) -> None:
    joiner = "&" if "?" in path else "?"
    plain = admin_client.get(path)
    excel = admin_client.get(f"{path}{joiner}bom=1")
    assert plain.status_code == excel.status_code == 200
    assert not plain.content.startswith(BOM)  # unchanged for the programs that read it now
    assert excel.content[:3] == BOM
    assert excel.content == BOM + plain.content
    assert excel.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in excel.headers["content-disposition"]


def test_the_glossary_export_for_excel_and_back(tmp_path) -> None:
    from marsad.detect.cli import app
    from marsad.detect.glossary import Glossary

    runner = CliRunner()
    plain = runner.invoke(app, ["glossary", "export", "--shipped", "--format", "csv"])
    excel = runner.invoke(app, ["glossary", "export", "--shipped", "--format", "csv", "--bom"])
    assert plain.exit_code == excel.exit_code == 0, excel.output
    assert plain.stdout_bytes.startswith(b"id,term,")
    assert excel.stdout_bytes[:3] == BOM and excel.stdout_bytes[3:] == plain.stdout_bytes
    out = tmp_path / "g.csv"
    written = runner.invoke(app, ["glossary", "export", "--shipped", "--out", str(out), "--bom"])
    assert written.exit_code == 0
    assert out.read_bytes()[:3] == BOM
    # Marsad reads its own file back, mark and all.
    assert Glossary.from_csv(out, version=1).terms
    yaml = runner.invoke(app, ["glossary", "export", "--shipped", "--format", "yaml", "--bom"])
    assert not yaml.stdout_bytes.startswith(BOM)  # the mark is for CSV only
