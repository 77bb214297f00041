"""Upload processing: every picture is built here in memory; no database, no storage."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin

from tidings.core.errors import Invalid, TooLarge
from tidings.core.images import AVATAR_THUMB_SIDE, ProcessedImage, process_avatar, process_image

MB = 2**20
LIMITS = {"max_bytes": 10 * MB, "max_pixels": 40_000_000}


def encode(im: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny 1x1 PNG whose IHDR (with a valid CRC) claims another size: decoding it would fail."""
    png = encode(Image.new("1", (1, 1)), "PNG")
    # Signature (8), IHDR length (4), then type + 13 data bytes (width, height, depth, ...) + CRC.
    ihdr = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


def assert_webp_thumbnail(result: ProcessedImage) -> Image.Image:
    thumb = opened(result.thumbnail)
    assert thumb.format == "WEBP"
    assert thumb.size == (result.thumb_width, result.thumb_height)
    return thumb


def test_jpeg_loses_exif_gps_and_comment():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.5)
    gps[ExifTags.GPS.GPSMapDatum] = "WGS-84-MARKER"
    original = encode(Image.new("RGB", (64, 48), "teal"), "JPEG", exif=exif, comment=b"secret-comment")
    assert opened(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the sample really has GPS

    result = process_image(original, **LIMITS)

    out = opened(result.data)
    assert (out.format, result.content_type, result.extension) == ("JPEG", "image/jpeg", "jpg")
    assert out.mode == "RGB"
    assert dict(out.getexif()) == {}
    assert out.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "comment" not in out.info
    for data in (result.data, result.thumbnail):
        for secret in (b"Exif\x00\x00", b"WGS-84-MARKER", b"SpyCam", b"secret-comment"):
            assert secret not in data


def test_png_loses_text_chunks_and_icc_profile():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-text-chunk")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = encode(Image.new("RGB", (20, 20), "olive"), "PNG", pnginfo=info, icc_profile=icc)
    assert b"iCCP" in original and b"secret-text-chunk" in original

    result = process_image(original, **LIMITS)

    out = opened(result.data)
    assert "icc_profile" not in out.info
    assert not any(key in out.info for key in ("Comment", "exif", "xmp"))
    assert b"secret-text-chunk" not in result.data
    assert b"iCCP" not in result.data


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored sideways: turn 90° clockwise to display
    original = encode(Image.new("RGB", (10, 20), "white"), "JPEG", exif=exif)

    result = process_image(original, **LIMITS)

    assert (result.width, result.height) == (20, 10)
    out = opened(result.data)
    assert out.size == (20, 10)
    assert ExifTags.Base.Orientation not in out.getexif()  # would turn it a second time


def test_png_with_alpha_keeps_alpha_in_picture_and_thumbnail():
    im = Image.new("RGBA", (40, 40), (255, 0, 0, 255))
    im.putpixel((0, 0), (0, 0, 0, 0))
    result = process_image(encode(im, "PNG"), **LIMITS)

    out = opened(result.data)
    assert (out.format, out.mode) == ("PNG", "RGBA")
    assert out.getchannel("A").getpixel((0, 0)) == 0
    assert out.getpixel((20, 20)) == (255, 0, 0, 255)
    assert assert_webp_thumbnail(result).mode == "RGBA"


def test_bytes_appended_after_a_png_are_dropped():
    payload = b"<html><script>alert(1)</script>"
    result = process_image(encode(Image.new("RGB", (30, 30), "navy"), "PNG") + payload, **LIMITS)

    assert result.content_type == "image/png"
    assert b"<html>" not in result.data and b"alert(1)" not in result.data
    assert b"<html>" not in result.thumbnail
    assert result.data.endswith(b"IEND\xaeB`\x82")


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>',
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"just some text, not a picture\n",
        b"%PDF-1.7\n",
    ],
    ids=["svg", "svg-with-xml-prolog", "html", "text", "pdf"],
)
def test_anything_but_jpeg_png_gif_webp_is_refused(data):
    with pytest.raises(Invalid) as err:
        process_image(data, **LIMITS)
    assert str(err.value) == "This file is not a picture we accept: use JPEG, PNG, GIF or WebP."
    with pytest.raises(Invalid):
        process_avatar(data, **LIMITS)


def test_other_pillow_formats_are_refused_even_if_pillow_could_read_them():
    for fmt in ("BMP", "TIFF", "ICO"):
        with pytest.raises(Invalid):
            process_image(encode(Image.new("RGB", (8, 8)), fmt), **LIMITS)


@pytest.mark.parametrize(
    ("width", "height", "max_pixels"),
    [(50_000, 50_000, 40_000_000), (2_000, 2_000, 1_000_000)],
    ids=["beyond-pillow-guard", "beyond-our-limit-only"],
)
def test_pixel_bomb_is_refused_from_its_header_without_decoding(monkeypatch, width, height, max_pixels):
    bomb = png_claiming_size(width, height)
    assert len(bomb) < 100

    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(TooLarge) as err:
        process_image(bomb, max_bytes=10 * MB, max_pixels=max_pixels)
    assert "megapixels" in str(err.value)
    with pytest.raises(TooLarge):
        process_avatar(bomb, max_bytes=10 * MB, max_pixels=max_pixels)


