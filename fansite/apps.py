from django.apps import AppConfig


class FansiteConfig(AppConfig):
    """The project's own app: no models, only the glue that needs every app loaded."""

    name = "fansite"
    verbose_name = "fansite"

    def ready(self) -> None:
        from foundation import page_cache

        page_cache.connect_signals()
