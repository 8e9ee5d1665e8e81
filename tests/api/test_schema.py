"""The OpenAPI schema: valid, complete about errors and sign-in, and its docs page self-hosted."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def schema(api) -> dict:
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "api.yaml")

    assert "/api/v1/videos/{slug}/rating/" in (tmp_path / "api.yaml").read_text()


def test_every_operation_documents_its_errors_with_the_shared_body(schema):
    for name, operation in _operations(schema):
        responses = operation["responses"]
        assert {"401", "429"} <= set(responses), name
        for status, response in responses.items():
            if (status.startswith("4") and status != "404") or status == "404":
                content = response["content"]["application/json"]
                assert content["schema"] == {"$ref": ERROR_REF}, (name, status)
    error = schema["components"]["schemas"]["Error"]
    assert sorted(error["required"]) == ["detail", "errors"]


def test_writes_document_refusals_and_conflicts(schema):
    paths = schema["paths"]

    assert {"400", "401", "403", "404"} <= set(
        paths["/api/v1/videos/{slug}/rating/"]["put"]["responses"]
    )
    assert "409" in paths["/api/v1/me/lists/"]["post"]["responses"]
    assert "409" in paths["/api/v1/me/lists/{id}/items/"]["post"]["responses"]
    assert "409" in paths["/api/v1/me/lists/{id}/"]["delete"]["responses"]
    assert "304" in paths["/api/v1/videos/{slug}/"]["get"]["responses"]


def test_both_ways_to_sign_in_are_described(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Token <key>`; make a key at /accounts/api-tokens/.",
    }
    assert schemes["cookieAuth"]["in"] == "cookie"
    me = schema["paths"]["/api/v1/me/"]["get"]
    assert {} not in me["security"]  # signing in is required here…
    assert {} in schema["paths"]["/api/v1/videos/"]["get"]["security"]  # …and optional here


def test_main_operations_have_examples(schema):
    paths = schema["paths"]
    put_rating = paths["/api/v1/videos/{slug}/rating/"]["put"]

    assert put_rating["requestBody"]["content"]["application/json"]["examples"]
    assert paths["/api/v1/videos/"]["get"]["responses"]["200"]["content"]["application/json"][
        "examples"
    ]
    assert paths["/api/v1/me/lists/"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]


def test_the_docs_page_loads_nothing_from_elsewhere(api):
    page = api.get("/api/docs/")
    script = api.get("/api/docs/?script=")

    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(source.startswith("/") for source in sources), sources
    assert "<script>" not in html  # the setup script is a file too: no inline code for the CSP
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
