from django.urls import path

from community.views import (
    accounts,
    diary,
    follows,
    premieres,
    profiles,
    ratings,
    suggestions,
    talk,
    tokens,
    watchlists,
)
from foundation.page_cache import for_visitors

app_name = "community"

urlpatterns = [
    # Accounts (the rest of /accounts/ is allauth's, see fansite/urls.py) and profiles
    path("accounts/signup/", accounts.signup, name="signup"),
    path(
        "accounts/confirm-email/resend/", accounts.confirm_email_resend, name="confirm-email-resend"
    ),
    path("accounts/confirm-email/<str:key>/", accounts.confirm_email, name="confirm-email"),
    path("accounts/settings/", accounts.settings_profile, name="settings"),
    path("accounts/export/", accounts.export_data, name="export"),
    path("accounts/delete/", accounts.delete_account, name="delete-account"),
    path("u/<str:username>/", profiles.profile, name="profile"),
    # Addresses of the accounts pages before allauth
    path("accounts/password_change/", accounts.moved("account_change_password")),
    path("accounts/password_change/done/", accounts.moved("account_change_password")),
    path("accounts/password_reset/", accounts.moved("account_reset_password")),
    path("accounts/password_reset/done/", accounts.moved("account_reset_password_done")),
    path("accounts/reset/done/", accounts.moved("account_login")),
    path("accounts/reset/<str:uidb64>/<str:token>/", accounts.password_reset_link_legacy),
    path("accounts/login/code/", accounts.moved("account_login")),
    path("accounts/two-factor/", accounts.moved("mfa_index")),
    path("accounts/two-factor/backup-codes/", accounts.moved("mfa_view_recovery_codes")),
    path("accounts/two-factor/disable/", accounts.moved("mfa_deactivate_totp")),
    # API tokens
    path("accounts/api-tokens/", tokens.api_tokens, name="api-tokens"),
    path("accounts/api-tokens/<int:pk>/revoke/", tokens.api_token_revoke, name="api-token-revoke"),
    # Ratings and the chart
    path("videos/<slug:slug>/rating/", ratings.rate, name="rate"),
    path("top/", ratings.top, name="top"),
    # Watchlists
    path("lists/", watchlists.public_lists, name="watchlist-list"),
    path("lists/mine/", watchlists.my_lists, name="my-lists"),
    path("lists/new/", watchlists.watchlist_create, name="watchlist-create"),
    # A public list from the page cache for visitors, and from one shared copy for other fans
    # (foundation/fan_pages.py); its writes make it stale (community/services/watchlists.py).
    path(
        "lists/<int:pk>/",
        for_visitors(params=("page",))(watchlists.watchlist_detail),
        name="watchlist-detail",
    ),
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
    # Premieres: wait for one, be told when it begins
    path("videos/<slug:slug>/premiere/follow/", premieres.follow, name="premiere-follow"),
    path("videos/<slug:slug>/premiere/unfollow/", premieres.unfollow, name="premiere-unfollow"),
    # Corrections to the catalog, for the curators to check
    path("suggest/<str:kind>/<int:pk>/", suggestions.suggest, name="suggest"),
    # Talk
    path("videos/<slug:slug>/comments/", talk.comment_create, name="comment-create"),
    path("comments/<int:pk>/", talk.comment_thread, name="comment-thread"),
    path("comments/<int:pk>/go/", talk.comment_go, name="comment-go"),
    path("comments/<int:pk>/reply/", talk.comment_reply, name="comment-reply"),
    path("comments/<int:pk>/edit/", talk.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", talk.comment_delete, name="comment-delete"),
    path("comments/<int:pk>/like/", talk.comment_like, name="comment-like"),
    path("comments/<int:pk>/unlike/", talk.comment_unlike, name="comment-unlike"),
    path("comments/<int:pk>/report/", talk.comment_report, name="comment-report"),
    path("u/<str:username>/block/", talk.block, name="block"),
    path("u/<str:username>/unblock/", talk.unblock, name="unblock"),
    path("notifications/", talk.notifications, name="notifications"),
    path("notifications/read/", talk.notifications_read, name="notifications-read"),
    path("notifications/<int:pk>/", talk.notification_open, name="notification-open"),
]
