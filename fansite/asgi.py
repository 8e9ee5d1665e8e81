import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fansite.settings")

django_application = get_asgi_application()

# Imported once the apps are ready (get_asgi_application sets Django up).
from community.live.asgi import StreamStarts  # noqa: E402

application = StreamStarts(django_application)
