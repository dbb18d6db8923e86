import reflex as rx

from pepestore.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="pepestore",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    default_color_mode="light",
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="tomato", gray_color="sand", radius="large")
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
