"""Persona photos: only real JPEG/PNG/WebP images of sane size, re-encoded on upload.

Re-encoding drops whatever else the file carried (EXIF location, trailing data) and bounds
what we store; the pixel limit stops decompression bombs before Pillow allocates them.
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
STORED_SIZE = (800, 800)


def persona_photo_clean(upload: Any) -> ContentFile[bytes]:
    """Validate an uploaded photo and return it re-encoded, or raise ValidationError."""
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("The photo must be 2 MB or smaller."), code="too_large")
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="invalid")
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="too_large")
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise ValidationError(_("This file is not an image we can read."), code="invalid") from None
    image.thumbnail(STORED_SIZE)
    if image.mode not in {"RGB", "RGBA"}:
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    out = io.BytesIO()
    image.save(out, format="PNG" if image.mode == "RGBA" else "JPEG", quality=88)
    extension = "png" if image.mode == "RGBA" else "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
