"""API keys and roles.

A key is sent in `X-API-Key`. The service holds only SHA-256 digests of keys: keys are random 256-bit tokens, so a
fast hash is as strong as a slow one here, and a leaked key file or memory dump gives away no usable key. Keys are
never logged.

Keys live in `<home>/api_keys.json` (one named entry per key: `appeal keys add | list | rotate | revoke`) unless
APPEAL_API_KEYS gives them. The running service re-reads the file when it changes, so a key revoked there stops
working at its next request, without a restart.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
import unicodedata
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader

from knowledge_base.store import BY_MAX
from knowledge_base.units import unit_asked_for
from models.atomic_dir import build_lock
from pipeline.errors import InputError

Role = Literal["platform", "agent", "trainer", "unit", "admin"]
ROLES: tuple[Role, ...] = ("platform", "agent", "trainer", "unit", "admin")  # admin last: it may do everything
# A `unit` key reads one unit's tickets (a 责任单位's liaison): it is issued for that unit, so none is made at the
# first start, and APPEAL_API_KEYS, which names no unit, cannot give one.
FIRST_ROLES: tuple[Role, ...] = ("platform", "agent", "trainer", "admin")
KEYS_FILE = "api_keys.json"
NEW_KEYS_FILE = "new_api_keys.txt"  # the keys `appeal serve` made, in plain text, when its output is a log
EDITOR_PREFIX = "api:"  # a key's knowledge-base edits are recorded as by api:<name>
KEY_NAME_MAX = BY_MAX - len(EDITOR_PREFIX)
log = logging.getLogger("appeal.serve")

# Which roles may use each area of the API; admin may do everything. The platform sends the agents' answers it
# records (feedback) as well as the tickets: its answer form is where an agent's final topic and unit are typed.
# A trainer asks what agents are suggested, to check an edit of the knowledge base as they will see it.
SCOPES: dict[str, frozenset[str]] = {
    "route": frozenset({"platform", "agent", "admin"}),
    # the routed tickets, as the centre sees them; a unit's key sees its own alone (a quality inspector's round: a
    # liaison could only be given an agent's key, which reads every unit's tickets)
    "tickets": frozenset({"platform", "agent", "admin", "unit"}),
    # a unit's key sends its own unit's tickets back to the centre (退回), which sends them on as an agent's answer
    # (feedback), or replies to them (答复); an admin records a return or reply a unit phoned in
    "handle": frozenset({"unit", "admin"}),
    "labels": frozenset({"platform", "agent", "trainer", "admin"}),
    "suggest": frozenset({"agent", "trainer", "admin"}),
    "feedback": frozenset({"platform", "agent", "admin"}),
    # a unit's key sees the groups holding its own tickets (`serve.routing.hotspots_out`, sent_only)
    "hotspots": frozenset({"agent", "trainer", "admin", "unit"}),
    "kb": frozenset({"trainer", "admin"}),
    "models": frozenset({"trainer", "admin"}),
    "reload": frozenset({"admin"}),
}


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Caller:
    """Who a key belongs to: its role decides access, its name goes into the request log and into `updated_by`
    of what the caller changes (keys from APPEAL_API_KEYS are named after their role)."""

    role: str
    name: str
    unit: str | None = None  # a `unit` key's unit, as the catalogue names it

    @property
    def editor(self) -> str:
        """Who the knowledge base records this key's edits by. A key named before names were limited may be longer
        than the record holds: cut, where PostgreSQL refused every edit it made."""
        return f"{EDITOR_PREFIX}{self.name}"[:BY_MAX]


@dataclass(frozen=True)
class KeyRing:
    """digest → caller. `unread`: the home's key file, which a service given its keys in APPEAL_API_KEYS does not
    take keys from."""

    callers: dict[str, Caller]
    unread: KeyFile | None = None

    def caller(self, key: str) -> Caller | None:
        found = self.callers.get(digest(key))
        # An operator's round: `appeal keys add` (run where APPEAL_API_KEYS is not set) printed a key that the
        # service, started with it, refused (401) without a word. The log now says why.
        if found is None and self.unread is not None and (made := self.unread.caller(key)) is not None:
            log.warning("the key %r of %s was refused: this service takes its keys from APPEAL_API_KEYS and does not "
                        "read that file; start it without APPEAL_API_KEYS to use the keys made by `appeal keys`",
                        made.name, self.unread.path)
        return found

    def __len__(self) -> int:
        return len(self.callers)


def parse_key_spec(spec: str) -> KeyRing:
    """`"role:key,role:key"` (settings.api_keys / APPEAL_API_KEYS) → key ring."""
    ring: dict[str, Caller] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        role, sep, key = item.partition(":")
        role, key = role.strip(), key.strip()
        if not sep or role not in FIRST_ROLES or not key:
            raise InputError(f"APPEAL_API_KEYS: entry {item.split(':')[0]!r}... must be role:key with role one of "
                             f"{', '.join(FIRST_ROLES)} (a unit's key is issued for its unit: appeal keys add unit "
                             "--unit NAME)")
        ring[digest(key)] = Caller(role, role)
    return KeyRing(ring)


def keys_path(home: Path) -> Path:
    return Path(home) / KEYS_FILE


@dataclass(frozen=True)
class KeyEntry:
    """One key as the file keeps it: a name people refer to it by, its role and its digest, never the key."""

    name: str
    role: str
    sha256: str
    created_at: str | None = None
    unit: str | None = None


def read_key_entries(path: Path) -> list[KeyEntry]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        # Files written before keys had names: each role had one key, named after it.
        return [KeyEntry(e.get("name") or e["role"], e["role"], e["sha256"], e.get("created_at"), e.get("unit"))
                for e in raw]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path}: unreadable API key file ({exc})") from exc


def _write_key_entries(path: Path, entries: list[KeyEntry]) -> None:
    """Owner-only from the start (the digests are never world-readable) and atomic (the service re-reading the
    file never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2))
        os.replace(temporary, path)
    except OSError as exc:  # a full disk: no temporary file left behind, and the error names the file
        temporary.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def _ring(entries: list[KeyEntry]) -> KeyRing:
    # a unit key without its unit (a file edited by hand) would read every unit's tickets: it is no key
    return KeyRing({e.sha256: Caller(e.role, e.name, e.unit) for e in entries
                    if e.role in ROLES and (e.role == "unit") == bool(e.unit)})


