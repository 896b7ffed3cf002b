"""Protection of identities at rest: field encryption and the blind index.

Direct identifiers (names, filiation, contact details, addresses, document
numbers, free-text notes) are stored as AES-256-GCM ciphertext (the
``cryptography`` library's AEAD), so a stolen dump or backup shows no name.
The associated data binds each ciphertext to its table and column: a value
copied into another column does not decrypt.

Stored form: ``v1.<key id>.<base64url(nonce || ciphertext)>``. The key id lets a
rotated key keep decrypting old rows while new writes use the current key.

Exact search by name goes through a keyed blind index: HMAC-SHA-256, with a
key derived from the field key, over the normalised form that
``shared.pseudonym`` defines, so "N'DIAYE Fatou" finds "Fatou Ndiaye".
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import models

from node.keys import current_field_key, field_keys
from shared.pseudonym import blind_index, normalise_name

PREFIX = "v1"


class DecryptionError(Exception):
    """A stored value cannot be decrypted: wrong key, or tampered ciphertext."""


def encrypt(plaintext: str, *, context: str) -> str:
    key = current_field_key()
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key.encryption).encrypt(nonce, plaintext.encode(), context.encode())
    body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{PREFIX}.{key.key_id}.{body}"


def decrypt(stored: str, *, context: str) -> str:
    try:
        prefix, key_id, body = stored.split(".", 2)
    except ValueError:
        raise DecryptionError("not an encrypted value") from None
    key = next((k for k in field_keys() if k.key_id == key_id), None)
    if prefix != PREFIX or key is None:
        raise DecryptionError(f"unknown format or key {prefix}.{key_id}")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        return AESGCM(key.encryption).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except InvalidTag:
        raise DecryptionError("ciphertext does not authenticate") from None


def name_digest(value: str) -> str:
    """The blind index of a name, word order ignored ("NDIAYE Fatou" = "Fatou N'Diaye").

    '' for a name that normalises to nothing.
    """
    words = sorted(normalise_name(value).split())
    if not words:
        return ""
    return blind_index(" ".join(words), key=current_field_key().blind_index)


def search_digests(query: str) -> list[str]:
    """One digest per word of a searched name: a person matches when they have all."""
    return sorted({name_digest(word) for word in normalise_name(query).split()})


def name_digests(*names: str | None) -> set[str]:
    """Digests of the full name and of each of its tokens, for search."""
    parts = [n for n in names if n]
    full = " ".join(parts)
    digests = {name_digest(full)}
    digests.update(name_digest(token) for token in normalise_name(full).split())
    digests.discard("")
    return digests


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads give the plaintext back.

    The column can hold neither a lookup nor an ordering that means anything:
    search goes through the blind index instead.
    """

    def contribute_to_class(self, cls: type[models.Model], name: str, *args: Any,
                            **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        self._context = f"{cls._meta.label_lower}.{name}"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value), context=self._context)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value, context=self._context)
