"""Hidden data removed from videos, audio and PDFs, with Debian's tools.

A phone's video carries where it was filmed (the ``©xyz`` GPS atom of MP4/MOV,
Apple's location metadata track); a PDF names its author and the software and
device that made it. Like images (see :mod:`marsad.reports.files`), these
are cleaned before anyone sees them, and the bytes as they arrived are kept
as the staff-only original:

* video and audio: ``ffmpeg`` copies the audio and video streams unchanged
  (``-c copy``: no quality lost, fast) without any global or stream metadata,
  chapters, data or subtitle streams (where GPS tracks live);
* PDF: ``exiftool -all:all=`` removes the document information and XMP
  metadata, then ``qpdf`` rewrites the file: ExifTool's own PDF edits are
  reversible (it appends an update), and the rewrite drops the old objects
  for good.

When a tool is missing or fails, the file is *kept apart*: stored, marked as
not cleaned (staff see a warning, the reporter is told), never presented as
clean. The tools run with a time limit, on a private temporary folder.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

VIDEO_AUDIO_EXT = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
    "video/x-matroska": "mkv",
    "video/webm": "webm",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/x-wav": "wav",
    "audio/mp4": "m4a",
    "audio/m4a": "m4a",
}
PDF = "application/pdf"
TIMEOUT = 120


@dataclass(frozen=True)
class MediaResult:
    """Cleaned bytes (None when the file must be kept apart) and why not, for the log."""

    data: bytes | None
    problem: str | None = None


def cleanable(media_type: str) -> bool:
    """Whether this kind of file carries metadata that Marsad removes with an outside tool."""
    return media_type in VIDEO_AUDIO_EXT or media_type == PDF


def _run(args: list[str]) -> str | None:
    try:
        done = subprocess.run(  # noqa: S603 - fixed tools, arguments are our own paths
            args, capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return f"{Path(args[0]).name} took longer than {TIMEOUT} s"
    except OSError as exc:
        return f"{Path(args[0]).name} could not run: {exc.strerror}"
    if done.returncode != 0:
        return f"{Path(args[0]).name} failed (exit {done.returncode})"
    return None


def _tool(name: str) -> str | None:
    return shutil.which(name)


def available() -> dict[str, bool]:
    """Which kinds this server can clean now (``av``: ffmpeg; ``pdf``: exiftool and qpdf).

    The report form says so before a reporter attaches a file: a kind that
    cannot be cleaned is stored as sent (kept apart), with its hidden data.
    """
    return {
        "av": _tool("ffmpeg") is not None,
        "pdf": _tool("exiftool") is not None and _tool("qpdf") is not None,
    }


def clean_media(data: bytes, media_type: str) -> MediaResult:
    """Strip metadata from a video, audio file or PDF; MediaResult(None, why) if it cannot."""
    with tempfile.TemporaryDirectory(prefix="marsad-clean-") as name:
        work = Path(name)
        if media_type == PDF:
            return _clean_pdf(data, work)
        return _clean_av(data, media_type, work)


def _clean_av(data: bytes, media_type: str, work: Path) -> MediaResult:
    ffmpeg = _tool("ffmpeg")
    if ffmpeg is None:
        return MediaResult(None, "ffmpeg is not installed")
    ext = VIDEO_AUDIO_EXT[media_type]
    src, out = work / f"in.{ext}", work / f"out.{ext}"
    src.write_bytes(data)
    problem = _run(
        [
            ffmpeg,
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-i",
            str(src),
            # Only sound and picture: data streams (GPS telemetry, Apple's location
            # track) and subtitles stay behind.
            "-map",
            "0:v?",
            "-map",
            "0:a?",
            "-dn",
            "-sn",
            "-map_metadata",
            "-1",
            "-map_chapters",
            "-1",
            "-c",
            "copy",
            "-fflags",
            "+bitexact",
            "-flags:v",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            "-threads",
            "2",
            str(out),
        ]
    )
    if problem is None and (not out.exists() or out.stat().st_size == 0):
        problem = "ffmpeg wrote nothing"
    if problem:
        return MediaResult(None, problem)
    return MediaResult(out.read_bytes())


def _clean_pdf(data: bytes, work: Path) -> MediaResult:
    exiftool, qpdf = _tool("exiftool"), _tool("qpdf")
    if exiftool is None or qpdf is None:
        missing = " and ".join(n for n, p in (("exiftool", exiftool), ("qpdf", qpdf)) if not p)
        return MediaResult(None, f"{missing} not installed")
    src, mid, out = work / "in.pdf", work / "mid.pdf", work / "out.pdf"
    src.write_bytes(data)
    problem = _run([exiftool, "-q", "-q", "-all:all=", "-o", str(mid), str(src)])
    if problem is None:
        # qpdf exits 3 for warnings on a damaged but readable file: still written.
        problem = _run([qpdf, "--warning-exit-0", str(mid), str(out)])
    if problem is None and (not out.exists() or out.stat().st_size == 0):
        problem = "qpdf wrote nothing"
    if problem:
        return MediaResult(None, problem)
    return MediaResult(out.read_bytes())
