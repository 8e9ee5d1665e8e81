from django.urls import path

from catalog import views
from catalog.feeds import MemberVideosFeed, NewVideosFeed
from catalog.forms import VideoFilterForm
from foundation.page_cache import for_visitors

app_name = "catalog"

# Visitors get these pages from the cache (foundation/page_cache.py) when the query string holds
# only what the page reads: the filters and the page; the talk's order and cursor. Signed-in
# fans get them from one shared copy with their own parts filled in (foundation/fan_pages.py).
VIDEO_LIST_PARAMS = (*VideoFilterForm.base_fields, "page")
VIDEO_PAGE_PARAMS = ("sort", "after")

urlpatterns = [
    path("releases/", views.release_list, name="release-list"),
    path("releases/<slug:slug>/", for_visitors()(views.release_detail), name="release-detail"),
    path("videos/", for_visitors(params=VIDEO_LIST_PARAMS)(views.video_list), name="video-list"),
    path(
        "videos/<slug:slug>/",
        for_visitors(params=VIDEO_PAGE_PARAMS)(views.video_detail),
        name="video-detail",
    ),
    path("members/", views.member_list, name="member-list"),
    path(
        "members/<slug:slug>/",
        for_visitors(params=("page",))(views.member_detail),
        name="member-detail",
    ),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("timeline/", views.timeline, name="timeline"),
    path("art/releases/<slug:slug>/<str:scheme>.svg", views.release_art, name="release-art"),
    path("art/videos/<slug:slug>/<str:scheme>.svg", views.video_art, name="video-art"),
    path("art/members/<slug:slug>/<str:scheme>.svg", views.member_art, name="member-art"),
    path("feeds/videos/", NewVideosFeed(), name="feed-videos"),
    path("feeds/members/<slug:slug>/videos/", MemberVideosFeed(), name="feed-member-videos"),
]
