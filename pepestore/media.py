"""GET /media/products/<digest>-<1200|480>.webp: product photos from the database (see pepestore/store/photos.py).

The URL names the bytes (a hash of them), so a response never goes stale: browsers and nginx may keep it a year
without asking again. A new photo is a new URL."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pepestore.db import session_scope
from pepestore.store import photos

FOREVER = "public, max-age=31536000, immutable"


def _read(name: str) -> bytes | None:
    with session_scope() as session:
        return photos.rendition(session, name)


async def product_photo(request: Request) -> Response:
    name = request.path_params.get("name", "")
    etag = f'"{name[:-5]}"' if name.endswith(".webp") else None
    if etag and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"Cache-Control": FOREVER, "ETag": etag})
    body = await run_in_threadpool(_read, name)
    if body is None:
        return JSONResponse({"error": "no such photo"}, status_code=404, headers={"Cache-Control": "no-store"})
    return Response(body, media_type="image/webp", headers={"Cache-Control": FOREVER, "ETag": etag,
                                                            "X-Content-Type-Options": "nosniff"})
