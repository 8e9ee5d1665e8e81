from django.urls import path

from catalog import views
from catalog.feeds import MemberVideosFeed, NewVideosFeed

app_name = "catalog"

urlpatterns = [
    path("releases/", views.release_list, name="release-list"),
    path("releases/<slug:slug>/", views.release_detail, name="release-detail"),
    path("videos/", views.video_list, name="video-list"),
    path("videos/<slug:slug>/", views.video_detail, name="video-detail"),
    path("members/", views.member_list, name="member-list"),
    path("members/<slug:slug>/", views.member_detail, name="member-detail"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("timeline/", views.timeline, name="timeline"),
    path("feeds/videos/", NewVideosFeed(), name="feed-videos"),
    path("feeds/members/<slug:slug>/videos/", MemberVideosFeed(), name="feed-member-videos"),
]
