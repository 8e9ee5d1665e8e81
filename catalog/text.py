"""Folding text for search: case, accents and width ignored, Hangul and kana kept intact."""

from __future__ import annotations

import unicodedata

# Japanese voicing marks are combining characters too, but が is not か: keep them.
_KEEP_MARKS = {"\u3099", "\u309a"}


def fold(text: str) -> str:
    """Fold "Beyoncé" to "beyonce" and full-width letters to plain ones; Hangul and kanji stay."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(
        ch for ch in decomposed if ch in _KEEP_MARKS or not unicodedata.combining(ch)
    )
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())
