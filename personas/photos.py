"""Persona photos: only real JPEG/PNG/WebP images of sane size, re-encoded on upload, and
shown only to those who may see the persona.

Re-encoding drops whatever else the file carried (EXIF location, trailing data) and bounds
what we store; the pixel limit stops decompression bombs before Pillow allocates them.
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from personas.models import Persona
from workspaces.models import MapAccess, Membership

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


def persona_with_photo(user: User | AnonymousUser | None, name: str) -> Persona | None:
    """The persona whose photo is the stored file `name`, if `user` may see it: a member of
    the persona's workspace, or anyone with a role on a map showing the persona (the editor
    draws its photo). Asked on every request, so a removed member is refused at once.
    Share-link visitors see no photos: the share view draws no persona."""
    if user is None or not user.is_authenticated:
        return None
    member_of = Membership.objects.filter(user=user).values("workspace_id")
    granted = MapAccess.objects.filter(user=user).values("map_id")
    visible = (
        Q(workspace_id__in=member_of) | Q(maps__workspace_id__in=member_of) | Q(maps__in=granted)
    )
    return Persona.objects.filter(visible, photo=name).order_by().first()
