"""A fan's account in Chromium: sign up, confirm, change the address (the password asked, a
blocked domain refused, the new address confirmed before it is used), add a passkey and log in
with it alone and as the second step; an authenticator app set up and asked for; signing up
through an OpenID Connect provider, a real one started on this machine.

Passkeys use Chromium's virtual authenticator (the DevTools WebAuthn domain), so the browser and
the site do the real ceremony; the live server is addressed as localhost, as passkeys need."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from playwright.sync_api import Page, expect

from community.models import BlockedEmail, User
from tests.e2e.helpers import (
    PASSWORD,
    expect_message,
    fill_login_form,
    header,
    log_in,
    small_catalog,
    totp_now,
)
from tests.e2e.test_fan import sign_up
from tests.factories import make_user
from tests.oidc_provider import Person, Provider, provider_settings


def virtual_authenticator(page: Page) -> Any:
    """A passkey-capable authenticator built into this tab (like a phone's or a laptop's): it
    keeps credentials, verifies the person and answers without a touch."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable", {"enableUI": False})
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return session


def link_in(message: Any) -> str:
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body)
    assert match is not None
    return match[0]


def confirm_its_me(page: Page) -> None:
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()


def test_sign_up_confirm_change_the_address_and_log_in_with_a_passkey(site):
    small_catalog()
    BlockedEmail.objects.create(pattern="junk.example")
    page = site.page
    virtual_authenticator(page)

    # Sign up, and confirm the address with the mailed link
    sign_up(page, "fearnot_hana", "hana@example.com")
    page.goto(link_in(mail.outbox[-1]))
    page.get_by_role("button", name="Confirm my address").click()
    expect_message(page, "your e-mail address is confirmed")

    # Change the address: a blocked domain is refused; the password is asked before any change
    header(page).get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Change your address, or add another").click()
    page.get_by_label("Email").fill("hana@junk.example")
    page.get_by_role("button", name="Add Email").click()
    expect(page.get_by_text("We can't accept sign-ups with this e-mail address")).to_be_visible()
    page.get_by_label("Email").fill("hana@new.example")
    page.get_by_role("button", name="Add Email").click()
    confirm_its_me(page)
    expect_message(page, "We sent a new confirmation link to hana@new.example")
    assert User.objects.get(username="fearnot_hana").email == "hana@example.com"  # not yet

    # The new address works once confirmed; the old one hears of the change
    assert mail.outbox[-1].to == ["hana@new.example"]
    page.goto(link_in(mail.outbox[-1]))
    page.get_by_role("button", name="Confirm my address").click()
    page.goto("/accounts/email/")
    page.get_by_label(re.compile("hana@new.example")).check()
    page.get_by_role("button", name="Make Primary").click()
    expect(page.get_by_role("status")).to_be_visible()
    fan = User.objects.get(username="fearnot_hana")
    assert fan.email == "hana@new.example"
    assert fan.has_confirmed_email
    assert mail.outbox[-1].to == ["hana@example.com"]
    assert "hana@new.example" in mail.outbox[-1].body

    # Add a passkey in the settings
    header(page).get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Your passkeys").click()
    page.get_by_role("main").get_by_role("link", name="Add").click()
    expect(page.get_by_label("A passkey: log in with it alone, no password")).to_be_checked()
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    key = Authenticator.objects.get(user=fan, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().is_passwordless

    # Log out, and back in with the passkey alone
    header(page).get_by_role("button", name="Log out").click()
    expect_message(page, "You have logged out.")
    header(page).get_by_role("link", name="Log in", exact=True).click()
    page.get_by_role("button", name="Log in with a passkey").click()
    # The ceremony is a round trip of its own (challenge, signature, login) before the page loads.
    expect(header(page)).to_contain_text("@fearnot_hana", timeout=30_000)

    # With the password, the passkey is the second step
    header(page).get_by_role("button", name="Log out").click()
    expect_message(page, "You have logged out.")
    header(page).get_by_role("link", name="Log in", exact=True).click()
    fill_login_form(page, "fearnot_hana")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(header(page)).to_contain_text("@fearnot_hana")


def test_an_authenticator_app_is_set_up_and_then_asked_for(site):
    make_user(username="kazuha_fan")
    page = site.page
    log_in(page, "kazuha_fan")

    header(page).get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Two-factor authentication").click()
    page.get_by_role("link", name="Activate").click()
    confirm_its_me(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_now(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()

    header(page).get_by_role("button", name="Log out").click()
    expect_message(page, "You have logged out.")
    header(page).get_by_role("link", name="Log in", exact=True).click()
    fill_login_form(page, "kazuha_fan")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert "@kazuha_fan" not in header(page).inner_text()
    page.get_by_label("Code").fill(totp_now(secret))
    page.get_by_role("button", name="Continue").click()
    expect(header(page)).to_contain_text("@kazuha_fan")


@pytest.fixture
def local_provider(settings):
    person = Person(
        sub="local-42", name="Sakura Fan", email="sakura@fans.example", preferred_username="sakura"
    )
    with Provider(client_id="fansite", client_secret="s3cret", person=person) as provider:
        settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": provider_settings(provider)}
        settings.SECURE_CSP = {
            **settings.SECURE_CSP,
            "form-action": [*settings.SECURE_CSP["form-action"], provider.issuer],
        }
        yield provider


def test_a_new_fan_signs_up_through_an_openid_connect_provider(site, local_provider):
    page = site.page
    page.goto("/")
    header(page).get_by_role("link", name="Log in", exact=True).click()
    page.get_by_role("button", name="Continue with Local ID").click()

    # At the provider: its own page, on its own address
    expect(page.get_by_role("heading", name="Sign in with Local ID")).to_be_visible()
    assert page.url.startswith(local_provider.issuer)
    page.get_by_role("button", name="Allow").click()

    # Back at the site: pick a username
    expect(page.get_by_label("Username")).to_have_value("sakura")
    page.get_by_label("Username").fill("sakura_fearnot")
    page.get_by_role("button", name="Sign Up").click()
    expect(header(page)).to_contain_text("@sakura_fearnot")
    fan = User.objects.get(username="sakura_fearnot")
    assert EmailAddress.objects.get(user=fan).verified
    assert fan.has_confirmed_email
