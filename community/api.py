"""What fans do, through the API: their ratings, watchlists, profile and data export.

Serializers validate the request; the services in `community.services` do the writing, exactly as
for the HTML pages, so figures like a video's rating count or a list's item count stay right.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
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
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from catalog.api import (
    SLUG_PATTERN,
    PageUrlField,
    RatingSummarySerializer,
    VideoSerializer,
    video_rows,
)
from catalog.models import MusicVideo, Status
from community.authentication import KEYWORD
from community.models import User, Watchlist, WatchlistItem
from community.permissions import IsActiveFanOrReadOnly, IsOwnerOrReadOnly
from community.services import watchlists as watchlist_services
from community.services.accounts import account_export, profile_for
from community.services.ratings import NotAllowed, rating_remove, rating_set
from fansite.api import (
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
                user=request.user, video=video, score=serializer.validated_data["score"]
            )
        except NotAllowed:  # unpublished since get_object() read it
            raise NotFound("No published video has this slug.") from None
        rating.video = video  # the service has copied the new figures onto it
        return Response(RatingSerializer(rating).data)

    @extend_schema(summary="Remove your rating (nothing happens if there is none)")
    @rating.mapping.delete
    def remove_rating(self, request: Request, slug: str) -> Response:
        rating_remove(user=request.user, video=self.get_object())
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
        validators=[RegexValidator(r"^[^\x00]*[^\s\x00][^\x00]*$", "Give the list a name.")],
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
            return lists.filter(owner=self.request.user)
        # Any list the fan can see: someone else's public list is then a 403 (IsOwnerOrReadOnly)
        # and their private one a 404, as on the pages.
        return lists.visible_to(self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with clashes_as_conflict():
            serializer.instance = watchlist_services.watchlist_create(
                owner=self.request.user, **serializer.validated_data
            )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        watchlist: Watchlist = serializer.instance
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
            raise MissingReference({"video": ["No published video has this slug."]})
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
# Comment endpoints (videos/{slug}/comments/ and replies) belong here, beside the other community
# viewsets, and are registered in fansite/api_urls.py.


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
        user = request.user
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
        response = Response(account_export(user=request.user))
        response["Cache-Control"] = "private, no-store"
        return response
