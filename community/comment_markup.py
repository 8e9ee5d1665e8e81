"""One comment or reply as HTML, built here rather than by a template include.

A page of talk shows up to 80 comments (20 threads with their first replies). Rendered through
{% include %}, each cost about half a millisecond of template work (variable lookups, two
blocktranslate tags, a URL reversal), which made a full page of talk cost four times an empty
one; built here with format_html it costs a tenth of that. The markup and its strings are the
ones the template had, so the translations are shared.

What only a signed-in fan gets, the buttons and the forms to like, reply, report, edit, delete
or block, stays in a template (community/comments/actions.html): it needs the CSRF token and is
rendered for fans only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from community import text
from community.models import Comment

ActionsRenderer = Callable[[Comment], SafeString]

# What reverse() leaves unquoted in a path argument (django.urls.resolvers).
_PATH_SAFE = "!$&'()*+,;=/~:@"


class ProfileLinks:
    """Fans' profile addresses, reversed once per page rather than once per comment: the
    address with a marker in place of the username, which is then quoted as reverse() would."""

    MARKER = "0marker0"  # a valid username, so the pattern accepts it

    def __init__(self) -> None:
        self._pattern = reverse("community:profile", args=[self.MARKER])

    def __call__(self, username: str) -> str:
        return self._pattern.replace(self.MARKER, quote(username, safe=_PATH_SAFE), 1)


def _meta(comment: Comment, profile_url: ProfileLinks) -> str:
    author = comment.author
    if author is not None:
        who = f'<a href="{escape(profile_url(author.username))}">{escape(author.public_name)}</a>'
    else:
        who = escape(gettext("a deleted fan"))
    created = localtime(comment.created_at).isoformat()
    ago = gettext("%(since)s ago") % {"since": timesince(comment.created_at)}
    meta = f'{who} · <time datetime="{created}">{escape(ago)}</time>'
    if comment.edited_at:
        edited = localtime(comment.edited_at)
        # The string carries its own markup (translators may move the time): only the values
        # are escaped, as blocktranslate did.
        edited_html = gettext(
            'edited <time datetime="%(iso)s" title="%(exact)s">%(since)s ago</time>'
        ) % {
            "iso": edited.isoformat(),
            "exact": escape(formats.date_format(edited, "SHORT_DATETIME_FORMAT")),
            "since": escape(timesince(comment.edited_at)),
        }
        meta += f' · <span class="muted">{edited_html}</span>'
    return meta


def render_comment(
    comment: Comment,
    *,
    watch_url: str,
    profile_url: ProfileLinks,
    actions: ActionsRenderer | None,
) -> SafeString:
    """The comment's <article>. `watch_url`: the video's YouTube address for moment links (or
    ""). `actions`: the signed-in fan's buttons and forms, None for a visitor.

    Every value is escaped where it is put in (escape(), or text.comment_html for the body)."""
    status = comment.status
    html = [f'<article id="comment-{comment.pk}" class="comment comment-{escape(status)}">']
    if status == Comment.Status.DELETED:
        html.append(f'<p class="muted">{escape(gettext("This comment was deleted."))}</p>')
    elif status == Comment.Status.HIDDEN and not getattr(comment, "is_own", False):
        html.append(f'<p class="muted">{escape(gettext("Removed by a moderator."))}</p>')
    else:
        html.append(f'<p class="comment-meta">{_meta(comment, profile_url)}</p>')
        if status == Comment.Status.HELD:
            note = gettext("Waiting for a moderator: only you can see this comment for now.")
            html.append(f'<p class="note-unverified">{escape(note)}</p>')
        elif status == Comment.Status.HIDDEN:
            note = gettext("Removed by a moderator: only you can still see it.")
            html.append(f'<p class="note-unverified">{escape(note)}</p>')
        html.append(f'<div class="comment-body">{text.comment_html(comment.body, watch_url)}</div>')
        html.append('<div class="comment-actions">')
        if status == Comment.Status.VISIBLE:
            count = comment.like_count
            likes = ngettext("%(counter)s like", "%(counter)s likes", count) % {
                "counter": formats.localize(count)
            }
            html.append(f'<span class="count">{escape(likes)}</span>')
        if actions is not None:
            html.append(actions(comment))
        html.append("</div>")
    html.append("</article>")
    return mark_safe("".join(html))  # every value above went through escape()


def watch_url_of(video: Any) -> str:
    """The address moments in comments link to: the video's YouTube page, if it has one."""
    return video.youtube_watch_url if video is not None and video.youtube_id else ""
