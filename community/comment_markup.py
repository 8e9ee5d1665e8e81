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
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from html import escape  # what django.utils.html.escape calls, without its lazy-text wrapper
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import MONTHS_DAYS, TIME_STRINGS, TIME_STRINGS_KEYS
from django.utils.translation import gettext, ngettext, pgettext

from community import avatars, text
from community.models import Comment, Report

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
        self._profile_head, _, self._profile_tail = (
            escape(part) for part in self.profile_url(self.MARKER).partition(self.MARKER)
        )
        self._thread = _address("community:comment-thread")
        self._tz = timezone.get_current_timezone()
        self._minute_ago = self.now - timedelta(seconds=60)
        # Translations the same for every comment, looked up once a page: each lookup goes
        # through the thread's active language, and a page has up to 80 comments.
        self._language = translation.get_language()
        self._units = _units(self._language)
        self._comma = gettext(_COMMA)  # Django's own translation
        self._ago = gettext("%(since)s ago")
        self._just_now = escape(pgettext("written", "just now"))
        self._texts: dict[str, str] = {}
        self._likes: dict[int, str] = {}
        self._more: dict[int, str] = {}
        self._replies = self._text("Replies")
        self._deleted = self._text("This comment was deleted.")
        self._removed = self._text("Removed by a moderator.")
        self._deleted_fan = self._text("a deleted fan")
        self._held_note = escape(
            gettext("Waiting for a moderator: only you can see this comment for now.")
        )
        self._hidden_note = escape(gettext("Removed by a moderator: only you can still see it."))
        self._deleted_avatar = avatars.deleted_svg()

    def _text(self, message: str) -> str:
        """gettext(message), escaped, once a page."""
        if message not in self._texts:
            self._texts[message] = escape(gettext(message))
        return self._texts[message]

    def threads(self, comments: Iterable[Any]) -> SafeString:
        """thread() for each comment of a page, as one string."""
        return mark_safe("".join([self._thread_html(comment) for comment in comments]))  # escaped

    def thread(self, comment: Any) -> SafeString:
        """A top-level comment as an item of the video page's list: with its first replies
        (comment.thread_replies) and, when it has more (comment.more_replies), a link to the
        thread's own page."""
        return mark_safe(self._thread_html(comment))  # every value went through escape()

    def _thread_html(self, comment: Any) -> str:
        article = self._article
        html = "<li>" + article(comment)
        replies = comment.thread_replies
        if replies:
            items = "".join([f"<li>{article(reply)}</li>" for reply in replies])
            html += f'<ol class="reply-list" aria-label="{self._replies}">{items}</ol>'
        if comment.more_replies:
            html += self._more_link(comment.pk, comment.reply_count)
        return html + "</li>"

    def _more_link(self, pk: int, count: int) -> str:
        if count not in self._more:
            self._more[count] = _more_label(self._language, count)
        return f'<p class="more-replies"><a href="{self._thread(pk)}">{self._more[count]}</a></p>'

    def since(self, moment: datetime) -> str:
        """timesince(): "3 hours, 2 minutes", with its strings translated once a page."""
        return _timesince(moment, self.now, self._units, self._comma)

    def __call__(self, comment: Any) -> SafeString:
        """The comment's <article>. Every value is escaped where it is put in (escape(), or
        text.comment_html for the body)."""
        return mark_safe(self._article(comment))  # every value went through escape()

    # Per comment, each Python call counts: a page of talk draws up to 80 comments, and what
    # it costs per comment is what makes a video with much talk slower than one with little.
    def _article(self, comment: Any) -> str:
        status = comment.status
        pk = comment.pk
        # The known statuses need no escaping; their plain strings, not the enum's members.
        kind = _STATUS_CLASS[status] if status in _STATUS_CLASS else escape(status)
        html = f'<article id="comment-{pk}" class="comment comment-{kind}">'
        if status == _DELETED:
            return html + f'<p class="muted">{self._deleted}</p></article>'
        if status == _HIDDEN and not getattr(comment, "is_own", False):
            return html + f'<p class="muted">{self._removed}</p></article>'
        html += f'<p class="comment-meta">{self._meta(comment)}</p>'
        if status == _HELD:
            html += f'<p class="note-unverified">{self._held_note}</p>'
        elif status == _HIDDEN:
            html += f'<p class="note-unverified">{self._hidden_note}</p>'
        body = comment.body
        # Most bodies are plain text: no address, moment, long word or control character, and
        # text.comment_html of one is its escaped lines.
        if _is_plain(body):
            body = escape(body).replace("\n", "<br>\n")
        else:
            body = text.comment_html(body, self.watch_url)
        html += f'<div class="comment-body">{body}</div><div class="comment-actions">'
        # A fan who may like it gets the count on the like button itself (FanActions).
        actions = self.actions
        if status == _VISIBLE and (actions is None or not actions.can_like(comment)):
            count = comment.like_count
            likes = self._likes[count] if count in self._likes else self.like_count(count)
            html += (
                '<span class="like-count"><span class="like-heart" aria-hidden="true">♡</span> '
                f"{likes}</span>"
            )
        if actions is not None:
            html += actions(comment, self)
        return html + "</div></article>"

    def like_count(self, count: int) -> str:
        """ "3 likes", escaped, once a page per count."""
        if count not in self._likes:
            self._likes[count] = _likes_label(self._language, count)
        return self._likes[count]

    def _avatar(self, comment: Any) -> str:
        if comment.author_id is None:
            return self._deleted_avatar
        picture = getattr(comment, "author_avatar", "")
        if picture:
            return avatars.uploaded_img(picture)
        return _drawn_avatar(comment.author_username)

    def _meta(self, comment: Any) -> str:
        if comment.author_id is not None:
            username = comment.author_username
            name = comment.author_display_name or username  # models.public_name_of
            if _PLAIN_USERNAME(username):  # nothing to quote or escape in the address
                url = self._profile_head + username + self._profile_tail
            else:
                url = escape(self.profile_url(username))
            who = f'<a href="{url}">{escape(name)}</a>'
        else:
            who = self._deleted_fan
        created = comment.created_at
        if created > self._minute_ago:  # under a minute: "just now", not "0 minutes ago"
            ago = self._just_now
        else:
            ago = escape(self._ago % {"since": self.since(created)})
        iso = created.astimezone(self._tz).isoformat()  # localtime()
        meta = f'{self._avatar(comment)}{who} · <time datetime="{iso}">{ago}</time>'
        if comment.edited_at:
            edited = comment.edited_at.astimezone(self._tz)
            # The string carries its own markup (translators may move the time): only the
            # values are escaped, as blocktranslate did.
            values = {
                "iso": edited.isoformat(),
                "exact": escape(formats.date_format(edited, "SHORT_DATETIME_FORMAT")),
            }
            if comment.edited_at > self._minute_ago:
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


