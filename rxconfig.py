import sys

import reflex as rx

from pepestore.build_plugin import FirstPaintBuild
from pepestore.settings import SettingsError, get_settings

try:
    settings = get_settings()
except SettingsError as refusal:
    # One line, no traceback: the operator reads what to set, and the store does not start.
    sys.exit(f"pepestore: refusing to start: {refusal}")

config = rx.Config(
    app_name="pepestore",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    # Only the store's own pages may open the event websocket: another site cannot drive shoppers' browsers.
    cors_allowed_origins=list(settings.allowed_origins),
    trusted_proxy_hops=settings.trusted_proxy_hops,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    default_color_mode="light",
    plugins=[
        rx.plugins.RadixThemesPlugin(
            # Solid panels: Radix's translucent ones blur what is behind every card, menu and dialog
            # (backdrop-filter: blur(64px)), which on a page of plain background shows nothing but costs the
            # compositor a blurred layer per card: ~50 ms before the catalog's first frame was on screen.
            theme=rx.theme(appearance="light", accent_color="tomato", gray_color="sand", radius="large",
                           panel_background="solid")
        ),
        # After each production build: Radix's 700 KB stylesheet, which every page waits for, trimmed to what the
        # store can use (unused colours, breakpoints, dark theme); the pages' modules preloaded at low priority.
        FirstPaintBuild(),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