def read_key_file(path: Path) -> KeyRing:
    return _ring(read_key_entries(path))


def _new_entry(name: str, role: str, unit: str | None = None) -> tuple[KeyEntry, str]:
    key = secrets.token_urlsafe(32)
    return KeyEntry(name, role, digest(key), datetime.now(timezone.utc).isoformat(timespec="seconds"), unit), key


def create_keys(home: Path) -> dict[str, str]:
    """One fresh key per role, each named after its role; only the digests are written. Returns the keys so the
    caller can show them once."""
    made = {role: _new_entry(role, role) for role in FIRST_ROLES}
    _write_key_entries(keys_path(home), [entry for entry, _ in made.values()])
    return {role: key for role, (_, key) in made.items()}


def add_key(home: Path, role: str, name: str | None = None, unit: str | None = None) -> tuple[KeyEntry, str]:
    """A new key for `role` beside the existing ones (a second integration, a new trainer); a `unit` key for the
    catalogue's unit `unit` names (卫健局). Returns the entry and the key, which is shown once and never stored."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if (role == "unit") != bool(unit and unit.strip()):
        raise InputError("a unit's key names its unit (--unit 卫健局), and only a unit's key names one")
    if unit:
        unit = unit_asked_for(unit.strip()).name
    if name is not None:
        name = _spelled(name)
        if not name:
            raise InputError("a key's name must not be blank")
        if not name.isprintable():  # an escape sequence in it would run in the terminal of whoever lists the keys
            raise InputError(f"a key's name may not hold a control character ({name!r})")
        if len(name) > KEY_NAME_MAX:  # its edits are stored as api:<name>; PostgreSQL refused every one of them
            raise InputError(f"a key's name has at most {KEY_NAME_MAX} characters (this one has {len(name)})")
    path = keys_path(home)
    with build_lock(path):  # two operators adding at once must not drop each other's key
        entries = read_key_entries(path) if path.is_file() else []
        taken = {_spelled(e.name) for e in entries}
        name = name or next(f"{role}-{n}" for n in range(1, len(entries) + 2) if f"{role}-{n}" not in taken)
        if name in taken:
            raise InputError(f"{path}: a key named {name!r} exists already (revoke it first, or choose another name)")
        entry, key = _new_entry(name, role, unit)
        _write_key_entries(path, [*entries, entry])
    return entry, key


def rotate_key(home: Path, name: str) -> tuple[KeyEntry, str]:
    """A new key in place of the named one (same name and role), in one write: the old key stops working as the
    new one starts, and whoever holds the name keeps it."""
    path = keys_path(home)
    with build_lock(path):
        entries = read_key_entries(path) if path.is_file() else []
        old = _named(path, entries, name)
        entry, key = _new_entry(old.name, old.role, old.unit)
        _write_key_entries(path, [entry if e is old else e for e in entries])
    return entry, key


def _spelled(name: str) -> str:
    """A key's name as people tell names apart: " 王芳 " or 王芳 in full-width spaces is 王芳. Told apart by its
    spaces, a second key under a name that looks the same kept working after `revoke 王芳`."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def _named(path: Path, entries: list[KeyEntry], name: str) -> KeyEntry:
    found = next((e for e in entries if _spelled(e.name) == _spelled(name)), None)
    if found is None:
        raise InputError(f"{path}: no key named {name!r} (known: {', '.join(e.name for e in entries) or 'none'})")
    return found


