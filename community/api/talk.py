"""videos/{slug}/comments/ and comments/{id}/: talk as the video page reads it (community.threads),
written through community.services.talk."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import BasePagination
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.utils.urls import replace_query_param

from catalog.api import SLUG_PATTERN
from catalog.models import MusicVideo, Status
from community import text, threads
from community.api.common import FanSerializer
from community.http import fan_of
from community.models import Comment, Report, public_name_of
from community.permissions import IsActiveFanOrReadOnly
from community.services import talk
from foundation.api import (
    NON_FIELD,
    Conflict,
    MissingReference,
    StrictCharField,
    StrictIntegerField,
)
from foundation.api_schema import conflict_response

# The thread as the video page shows it, read by community.threads (Comment.objects.visible_to:
# held comments only for their author, nothing of fans blocked either way, placeholders for hidden
# and deleted ones), in its keyset pages; every write goes through community.services.talk.

CommentStatus = Comment.Status


class _Fan(NamedTuple):
    """A comment's author as FanSerializer reads them, from the columns for_display reads."""

    username: str
    public_name: str


def _shown_author(comment: Comment) -> Any:
    if comment.author_id is None:  # a deleted fan's
        return None
    username = getattr(comment, "author_username", None)
    if username is None:  # just written: its author is the fan asking
        return comment.author
    return _Fan(username, public_name_of(username, comment.author_display_name))  # type: ignore[attr-defined]  # annotated by for_display


def _prepare(comments: Iterable[Comment], user: Any) -> None:
    """What a client may see of each comment, as attributes the serializers read.

    Deleted comments and (for all but their author) hidden ones are placeholders: no author,
    body or moments, just their place in the thread. Moments are the body's, as the service
    stored them, read off the text rather than fetched.
    """
    comments = list(comments)
    threads.mark_own(comments, user)
    signed_in = user.is_authenticated
    for comment in comments:
        placeholder = comment.status == CommentStatus.DELETED or (
            comment.status == CommentStatus.HIDDEN and not comment.is_own  # type: ignore[attr-defined]  # attached by mark_own
        )
        comment.shown_author = None if placeholder else _shown_author(comment)  # type: ignore[attr-defined]  # attached for the serializer
        comment.shown_body = None if placeholder else comment.body  # type: ignore[attr-defined]  # attached for the serializer
        comment.moment_list = (  # type: ignore[attr-defined]  # attached for the serializer
            [] if placeholder else text.moment_seconds(comment.body)[: talk.MAX_MOMENTS]
        )
        comment.liked_by_me = (  # type: ignore[attr-defined]  # attached for the serializer
            bool(getattr(comment, "liked", False)) if signed_in else None
        )


def _refusal(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's refusal: about a field (the body), the request is wrong (400); otherwise the
    comment's state forbids it (hidden, already reported…), a clash with what exists (409)."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(as_serializer_error(error))
    return Conflict({NON_FIELD: error.messages})


class CommentCursorPagination(BasePagination):
    """The video page's keyset pages of a video's top-level comments (threads.keyset_page) with
    its cursors: `cursor` is a thread cursor behind n (the page after it) or p (the page
    before it), so a client can walk back too. No OFFSET and no COUNT, so a deep page costs what
    the first does, and comments posted meanwhile neither repeat nor skip any in newest or oldest
    order."""

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

    def _decode(self, raw: str) -> tuple[bool, threads.Position]:
        """(backwards?, position) from a cursor; a 404 for anything this API didn't hand out."""
        direction, rest = raw[:1], raw[1:]
        position = threads.decode_cursor(self.sort, rest) if direction in ("n", "p") else None
        if position is None:  # malformed, or out of the database's range
            raise NotFound(self.invalid_cursor)
        return direction == "p", position

    def _link(self, backwards: bool, position: threads.Position) -> str:
        cursor = ("p" if backwards else "n") + threads.encode_cursor(self.sort, *position)
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, cursor
        )

    def _at(self, comment: Comment) -> threads.Position:
        return threads.key_of(self.sort, comment)

    def paginate_queryset(  # type: ignore[override]  # pages comments only
        self, queryset: QuerySet[Comment], request: Request, view: Any = None
    ) -> list[Comment]:
        self.request = request
        self.sort = self._ordering(request)
        size = self._page_size(request)
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            page, more = threads.keyset_page(queryset, self.sort, None, size)
            self.next_link = self._link(False, self._at(page[-1])) if more else None
            self.previous_link = None
            return page
        backwards, position = self._decode(raw)
        page, more = threads.keyset_page(queryset, self.sort, position, size, backwards=backwards)
        # An empty page links back to where its cursor stood: the page ending (or starting)
        # with the cursor's comment is the one before (after) the position next to it.
        key, pk = position
        beside = (key, pk + (1 if (self.sort in threads.ASCENDING) != backwards else -1))
        if backwards:
            self.previous_link = self._link(True, self._at(page[0])) if more else None
            self.next_link = self._link(False, self._at(page[-1]) if page else beside)
        else:
            self.next_link = self._link(False, self._at(page[-1])) if more else None
            self.previous_link = self._link(True, self._at(page[0]) if page else beside)
        return page

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
    is_mine = serializers.BooleanField(source="is_own", help_text="Whether you wrote it.")
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
        page = self.paginate_queryset(threads.top_level(video, request.user))
        assert page is not None  # the view always pages
        threads.with_first_replies(page, request.user)
        replies = [reply for comment in page for reply in comment.thread_replies]  # type: ignore[attr-defined]  # attached by with_first_replies
        _prepare([*page, *replies], request.user)
        return self.get_paginated_response(ThreadCommentSerializer(page, many=True).data)

    def create(self, request: Request, slug: str) -> Response:
        video = self._video()
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        parent = None
        if data.get("parent") is not None:
            parent = Comment.objects.visible_to(request.user).filter(pk=data["parent"]).first()
            if parent is None:
                raise MissingReference({"parent": [_("No comment has this id.")]})
            if parent.video_id != video.pk:
                raise serializers.ValidationError(
                    {"parent": [_("That comment is on another video.")]}
                )
        try:
            comment = talk.comment_create(
                author=fan_of(request), video=video, body=data["body"], parent=parent
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
        return comments.for_display(self.request.user)

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
                comment=comment, editor=fan_of(request), body=serializer.validated_data["body"]
            )
        except DjangoValidationError as error:
            raise _refusal(error) from None
        except Comment.DoesNotExist:
            raise NotFound(_("This comment is gone.")) from None
        for shown in ("author_username", "author_display_name", "liked"):  # as read with it
            setattr(edited, shown, getattr(comment, shown, None))
        _prepare([edited], request.user)
        return Response(CommentSerializer(edited).data)

    def destroy(self, request: Request, pk: str) -> Response:
        try:
            talk.comment_delete(comment=self._own(), user=fan_of(request))
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
        page = self.paginate_queryset(threads.replies_of(top, request.user))
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
            talk.comment_like(user=fan_of(request), comment=comment)
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
        talk.comment_unlike(user=fan_of(request), comment=comment)
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
                reporter=fan_of(request), comment=comment, reason=data["reason"], note=data["note"]
            )
        except DjangoValidationError as error:  # reported already; not visible
            raise _refusal(error) from None
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
