"""Uploaded images: checked by Pillow, re-encoded without metadata, and made web-sized.

Django's ImageField only asks Pillow whether a file looks like an image: a 17 KB PNG that
claims 12 000 x 12 000 pixels passes with a warning. Every upload here is checked for its real
format, its byte size and its pixel count before any pixel is decoded, and only the re-encoded
copies (random names, no EXIF/GPS) are ever stored or served.
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import IO, TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, router, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
FULL_SIDE = 1600  # longest side of the stored image
SMALL_SIDE = 480  # longest side of the rendition used on cards and lists
OUTPUT_FORMAT = "WEBP"
OUTPUT_QUALITY = 82


def _rewind(file: IO[bytes]) -> None:
    if hasattr(file, "seek"):
        file.seek(0)


def validate_image_upload(value: Any) -> None:
    """Model-field validator: a real JPEG/PNG/WebP/GIF within the byte and pixel limits."""
    if not value or getattr(value, "_committed", False):
        return  # nothing new uploaded: the stored file was checked when it arrived
    upload = getattr(value, "file", value)
    size = getattr(upload, "size", None) or getattr(value, "size", 0)
    max_bytes = settings.IMAGE_UPLOAD_MAX_BYTES
    if size and size > max_bytes:
        raise ValidationError(
            "This image is %(size)s; the limit is %(limit)s.",
            code="image_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )
    too_many_pixels = ValidationError(
        "This image has too many pixels (at most %(limit)s million).",
        code="image_too_many_pixels",
        params={"limit": settings.IMAGE_UPLOAD_MAX_PIXELS // 1_000_000},
    )
    _rewind(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:  # reads the header only; no pixels decoded yet
                image_format, (width, height) = image.format, image.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        # Pillow's own bomb limits, judged from the header: to the curator it is too many pixels.
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError(
            "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF.",
            code="image_unreadable",
        ) from None
    finally:
        _rewind(upload)
    if width * height > settings.IMAGE_UPLOAD_MAX_PIXELS:
        raise too_many_pixels
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted. Upload a JPEG, PNG, WebP or GIF.",
            code="image_format",
            params={"format": image_format or "This kind of"},
        )
    try:
        with Image.open(upload) as image:
            image.load()  # a truncated or corrupt file fails here, not later in save()
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "This image is damaged or incomplete. Try exporting it again.",
            code="image_corrupt",
        ) from None
    finally:
        _rewind(upload)


def reencode(source: IO[bytes], *, max_side: int, square: bool = False) -> ContentFile[bytes]:
    """A fresh WebP of the image, at most max_side pixels long, with no metadata at all.

    With square=True the centre is cropped to a square first (avatars).
    """
    _rewind(source)
    with Image.open(source) as opened:
        image = ImageOps.exif_transpose(opened)  # keep the orientation the camera meant
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        if square:
            side = min(image.size)
            image = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        # A new image from the pixels alone: EXIF, GPS, ICC and comments stay behind.
        clean = Image.new(image.mode, image.size)
        clean.paste(image)
        buffer = io.BytesIO()
        clean.save(buffer, OUTPUT_FORMAT, quality=OUTPUT_QUALITY, method=4)
    _rewind(source)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.webp")


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


class CheckedImageFormField(forms.ImageField):
    """Django's form field opens the upload with Pillow before any validator runs and calls
    whatever fails "not an image or a corrupted image", a decompression bomb included. Our
    checks go first, so a bomb is named for what it is: too many pixels."""

    def to_python(self, data: Any) -> Any:
        if data not in self.empty_values:
            validate_image_upload(data)
        return super().to_python(data)


class CheckedImageField(models.ImageField):
    """An ImageField whose forms (the admin's too) check the upload with CheckedImageFormField."""

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})

    def deconstruct(self) -> Any:
        # Only forms differ: in migrations it is the plain ImageField it always was.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs


def image_field(
    upload_to: str, help_text: StrOrPromise, verbose_name: StrOrPromise | None = None
) -> models.ImageField:
    return CheckedImageField(
        verbose_name,
        upload_to=upload_to,
        blank=True,
        validators=[validate_image_upload],
        # Lazy, so a translated help_text stays translated.
        help_text=format_lazy(
            "{} {}",
            help_text,
            _("JPEG, PNG, WebP or GIF; it is re-encoded and its metadata removed."),
        ),
    )


def rendition_field(upload_to: str) -> models.ImageField:
    return models.ImageField(upload_to=upload_to, blank=True, editable=False)


def _delete_replaced(instance: models.Model, field: str, small_field: str) -> None:
    """The files an image replaced or cleared go once the save commits (1 query): left behind,
    they would still be served at their old addresses, after the account is gone too. Through
    the field's storage, so an object store loses them as the disk does."""
    if instance.pk is None:
        return
    stored = type(instance)._base_manager.filter(pk=instance.pk).values_list(field, small_field)
    names = stored.first() or ("", "")
    old = [
        (instance._meta.get_field(name).storage, stored_name)  # type: ignore[union-attr]
        for name, stored_name in zip((field, small_field), names, strict=True)
        if stored_name
    ]
    if not old:
        return

    def delete() -> None:
        for storage, name in old:
            storage.delete(name)

    transaction.on_commit(delete, using=router.db_for_write(type(instance)))


def process_image(
    instance: models.Model, field: str, small_field: str, *, square: bool = False
) -> None:
    """Before saving: replace a fresh upload by its re-encoded copy and make the small one.

    Called from save(); it only acts on a new, uncommitted upload, so ordinary saves cost nothing.
    """
    original = getattr(instance, field)
    small = getattr(instance, small_field)
    if not original:
        if small:  # it had a picture (an ordinary save of one without costs no query)
            setattr(instance, small_field, "")
            _delete_replaced(instance, field, small_field)
        return
    if getattr(original, "_committed", True):
        return
    _delete_replaced(instance, field, small_field)
    upload = original.file
    full = reencode(upload, max_side=FULL_SIDE, square=square)
    thumb = reencode(upload, max_side=SMALL_SIDE, square=square)
    original.save(full.name, full, save=False)
    small.save(thumb.name, thumb, save=False)
