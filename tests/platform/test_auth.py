"""Bearer tokens: verification against a JWKS served over real HTTP, and the local issuer."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from shared.errors import BarbError
from shared.web import build_app
from shared.web.auth import JwksVerifier, require_user


class JwksServer:
    """Serves a mutable JWKS at /auth/v1/.well-known/jwks.json and counts fetches."""

    def __init__(self) -> None:
        self.keys: list[dict] = []
        self.fetches = 0
        self.delay_s = 0.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                time.sleep(outer.delay_s)
                body = json.dumps({"keys": outer.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add_key(self, private_key, kid: str, alg: str) -> None:
        algorithm = jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.ECAlgorithm
        jwk = json.loads(algorithm.to_jwk(private_key.public_key()))
        self.keys.append({**jwk, "kid": kid, "alg": alg, "use": "sig"})


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.httpd.shutdown()


@pytest.fixture
def supabase_env(barb_env, monkeypatch, jwks):
    monkeypatch.setenv("SUPABASE_URL", jwks.url)
    monkeypatch.setenv("JWKS_REFETCH_COOLDOWN_S", "0")
    return jwks


def make_token(private_key, kid: str, alg: str, issuer: str, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": "authenticated", "sub": "user-1", "iat": now, "exp": now + 600}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, private_key, algorithm=alg, headers={"kid": kid})


async def whoami(request: Request) -> JSONResponse:
    user = await require_user(request)
    return JSONResponse({"id": user.id})


def auth_app() -> TestClient:
    """An app with one authenticated route, so these tests exercise auth and nothing else."""
    return TestClient(build_app([Route("/api/whoami", whoami)]))


@pytest.fixture
def supabase_client(supabase_env):
    with auth_app() as client:
        yield client


def call(client, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/whoami", headers=headers)


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_valid_supabase_token_is_accepted(supabase_client, supabase_env, alg):
    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if alg == "RS256"
        else ec.generate_private_key(ec.SECP256R1())
    )
    supabase_env.add_key(key, "k1", alg)
    response = call(supabase_client, make_token(key, "k1", alg, f"{supabase_env.url}/auth/v1"))
    assert response.status_code == 200, response.text


def test_token_problems_map_to_their_codes(supabase_client, supabase_env):
    key = ec.generate_private_key(ec.SECP256R1())
    supabase_env.add_key(key, "k1", "ES256")
    issuer = f"{supabase_env.url}/auth/v1"
    cases = {
        None: "AUTH_MISSING",
        "not-a-jwt": "AUTH_INVALID",
        make_token(key, "k1", "ES256", issuer, exp=int(time.time()) - 3600): "AUTH_EXPIRED",
        make_token(key, "k1", "ES256", issuer, aud="anon"): "AUTH_INVALID",
        make_token(key, "k1", "ES256", "https://evil.example/auth/v1"): "AUTH_INVALID",
        make_token(key, "k1", "ES256", issuer, sub=None): "AUTH_INVALID",
        make_token(key, "k1", "ES256", issuer, exp=None): "AUTH_INVALID",
        make_token(key, "k1", "ES256", issuer, is_anonymous=True): "AUTH_INVALID",
        jwt.encode(
            {"iss": issuer, "aud": "authenticated", "sub": "u", "iat": 1, "exp": 2**40},
            "a-shared-secret-that-is-32-bytes!",
            algorithm="HS256",
            headers={"kid": "k1"},
        ): "AUTH_INVALID",
        make_token(ec.generate_private_key(ec.SECP256R1()), "k1", "ES256", issuer): "AUTH_INVALID",
    }
    for token, code in cases.items():
        response = call(supabase_client, token)
        assert response.status_code == 401, (token, response.text)
        assert response.json()["code"] == code, token


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned_parts(kid: str, alg: str, issuer: str) -> str:
    now = int(time.time())
    header = _b64(json.dumps({"alg": alg, "typ": "JWT", "kid": kid}).encode())
    claims = {"iss": issuer, "aud": "authenticated", "sub": "user-1", "iat": now, "exp": now + 600}
    return f"{header}.{_b64(json.dumps(claims).encode())}"


def test_alg_none_and_algorithm_confusion_are_refused(supabase_client, supabase_env):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    supabase_env.add_key(key, "k1", "RS256")
    issuer = f"{supabase_env.url}/auth/v1"
    unsigned = _unsigned_parts("k1", "none", issuer) + "."
    # HS256 "signed" with the server's public key: a verifier that let the token pick its algorithm would
    # accept it, since the public key is, well, public.
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = _unsigned_parts("k1", "HS256", issuer)
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    confused = f"{signing_input}.{_b64(mac)}"
    for token in (unsigned, confused):
        response = call(supabase_client, token)
        assert response.status_code == 401
        assert response.json()["code"] == "AUTH_INVALID"


def test_small_clock_skew_is_tolerated(supabase_client, supabase_env):
    key = ec.generate_private_key(ec.SECP256R1())
    supabase_env.add_key(key, "k1", "ES256")
    token = make_token(key, "k1", "ES256", f"{supabase_env.url}/auth/v1", exp=int(time.time()) - 5)
    assert call(supabase_client, token).status_code == 200


def test_rotated_key_is_fetched_on_unknown_kid(supabase_client, supabase_env):
    old, new = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    issuer = f"{supabase_env.url}/auth/v1"
    supabase_env.add_key(old, "old", "ES256")
    assert call(supabase_client, make_token(old, "old", "ES256", issuer)).status_code == 200
    supabase_env.add_key(new, "new", "ES256")
    assert call(supabase_client, make_token(new, "new", "ES256", issuer)).status_code == 200
    assert supabase_env.fetches == 2


def test_unknown_kid_refetch_respects_the_cooldown():
    fetches = 0

    async def fetch() -> dict:
        nonlocal fetches
        fetches += 1
        return {"keys": []}

    verifier = JwksVerifier(fetch, issuer="i", audience="authenticated", ttl_s=600, cooldown_s=30, leeway_s=0)
    key = ec.generate_private_key(ec.SECP256R1())

    async def forge_five() -> None:
        for _ in range(5):
            with pytest.raises(BarbError):
                await verifier.verify(make_token(key, "nope", "ES256", "i"))

    asyncio.run(forge_five())
    assert fetches == 1  # a flood of forged kids cannot hammer the JWKS endpoint


def test_unreachable_jwks_is_503_auth_unavailable(barb_env, monkeypatch):
    monkeypatch.setenv("SUPABASE_URL", "http://127.0.0.1:9")  # discard port: connection refused
    key = ec.generate_private_key(ec.SECP256R1())
    with auth_app() as client:
        response = call(client, make_token(key, "k", "ES256", "http://127.0.0.1:9/auth/v1"))
    assert response.status_code == 503
    assert response.json()["code"] == "AUTH_UNAVAILABLE"


def test_slow_jwks_times_out(supabase_env, monkeypatch):
    monkeypatch.setenv("JWKS_TIMEOUT_S", "0.5")
    supabase_env.delay_s = 2.0
    key = ec.generate_private_key(ec.SECP256R1())
    with auth_app() as client:
        response = call(client, make_token(key, "k", "ES256", f"{supabase_env.url}/auth/v1"))
    # Had the verifier waited for the slow JWKS, the unknown kid would have been AUTH_INVALID.
    assert (response.status_code, response.json()["code"]) == (503, "AUTH_UNAVAILABLE")


def test_local_sign_in_gives_a_stable_user_per_email(client):
    first = client.post("/api/auth/local/sign-in", json={"email": "Trader@Example.com"}).json()
    second = client.post("/api/auth/local/sign-in", json={"email": "trader@example.com "}).json()
    other = client.post("/api/auth/local/sign-in", json={"email": "someone@example.com"}).json()
    assert first["user"]["id"] == second["user"]["id"] != other["user"]["id"]
    assert client.post("/api/auth/local/sign-in", json={"email": "not-an-email"}).status_code == 422


def test_local_tokens_verify_through_the_published_jwks(client):
    token = client.post("/api/auth/local/sign-in", json={"email": "a@b.co"}).json()["access_token"]
    keys = client.get("/auth/v1/.well-known/jwks.json").json()["keys"]
    (jwk,) = keys
    assert jwk["alg"] == "ES256" and "d" not in jwk  # the public half only
    claims = jwt.decode(token, jwt.PyJWK.from_dict(jwk).key, algorithms=["ES256"], audience="authenticated")
    assert claims["iss"].endswith("/auth/v1")
    assert client.get("/api/conversations", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_local_key_persists_across_restarts(barb_env):

    import server
    from shared.lazy import reset_singletons

    with TestClient(server.create_app()) as client:
        token = client.post("/api/auth/local/sign-in", json={"email": "a@b.co"}).json()["access_token"]
    reset_singletons()
    with TestClient(server.create_app()) as client:
        assert (
            client.get("/api/conversations", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        )
    assert (barb_env / "var" / "local-signing-key.pem").stat().st_mode & 0o077 == 0


def test_a_token_naming_another_algorithm_than_its_key_is_refused(supabase_client, supabase_env):
    """An RSA signature under the id of the project's EC key: the key decides the algorithm (was a 500)."""
    real = ec.generate_private_key(ec.SECP256R1())
    supabase_env.add_key(real, "ec-key", "ES256")
    issuer = f"{supabase_env.url}/auth/v1"
    assert call(supabase_client, make_token(real, "ec-key", "ES256", issuer)).status_code == 200
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for alg in ("RS256", "PS256", "ES384"):
        signer = forger if alg != "ES384" else ec.generate_private_key(ec.SECP384R1())
        response = call(supabase_client, make_token(signer, "ec-key", alg, issuer))
        assert response.status_code == 401 and response.json()["code"] == "AUTH_INVALID", (alg, response.text)
