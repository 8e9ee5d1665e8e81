from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        # The fans' own parts of shared pages (fansite/fan_pages.py) are this app's rows.
        from community.fan_parts import FanState, count_keys
        from fansite import fan_pages

        fan_pages.register(fan_pages.Parts(filler=FanState, count_keys=count_keys))
