"""User text in titles and headings is isolated: its direction marks cannot turn the page."""

from __future__ import annotations

from .helpers import login, publish

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE, as in "invoice‮fdp.exe"
TITLE = f"Threat{RLO} against a journalist"


def test_a_title_with_an_override_stays_inside_its_isolate(
    client, file_report, sessions, staff
) -> None:
    staff("rev", "reviewer")
    report_id, _r = file_report(title=TITLE, district="IQG08Q03")
    publish(sessions, report_id, location_precision="governorate")

    page = client.get(f"/reports/{report_id}").text
    # In the heading, in a <bdi>; in <title> (no markup there) between FSI and PDI,
    # which end the override before " · Marsad".
    assert f"<h1><bdi>{TITLE}</bdi></h1>" in page
    assert f"<title>\u2068{TITLE}\u2069 · " in page
    assert f"<bdi>{TITLE}</bdi>" in client.get("/reports").text

    assert login(client, "rev", "a-long-password-1").status_code == 303
    staff_page = client.get(f"/staff/reports/{report_id}").text
    assert f"<h1><bdi>{TITLE}</bdi></h1>" in staff_page
    assert f"<bdi>{TITLE}</bdi>" in client.get("/staff/reports?status=published").text
