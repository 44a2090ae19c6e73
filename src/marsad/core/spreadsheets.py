"""CSV for spreadsheet users: the UTF-8 byte order mark that makes Excel read Arabic.

Excel opens a CSV file without a byte order mark in the computer's legacy code page
(Windows-1252 or 1256), so Arabic and Kurdish arrive as mojibake. LibreOffice, pandas
and most scripts read plain UTF-8 and do not need the mark, and some treat it as part
of the first column's name, so it is an option: ``--bom`` on the command line,
``?bom=1`` on a download. Without it every export stays byte for byte what it was.
"""

from __future__ import annotations

BOM = "\ufeff"
BOM_BYTES = BOM.encode("utf-8")  # EF BB BF


def with_bom(body: str, bom: bool) -> str:
    """``body`` with the byte order mark in front when ``bom`` is asked (never twice)."""
    if not bom or body.startswith(BOM):
        return body
    return BOM + body


def with_bom_bytes(body: bytes, bom: bool) -> bytes:
    """The same for UTF-8 bytes."""
    if not bom or body.startswith(BOM_BYTES):
        return body
    return BOM_BYTES + body
