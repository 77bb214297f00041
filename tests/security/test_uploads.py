"""Hostile uploads, through every door a picture comes in by: the compose form, Mastodon's media
API (v1 and v2), the avatar form of the settings page and the API's update_credentials. Each is
refused with a clear message in the person's language and leaves nothing behind, or is kept only
as our own re-encoding under a name we made. Oversized and chunked bodies and twisted media paths
are sent to a real `tidings serve` over a raw socket, as an attacker would send them."""

from __future__ import annotations

import functools
import io
import json
import re
import secrets
import socket
import struct
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from PIL import ExifTags, Image

from tests.security.conftest import Answer, LiveServer, parse_answer, read_to_end
from tidings.accounts.models import Account
from tidings.accounts.tokens import create_token
from tidings.core.images import NOT_ACCEPTED
from tidings.posts.models import Media, Post

pytestmark = pytest.mark.django_db

# --- the files ----------------------------------------------------------------------------------

HTML = (
    b"<!doctype html><html><body><script>fetch('/api/v1/accounts/verify_credentials')</script></body></html>"
)
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
GPS_MARKER = b"WGS-84-TIDINGS-TEST"


def encode(im: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    return encode(Image.new("RGB", size, (200, 30, 30)), "PNG")


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (25.0, 2.0, 1.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 33.0, 54.0)
    gps[ExifTags.GPS.GPSMapDatum] = GPS_MARKER.decode()
    data = encode(Image.new("RGB", (64, 48), "teal"), "JPEG", exif=exif)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it really has GPS
    assert GPS_MARKER in data
    return data


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header (with a valid CRC) claims another size."""
    data = png((1, 1))
    ihdr = b"IHDR" + struct.pack(">II", width, height) + data[24:29]
    return data[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]


def jpeg_claiming(width: int, height: int) -> bytes:
    """A 16x16 JPEG whose frame header (SOF0) claims another size."""
    data = bytearray(encode(Image.new("RGB", (16, 16), "navy"), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@functools.cache
def real_bomb() -> bytes:
    """A valid PNG of 8000x6000 grey pixels (48 megapixels) in a few dozen kilobytes."""
    return encode(Image.new("L", (8000, 6000)), "PNG")


BOMBS: dict[str, Callable[[], bytes]] = {
    "png-header-60000x60000": lambda: png_claiming(60_000, 60_000),
    "jpeg-header-60000x60000": lambda: jpeg_claiming(60_000, 60_000),
    "png-48-megapixels": real_bomb,
}

# --- the doors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Door:
    """One way a picture is uploaded, by a logged-in person."""

    name: str
    path: str
    field: str
    web: bool  # a page with a session (else the API with a token)
    method: str = "post"
    fields: tuple[tuple[str, str], ...] = ()
    avatar: bool = False


DOORS = [
    Door("compose form", "/compose/", "images", web=True, fields=(("text", "看圖"), ("audience", "public"))),
    Door("media api v1", "/api/v1/media", "file", web=False),
    Door("media api v2", "/api/v2/media", "file", web=False),
    Door("avatar form", "/settings/avatar/", "avatar", web=True, avatar=True),
    Door(
        "update_credentials api",
        "/api/v1/accounts/update_credentials",
        "avatar",
        web=False,
        method="patch",
        avatar=True,
    ),
]
doors = pytest.mark.parametrize("door", DOORS, ids=[d.name for d in DOORS])


def multipart(
    fields: tuple[tuple[str, str], ...], field: str, filename: str, data: bytes
) -> tuple[bytes, str]:
    """A multipart body written by hand, so the file name goes out exactly as given (Django's
    test client would strip the directories of it first)."""
    boundary = "tidings" + secrets.token_hex(12)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    disposition = f'form-data; name="{field}"; filename="{filename}"'
    parts.append(
        f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: image/png\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Uploader:
    person: Account
    web: Client  # logged in with a session
    token: str

    def send(self, door: Door, data: bytes, *, filename: str = "picture.png", language: str = "en") -> Any:
        body, content_type = multipart(door.fields, door.field, filename, data)
        headers = {"Accept-Language": language}
        if not door.web:
            headers["Authorization"] = f"Bearer {self.token}"
        client = self.web if door.web else Client()
        send = client.patch if door.method == "patch" else client.post
        return send(door.path, body, content_type=content_type, headers=headers)

    def stored(self) -> list[str]:
        """What the person's uploads keep in MEDIA_ROOT, as paths relative to it."""
        self.person.refresh_from_db()
        paths = [self.person.avatar] if self.person.avatar else []
        for media in Media.objects.filter(owner=self.person):
            paths += [media.file, media.thumbnail]
        return paths

    def fetch(self, relative: str) -> Any:
        """A stored file fetched back as a browser would, through the media view."""
        response = self.web.get(f"/media/{relative}")
        assert response.status_code == 200, relative
        response.body = b"".join(response.streaming_content)
        return response


@pytest.fixture
def uploader(make_account, client_for) -> Uploader:
    person = make_account("上傳者")
    return Uploader(person=person, web=client_for(person), token=create_token(person, scopes="read write"))


def accepted(door: Door, response: Any) -> bool:
    return response.status_code == (302 if door.web else 200)


def refusal(door: Door, response: Any) -> tuple[int, str]:
    """The status and the message the person is shown."""
    if door.web:
        found = re.search(r'<p class="error" role="alert">(.*?)</p>', response.content.decode(), re.S)
        assert found is not None, response.content.decode()
        return response.status_code, found.group(1).strip()
    message = response.json()["error"]
    return response.status_code, message.removeprefix("Validation failed: ")


def files_under(root: Path) -> set[str]:
    return (
        {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.exists() else set()
    )


def assert_nothing_stored(uploader: Uploader) -> None:
    assert uploader.stored() == []
    assert not Media.objects.exists()
    assert not Post.objects.exists()
    assert files_under(Path(settings.MEDIA_ROOT)) == set()


# --- a picture with a page behind it ------------------------------------------------------------


@doors
def test_a_png_followed_by_an_html_page_is_kept_as_a_clean_png(uploader, door):
    response = uploader.send(door, png() + HTML, filename="x.png")

    assert accepted(door, response), response.content
    stored = uploader.stored()
    assert stored
    for relative in stored:
        served = uploader.fetch(relative)
        assert served["Content-Type"] in ("image/png", "image/webp")
        assert b"<html" not in served.body and b"<script" not in served.body
        picture = Image.open(io.BytesIO(served.body))
        picture.load()
        assert picture.format in ("PNG", "WEBP")
        if picture.format == "PNG":
            assert served.body.endswith(b"IEND\xaeB`\x82")  # nothing after the picture's end


@doors
def test_an_html_page_named_x_png_is_refused_and_nothing_is_stored(uploader, door):
    response = uploader.send(door, HTML, filename="x.png")

    assert refusal(door, response) == (400 if door.web else 422, str(NOT_ACCEPTED))
    assert_nothing_stored(uploader)


@doors
@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_an_svg_with_a_script_is_refused_in_the_persons_language_and_nothing_is_stored(
    uploader, door, language
):
    with translation.override(language):
        expected = str(NOT_ACCEPTED)
    if language == "zh-hant":
        assert "JPEG" in expected and "picture we accept" not in expected  # really translated

    response = uploader.send(door, SVG, filename="logo.svg", language=language)

    assert refusal(door, response) == (400 if door.web else 422, expected)
    assert_nothing_stored(uploader)


# --- metadata -----------------------------------------------------------------------------------


@doors
def test_a_jpeg_with_gps_exif_is_stored_without_any_exif(uploader, door):
    response = uploader.send(door, jpeg_with_gps(), filename="holiday.jpg")

    assert accepted(door, response), response.content
    stored = uploader.stored()
    assert stored
    for relative in stored:
        served = uploader.fetch(relative)
        picture = Image.open(io.BytesIO(served.body))
        assert dict(picture.getexif()) == {}
        assert not picture.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in picture.info
        assert b"Exif" not in served.body and GPS_MARKER not in served.body and b"SpyCam" not in served.body


# --- pixel bombs --------------------------------------------------------------------------------


@doors
@pytest.mark.parametrize("bomb", list(BOMBS), ids=list(BOMBS))
def test_a_pixel_bomb_is_refused_from_its_header_and_nothing_is_stored(uploader, door, bomb):
    data = BOMBS[bomb]()
    assert len(data) < 200_000

    response = uploader.send(door, data, filename="bomb.png")

    # Refused for its pixel count, which only the header tells: decoding the two small ones
    # would have found them damaged (and the big one would have taken 48 MB of memory).
    assert refusal(door, response) == (413, "This picture has too many pixels: the limit is 40 megapixels.")
    assert_nothing_stored(uploader)


@doors
def test_a_picture_over_10_mb_is_refused_with_the_limit_and_nothing_is_stored(uploader, door):
    data = png() + bytes(10 * 2**20)  # a real PNG, padded past the limit

    response = uploader.send(door, data, language="zh-hant")

    assert refusal(door, response) == (413, "圖片太大，上限為 10 MB。")  # in the person's language
    assert_nothing_stored(uploader)


# --- file names ---------------------------------------------------------------------------------

NAMES = [
    "../../../../../../../../tmp/{marker}.png",
    "/tmp/{marker}.png",
    "..\\..\\..\\{marker}.png",
    "../media/posts/{marker}.png",
]


@doors
@pytest.mark.parametrize("name", NAMES, ids=["dot-dot", "absolute", "backslashes", "into-media"])
def test_a_file_name_with_dot_dot_or_an_absolute_path_never_reaches_the_disk(uploader, door, name, tmp_path):
    marker = f"planted-{secrets.token_hex(6)}"
    filename = name.format(marker=marker)
    media_root = Path(settings.MEDIA_ROOT)

    response = uploader.send(door, png(), filename=filename)

    assert accepted(door, response), response.content
    stored = uploader.stored()
    name_of_ours = r"[A-Za-z0-9_-]{22}\.(png|webp)"
    folder = rf"avatars/{uploader.person.id}/" if door.avatar else "posts/"
    assert stored and all(re.fullmatch(folder + name_of_ours, relative) for relative in stored), stored
    assert files_under(media_root) == set(stored)
    # Nothing by that name anywhere the name could have led: from the media folders, the working
    # directory, the temporary directory, or taken as an absolute path.
    bare = filename.replace("\\", "/")
    bases = [
        media_root,
        media_root / "posts",
        media_root / "avatars",
        Path.cwd(),
        Path(tempfile.gettempdir()),
    ]
    candidates = {Path(bare), *((base / bare).resolve() for base in bases)}
    assert not [path for path in candidates if path.exists()]
    assert not list(tmp_path.rglob(f"*{marker}*"))
    assert not list(Path(settings.DATA_DIR).rglob(f"*{marker}*"))


# --- how a picture is served --------------------------------------------------------------------


def gif() -> bytes:
    return encode(Image.new("P", (12, 12), 3), "GIF")


def test_a_picture_is_served_with_the_type_of_our_encoding_and_nothing_it_could_run(uploader):
    """A GIF sent as `page.html` with the type text/html comes back as the PNG we made of it,
    typed by us, which the browser may neither sniff into a page nor let run anything."""
    body, _ = multipart((), "file", "page.html", gif())
    body = body.replace(b"Content-Type: image/png", b"Content-Type: text/html")
    boundary = body.split(b"\r\n", 1)[0][2:].decode()

    response = Client().post(
        "/api/v2/media",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Authorization": f"Bearer {uploader.token}"},
    )

    assert response.status_code == 200, response.content
    media = Media.objects.get(owner=uploader.person)
    assert media.file.endswith(".png") and media.thumbnail.endswith(".webp")
    for relative, kind in ((media.file, "image/png"), (media.thumbnail, "image/webp")):
        served = uploader.fetch(relative)
        assert served["Content-Type"] == kind
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Content-Disposition"] == "inline"  # no name of the sender's
        assert served["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'; sandbox"
        assert Image.open(io.BytesIO(served.body)).format == kind.split("/")[1].upper()


# --- bodies too large for the server (a real `tidings serve`) -----------------------------------

GB = 1024**3
LIMIT_MB = "60.0\xa0MB"  # the server's limit: the default, as in these tests' settings


def assert_says_too_large(path: str, answer: Answer) -> None:
    """Status 413 in the visitor's language: a page for the web, JSON for the API's clients."""
    message = f"The upload is too large: at most {LIMIT_MB} in one go."
    assert answer.status == 413
    if path.startswith("/api/"):
        assert answer.headers["content-type"] == "application/json"
        assert json.loads(answer.body) == {"error": message}
    else:
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert message in answer.body.decode()


@pytest.mark.parametrize("path", ["/compose/", "/api/v2/media"])
def test_a_1_gb_body_is_refused_with_413_before_the_server_waits_for_it(plain_server: LiveServer, path):
    assert settings.MAX_REQUEST_BYTES == 60 * 1024 * 1024

    # Only 4 KB of the gigabyte are sent: a server waiting for the rest would never answer (the
    # request gives up after 30 s); this one answers and closes the connection.
    answer = plain_server.request(
        "POST",
        path,
        headers={
            "Accept-Language": "en",
            "Content-Type": "multipart/form-data; boundary=x",
            "Content-Length": str(GB),
        },
        body=b"--x\r\n" + b"A" * 4096,
    )

    assert_says_too_large(path, answer)


@pytest.mark.parametrize("path", ["/compose/", "/api/v2/media"])
def test_a_chunked_body_over_the_limit_is_refused_with_413_without_reading_the_rest(
    plain_server: LiveServer, path
):
    limit = settings.MAX_REQUEST_BYTES
    piece = b"B" * 65536
    with socket.create_connection(("127.0.0.1", plain_server.port)) as sock:
        sock.settimeout(30)
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\n"
            "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        # One byte over the limit, and never the last (empty) chunk: a server that read such a
        # body to its end would still be waiting when the socket gives up.
        sent = 0
        while sent <= limit:
            size = min(len(piece), limit + 1 - sent)
            sock.sendall(b"%x\r\n" % size + piece[:size] + b"\r\n")
            sent += size
        answer = parse_answer(read_to_end(sock))

    assert_says_too_large(path, answer)


def test_a_chunked_form_within_the_limit_is_read_whole(plain_server: LiveServer):
    """Django alone takes a chunked body for an empty one: this form would have failed its CSRF
    check (403) instead of switching the language."""
    login = plain_server.request("GET", "/login/")
    cookie = re.search(r"csrftoken=([^;]+)", login.headers["set-cookie"])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.body.decode())
    assert cookie and token
    form = f"csrfmiddlewaretoken={token.group(1)}&language=en&next=/login/".encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (form[:20], form[20:])) + b"0\r\n\r\n"

    answer = plain_server.request(
        "POST",
        "/i18n/setlang/",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Transfer-Encoding": "chunked",
            "Cookie": f"csrftoken={cookie.group(1)}",
        },
        body=chunks,
    )

    assert answer.status == 302
    assert answer.headers["location"] == "/login/"
    assert "django_language=en" in answer.headers["set-cookie"]


