"""A fan whose e-mail address is unconfirmed: where the rating, comment and list controls would
be, the page says to confirm and sends the link again; confirming brings them back to the page
they were on. Nothing there looks as if it worked and then loses what they did."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from community.forms_accounts import signup_started_token
from community.models import Rating, User
from tests.factories import make_user, make_video

pytestmark = pytest.mark.django_db

RESEND = reverse("community:confirm-email-resend")
SIGNUP = reverse("community:signup")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def newcomer(client):
    fan = make_user(email_verified=False, email="newcomer@example.com")
    client.force_login(fan)
    return fan


def _prompts(page: str) -> list[tuple[str, str]]:
    """(message, next) of each confirmation prompt on a page."""
    return re.findall(
        r'<div class="confirm-prompt">\s*<p><strong>([^<]+)</strong>.*?'
        rf'action="{RESEND}">.*?name="next" value="([^"]*)"',
        page,
        re.S,
    )


def test_the_video_page_offers_confirming_where_the_controls_would_be(client, newcomer):
    video = make_video()
    url = video.get_absolute_url()

    page = client.get(url).content.decode()

    assert _prompts(page) == [
        ("Confirm your e-mail to rate", f"{url}#rating"),
        ("Confirm your e-mail to add to lists", url),
        ("Confirm your e-mail to comment", f"{url}#comments"),
    ]
    assert f'action="{reverse("community:rate", args=[video.slug])}"' not in page
    assert f'action="{reverse("community:comment-create", args=[video.slug])}"' not in page
    assert f'action="{reverse("community:watchlist-add", args=[video.slug])}"' not in page
    assert f'action="{reverse("community:log-watch", args=[video.slug])}"' not in page


def test_a_confirmed_fan_gets_the_controls_and_no_prompt(client):
    client.force_login(make_user())
    video = make_video()
    page = client.get(video.get_absolute_url()).content.decode()
    assert _prompts(page) == []
    assert f'action="{reverse("community:rate", args=[video.slug])}"' in page
    assert f'action="{reverse("community:comment-create", args=[video.slug])}"' in page


def test_cards_lead_to_the_page_that_says_to_confirm_not_to_a_button(client, newcomer):
    video = make_video()
    page = client.get(reverse("catalog:video-list")).content.decode()
    add = reverse("community:watchlist-add", args=[video.slug])
    assert f'action="{add}"' not in page
    link = re.search(rf'href="({re.escape(add)}[^"]*)"', page).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 403
    assert "Confirm your e-mail address first" in response.content.decode()


def test_resending_then_confirming_with_the_first_link_comes_back_to_the_page(client):
    """The link mailed at sign-up has no `next`; asking again from a page minutes later mails
    nothing new (the first link still works), and confirming in this browser comes back."""
    client.post(
        SIGNUP,
        {
            "username": "hana",
            "email": "hana@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "website": "",
            "started": signup_started_token(time.time() - 10),
        },
    )
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", mail.outbox[0].body)[1]
    assert "next=" not in link
    video = make_video()
    here = f"{video.get_absolute_url()}#rating"

    response = client.post(RESEND, {"next": here})
    assert response["Location"] == here
    assert len(mail.outbox) == 1

    response = client.post(link)
    assert response["Location"] == here
    assert User.objects.get(username="hana").has_confirmed_email
    # Once: a later confirmation (another address) goes where it always did.
    assert "community:confirm-email-next" not in client.session


def test_another_fans_next_is_not_followed(client, newcomer):
    video = make_video()
    client.post(RESEND, {"next": video.get_absolute_url()})
    other = make_user(email_verified=False, email="other@example.com")
    from allauth.account.models import EmailAddress, EmailConfirmation

    confirmation = EmailConfirmation.create(EmailAddress.objects.get(user=other))
    confirmation.sent = confirmation.created
    confirmation.save()
    response = client.post(reverse("community:confirm-email", args=[confirmation.key]))
    assert response["Location"] != video.get_absolute_url()


def test_a_write_sent_anyway_offers_the_way_back_to_its_page(client, newcomer):
    video = make_video()
    page = f"http://testserver{video.get_absolute_url()}"

    response = client.post(
        reverse("community:rate", args=[video.slug]), {"score": "8"}, headers={"referer": page}
    )

    assert response.status_code == 403
    assert f'name="next" value="{video.get_absolute_url()}"' in response.content.decode()
    assert not Rating.objects.exists()
    response = client.post(
        reverse("community:rate", args=[video.slug]),
        {"score": "8"},
        headers={"referer": "https://evil.example/"},
    )
    assert 'name="next" value=""' in response.content.decode()


def test_a_sign_up_sent_too_fast_keeps_the_page_to_come_back_to(client, settings):
    video = make_video()
    settings.SIGNUP_MIN_SECONDS = 3
    url = f"{SIGNUP}?next={video.get_absolute_url()}"
    form = client.get(url).content.decode()
    assert f'name="next" value="{video.get_absolute_url()}"' in form

    response = client.post(
        url,
        {
            "username": "hana",
            "email": "hana@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "website": "",
            "started": signup_started_token(),
            "next": video.get_absolute_url(),
        },
    )

    body = response.content.decode()
    assert "press “Sign up”" in body
    assert 'value="hana"' in body
    assert 'value="hana@example.com"' in body
    assert PASSWORD not in body
    assert f'name="next" value="{video.get_absolute_url()}"' in body
