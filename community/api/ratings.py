"""videos/{slug}/rating/: a fan's own rating of a video, set through community.services.ratings."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api import SLUG_PATTERN, RatingSummarySerializer
from catalog.models import MusicVideo
from community.api.common import FAN_PERMISSIONS
from community.http import fan_of
from community.services.ratings import NotAllowed, rating_remove, rating_set, refresh_figures
from foundation.api import StrictIntegerField


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
                user=fan_of(request), video=video, score=serializer.validated_data["score"]
            )
        except NotAllowed:  # unpublished since get_object() read it
            raise NotFound(_("No published video has this slug.")) from None
        refresh_figures(video)  # the answer shows them
        rating.video = video
        return Response(RatingSerializer(rating).data)

    @extend_schema(summary="Remove your rating (nothing happens if there is none)")
    @rating.mapping.delete
    def remove_rating(self, request: Request, slug: str) -> Response:
        rating_remove(user=fan_of(request), video=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
