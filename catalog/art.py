"""The site's own pictures for releases, videos and members: type and colour, never a photo.

Where a curator has uploaded no cover, thumbnail or photo, a card shows a drawing made here: the
title set in type in the era's palette (the release's colours, chosen by a curator; the site's own
where there are none), a shape that differs by kind of video and by item, and a line saying what
it is. Nothing here imitates an official cover or photo: no faces, no logos, no artwork.

Text is measured with a rough per-character advance (wide for Hangul, kana and kanji; narrower for
Latin letters) and wrapped or shrunk to fit the picture, so a long title never runs off the edge.
Every text that reaches the SVG is escaped here, where it is written.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from html import escape

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MIN_CONTRAST = 4.5  # WCAG AA for normal text: the title and the label are drawn in the text colour
FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Apple SD Gothic Neo', 'Malgun Gothic', "
    "'Noto Sans CJK KR', 'Hiragino Sans', 'Yu Gothic', 'Noto Sans CJK JP', sans-serif"
)
DARK_BACKGROUND = "#141218"  # the page's own dark background (static/css/site.css)


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def luminance(colour: str) -> float:
    """WCAG relative luminance of "#rrggbb"."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mix(one: str, other: str, share: float) -> str:
    """`one` with `share` (0 to 1) of `other` mixed in."""
    a, b = _channels(one), _channels(other)
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Palette:
    background: str
    text: str
    accent: str

    def for_scheme(self, scheme: str) -> Palette:
        """The palette for a light or dark page. A light palette is darkened for dark pages,
        keeping its hue: the background sinks toward the page's, the text takes the old
        background's colour if that still reads, else a near-white."""
        if scheme != "dark" or luminance(self.background) < 0.18:
            return self
        background = mix(self.background, DARK_BACKGROUND, 0.82)
        text = self.background if contrast(self.background, background) >= 7 else "#f6f1f7"
        accent = mix(self.accent, "#ffffff", 0.25)
        return Palette(background, text, accent)


# The site's own colours, for items without an era's palette (and for members).
SITE_PALETTE = Palette(background="#f7dfe8", text="#3d1029", accent="#b3124a")


def release_palette(release: object | None) -> Palette:
    """The release's palette, or the site's where it has none (or there is no release)."""
    background = getattr(release, "palette_background", "")
    text = getattr(release, "palette_text", "")
    if not (background and text):
        return SITE_PALETTE
    accent = getattr(release, "palette_accent", "") or text
    return Palette(background.lower(), text.lower(), accent.lower())


# ---- Measuring and setting type --------------------------------------------------------------


