"""schema.org JSON-LD for the catalog's pages: MusicGroup, Person, MusicAlbum/MusicRecording,
VideoObject. Only known facts go in; unknown ones are left out, never guessed.

Where the facts come from goes in too, as schema.org allows: a creative work (an album, a video)
lists its sources as `citation`; a person, who cites nothing, is the `subjectOf` them, and
`sameAs` her pages elsewhere (Wikipedia, the official site). Press releases have no address and
are left out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from catalog.citations import sources_of
from catalog.dates import PartialDate
from catalog.localize import localized
from catalog.models import ExternalLink, Member, MusicVideo, Release

GROUP: dict[str, Any] = {
    "@type": "MusicGroup",
    "name": "LE SSERAFIM",
    "alternateName": ["르세라핌", "ルセラフィム"],
}


def _url(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _date(value: PartialDate | None) -> str | None:
    return value.isoformat() if value else None


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _cited(record: Any) -> list[dict[str, Any]]:
    """The record's sources that are online, as CreativeWorks (attach them: catalog.citations)."""
    seen: dict[str, dict[str, Any]] = {}
    for source in sources_of(record):
        if source.link and source.link not in seen:
            seen[source.link] = _clean(
                {"@type": "CreativeWork", "url": source.link, "name": source.title}
            )
    return list(seen.values())


IDENTITY_SITES = {
    ExternalLink.Site.WIKIPEDIA,
    ExternalLink.Site.OFFICIAL,
    ExternalLink.Site.MUSICBRAINZ,
}


def group(request: HttpRequest, members: list[Member]) -> dict[str, Any]:
    return _clean(
        {
            "@context": "https://schema.org",
            **GROUP,
            "url": _url(request, "/"),
            "member": [
                _clean(
                    {
                        "@type": "Person",
                        "name": m.stage_name,
                        "url": _url(request, m.get_absolute_url()),
                    }
                )
                for m in members
            ],
        }
    )


def member(request: HttpRequest, member: Member) -> dict[str, Any]:
    return _clean(
        {
            "@context": "https://schema.org",
            "@type": "Person",
            "name": member.stage_name,
            "alternateName": [
                n for n in (member.native_name, member.romanized_name, *member.alias_list) if n
            ],
            "birthDate": _date(member.birth),
            "nationality": member.nationality,
            "url": _url(request, member.get_absolute_url()),
            "image": _url(request, member.photo.url) if member.photo else None,
            "sameAs": [link.url for link in member.links.all() if link.site in IDENTITY_SITES],
            "subjectOf": _cited(member),
            "memberOf": _clean(
                {
                    "@type": "OrganizationRole",
                    "memberOf": GROUP,
                    "startDate": member.joined_on.isoformat() if member.joined_on else None,
                    "endDate": member.left_on.isoformat() if member.left_on else None,
                }
            ),
        }
    )


def release(request: HttpRequest, release: Release) -> dict[str, Any]:
    return _clean(
        {
            "@context": "https://schema.org",
            "@type": "MusicAlbum",
            "name": release.title,
            "alternateName": release.native_title,
            "byArtist": GROUP,
            "datePublished": _date(release.released),
            "recordLabel": _clean({"@type": "Organization", "name": release.label})
            if release.label
            else None,
            "url": _url(request, release.get_absolute_url()),
            "image": _url(request, release.cover.url) if release.cover else None,
            "citation": _cited(release),
            "numTracks": len(release.tracks.all()),
            "track": [
                _clean(
                    {
                        "@type": "MusicRecording",
                        "name": track.display_title,
                        "position": track.number,
                        "byArtist": GROUP,
                    }
                )
                for track in release.tracks.all()
            ],
        }
    )


def video(request: HttpRequest, video: MusicVideo) -> dict[str, Any]:
    return _clean(
        {
            "@context": "https://schema.org",
            "@type": "VideoObject",
            "name": video.display_title,
            # In the page's language, as the page around it (English where not translated).
            "description": localized(video, "description").text or video.display_title,
            "uploadDate": _date(video.published),
            "thumbnailUrl": _url(request, video.thumbnail.url) if video.thumbnail else None,
            "embedUrl": video.youtube_embed_url.split("?")[0] if video.youtube_id else None,
            "url": _url(request, video.get_absolute_url()),
            "creator": GROUP,
            "citation": _cited(video),
            "actor": [_clean({"@type": "Person", "name": m.stage_name}) for m in video.lineup()],
        }
    )
