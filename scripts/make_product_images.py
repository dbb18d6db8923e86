"""Draw the product photographs shipped under assets/products/ (nothing can be downloaded on our machines).

Each product is drawn as a studio shot: a soft backdrop, a floor shadow and the object lit from the upper left.
Run once after changing the catalog: `pip install pillow && python scripts/make_product_images.py`.
The images are committed, so neither the store nor its tests need Pillow.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pepestore.store.catalog_data import SEED_PRODUCTS  # noqa: E402

S = 1200  # drawn at twice the shipped size, then downscaled for smooth edges
OUT = 600
OUT_DIR = Path(__file__).resolve().parent.parent / "assets" / "products"


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def mix(a, b, t: float):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def shade(c, t: float):
    """t < 0 darkens towards black, t > 0 lightens towards white."""
    return mix(c, (0, 0, 0), -t) if t < 0 else mix(c, (255, 255, 255), t)


def backdrop(light) -> Image.Image:
    top, bottom = shade(light, 0.35), shade(light, -0.06)
    img = Image.new("RGB", (S, S))
    d = ImageDraw.Draw(img)
    for y in range(S):
        d.line([(0, y), (S, y)], fill=mix(top, bottom, y / S))
    return img


def floor_shadow(img: Image.Image, cx: int, cy: int, w: int, h: int) -> None:
    mask = Image.new("L", (S, S), 0)
    ImageDraw.Draw(mask).ellipse([cx - w // 2, cy - h // 2, cx + w // 2, cy + h // 2], fill=120)
    mask = mask.filter(ImageFilter.GaussianBlur(28))
    img.paste(Image.new("RGB", (S, S), (40, 35, 30)), (0, 0), mask)


def lit(layer_mask: Image.Image, base, img: Image.Image) -> None:
    """Fill a shape with a left-lit gradient so it reads as a rounded object."""
    box = layer_mask.getbbox()
    if not box:
        return
    x0, _, x1, _ = box
    grad = Image.new("RGB", (S, S))
    d = ImageDraw.Draw(grad)
    for x in range(x0, x1 + 1):
        t = (x - x0) / max(1, x1 - x0)
        light = 0.28 * math.cos(t * math.pi * 0.9) - 0.12
        d.line([(x, 0), (x, S)], fill=shade(base, light) if light > 0 else shade(base, light * 1.4))
    img.paste(grad, (0, 0), layer_mask)


def shape(draw_fn) -> Image.Image:
    mask = Image.new("L", (S, S), 0)
    draw_fn(ImageDraw.Draw(mask))
    return mask


def highlight(img, box, alpha=70, blur=18):
    mask = Image.new("L", (S, S), 0)
    ImageDraw.Draw(mask).rounded_rectangle(box, radius=(box[2] - box[0]) // 2, fill=alpha)
    img.paste((255, 255, 255), (0, 0), mask.filter(ImageFilter.GaussianBlur(blur)))


# One function a kind of object; each draws onto img with the product's main colour c and accent a.

def draw_mug(img, c, a):
    floor_shadow(img, 600, 900, 560, 90)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([760, 470, 960, 760], radius=100, outline=shade(c, -0.25), width=46)
    lit(shape(lambda m: m.rounded_rectangle([360, 380, 820, 900], radius=60, fill=255)), c, img)
    d.ellipse([360, 350, 820, 430], fill=shade(c, -0.35))
    d.ellipse([385, 362, 795, 420], fill=shade(a, -0.55))
    highlight(img, (420, 450, 470, 820))


def draw_bag(img, c, a):
    floor_shadow(img, 600, 960, 620, 90)
    lit(shape(lambda m: m.polygon([(370, 300), (830, 300), (880, 950), (320, 950)], fill=255)), c, img)
    d = ImageDraw.Draw(img)
    for i, y in enumerate(range(300, 340, 10)):
        d.line([(370, y), (830, y)], fill=shade(c, -0.3 + i * 0.05), width=4)
    d.rounded_rectangle([430, 520, 770, 780], radius=24, fill=a)
    d.ellipse([540, 560, 660, 680], outline=c, width=16)
    d.line([(600, 570), (600, 670)], fill=c, width=10)
    d.rounded_rectangle([470, 710, 730, 735], radius=10, fill=shade(a, -0.3))


def draw_teapot(img, c, a):
    floor_shadow(img, 600, 930, 700, 100)
    d = ImageDraw.Draw(img)
    d.polygon([(300, 640), (200, 470), (235, 455), (360, 600)], fill=shade(c, -0.15))
    d.arc([760, 520, 990, 800], start=-80, end=90, fill=shade(c, -0.25), width=44)
    lit(shape(lambda m: m.ellipse([300, 430, 900, 930], fill=255)), c, img)
    d.ellipse([470, 380, 730, 470], fill=shade(c, -0.2))
    d.ellipse([565, 320, 635, 390], fill=shade(c, -0.3))
    d.arc([380, 560, 820, 700], start=10, end=170, fill=shade(a, -0.2), width=10)
    highlight(img, (380, 540, 440, 760))


def draw_tin(img, c, a):
    floor_shadow(img, 600, 930, 560, 90)
    lit(shape(lambda m: m.rounded_rectangle([380, 330, 820, 920], radius=40, fill=255)), c, img)
    d = ImageDraw.Draw(img)
    lit(shape(lambda m: m.rounded_rectangle([365, 300, 835, 420], radius=30, fill=255)), shade(c, -0.2), img)
    d.rounded_rectangle([420, 520, 780, 780], radius=20, fill=a)
    for dx, dy in ((0, 0), (60, -40), (-60, -30)):
        d.ellipse([560 + dx, 590 + dy, 640 + dx, 720 + dy], fill=c)
    d.line([(600, 640), (600, 760)], fill=shade(c, -0.3), width=8)


def draw_dripper(img, c, a):
    floor_shadow(img, 600, 930, 560, 90)
    d = ImageDraw.Draw(img)
    lit(shape(lambda m: m.polygon([(330, 380), (870, 380), (690, 760), (510, 760)], fill=255)), shade(c, -0.05), img)
    d.ellipse([320, 350, 880, 420], fill=shade(c, -0.12))
    d.ellipse([350, 362, 850, 408], fill=shade(a, -0.2))
    for x in range(420, 800, 60):
        d.line([(x, 420), (600 + (x - 600) * 0.4, 740)], fill=shade(c, -0.18), width=6)
    lit(shape(lambda m: m.rounded_rectangle([420, 760, 780, 830], radius=20, fill=255)), shade(c, -0.1), img)
    lit(shape(lambda m: m.rounded_rectangle([470, 830, 730, 920], radius=16, fill=255)), a, img)


def draw_board(img, c, a):
    floor_shadow(img, 620, 880, 800, 120)
    lit(shape(lambda m: m.rounded_rectangle([230, 380, 970, 860], radius=70, fill=255)), c, img)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([280, 430, 920, 810], radius=50, outline=shade(c, -0.18), width=8)
    for i in range(7):
        y = 470 + i * 48
        d.arc([300, y - 30, 900, y + 30], start=190, end=350, fill=shade(c, -0.1 - 0.02 * (i % 3)), width=4)
    d.ellipse([840, 480, 900, 540], fill=shade(a, 0.2))


def draw_bottle(img, c, a):
    floor_shadow(img, 600, 950, 420, 80)
    lit(shape(lambda m: (m.rounded_rectangle([450, 430, 750, 950], radius=60, fill=255),
                         m.polygon([(470, 470), (545, 300), (655, 300), (730, 470)], fill=255),
                         m.rectangle([545, 200, 655, 320], fill=255))), c, img)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([530, 150, 670, 240], radius=14, fill=shade(a, -0.6))
    d.rounded_rectangle([470, 600, 730, 820], radius=16, fill=a)
    d.ellipse([560, 640, 640, 720], fill=c)
    d.rounded_rectangle([510, 750, 690, 770], radius=8, fill=shade(c, -0.2))
    highlight(img, (480, 480, 520, 900))


def draw_bowl(img, c, a):
    for i, (cx, cy, w) in enumerate(((600, 700, 640), (600, 580, 560), (600, 470, 480))):
        floor_shadow(img, cx, cy + 210, w, 70) if i == 0 else None
        lit(shape(lambda m, cx=cx, cy=cy, w=w: m.pieslice([cx - w // 2, cy - 200, cx + w // 2, cy + 200],
                                                          0, 180, fill=255)), c, img)
        ImageDraw.Draw(img).ellipse([cx - w // 2, cy - 30, cx + w // 2, cy + 30], fill=shade(a, -0.08))
    d = ImageDraw.Draw(img)
    for x, y in ((450, 780), (520, 830), (680, 800), (760, 760), (600, 860)):
        d.ellipse([x, y, x + 10, y + 10], fill=shade(c, 0.5))


def draw_jar(img, c, a):
    floor_shadow(img, 600, 920, 500, 90)
    lit(shape(lambda m: m.rounded_rectangle([400, 380, 800, 920], radius=70, fill=255)), c, img)
    d = ImageDraw.Draw(img)
    for _ in range(1):
        for x in range(430, 780, 36):
            for y in range(420, 900, 44):
                d.ellipse([x + (y % 3) * 6, y, x + 10 + (y % 3) * 6, y + 8], fill=shade(c, -0.25))
    lit(shape(lambda m: m.rounded_rectangle([390, 290, 810, 400], radius=20, fill=255)), (40, 40, 45), img)
    d.rounded_rectangle([450, 560, 750, 760], radius=14, fill=a)
    d.polygon([(600, 590), (640, 690), (600, 730), (560, 690)], fill=c)
    highlight(img, (430, 420, 470, 880))


def draw_candle(img, c, a):
    floor_shadow(img, 600, 920, 520, 90)
    lit(shape(lambda m: m.rounded_rectangle([400, 460, 800, 920], radius=40, fill=255)), shade(c, 0.1), img)
    d = ImageDraw.Draw(img)
    d.ellipse([400, 430, 800, 500], fill=shade(a, -0.05))
    d.line([(600, 465), (600, 400)], fill=(40, 30, 30), width=8)
    glow = Image.new("L", (S, S), 0)
    ImageDraw.Draw(glow).ellipse([520, 250, 680, 420], fill=110)
    img.paste((255, 214, 140), (0, 0), glow.filter(ImageFilter.GaussianBlur(40)))
    d.ellipse([575, 310, 625, 410], fill=(255, 170, 60))
    d.ellipse([588, 340, 612, 400], fill=(255, 240, 190))
    d.rounded_rectangle([460, 620, 740, 780], radius=10, fill=a)
    d.line([(500, 700), (700, 700)], fill=c, width=10)
    highlight(img, (430, 520, 470, 880))


def draw_cushion(img, c, a):
    floor_shadow(img, 600, 920, 760, 110)
    lit(shape(lambda m: m.rounded_rectangle([250, 300, 950, 880], radius=160, fill=255)), c, img)
    d = ImageDraw.Draw(img)
    for i, y in enumerate(range(380, 820, 70)):
        pts = [(300 + k * 50, y + (20 if k % 2 else -20)) for k in range(13)]
        d.line(pts, fill=a if i % 2 else shade(c, -0.25), width=14)
    d.ellipse([570, 560, 630, 620], fill=shade(c, -0.35))


def draw_lamp(img, c, a):
    floor_shadow(img, 600, 950, 480, 80)
    d = ImageDraw.Draw(img)
    lit(shape(lambda m: m.ellipse([440, 880, 760, 960], fill=255)), c, img)
    lit(shape(lambda m: m.rectangle([585, 450, 615, 900], fill=255)), c, img)
    lit(shape(lambda m: m.polygon([(430, 200), (770, 200), (880, 480), (320, 480)], fill=255)),
        shade(a, -0.05), img)
    d.ellipse([320, 455, 880, 505], fill=shade(a, -0.2))
    d.ellipse([430, 185, 770, 215], fill=shade(a, -0.1))


def draw_vase(img, c, a):
    floor_shadow(img, 600, 930, 380, 70)
    lit(shape(lambda m: (m.ellipse([420, 500, 780, 930], fill=255), m.rectangle([550, 280, 650, 620], fill=255),
                         m.ellipse([520, 250, 680, 300], fill=255))), c, img)
    d = ImageDraw.Draw(img)
    d.line([(600, 260), (560, 120)], fill=(70, 120, 60), width=10)
    d.ellipse([500, 60, 600, 150], fill=(240, 150, 170))
    d.ellipse([530, 85, 570, 125], fill=(250, 220, 120))
    for x, y in ((500, 700), (650, 780), (560, 850)):
        d.ellipse([x, y, x + 16, y + 16], outline=shade(c, 0.5), width=3)
    highlight(img, (450, 560, 495, 860))


def draw_tshirt(img, c, a):
    floor_shadow(img, 600, 950, 620, 80)
    pts = [(420, 230), (520, 210), (600, 260), (680, 210), (780, 230), (960, 360), (880, 500), (800, 450),
           (800, 920), (400, 920), (400, 450), (320, 500), (240, 360)]
    lit(shape(lambda m: m.polygon(pts, fill=255)), c, img)
    d = ImageDraw.Draw(img)
    d.arc([520, 170, 680, 300], start=20, end=160, fill=shade(c, -0.3), width=14)
    d.rounded_rectangle([520, 450, 680, 560], radius=50, fill=a)
    d.line([(400, 450), (400, 880)], fill=shade(c, -0.2), width=4)


def draw_tote(img, c, a):
    floor_shadow(img, 600, 950, 620, 80)
    d = ImageDraw.Draw(img)
    d.arc([430, 170, 570, 560], start=180, end=360, fill=shade(c, -0.3), width=26)
    d.arc([630, 170, 770, 560], start=180, end=360, fill=shade(c, -0.3), width=26)
    lit(shape(lambda m: m.polygon([(330, 380), (870, 380), (900, 940), (300, 940)], fill=255)), c, img)
    d.ellipse([500, 540, 700, 740], outline=shade(a, -0.7), width=18)
    d.text((560, 600), "", fill=a)
    d.line([(520, 800), (680, 800)], fill=shade(a, -0.7), width=14)


def draw_beanie(img, c, a):
    floor_shadow(img, 600, 930, 640, 90)
    lit(shape(lambda m: m.pieslice([300, 300, 900, 1100], 180, 360, fill=255)), c, img)
    lit(shape(lambda m: m.rounded_rectangle([280, 680, 920, 880], radius=50, fill=255)), shade(c, -0.12), img)
    d = ImageDraw.Draw(img)
    for x in range(310, 900, 40):
        d.line([(x, 700), (x, 860)], fill=shade(c, -0.3), width=6)
    for x in range(360, 860, 60):
        d.line([(x, 420 + abs(600 - x) // 3), (x, 680)], fill=shade(c, -0.15), width=5)
    d.ellipse([530, 200, 670, 330], fill=a)


def draw_cap(img, c, a):
    floor_shadow(img, 600, 880, 760, 110)
    lit(shape(lambda m: m.ellipse([480, 640, 1000, 800], fill=255)), shade(c, -0.15), img)
    lit(shape(lambda m: m.pieslice([260, 330, 820, 930], 180, 360, fill=255)), c, img)
    d = ImageDraw.Draw(img)
    d.rectangle([260, 620, 820, 640], fill=shade(c, -0.3))
    d.line([(540, 335), (540, 630)], fill=shade(c, -0.25), width=6)
    d.ellipse([520, 318, 560, 350], fill=shade(c, -0.3))
    d.rounded_rectangle([380, 470, 520, 560], radius=12, fill=a)


def draw_notebook(img, c, a):
    floor_shadow(img, 600, 950, 600, 80)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([360, 220, 860, 930], radius=24, fill=shade(a, -0.1))
    lit(shape(lambda m: m.rounded_rectangle([340, 200, 840, 910], radius=24, fill=255)), c, img)
    d.rectangle([340, 200, 400, 910], fill=shade(c, -0.25))
    d.rounded_rectangle([470, 380, 760, 500], radius=10, fill=a)
    d.line([(500, 440), (730, 440)], fill=shade(c, -0.2), width=8)
    d.rectangle([720, 200, 750, 990], fill=(190, 50, 50))


def draw_pencils(img, c, a):
    floor_shadow(img, 600, 930, 760, 100)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([230, 560, 970, 900], radius=30, fill=shade(a, -0.15))
    colours = ["#e63946", "#f4a261", "#e9c46a", "#2a9d8f", "#457b9d", "#6d597a", "#2d6a4f", "#9b2226",
               "#1d3557", "#ffb703", "#8ecae6", "#fb8500"]
    for i, col in enumerate(colours):
        x = 260 + i * 58
        top = 260 + (i % 3) * 30
        d.rectangle([x, top + 80, x + 46, 740], fill=rgb(col))
        d.polygon([(x, top + 80), (x + 46, top + 80), (x + 23, top)], fill=(236, 205, 160))
        d.polygon([(x + 15, top + 28), (x + 31, top + 28), (x + 23, top)], fill=rgb(col))
    lit(shape(lambda m: m.rounded_rectangle([230, 700, 970, 900], radius=30, fill=255)), c, img)
    d.rounded_rectangle([420, 760, 780, 840], radius=12, fill=a)


def draw_planner(img, c, a):
    floor_shadow(img, 600, 950, 620, 80)
    d = ImageDraw.Draw(img)
    lit(shape(lambda m: m.rounded_rectangle([330, 200, 870, 930], radius=28, fill=255)), c, img)
    for y in range(250, 900, 50):
        d.ellipse([300, y, 360, y + 24], outline=(90, 90, 95), width=8)
    d.rounded_rectangle([450, 330, 780, 480], radius=12, fill=a)
    d.text((520, 380), "", fill=c)
    for i in range(3):
        d.line([(480, 400 + i * 30), (750, 400 + i * 30)], fill=shade(c, -0.1), width=6)
    d.rounded_rectangle([450, 620, 780, 660], radius=10, fill=shade(c, -0.2))


def draw_pen(img, c, a):
    floor_shadow(img, 600, 820, 820, 90)
    pen = shape(lambda m: (m.rounded_rectangle([200, 540, 820, 640], radius=50, fill=255),
                           m.polygon([(820, 548), (960, 590), (820, 632)], fill=255)))
    lit(pen.rotate(18, center=(600, 600)), c, img)
    clip = shape(lambda m: m.rounded_rectangle([260, 520, 600, 548], radius=14, fill=255)).rotate(18, center=(600, 600))
    img.paste(shade(c, -0.3), (0, 0), clip)
    nib = shape(lambda m: m.polygon([(840, 555), (960, 590), (840, 625)], fill=255)).rotate(18, center=(600, 600))
    img.paste((205, 205, 210), (0, 0), nib)
    ImageDraw.Draw(img).line([(200, 300), (1000, 300)], fill=shade(a, -0.08), width=2)


def pot(img, c, top=640, w=360):
    lit(shape(lambda m: m.polygon([(600 - w // 2, top), (600 + w // 2, top), (600 + w // 2 - 50, 930),
                                   (600 - w // 2 + 50, 930)], fill=255)), c, img)
    lit(shape(lambda m: m.rounded_rectangle([600 - w // 2 - 20, top - 20, 600 + w // 2 + 20, top + 60],
                                            radius=14, fill=255)), shade(c, -0.08), img)


def draw_succulent(img, c, a):
    floor_shadow(img, 600, 940, 460, 80)
    leaf = shade(c, 0.15)
    for ang in range(0, 360, 30):
        r = math.radians(ang)
        x, y = 600 + 170 * math.cos(r), 500 + 90 * math.sin(r)
        lit(shape(lambda m, x=x, y=y: m.ellipse([x - 80, y - 60, x + 80, y + 60], fill=255)), leaf, img)
    for ang in range(15, 360, 45):
        r = math.radians(ang)
        x, y = 600 + 80 * math.cos(r), 480 + 45 * math.sin(r)
        lit(shape(lambda m, x=x, y=y: m.ellipse([x - 60, y - 45, x + 60, y + 45], fill=255)), shade(leaf, 0.15), img)
    pot(img, (196, 110, 70))


def draw_monstera(img, c, a):
    floor_shadow(img, 600, 940, 460, 80)
    d = ImageDraw.Draw(img)
    for ang, length in ((-60, 380), (-20, 420), (25, 400), (65, 360), (-95, 300), (100, 300)):
        r = math.radians(ang - 90)
        x, y = 600 + length * math.cos(r), 640 + length * math.sin(r)
        d.line([(600, 640), (x, y)], fill=shade(c, -0.2), width=12)
        leaf = shape(lambda m, x=x, y=y: m.ellipse([x - 130, y - 110, x + 130, y + 110], fill=255))
        lit(leaf, c, img)
        for k in (-1, 1):
            d.line([(x, y), (x + k * 120, y + 40)], fill=shade(a, 0.2), width=12)
            d.line([(x, y), (x + k * 110, y - 50)], fill=shade(a, 0.2), width=12)
    pot(img, (235, 235, 230))


def draw_cactus(img, c, a):
    floor_shadow(img, 600, 940, 760, 90)
    for cx, h, w in ((330, 380, 120), (600, 470, 150), (870, 340, 110)):
        lit(shape(lambda m, cx=cx, h=h, w=w: m.rounded_rectangle([cx - w // 2, 760 - h, cx + w // 2, 800],
                                                                 radius=w // 2, fill=255)), c, img)
        d = ImageDraw.Draw(img)
        for yy in range(800 - h, 780, 40):
            d.line([(cx - 8, yy), (cx + 8, yy)], fill=(245, 240, 220), width=3)
        lit(shape(lambda m, cx=cx: m.rounded_rectangle([cx - 110, 760, cx + 110, 930], radius=20, fill=255)),
            (245, 245, 242), img)
    ImageDraw.Draw(img).ellipse([570, 260, 630, 320], fill=(240, 110, 150))


def draw_watering_can(img, c, a):
    floor_shadow(img, 600, 930, 720, 100)
    d = ImageDraw.Draw(img)
    d.polygon([(760, 700), (1000, 400), (1030, 425), (800, 760)], fill=shade(c, -0.1))
    d.ellipse([980, 360, 1060, 440], fill=shade(c, -0.2))
    d.arc([330, 300, 760, 700], start=190, end=350, fill=shade(c, -0.25), width=40)
    lit(shape(lambda m: m.rounded_rectangle([300, 500, 800, 920], radius=80, fill=255)), c, img)
    highlight(img, (350, 560, 400, 860))


def draw_flask(img, c, a):
    floor_shadow(img, 600, 950, 400, 80)
    lit(shape(lambda m: (m.rounded_rectangle([460, 330, 740, 950], radius=70, fill=255),)), c, img)
    lit(shape(lambda m: m.rounded_rectangle([490, 200, 710, 340], radius=30, fill=255)), (60, 60, 66), img)
    d = ImageDraw.Draw(img)
    d.arc([560, 130, 640, 230], start=180, end=360, fill=(60, 60, 66), width=18)
    d.rounded_rectangle([460, 560, 740, 600], radius=0, fill=shade(c, -0.2))
    d.polygon([(560, 700), (600, 640), (640, 700)], fill=a)
    d.polygon([(530, 740), (580, 670), (630, 740)], fill=shade(a, -0.1))
    highlight(img, (490, 380, 530, 900))


def draw_backpack(img, c, a):
    floor_shadow(img, 600, 950, 620, 90)
    d = ImageDraw.Draw(img)
    d.arc([480, 150, 720, 360], start=180, end=360, fill=(50, 50, 55), width=26)
    lit(shape(lambda m: m.rounded_rectangle([340, 250, 860, 940], radius=150, fill=255)), c, img)
    lit(shape(lambda m: m.rounded_rectangle([410, 580, 790, 900], radius=70, fill=255)), shade(c, -0.12), img)
    d.line([(430, 620), (770, 620)], fill=(40, 40, 45), width=10)
    d.rounded_rectangle([590, 600, 640, 660], radius=8, fill=(220, 220, 225))
    d.rounded_rectangle([520, 360, 680, 420], radius=20, fill=a)


DRAW = {name.removeprefix("draw_"): fn for name, fn in globals().items() if name.startswith("draw_")}


def render(product) -> Image.Image:
    main, light = rgb(product.colors[0]), rgb(product.colors[1])
    img = backdrop(light)
    DRAW[product.art](img, main, light)
    grain = Image.effect_noise((S, S), 10).convert("RGB")
    img = ImageChops.overlay(img, Image.merge("RGB", [grain.getchannel(0)] * 3).point(lambda v: 118 + v // 20))
    return img.resize((OUT, OUT), Image.LANCZOS)


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for product in SEED_PRODUCTS:
        path = OUT_DIR / f"{product.slug}.webp"
        render(product).save(path, "WEBP", quality=82, method=6)
        print(path.relative_to(OUT_DIR.parent.parent), path.stat().st_size // 1024, "KB")


if __name__ == "__main__":
    main()
