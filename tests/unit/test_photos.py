"""Product photos: bad uploads are refused before any pixel is decoded where possible (a text file named .jpg,
50 MB, a decompression bomb, a truncated image); good ones are re-encoded to WebP with no metadata, stored, made
main, reordered, served at content-hashed URLs with a year of cache; the upload route admits only staff and
refuses oversized bodies before reading them."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image
from sqlmodel import select
from starlette.testclient import TestClient

from pepestore.catalog_models import ProductPhoto
from pepestore.models import Product, utcnow
from pepestore.staff_models import AuditEntry
from pepestore.store import photos, staff
from pepestore.store.errors import StoreError
from pepestore.upload_gate import UploadGate


def jpeg(width=2400, height=1600, *, gps=True) -> bytes:
    image = Image.new("RGB", (width, height), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        exif[0x8825] = {1: "S", 2: (33.0, 27.0, 0.0), 3: "W", 4: (70.0, 39.0, 0.0)}  # GPS: Santiago
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


@pytest.fixture
def member(session):
    created = staff.create_staff(session, "fotos@pepestore.cl", "correct horse battery", "staff", utcnow())
    session.commit()
    return created


def test_a_photo_is_re_encoded_to_two_webp_sizes_without_metadata():
    original = jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the upload does carry GPS
    done = photos.process(original)
    for data, longest in ((done.large, 1200), (done.small, 480)):
        image = Image.open(io.BytesIO(data))
        assert image.format == "WEBP" and max(image.size) == longest
        assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
        assert b"Exif" not in data and b"PhoneMaker" not in data
    assert (done.width, done.height) == (2400, 1600) and len(done.digest) == 40


def test_png_with_transparency_and_webp_are_accepted():
    for kind in ("PNG", "WEBP"):
        out = io.BytesIO()
        Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(out, kind)
        assert max(Image.open(io.BytesIO(photos.process(out.getvalue()).small)).size) == 300  # never upscaled


def test_a_text_file_named_jpg_is_refused():
    with pytest.raises(StoreError, match="Sube una foto JPEG, PNG o WebP") as refused:
        photos.process(b"this is not a photo, just text in a file called cat.jpg\n" * 20)
    assert "Upload a JPEG, PNG or WebP photo" in refused.value.say("en")


def test_other_image_formats_are_refused_by_content():
    out = io.BytesIO()
    Image.new("RGB", (50, 50)).save(out, "GIF")
    with pytest.raises(StoreError, match="JPEG, PNG o WebP"):
        photos.process(out.getvalue())


def test_fifty_megabytes_is_refused_without_decoding():
    with pytest.raises(StoreError, match="pesa más de 10 MB"):
        photos.process(jpeg(100, 100) + b"\0" * (50 * 1024 * 1024))


def test_a_decompression_bomb_is_refused_from_its_header(monkeypatch):
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # 144 megapixels in a few KB
    assert len(out.getvalue()) < 100_000
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self, *a: decoded.append(self) or None)
    with pytest.raises(StoreError, match="40 megapíxeles"):
        photos.process(out.getvalue())
    assert decoded == []  # refused before any pixel was decoded


def test_a_truncated_image_is_refused():
    whole = jpeg(800, 600, gps=False)
    with pytest.raises(StoreError, match="dañada o cortada") as refused:
        photos.process(whole[: len(whole) // 2])
    assert "damaged or cut short" in refused.value.say("en")
    out = io.BytesIO()
    Image.effect_noise((400, 400), 60).convert("RGB").save(out, "PNG")
    with pytest.raises(StoreError, match="dañada o cortada"):
        photos.process(out.getvalue()[:-400])


def test_photos_are_stored_the_first_is_main_and_they_reorder(session, member):
    product = session.exec(select(Product).where(Product.slug == "wool-beanie")).one()
    first = photos.add_photo(session, product.id, photos.process(jpeg(900, 900)), member, utcnow())
    second = photos.add_photo(session, product.id, photos.process(jpeg(1000, 700)), member, utcnow())
    again = photos.add_photo(session, product.id, photos.process(jpeg(1000, 700)), member, utcnow())
    session.commit()
    assert again.id == second.id  # the same picture twice is one photo
    session.refresh(product)
    assert product.image == photos.photo_url(first.digest) and first.is_main
    photos.set_main(session, product.id, second.id, member, utcnow())
    photos.move(session, product.id, second.id, -1, member, utcnow())
    session.commit()
    ordered = photos.photos_of(session, product.id)
    for row in ordered:
        session.refresh(row)
    assert [(row.id, row.is_main) for row in ordered] == [(second.id, True), (first.id, False)]
    session.refresh(product)
    assert product.image == photos.photo_url(second.digest, "small")
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.actor == "fotos@pepestore.cl")).all()
    assert actions.count("photo_added") == 2 and "photo_main" in actions and "photo_moved" in actions


@pytest.mark.parametrize("photo_id, step", [(10**12, 1), ("x", 1), (True, 1), (None, -1), (1, 2), (1, True)])
def test_bad_photo_arguments_are_refused(session, member, photo_id, step):
    product = session.exec(select(Product).where(Product.slug == "wool-beanie")).one()
    photos.add_photo(session, product.id, photos.process(jpeg(300, 300)), member, utcnow())
    session.commit()
    with pytest.raises(StoreError):
        photos.move(session, product.id, photo_id, step, member, utcnow())


def test_photos_are_served_with_a_year_of_cache_and_unknown_names_404(session, member):
    from pepestore.api import build_api

    product = session.exec(select(Product).where(Product.slug == "wool-beanie")).one()
    photo = photos.add_photo(session, product.id, photos.process(jpeg(600, 600)), member, utcnow())
    session.commit()
    client = TestClient(build_api())
    answer = client.get(photos.photo_url(photo.digest, "large"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/webp"
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert answer.content == session.get(ProductPhoto, photo.id).large
    again = client.get(photos.photo_url(photo.digest), headers={"If-None-Match": answer.headers["etag"].replace(
        "-1200", "-480")})
    assert again.status_code == 304
    for name in ("nothing-480.webp", "../../etc/passwd", f"{photo.digest}-999.webp", f"{'0' * 40}-480.webp"):
        assert client.get(f"/media/products/{name}").status_code == 404


async def _echo_body(scope, receive, send):
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            await send({"type": "http.response.start", "status": 499, "headers": []})
            await send({"type": "http.response.body", "body": b"cut off"})
            return
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def test_the_upload_route_refuses_strangers_and_oversized_bodies(session, member, monkeypatch):
    from pepestore.admin.routes import COOKIE
    from pepestore.store.staff import login
    from pepestore.limits import get_limiter

    token, _ = login(session, "fotos@pepestore.cl", "correct horse battery", utcnow(), get_limiter())
    session.commit()
    client = TestClient(UploadGate(_echo_body, max_body=1000))
    assert client.post("/_upload", content=b"x" * 10).status_code == 401  # no staff session: nothing read
    client.cookies.set(COOKIE, token)
    assert client.post("/_upload", content=b"x" * 10).text == "10"
    assert client.post("/_upload", content=b"x" * 5000).status_code == 413  # declared too large

    def chunks():
        for _ in range(20):
            yield b"x" * 100

    cut = client.post("/_upload", content=chunks())  # no Content-Length: counted while it streams
    assert cut.status_code == 499 and cut.text == "cut off"
    assert TestClient(UploadGate(_echo_body)).get("/other").text == "0"  # other paths pass untouched
