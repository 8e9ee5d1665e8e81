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

import functools
from collections.abc import Callable
from datetime import datetime
from html import escape  # what django.utils.html.escape calls, without its lazy-text wrapper
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from community import text
from community.models import Comment

ActionsRenderer = Callable[[Comment], SafeString]

# What reverse() leaves unquoted in a path argument (django.urls.resolvers).
_PATH_SAFE = "!$&'()*+,;=/~:@"


class CommentMarkup:
    """Renders the comments of one page: what is the same for all of them (the time now, the
    profile addresses' pattern, the video's YouTube address) is worked out once.

    `watch_url`: where moments in comments link to ("" for none). `actions`: the signed-in
    fan's buttons and forms for a comment, None for a visitor."""

    MARKER = "0marker0"  # a valid username, so the profile pattern accepts it
    MARKER_PK = 987654321  # a thread's address with this in place of its comment's id

    def __init__(self, *, watch_url: str, actions: ActionsRenderer | None) -> None:
        self.watch_url = watch_url
        self.actions = actions
        self.now = timezone.now()
        self._profile = reverse("community:profile", args=[self.MARKER])
        self._thread = reverse("community:comment-thread", args=[self.MARKER_PK])

    def thread(self, comment: Comment) -> SafeString:
        """A top-level comment as an item of the video page's list: with its first replies
        (comment.thread_replies) and, when it has more (comment.more_replies), a link to the
        thread's own page."""
        html = ["<li>", self(comment)]
        replies = comment.thread_replies  # type: ignore[attr-defined]
        if replies:
            html.append(f'<ol class="reply-list" aria-label="{escape(gettext("Replies"))}">')
            html.extend(f"<li>{self(reply)}</li>" for reply in replies)
            html.append("</ol>")
        if comment.more_replies:  # type: ignore[attr-defined]
            count = comment.reply_count
            label = ngettext(
                "See the whole thread (%(counter)s reply)",
                "See the whole thread (%(counter)s replies)",
                count,
            ) % {"counter": formats.localize(count)}
            url = self._thread.replace(str(self.MARKER_PK), str(comment.pk), 1)
            html.append(f'<p class="more-replies"><a href="{url}">{escape(label)}</a></p>')
        html.append("</li>")
        return mark_safe("".join(html))  # every value above went through escape()

    def profile_url(self, username: str) -> str:
        """The fan's profile address, quoted as reverse() would quote it."""
        return self._profile.replace(self.MARKER, quote(username, safe=_PATH_SAFE), 1)

    def since(self, moment: datetime) -> str:
        """timesince(): "3 hours, 2 minutes", with its unit strings translated once a page."""
        return timesince(moment, self.now, time_strings=_UNITS)

    def __call__(self, comment: Comment) -> SafeString:
        """The comment's <article>. Every value is escaped where it is put in (escape(), or
        text.comment_html for the body)."""
        status = comment.status
        html = [f'<article id="comment-{comment.pk}" class="comment comment-{escape(status)}">']
        if status == Comment.Status.DELETED:
            html.append(f'<p class="muted">{escape(gettext("This comment was deleted."))}</p>')
        elif status == Comment.Status.HIDDEN and not getattr(comment, "is_own", False):
            html.append(f'<p class="muted">{escape(gettext("Removed by a moderator."))}</p>')
        else:
            html.append(f'<p class="comment-meta">{self._meta(comment)}</p>')
            if status == Comment.Status.HELD:
                note = gettext("Waiting for a moderator: only you can see this comment for now.")
                html.append(f'<p class="note-unverified">{escape(note)}</p>')
            elif status == Comment.Status.HIDDEN:
                note = gettext("Removed by a moderator: only you can still see it.")
                html.append(f'<p class="note-unverified">{escape(note)}</p>')
            body = text.comment_html(comment.body, self.watch_url)
            html.append(f'<div class="comment-body">{body}</div><div class="comment-actions">')
            if status == Comment.Status.VISIBLE:
                count = comment.like_count
                likes = ngettext("%(counter)s like", "%(counter)s likes", count) % {
                    "counter": str(count) if count < 1000 else formats.localize(count)
                }
                html.append(f'<span class="count">{escape(likes)}</span>')
            if self.actions is not None:
                html.append(self.actions(comment))
            html.append("</div>")
        html.append("</article>")
        return mark_safe("".join(html))  # every value above went through escape()

    def _meta(self, comment: Comment) -> str:
        author = comment.author
        if author is not None:
            url = escape(self.profile_url(author.username))
            who = f'<a href="{url}">{escape(author.public_name)}</a>'
        else:
            who = escape(gettext("a deleted fan"))
        ago = gettext("%(since)s ago") % {"since": self.since(comment.created_at)}
        created = localtime(comment.created_at).isoformat()
        meta = f'{who} · <time datetime="{created}">{escape(ago)}</time>'
        if comment.edited_at:
            edited = localtime(comment.edited_at)
            # The string carries its own markup (translators may move the time): only the
            # values are escaped, as blocktranslate did.
            edited_html = gettext(
                'edited <time datetime="%(iso)s" title="%(exact)s">%(since)s ago</time>'
            ) % {
                "iso": edited.isoformat(),
                "exact": escape(formats.date_format(edited, "SHORT_DATETIME_FORMAT")),
                "since": escape(self.since(comment.edited_at)),
            }
            meta += f' · <span class="muted">{edited_html}</span>'
        return meta


class _Unit:
    """One of timesince's units ("%(num)d hours") that formats each number once per language:
    the lazy translations it holds cost more than the rest of timesince together."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __mod__(self, values: dict[str, int]) -> str:
        return _unit(translation.get_language(), self.name, values["num"])


@functools.lru_cache(maxsize=2048)
def _unit(language: str | None, name: str, num: int) -> str:
    return str(TIME_STRINGS[name] % {"num": num})


_UNITS = {name: _Unit(name) for name in TIME_STRINGS}


def watch_url_of(video: Any) -> str:
    """The address moments in comments link to: the video's YouTube page, if it has one."""
    return video.youtube_watch_url if video is not None and video.youtube_id else ""