def test_truncated_jpeg_is_refused_as_damaged():
    whole = encode(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")
    with pytest.raises(Invalid) as err:
        process_image(whole[: len(whole) // 2], **LIMITS)
    assert "damaged" in str(err.value)


def test_corrupt_png_is_refused_as_damaged():
    whole = bytearray(encode(Image.effect_noise((50, 50), 64), "PNG"))
    whole[60:80] = b"\x00" * 20  # inside the compressed pixels
    with pytest.raises(Invalid):
        process_image(bytes(whole), **LIMITS)


def test_file_over_max_bytes_is_refused_with_the_limit_in_mb():
    data = encode(Image.new("RGB", (10, 10)), "PNG")
    with pytest.raises(TooLarge) as err:
        process_image(data + b"\x00" * MB, max_bytes=MB, max_pixels=1_000_000)
    assert "1 MB" in str(err.value)
    with pytest.raises(TooLarge):
        process_avatar(data + b"\x00" * MB, max_bytes=MB, max_pixels=1_000_000)


def test_empty_file_is_refused():
    with pytest.raises(Invalid):
        process_image(b"", **LIMITS)
    with pytest.raises(Invalid):
        process_avatar(b"", **LIMITS)


def test_large_picture_is_scaled_to_max_side_and_thumbnail_to_thumb_side():
    result = process_image(encode(Image.new("RGB", (3000, 1500), "maroon"), "JPEG"), **LIMITS)

    assert (result.width, result.height) == (2048, 1024)
    assert opened(result.data).size == (2048, 1024)
    assert (result.thumb_width, result.thumb_height) == (360, 180)
    assert_webp_thumbnail(result)

    tall = process_image(encode(Image.new("RGB", (300, 900)), "PNG"), **LIMITS, max_side=450, thumb_side=60)
    assert (tall.width, tall.height, tall.thumb_width, tall.thumb_height) == (150, 450, 20, 60)


def test_small_picture_is_not_enlarged():
    result = process_image(encode(Image.new("RGB", (100, 50)), "PNG"), **LIMITS)
    assert (result.width, result.height, result.thumb_width, result.thumb_height) == (100, 50, 100, 50)


def test_gif_becomes_png_of_its_first_frame():
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert opened(gif).n_frames == 2  # type: ignore[attr-defined]

    result = process_image(gif, **LIMITS)

    out = opened(result.data)
    assert (out.format, result.content_type, result.extension) == ("PNG", "image/png", "png")
    assert out.convert("RGB").getpixel((8, 8)) == (255, 0, 0)
    assert not getattr(out, "is_animated", False)


def test_gif_transparency_is_kept_as_png_alpha():
    im = Image.new("P", (8, 8), 1)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    im.putpixel((0, 0), 0)
    result = process_image(encode(im, "GIF", transparency=0), **LIMITS)
    out = opened(result.data)
    assert out.mode == "RGBA"
    assert out.getchannel("A").getpixel((0, 0)) == 0
    assert out.getpixel((4, 4)) == (255, 0, 0, 255)


def test_webp_stays_webp():
    result = process_image(encode(Image.new("RGB", (40, 30), "green"), "WEBP"), **LIMITS)
    assert (opened(result.data).format, result.content_type, result.extension) == (
        "WEBP",
        "image/webp",
        "webp",
    )


@pytest.mark.parametrize(
    ("mode", "fmt", "expected"),
    [
        ("CMYK", "JPEG", "RGB"),
        ("L", "JPEG", "RGB"),
        ("P", "PNG", "RGB"),
        ("LA", "PNG", "RGBA"),
        ("1", "PNG", "RGB"),
        ("RGBA", "WEBP", "RGBA"),
    ],
)
def test_other_modes_become_rgb_or_rgba(mode, fmt, expected):
    result = process_image(encode(Image.new(mode, (12, 12)), fmt), **LIMITS)
    assert opened(result.data).mode == expected


def test_sixteen_bit_grey_png_keeps_its_shades():
    result = process_image(encode(Image.new("I;16", (8, 8), 32768), "PNG"), **LIMITS)
    assert opened(result.data).getpixel((0, 0)) == (128, 128, 128)


def test_avatar_is_a_centre_cropped_square_of_the_given_side():
    im = Image.new("RGB", (300, 100), "blue")
    im.paste((255, 0, 0), (100, 0, 200, 100))  # the middle third is red
    result = process_avatar(encode(im, "PNG"), **LIMITS)

    out = opened(result.data)
    assert (result.width, result.height) == out.size == (256, 256)
    assert (result.thumb_width, result.thumb_height) == (AVATAR_THUMB_SIDE, AVATAR_THUMB_SIDE) == (64, 64)
    # Only the red middle is left (resampling may tint the outermost pixel or two).
    for x in (3, 128, 252):
        assert out.getchannel("R").getpixel((x, 128)) > 240  # type: ignore[operator]
        assert out.getchannel("B").getpixel((x, 128)) < 15  # type: ignore[operator]
    assert_webp_thumbnail(result)

    small = process_avatar(encode(Image.new("RGB", (50, 80)), "JPEG"), **LIMITS, side=128)
    assert (small.width, small.height, small.content_type) == (128, 128, "image/jpeg")