def _advance(char: str) -> float:
    """A generous width of `char` in ems, in a bold sans-serif."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.02
    if char == " ":
        return 0.36
    if char in "ilI.,:;'!|j()[]-":
        return 0.42
    if char in "MWmw@%&":
        return 1.05
    if char.isupper() or char.isdigit():
        return 0.8
    return 0.68


def text_width(text: str, size: float) -> float:
    return sum(_advance(char) for char in text) * size


def _pieces(text: str) -> list[str]:
    """Where a line may break: after spaces, and between wide (CJK) characters."""
    pieces: list[str] = []
    for word in re.findall(r"\S+\s*", text):
        if any(unicodedata.east_asian_width(c) in ("W", "F") for c in word) and " " not in word:
            pieces.extend(word)  # Japanese has no spaces; Korean words still break per syllable
        else:
            pieces.append(word)
    return pieces


def wrap(text: str, size: float, width: float) -> list[str]:
    """`text` in lines no wider than `width` at `size` (a piece wider than a line is cut)."""
    return _wrap(text, size, width)[0]


def _wrap(text: str, size: float, width: float) -> tuple[list[str], bool]:
    """The lines, and whether a word had to be cut to make them."""
    cut = False
    lines: list[str] = []
    line = ""
    for piece in _pieces(text):
        if text_width((line + piece).rstrip(), size) <= width:
            line += piece
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        for char in piece:  # a piece too long for a line of its own breaks anywhere
            if line and text_width(line + char, size) > width:
                lines.append(line)
                line = ""
                cut = True
            line += char
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""], cut


def fit(text: str, width: float, sizes: tuple[int, ...], max_lines: int) -> tuple[int, list[str]]:
    """The largest size in `sizes` at which `text` fits in `max_lines` lines of `width`; at the
    smallest, the lines that fit, the last ending in an ellipsis."""
    for size in sizes:
        lines, cut = _wrap(text, size, width)
        if len(lines) <= max_lines and (not cut or size == sizes[-1]):
            return size, lines
    size = sizes[-1]
    lines = wrap(text, size, width)[:max_lines]
    last = lines[-1]
    while last and text_width(last + "…", size) > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return size, lines


def _lang(text: str) -> str:
    """lang for a run of text: the script decides how Han characters are drawn."""
    for char in text:
        name = unicodedata.name(char, "")
        if name.startswith("HANGUL"):
            return "ko"
        if name.startswith(("HIRAGANA", "KATAKANA", "CJK")):
            return "ja"
    return "en"


def _text_block(
    lines: list[str], *, x: float, y: float, size: int, fill: str, weight: int = 700
) -> str:
    """Lines of text whose first baseline is at `y`."""
    lang = _lang("".join(lines))
    spans = "".join(
        f'<tspan x="{x}" dy="{0 if n == 0 else round(size * 1.12, 1)}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'lang="{lang}">{spans}</text>'
    )


def _label(text: str, *, x: float, y: float, fill: str, width: float, size: int = 22) -> str:
    """A small upper-case line (what the item is), shrunk to fit `width`."""
    text = text.upper()
    while size > 9 and text_width(text, size) * 1.08 > width:
        size -= 1
    size, lines = fit(text, width, (size,), 1)
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="600" letter-spacing="0.06em" '
        f'fill="{fill}" lang="{_lang(text)}">{escape(lines[0])}</text>'
    )


def _seed(key: str) -> list[float]:
    """Numbers from 0 to 1 that stay the same for the same item, so each tile differs."""
    digest = hashlib.sha256(key.encode()).digest()
    return [byte / 255 for byte in digest]


def _svg(width: int, height: int, palette: Palette, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="{escape(FONT)}" role="img">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{width}" height="{height}" fill="{palette.background}"/>{body}</svg>'
    )


# ---- The pictures ------------------------------------------------------------------------------


def _motif(kind: str, palette: Palette, seed: list[float], width: int, height: int) -> str:
    """The shape behind the type: one per kind of video (and for releases and members), placed
    differently for each item. Drawn in the accent colour, faint enough that the text reads."""
    a = palette.accent
    x = round(width * (0.55 + seed[0] * 0.35))
    y = round(height * (0.15 + seed[1] * 0.4))
    r = round(min(width, height) * (0.35 + seed[2] * 0.25))
    if kind == "performance":  # stage lights: beams from the top
        beams = "".join(
            f'<path d="M{round(width * (0.45 + 0.18 * n + seed[3 + n] * 0.1))} 0 '
            f'l{round(-60 + seed[6 + n] * 120)} {height} h{round(40 + seed[9 + n] * 40)} Z" '
            f'fill="{a}" opacity="0.18"/>'
            for n in range(3)
        )
        return beams
    if kind == "visualizer":  # a sound wave along the bottom
        bars = []
        count = 24
        for n in range(count):
            h = round(height * (0.08 + 0.3 * seed[n % 32]))
            bars.append(
                f'<rect x="{round(width * n / count + 2)}" y="{height - h}" '
                f'width="{round(width / count - 4)}" height="{h}" rx="3" fill="{a}" '
                f'opacity="0.22"/>'
            )
        return "".join(bars)
    if kind == "teaser":  # a frame still to be filled
        return (
            f'<rect x="14" y="14" width="{width - 28}" height="{height - 28}" rx="10" '
            f'fill="none" stroke="{a}" stroke-width="3" stroke-dasharray="14 10" opacity="0.5"/>'
        )
    if kind == "special":  # a four-pointed star, as in the site's mark
        s = r * 0.9
        return (
            f'<path d="M{x} {y - s}c{s * 0.12:.0f} {s * 0.75:.0f} {s * 0.25:.0f} {s * 0.88:.0f} '
            f"{s:.0f} {s:.0f}c{-s * 0.75:.0f} {s * 0.12:.0f} {-s * 0.88:.0f} {s * 0.25:.0f} "
            f"{-s:.0f} {s:.0f}c{-s * 0.12:.0f} {-s * 0.75:.0f} {-s * 0.25:.0f} {-s * 0.88:.0f} "
            f"{-s:.0f} {-s:.0f}c{s * 0.75:.0f} {-s * 0.12:.0f} {s * 0.88:.0f} {-s * 0.25:.0f} "
            f'{s:.0f} {-s:.0f}Z" fill="{a}" opacity="0.2"/>'
        )
    if kind == "member":  # arcs, like a name said twice
        return "".join(
            f'<circle cx="{x}" cy="{round(height * (0.2 + seed[4] * 0.3))}" '
            f'r="{round(r * (1 - n * 0.28))}" fill="none" stroke="{a}" stroke-width="{14 - n * 4}" '
            f'opacity="0.2"/>'
            for n in range(3)
        )
    if kind == "release":  # a disc, off-centre
        return (
            f'<circle cx="{x}" cy="{y}" r="{r}" fill="{a}" opacity="0.16"/>'
            f'<circle cx="{x}" cy="{y}" r="{round(r * 0.55)}" fill="none" stroke="{a}" '
            f'stroke-width="10" opacity="0.22"/>'
        )
    # an official music video: a play mark in a ring
    return (
        f'<circle cx="{x}" cy="{y}" r="{r}" fill="none" stroke="{a}" stroke-width="18" '
        f'opacity="0.2"/><path d="M{x - r * 0.25:.0f} {y - r * 0.35:.0f}l{r * 0.6:.0f} '
        f'{r * 0.35:.0f}l{-r * 0.6:.0f} {r * 0.35:.0f}Z" fill="{a}" opacity="0.22"/>'
    )


def video_art(
    *, key: str, title: str, kind: str, label: str, palette: Palette, scheme: str = "light"
) -> str:
    """A 16:9 tile: what the video is (`label`, e.g. "Performance video · 2024") at the top, the
    title below, on the era's colours with the kind's shape."""
    width, height, pad = 480, 270, 28
    colours = palette.for_scheme(scheme)
    size, lines = fit(title, width - 2 * pad, (52, 44, 38, 32, 27, 23), 3)
    top = height - pad - (len(lines) - 1) * size * 1.12
    body = (
        _motif(kind, colours, _seed(key), width, height)
        + _label(label, x=pad, y=pad + 18, fill=colours.text, width=width - 2 * pad)
        + _text_block(lines, x=pad, y=round(top, 1), size=size, fill=colours.text)
    )
    return _svg(width, height, colours, body, title)


def release_art(
    *, key: str, title: str, native_title: str, label: str, palette: Palette, scheme: str = "light"
) -> str:
    """A square tile: the title large, its other form below, what the release is at the top."""
    width = height = 480
    pad = 32
    colours = palette.for_scheme(scheme)
    size, lines = fit(title, width - 2 * pad, (72, 60, 50, 42, 34, 28), 4)
    body = _motif("release", colours, _seed(key), width, height) + _label(
        label, x=pad, y=pad + 18, fill=colours.text, width=width - 2 * pad
    )
    bottom: float = height - pad
    if native_title:
        native_size, native_lines = fit(native_title, width - 2 * pad, (30, 26, 22), 2)
        native_top = bottom - (len(native_lines) - 1) * native_size * 1.12
        body += _text_block(
            native_lines,
            x=pad,
            y=round(native_top, 1),
            size=native_size,
            fill=colours.text,
            weight=500,
        )
        bottom = native_top - native_size * 1.3
    top = bottom - (len(lines) - 1) * size * 1.12
    body += _text_block(lines, x=pad, y=round(top, 1), size=size, fill=colours.text)
    return _svg(width, height, colours, body, title)


def member_art(
    *, key: str, name: str, native_name: str, full_name: str, label: str, scheme: str = "light"
) -> str:
    """A 4:5 tile: her name in both scripts, full (the stage name, the native name and, where it
    says more, the romanised full name). Never an initial, never a likeness."""
    width, height, pad = 480, 600, 32
    colours = SITE_PALETTE.for_scheme(scheme)
    body = _motif("member", colours, _seed(key), width, height) + _label(
        label, x=pad, y=pad + 18, fill=colours.text, width=width - 2 * pad
    )
    blocks: list[tuple[int, list[str], int]] = []
    if native_name:
        blocks.append((*fit(native_name, width - 2 * pad, (84, 72, 60, 50, 42), 2), 700))
    blocks.append((*fit(name, width - 2 * pad, (56, 48, 40, 34, 28), 2), 700))
    if full_name and full_name.casefold() != name.casefold():
        blocks.append((*fit(full_name, width - 2 * pad, (30, 26, 22), 2), 500))
    y = float(height - pad)
    parts = []
    for size, lines, weight in reversed(blocks):
        top = y - (len(lines) - 1) * size * 1.12
        parts.append(
            _text_block(lines, x=pad, y=round(top, 1), size=size, fill=colours.text, weight=weight)
        )
        y = top - size * 1.25
    body += "".join(reversed(parts))
    return _svg(width, height, colours, body, f"{name} {native_name}".strip())
