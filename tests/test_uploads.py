"""Uploads by fans: avatars pass the same checks as the catalog's images (catalog/images.py),
within Django's request limits, and only re-encoded copies are ever stored."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings as project_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog.images import FULL_SIDE
from community.models import Profile
from tests.factories import image_bytes, make_user

pytestmark = pytest.mark.django_db

SETTINGS = reverse("community:settings")


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header claims width x height pixels (a bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def gif_with_script() -> bytes:
    """A real GIF with an HTML/JS payload after it: browsers sniffing it as HTML would run it."""
    buffer = io.BytesIO()
    Image.new("P", (32, 32), 3).save(buffer, "GIF")
    return buffer.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


def upload_avatar(client, content: bytes, name: str = "me.png"):
    user = make_user()
    client.force_login(user)
    avatar = SimpleUploadedFile(name, content, content_type="image/png")
    response = client.post(SETTINGS, {"email": user.email, "avatar": avatar})
    return response, Profile.objects.filter(user=user).first()


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_the_request_limits_are_set():
    assert project_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    assert project_settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("side", "message"),
    [
        # Over our 40 million pixels: catalog.images says so, from the header alone.
        (8_000, "This image has too many pixels (at most 40 million)."),
        # Far over Pillow's own bomb limit too: still named as too large, not as unreadable.
        (60_000, "This image has too many pixels (at most 40 million)."),
    ],
)
def test_a_decompression_bomb_is_refused_before_any_pixel_is_decoded(
    client, settings, side, message
):
    bomb = png_claiming(side, side)
    assert len(bomb) < 100

    response, profile = upload_avatar(client, bomb)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not profile or not profile.avatar
    assert stored_files(settings.MEDIA_ROOT) == []


def test_a_gif_carrying_a_script_is_stored_only_re_encoded(client, settings):
    response, profile = upload_avatar(client, gif_with_script(), name="me.gif")

    assert response.status_code == 302
    files = stored_files(settings.MEDIA_ROOT)
    assert {path.suffix for path in files} == {".webp"}
    assert profile.avatar.name.endswith(".webp")
    for path in files:
        content = path.read_bytes()
        assert content.startswith(b"RIFF")
        assert b"<script" not in content
        assert b"GIF8" not in content


def test_a_gif_header_in_front_of_html_is_refused(client, settings):
    payload = b"GIF89a<html><body><script>alert(1)</script></body></html>"
    response, _ = upload_avatar(client, payload, name="me.gif")

    assert response.status_code == 200
    assert "This file is not an image we can read." in response.content.decode()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_a_huge_side_is_stored_small_or_refused_never_an_error(client, settings):
    tall = io.BytesIO()
    Image.new("L", (1, 60_000), 128).save(tall, "PNG")

    response, profile = upload_avatar(client, tall.getvalue())

    # 60 000 pixels are few: it is accepted, and the stored copies are cropped square and small.
    assert response.status_code == 302
    assert profile.avatar.name.endswith(".webp")
    for path in stored_files(settings.MEDIA_ROOT):
        with Image.open(path) as image:
            assert image.format == "WEBP"
            assert max(image.size) <= FULL_SIDE


def test_a_non_image_with_an_image_name_is_refused(client, settings):
    response, _ = upload_avatar(client, b"#!/bin/sh\necho not a picture\n", name="me.png")

    assert "This file is not an image we can read." in response.content.decode()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_an_image_over_the_byte_limit_is_refused(client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    content = image_bytes("PNG", size=(300, 300), compress_level=0)

    response, _ = upload_avatar(client, content)

    assert "the limit is 1000" in response.content.decode()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_uploads_spooled_to_disk_get_the_same_checks(client, settings):
    """Past FILE_UPLOAD_MAX_MEMORY_SIZE an upload is a temporary file; it's checked all the same."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    response, profile = upload_avatar(client, png_claiming(8_000, 8_000))
    assert "too many pixels" in response.content.decode()

    response, profile = upload_avatar(client, image_bytes("PNG", size=(400, 300)))
    assert response.status_code == 302
    with Image.open(profile.avatar.path) as avatar:
        assert (avatar.format, avatar.size) == ("WEBP", (300, 300))


def test_a_form_body_over_the_memory_limit_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    user = make_user()
    client.force_login(user)

    response = client.post(SETTINGS, {"email": user.email, "bio": "x" * 20_000})

    assert response.status_code == 400
    assert Profile.objects.filter(user=user, bio__startswith="x").count() == 0
