"""Product photos: checked by content, re-encoded, stored in the database, served at content-hashed URLs.

Why the database, not files on disk: the store runs as several instances behind nginx (deploy/topology.sh) with one
PostgreSQL and no shared disk. A photo written to one instance's disk would 404 on the others; in the database,
every instance serves every photo, backups and restores carry them with the products that use them, and adding a
photo is one transaction with its product change. They are small once re-encoded (tens of KB per rendition), each
URL holds a hash of its bytes so browsers and nginx cache it for a year (immutable), and the backend reads a photo
once per cache miss. A storage interface (S3 and the like) can replace this when the catalog grows to thousands.

What an upload must pass, in this order, before any pixel is decoded:
  - at most MAX_BYTES (the upload route refuses larger bodies before reading them, pepestore/upload_gate.py);
  - JPEG, PNG or WebP by its content (Pillow's header parse), whatever its name or declared type says;
  - at most MAX_PIXELS by the header's size, so a decompression bomb is refused, never decoded;
  - decodes completely (a truncated file is refused).
Then it is turned upright (EXIF orientation) and re-encoded from raw pixels to WebP at 1200 and 480 px on the long
side: no EXIF, GPS, XMP or ICC data survives, because nothing but the pixels is copied.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from pepestore.catalog_models import ProductPhoto
from pepestore.i18n import text
from pepestore.models import Product
from pepestore.store import inputs
from pepestore.store.errors import StoreError
from pepestore.store.staff import StaffMember, audit

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PHOTOS = 12
SIZES = {"large": 1200, "small": 480}
FORMATS = {"JPEG", "PNG", "WEBP"}
URL_PREFIX = "/media/products/"
# Pillow's own bomb guard (it raises at twice this): ours is stricter and checked first, this backs it up.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def photo_url(digest: str, size: str = "small") -> str:
    return f"{URL_PREFIX}{digest}-{SIZES[size]}.webp"


@dataclass(frozen=True)
class Processed:
    large: bytes
    small: bytes
    width: int
    height: int
    digest: str


def _webp(image: Image.Image, longest: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "WEBP", quality=82, method=4)
    return out.getvalue()


def process(data: bytes) -> Processed:
    """Check an uploaded file and make its two renditions, or refuse it with a StoreError staff can read."""
    if len(data) > MAX_BYTES:
        raise StoreError(text("admin.photo_too_large"))
    if not data:
        raise StoreError(text("admin.photo_empty"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as header:  # reads the header only: no pixel is decoded yet
                kind, (width, height) = header.format, header.size
                if kind not in FORMATS:
                    raise StoreError(text("admin.photo_not_image"))
                if width * height > MAX_PIXELS:
                    raise StoreError(text("admin.photo_too_many_pixels", width=width, height=height))
                header.verify()  # structure and checksums (PNG) without decoding
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()  # a truncated file fails here (Pillow refuses truncated data by default)
                upright = ImageOps.exif_transpose(opened)
                mode = "RGBA" if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info else "RGB"
                pixels = upright.convert(mode)
    except StoreError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise StoreError(text("admin.photo_unreadable")) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise StoreError(text("admin.photo_damaged")) from None
    # A new image from the raw pixels alone: no metadata of the upload can come along.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    large = _webp(clean, SIZES["large"])
    small = _webp(clean, SIZES["small"])
    return Processed(large=large, small=small, width=clean.width, height=clean.height,
                     digest=hashlib.sha256(large).hexdigest()[:40])


def _product(session: Session, raw_product_id: object) -> Product:
    product = session.get(Product, inputs.product_id(raw_product_id))
    if product is None:
        raise StoreError(text("cart.no_such_product"))
    return product


def photos_of(session: Session, product_id: int) -> list[ProductPhoto]:
    return list(session.exec(select(ProductPhoto).where(ProductPhoto.product_id == product_id)
                             .order_by(col(ProductPhoto.position), col(ProductPhoto.id))))


def _show_main(session: Session, product: Product, photo: ProductPhoto, now: datetime) -> None:
    """The main photo is the product's picture everywhere the shop shows one (catalog, cart, new orders)."""
    session.exec(update(ProductPhoto).where(col(ProductPhoto.product_id) == product.id)
                 .values(is_main=col(ProductPhoto.id) == photo.id))
    session.exec(update(Product).where(col(Product.id) == product.id)
                 .values(image=photo_url(photo.digest), updated_at=now))


