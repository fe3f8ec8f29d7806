"""A photo of a missing or registered person: checked, cleaned, stored; never served as a static file.

An upload must be a real JPEG, PNG or WebP image (decoded by Pillow, not
trusted by its name or content type), at most SAFETY_PHOTO_MAX_BYTES and
40 megapixels. It is stored re-encoded as a JPEG at most 1,200 px on its long
side: the EXIF data (GPS position, the camera's owner) and anything hidden in
the file are dropped, and a file that only pretends to be an image never
reaches the disk.
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Room for the form fields beside the largest photo accepted.
BODY_HEADROOM = 256 * 1024
MAX_PIXELS = 40_000_000
STORED_LONG_SIDE = 1200


def photo_clean(upload, *, field: str = "photo") -> ContentFile:
    """The stored form of an uploaded photo, or ValidationError {field: message}."""
    limit = settings.SAFETY_PHOTO_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError({field: too_large_message()})
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                kind = probe.format
                width, height = probe.size
                probe.verify()  # a truncated or forged file fails here
            if kind not in ACCEPTED_FORMATS:
                raise ValidationError({field: _("Send the photo as a JPEG, PNG or WebP image.")})
            if width * height > MAX_PIXELS:
                raise ValidationError({field: _("The photo has too many pixels. Send a smaller picture.")})
            upload.seek(0)
            with Image.open(upload) as image:
                image = ImageOps.exif_transpose(image)
                image.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE))
                out = io.BytesIO()
                image.convert("RGB").save(out, format="JPEG", quality=85)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        message = _("The file is not a picture we can read. Send a JPEG, PNG or WebP photo.")
        raise ValidationError({field: message}) from exc
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def too_large_message() -> str:
    return _("The photo is larger than %(size)s. Send a smaller picture.") % {
        "size": filesizeformat(settings.SAFETY_PHOTO_MAX_BYTES)
    }


def body_too_large(request) -> bool:
    """Before the body is read: is an upload far past the photo limit (then refused at once, 413)?"""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > settings.SAFETY_PHOTO_MAX_BYTES + BODY_HEADROOM
