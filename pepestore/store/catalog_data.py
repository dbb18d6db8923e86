"""The catalog seeded on first start. `art` tells scripts/make_product_images.py what to draw."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedProduct:
    slug: str
    name: str
    category: str
    price: int
    stock: int
    description: str
    art: str
    colors: tuple[str, str]

    @property
    def image(self) -> str:
        return f"/products/{self.slug}.webp"


SEED_PRODUCTS: tuple[SeedProduct, ...] = (
    # Coffee & Tea
    SeedProduct("ceramic-mug-terracotta", "Terracotta Ceramic Mug", "Coffee & Tea", 8990, 42,
                "Hand-glazed stoneware mug, 350 ml, with a wide handle that stays cool. Dishwasher safe.",
                "mug", ("#c8623e", "#f3e3d3")),
    SeedProduct("espresso-beans-pica", "Pica Espresso Beans 500 g", "Coffee & Tea", 14990, 25,
                "Medium-dark roast from a small Santiago roaster: cocoa, panela and a hint of orange peel.",
                "bag", ("#3f2a1d", "#e9c46a")),
    SeedProduct("cast-iron-teapot", "Cast Iron Teapot", "Coffee & Tea", 32990, 3,
                "Enamelled cast iron teapot, 800 ml, with a removable steel infuser. Keeps tea hot for an hour.",
                "teapot", ("#2f3e46", "#d8e2dc")),
    SeedProduct("boldo-herbal-tea-tin", "Boldo & Mint Herbal Tea", "Coffee & Tea", 5990, 60,
                "Loose-leaf infusion of Chilean boldo and garden mint in a resealable tin, 80 g.",
                "tin", ("#6a994e", "#f2e8cf")),
    SeedProduct("pour-over-dripper", "Porcelain Pour-Over Dripper", "Coffee & Tea", 12990, 0,
                "Ribbed porcelain dripper for size 02 filters. Brews one or two cups of clean, bright coffee.",
                "dripper", ("#f8f9fa", "#8ecae6")),
    # Kitchen
    SeedProduct("rauli-cutting-board", "Raulí Wood Cutting Board", "Kitchen", 19990, 18,
                "Solid raulí board, 40 × 25 cm, finished with food-safe oil. A juice groove on one side.",
                "board", ("#9c6644", "#ede0d4")),
    SeedProduct("olive-oil-huasco", "Huasco Extra Virgin Olive Oil", "Kitchen", 11990, 35,
                "Cold-pressed olive oil from the Huasco valley, 500 ml. Green, peppery, made for bread.",
                "bottle", ("#606c38", "#fefae0")),
    SeedProduct("stoneware-bowl-set", "Stoneware Bowl Set (4)", "Kitchen", 24990, 9,
                "Four speckled stoneware bowls, 16 cm, for soups, salads and cazuela. Oven and microwave safe.",
                "bowl", ("#457b9d", "#f1faee")),
    SeedProduct("merken-spice-jar", "Smoked Merkén Spice", "Kitchen", 4990, 2,
                "Mapuche smoked chili with toasted coriander, 90 g glass jar. Two left from this harvest.",
                "jar", ("#ae2012", "#fde8d7")),
    # Home
    SeedProduct("soy-candle-maqui", "Maqui & Cedar Soy Candle", "Home", 13990, 30,
                "Hand-poured soy wax candle in a reusable glass, 45 hours of slow, clean burn.",
                "candle", ("#6d597a", "#f4ecf7")),
    SeedProduct("wool-cushion-chiloe", "Chiloé Wool Cushion", "Home", 22990, 12,
                "Hand-woven sheep's wool cover from Chiloé with a feather insert, 45 × 45 cm.",
                "cushion", ("#bc6c25", "#fefae0")),
    SeedProduct("brass-table-lamp", "Brass Table Lamp", "Home", 49990, 4,
                "Brushed brass lamp with a linen shade and a warm 2700 K LED bulb included.",
                "lamp", ("#b08968", "#f5ebe0")),
    SeedProduct("glass-bud-vase", "Recycled Glass Bud Vase", "Home", 9990, 0,
                "Mouth-blown vase made from recycled bottles, 18 cm. Every piece has its own bubbles.",
                "vase", ("#2a9d8f", "#e9f5f2")),
    # Apparel
    SeedProduct("organic-cotton-tee", "Organic Cotton Tee", "Apparel", 15990, 50,
                "Heavyweight organic cotton T-shirt with a relaxed fit. Sizes S to XL.",
                "tshirt", ("#264653", "#e9f5f2")),
    SeedProduct("canvas-tote-bag", "Canvas Tote Bag", "Apparel", 9990, 40,
                "Sturdy 12 oz canvas tote with an inner pocket, big enough for the feria.",
                "tote", ("#e9c46a", "#fdf6e3")),
    SeedProduct("wool-beanie", "Merino Wool Beanie", "Apparel", 12990, 3,
                "Soft merino beanie knitted in Puerto Varas. Warm, breathable and not itchy.",
                "beanie", ("#9b2226", "#fbeaea")),
    SeedProduct("baseball-cap-navy", "Navy Baseball Cap", "Apparel", 11990, 22,
                "Washed cotton six-panel cap with an adjustable brass buckle.",
                "cap", ("#1d3557", "#e8eef7")),
    # Stationery
    SeedProduct("linen-notebook-a5", "Linen Notebook A5", "Stationery", 10990, 45,
                "Linen-bound A5 notebook, 192 dotted pages of 100 g paper that takes fountain pens.",
                "notebook", ("#588157", "#f1f5ee")),
    SeedProduct("colour-pencil-set", "Colour Pencil Set (12)", "Stationery", 8990, 28,
                "Twelve artist-grade colour pencils in a tin, soft cores that blend well.",
                "pencils", ("#f4a261", "#fff4ea")),
    SeedProduct("weekly-planner-2027", "2027 Weekly Planner", "Stationery", 16990, 1,
                "Week-on-two-pages planner with Chilean holidays marked. The very last one in stock.",
                "planner", ("#e76f51", "#fdf0ec")),
    SeedProduct("brass-fountain-pen", "Brass Fountain Pen", "Stationery", 27990, 7,
                "Solid brass pen with a fine steel nib and a converter. Ages to a warm patina.",
                "pen", ("#b5838d", "#faf3f4")),
    # Plants
    SeedProduct("potted-succulent", "Succulent in Clay Pot", "Plants", 6990, 33,
                "An easy Echeveria in a 10 cm terracotta pot. Likes sun and very little water.",
                "succulent", ("#52796f", "#edf6f3")),
    SeedProduct("monstera-deliciosa", "Monstera Deliciosa", "Plants", 29990, 5,
                "A young monstera, about 50 cm, in a 17 cm nursery pot. Bright indirect light.",
                "monstera", ("#2d6a4f", "#e8f5ee")),
    SeedProduct("mini-cactus-trio", "Mini Cactus Trio", "Plants", 11990, 14,
                "Three small cacti from the Atacama nursery in matching white pots.",
                "cactus", ("#40916c", "#f0f7f2")),
    SeedProduct("copper-watering-can", "Copper Watering Can", "Plants", 21990, 8,
                "A 1 litre copper-finish can with a long spout for careful watering indoors.",
                "watering_can", ("#b87333", "#f9efe6")),
    # Outdoors
    SeedProduct("steel-water-bottle", "Insulated Steel Bottle", "Outdoors", 17990, 26,
                "Double-wall steel bottle, 750 ml: cold for 24 hours, hot for 12. No plastic taste.",
                "flask", ("#2a9d8f", "#e6f4f1")),
    SeedProduct("trail-backpack-20l", "Trail Backpack 20 L", "Outdoors", 39990, 10,
                "Light daypack with a padded back, water-resistant fabric and a hydration sleeve.",
                "backpack", ("#e63946", "#fdeced")),
    SeedProduct("enamel-camp-mug", "Enamel Camp Mug", "Outdoors", 7990, 0,
                "Classic enamel mug with a rolled steel rim, 400 ml. Back at the end of the month.",
                "mug", ("#f1faee", "#1d3557")),
)
