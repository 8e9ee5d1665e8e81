"""What fans do: accounts and profiles, ratings, watchlists, the watch diary and follows."""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from catalog.images import image_field, process_image, rendition_field
from catalog.models import RATING_SCORES, Member, MusicVideo
from community.fan_rows import KeptRowsQuerySet


def public_name_of(username: str, display_name: str | None) -> str:
    """What a fan is called on the site: the display name they chose, else their username."""
    return display_name or username


class UserQuerySet(models.QuerySet):
    def with_email_state(self) -> UserQuerySet:
        """Each fan with whether their address is confirmed (has_confirmed_email, no query)."""
        from allauth.account.models import EmailAddress

        confirmed = EmailAddress.objects.filter(user=OuterRef("pk"), primary=True, verified=True)
        return self.annotate(primary_email_verified=Exists(confirmed))


class FanManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]  # a dynamic base class
    pass


class User(AbstractUser):
    """A fan's account. Custom from the first migration so community fields can grow here.

    Its e-mail addresses are allauth's EmailAddress rows; `email` is the primary one's."""

    suspended_at = models.DateTimeField(
        null=True, blank=True, help_text="Suspended fans can read but not write."
    )
    suspension_reason = models.CharField(max_length=300, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The site's language for this fan; empty follows the browser."),
    )

    objects: ClassVar[FanManager] = FanManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # "Chaewon" and "chaewon" are the same fan: usernames are unique ignoring case.
            models.UniqueConstraint(Lower("username"), name="community_user_username_ci_unique"),
        ]

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def has_confirmed_email(self) -> bool:
        """Whether the primary address is confirmed: fans write only then. Read with the user
        by User.objects.with_email_state() (as the login backend and API tokens do); one query
        otherwise, once per instance."""
        if "primary_email_verified" not in self.__dict__:
            from allauth.account.models import EmailAddress

            self.primary_email_verified = EmailAddress.objects.filter(
                user=self, primary=True, verified=True
            ).exists()
        return bool(self.primary_email_verified)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        self.__dict__.pop("primary_email_verified", None)
        super().refresh_from_db(*args, **kwargs)

    # A fan built from the identity cache (community/identity.py) comes without their password
    # hash, which the cache doesn't keep, and with what every request asks of it instead: the
    # session's HMAC of it, and whether it is usable (the admin's header asks).
    KEPT_PASSWORD = "_kept_password_facts"

    def _kept_password(self) -> tuple[str, bool] | None:
        if "password" in self.__dict__:  # loaded, or set since
            return None
        kept: tuple[str, bool] | None = self.__dict__.get(self.KEPT_PASSWORD)
        return kept

    def get_session_auth_hash(self) -> str:
        kept = self._kept_password()
        return kept[0] if kept is not None else super().get_session_auth_hash()

    def has_usable_password(self) -> bool:
        kept = self._kept_password()
        return kept[1] if kept is not None else super().has_usable_password()

    @property
    def public_name(self) -> str:
        profile = getattr(self, "profile", None)
        return public_name_of(self.username, profile.display_name if profile else None)

    def get_absolute_url(self) -> str:
        return reverse("community:profile", args=[self.username])


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    bio = models.TextField(_("bio"), max_length=1000, blank=True)
    avatar = image_field(
        "community/avatars/%Y/%m/",
        _("Your picture; it is cropped square."),
        verbose_name=_("avatar"),
    )
    avatar_small = rendition_field("community/avatars/small/%Y/%m/")
    favourite_member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fans",
        verbose_name=_("favourite member"),
    )
    alerts_seen_at = models.DateTimeField(
        null=True, blank=True, help_text="New-video alerts after this are unread."
    )
    credit_corrections = models.BooleanField(
        _("name me on pages I helped correct"),
        default=True,
        help_text=_(
            "Pages list the fans whose corrections they carry under “Contributors”. "
            "Untick to be left out (your profile still lists your accepted corrections)."
        ),
    )

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return self.display_name or str(self.user)

    def save(self, *args: Any, **kwargs: Any) -> None:
        process_image(self, "avatar", "avatar_small", square=True)
        super().save(*args, **kwargs)


