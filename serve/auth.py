"""API keys and roles.

A key is sent in `X-API-Key`. The service holds only SHA-256 digests of keys: keys are random 256-bit tokens, so a
fast hash is as strong as a slow one here, and a leaked key file or memory dump gives away no usable key. Keys are
never logged.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader

from pipeline.errors import InputError

Role = Literal["platform", "agent", "trainer", "admin"]
ROLES: tuple[Role, ...] = ("platform", "agent", "trainer", "admin")
KEYS_FILE = "api_keys.json"

# Which roles may use each area of the API; admin may do everything.
SCOPES: dict[str, frozenset[str]] = {
    "route": frozenset({"platform", "agent", "admin"}),
    "suggest": frozenset({"agent", "admin"}),
    "feedback": frozenset({"agent", "admin"}),
    "kb": frozenset({"trainer", "admin"}),
    "models": frozenset({"trainer", "admin"}),
    "reload": frozenset({"admin"}),
}


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KeyRing:
    """digest → role."""

    roles_by_digest: dict[str, str]

    def role_of(self, key: str) -> str | None:
        return self.roles_by_digest.get(digest(key))

    def __len__(self) -> int:
        return len(self.roles_by_digest)


def parse_key_spec(spec: str) -> KeyRing:
    """`"role:key,role:key"` (settings.api_keys / APPEAL_API_KEYS) → key ring."""
    ring: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        role, sep, key = item.partition(":")
        role, key = role.strip(), key.strip()
        if not sep or role not in ROLES or not key:
            raise InputError(
                f"APPEAL_API_KEYS: entry {item.split(':')[0]!r}... must be role:key with role one of {', '.join(ROLES)}"
            )
        ring[digest(key)] = role
    return KeyRing(ring)


def keys_path(home: Path) -> Path:
    return Path(home) / KEYS_FILE


def read_key_file(path: Path) -> KeyRing:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return KeyRing({entry["sha256"]: entry["role"] for entry in entries if entry["role"] in ROLES})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: unreadable API key file ({exc})") from exc


def load_keys(api_keys: str | None, home: Path) -> KeyRing:
    """Keys from the settings when given, else the digests `appeal serve` wrote under home; empty when neither."""
    if api_keys:
        return parse_key_spec(api_keys)
    path = keys_path(home)
    return read_key_file(path) if path.is_file() else KeyRing({})


def create_keys(home: Path) -> dict[str, str]:
    """One fresh key per role; only the digests are written. Returns the keys so the caller can show them once."""
    keys = {role: secrets.token_urlsafe(32) for role in ROLES}
    path = keys_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps([{"role": role, "sha256": digest(key)} for role, key in keys.items()], indent=2)
    # Created with owner-only permissions from the start, so the digests are never world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(payload)
    return keys


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key; its role decides access")


def require(scope: str):
    """Dependency: the request carries a key whose role may use `scope` (401 without a valid key, 403 wrong role)."""
    allowed = SCOPES[scope]

    def check(request: Request, key: str | None = Depends(_api_key_header)) -> str:
        ring: KeyRing = request.app.state.keys
        role = ring.role_of(key) if key else None
        if role is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="缺少或无效的 API 密钥 / missing or invalid API key (X-API-Key)",
                headers={"WWW-Authenticate": "APIKey"},
            )
        if role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"角色 {role} 无权访问 / role {role} may not use {scope}",
            )
        request.state.role = role
        return role

    return check
