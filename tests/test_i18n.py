"""The site in English, Korean and Japanese: addresses, the language a visitor gets, switching,
translated interface, localised dates, and hreflang alternates for search engines."""

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from catalog.dates import PartialDate, Precision
from tests.factories import make_release, make_user, make_video

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match is not None
    return match.group(1)


# Addresses and the language a visitor gets


def test_english_is_served_without_a_prefix_to_a_browser_asking_for_nothing(client):
    response = client.get("/videos/")
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("language", ["ko", "ja"])
def test_prefixed_addresses_serve_that_language(client, language):
    response = client.get(f"/{language}/videos/")
    assert response.status_code == 200
    assert html_lang(response) == language
    assert response["Content-Language"] == language


def test_a_korean_browser_is_sent_to_the_korean_page_keeping_the_query(client):
    response = client.get("/videos/?year=2023", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/ko/videos/?year=2023"
    assert "Accept-Language" in response["Vary"]


def test_a_browser_asking_for_a_language_we_lack_gets_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.status_code == 200
    assert html_lang(response) == "en"


def test_the_language_chosen_on_this_browser_beats_the_browsers_own(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    assert html_lang(response) == "en"


def test_a_signed_in_fans_saved_language_beats_the_browser(client):
    client.force_login(make_user(language="ja"))
    response = client.get("/members/", HTTP_ACCEPT_LANGUAGE="ko")
    assert response["Location"] == "/ja/members/"


def test_forms_posted_to_english_addresses_are_not_redirected(client):
    response = client.post("/accounts/login/", {}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200


def test_machine_addresses_have_one_language(client):
    assert client.get("/api/v1/videos/", HTTP_ACCEPT_LANGUAGE="ko").status_code == 200
    assert client.get("/ko/api/v1/videos/").status_code == 404
    assert client.get("/healthz", HTTP_ACCEPT_LANGUAGE="ko").status_code == 200


def test_links_on_a_korean_page_stay_korean(client):
    video = make_video(release=make_release())
    page = client.get(f"/ko/videos/{video.slug}/").content.decode()
    assert f'href="/ko/releases/{video.release.slug}/"' in page
    assert 'href="/ko/members/"' in page


# The language menu


def test_the_header_offers_each_language_named_in_itself(client):
    page = client.get("/ko/members/").content.decode()
    menu = re.search(r'<nav class="language-nav".*?</nav>', page, re.S).group(0)
    assert 'lang="ko"' in menu
    for name in ("한국어", "日本語", "English"):
        assert name in menu
    assert re.search(r'lang="ko"[^>]*aria-current="true"', menu)


def test_a_visitor_switches_language_and_the_choice_sticks(client):
    response = client.get("/language/", {"language": "ja", "next": "/ko/videos/?kind=mv"})
    assert response["Location"] == "/ja/videos/?kind=mv"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"

    back = client.get("/language/", {"language": "en", "next": "/ja/videos/"})
    assert back["Location"] == "/videos/"
    # English chosen on purpose: a Korean browser is no longer redirected.
    assert client.get("/videos/", HTTP_ACCEPT_LANGUAGE="ko").status_code == 200


def test_switching_never_leaves_the_site_and_ignores_unknown_languages(client):
    response = client.get("/language/", {"language": "ko", "next": "https://evil.example/"})
    assert response["Location"] == "/ko/"
    response = client.get("/language/", {"language": "xx", "next": "/videos/"})
    assert response["Location"] == "/videos/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_signed_in_fans_choice_is_saved_in_their_settings(client):
    fan = make_user()
    client.force_login(fan)
    response = client.post("/language/", {"language": "ko", "next": "/members/"})
    assert response["Location"] == "/ko/members/"
    fan.refresh_from_db()
    assert fan.language == "ko"


def test_a_link_alone_does_not_change_a_signed_in_fans_settings(client):
    fan = make_user(language="ja")
    client.force_login(fan)
    client.get("/language/", {"language": "ko", "next": "/"})
    fan.refresh_from_db()
    assert fan.language == "ja"


def test_the_settings_page_saves_the_language(client):
    fan = make_user()
    client.force_login(fan)
    page = client.get("/accounts/settings/").content.decode()
    assert 'name="language"' in page
    response = client.post(
        "/accounts/settings/",
        {"email": fan.email, "language": "ja", "display_name": "", "bio": ""},
    )
    assert response.status_code == 302
    fan.refresh_from_db()
    assert fan.language == "ja"


# Translated interface


@pytest.mark.parametrize("language", ["ko", "ja"])
def test_the_interface_is_translated(client, language):
    page = client.get(f"/{language}/videos/").content.decode()
    with translation.override(language):
        for text in ("Videos", "Releases", "Members", "Search"):
            translated = translation.gettext(text)
            assert translated != text, f"{text!r} has no {language} translation"
            assert translated in page


def test_every_interface_string_is_translated_and_the_catalogs_are_current(
    tmp_path, settings, monkeypatch
):
    """makemessages, run afresh into a copy of locale/, finds nothing new and nothing missing."""
    # makemessages writes into the locale/ of the folder it runs in, whatever LOCALE_PATHS says:
    # it runs in a copy of the project made of links to the sources, so the real catalogs stay as
    # they are.
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(BASE_DIR / "locale", project / "locale")
    for source in ("foundation", "catalog", "community", "fansite", "templates", "static"):
        (project / source).symlink_to(BASE_DIR / source)
    settings.LOCALE_PATHS = [project / "locale"]
    monkeypatch.chdir(project)
    before = {path: path.read_bytes() for path in (BASE_DIR / "locale").glob("*/LC_MESSAGES/*.po")}
    call_command(
        "makemessages",
        locale=["ko", "ja"],
        symlinks=True,
        no_obsolete=True,
        no_location=True,
        verbosity=0,
    )
    assert before == {path: path.read_bytes() for path in before}, "the real catalogs changed"
    for language in ("ko", "ja"):
        catalog = project / "locale" / language / "LC_MESSAGES" / "django.po"
        stats = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalog)],
            capture_output=True,
            text=True,
        )
        assert stats.returncode == 0, stats.stderr
        missing = [word for word in ("untranslated", "fuzzy") if word in stats.stderr]
        assert not missing, (
            f"{language}: {stats.stderr.strip()} — run `manage.py makemessages -l {language}` "
            "and translate what it adds"
        )


