"""One comment or reply as HTML, built here rather than by a template include.

A page of talk shows up to 80 comments (20 threads with their first replies). Rendered through
{% include %}, each comment repeated the same template work (variable lookups, two
blocktranslate tags, a URL reversal, and for a signed-in fan the buttons and forms), and that
work made most of the cost of a page of talk (figures: docs/performance.md, "Decisions"). Built
here, what is the same for every comment of a page (translated labels, address patterns, the
CSRF field) is worked out once. The markup and its strings are the ones the templates had, so
the translations are shared; every value is escaped where it is put in (escape(), or
text.comment_html for a body).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from html import escape  # what django.utils.html.escape calls, without its lazy-text wrapper
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import MONTHS_DAYS, TIME_CHUNKS, TIME_STRINGS, TIME_STRINGS_KEYS
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext, pgettext

from community import avatars, text
from community.models import Comment, Report, public_name_of

# What reverse() leaves unquoted in a path argument (django.urls.resolvers).
_PATH_SAFE = "!$&'()*+,;=/~:@"


class CommentMarkup:
    """Renders the comments of one page: what is the same for all of them (the time now, the
    profile addresses' pattern, the video's YouTube address) is worked out once.

    `watch_url`: where moments in comments link to ("" for none). `actions`: the signed-in
    fan's buttons and forms for a comment, None for a visitor. Comments come from
    community.threads, with their author's name beside them (author_username,
    author_display_name), not their author's row."""

    MARKER = "987654321"  # a valid username and comment id: every address pattern takes it

    def __init__(self, *, watch_url: str, actions: FanActions | None) -> None:
        self.watch_url = watch_url
        self.actions = actions
        self.now = timezone.now()
        self.profile_url = _address("community:profile")
        self._thread = _address("community:comment-thread")
        # Translations the same for every comment, looked up once a page: each lookup goes
        # through the thread's active language, and a page has up to 80 comments.
        self._units = _units(translation.get_language())
        self._comma = gettext(_COMMA)  # Django's own translation
        self._ago = gettext("%(since)s ago")
        self._just_now = escape(pgettext("written", "just now"))
        self._texts: dict[str, str] = {}
        self._likes: dict[int, str] = {}
        self._avatars: dict[str, str] = {}

    def _text(self, message: str) -> str:
        """gettext(message), escaped, once a page."""
        if message not in self._texts:
            self._texts[message] = escape(gettext(message))
        return self._texts[message]

    def thread(self, comment: Comment) -> SafeString:
        """A top-level comment as an item of the video page's list: with its first replies
        (comment.thread_replies) and, when it has more (comment.more_replies), a link to the
        thread's own page."""
        html = ["<li>", self(comment)]
        replies = comment.thread_replies  # type: ignore[attr-defined]  # attached by threads.py
        if replies:
            html.append(f'<ol class="reply-list" aria-label="{self._text("Replies")}">')
            html.extend(f"<li>{self(reply)}</li>" for reply in replies)
            html.append("</ol>")
        if comment.more_replies:  # type: ignore[attr-defined]  # attached by threads.py
            count = comment.reply_count
            label = ngettext(
                "See the whole thread (%(counter)s reply)",
                "See the whole thread (%(counter)s replies)",
                count,
            ) % {"counter": formats.localize(count)}
            url = self._thread(comment.pk)
            html.append(f'<p class="more-replies"><a href="{url}">{escape(label)}</a></p>')
        html.append("</li>")
        return mark_safe("".join(html))  # every value above went through escape()

    def since(self, moment: datetime) -> str:
        """timesince(): "3 hours, 2 minutes", with its strings translated once a page."""
        return _timesince(moment, self.now, self._units, self._comma)

    def __call__(self, comment: Comment) -> SafeString:
        """The comment's <article>. Every value is escaped where it is put in (escape(), or
        text.comment_html for the body)."""
        status = comment.status
        html = [f'<article id="comment-{comment.pk}" class="comment comment-{escape(status)}">']
        if status == Comment.Status.DELETED:
            html.append(f'<p class="muted">{self._text("This comment was deleted.")}</p>')
        elif status == Comment.Status.HIDDEN and not getattr(comment, "is_own", False):
            html.append(f'<p class="muted">{self._text("Removed by a moderator.")}</p>')
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
            # A fan who may like it gets the count on the like button itself (FanActions).
            likeable = self.actions is not None and self.actions.can_like(comment)
            if status == Comment.Status.VISIBLE and not likeable:
                html.append(
                    '<span class="like-count"><span class="like-heart" aria-hidden="true">♡</span> '
                    f"{self.like_count(comment.like_count)}</span>"
                )
            if self.actions is not None:
                html.append(self.actions(comment, self))
            html.append("</div>")
        html.append("</article>")
        return mark_safe("".join(html))  # every value above went through escape()

    def like_count(self, count: int) -> str:
        """ "3 likes", escaped, once a page per count."""
        if count not in self._likes:
            likes = ngettext("%(counter)s like", "%(counter)s likes", count) % {
                "counter": str(count) if count < 1000 else formats.localize(count)
            }
            self._likes[count] = escape(likes)
        return self._likes[count]

    def _just(self, moment: datetime) -> bool:
        """Under a minute ago: "just now", not "0 minutes ago"."""
        return (self.now - moment).total_seconds() < 60

    def _avatar(self, comment: Comment) -> str:
        if comment.author_id is None:
            return avatars.deleted_svg()
        picture = getattr(comment, "author_avatar", "")
        if picture:
            return avatars.uploaded_img(picture)
        username = comment.author_username  # type: ignore[attr-defined]  # annotated by threads.py
        if username not in self._avatars:
            self._avatars[username] = avatars.generated_svg(username)
        return self._avatars[username]

    def _meta(self, comment: Comment) -> str:
        if comment.author_id is not None:
            username = comment.author_username  # type: ignore[attr-defined]  # annotated by threads.py
            name = public_name_of(username, comment.author_display_name)  # type: ignore[attr-defined]  # annotated by threads.py
            url = escape(self.profile_url(username))
            who = f'<a href="{url}">{escape(name)}</a>'
        else:
            who = self._text("a deleted fan")
        if self._just(comment.created_at):
            ago = self._just_now
        else:
            ago = escape(self._ago % {"since": self.since(comment.created_at)})
        created = localtime(comment.created_at).isoformat()
        meta = f'{self._avatar(comment)}{who} · <time datetime="{created}">{ago}</time>'
        if comment.edited_at:
            edited = localtime(comment.edited_at)
            # The string carries its own markup (translators may move the time): only the
            # values are escaped, as blocktranslate did.
            values = {
                "iso": edited.isoformat(),
                "exact": escape(formats.date_format(edited, "SHORT_DATETIME_FORMAT")),
            }
            if self._just(comment.edited_at):
                edited_html = (
                    gettext('edited <time datetime="%(iso)s" title="%(exact)s">just now</time>')
                    % values
                )
            else:
                edited_html = gettext(
                    'edited <time datetime="%(iso)s" title="%(exact)s">%(since)s ago</time>'
                ) % {**values, "since": escape(self.since(comment.edited_at))}
            meta += f' · <span class="muted">{edited_html}</span>'
        return meta


