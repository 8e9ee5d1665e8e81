"""A fan's picture beside their comments: the one they uploaded, else one drawn from their
username (its initials on a colour of its own), so every comment has a face and the same fan
always has the same one.

The drawn one is a small inline SVG: no request per comment, no file to store, and colours set
by attributes, never style= (the pages' Content-Security-Policy allows no inline styles).
"""

from __future__ import annotations

import hashlib
import re
from html import escape

from community.models import Profile

# Dark enough for white initials to meet WCAG AA (4.5:1) on every one of them, in either
# colour scheme; far enough apart to tell fans apart at a glance.
PALETTE = (
    "#b3261e",  # red
    "#ad1457",  # pink
    "#8e24aa",  # purple
    "#5b3fc4",  # violet
    "#3949ab",  # indigo
    "#0b5cad",  # blue
    "#00695c",  # teal
    "#2e7d32",  # green
    "#a4450b",  # orange
    "#5d4037",  # brown
)

SIZE = 32  # CSS pixels, as the comment's meta line shows it

_SEPARATORS = re.compile(r"[\W_]+")


def initials(username: str) -> str:
    """ "kim_chaewon" -> "KC", "hana" -> "H": the first letter of the first two parts."""
    parts = [part for part in _SEPARATORS.split(username) if part] or [username or "?"]
    return "".join(part[0] for part in parts[:2]).upper()


def colour(username: str) -> str:
    """The same colour for a username every time (ignoring case, as usernames are unique)."""
    digest = hashlib.blake2s(username.lower().encode(), digest_size=2).digest()
    return PALETTE[int.from_bytes(digest) % len(PALETTE)]


def generated_svg(username: str) -> str:
    """The drawn avatar, decorative (the name is beside it): hidden from screen readers."""
    letters = escape(initials(username))
    font_size = 14 if len(letters) == 1 else 12
    half = SIZE // 2
    return (
        f'<svg class="avatar avatar-generated" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" aria-hidden="true" focusable="false">'
        f'<circle cx="{half}" cy="{half}" r="{half}" fill="{colour(username)}"/>'
        f'<text x="{half}" y="{half}" dy="0.35em" text-anchor="middle" fill="#fff" '
        f'font-size="{font_size}" font-weight="600" font-family="system-ui, sans-serif">'
        f"{letters}</text></svg>"
    )


def uploaded_img(name: str) -> str:
    """The uploaded picture's small rendition (its stored name), decorative beside the name."""
    url = Profile._meta.get_field("avatar_small").storage.url(name)
    return (
        f'<img class="avatar" src="{escape(url)}" alt="" width="{SIZE}" height="{SIZE}" '
        'loading="lazy" decoding="async">'
    )


def deleted_svg() -> str:
    """For "a deleted fan": a plain grey circle."""
    half = SIZE // 2
    return (
        f'<svg class="avatar avatar-generated" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" aria-hidden="true" focusable="false">'
        f'<circle cx="{half}" cy="{half}" r="{half}" fill="#6b6b6b"/></svg>'
    )
