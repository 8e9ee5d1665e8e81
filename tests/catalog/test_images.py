"""Image uploads: what a curator sees in the admin, and what ends up stored and served."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from PIL import Image

from catalog.images import SMALL_SIDE
from catalog.models import Member, MusicVideo, Release
from tests.catalog.test_admin import admin_url, form_data
from tests.factories import image_bytes, make_member, make_release, make_staff, make_video

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
MAKE = 0x010F


def encoded(image: Image.Image, fmt: str, **save_kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save_kwargs)
    return buffer.getvalue()


def jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "Canon"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (37.0, 33.0, 59.0)  # latitude ref, latitude: where the photo was taken
    return encoded(Image.new("RGB", (800, 600), (200, 40, 90)), "JPEG", exif=exif)


def noise_png(side: int) -> bytes:
    """A PNG that barely compresses, so its byte size grows with its pixels."""
    return encoded(Image.effect_noise((side, side), 64), "PNG")


# Bad files a curator might pick, and the reason a curator is given.
BOMB = encoded(Image.new("1", (12_000, 12_000)), "PNG")  # a few KB, 144 million pixels
NOT_AN_IMAGE = b"Meeting notes: shoot the teaser on Friday."
TRUNCATED = noise_png(256)[:-4000]
TIFF = image_bytes("TIFF")
BMP = image_bytes("BMP")


@pytest.fixture
def curator(client: Client) -> Client:
    client.force_login(make_staff())
    return client


def stored_files(settings: Any) -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def post_image(
    client: Client, obj: Model, field: str, name: str, content: bytes, alt: str = "Five members"
) -> Any:
    """Upload through the object's admin change form, the way a curator's browser does."""
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(client.get(url)) | {
        field: SimpleUploadedFile(name, content),
        f"{field}_alt": alt,
    }
    return client.post(url, data)


@pytest.mark.parametrize(
    ("make", "field"),
    [(make_release, "cover"), (make_video, "thumbnail"), (make_member, "photo")],
    ids=["release", "video", "member"],
)
@pytest.mark.parametrize(
    ("name", "fmt"), [("my holiday.png", "PNG"), ("my holiday.jpg", "JPEG")], ids=["png", "jpeg"]
)
def test_an_upload_is_stored_as_webp_under_a_random_name_with_a_small_copy(
    curator, settings, make, field, name, fmt
):
    obj = make()

    response = post_image(curator, obj, field, name, image_bytes(fmt, size=(2000, 1000)))

    assert response.status_code == 302
    obj.refresh_from_db()
    full, small = getattr(obj, field), getattr(obj, f"{field}_small")
    assert full.name.endswith(".webp")
    assert small.name.endswith(".webp")
    assert "holiday" not in full.name
    assert "holiday" not in small.name
    with Image.open(full.path) as image:
        assert (image.format, image.size) == ("WEBP", (1600, 800))
    with Image.open(small.path) as image:
        assert image.format == "WEBP"
        assert max(image.size) <= SMALL_SIDE
    # Only the re-encoded copies are kept, never the file as uploaded.
    assert stored_files(settings) == sorted([Path(full.path), Path(small.path)])


def test_the_photo_location_and_camera_are_removed(curator):
    upload = jpeg_with_location()
    with Image.open(io.BytesIO(upload)) as original:
        assert original.getexif().get_ifd(GPS_IFD)  # the test photo does carry a location
    release = make_release()

    post_image(curator, release, "cover", "IMG_0001.jpg", upload)

    release.refresh_from_db()
    for stored in (release.cover, release.cover_small):
        data = Path(stored.path).read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif()
            assert "exif" not in image.info
        assert b"Canon" not in data


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "huge.png",
            BOMB,
            "This image has too many pixels (at most 40 million).",
            # Our checks run before Django's form field opens the file (which Pillow warns about).
            marks=pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
        ),
        ("notes.png", NOT_AN_IMAGE, "This file is not an image we can read."),
        ("cut-off.png", TRUNCATED, "This image is damaged or incomplete."),
        ("scan.tiff", TIFF, "TIFF images are not accepted. Upload a JPEG, PNG, WebP or GIF."),
        ("paint.bmp", BMP, "BMP images are not accepted. Upload a JPEG, PNG, WebP or GIF."),
    ],
    ids=["decompression-bomb", "text-named-png", "truncated", "tiff", "bmp"],
)
def test_a_file_that_is_not_an_acceptable_image_is_refused(
    curator, settings, name, content, message
):
    release = make_release()

    response = post_image(curator, release, "cover", name, content)

    assert response.status_code == 200
    assert message in response.text
    release.refresh_from_db()
    assert not release.cover
    assert stored_files(settings) == []


def test_a_file_over_the_size_limit_is_refused(curator, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1024
    release = make_release()

    response = post_image(curator, release, "cover", "big.png", noise_png(64))

    assert response.status_code == 200
    assert "the limit is 1.0\xa0KB" in response.text
    release.refresh_from_db()
    assert not release.cover
    assert stored_files(settings) == []


def test_a_cover_without_alt_text_is_refused(curator, settings):
    release = make_release()

    response = post_image(curator, release, "cover", "cover.png", image_bytes(), alt="")

    assert response.status_code == 200
    assert "Describe the cover for fans who cannot see it." in response.text
    release.refresh_from_db()
    assert not release.cover
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("model", "field"),
    [(Release, "cover"), (MusicVideo, "thumbnail"), (Member, "photo")],
    ids=["release", "video", "member"],
)
@pytest.mark.parametrize(
    ("content", "code"),
    [
        (BOMB, "image_too_many_pixels"),
        (NOT_AN_IMAGE, "image_unreadable"),
        (TRUNCATED, "image_corrupt"),
        (TIFF, "image_format"),
    ],
    ids=["decompression-bomb", "not-an-image", "truncated", "tiff"],
)
def test_the_model_refuses_the_same_files_outside_the_admin(model, field, content, code):
    """Every image field carries the validator, whatever form or script fills it in."""
    obj = model(**{field: SimpleUploadedFile("upload.png", content)})

    with pytest.raises(ValidationError) as refused:
        obj.full_clean()

    assert [error.code for error in refused.value.error_dict[field]] == [code]