def _address(name: str) -> Callable[[object], str]:
    """A comment's (or fan's) address by URL name, reversed once: reverse() with a marker, then
    the marker replaced (quoted as reverse() quotes a path argument)."""
    marker = CommentMarkup.MARKER
    pattern = reverse(name, args=[marker])
    return lambda arg: pattern.replace(marker, quote(str(arg), safe=_PATH_SAFE), 1)


class FanActions:
    """A signed-in fan's controls under a comment: like (the count on the button), reply, edit
    and delete their own; report and block another fan's under a "…" menu (a <details>, so it
    opens without JavaScript and from the keyboard). `can_post`: the fan may write (not
    suspended, e-mail address confirmed); `csrf_token`: the page's token.

    Fans don't like their own comments (community.services.talk.comment_like): theirs show
    the count without the button."""

    def __init__(
        self,
        *,
        request: HttpRequest,
        csrf_token: object,
        can_post: bool,
        hole: Callable[[str, str, list[str]], str] | None = None,
    ) -> None:
        self.can_post = can_post
        # For the shared copy of fans' pages (foundation.fan_pages): the like button and the
        # report menu as a hole with both states, each fan's filled in from their own rows.
        self.hole = hole
        token = str(csrf_token) if csrf_token else ""
        self.csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
            if token and token != "NOTPROVIDED"
            else ""
        )
        self.here = escape(request.get_full_path())
        self.like = _address("community:comment-like")
        self.unlike = _address("community:comment-unlike")
        self.reply = _address("community:comment-reply")
        self.report = _address("community:comment-report")
        self.edit = _address("community:comment-edit")
        self.delete = _address("community:comment-delete")
        self.block = _address("community:block")
        self.labels = {
            "like": escape(pgettext("button: like this comment", "Like")),
            "reply": escape(pgettext("verb", "Reply")),
            "your_reply": escape(gettext("Your reply")),
            "post_reply": escape(gettext("Post reply")),
            "report": escape(pgettext("verb", "Report")),
            "reported": escape(pgettext("you reported this comment", "Reported")),
            "more": escape(gettext("More actions")),
            "whats_wrong": escape(gettext("What's wrong?")),
            "note": escape(gettext("Anything the moderators should know? (optional)")),
            "send_report": escape(gettext("Send report")),
            "edit": escape(gettext("Edit")),
            "delete": escape(gettext("Delete")),
            "block": escape(gettext("Block this fan")),
        }
        choose = escape(gettext("Choose a reason"))
        self.reasons = f'<option value="">{choose}</option>' + "".join(
            f'<option value="{escape(value)}">{escape(str(label))}</option>'
            for value, label in Report.Reason.choices
        )

    def can_like(self, comment: Comment) -> bool:
        return (
            self.can_post
            and comment.status == Comment.Status.VISIBLE
            and not getattr(comment, "is_own", False)
        )

    def __call__(self, comment: Comment, markup: CommentMarkup) -> str:
        pk, label = comment.pk, self.labels
        visible = comment.status == Comment.Status.VISIBLE
        html = []
        if self.can_like(comment):
            if self.hole is not None:
                variants = [self._like_button(comment, markup, liked) for liked in (True, False)]
                html.append(self.hole("like", str(pk), variants))
            else:
                html.append(self._like_button(comment, markup, getattr(comment, "liked", False)))
        if visible and self.can_post:
            html.append(
                f'<details class="comment-reply"><summary>{label["reply"]}</summary>'
                f'<form method="post" action="{self.reply(pk)}" class="stack">{self.csrf}'
                f'<label for="reply-{pk}">{label["your_reply"]}</label>'
                f'<textarea name="body" id="reply-{pk}" rows="3" maxlength="{Comment.MAX_LENGTH}"'
                f' required></textarea><button type="submit">{label["post_reply"]}</button>'
                "</form></details>"
            )
        if getattr(comment, "is_own", False):
            if comment.status != Comment.Status.HIDDEN:
                html.append(
                    f'<a class="comment-action" href="{self.edit(pk)}">{label["edit"]}</a> '
                )
            html.append(f'<a class="comment-action" href="{self.delete(pk)}">{label["delete"]}</a>')
        elif comment.author_id is not None:
            menu = []
            if visible and self.can_post:
                if self.hole is not None:
                    variants = [self._report(pk, reported) for reported in (True, False)]
                    menu.append(self.hole("report", str(pk), variants))
                else:
                    menu.append(self._report(pk, getattr(comment, "reported", False)))
            block = escape(self.block(comment.author_username))  # type: ignore[attr-defined]  # annotated by threads.py
            menu.append(
                f'<form method="post" action="{block}">'
                f'{self.csrf}<input type="hidden" name="next" value="{self.here}#comments">'
                f'<button type="submit" class="link-button">{label["block"]}</button></form>'
            )
            html.append(
                '<details class="comment-menu"><summary>'
                f'<span aria-hidden="true">…</span><span class="visually-hidden">{label["more"]}'
                f'</span></summary><div class="comment-menu-panel">{"".join(menu)}</div></details>'
            )
        return "".join(html)

    def _like_button(self, comment: Comment, markup: CommentMarkup, liked: bool) -> str:
        pk, label = comment.pk, self.labels
        heart = "♥" if liked else "♡"
        return (
            f'<form method="post" action="{(self.unlike if liked else self.like)(pk)}">'
            f'{self.csrf}<input type="hidden" name="next" value="{self.here}#comment-{pk}">'
            f'<button type="submit" class="like-button" aria-pressed="{str(liked).lower()}">'
            f'<span class="like-heart" aria-hidden="true">{heart}</span> '
            f'<span class="visually-hidden">{label["like"]}: </span>'
            f"{markup.like_count(comment.like_count)}</button></form>"
        )

    def _report(self, pk: int, reported: bool) -> str:
        label = self.labels
        if reported:
            return f'<p class="comment-reported">{label["reported"]}</p>'
        return (
            f'<details class="comment-report"><summary>{label["report"]}</summary>'
            f'<form method="post" action="{self.report(pk)}" class="stack">'
            f'{self.csrf}<label for="report-reason-{pk}">{label["whats_wrong"]}'
            f'</label><select name="reason" id="report-reason-{pk}" required>'
            f'{self.reasons}</select><label for="report-note-{pk}">{label["note"]}'
            f'</label><textarea name="note" id="report-note-{pk}" rows="2" '
            f'maxlength="500"></textarea><button type="submit">'
            f"{label['send_report']}</button></form></details>"
        )


