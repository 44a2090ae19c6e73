"""Evidence files: type checked by content, images and media cleaned, kept in the blob store.

A reporter's photo can carry the GPS position of their home in its EXIF
block; every image is therefore decoded and re-encoded from its pixels alone,
which drops EXIF, XMP, IPTC, comments and embedded thumbnails. The cleaned
copy is the only one ever shown (the staff page, the staff API, exports). The
bytes as they arrived are kept too, as the *original* blob the cleaned copy
derives from (``reencode``): evidence work needs what was actually sent, and
the original stays private to staff, never in a public view, an export or a
log. Both live in the content-addressed store (:mod:`marsad.core.blobs`).

A file's type is what its bytes say (``filetype``), not what its name or the
browser claims; a claim that disagrees is refused. An image's pixel count is
checked from its header before any pixel is decoded, so a decompression bomb
(a small file that would unpack to gigabytes) is refused, not decoded.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import warnings
from dataclasses import dataclass
from io import BytesIO

import filetype
from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from marsad.core.blobs import BlobStore, format_sha256, store_blob
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.reports import media_clean

log = logging.getLogger(__name__)

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
# Larger than any phone's photo (a 200 MP sensor saves 12-50 MP images); a 50 MP RGBA
# image already takes 200 MB to decode.
DEFAULT_MAX_PIXELS = 50_000_000


@dataclass
class Upload:
    """A file as it arrived: the name and type the sender claimed, and the bytes."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass
class CleanFile:
    """A file that passed the checks, ready to store (images already cleaned).

    ``original`` holds the bytes as they arrived when cleaning changed them (an
    image), with their type in ``original_media_type``; None when the file is
    kept as sent.
    """

    filename: str
    media_type: str
    data: bytes
    original: bytes | None = None
    original_media_type: str | None = None
    # How the shown copy derives from the original: images are re-encoded, videos,
    # audio and PDFs have their metadata removed (see media_clean).
    how: str = "reencode"
    # True when a video, audio file or PDF could not be cleaned: stored as sent but
    # never presented as clean; the reporter is told.
    kept_apart: bool = False

    @property
    def sha256(self) -> str:
        """The cleaned copy's ``sha256:<hex>``."""
        return format_sha256(hashlib.sha256(self.data).hexdigest())


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


def check_upload(
    upload: Upload, *, max_bytes: int, max_pixels: int = DEFAULT_MAX_PIXELS, where: str = "files"
) -> CleanFile:
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
    if detected in IMAGE_FORMATS:
        data, cleaned_type = clean_image(
            upload.data, detected, name=name, where=where, max_pixels=max_pixels
        )
        stem, _dot, _ext = name.rpartition(".")
        ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[cleaned_type]
        return CleanFile(
            filename=f"{stem or name}.{ext}",
            media_type=cleaned_type,
            data=data,
            original=upload.data,
            original_media_type=detected,
        )
    if media_clean.cleanable(detected):
        result = media_clean.clean_media(upload.data, detected)
        if result.data is None:
            # Never the file name: it may say who sent it. The type and the reason suffice.
            log.warning(
                "file kept apart, not cleaned",
                extra={"media_type": detected, "why": result.problem},
            )
            return CleanFile(filename=name, media_type=detected, data=upload.data, kept_apart=True)
        return CleanFile(
            filename=name,
            media_type=detected,
            data=result.data,
            original=upload.data,
            original_media_type=detected,
            how="redact",
        )
    return CleanFile(filename=name, media_type=detected, data=upload.data)


def clean_image(
    data: bytes,
    media_type: str,
    *,
    name: str,
    where: str,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> tuple[bytes, str]:
    """Re-encode an image from its pixels only: no EXIF/GPS, XMP, comments or thumbnails.

    The pixel count comes from the header (``Image.open`` decodes nothing); an
    image over ``max_pixels`` is refused before its pixels are unpacked.
    """
    too_large = InvalidInput(
        "err_image_too_large",
        _("The image {name} has too many pixels: at most {limit} million.").format(
            name=name, limit=round(max_pixels / 1_000_000, 1)
        ),
        where,
    )
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check (at open, from the header) is an error here too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise too_large
                img.load()
                upright = ImageOps.exif_transpose(img) or img
                if upright.mode not in ("RGB", "RGBA", "L", "LA"):
                    upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
                pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (OSError, ValueError):
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


def store_clean_file(
    session: Session, store: BlobStore, clean: CleanFile
) -> tuple[str, str | None]:
    """Keep a checked file in the blob store; return (shown copy, private original or None).

    A file kept as sent is one blob. A cleaned image is two: the bytes as they
    arrived (the original, for staff only) and the re-encoded copy, recorded as
    its ``reencode`` derivative. The original is stored first, so the
    derivative's link always points at a blob that exists.
    """
    if clean.original is None or clean.original == clean.data:  # cleaning changed nothing
        blob = store_blob(session, store, clean.data, media_type=clean.media_type)
        return blob.sha256, None
    original = store_blob(
        session, store, clean.original, media_type=clean.original_media_type or clean.media_type
    )
    shown = store_blob(
        session,
        store,
        clean.data,
        media_type=clean.media_type,
        derived_from=original.sha256,
        how=clean.how,
    )
    return shown.sha256, original.sha256
