"""A small, real OpenID Connect provider for the tests: the standard library's HTTP server and
PyJWT, on a free port of this machine.

Kakao, Naver, LINE, Google and Apple can't be reached from here; this stands in for any of them
the way the site meets them: discovery, a sign-in page the person approves, the authorization
code exchanged for tokens (client secret, and PKCE when the client sends it), an RS256-signed
ID token, its keys, and the userinfo endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class Person:
    sub: str
    name: str
    email: str
    preferred_username: str
    email_verified: bool = True


@dataclass
class Provider:
    client_id: str
    client_secret: str
    person: Person
    name: str = "Local ID"
    issuer: str = ""
    _codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _tokens: dict[str, Person] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(4)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # What the endpoints answer

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email"],
        }

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self._kid, "use": "sig", "alg": "RS256"}]}

    def approve(self, params: dict[str, str]) -> str:
        """The person said yes: where their browser goes next (back to the site, with a code)."""
        code = secrets.token_urlsafe(24)
        self._codes[code] = {**params, "at": time.time()}
        query = {"code": code, "state": params.get("state", "")}
        return f"{params['redirect_uri']}?{urlencode(query)}"

    def exchange(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        grant = self._codes.pop(form.get("code", ""), None)
        if (client_id, secret) != (self.client_id, self.client_secret):
            raise ValueError("invalid_client")
        if grant is None or time.time() - grant["at"] > 60:
            raise ValueError("invalid_grant")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            raise ValueError("invalid_grant")
        if grant.get("code_challenge"):
            verifier = form.get("code_verifier", "").encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if digest.decode() != grant["code_challenge"]:
                raise ValueError("invalid_grant")
        access_token = secrets.token_urlsafe(24)
        self._tokens[access_token] = self.person
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": self.person.sub,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "email": self.person.email,
            "email_verified": self.person.email_verified,
            "name": self.person.name,
            "preferred_username": self.person.preferred_username,
        }
        if grant.get("nonce"):
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }

    def userinfo(self, access_token: str) -> dict[str, Any]:
        person = self._tokens.get(access_token)
        if person is None:
            raise ValueError("invalid_token")
        return {
            "sub": person.sub,
            "name": person.name,
            "email": person.email,
            "email_verified": person.email_verified,
            "preferred_username": person.preferred_username,
        }

    def consent_page(self, params: dict[str, str]) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.name)}</title></head><body><main>"
            f"<h1>Sign in with {html.escape(self.name)}</h1>"
            f"<p>{html.escape(self.person.name)} ({html.escape(self.person.email)})</p>"
            f'<form method="post" action="/authorize">{hidden}'
            '<button type="submit">Allow</button></form></main></body></html>'
        )


def _handler_for(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: str, content_type: str = "application/json") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def _json(self, payload: dict[str, Any], status: int = 200) -> None:
            self._send(status, json.dumps(payload))

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            return {k: v[0] for k, v in parse_qs(raw).items()}

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(provider.discovery())
            elif url.path == "/jwks":
                self._json(provider.jwks())
            elif url.path == "/authorize":
                if query.get("client_id") != provider.client_id or "redirect_uri" not in query:
                    self._send(400, "unknown client", "text/plain")
                else:
                    self._send(200, provider.consent_page(query), "text/html")
            elif url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                try:
                    self._json(provider.userinfo(token))
                except ValueError as error:
                    self._json({"error": str(error)}, 401)
            elif url.path == "/favicon.ico":
                self._send(204, "", "image/x-icon")
            else:
                self._send(404, "not found", "text/plain")

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            form = self._form()
            if url.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.approve(form))
                self.end_headers()
            elif url.path == "/token":
                basic = None
                header = self.headers.get("Authorization", "")
                if header.startswith("Basic "):
                    client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
                    basic = (client_id, secret)
                try:
                    self._json(provider.exchange(form, basic))
                except ValueError as error:
                    self._json({"error": str(error)}, 400)
            else:
                self._send(404, "not found", "text/plain")

    return Handler


def provider_settings(provider: Provider) -> dict[str, Any]:
    """SOCIALACCOUNT_PROVIDERS' entry for it, as OIDC_* environment variables make it."""
    return {
        "APPS": [
            {
                "client_id": provider.client_id,
                "secret": provider.client_secret,
                "provider_id": "local",
                "name": provider.name,
                "settings": {"server_url": provider.issuer},
            }
        ]
    }