@functools.lru_cache(maxsize=32)
def _units(language: str | None) -> dict[str, Callable[[int], str]]:
    """timesince's units ("%(num)d hours") in one language, each number formatted once: the lazy
    translations Django keeps them as cost more than the rest of timesince together."""
    return {name: functools.lru_cache(maxsize=256)(_unit_formatter(name)) for name in TIME_STRINGS}


def _unit_formatter(name: str) -> Callable[[int], str]:
    # avoid_wrapping(), as timesince does: "3\xa0hours" never breaks across lines.
    return lambda num: str(TIME_STRINGS[name] % {"num": num}).replace(" ", "\xa0")


# What timesince joins its units with; a name, not a literal: the translation is Django's.
_COMMA = ", "


def _timesince(
    d: datetime, now: datetime, units: dict[str, Callable[[int], str]], comma: str
) -> str:
    """django.utils.timesince.timesince(d, now) for two aware datetimes, depth 2, its strings
    given: the same algorithm (calendar years and months, then weeks to minutes), the same
    words. tests/community/test_comment_markup.py holds it to Django's over many spans."""
    now = now.astimezone(d.tzinfo)
    delta = now - d
    if delta.days * 24 * 60 * 60 + delta.seconds <= 0:
        return units["minute"](0)
    total_months = (now.year - d.year) * 12 + (now.month - d.month)
    if d.day > now.day or (d.day == now.day and d.time() > now.time()):
        total_months -= 1
    years, months = divmod(total_months, 12)
    pivot = d
    if years or months:
        pivot_year, pivot_month = d.year + years, d.month + months
        if pivot_month > 12:
            pivot_month -= 12
            pivot_year += 1
        day = min(MONTHS_DAYS[pivot_month - 1], d.day)
        pivot = datetime(pivot_year, pivot_month, day, d.hour, d.minute, d.second, tzinfo=d.tzinfo)
    remaining = (now - pivot).total_seconds()
    partials = [years, months]
    for chunk in TIME_CHUNKS:
        count = int(remaining // chunk)
        partials.append(count)
        remaining -= chunk * count
    first = next((i for i, value in enumerate(partials) if value), None)
    if first is None:
        return units["minute"](0)
    words = []
    for name, value in zip(
        TIME_STRINGS_KEYS[first : first + 2], partials[first : first + 2], strict=True
    ):
        if not value:
            break
        words.append(units[name](value))
    return comma.join(words)


def watch_url_of(video: Any) -> str:
    """The address moments in comments link to: the video's YouTube page, if it has one."""
    return video.youtube_watch_url if video is not None and video.youtube_id else ""
