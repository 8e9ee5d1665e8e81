from allauth.account import views as account_views
from allauth.urls import build_provider_urlpatterns
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from community.views import accounts
from fansite import languages, views
from fansite.sitemaps import SITEMAPS
from foundation.page_cache import for_visitors

# Pages for people: English at /…, Korean at /ko/…, Japanese at /ja/… (fansite/languages.py).
pages = [
    path("", for_visitors()(views.home), name="home"),
    # The same results for every visitor (and every fan but staff): kept per query like a page.
    path("search/", for_visitors(params=views.SEARCH_PARAMS)(views.search), name="search"),
    path("", include("catalog.urls")),
    path("", include("community.urls")),
    # Accounts are allauth's (sign-up, confirmation and settings: community/urls.py first). These
    # also answer to the names the site's templates used before allauth.
    path("accounts/login/", accounts.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/password/change/", account_views.password_change, name="password_change"),
    path("accounts/password/reset/", account_views.password_reset, name="password_reset"),
    path("accounts/", include("allauth.account.urls")),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/3rdparty/", include("allauth.socialaccount.urls")),
]

# Addresses for machines, the admin and the language menu: one address each.
urlpatterns = [
    path("language/", languages.switch_language, name="switch-language"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("manifest.webmanifest", views.web_manifest, name="web-manifest"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    # The admin's login is the site's login page (and two-factor).
    path(f"{settings.ADMIN_URL}login/", accounts.admin_login),
    # Where other sites send fans back after signing in there: one address each, whatever the
    # language (each provider knows it by heart).
    path("accounts/", include(build_provider_urlpatterns())),
    path("api/", include("fansite.api_urls")),
    path("live/", include("community.live.urls")),  # the event streams: served by ASGI
    path(settings.ADMIN_URL, admin.site.urls),
    *i18n_patterns(*pages, prefix_default_language=False),
]

if settings.SERVE_MEDIA:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "fansite.views.page_not_found"
