"""Evidence files: type checked by content, images cleaned, stored by SHA-256.

A reporter's photo can carry the GPS position of their home in its EXIF
block; every image is therefore decoded and re-encoded from its pixels alone
before anything is written to disk, which drops EXIF, XMP, IPTC, comments and
embedded thumbnails. A file's type is what its bytes say (``filetype``), not
what its name or the browser claims; a claim that disagrees is refused.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import filetype
from PIL import Image, ImageOps

from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _

IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "PNG"}
ALLOWED_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "application/pdf",
        "video/mp4",
        "video/webm",
        "video/quicktime",
        "video/3gpp",
        "video/x-matroska",
        "audio/mpeg",
        "audio/ogg",
        "audio/x-wav",
        "audio/mp4",
        "audio/m4a",
        "text/plain",
    }
)
GENERIC_CLAIMS = frozenset({"", "application/octet-stream", "binary/octet-stream"})


@dataclass
class Upload:
    """A file as it arrived: the name and type the sender claimed, and the bytes."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass
class CleanFile:
    """A file that passed the checks, ready to store (images already cleaned)."""

    filename: str
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _family(media_type: str) -> str:
    major, _sep, minor = media_type.partition("/")
    return media_type if major == "application" else major


def safe_filename(name: str) -> str:
    """A file name without folders or control characters, at most 120 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(". ")
    return (base or "file")[-120:]


def sniff_text(data: bytes) -> str | None:
    """``text/plain`` for UTF-8 text without control bytes (chat exports, notes), else None."""
    head = data[:65536]
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a cut multi-byte character at the end is fine
            return None
        text = head[: exc.start].decode("utf-8")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    return "text/plain" if controls == 0 else None


def check_upload(upload: Upload, *, max_bytes: int, where: str = "files") -> CleanFile:
    """Check one file's size and real type; clean images; raise InvalidInput naming the file."""
    name = safe_filename(upload.filename or "file")
    if len(upload.data) > max_bytes:
        raise InvalidInput(
            "err_file_too_large",
            _("The file {name} is larger than {limit} MB.").format(
                name=name, limit=round(max_bytes / 1048576, 1)
            ),
            where,
        )
    if not upload.data:
        raise InvalidInput(
            "err_file_empty", _("The file {name} is empty.").format(name=name), where
        )
    kind = filetype.guess(upload.data)
    detected = kind.mime if kind else sniff_text(upload.data)
    if detected not in ALLOWED_TYPES:
        raise InvalidInput(
            "err_file_type",
            _("The file {name} is not an image, PDF, text, audio or video file.").format(name=name),
            where,
        )
    claims = {(upload.content_type or "").split(";")[0].strip().lower()}
    guessed, _encoding = mimetypes.guess_type(name)
    claims.add((guessed or "").lower())
    for claim in claims - GENERIC_CLAIMS:
        if _family(claim) != _family(detected):
            raise InvalidInput(
                "err_file_type_mismatch",
                _("The content of {name} is not the kind of file its name or type says.").format(
                    name=name
                ),
                where,
            )
    data = upload.data
    if detected in IMAGE_FORMATS:
        data, detected = clean_image(data, detected, name=name, where=where)
        stem, _dot, _ext = name.rpartition(".")
        ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[detected]
        name = f"{stem or name}.{ext}"
    return CleanFile(filename=name, media_type=detected, data=data)


def clean_image(data: bytes, media_type: str, *, name: str, where: str) -> tuple[bytes, str]:
    """Re-encode an image from its pixels only: no EXIF/GPS, XMP, comments or thumbnails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as img:
                img.load()
                upright = ImageOps.exif_transpose(img) or img
                if upright.mode not in ("RGB", "RGBA", "L", "LA"):
                    upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
                pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(
            "err_file_damaged",
            _("The image {name} cannot be read.").format(name=name),
            where,
        ) from None
    fmt = IMAGE_FORMATS[media_type]
    out = BytesIO()
    if fmt == "JPEG":
        if pixels.mode not in ("RGB", "L"):
            pixels = pixels.convert("RGB")
        pixels.save(out, format="JPEG", quality=90)
    else:
        pixels.save(out, format=fmt)
    return out.getvalue(), {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]


def blob_path(data_dir: Path, sha256: str) -> Path:
    """Where a file with this SHA-256 lives under the data folder."""
    return data_dir / "files" / sha256[:2] / sha256


def store_blob(data_dir: Path, data: bytes) -> str:
    """Write bytes once under their SHA-256 (atomically); return the hex digest."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(data_dir, digest)
    if path.exists():
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{digest}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.replace(path)
    return digest