class RatingQuerySet(KeptRowsQuerySet["Rating"]):
    fans = ("user",)
    kept = frozenset({"user", "video", "score"})


class Rating(models.Model):
    """One fan's rating of one video, in half-stars: 1 (0.5 star) to 10 (5 stars)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    video = models.ForeignKey(MusicVideo, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(
        choices=[(n, f"{n / 2:g} stars") for n in RATING_SCORES]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "video"], name="community_rating_unique_user_video"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=10), name="community_rating_score_range"
            ),
        ]
        indexes = [
            # A fan's profile and feed show their latest ratings.
            models.Index(fields=["user", "-updated_at"], name="community_rating_recent_idx"),
            # Recounts and the year in review read a video's or a year's ratings.
            models.Index(fields=["video", "score"], name="community_rating_video_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} rated {self.video}: {self.stars:g}★"

    @property
    def stars(self) -> float:
        return self.score / 2


class WatchlistQuerySet(KeptRowsQuerySet["Watchlist"]):
    fans = ("owner",)
    kept = frozenset({"owner", "is_default", "name"})

    def visible_to(self, user: Any) -> WatchlistQuerySet:
        """Public lists, and the viewer's own private ones."""
        if getattr(user, "is_authenticated", False):
            return self.filter(Q(is_public=True) | Q(owner=user))
        return self.filter(is_public=True)


