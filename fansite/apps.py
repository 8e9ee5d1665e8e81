from django.apps import AppConfig


class FansiteConfig(AppConfig):
    """The project's own app: no models, only the site-wide template tags (page_tags)."""

    name = "fansite"
    verbose_name = "fansite"
