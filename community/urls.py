from django.urls import path

from community.views import accounts, diary, follows, profiles, ratings, watchlists

app_name = "community"

urlpatterns = [
    # Accounts and profiles (log in/out and passwords are Django's own views, see fansite/urls.py)
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/settings/", accounts.settings_profile, name="settings"),
    path("accounts/export/", accounts.export_data, name="export"),
    path("accounts/delete/", accounts.delete_account, name="delete-account"),
    path("u/<str:username>/", profiles.profile, name="profile"),
    # Ratings and the chart
    path("videos/<slug:slug>/rating/", ratings.rate, name="rate"),
    path("top/", ratings.top, name="top"),
    # Watchlists
    path("lists/", watchlists.public_lists, name="watchlist-list"),
    path("lists/mine/", watchlists.my_lists, name="my-lists"),
    path("lists/new/", watchlists.watchlist_create, name="watchlist-create"),
    path("lists/<int:pk>/", watchlists.watchlist_detail, name="watchlist-detail"),
    path("lists/<int:pk>/edit/", watchlists.watchlist_edit, name="watchlist-edit"),
    path("lists/<int:pk>/delete/", watchlists.watchlist_delete, name="watchlist-delete"),
    path("lists/<int:pk>/export.<str:fmt>", watchlists.watchlist_export, name="watchlist-export"),
    path("lists/<int:pk>/items/<int:item_pk>/", watchlists.item_update, name="item-update"),
    path("lists/<int:pk>/items/<int:item_pk>/move/", watchlists.item_move, name="item-move"),
    path("lists/<int:pk>/items/<int:item_pk>/remove/", watchlists.item_remove, name="item-remove"),
    path("videos/<slug:slug>/add-to-list/", watchlists.watchlist_add, name="watchlist-add"),
    # The watch diary and the year in review
    path("diary/", diary.diary, name="diary"),
    path("videos/<slug:slug>/watched/", diary.log_watch, name="log-watch"),
    path("diary/<int:pk>/delete/", diary.entry_delete, name="diary-delete"),
    path("u/<str:username>/year/<int:year>/", diary.year_in_review, name="year-in-review"),
    # Follows, the feed of followed fans, and new-video alerts
    path("follow/", follows.follow, name="follow"),
    path("unfollow/", follows.unfollow, name="unfollow"),
    path("feed/", follows.feed, name="feed"),
    path("alerts/", follows.alerts, name="alerts"),
]