class Watchlist(models.Model):
    DEFAULT_NAME = "Watch later"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlists"
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Public lists appear on your profile and in /lists/."),
    )
    is_default = models.BooleanField(default=False, editable=False)
    item_count = models.PositiveIntegerField(default=0, editable=False)
    follower_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WatchlistQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                "owner", Lower("name"), name="community_watchlist_unique_owner_name"
            ),
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(is_default=True),
                name="community_watchlist_one_default",
            ),
        ]
        indexes = [
            # /lists/: public lists, newest first.
            models.Index(
                fields=["-created_at"],
                condition=Q(is_public=True),
                name="community_watchlist_public_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:watchlist-detail", args=[self.pk])

    @staticmethod
    def default_display_name() -> str:
        """The default list's stock name in the active language (it is stored in English)."""
        # Translators: the name of the private list every fan has, filled by "+ Watch later".
        return gettext("Watch later")

    @property
    def display_name(self) -> str:
        """The name to show fans: the default list's stock name is translated, others are not.

        A default list that kept a name of the fan's own (one they had called "watch later"
        before it became the default) shows that name as it is.
        """
        if self.is_default and self.name == self.DEFAULT_NAME:
            return self.default_display_name()
        return self.name


class WatchlistItemQuerySet(KeptRowsQuerySet["WatchlistItem"]):
    fans = ("watchlist__owner",)
    kept = frozenset({"watchlist", "video"})


class WatchlistItem(models.Model):
    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="items")
    video = models.ForeignKey(MusicVideo, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    note = models.CharField(_("note"), max_length=280, blank=True)
    watched_on = models.DateField(_("watched on"), null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = WatchlistItemQuerySet.as_manager()

    class Meta:
        # Positions may tie for a moment while items move; the id breaks the tie.
        ordering = ["watchlist_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "video"], name="community_watchlistitem_unique_video"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.video} in {self.watchlist}"


class WatchEntry(models.Model):
    """A diary line: this fan watched this video on this day. Rewatches are more lines."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_entries"
    )
    video = models.ForeignKey(MusicVideo, on_delete=models.CASCADE, related_name="+")
    watched_on = models.DateField(_("watched on"))
    note = models.CharField(_("note"), max_length=280, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-watched_on", "-created_at"]
        verbose_name_plural = "watch entries"
        indexes = [
            # The diary and the year in review read one fan's entries by date.
            models.Index(fields=["user", "-watched_on"], name="community_watchentry_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} watched {self.video} on {self.watched_on}"


class FollowQuerySet(KeptRowsQuerySet["Follow"]):
    fans = ("follower",)
    kept = frozenset({"follower", "kind", "member", "watchlist"})


class Follow(models.Model):
    """A fan follows another fan, a watchlist, a member, or the whole group."""

    class Kind(models.TextChoices):
        FAN = "fan", pgettext_lazy("follow target", "Fan")
        LIST = "list", pgettext_lazy("follow target", "Watchlist")
        MEMBER = "member", pgettext_lazy("follow target", "Member")
        GROUP = "group", _("The group")

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following"
    )
    kind = models.CharField(max_length=6, choices=Kind.choices)
    fan = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    watchlist = models.ForeignKey(
        Watchlist, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="fan", fan__isnull=False, watchlist=None, member=None)
                    | Q(kind="list", fan=None, watchlist__isnull=False, member=None)
                    | Q(kind="member", fan=None, watchlist=None, member__isnull=False)
                    | Q(kind="group", fan=None, watchlist=None, member=None)
                ),
                name="community_follow_target_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(fan=models.F("follower")), name="community_follow_not_self"
            ),
            models.UniqueConstraint(
                fields=["follower", "fan"],
                condition=Q(kind="fan"),
                name="community_follow_unique_fan",
            ),
            models.UniqueConstraint(
                fields=["follower", "watchlist"],
                condition=Q(kind="list"),
                name="community_follow_unique_list",
            ),
            models.UniqueConstraint(
                fields=["follower", "member"],
                condition=Q(kind="member"),
                name="community_follow_unique_member",
            ),
            models.UniqueConstraint(
                fields=["follower"],
                condition=Q(kind="group"),
                name="community_follow_unique_group",
            ),
        ]

    def __str__(self) -> str:
        target = self.fan or self.watchlist or self.member or "LE SSERAFIM"
        return f"{self.follower} follows {target}"

    def clean(self) -> None:
        if self.kind == self.Kind.FAN and self.fan_id == self.follower_id:
            raise ValidationError(_("You can't follow yourself."))


class CommentQuerySet(KeptRowsQuerySet["Comment"]):
    """The one reading of talk, for the pages (community.threads) and the API alike."""

    # Kept for the author: their comments held or hidden under a video (community/fan_rows.py).
    fans = ("author",)
    kept = frozenset({"author", "video", "status"})

    def top_level(self) -> CommentQuerySet:
        return self.filter(parent__isnull=True)

    def visible_to(self, user: Any) -> CommentQuerySet:
        """What a viewer sees: held comments only if their own, nothing of fans blocked either
        way.

        Hidden and deleted comments stay in, to be shown as placeholders that keep their threads.
        """
        Status = Comment.Status
        shown = Q(status__in=[Status.VISIBLE, Status.HIDDEN, Status.DELETED])
        if not getattr(user, "is_authenticated", False):
            return self.filter(shown)
        return (
            self.filter(shown | Q(status=Status.HELD, author=user))
            .exclude(author__in=Block.objects.filter(blocker=user).values("blocked"))
            .exclude(author__in=Block.objects.filter(blocked=user).values("blocker"))
        )

    # What a comment shows of its author is their name, their profile's address and their
    # picture, read as columns beside the comment's own: not a fan's row and its profile built
    # as two more model instances per comment, which were a large share of the time of reading
    # a page of talk (docs/performance.md, "Decisions").
    def for_display(self, user: Any) -> CommentQuerySet:
        """visible_to(user), each comment with what a row of talk shows, in the same query:
        author_username, author_display_name and author_avatar (None for a deleted fan's), and
        for a signed-in viewer whether they like it (liked) and reported it (reported)."""
        comments = self.visible_to(user).annotate(
            author_username=F("author__username"),
            author_display_name=F("author__profile__display_name"),
            author_avatar=F("author__profile__avatar_small"),
        )
        if getattr(user, "is_authenticated", False):
            mine = CommentLike.objects.filter(user=user, comment=OuterRef("pk"))
            # Whether the viewer reported it already: "Reported" then, not a second "Report".
            reported = Report.objects.filter(reporter=user, comment=OuterRef("pk"))
            comments = comments.annotate(liked=Exists(mine), reported=Exists(reported))
        return comments


class Comment(models.Model):
    """A fan's comment on a video, or a reply to one (one level deep)."""

    MAX_LENGTH = 3000

    class Status(models.TextChoices):
        VISIBLE = "visible", pgettext_lazy("comment status", "Visible")
        HELD = "held", _("Held for review")
        HIDDEN = "hidden", _("Removed by a moderator")
        DELETED = "deleted", _("Deleted by its author")

    video = models.ForeignKey(MusicVideo, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # a deleted account leaves "a deleted fan" in threads
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        # community_comment_reply_idx (parent, created_at, id) serves lookups by parent; a
        # parent-only index beside it let PostgreSQL sort a whole thread to find its first
        # replies.
        db_index=False,
    )
    # Translators: the text of a comment, as a form field's name.
    body = models.TextField(_("body"), max_length=MAX_LENGTH)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.VISIBLE)
    like_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("moderate_comment", "Can moderate comments and suspend fans")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="community_comment_not_own_parent"
            ),
        ]
        indexes = [
            # A video's thread, newest or oldest first, paged by (created_at, id) keys.
            models.Index(
                fields=["video", "-created_at", "-id"],
                condition=Q(parent__isnull=True),
                name="community_comment_thread_idx",
            ),
            # ... and most liked first.
            models.Index(
                fields=["video", "-like_count", "-id"],
                condition=Q(parent__isnull=True),
                name="community_comment_liked_idx",
            ),
            # Replies under their parent, oldest first, in the (created_at, id) order pages use:
            # the first few of a thread, or the next page after a cursor, are read off the index
            # and the scan stops there, however long the thread.
            models.Index(fields=["parent", "created_at", "id"], name="community_comment_reply_idx"),
            # A fan's profile lists their recent comments.
            models.Index(fields=["author", "-created_at"], name="community_comment_author_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.author or 'a deleted fan'} on {self.video_id}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:video-detail", args=[self.video.slug]) + f"#comment-{self.pk}"


class CommentMoment(models.Model):
    """A moment of the video (in seconds) that a comment cites, like 1:23."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="moments")
    video = models.ForeignKey(MusicVideo, on_delete=models.CASCADE, related_name="+")
    seconds = models.PositiveIntegerField()

    class Meta:
        ordering = ["seconds"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "seconds"], name="community_moment_unique_per_comment"
            ),
        ]
        indexes = [
            # "Most-cited moments" of a video.
            models.Index(fields=["video", "seconds"], name="community_moment_video_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.seconds}s in {self.video_id}"


class CommentLikeQuerySet(KeptRowsQuerySet["CommentLike"]):
    fans = ("user",)
    kept = frozenset({"user", "comment"})


class CommentLike(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_likes"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommentLikeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "comment"], name="community_commentlike_unique_user_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} likes comment {self.comment_id}"


class ReportQuerySet(KeptRowsQuerySet["Report"]):
    fans = ("reporter",)
    kept = frozenset({"reporter", "comment"})


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        HARASSMENT = "harassment", _("Harassment or hate")
        OFF_TOPIC = "off_topic", _("Off-topic")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("report status", "Open")
        DISMISSED = "dismissed", pgettext_lazy("report status", "Dismissed")
        ACTIONED = "actioned", pgettext_lazy("report status", "Acted on")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "comment"], name="community_report_once_per_comment"
            ),
        ]
        indexes = [
            # The moderators' queue: open reports.
            models.Index(
                fields=["comment", "created_at"],
                condition=Q(status="open"),
                name="community_report_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} report on comment {self.comment_id}"


class BlockQuerySet(KeptRowsQuerySet["Block"]):
    fans = ("blocker", "blocked")
    kept = frozenset({"blocker", "blocked"})


class Block(models.Model):
    """A fan blocks another: neither sees the other's comments or replies any more."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BlockQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="community_block_unique"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="community_block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"


class PremiereFollow(models.Model):
    """A fan waits for a video's premiere: they are notified when it begins."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="premiere_follows"
    )
    video = models.ForeignKey(MusicVideo, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the fan was told the premiere began."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "video"], name="community_premierefollow_unique"
            ),
        ]
        indexes = [
            # The premiere task: a video's followers not yet told (and the page's count).
            models.Index(
                fields=["video", "id"],
                condition=Q(notified_at__isnull=True),
                name="community_premiere_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} waits for {self.video}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply to your comment")
        HIDDEN = "hidden", _("Your comment was removed by a moderator")
        RESTORED = "restored", _("Your comment was restored")
        PREMIERE = "premiere", _("A premiere you follow began")
        ACCEPTED = "accepted", _("Your correction was accepted")
        DECLINED = "declined", _("Your correction was declined")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    video = models.ForeignKey(
        MusicVideo, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    suggestion = models.ForeignKey(
        "Suggestion", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header's unread badge and the notifications page.
            models.Index(fields=["recipient", "-created_at"], name="community_notif_recent_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="community_notif_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}"


class ModerationLog(models.Model):
    """Every moderator action, for accountability."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hid a comment")
        RESTORE = "restore", _("Restored a comment")
        APPROVE = "approve", _("Approved a held comment")
        DISMISS = "dismiss", _("Dismissed reports")
        SUSPEND = "suspend", _("Suspended a fan")
        UNSUSPEND = "unsuspend", _("Lifted a suspension")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=9, choices=Action.choices)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.moderator}: {self.get_action_display()}"


