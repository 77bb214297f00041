"""Uploaded pictures, checked and rebuilt from their pixels alone.

Pure functions on bytes. The real format is read from the bytes, never from a filename or a declared
content type. The pixel count is checked from the header before any pixel is decoded. What is kept is
a fresh encoding of the decoded pixels, so metadata (EXIF with GPS, XMP, ICC, comments, text chunks)
and anything smuggled around the picture (a trailing HTML page, a polyglot) cannot survive.

Formats: JPEG stays JPEG (RGB, quality 85), PNG stays PNG, WebP stays WebP (lossy, quality 85), GIF
becomes a PNG of its first frame. Animation (GIF, animated WebP, APNG) is not kept yet. Alpha is kept
in PNG and WebP. Thumbnails are always WebP: it keeps alpha and is small.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from tidings.core.errors import Invalid, TooLarge

THUMB_EXTENSION = "webp"
AVATAR_THUMB_SIDE = 64

NOT_ACCEPTED = _("This file is not a picture we accept: use JPEG, PNG, GIF or WebP.")
DAMAGED = _("This picture is damaged or incomplete. Please try another file.")

# Input format -> (Pillow encoder, content type, extension). GIF goes to PNG: we keep one frame only.
_OUTPUT = {
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "PNG": ("PNG", "image/png", "png"),
    "GIF": ("PNG", "image/png", "png"),
    "WEBP": ("WEBP", "image/webp", "webp"),
}
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {},  # Pillow's default zlib level; `optimize` is too slow for a request.
    "WEBP": {"quality": 85},
}
_THUMB_OPTIONS: dict[str, Any] = {"quality": 80}

# What Pillow may raise on a broken file: the type depends on the plugin and where the damage is.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)

_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes  # always WebP
    thumb_width: int
    thumb_height: int


def process_image(
    data: bytes, *, max_bytes: int, max_pixels: int, max_side: int = 2048, thumb_side: int = 360
) -> ProcessedImage:
    """A picture for a post: at most `max_side` on its longer side, with a `thumb_side` thumbnail.

    Raises TooLarge (bytes or pixels over the limits) or Invalid (empty, not a JPEG/PNG/GIF/WebP,
    damaged). GIF becomes PNG of its first frame: animation is not kept yet.
    """
    fmt, im = _decode(data, max_bytes=max_bytes, max_pixels=max_pixels, draft_side=max_side)
    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumb = im.copy()
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    return _result(fmt, im, thumb)


def process_avatar(data: bytes, *, max_bytes: int, max_pixels: int, side: int = 256) -> ProcessedImage:
    """A profile picture: centre-cropped to a `side` square (small ones are scaled up), with a
    64 px square thumbnail. Same checks and formats as `process_image`."""
    fmt, im = _decode(data, max_bytes=max_bytes, max_pixels=max_pixels, draft_side=side)
    square = ImageOps.fit(im, (side, side), Image.Resampling.LANCZOS)
    thumb = square.resize((AVATAR_THUMB_SIDE, AVATAR_THUMB_SIDE), Image.Resampling.LANCZOS)
    return _result(fmt, square, thumb)


def _sniff(data: bytes) -> str | None:
    """The format by its magic number; the only four we take."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _decode(data: bytes, *, max_bytes: int, max_pixels: int, draft_side: int) -> tuple[str, Image.Image]:
    """Check the limits, decode the first frame and return it upright, as 8-bit sRGB (RGB or RGBA)."""
    if not data:
        raise Invalid(_("The file is empty."))
    if len(data) > max_bytes:
        raise TooLarge(
            _("This picture is too large: the limit is %(limit)s MB.") % {"limit": _short(max_bytes / 2**20)}
        )
    fmt = _sniff(data)
    if fmt is None:
        raise Invalid(NOT_ACCEPTED)
    try:
        # `formats` pins the plugin to the sniffed one. Opening reads the header only; Pillow's own
        # (process-wide) bomb guard may already refuse here, and we leave its global setting alone.
        im = Image.open(io.BytesIO(data), formats=[fmt])
        width, height = im.size
        if width < 1 or height < 1:
            raise Invalid(DAMAGED)
        if width * height > max_pixels:
            raise _too_many_pixels(max_pixels)
        # JPEG can decode straight at 1/2, 1/4 or 1/8 scale (never below the size asked for), which
        # spares memory and time for big photos we would shrink anyway.
        im.draft(None, (draft_side, draft_side))
        im.load()
        upright = ImageOps.exif_transpose(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except UnidentifiedImageError:
        raise Invalid(NOT_ACCEPTED) from None
    except _DECODE_ERRORS:
        raise Invalid(DAMAGED) from None
    return fmt, _to_srgb(upright, keep_alpha=_OUTPUT[fmt][0] != "JPEG")


def _too_many_pixels(max_pixels: int) -> TooLarge:
    return TooLarge(
        _("This picture has too many pixels: the limit is %(limit)s megapixels.")
        % {"limit": _short(max_pixels / 1e6)}
    )


def _to_srgb(im: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """The pixels as 8-bit RGB, or RGBA when there is transparency to keep.

    An embedded colour profile (Display P3 from phones, CMYK press profiles) is applied here because
    the profile itself is dropped with the rest of the metadata; otherwise the colours would shift.
    """
    if im.mode.startswith("I"):  # 16-bit grey PNG: scale down, as a plain convert would clip to white
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    target = "RGBA" if keep_alpha and im.has_transparency_data else "RGB"
    if im.mode not in ("RGB", "RGBA", "CMYK"):  # P, PA, L, LA, 1, YCbCr...
        im = im.convert(target)
    icc = im.info.get("icc_profile")
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
            im = ImageCms.profileToProfile(im, profile, _SRGB, outputMode=out_mode) or im
        except (ImageCms.PyCMSError, OSError, TypeError, ValueError):
            pass  # A profile we cannot use: keep the values as they are, as most browsers would.
    return im if im.mode == target else im.convert(target)


def _result(fmt: str, im: Image.Image, thumb: Image.Image) -> ProcessedImage:
    encoder, content_type, extension = _OUTPUT[fmt]
    return ProcessedImage(
        data=_encode(im, encoder, _SAVE_OPTIONS[encoder]),
        content_type=content_type,
        extension=extension,
        width=im.width,
        height=im.height,
        thumbnail=_encode(thumb, "WEBP", _THUMB_OPTIONS),
        thumb_width=thumb.width,
        thumb_height=thumb.height,
    )


def _encode(im: Image.Image, encoder: str, options: dict[str, Any]) -> bytes:
    # A new image from the raw pixels carries no `info`: Pillow's encoders otherwise write some of it
    # back on their own (the PNG encoder the ICC profile, the JPEG encoder the comment).
    bare = Image.frombytes(im.mode, im.size, im.tobytes())
    out = io.BytesIO()
    bare.save(out, encoder, **options)
    return out.getvalue()


def _short(number: float) -> str:
    """10.0 -> "10", 9.54 -> "9.5": limits read better without trailing zeros."""
    return f"{number:.1f}".removesuffix(".0")
