"""Folding text for search: case, accents and width ignored, Hangul and kana kept intact; and
the other ways fans type a name: Hangul initial consonants (ㅎㅇㅈ), kana read as romaji."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Japanese voicing marks are combining characters too, but が is not か: keep them.
_KEEP_MARKS = {"\u3099", "\u309a"}


def fold(text: str) -> str:
    """Fold "Beyoncé" to "beyonce" and full-width letters to plain ones; Hangul and kanji stay."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(
        ch for ch in decomposed if ch in _KEEP_MARKS or not unicodedata.combining(ch)
    )
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())


# Hangul syllables are composed as 0xAC00 + (initial * 21 + vowel) * 28 + final.
_SYLLABLES = range(0xAC00, 0xD7A4)
_CHOSEONG = 0x1100  # the conjoining initial consonants, which fold() makes of ㄱ…ㅎ too


def hangul_initials(folded: str) -> str:
    """The initial consonants of each Hangul word, as fold() writes them: 허윤진 → ㅎㅇㅈ (in
    conjoining jamo, U+1112 U+110B U+110C). Empty when there is no Hangul."""
    words = []
    for word in folded.split():
        initials = "".join(
            chr(_CHOSEONG + (ord(ch) - 0xAC00) // (21 * 28)) for ch in word if ord(ch) in _SYLLABLES
        )
        if initials:
            words.append(initials)
    return " ".join(words)


def search_text(texts: Iterable[str]) -> str:
    """What Searchable keeps: the folded texts, then the initial consonants of their Hangul
    words, so that a plain "contains" finds ㅎㅇㅈ (허윤진) on every database."""
    folded = fold(" ".join(texts))
    initials = hangul_initials(folded)
    return f"{folded} {initials}" if initials else folded


def is_initials(folded: str) -> bool:
    """A query made of initial consonants only (ㅎㅇㅈ, folded)."""
    letters = folded.replace(" ", "")
    return bool(letters) and all(0x1100 <= ord(ch) <= 0x1112 for ch in letters)


# Kana as Hepburn romaji: a fan who types さくら or サクラ finds SAKURA and Miyawaki Sakura.
_KANA_TABLE = (
    "あ=a い=i う=u え=e お=o か=ka き=ki く=ku け=ke こ=ko さ=sa し=shi す=su せ=se そ=so "
    "た=ta ち=chi つ=tsu て=te と=to な=na に=ni ぬ=nu ね=ne の=no は=ha ひ=hi ふ=fu へ=he "
    "ほ=ho ま=ma み=mi む=mu め=me も=mo や=ya ゆ=yu よ=yo ら=ra り=ri る=ru れ=re ろ=ro "
    "わ=wa ゐ=i ゑ=e を=o ん=n が=ga ぎ=gi ぐ=gu げ=ge ご=go ざ=za じ=ji ず=zu ぜ=ze ぞ=zo "
    "だ=da ぢ=ji づ=zu で=de ど=do ば=ba び=bi ぶ=bu べ=be ぼ=bo ぱ=pa ぴ=pi ぷ=pu ぺ=pe ぽ=po "
    "ゔ=vu ぁ=a ぃ=i ぅ=u ぇ=e ぉ=o ゃ=ya ゅ=yu ょ=yo ゎ=wa"
)
_KANA = dict(pair.split("=") for pair in _KANA_TABLE.split())
# Syllables written with a small kana after them: きゃ kya, しゃ sha, ティ ti, ファ fa…
_DIGRAPHS = {
    **{
        f"{base}{small}": f"{romaji[:-1]}{glide}"
        for base, romaji in _KANA.items()
        if romaji.endswith("i") and base not in "いぃゐ"
        for small, glide in (("ゃ", "ya"), ("ゅ", "yu"), ("ょ", "yo"))
    },
    "しゃ": "sha", "しゅ": "shu", "しょ": "sho", "ちゃ": "cha", "ちゅ": "chu", "ちょ": "cho",
    "じゃ": "ja", "じゅ": "ju", "じょ": "jo", "ぢゃ": "ja", "ぢゅ": "ju", "ぢょ": "jo",
    "てぃ": "ti", "でぃ": "di", "とぅ": "tu", "どぅ": "du", "ふぁ": "fa", "ふぃ": "fi",
    "ふぇ": "fe", "ふぉ": "fo", "うぃ": "wi", "うぇ": "we", "うぉ": "wo", "ゔぁ": "va",
    "ゔぃ": "vi", "ゔぇ": "ve", "ゔぉ": "vo", "しぇ": "she", "じぇ": "je", "ちぇ": "che",
}  # fmt: skip
_KANA_RE = re.compile(r"[\u3041-\u309f\u30a1-\u30ff]")


def has_kana(text: str) -> bool:
    return _KANA_RE.search(text) is not None


def kana_to_romaji(text: str) -> str:
    """Hepburn romaji for the kana in text (katakana too); everything else as it is.
    "ミヤワキ・サクラ" → "miyawaki sakura"."""
    hiragana = "".join(
        chr(ord(ch) - 0x60) if "\u30a1" <= ch <= "\u30f6" else ch for ch in fold(text)
    )
    out: list[str] = []
    i = 0
    while i < len(hiragana):
        pair, ch = hiragana[i : i + 2], hiragana[i]
        if pair in _DIGRAPHS:
            out.append(_DIGRAPHS[pair])
            i += 2
            continue
        if ch == "っ":  # a doubled consonant: きって kitte
            following = _DIGRAPHS.get(hiragana[i + 1 : i + 3]) or _KANA.get(hiragana[i + 1 : i + 2])
            out.append("t" if following and following.startswith("ch") else (following or "")[:1])
        elif ch == "ー":  # a long vowel: ソース sōsu, typed as "sosu"
            pass
        elif ch in "・･":
            out.append(" ")
        else:
            out.append(_KANA.get(ch, ch))
        i += 1
    return " ".join("".join(out).split())
