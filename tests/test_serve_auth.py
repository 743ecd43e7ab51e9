"""API keys: parsing APPEAL_API_KEYS, keys made on first start, only digests on disk."""
from __future__ import annotations

import json
import stat

import pytest

from pipeline.errors import InputError
from serve.auth import create_keys, digest, keys_path, load_keys, parse_key_spec


def test_key_spec_maps_each_key_to_its_role():
    ring = parse_key_spec(" platform:p-1 , agent:a-1,admin:x-1,")
    assert (ring.role_of("p-1"), ring.role_of("a-1"), ring.role_of("x-1")) == ("platform", "agent", "admin")
    assert ring.role_of("p-2") is None and len(ring) == 3


@pytest.mark.parametrize("spec", ["superuser:S3CRET-VALUE", "agent", "agent:", ":S3CRET-VALUE"])
def test_bad_key_spec_is_an_input_error_that_does_not_echo_the_key(spec):
    with pytest.raises(InputError) as raised:
        parse_key_spec(spec)
    assert "role:key" in str(raised.value)
    assert "S3CRET" not in str(raised.value)


def test_created_keys_are_stored_as_digests_readable_by_owner_only(tmp_path):
    keys = create_keys(tmp_path)
    path = keys_path(tmp_path)
    stored = json.loads(path.read_text())
    assert {entry["role"] for entry in stored} == {"platform", "agent", "trainer", "admin"}
    assert {entry["sha256"] for entry in stored} == {digest(k) for k in keys.values()}
    assert not any(key in path.read_text() for key in keys.values())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ring = load_keys(None, tmp_path)
    assert all(ring.role_of(key) == role for role, key in keys.items())
    # Keys given in the settings take precedence over the file.
    assert load_keys("agent:only-this", tmp_path).role_of(keys["admin"]) is None
