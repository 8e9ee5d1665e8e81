"""me/ and me/export/: the fan's own account, profile and data export."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api import PageUrlField
from community.http import fan_of
from community.services.accounts import account_export, profile_for


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
        user = fan_of(request)
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
        response = Response(account_export(user=fan_of(request)))
        response["Cache-Control"] = "private, no-store"
        return response