def revoke_key(home: Path, name: str) -> KeyEntry:
    path = keys_path(home)
    with build_lock(path):
        entries = read_key_entries(path) if path.is_file() else []
        gone = _named(path, entries, name)
        _write_key_entries(path, [e for e in entries if e is not gone])
    return gone


class KeyFile:
    """The service's view of the key file: re-read whenever the file changes (one stat per request), so that a
    key added or revoked by `appeal keys` counts from the next request. A file that cannot be read leaves the
    last good keys in force; a deleted file revokes every key."""

    def __init__(self, path: Path):
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._ring = KeyRing({})
        self._lock = threading.Lock()

    def caller(self, key: str) -> Caller | None:
        return self.current().caller(key)

    def current(self) -> KeyRing:
        try:
            stat = self.path.stat()
            stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            return KeyRing({})
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    try:
                        self._ring = read_key_file(self.path)
                    except InputError:
                        log.exception("API key file unreadable; the previous keys stay in force")
                    self._stamp = stamp
        return self._ring


def load_keys(api_keys: str | None, home: Path) -> KeyRing | KeyFile:
    """Keys from the settings when given (fixed for the life of the process), else the key file under home
    (followed as it changes)."""
    if api_keys:
        return replace(parse_key_spec(api_keys), unread=KeyFile(keys_path(home)))
    keys = KeyFile(keys_path(home))
    if keys.path.is_file():
        read_key_entries(keys.path)  # a broken file stops the start with its reason instead of refusing every key
    return keys


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key; its role decides access")


def require(scope: str):
    """Dependency: the request carries a key whose role may use `scope` (401 without a valid key, 403 wrong role).
    Gives the caller; its name (never the key) goes into the request's log line."""
    allowed = SCOPES[scope]

    def check(request: Request, key: str | None = Depends(_api_key_header)) -> Caller:
        keys: KeyRing | KeyFile = request.app.state.keys
        caller = keys.caller(key) if key else None
        if caller is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="缺少或无效的 API 密钥 / missing or invalid API key (X-API-Key)",
                headers={"WWW-Authenticate": "APIKey"},
            )
        request.state.log.update(caller=caller.name)
        if caller.role not in allowed:
            # the endpoint as asked, not the scope's name: an integrator read "may not use route" for GET /v1/tickets
            endpoint = f"{request.method} {getattr(request.scope.get('route'), 'path', request.url.path)}"
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"角色 {caller.role} 无权访问 {endpoint} / role {caller.role} may not use {endpoint} (roles that "
                       f"may: {', '.join(check.roles)})",
            )
        return caller

    check.roles = [role for role in ROLES if role in allowed]  # for the API document (`serve.app._openapi`)
    return check
