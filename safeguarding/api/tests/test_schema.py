from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.validation import validate_schema

DOCS_URL = "/api/docs/"


@pytest.fixture
def openapi(db: None) -> dict[str, Any]:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi(openapi: dict[str, Any]) -> None:
    validate_schema(openapi)  # raises on an invalid document

    assert openapi["openapi"].startswith("3.")
    assert {"/api/v1/children/", "/api/v1/children/{id}/"} <= set(openapi["paths"])


@pytest.mark.parametrize("path", ["/api/v1/children/", "/api/v1/children/{id}/"])
def test_schema_documents_error_responses(openapi: dict[str, Any], path: str) -> None:
    operation = openapi["paths"][path]["get"]

    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert operation["security"] == [{"agencyToken": []}, {"verifiedSession": []}]


def test_schema_documents_search_parameters(openapi: dict[str, Any]) -> None:
    parameters = {p["name"]: p for p in openapi["paths"]["/api/v1/children/"]["get"]["parameters"]}

    assert set(parameters) == {"name", "date_of_birth", "nhs_number", "page"}
    assert parameters["date_of_birth"]["schema"] == {"type": "string", "format": "date"}


def test_schema_documents_both_authentication_schemes(openapi: dict[str, Any]) -> None:
    schemes = openapi["components"]["securitySchemes"]

    assert schemes["agencyToken"]["type"] == "apiKey"
    assert schemes["agencyToken"]["in"] == "header"
    assert schemes["agencyToken"]["name"] == "Authorization"
    assert "Token <key>" in schemes["agencyToken"]["description"]
    assert schemes["verifiedSession"]["in"] == "cookie"


def test_docs_page_loads_nothing_from_another_host(db: None) -> None:
    response = Client().get(DOCS_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui-bundle.js" in html
    assert re.findall(r"https?://", html) == []
    assert "cdn.jsdelivr.net" not in html
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith("/"), src
        assert not src.startswith("//"), src


def test_docs_page_works_under_the_strict_csp(db: None) -> None:
    response = Client().get(DOCS_URL)

    html = response.content.decode()
    policy = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    nonce = re.fullmatch(r"'self' 'nonce-([^']+)'", policy["script-src"])
    assert nonce is not None
    assert policy["style-src"] == "'self'"
    # Every script is a same-origin file or carries this response's nonce; no inline styles.
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert 'src="/static/' in attributes or f'nonce="{nonce.group(1)}"' in attributes
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "<style" not in html
    assert "style=" not in html
    # Swagger UI's online validator would fetch a badge from validator.swagger.io.
    assert '"validatorUrl": null' in html