# --- twisted media paths (a real `tidings serve`) -----------------------------------------------

TRAVERSALS = [
    "/media/../secret_key",
    "/media/%2e%2e/secret_key",
    "/media/avatars/../../secret_key",
    "/media/avatars/%2e%2e/%2e%2e/secret_key",
    "/media/avatars/%2E%2E%2F%2E%2E%2Fsecret_key",
    "/media/avatars/..%2f..%2fsecret_key",
    "/media/avatars/1/..\\..\\..\\secret_key",
    "/media/avatars/1/..%5c..%5c..%5csecret_key",
    "/media/avatars/%252e%252e/%252e%252e/secret_key",
    "/media/avatars/1/%2e%2e/%2e%2e/%2e%2e/tidings.sqlite3",
    "/media//etc/passwd",
    "/media/avatars/%2fetc%2fpasswd",
    "/media/avatars/1/%00.png",
]


def page_text(body: bytes) -> str:
    """The page without what changes per request: the CSRF token and the address asked for
    (in the language switcher's `next`)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", body.decode())
    return re.sub(r'name="next" type="hidden" value="[^"]*"', "NEXT", text)


@pytest.mark.parametrize("path", TRAVERSALS)
def test_a_path_out_of_the_media_folder_answers_like_a_missing_file(plain_server: LiveServer, path):
    secret = (plain_server.data_dir / "secret_key").read_text().strip()
    english = {"Accept-Language": "en"}
    missing = plain_server.request("GET", "/media/avatars/1/nothing-here.png", headers=english)

    answer = plain_server.request("GET", path, headers=english)

    assert answer.status == missing.status == 404
    assert answer.headers["content-type"] == missing.headers["content-type"]
    assert page_text(answer.body) == page_text(missing.body)
    assert secret.encode() not in answer.body
    assert b"SQLite format" not in answer.body and b"root:" not in answer.body