_VISIBLE, _HELD, _HIDDEN, _DELETED = (str(status) for status in Comment.Status)
_STATUS_CLASS = {value: value for value in Comment.Status.values}

# Usernames (UnicodeUsernameValidator) of ASCII letters, digits and @.+-_: reverse() quotes
# none of it, and none of it needs escaping.
_PLAIN_USERNAME = re.compile(r"[A-Za-z0-9@.+_-]+\Z").match

# What text.comment_html looks for beyond escaping: an address or a moment (each has a colon),
# a carriage return or a bidi control (text.BIDI_CONTROLS). A class of characters is one fast
# scan, where one pattern of all of text's patterns tried its alternatives at every character.
_SPECIAL = re.compile(f"[:\r{text.BIDI_CONTROLS.pattern[1:-1]}]").search


def _is_plain(body: str) -> bool:
    """Whether text.comment_html(body) is just its escaped lines: nothing _SPECIAL and no run
    of more than text.LONG_WORD characters without a space (str.split() and the pattern's \\S
    agree on what a space is)."""
    if _SPECIAL(body) is not None:
        return False
    return len(body) <= text.LONG_WORD or max(map(len, body.split()), default=0) <= text.LONG_WORD


# Counts' labels in a language, worked out once a process: a plural translation goes through
# every catalog of the language, and a page of talk shows a few dozen counts. `language`: the
# active one, which the label is worked out in.
@functools.lru_cache(maxsize=4096)
def _likes_label(language: str | None, count: int) -> str:
    likes = ngettext("%(counter)s like", "%(counter)s likes", count) % {
        "counter": str(count) if count < 1000 else formats.localize(count)
    }
    return escape(likes)


@functools.lru_cache(maxsize=4096)
def _more_label(language: str | None, count: int) -> str:
    label = ngettext(
        "See the whole thread (%(counter)s reply)",
        "See the whole thread (%(counter)s replies)",
        count,
    ) % {"counter": formats.localize(count)}
    return escape(label)


# A fan's drawn picture is the same on every page: drawn once a process, not once a comment.
_drawn_avatar = functools.lru_cache(maxsize=4096)(avatars.generated_svg)


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
    if delta.days * 86400 + delta.seconds <= 0:
        return units["minute"](0)
    total_months = (now.year - d.year) * 12 + (now.month - d.month)
    if d.day > now.day or (d.day == now.day and d.time() > now.time()):
        total_months -= 1
    years, months = divmod(total_months, 12)
    if total_months:
        pivot_year, pivot_month = d.year + years, d.month + months
        if pivot_month > 12:
            pivot_month -= 12
            pivot_year += 1
        day = min(MONTHS_DAYS[pivot_month - 1], d.day)
        pivot = datetime(pivot_year, pivot_month, day, d.hour, d.minute, d.second, tzinfo=d.tzinfo)
        delta = now - pivot
    # Whole seconds: the chunks are whole seconds, so the microseconds never change a count.
    weeks, rest = divmod(delta.days * 86400 + delta.seconds, 604800)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    partials = (years, months, weeks, days, hours, rest // 60)
    for index, value in enumerate(partials):
        if value:
            words = units[TIME_STRINGS_KEYS[index]](value)
            if index < len(partials) - 1 and partials[index + 1]:
                return words + comma + units[TIME_STRINGS_KEYS[index + 1]](partials[index + 1])
            return words
    return units["minute"](0)


def watch_url_of(video: Any) -> str:
    """The address moments in comments link to: the video's YouTube page, if it has one."""
    return video.youtube_watch_url if video is not None and video.youtube_id else ""
