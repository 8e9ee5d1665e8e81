"""What fans do, through the API: ratings, watchlists, comments, their profile and data export.

Serializers validate the request; the services in `community.services` do the writing, exactly as
for the HTML pages, so figures like a video's rating count or a list's item count stay right.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db import transaction
from django.db.models import (
    DateTimeField,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
)
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import BasePagination
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from catalog.api import (
    SLUG_PATTERN,
    PageUrlField,
    RatingSummarySerializer,
    VideoSerializer,
    video_rows,
)
from catalog.models import MusicVideo, Status
from community import text, threads
from community.authentication import KEYWORD
from community.models import Comment, CommentLike, Report, User, Watchlist, WatchlistItem
from community.permissions import IsActiveFanOrReadOnly, IsOwnerOrReadOnly
from community.services import talk
from community.services import watchlists as watchlist_services
from community.services.accounts import account_export, profile_for
from community.services.ratings import NotAllowed, rating_remove, rating_set, refresh_figures
from fansite.api import (
    NON_FIELD,
    Conflict,
    MissingReference,
    StrictBooleanField,
    StrictCharField,
    StrictDateField,
    StrictIntegerField,
    StrictSlugField,
)
from fansite.api_schema import conflict_response

FAN_PERMISSIONS = [IsAuthenticated, IsActiveFanOrReadOnly]


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (drf-spectacular registers subclasses as they load)."""

    target_class = "community.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        scheme: dict[str, str] = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=KEYWORD
        )
        scheme["description"] = f"`{KEYWORD} <key>`; make a key at /accounts/api-tokens/."
        return scheme


def _fan(request: Request) -> User:
    """The signed-in fan, in views whose permissions let nobody else in."""
    user = request.user
    assert user.is_authenticated
    return user


@contextmanager
def clashes_as_conflict() -> Iterator[None]:
    """The serializer has checked the request's shape; what a service still refuses (a taken
    name, a duplicate, the default list) clashes with what exists: 409, naming the field."""
    try:
        yield
    except DjangoValidationError as error:
        raise Conflict(as_serializer_error(error)) from None


# ---- Ratings ------------------------------------------------------------------------------------


class RatingInputSerializer(serializers.Serializer):
    score = StrictIntegerField(
        min_value=1, max_value=10, help_text="Half-stars: 1 is half a star, 10 is five stars."
    )


class RatingSerializer(serializers.Serializer):
    video = serializers.SlugField(source="video.slug")
    score = serializers.IntegerField(min_value=1, max_value=10)
    stars = serializers.FloatField()
    updated_at = serializers.DateTimeField()
    summary = RatingSummarySerializer(source="video", help_text="The video's figures, now.")