def add_photo(session: Session, raw_product_id: object, processed: Processed, member: StaffMember, now: datetime,
              ip: str | None = None) -> ProductPhoto:
    product = _product(session, raw_product_id)
    # Lock the product row: two uploads at once get distinct positions, and one main photo between them.
    session.exec(select(Product.id).where(Product.id == product.id).with_for_update())
    existing = photos_of(session, product.id)
    same = next((photo for photo in existing if photo.digest == processed.digest), None)
    if same is not None:
        return same  # the same picture uploaded twice is one photo
    if len(existing) >= MAX_PHOTOS:
        raise StoreError(text("admin.photo_limit", max=MAX_PHOTOS))
    position = session.exec(select(func.coalesce(func.max(ProductPhoto.position), -1))
                            .where(ProductPhoto.product_id == product.id)).one() + 1
    photo = ProductPhoto(product_id=product.id, digest=processed.digest, position=position, is_main=False,
                         width=processed.width, height=processed.height, large=processed.large,
                         small=processed.small, created_at=now)
    session.add(photo)
    session.flush()
    if not existing:
        _show_main(session, product, photo, now)
    audit(session, "photo_added", member.email, now, staff_id=member.id, ip=ip,
          detail=f"{product.slug} (#{product.id}): photo {photo.id}, {processed.width}x{processed.height}"
                 + (", main" if not existing else ""))
    return photo


def _photo(session: Session, product: Product, raw_photo_id: object) -> ProductPhoto:
    photo_id = inputs.whole_number(raw_photo_id, what="Photo", low=1, high=2**31 - 1) \
        if not isinstance(raw_photo_id, bool) and isinstance(raw_photo_id, (int, str)) else None
    photo = session.get(ProductPhoto, photo_id) if photo_id else None
    if photo is None or photo.product_id != product.id:
        raise StoreError(text("admin.photo_not_this"))
    return photo


def set_main(session: Session, raw_product_id: object, raw_photo_id: object, member: StaffMember, now: datetime,
             ip: str | None = None) -> None:
    product = _product(session, raw_product_id)
    photo = _photo(session, product, raw_photo_id)
    _show_main(session, product, photo, now)
    audit(session, "photo_main", member.email, now, staff_id=member.id, ip=ip,
          detail=f"{product.slug} (#{product.id}): photo {photo.id} is the main photo")


def move(session: Session, raw_product_id: object, raw_photo_id: object, raw_step: object, member: StaffMember,
         now: datetime, ip: str | None = None) -> None:
    """Swap a photo with its neighbour (step -1: earlier, +1: later); positions are renumbered 0..n-1."""
    product = _product(session, raw_product_id)
    if raw_step not in (-1, 1) or isinstance(raw_step, bool):
        raise StoreError(text("admin.photo_move"))
    session.exec(select(Product.id).where(Product.id == product.id).with_for_update())
    photo = _photo(session, product, raw_photo_id)
    ordered = photos_of(session, product.id)
    at = next(index for index, item in enumerate(ordered) if item.id == photo.id)
    to = at + raw_step
    if not 0 <= to < len(ordered):
        return
    ordered[at], ordered[to] = ordered[to], ordered[at]
    for index, item in enumerate(ordered):
        session.exec(update(ProductPhoto).where(col(ProductPhoto.id) == item.id).values(position=index))
    audit(session, "photo_moved", member.email, now, staff_id=member.id, ip=ip,
          detail=f"{product.slug} (#{product.id}): photo {photo.id} to place {to + 1}")


def rendition(session: Session, name: object) -> bytes | None:
    """The bytes behind a photo URL's last segment ("<digest>-1200.webp" or "<digest>-480.webp"), or None."""
    if not isinstance(name, str) or not name.endswith(".webp") or "-" not in name:
        return None
    digest, _, size = name[:-5].rpartition("-")
    column = {"1200": ProductPhoto.large, "480": ProductPhoto.small}.get(size)
    if column is None or not (8 <= len(digest) <= 64) or not all(c in "0123456789abcdef" for c in digest):
        return None
    return session.exec(select(column).where(ProductPhoto.digest == digest).limit(1)).first()
