"""Ushahidi import finds the rows it already has by their content, whatever the file's bytes."""

from __future__ import annotations

from pathlib import Path

from marsad.reports import cli

from .test_cli import run

ROWS = [
    "#,INCIDENT TITLE,INCIDENT DATE,LOCATION,DESCRIPTION,CATEGORY,LATITUDE,LONGITUDE",
    '1,Blogger detained,2025-11-02 10:00:00,Basra,"Taken from his home,\nphone seized",'
    "Arrest,30.5,47.8",
    "2,Site blocked,2025-11-03 09:00:00,Baghdad,News site unreachable,Censorship,33.3,44.4",
]


def test_the_same_rows_with_crlf_line_endings_are_not_imported_again(
    env,
    tmp_path: Path,
) -> None:
    unix = tmp_path / "export.csv"
    unix.write_bytes(("\n".join(ROWS) + "\n").encode("utf-8"))
    first = run(cli.app, "import-ushahidi", str(unix))
    assert first["accepted"] == 2, first
    windows = tmp_path / "export-windows.csv"
    windows.write_bytes(("\r\n".join(r.replace("\n", "\r\n") for r in ROWS)).encode("utf-8-sig"))
    again = run(cli.app, "import-ushahidi", str(windows))
    assert again["accepted"] == 0 and again["rejected"] == 2, again
    assert all(r["error"] == "err_already_received" for r in again["results"])
