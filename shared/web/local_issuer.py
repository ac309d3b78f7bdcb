"""Local sign-in for the embedded mode: the server is its own token issuer.

An ES256 key is generated once and kept under ``var/``; tokens carry the same claims Supabase Auth puts in
its access tokens, and they are verified by the same code path as production tokens (through a JWKS).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

_USER_NAMESPACE = uuid.UUID("6f1d3c52-8a0e-4a4e-9d8b-2a7f0c5b9e11")


@dataclass(frozen=True)
class LocalIssuer:
    """Signs local tokens and publishes the matching JWKS."""

    private_key: ec.EllipticCurvePrivateKey
    issuer: str
    audience: str
    ttl_s: int

    def public_jwk_raw(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private_key.public_key()))
        numbers = self.private_key.public_key().public_numbers()
        jwk.update({"alg": "ES256", "use": "sig", "kid": f"local-{numbers.x % 10**12:012d}"})
        return jwk

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk_raw()]}

    def issue(self, email: str) -> tuple[str, int, str]:
        """A token for ``email``; returns (token, expires_at epoch seconds, user id)."""
        normalized = email.strip().lower()
        user_id = str(uuid.uuid5(_USER_NAMESPACE, normalized))
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": user_id,
            "email": normalized,
            "role": "authenticated",
            "is_anonymous": False,
            "iat": now,
            "exp": now + self.ttl_s,
        }
        token = jwt.encode(
            claims, self.private_key, algorithm="ES256", headers={"kid": self.public_jwk_raw()["kid"]}
        )
        return token, now + self.ttl_s, user_id


def load_or_create_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """The persisted signing key; created atomically so concurrent workers agree on one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pem)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # fails if another worker created it first; theirs wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} does not hold an EC private key")
    return loaded


@lru_cache(maxsize=4)
def local_issuer(key_path: Path, issuer: str, audience: str, ttl_s: int) -> LocalIssuer:
    """The process's local issuer for this key file (lazy singleton)."""
    return LocalIssuer(load_or_create_key(key_path), issuer, audience, ttl_s)