class VideoRatingViewSet(viewsets.GenericViewSet):
    """videos/{slug}/rating/: the signed-in fan's own rating of a published video."""

    queryset = MusicVideo.objects.published()
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    permission_classes = FAN_PERMISSIONS
    serializer_class = RatingSerializer

    @extend_schema(summary="Your rating of this video", responses=RatingSerializer)
    @action(detail=True, url_path="rating", pagination_class=None)
    def rating(self, request: Request, slug: str) -> Response:
        video = self.get_object()
        rating = get_object_or_404(video.ratings.filter(user=request.user))
        rating.video = video
        return Response(RatingSerializer(rating).data)

    @extend_schema(
        summary="Rate this video, or change your rating",
        request=RatingInputSerializer,
        responses=RatingSerializer,
        examples=[
            OpenApiExample("Four and a half stars", request_only=True, value={"score": 9}),
        ],
    )
    @rating.mapping.put
    def set_rating(self, request: Request, slug: str) -> Response:
        video = self.get_object()
        serializer = RatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            rating = rating_set(
                user=_fan(request), video=video, score=serializer.validated_data["score"]
            )
        except NotAllowed:  # unpublished since get_object() read it
            raise NotFound(_("No published video has this slug.")) from None
        refresh_figures(video)  # the answer shows them
        rating.video = video
        return Response(RatingSerializer(rating).data)

    @extend_schema(summary="Remove your rating (nothing happens if there is none)")
    @rating.mapping.delete
    def remove_rating(self, request: Request, slug: str) -> Response:
        rating_remove(user=_fan(request), video=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---- Watchlists ---------------------------------------------------------------------------------


class FanSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(source="public_name", read_only=True)

    class Meta:
        model = User
        fields = ["username", "display_name"]


class WatchlistSerializer(serializers.ModelSerializer):
    owner = FanSerializer(read_only=True)
    page_url = PageUrlField()
    name = StrictCharField(
        max_length=80,
        # Something besides spaces (which are trimmed) and no NUL: the schema's pattern says so.
        validators=[
            RegexValidator(r"^[^\x00]*[^\s\x00][^\x00]*$", gettext_lazy("Give the list a name."))
        ],
        help_text="Unique among your lists.",
    )
    description = StrictCharField(max_length=2000, allow_blank=True, default="")
    is_public = StrictBooleanField(default=False, help_text="Public lists appear in /lists/.")

    class Meta:
        model = Watchlist
        fields = [
            "id",
            "name",
            "description",
            "is_public",
            "is_default",
            "item_count",
            "follower_count",
            "owner",
            "created_at",
            "updated_at",
            "page_url",
        ]
        read_only_fields = ["is_default", "item_count", "follower_count"]


class WatchlistItemSerializer(serializers.ModelSerializer):
    video = VideoSerializer(read_only=True)
    position = serializers.IntegerField(
        read_only=True, help_text="Items are listed by this, smallest first; gaps are possible."
    )

    class Meta:
        model = WatchlistItem
        fields = ["id", "position", "video", "note", "watched_on", "added_at"]


class WatchlistDetailSerializer(WatchlistSerializer):
    items = WatchlistItemSerializer(
        many=True, read_only=True, source="visible_items", help_text="In order."
    )

    class Meta(WatchlistSerializer.Meta):
        fields = [*WatchlistSerializer.Meta.fields, "items"]


class ItemCreateSerializer(serializers.Serializer):
    video = StrictSlugField(help_text="The slug of a published video.")
    note = StrictCharField(max_length=280, required=False, default="", allow_blank=True)


class ItemUpdateSerializer(serializers.Serializer):
    note = StrictCharField(max_length=280, required=False, allow_blank=True)
    watched_on = StrictDateField(required=False, allow_null=True, help_text="Not in the future.")
    move_to = StrictIntegerField(
        required=False,
        min_value=1,
        help_text="Move the item to this place in the list, 1 being the top (past the end: last).",
    )


def _visible_items() -> Prefetch:
    """A list's items whose videos are published, in order, each shaped as a video row."""
    items = WatchlistItem.objects.filter(video__status=Status.PUBLISHED).prefetch_related(
        Prefetch("video", queryset=video_rows(MusicVideo.objects.all()))
    )
    return Prefetch("items", queryset=items, to_attr="visible_items")


WATCHLIST_EXAMPLE = {
    "id": 7,
    "name": "Comeback marathon",
    "description": "Every title track, in order.",
    "is_public": True,
    "is_default": False,
    "item_count": 12,
    "follower_count": 3,
    "owner": {"username": "fearnot", "display_name": "FEARNOT"},
    "created_at": "2025-03-01T10:00:00Z",
    "updated_at": "2025-03-02T09:30:00Z",
    "page_url": "https://fans.example/lists/7/",
}


@extend_schema_view(
    list=extend_schema(summary="Public watchlists, newest first"),
    retrieve=extend_schema(summary="A watchlist with its items (a private one only for you)"),
)
class WatchlistViewSet(viewsets.ReadOnlyModelViewSet):
    """lists/: anyone reads public lists; a private list is a 404 for everyone but its owner."""

    permission_classes = [AllowAny]
    queryset = Watchlist.objects.none()
    serializer_class = WatchlistSerializer

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return WatchlistDetailSerializer if self.action == "retrieve" else WatchlistSerializer

    def get_queryset(self) -> QuerySet[Watchlist]:
        if self.action == "retrieve":
            return (
                Watchlist.objects.visible_to(self.request.user)
                .select_related("owner__profile")
                .prefetch_related(_visible_items())
            )
        return (
            Watchlist.objects.filter(is_public=True)
            .select_related("owner__profile")
            .order_by("-created_at", "-id")
        )


ITEM_ID = OpenApiParameter("item_id", int, OpenApiParameter.PATH, description="The item's id.")


@extend_schema_view(
    list=extend_schema(summary="Your lists, public and private"),
    create=extend_schema(
        summary="Make a list",
        responses={201: WatchlistSerializer, **conflict_response()},
        examples=[
            OpenApiExample(
                "A public list",
                request_only=True,
                value={"name": "Comeback marathon", "description": "", "is_public": True},
            ),
            OpenApiExample(
                "Made", response_only=True, status_codes=["201"], value=WATCHLIST_EXAMPLE
            ),
        ],
    ),
    partial_update=extend_schema(
        summary="Rename a list, or change its description or privacy",
        responses={200: WatchlistSerializer, **conflict_response()},
    ),
    destroy=extend_schema(
        summary="Delete a list (not your “Watch later”) with its items",
        responses={204: None, **conflict_response()},
    ),
)
class MyWatchlistViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """me/lists/: the signed-in fan's own lists and their items."""

    permission_classes = [*FAN_PERMISSIONS, IsOwnerOrReadOnly]
    queryset = Watchlist.objects.none()
    serializer_class = WatchlistSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]  # no PUT

    def get_queryset(self) -> QuerySet[Watchlist]:
        lists = Watchlist.objects.select_related("owner__profile")
        if self.action == "list":
            return lists.filter(owner=_fan(self.request))
        # Any list the fan can see: someone else's public list is then a 403 (IsOwnerOrReadOnly)
        # and their private one a 404, as on the pages.
        return lists.visible_to(self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with clashes_as_conflict():
            serializer.instance = watchlist_services.watchlist_create(
                owner=_fan(self.request), **serializer.validated_data
            )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        watchlist = serializer.instance
        assert isinstance(watchlist, Watchlist)  # an update has its object
        data = serializer.validated_data
        with clashes_as_conflict():
            watchlist_services.watchlist_update(
                watchlist=watchlist,
                name=data.get("name", watchlist.name),
                description=data.get("description", watchlist.description),
                is_public=data.get("is_public", watchlist.is_public),
            )

    def perform_destroy(self, instance: Watchlist) -> None:
        with clashes_as_conflict():
            watchlist_services.watchlist_delete(watchlist=instance)

    @extend_schema(
        summary="Add a published video to the end of your list",
        request=ItemCreateSerializer,
        responses={201: WatchlistItemSerializer, **conflict_response()},
        examples=[
            OpenApiExample(
                "With a note", request_only=True, value={"video": "easy", "note": "For Sunday"}
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="items")
    def add_item(self, request: Request, pk: str) -> Response:
        watchlist = self.get_object()
        serializer = ItemCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        video = MusicVideo.objects.published().filter(slug=data["video"]).first()
        if video is None:
            raise MissingReference({"video": [_("No published video has this slug.")]})
        with clashes_as_conflict():
            item = watchlist_services.watchlist_add_video(
                watchlist=watchlist, video=video, note=data["note"]
            )
        body = WatchlistItemSerializer(item, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _get_item(self, item_id: str) -> WatchlistItem:
        watchlist = self.get_object()  # 404 or 403 unless it is the fan's own
        item = get_object_or_404(
            WatchlistItem.objects.select_related("video"), pk=item_id, watchlist=watchlist
        )
        item.watchlist = watchlist
        return item

    @extend_schema(
        summary="Change an item's note or watched date, or move it",
        parameters=[ITEM_ID],
        request=ItemUpdateSerializer,
        responses=WatchlistItemSerializer,
        examples=[
            OpenApiExample(
                "Watched, and moved to the top",
                request_only=True,
                value={"watched_on": "2025-03-02", "move_to": 1},
            )
        ],
    )
    @action(detail=True, methods=["patch"], url_path=r"items/(?P<item_id>\d+)")
    def item(self, request: Request, pk: str, item_id: str) -> Response:
        item = self._get_item(item_id)
        serializer = ItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():  # all the changes asked for, or none
            if "note" in data or "watched_on" in data:
                watchlist_services.item_update(
                    item=item,
                    note=data.get("note", item.note),
                    watched_on=data.get("watched_on", item.watched_on),
                )
            if "move_to" in data:
                watchlist_services.item_move(item=item, direction=data["move_to"])
        return Response(WatchlistItemSerializer(item, context=self.get_serializer_context()).data)

    @extend_schema(summary="Take an item off your list", parameters=[ITEM_ID])
    @item.mapping.delete
    def remove_item(self, request: Request, pk: str, item_id: str) -> Response:
        watchlist_services.item_remove(item=self._get_item(item_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---- Comments -----------------------------------------------------------------------------------
# The thread as the video page shows it (community.threads.visible_to: held comments only for
# their author, nothing of fans blocked either way, placeholders for hidden and deleted ones), in
# keyset pages; every write goes through community.services.talk.

CommentStatus = Comment.Status


def _displayed(comments: QuerySet[Comment], user: Any) -> QuerySet[Comment]:
    """The comments the viewer sees, with what a row shows (1 query, however many)."""
    comments = threads.visible_to(comments, user).select_related("author__profile")
    if user.is_authenticated:
        mine = CommentLike.objects.filter(user=user, comment=OuterRef("pk"))
        comments = comments.annotate(liked=Exists(mine))
    return comments


def _prepare(comments: Iterable[Comment], user: Any) -> None:
    """What a client may see of each comment, as attributes the serializers read.

    Deleted comments and (for all but their author) hidden ones are placeholders: no author,
    body or moments, just their place in the thread. Moments are the body's, as the service
    stored them, read off the text rather than fetched.
    """
    viewer = user.pk if user.is_authenticated else None
    for comment in comments:
        comment.is_mine = viewer is not None and comment.author_id == viewer  # type: ignore[attr-defined]  # attached for the serializer
        placeholder = comment.status == CommentStatus.DELETED or (
            comment.status == CommentStatus.HIDDEN and not comment.is_mine  # type: ignore[attr-defined]  # attached above
        )
        comment.shown_author = None if placeholder else comment.author  # type: ignore[attr-defined]  # attached for the serializer
        comment.shown_body = None if placeholder else comment.body  # type: ignore[attr-defined]  # attached for the serializer
        comment.moment_list = (  # type: ignore[attr-defined]  # attached for the serializer
            [] if placeholder else text.moment_seconds(comment.body)[: talk.MAX_MOMENTS]
        )
        comment.liked_by_me = (  # type: ignore[attr-defined]  # attached for the serializer
            None if viewer is None else bool(getattr(comment, "liked", False))
        )


def _refusal(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's refusal: about a field (the body), the request is wrong (400); otherwise the
    comment's state forbids it (hidden, already reported…), a clash with what exists (409)."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(as_serializer_error(error))
    return Conflict({NON_FIELD: error.messages})


class _Row(Func):
    """(a, b) as an SQL row value, as community.threads compares keys."""

    function = ""
    template = "(%(expressions)s)"


class CommentCursorPagination(BasePagination):
    """Keyset pages of a video's top-level comments, as the video page pages them: an opaque
    `cursor` holds the (key, id) of the comment a page starts after (or, going back, before).
    No OFFSET and no COUNT, so a deep page costs what the first does, and comments posted
    meanwhile neither repeat nor skip any in newest or oldest order."""

    cursor_query_param = "cursor"
    ordering_query_param = "ordering"
    page_size_query_param = "page_size"
    page_size = threads.PAGE_SIZE
    max_page_size = 100
    orderings = tuple(threads.SORTS)  # newest, oldest, liked
    default_ordering = threads.DEFAULT_SORT
    counted = "Comments"
    invalid_cursor = gettext_lazy(
        "This cursor is not valid (for this ordering): start again without one."
    )

    request: Request
    sort: str
    next_link: str | None = None
    previous_link: str | None = None

    def _ordering(self, request: Request) -> str:
        if len(self.orderings) == 1:  # nothing to choose
            return self.default_ordering
        sort = request.query_params.get(self.ordering_query_param, self.default_ordering)
        if sort not in self.orderings:
            choices = ", ".join(self.orderings)
            raise serializers.ValidationError(
                {self.ordering_query_param: [_("Choose %(choices)s.") % {"choices": choices}]}
            )
        return sort

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise serializers.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Choose a whole number from 1 to %(maximum)d.")
                        % {"maximum": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def _decode(self, raw: str) -> tuple[bool, datetime | int, int]:
        """(backwards?, key, id) from a cursor; a 404 for anything this API didn't hand out."""
        direction, rest = raw[:1], raw[1:]
        position = threads.decode_cursor(self.sort, rest) if direction in ("n", "p") else None
        if position is None:  # malformed, or out of the database's range
            raise NotFound(self.invalid_cursor)
        key, pk = position
        return direction == "p", key, pk

    def _link(self, backwards: bool, key: datetime | int, pk: int) -> str:
        cursor = ("p" if backwards else "n") + threads.encode_cursor(self.sort, key, pk)
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, cursor
        )

    def _key(self, comment: Comment) -> datetime | int:
        return getattr(comment, threads.SORTS[self.sort][1])

    def paginate_queryset(  # type: ignore[override]  # pages comments only
        self, queryset: QuerySet[Comment], request: Request, view: Any = None
    ) -> list[Comment]:
        self.request = request
        self.sort = self._ordering(request)
        size = self._page_size(request)
        raw = request.query_params.get(self.cursor_query_param)
        field = threads.SORTS[self.sort][1]
        ascending = self.sort in threads.ASCENDING
        order = [field, "pk"] if ascending else [f"-{field}", "-pk"]
        output = DateTimeField() if field == "created_at" else IntegerField()
        rows: QuerySet[Comment] = queryset.alias(position=_Row(field, "id", output_field=output))

        if raw is None:
            page = list(rows.order_by(*order)[: size + 1])
            self.next_link = (
                self._link(False, *self._at(page[size - 1])) if len(page) > size else None
            )
            self.previous_link = None
            return page[:size]

        backwards, key, pk = self._decode(raw)
        cursor = _Row(Value(key), Value(pk), output_field=output)
        if not backwards:
            beyond = "gt" if ascending else "lt"
            page = list(rows.filter(**{f"position__{beyond}": cursor}).order_by(*order)[: size + 1])
            more, page = len(page) > size, page[:size]
            self.next_link = self._link(False, *self._at(page[-1])) if more else None
            # Back to the page ending with the cursor's comment: "before" the one after it.
            first = self._at(page[0]) if page else (key, pk + (1 if ascending else -1))
            self.previous_link = self._link(True, *first)
            return page
        before = "lt" if ascending else "gt"
        reverse = [f"-{field}", "-pk"] if ascending else [field, "pk"]
        page = list(rows.filter(**{f"position__{before}": cursor}).order_by(*reverse)[: size + 1])
        more, page = len(page) > size, page[:size][::-1]
        self.previous_link = self._link(True, *self._at(page[0])) if more else None
        last = self._at(page[-1]) if page else (key, pk + (-1 if ascending else 1))
        self.next_link = self._link(False, *last)
        return page

    def _at(self, comment: Comment) -> tuple[datetime | int, int]:
        return self._key(comment), comment.pk

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.next_link, "previous": self.previous_link, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    **link,
                    "description": "The next page, or null at the end.",
                    "example": "https://fans.example/api/v1/videos/easy/comments/?cursor=nbmV3ZXN0",
                },
                "previous": {
                    **link,
                    "description": "The page before, or null at the start.",
                    "example": None,
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        ordering = {
            "name": self.ordering_query_param,
            "in": "query",
            "required": False,
            "description": "newest or oldest first, or the most liked first.",
            "schema": {
                "type": "string",
                "enum": list(self.orderings),
                "default": self.default_ordering,
            },
        }
        return [
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Where the page starts: take it from `next` or `previous`.",
                "schema": {"type": "string"},
            },
            *([ordering] if len(self.orderings) > 1 else []),
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"{self.counted} per page (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class ReplyCursorPagination(CommentCursorPagination):
    """Keyset pages of a thread's replies, oldest first (the one order a conversation reads in),
    by the same cursors: a thread of 10,000 replies pages like one of ten."""

    page_size = threads.REPLIES_PAGE_SIZE
    orderings = (threads.REPLY_SORT,)
    default_ordering = threads.REPLY_SORT
    counted = "Replies"


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(  # type: ignore[assignment]  # the API's name: not Field.parent
        source="parent_id", allow_null=True, help_text="The comment replied to; null at the top."
    )
    status = serializers.ChoiceField(
        choices=CommentStatus.choices,
        help_text=(
            "`held` (waiting for a moderator) is shown to its author only; `hidden` (removed by "
            "a moderator) and `deleted` are placeholders keeping their thread."
        ),
    )
    author = FanSerializer(
        source="shown_author",
        allow_null=True,
        help_text="Null for a deleted fan's comment, and for placeholders.",
    )
    body = serializers.CharField(
        source="shown_body",
        allow_null=True,
        help_text="Plain text as written (render it as text, linking addresses yourself); "
        "null for placeholders.",
    )
    moments = serializers.ListField(
        source="moment_list",
        child=serializers.IntegerField(min_value=0),
        help_text="The moments of the video the body cites (like 1:23), in seconds, in order.",
    )
    like_count = serializers.IntegerField(min_value=0)
    reply_count = serializers.IntegerField(min_value=0, help_text="Visible replies.")
    liked_by_me = serializers.BooleanField(
        allow_null=True, help_text="Whether you like it; null when nobody is signed in."
    )
    is_mine = serializers.BooleanField(help_text="Whether you wrote it.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)


class ThreadCommentSerializer(CommentSerializer):
    replies = CommentSerializer(
        source="thread_replies",
        many=True,
        help_text=f"Its first {threads.REPLIES_SHOWN} replies, oldest first.",
    )
    more_replies = serializers.BooleanField(
        help_text="Whether it has more replies than these: page through them all at "
        "comments/{id}/replies/."
    )


# Something besides spaces (which are trimmed) and no NUL: the schema's pattern says so.
_SOMETHING = RegexValidator(r"^[^\x00]*[^\s\x00][^\x00]*$", gettext_lazy("Write something first."))


class CommentBodyField(StrictCharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_length=Comment.MAX_LENGTH,
            validators=[_SOMETHING],
            error_messages={"blank": gettext_lazy("Write something first.")},
            help_text=(
                f"Plain text, up to {Comment.MAX_LENGTH:,} characters and {talk.MAX_LINKS} links. "
                "A new account's comment with a link waits for a moderator (`status: held`)."
            ),
            **kwargs,
        )


class CommentCreateSerializer(serializers.Serializer):
    body = CommentBodyField()
    parent = StrictIntegerField(  # type: ignore[assignment]  # the API's name: not Field.parent
        required=False,
        allow_null=True,
        min_value=1,
        max_value=threads.DB_INT - 1,
        help_text="Reply to this comment of the same video (a reply to a reply joins its thread).",
    )


class CommentEditSerializer(serializers.Serializer):
    body = CommentBodyField(required=False)  # a PATCH without it changes nothing


class CommentLikeSerializer(serializers.Serializer):
    liked = serializers.BooleanField(help_text="Whether you like it now.")
    like_count = serializers.IntegerField(min_value=0)


class ReportSerializer(serializers.ModelSerializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    note = StrictCharField(
        max_length=500,
        required=False,
        default="",
        allow_blank=True,
        help_text="Anything the moderators should know.",
    )

    class Meta:
        model = Report
        fields = ["id", "comment", "reason", "note", "created_at"]
        read_only_fields = ["id", "comment", "created_at"]


VIDEO_SLUG = OpenApiParameter(
    "slug",
    str,
    OpenApiParameter.PATH,
    pattern=f"^{SLUG_PATTERN}$",
    description="The slug of a published video.",
)

COMMENT_EXAMPLE = {
    "id": 41,
    "parent": None,
    "status": "visible",
    "author": {"username": "fearnot", "display_name": "FEARNOT"},
    "body": "The key change at 2:47!",
    "moments": [167],
    "like_count": 12,
    "reply_count": 1,
    "liked_by_me": False,
    "is_mine": True,
    "created_at": "2025-03-01T10:00:00Z",
    "edited_at": None,
}


@extend_schema_view(
    list=extend_schema(
        summary="A video's comments with their replies",
        parameters=[VIDEO_SLUG],
        examples=[
            OpenApiExample(
                "A page",
                response_only=True,
                value={**COMMENT_EXAMPLE, "replies": []},
            )
        ],
    ),
    create=extend_schema(
        summary="Comment on a video, or reply to a comment",
        parameters=[VIDEO_SLUG],
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
        examples=[
            OpenApiExample(
                "A comment", request_only=True, value={"body": "The key change at 2:47!"}
            ),
            OpenApiExample("A reply", request_only=True, value={"body": "Yes!", "parent": 41}),
            OpenApiExample(
                "Posted", response_only=True, status_codes=["201"], value=COMMENT_EXAMPLE
            ),
        ],
    ),
)
class VideoCommentViewSet(viewsets.GenericViewSet):
    """videos/{slug}/comments/: a published video's talk, read by anyone, written by fans."""

    # IsAuthenticatedOrReadOnly too, so the schema says reading needs no sign-in.
    permission_classes = [IsAuthenticatedOrReadOnly, IsActiveFanOrReadOnly]
    pagination_class = CommentCursorPagination
    queryset = Comment.objects.none()
    serializer_class = ThreadCommentSerializer

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return CommentCreateSerializer if self.action == "create" else ThreadCommentSerializer

    def _video(self) -> MusicVideo:
        video = MusicVideo.objects.published().filter(slug=self.kwargs["slug"]).first()
        if video is None:
            raise NotFound(_("No published video has this slug."))
        return video

    def list(self, request: Request, slug: str) -> Response:
        """3 queries whatever the page size or the threads' sizes: the video, a page of
        comments, the first few replies of each (the rest are comments/{id}/replies/)."""
        video = self._video()
        user = request.user
        top = _displayed(Comment.objects.filter(video=video, parent__isnull=True), user)
        page = self.paginate_queryset(top.annotate(**threads.first_replies(user)))
        assert page is not None  # the view always pages
        shown = [
            pk
            for comment in page
            for n in range(threads.REPLIES_SHOWN)
            if (pk := getattr(comment, f"first_reply_{n}")) is not None
        ]
        replies: dict[int, list[Comment]] = {comment.pk: [] for comment in page}
        if shown:
            rows = _displayed(Comment.objects.filter(pk__in=shown), user)
            for reply in rows.order_by("created_at", "pk"):
                replies[reply.parent_id].append(reply)  # type: ignore[index]  # a reply has a parent
        for comment in page:
            comment.thread_replies = replies[comment.pk]  # type: ignore[attr-defined]  # attached for the serializer
            more = getattr(comment, f"first_reply_{threads.REPLIES_SHOWN}") is not None
            comment.more_replies = more  # type: ignore[attr-defined]  # attached for the serializer
            _prepare([comment, *comment.thread_replies], user)  # type: ignore[attr-defined]  # attached above
        return self.get_paginated_response(ThreadCommentSerializer(page, many=True).data)

    def create(self, request: Request, slug: str) -> Response:
        video = self._video()
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        parent = None
        if data.get("parent") is not None:
            visible = threads.visible_to(Comment.objects.all(), request.user)
            parent = visible.filter(pk=data["parent"]).first()
            if parent is None:
                raise MissingReference({"parent": [_("No comment has this id.")]})
            if parent.video_id != video.pk:
                raise serializers.ValidationError(
                    {"parent": [_("That comment is on another video.")]}
                )
        try:
            comment = talk.comment_create(
                author=_fan(request), video=video, body=data["body"], parent=parent
            )
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                raise serializers.ValidationError(as_serializer_error(error)) from None
            # The one refusal left is about the comment replied to (held, hidden, deleted).
            raise serializers.ValidationError({"parent": error.messages}) from None
        except Comment.DoesNotExist:  # deleted while the fan was typing
            raise MissingReference({"parent": [_("No comment has this id.")]}) from None
        _prepare([comment], request.user)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


COMMENT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The comment's id.")


@extend_schema_view(
    partial_update=extend_schema(
        summary="Edit your comment",
        parameters=[COMMENT_ID],
        request=CommentEditSerializer,
        responses={200: CommentSerializer, **conflict_response()},
        examples=[OpenApiExample("New text", request_only=True, value={"body": "Edited: 2:48!"})],
    ),
    destroy=extend_schema(
        summary="Delete your comment (one with replies leaves a placeholder)",
        parameters=[COMMENT_ID],
        responses={204: None},
    ),
)
class CommentViewSet(viewsets.GenericViewSet):
    """comments/{id}/: what fans do to a comment they can see. Its author edits and deletes it
    (anyone else: 403); a comment the fan can't see is a 404."""

    permission_classes = [IsAuthenticated, IsActiveFanOrReadOnly]
    queryset = Comment.objects.none()
    serializer_class = CommentSerializer

    def get_queryset(self) -> QuerySet[Comment]:
        comments = Comment.objects.filter(video__status=Status.PUBLISHED)
        return _displayed(comments, self.request.user)

    def _own(self) -> Comment:
        comment: Comment = self.get_object()
        if comment.status == CommentStatus.DELETED:
            raise NotFound(_("This comment was deleted."))
        if comment.author_id != self.request.user.pk:
            raise PermissionDenied(_("Only its author can change this comment."))
        return comment

    def partial_update(self, request: Request, pk: str) -> Response:
        comment = self._own()
        serializer = CommentEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "body" not in serializer.validated_data:
            _prepare([comment], request.user)
            return Response(CommentSerializer(comment).data)
        try:
            edited = talk.comment_edit(
                comment=comment, editor=_fan(request), body=serializer.validated_data["body"]
            )
        except DjangoValidationError as error:
            raise _refusal(error) from None
        except Comment.DoesNotExist:
            raise NotFound(_("This comment is gone.")) from None
        edited.author = comment.author
        edited.liked = getattr(comment, "liked", False)  # type: ignore[attr-defined]  # attached for the serializer
        _prepare([edited], request.user)
        return Response(CommentSerializer(edited).data)

    def destroy(self, request: Request, pk: str) -> Response:
        try:
            talk.comment_delete(comment=self._own(), user=_fan(request))
        except Comment.DoesNotExist:
            raise NotFound(_("This comment is gone.")) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="A comment's replies, oldest first",
        parameters=[COMMENT_ID],
        responses={200: CommentSerializer(many=True)},
    )
    @action(
        detail=True,
        permission_classes=[IsAuthenticatedOrReadOnly],
        pagination_class=ReplyCursorPagination,
    )
    def replies(self, request: Request, pk: str) -> Response:
        """2 queries whatever the thread's size: the comment, a page of its replies."""
        top = self.get_object()  # a 404 for a comment the fan can't see
        rows = _displayed(Comment.objects.filter(parent=top), request.user)
        page = self.paginate_queryset(rows)
        assert page is not None  # the view always pages
        _prepare(page, request.user)
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    def _likes(self, comment: Comment, liked: bool) -> Response:
        count = Comment.objects.filter(pk=comment.pk).values_list("like_count", flat=True).first()
        return Response(CommentLikeSerializer({"liked": liked, "like_count": count or 0}).data)

    @extend_schema(
        summary="Like another fan's comment (again changes nothing; your own: 403)",
        parameters=[COMMENT_ID],
        request=None,
        responses={200: CommentLikeSerializer, **conflict_response()},
    )
    @action(detail=True, methods=["post"], url_path="like")
    def like(self, request: Request, pk: str) -> Response:
        comment = self.get_object()
        if comment.author_id == request.user.pk:
            # As for reporting: this fan may not like this comment, so a 403.
            raise PermissionDenied(talk.OWN_LIKE)
        try:
            talk.comment_like(user=_fan(request), comment=comment)
        except DjangoValidationError as error:  # a placeholder or a held comment
            raise _refusal(error) from None
        return self._likes(comment, liked=True)

    @extend_schema(
        summary="Stop liking a comment (nothing happens if you didn't)",
        parameters=[COMMENT_ID],
        request=None,
        responses={200: CommentLikeSerializer},
    )
    @like.mapping.delete
    def unlike(self, request: Request, pk: str) -> Response:
        comment = self.get_object()
        talk.comment_unlike(user=_fan(request), comment=comment)
        return self._likes(comment, liked=False)

    @extend_schema(
        summary="Report a comment to the moderators (once)",
        parameters=[COMMENT_ID],
        request=ReportSerializer,
        responses={201: ReportSerializer, **conflict_response()},
        examples=[
            OpenApiExample(
                "Spam", request_only=True, value={"reason": "spam", "note": "Same link everywhere"}
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str) -> Response:
        comment = self.get_object()
        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if comment.author_id == request.user.pk:
            # Not a malformed request: this fan may not report this comment (as only its author
            # may change it), so a 403 like that one.
            raise PermissionDenied(_("You can't report your own comment."))
        data = serializer.validated_data
        try:
            report = talk.report_create(
                reporter=_fan(request), comment=comment, reason=data["reason"], note=data["note"]
            )
        except DjangoValidationError as error:  # reported already; not visible
            raise _refusal(error) from None
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


# ---- The fan's own account ----------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    date_joined = serializers.DateTimeField()
    is_suspended = serializers.BooleanField(help_text="Suspended fans can read but not write.")
    display_name = serializers.CharField(source="profile.display_name", allow_blank=True)
    bio = serializers.CharField(source="profile.bio", allow_blank=True)
    avatar = serializers.ImageField(source="profile.avatar_small", allow_null=True)
    favourite_member = serializers.SlugField(
        source="profile.favourite_member.slug", allow_null=True, help_text="A member's slug."
    )
    profile_url = PageUrlField()


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="You: your account and public profile", responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = _fan(request)
        user.profile = profile_for(user)
        return Response(MeSerializer(user, context={"request": request}).data)


class ExportAccountSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    date_joined = serializers.DateTimeField(allow_null=True)


class ExportProfileSerializer(serializers.Serializer):
    display_name = serializers.CharField(allow_blank=True)
    bio = serializers.CharField(allow_blank=True)
    avatar = serializers.CharField(allow_null=True, help_text="The picture's address.")
    favourite_member = serializers.CharField(allow_null=True, help_text="A member's slug.")


class ExportRatingSerializer(serializers.Serializer):
    video = serializers.CharField()
    title = serializers.CharField()
    score = serializers.IntegerField(min_value=1, max_value=10)
    stars = serializers.FloatField()
    created_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class ExportItemSerializer(serializers.Serializer):
    video = serializers.CharField()
    title = serializers.CharField()
    position = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)
    watched_on = serializers.DateField(allow_null=True)
    added_at = serializers.DateTimeField(allow_null=True)


class ExportWatchlistSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    public = serializers.BooleanField()
    default = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)
    items = ExportItemSerializer(many=True)


class ExportDiarySerializer(serializers.Serializer):
    video = serializers.CharField()
    title = serializers.CharField()
    watched_on = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class ExportFollowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    fan = serializers.CharField(allow_null=True)
    watchlist = serializers.CharField(allow_null=True)
    member = serializers.CharField(allow_null=True)
    since = serializers.DateTimeField(allow_null=True)


class ExportSerializer(serializers.Serializer):
    """Documents `account_export`'s answer; the service builds the data itself."""

    account = ExportAccountSerializer()
    profile = ExportProfileSerializer(allow_null=True)
    ratings = ExportRatingSerializer(many=True)
    watchlists = ExportWatchlistSerializer(many=True)
    diary = ExportDiarySerializer(many=True)
    follows = ExportFollowSerializer(many=True)


class MeExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Everything you have given the site, as one JSON document",
        responses=ExportSerializer,
    )
    def get(self, request: Request) -> Response:
        response = Response(account_export(user=_fan(request)))
        response["Cache-Control"] = "private, no-store"
        return response
