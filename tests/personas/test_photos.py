import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from personas.photos import persona_photo_clean


def upload(image_format: str = "PNG", size: tuple[int, int] = (40, 30), name: str = "p.png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#6366f1").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_real_png_is_accepted_and_re_encoded():
    cleaned = persona_photo_clean(upload())

    assert Image.open(io.BytesIO(cleaned.read())).size == (40, 30)


def test_large_photos_are_scaled_down_to_the_stored_size():
    cleaned = persona_photo_clean(upload(size=(3000, 1500)))

    assert Image.open(io.BytesIO(cleaned.read())).size == (800, 400)


def test_a_text_file_named_png_is_refused():
    fake = SimpleUploadedFile("p.png", b"<svg onload=alert(1)>", content_type="image/png")

    with pytest.raises(ValidationError):
        persona_photo_clean(fake)


def test_gif_and_other_formats_are_refused():
    with pytest.raises(ValidationError):
        persona_photo_clean(upload("GIF", name="p.gif"))


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    # A tiny PNG that declares 20,000 x 20,000 pixels (400 M): refused from its header.
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    bomb = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    assert (bomb.size or 0) < 200_000

    with pytest.raises(ValidationError):
        persona_photo_clean(bomb)


def test_files_over_two_megabytes_are_refused():
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1))

    with pytest.raises(ValidationError):
        persona_photo_clean(big)
