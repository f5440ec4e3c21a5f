"""A minimal OpenID Connect provider on loopback for the access tests: discovery, an
authorize endpoint that signs in whoever the test says, a token endpoint issuing RS256 ID
tokens signed with a fresh key, and the JWKS to check them. Real tokens, real signatures:
Streamlit's st.login (Authlib) verifies them as it would Google's or Okta's."""

from __future__ import annotations

import base64
import secrets
import threading
import time
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey
from json_server import JsonHandler


class OidcProvider(ThreadingHTTPServer):
    """Serve with `start()`; set `email` to choose who signs in next."""

    daemon_threads = True

    def __init__(self, client_id: str, client_secret: str):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.issuer = f"http://127.0.0.1:{self.server_address[1]}"
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.email = "ana@example.com"
        self.codes: dict[str, dict] = {}
        self.issued: list[dict] = []  # every ID token's claims, for the test to inspect
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> OidcProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant["email"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 600,
            "email": grant["email"],
            "email_verified": True,
            "name": grant["email"].split("@")[0].title(),
        }
        if grant.get("nonce"):
            claims["nonce"] = grant["nonce"]
        self.issued.append(claims)
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)


class _Handler(JsonHandler):
    server: OidcProvider

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        provider = self.server
        if url.path == "/.well-known/openid-configuration":
            self.send_json(200, provider.metadata())
        elif url.path == "/jwks":
            self.send_json(200, {"keys": [provider.key.as_dict(private=False)]})
        elif url.path == "/authorize":
            if query.get("client_id") != provider.client_id:
                self.send_json(400, {"error": "invalid_client"})
                return
            code = secrets.token_urlsafe(16)
            provider.codes[code] = {
                "email": provider.email,
                "nonce": query.get("nonce"),
                "redirect_uri": query.get("redirect_uri"),
            }
            back = {"code": code, "state": query.get("state", "")}
            self.send_response(302)
            self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_json(404, {"error": "not_found"})

    def do_POST(self) -> None:  # noqa: N802
        provider = self.server
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if urlsplit(self.path).path != "/token":
            self.send_json(404, {"error": "not_found"})
            return
        client = (form.get("client_id"), form.get("client_secret"))
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client = tuple(base64.b64decode(basic[6:]).decode().split(":", 1))
        if client != (provider.client_id, provider.client_secret):
            self.send_json(401, {"error": "invalid_client"})
            return
        grant = provider.codes.pop(form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            self.send_json(400, {"error": "invalid_grant"})
            return
        self.send_json(
            200,
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 600,
                "id_token": provider.id_token(grant),
            },
        )