@pytest.mark.parametrize("language", ["ko", "ja"])
def test_allauths_catalogs_are_complete_in_korean_and_japanese(language):
    """Labels, errors and messages on the account pages that we show as allauth wrote them come
    from allauth's own catalogs: all of it is translated (a newer allauth that lacks a string
    fails here: add it to locale/)."""
    import allauth

    catalog = Path(allauth.__file__).parent / "locale" / language / "LC_MESSAGES" / "django.po"
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalog)],
        capture_output=True,
        text=True,
    )
    assert stats.returncode == 0, stats.stderr
    assert "untranslated" not in stats.stderr
    assert "fuzzy" not in stats.stderr


@pytest.mark.parametrize("language", ["ko", "ja"])
def test_allauths_pages_speak_the_language(client, language):
    client.force_login(make_user())
    pages = {
        "/accounts/email/": ("Email Addresses", "Add Email"),
        "/accounts/2fa/": ("Two-Factor Authentication", "Recovery Codes"),
        "/accounts/2fa/webauthn/": ("Security Keys",),
        "/accounts/logout/": ("Are you sure you want to sign out?",),
        "/accounts/reauthenticate/": ("Confirm Access", "Enter your password:"),
    }
    for path, texts in pages.items():
        page = client.get(f"/{language}{path}").content.decode()
        with translation.override(language):
            for text in texts:
                assert translation.gettext(text) != text, f"{text!r} has no {language} translation"
                assert translation.gettext(text) in page, (path, text)
                assert f">{text}<" not in page.replace("\n", "").replace("  ", "")


# Dates and numbers


@pytest.mark.parametrize(
    ("language", "day", "month", "year"),
    [
        ("en", "14 November 2022", "November 2022", "2022"),
        ("ko", "2022년 11월 14일", "2022년 11월", "2022년"),
        ("ja", "2022年11月14日", "2022年11月", "2022年"),
    ],
)
def test_partial_dates_read_naturally_in_each_language(language, day, month, year):
    date = datetime.date(2022, 11, 14)
    with translation.override(language):
        assert str(PartialDate(date, Precision.DAY)) == day
        assert str(PartialDate(date.replace(day=1), Precision.MONTH)) == month
        assert str(PartialDate(date.replace(month=1, day=1), Precision.YEAR)) == year


def test_a_release_page_shows_its_date_in_korean(client):
    release = make_release(released_on=datetime.date(2022, 11, 14))
    page = client.get(f"/ko/releases/{release.slug}/").content.decode()
    assert "2022년 11월 14일" in page


# Search engines


def test_pages_name_their_other_languages(client):
    page = client.get("/ja/members/").content.decode()
    for language, path in (("en", "/members/"), ("ko", "/ko/members/"), ("ja", "/ja/members/")):
        assert (
            f'<link rel="alternate" hreflang="{language}" href="http://testserver{path}">' in page
        )
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/members/">' in page


def test_the_sitemap_lists_each_page_in_each_language_with_alternates(client):
    video = make_video()
    xml = client.get("/sitemap-videos.xml").content.decode()
    for prefix in ("", "/ko", "/ja"):
        assert f"<loc>http://testserver{prefix}/videos/{video.slug}/</loc>" in xml
    assert (
        f'<xhtml:link rel="alternate" hreflang="ko" href="http://testserver/ko/videos/{video.slug}/"/>'
        in xml
    )
    assert 'hreflang="x-default"' in xml
