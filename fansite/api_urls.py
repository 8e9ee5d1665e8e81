"""The REST API: /api/v1/ (catalog reads, fans' writes), its OpenAPI schema and its docs page."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from catalog import api as catalog_api
from catalog.api import SLUG_PATTERN
from community.api import accounts, ratings, suggestions, talk, watchlists
from foundation.api import not_found

app_name = "api"

router = DefaultRouter()
# The catalog, read-only.
router.register("members", catalog_api.MemberViewSet, basename="member")
router.register("releases", catalog_api.ReleaseViewSet, basename="release")
router.register("tracks", catalog_api.TrackViewSet, basename="track")
router.register("videos", catalog_api.VideoViewSet, basename="video")
router.register("themes", catalog_api.ThemeViewSet, basename="theme")
router.register("people", catalog_api.PersonViewSet, basename="person")
# What fans do.
router.register("videos", ratings.VideoRatingViewSet, basename="video-rating")
router.register(
    rf"videos/(?P<slug>{SLUG_PATTERN})/comments",
    talk.VideoCommentViewSet,
    basename="video-comment",
)
router.register("comments", talk.CommentViewSet, basename="comment")
router.register("lists", watchlists.WatchlistViewSet, basename="watchlist")
router.register("me/lists", watchlists.MyWatchlistViewSet, basename="my-watchlist")
router.register("suggestions", suggestions.SuggestionViewSet, basename="suggestion")

urlpatterns = [
    path("v1/me/", accounts.MeView.as_view(), name="me"),
    path("v1/me/export/", accounts.MeExportView.as_view(), name="me-export"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's static files, its setup script from this view:
    # nothing inline and nothing from a CDN, so the site's CSP needs no exceptions.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^", not_found),  # anything else under /api/, even with a newline in it
]
