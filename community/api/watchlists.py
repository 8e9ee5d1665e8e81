"""lists/ and me/lists/: public watchlists, and a fan's own lists and their items."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api import PageUrlField, VideoSerializer, video_rows
from catalog.models import MusicVideo, Status
from community.api.common import FAN_PERMISSIONS, FanSerializer, clashes_as_conflict
from community.http import fan_of
from community.models import Watchlist, WatchlistItem
from community.permissions import IsOwnerOrReadOnly
from community.services import watchlists as watchlist_services
from foundation.api import (
    MissingReference,
    StrictBooleanField,
    StrictCharField,
    StrictDateField,
    StrictIntegerField,
    StrictSlugField,
)
from foundation.api_schema import conflict_response


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
            return lists.filter(owner=fan_of(self.request))
        # Any list the fan can see: someone else's public list is then a 403 (IsOwnerOrReadOnly)
        # and their private one a 404, as on the pages.
        return lists.visible_to(self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with clashes_as_conflict():
            serializer.instance = watchlist_services.watchlist_create(
                owner=fan_of(self.request), **serializer.validated_data
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
