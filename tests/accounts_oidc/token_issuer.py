"""A loopback OpenID provider whose ID tokens a test shapes: it serves discovery, its JWKS, a
token endpoint that checks the PKCE verifier and signs the token with its RSA test key (or
another key, another issuer, an expired time, when the test asks), and user info.

The real provider (oidc-provider, tests/accounts_oidc/provider/) cannot be asked for a wrong
token; this one exists for the refusals."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "journeymap-test"
CLIENT_SECRET = "test-secret-not-for-production"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class TokenIssuer:
    """What the next token answer holds. `claims` and `userinfo` are merged over defaults
    made from `email`; `sign_with` replaces the published key; `header` adds header fields."""

    url: str = ""
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    email: str = "lan@example.com"
    claims: dict[str, Any] = field(default_factory=dict)
    userinfo: dict[str, Any] = field(default_factory=dict)
    sign_with: rsa.RSAPrivateKey | None = None
    header: dict[str, Any] = field(default_factory=dict)
    challenges: dict[str, dict[str, str]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": "test-key", "alg": "RS256", "use": "sig"}]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def remember(self, authorize_url: str) -> dict[str, str]:
        """Keep an authorization request's nonce and PKCE challenge under a new code."""
        query = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
        code = f"code-{len(self.challenges)}"
        self.challenges[code] = query
        return {"code": code, "state": query["state"]}

    def id_token(self, code: str) -> str:
        now = int(time.time())
        request = self.challenges[code]
        claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": f"sub-{self.email}",
            "iat": now,
            "exp": now + 300,
            "nonce": request.get("nonce"),
            **self.claims,
        }
        key = self.sign_with or self.key
        headers = {"kid": "test-key", **self.header}
        return jwt.encode(claims, key, algorithm="RS256", headers=headers)

    def user_info(self) -> dict[str, Any]:
        return {
            "sub": f"sub-{self.email}",
            "email": self.email,
            "email_verified": True,
            "given_name": "Lan",
            "family_name": "Nguyễn",
            **self.userinfo,
        }

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        request = self.challenges.get(form.get("code", ""))
        if request is None or form.get("client_secret") != CLIENT_SECRET:
            return 400, {"error": "invalid_grant"}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if request.get("code_challenge") != challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE mismatch"}
        token = self.id_token(form["code"])
        return 200, {
            "access_token": "at-" + form["code"],
            "token_type": "Bearer",
            "id_token": token,
        }


def _handler(issuer: TokenIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/.well-known/openid-configuration":
                self._answer(200, issuer.discovery())
            elif path == "/jwks":
                self._answer(200, issuer.jwks())
            elif path == "/userinfo" and self.headers.get("Authorization", "").startswith(
                "Bearer at-"
            ):
                self._answer(200, issuer.user_info())
            else:
                self._answer(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlparse(self.path).path != "/token":
                self._answer(404, {"error": "not_found"})
                return
            self._answer(*issuer.token(form))

    return Handler


@contextmanager
def token_issuer_running() -> Iterator[TokenIssuer]:
    issuer = TokenIssuer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(issuer))
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
