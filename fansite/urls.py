from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from community.views import security
from fansite import views
from fansite.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("catalog.urls")),
    path("", include("community.urls")),
    # Ahead of Django's own: the login asks for the two-factor code when there is one, and the
    # reset e-mail is a background task. The admin's login is the same page (stricter lockout).
    path("accounts/login/", security.login, name="login"),
    path("accounts/password_reset/", security.password_reset, name="password_reset"),
    path(f"{settings.ADMIN_URL}login/", security.login),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("fansite.api_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH_FLOOR:  # bench/run.py's baseline; off unless BENCH_FLOOR=1
    urlpatterns.append(path("bench/floor/", views.bench_floor, name="bench-floor"))

handler404 = "fansite.views.page_not_found"
