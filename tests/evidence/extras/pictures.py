"""Pictures made by the tests: a fabricated "photo" and its re-uploads, drawn with Pillow."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter


def fabricated(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A picture with structure (sky, buildings, a figure) that differs with the seed."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(60, 200), rng.randrange(60, 200), 220))
    draw = ImageDraw.Draw(image)
    width, height = size
    for _ in range(12):
        x = rng.randrange(0, width - 40)
        w = rng.randrange(30, 120)
        top = rng.randrange(height // 4, height - 40)
        shade = rng.randrange(20, 160)
        draw.rectangle([x, top, x + w, height], fill=(shade, shade, shade + 20))
    for _ in range(6):
        x, y = rng.randrange(0, width), rng.randrange(0, height)
        r = rng.randrange(10, 60)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    return image.filter(ImageFilter.GaussianBlur(1))


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def reupload(image: Image.Image) -> bytes:
    """What a platform does to a re-uploaded picture: smaller, JPEG at a low quality."""
    smaller = image.resize((image.width * 7 // 10, image.height * 7 // 10), Image.BILINEAR)
    return encode(smaller, "JPEG", quality=55)
