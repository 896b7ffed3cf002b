"""The node's keys, each loaded from a file that deployment provides.

Three secrets, never in the repository or the database (DESIGN.md, "Keys"):

- the field key (``SYSTRAITE_FIELD_KEY_FILE``): encrypts direct identifiers at
  rest and keys the blind index used for name search; never leaves the node.
  The file holds one base64 key per line; the first encrypts, all decrypt, so
  a key can be rotated without rewriting every row at once.
- the signing key (``SYSTRAITE_SIGNING_KEY_FILE``): Ed25519, PEM; the hub holds
  its public half.
- the national linkage secret (``SYSTRAITE_LINKAGE_SECRET_FILE``): shared by all
  nodes, never by the hub; keys the per-year linkage tokens.

In development (``SYSTRAITE_ENV`` other than production) a missing file is
generated under the node's ``var/`` directory, readable by its owner only; in
production a missing file stops the node.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from shared import signing
from shared.env import ConfigError


@dataclass(frozen=True)
class FieldKey:
    """One field-encryption key and the subkeys derived from it."""

    key_id: str
    encryption: bytes
    blind_index: bytes


def _derive(master: bytes, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"systraite-node",
                info=label.encode()).derive(master)


def _field_key(master: bytes) -> FieldKey:
    key_id = hashlib.sha256(b"systraite-field-key-id" + master).hexdigest()[:12]
    return FieldKey(key_id, _derive(master, "field-encryption"), _derive(master, "blind-index"))


def _key_file(setting: str, default_name: str, make: bytes | None) -> bytes:
    """Read a key file; in development create it (mode 0600) when it is missing."""
    configured = getattr(settings, setting, "")
    path = Path(configured) if configured else Path(settings.VAR_DIR) / "keys" / default_name
    if not path.exists():
        if settings.SYSTRAITE_ENV == "production" or configured or make is None:
            raise ConfigError(f"{setting}: key file {str(path)!r} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(make)
    return path.read_bytes()


@cache
def field_keys() -> tuple[FieldKey, ...]:
    """All field keys, the current one first."""
    fresh = base64.b64encode(secrets.token_bytes(32)) + b"\n"
    text = _key_file("SYSTRAITE_FIELD_KEY_FILE", "field.key", fresh).decode()
    keys = []
    for number, line in enumerate(text.split(), start=1):
        master = base64.b64decode(line, validate=True)
        if len(master) != 32:
            raise ConfigError(f"SYSTRAITE_FIELD_KEY_FILE: line {number} is not a 32-byte key")
        keys.append(_field_key(master))
    if not keys:
        raise ConfigError("SYSTRAITE_FIELD_KEY_FILE: the file holds no key")
    return tuple(keys)


def current_field_key() -> FieldKey:
    return field_keys()[0]


@cache
def signing_key() -> Ed25519PrivateKey:
    fresh = signing.private_key_to_pem(signing.generate_private_key())
    pem = _key_file("SYSTRAITE_SIGNING_KEY_FILE", "signing.pem", fresh)
    try:
        return signing.load_private_key(pem)
    except ValueError as exc:
        raise ConfigError(f"SYSTRAITE_SIGNING_KEY_FILE: {exc}") from exc


@cache
def linkage_secret() -> bytes:
    fresh = base64.b64encode(secrets.token_bytes(32)) + b"\n"
    raw = _key_file("SYSTRAITE_LINKAGE_SECRET_FILE", "linkage.secret", fresh).strip()
    secret = base64.b64decode(raw, validate=True)
    if len(secret) < 32:
        raise ConfigError("SYSTRAITE_LINKAGE_SECRET_FILE: the secret must be at least 32 bytes")
    return secret
