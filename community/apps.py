from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from community import identity, invalidation

        invalidation.connect_signals()
        identity.connect_signals()

        # The fans' own parts of shared pages (foundation/fan_pages.py) are this app's rows.
        from django.contrib.auth.signals import user_logged_in

        from community.fan_parts import FanState, logged_in, read_with_copy
        from foundation import fan_pages

        fan_pages.register(fan_pages.Parts(filler=FanState, read_with_copy=read_with_copy))
        user_logged_in.connect(logged_in, dispatch_uid="fan_parts_logged_in")
