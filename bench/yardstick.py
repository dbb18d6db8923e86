"""The yardstick: a plain React + JSON API store of the same products, to measure Pepestore's first paint against.

    python bench/yardstick.py --database-url sqlite:///scratch.db --port 8010

Builds bench/yardstick/ (Vite + React from the npm registry) on demand, then serves the build and a tiny JSON API
(Starlette on uvicorn, one process, gzip like Pepestore's production server) reading the same database. The API
pages 24 products in Pepestore's "featured" order, so both stores show the same first product.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).resolve().parent
APP_DIR = HERE / "yardstick"
DIST = APP_DIR / "dist"
PRODUCT_IMAGES = HERE.parent / "assets" / "products"
PER_PAGE = 24
COLUMNS = "id, slug, name, category, price, stock, image"


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted([APP_DIR / "package.json", APP_DIR / "index.html", *(APP_DIR / "src").rglob("*")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build() -> None:
    """npm install + vite build, skipped when the sources have not changed since the last build."""
    stamp = DIST / ".sources"
    digest = _sources_digest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    subprocess.run(["npm", "ci" if (APP_DIR / "package-lock.json").exists() else "install", "--no-audit",
                    "--no-fund"], cwd=APP_DIR, check=True, capture_output=True)
    subprocess.run(["npx", "vite", "build"], cwd=APP_DIR, check=True, capture_output=True)
    stamp.write_text(digest)


def _price(amount: int) -> str:
    return f"${amount:,}".replace(",", ".")


def _stock_label(stock: int) -> str:
    return "Out of stock" if stock == 0 else f"Only {stock} left" if stock <= 5 else "In stock"


def _view(row) -> dict:
    item = dict(row._mapping)
    return {**item, "href": f"/product/{item['slug']}", "price": _price(item["price"]),
            "stock_label": _stock_label(item["stock"])}


def make_app(database_url: str) -> Starlette:
    engine = create_engine(database_url)

    async def products(request):
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            page = 1
        with engine.connect() as conn:
            total = conn.execute(text("SELECT count(*) FROM product WHERE active")).scalar_one()
            rows = conn.execute(
                text(f"SELECT {COLUMNS} FROM product WHERE active ORDER BY CASE WHEN stock > 0 THEN 0 ELSE 1 END, "
                     "id LIMIT :limit OFFSET :offset"),
                {"limit": PER_PAGE, "offset": (page - 1) * PER_PAGE},
            ).all()
        return JSONResponse({"products": [_view(r) for r in rows], "total": total,
                             "pages": max(1, -(-total // PER_PAGE))})

    async def product(request):
        with engine.connect() as conn:
            row = conn.execute(text(f"SELECT {COLUMNS}, description FROM product WHERE slug = :slug AND active"),
                               {"slug": request.path_params["slug"]}).first()
        return JSONResponse(_view(row)) if row else JSONResponse({"error": "not found"}, status_code=404)

    async def cart(_request):
        return JSONResponse({"lines": []})

    async def index(_request):
        return FileResponse(DIST / "index.html")

    return Starlette(
        routes=[
            Route("/api/products", products),
            Route("/api/product/{slug}", product),
            Route("/api/cart", cart),
            Mount("/assets", StaticFiles(directory=DIST / "assets")),
            Mount("/products", StaticFiles(directory=PRODUCT_IMAGES)),
            Route("/{path:path}", index),
        ],
        middleware=[Middleware(GZipMiddleware, minimum_size=500)],
    )


def start(database_url: str, port: int) -> subprocess.Popen:
    """Build if needed and serve in a child process (its own process group, so a bench can stop it cleanly)."""
    build()
    return subprocess.Popen([sys.executable, str(Path(__file__)), "--database-url", database_url, "--port", str(port),
                             "--no-build"], start_new_session=True, env=os.environ.copy(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        build()
    import uvicorn

    uvicorn.run(make_app(args.database_url), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
