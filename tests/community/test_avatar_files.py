"""A fan's old pictures leave the storage: when a new avatar replaces one, when it is cleared, and
with the account (the replaced ones too); nothing is served from an old address."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from community.models import Profile
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SETTINGS = reverse("community:settings")


def _png(colour: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def _files(settings) -> set[str]:
    root = settings.MEDIA_ROOT
    return (
        {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )


def _upload(client, fan, colour, capture):
    with capture(execute=True):
        client.post(SETTINGS, {"email": fan.email, "avatar": _png(colour)})
    return Profile.objects.get(user=fan)


def test_a_replaced_avatar_leaves_the_storage(settings, django_capture_on_commit_callbacks):
    fan = make_user()
    client = Client()
    client.force_login(fan)
    first = _upload(client, fan, "red", django_capture_on_commit_callbacks)
    old = {first.avatar.name, first.avatar_small.name}
    assert old <= _files(settings)

    second = _upload(client, fan, "blue", django_capture_on_commit_callbacks)

    assert _files(settings) == {second.avatar.name, second.avatar_small.name}
    assert not old & _files(settings)


def test_a_cleared_avatar_leaves_the_storage(settings, django_capture_on_commit_callbacks):
    fan = make_user()
    client = Client()
    client.force_login(fan)
    _upload(client, fan, "red", django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(SETTINGS, {"email": fan.email, "avatar-clear": "on"})

    assert not Profile.objects.get(user=fan).avatar
    assert _files(settings) == set()


def test_no_picture_outlives_the_account(settings, django_capture_on_commit_callbacks):
    from community.services.accounts import account_delete

    fan = make_user()
    client = Client()
    client.force_login(fan)
    _upload(client, fan, "red", django_capture_on_commit_callbacks)
    _upload(client, fan, "blue", django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=fan)

    assert _files(settings) == set()