class ApiToken(models.Model):
    """A fan's personal API token. Only a hash is stored; the key is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("What the token is for, e.g. my Discord bot.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False, help_text="To recognise the token.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class BlockedEmailQuerySet(models.QuerySet):
    def matching(self, email: str) -> BlockedEmailQuerySet:
        """Entries blocking this address: the address itself, its domain or a parent domain."""
        address = email.strip().lower()
        domain = address.rpartition("@")[2]
        labels = domain.split(".")
        domains = [".".join(labels[i:]) for i in range(len(labels) - 1)] or [domain]
        return self.filter(pattern__in=[address, *domains])


class BlockedEmail(models.Model):
    """An e-mail address or a whole domain that can't be used to sign up."""

    pattern = models.CharField(
        max_length=254,
        help_text=(
            "A full address (spam@example.com) or a domain (example.com), which also covers its "
            "subdomains (mail.example.com)."
        ),
    )
    reason = models.CharField(max_length=300, blank=True, help_text="For the moderators only.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BlockedEmailQuerySet.as_manager()

    class Meta:
        ordering = ["pattern"]
        constraints = [
            models.UniqueConstraint(fields=["pattern"], name="community_blockedemail_unique"),
        ]
        verbose_name = "blocked e-mail address or domain"
        verbose_name_plural = "blocked e-mail addresses and domains"

    def __str__(self) -> str:
        return self.pattern

    def clean(self) -> None:
        self.pattern = self.pattern.strip().lower().removeprefix("@").removeprefix("*.")
        local, at, domain = self.pattern.rpartition("@")
        if (at and not local) or "." not in domain or " " in self.pattern:
            raise ValidationError(
                {
                    "pattern": _(
                        "Enter an address like spam@example.com or a domain like example.com."
                    )
                }
            )


class BlockedIPQuerySet(models.QuerySet["BlockedIP"]):
    def matching(self, ip: str | None) -> list[BlockedIP]:
        """Entries whose network contains this address (checked in Python: the list is short)."""
        try:
            address = ipaddress.ip_address(ip or "")
        except ValueError:
            return []
        return [entry for entry in self if address in entry.ip_network]


class BlockedIP(models.Model):
    """An address or network (CIDR) that can't be used to sign up."""

    network = models.CharField(
        max_length=49,
        help_text="One address (203.0.113.7) or a network (203.0.113.0/24, 2001:db8::/32).",
    )
    reason = models.CharField(max_length=300, blank=True, help_text="For the moderators only.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BlockedIPQuerySet.as_manager()

    class Meta:
        ordering = ["network"]
        constraints = [
            models.UniqueConstraint(fields=["network"], name="community_blockedip_unique"),
        ]
        verbose_name = "blocked IP address or network"
        verbose_name_plural = "blocked IP addresses and networks"

    def __str__(self) -> str:
        return self.network

    @property
    def ip_network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(self.network, strict=False)

    def clean(self) -> None:
        try:
            # Stored normalised, host bits cleared: "203.0.113.7/24" becomes "203.0.113.0/24".
            self.network = str(ipaddress.ip_network(self.network.strip(), strict=False))
        except ValueError:
            raise ValidationError(
                {"network": _("Enter an IP address or a network such as 203.0.113.0/24.")}
            ) from None


# A source's address as fans give it: http(s), a dotted host, no spaces. Looser than Django's
# URLValidator on purpose: the API's schema states this very pattern, so whatever it allows is
# accepted; curators open the page before citing it (catalog's Source checks it again then).
# Spaces and control characters are spelled out: \s means different things in Python and in the
# schema's (JavaScript) regular expressions.
WEB_ADDRESS_PATTERN = (
    r"^https?://[^\x00-\x20\x7f/?#@]+\.[^\x00-\x20\x7f/?#@]+(?:[/?#][^\x00-\x20\x7f]*)?$"
)
web_address_validator = RegexValidator(
    WEB_ADDRESS_PATTERN, _("Enter a web address, like https://example.com/news/1.")
)


class SuggestionQuerySet(models.QuerySet):
    def open(self) -> SuggestionQuerySet:
        return self.filter(status=Suggestion.Status.OPEN)

    def accepted(self) -> SuggestionQuerySet:
        return self.filter(status=Suggestion.Status.ACCEPTED)

    def about(self, records: list[models.Model]) -> SuggestionQuerySet:
        """Suggestions about any of these catalog records (any mix of models)."""
        condition = Q(pk__in=[])
        for record in records:
            condition |= Q(
                content_type=ContentType.objects.get_for_model(record), object_id=record.pk
            )
        return self.filter(condition)


class Suggestion(models.Model):
    """A fan's correction to one fact of a catalog record, with a source, for a curator to
    accept or decline (community.services.suggestions). `field` names the fact as a model
    field ("released_on"); empty, something missing from the record."""

    MAX_LENGTH = 2000
    MAX_MORE_SOURCES = 4

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("suggestion status", "Open")
        ACCEPTED = "accepted", pgettext_lazy("suggestion status", "Accepted")
        DECLINED = "declined", pgettext_lazy("suggestion status", "Declined")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestions"
    )
    # The record is a catalog one (catalog never points back at community).
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("fact"), max_length=50, blank=True)
    current_value = models.CharField(
        max_length=500, blank=True, help_text="What the page said when the fan wrote."
    )
    correction = models.TextField(_("correction"), max_length=MAX_LENGTH)
    source_url = models.CharField(_("source"), max_length=500, validators=[web_address_validator])
    more_sources = models.TextField(
        _("more sources"), max_length=2000, blank=True, help_text="One address a line."
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(
        _("reason"), max_length=500, blank=True, help_text="Why it was declined (the fan sees it)."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("curate_suggestion", "Can accept or decline suggested corrections")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reason=""),
                name="community_suggestion_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(decided_at__isnull=False),
                name="community_suggestion_decided_has_time",
            ),
            models.CheckConstraint(
                condition=Q(source_url__startswith="https://")
                | Q(source_url__startswith="http://"),
                name="community_suggestion_source_scheme",
            ),
        ]
        indexes = [
            # The curators' desk: open suggestions, oldest first.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status="open"),
                name="community_sugg_open_idx",
            ),
            # A fan's profile lists their suggestions, newest first (and counts today's).
            models.Index(fields=["author", "-created_at"], name="community_sugg_author_idx"),
            # A page's "Contributors" line: accepted suggestions about its records.
            models.Index(
                fields=["content_type", "object_id"],
                condition=Q(status="accepted"),
                name="community_sugg_credit_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.content_type.model} {self.object_id}: {self.field or '+'}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def source_urls(self) -> list[str]:
        return [self.source_url, *(u.strip() for u in self.more_sources.splitlines() if u.strip())]
