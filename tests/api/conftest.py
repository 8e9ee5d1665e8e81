"""Helpers for the API tests: a JSON client, fans with tokens, and throttles out of the way."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from community.models import User
from community.services.tokens import api_token_create
from tests.factories import make_user


class ApiClient(Client):
    """The real test client, speaking JSON, optionally with `Authorization: Token <key>`."""

    def __init__(self, key: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if key is not None:
            self.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"

    def send(self, method: str, path: str, data: Any = None, **kwargs: Any) -> Any:
        return getattr(self, method.lower())(path, data, content_type="application/json", **kwargs)


def make_token(user: User | None = None, name: str = "my bot") -> str:
    return api_token_create(user=user or make_user(), name=name)[1]


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()


@pytest.fixture(autouse=True)
def _generous_throttles(settings):
    """Most tests are not about limits; the throttling tests set tiny rates themselves."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min", "writes": "10000/min"},
    }
