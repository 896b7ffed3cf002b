"""Ed25519 signatures over a canonical JSON serialisation of a document.

A node signs every payload it pushes; the hub holds only each registered
node's public key and verifies before it writes anything (DESIGN.md, "What
crosses the node -> hub boundary"). What is signed is ``canonical_json(document)``: the exact
bytes, so two honest implementations agree and any changed field, key or
character breaks the signature.

The canonical form is deliberately narrow: objects with string keys, arrays,
strings, integers, booleans and null. Floats are refused because their text
form is not unique across languages and versions; NaN and Infinity are not
JSON at all. Payloads carry counts (integers), so nothing is lost.

Keys travel as PEM only: PKCS8 (unencrypted) for the private key, which
deployment provides as a file readable by the node alone, and
SubjectPublicKeyInfo for the public key the hub registers. Raw base64 public
keys are not accepted: one format means one way to register a key and one
kind of error when it is wrong.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from itertools import chain, compress
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ALGORITHM = "Ed25519"
_SIGNATURE_LENGTH = 64


class SignatureError(Exception):
    """A signed document was refused; ``reason`` is a short machine code."""

    reason = "signature_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadSignature(SignatureError):
    """The envelope is malformed, names another key, or its signature fails."""

    reason = "bad_signature"


class StaleDocument(SignatureError):
    """The signature is good but the document is too old, too far in the
    future, or carries no usable build time (so its freshness is unproven)."""

    reason = "stale"


# --- canonical serialisation -------------------------------------------------


def canonical_json(obj: Any) -> bytes:
    """Return the one byte string that represents ``obj``.

    Sorted keys, no whitespace, UTF-8 (not ``\\u`` escapes). Raises TypeError
    for floats, NaN/Infinity, non-string keys and any non-JSON type, and
    ValueError for strings that are not valid Unicode (lone surrogates) and for
    nesting deeper than 500 levels (or a container that holds itself):
    refusing is safer than signing bytes a verifier may rebuild differently.
    """
    _check_canonical(obj)
    return _serialised(obj)


def _serialised(obj: Any) -> bytes:
    text = json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("string is not valid Unicode (lone surrogate)") from exc


def loads_checked(raw: bytes | str) -> tuple[Any, bool]:
    """Parse JSON text; also say whether the tree holds only what canonical JSON represents.

    Parsed JSON can only hold dicts with string keys, lists, strings,
    integers, booleans and None, plus what canonical JSON refuses: numbers
    with a fraction or an exponent, NaN and Infinity. The parser hands every
    one of those to a hook, so a tree for which no hook ran needs no walk
    before it is serialised (``verify_document(..., plain=True)``); lone
    surrogates are still refused when it is. A receiver of large documents
    saves the walk on every honest one. Raises what ``json.loads`` raises.
    """
    unusual = False

    def noted(text: str) -> float:
        nonlocal unusual
        unusual = True
        return float(text)

    tree = json.loads(raw, parse_float=noted, parse_constant=noted)
    return tree, not unusual


_PLAIN = frozenset({str, int, bool, type(None)})
_STR = frozenset({str})
_DICT = frozenset({dict})
_SEQUENCE = frozenset({list, tuple})
_USUAL = _PLAIN | _DICT | _SEQUENCE
_MAX_DEPTH = 500  # far beyond any document; json.dumps itself gives up near 1,000


def _check_canonical(obj: Any) -> None:
    """Refuse what canonical JSON cannot represent, one depth of the tree at a time.

    At each depth the exact type of every value is gathered by C loops (``map``,
    ``compress``, ``chain``), and only an unusual type (a float, a subclass, a
    mapping that is not a dict) is looked at in Python. A payload holds tens of
    thousands of integers in thousands of small lists: a recursive walk cost
    more than serialising them.
    """
    level: list[Any] = [obj]
    for _depth in range(_MAX_DEPTH):
        kinds = list(map(type, level))
        if not _USUAL.issuperset(kinds):
            level = [_usual(value) for value in level]
            kinds = list(map(type, level))
        objects = list(compress(level, map(_DICT.__contains__, kinds)))
        if not _STR.issuperset(map(type, chain.from_iterable(objects))):
            _check_keys(objects)
        values = chain.from_iterable(map(dict.values, objects))
        items = chain.from_iterable(compress(level, map(_SEQUENCE.__contains__, kinds)))
        level = [*values, *items]
        if not level:
            return
    raise ValueError(f"nested deeper than {_MAX_DEPTH} levels (or holds itself)")


def _check_keys(objects: list[dict[Any, Any]]) -> None:
    for key in chain.from_iterable(objects):
        if not isinstance(key, str):
            raise TypeError(f"object keys must be strings, not {type(key).__name__}")


def _usual(value: Any) -> Any:
    """``value`` as one of the usual types (dict, list, plain scalar), or TypeError."""
    if type(value) in _USUAL:
        return value
    if isinstance(value, float):
        raise TypeError("floats are not allowed in a signed document; use integers")
    if isinstance(value, str | int):  # a subclass (an IntEnum, a StrEnum): a plain scalar
        return None
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, list | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not allowed in a signed document")


# --- keys --------------------------------------------------------------------


def generate_private_key() -> Ed25519PrivateKey:
    """A fresh node signing key (for provisioning and tests)."""
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey) -> bytes:
    """PKCS8, unencrypted: the file's permissions protect it, not a passphrase
    that would have to sit next to it on the same server."""
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def public_key_to_pem(key: Ed25519PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM, the form the hub registers."""
    return key.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    """Load an unencrypted PKCS8 PEM Ed25519 private key; ValueError otherwise."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:  # raised by cryptography when a password is needed
        raise ValueError("encrypted private keys are not supported") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError("not a PEM (PKCS8) private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"expected an Ed25519 private key, got {type(key).__name__}")
    return key


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """Load a SubjectPublicKeyInfo PEM Ed25519 public key; ValueError otherwise."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError("not a PEM (SubjectPublicKeyInfo) public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"expected an Ed25519 public key, got {type(key).__name__}")
    return key


def key_id(public_key: Ed25519PublicKey) -> str:
    """A stable, non-secret short name for a public key, carried in envelopes
    so a verifier can tell "signed with another key" from "tampered"."""
    raw = public_key.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


# --- sign and verify ---------------------------------------------------------


def sign_document(document: Mapping[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """Wrap ``document`` in an envelope signed over ``canonical_json(document)``."""
    signature = private_key.sign(canonical_json(document))
    return {
        "document": document,
        "signature": {
            "alg": ALGORITHM,
            "key_id": key_id(private_key.public_key()),
            "value": _b64url_encode(signature),
        },
    }


def verify_document(
    envelope: Mapping[str, Any],
    public_key: Ed25519PublicKey,
    *,
    now: datetime,
    max_age: timedelta,
    max_skew: timedelta = timedelta(minutes=5),
    built_at_field: str = "built_at",
    plain: bool = False,
) -> Mapping[str, Any]:
    """Return the envelope's document if it is authentic and fresh.

    The signature is checked before anything in the document is read, so an
    attacker's bytes never drive parsing. Raises BadSignature, then
    StaleDocument when ``document[built_at_field]`` is older than
    ``now - max_age``, later than ``now + max_skew``, missing or unparseable.
    ``plain``: the envelope is a tree that ``loads_checked`` found plain, so
    the canonical checks that only a float or a Python object could fail are
    skipped.
    """
    _require_utc(now, "now")
    if max_age <= timedelta(0) or max_skew < timedelta(0):
        raise ValueError("max_age must be positive and max_skew not negative")
    document, signature = _unwrap(envelope, public_key)
    try:
        signed = _serialised(document) if plain else canonical_json(document)
        public_key.verify(signature, signed)
    except (InvalidSignature, TypeError, ValueError) as exc:
        raise BadSignature("signature does not match the document") from exc
    _check_freshness(document, built_at_field, now=now, max_age=max_age, max_skew=max_skew)
    return document


def _unwrap(
    envelope: Mapping[str, Any], public_key: Ed25519PublicKey
) -> tuple[Mapping[str, Any], bytes]:
    if not isinstance(envelope, Mapping) or set(envelope) != {"document", "signature"}:
        raise BadSignature("envelope must have exactly 'document' and 'signature'")
    document, meta = envelope["document"], envelope["signature"]
    if not isinstance(document, Mapping):
        raise BadSignature("'document' must be an object")
    if not isinstance(meta, Mapping) or set(meta) != {"alg", "key_id", "value"}:
        raise BadSignature("'signature' must have exactly 'alg', 'key_id' and 'value'")
    if meta["alg"] != ALGORITHM:
        raise BadSignature(f"unsupported algorithm {meta['alg']!r}")
    if meta["key_id"] != key_id(public_key):
        raise BadSignature("signed with another key")
    return document, _b64url_decode(meta["value"])


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(value: Any) -> bytes:
    """Strict: unpadded base64url of exactly 64 bytes, and the one canonical
    spelling of them (no stray trailing bits), so a signature has one form."""
    if not isinstance(value, str) or not value.isascii():
        raise BadSignature("signature value must be an ASCII string")
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadSignature("signature value is not base64url") from exc
    if len(raw) != _SIGNATURE_LENGTH or _b64url_encode(raw) != value:
        raise BadSignature("signature value is not a canonical 64-byte base64url string")
    return raw


# --- freshness ---------------------------------------------------------------


def _require_utc(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TypeError(f"{name} must be timezone-aware (UTC), not naive")
    if moment.utcoffset() != timedelta(0):
        raise ValueError(f"{name} must be in UTC")


def parse_utc_timestamp(value: Any) -> datetime:
    """Parse an ISO-8601 UTC timestamp ending in ``Z`` or ``+00:00``."""
    if not isinstance(value, str) or not value.endswith(("Z", "+00:00")):
        raise ValueError("timestamp must be an ISO-8601 string ending in 'Z' or '+00:00'")
    moment = datetime.fromisoformat(value)  # Python 3.11 accepts the 'Z' suffix
    _require_utc(moment, "timestamp")
    return moment


def _check_freshness(
    document: Mapping[str, Any],
    field: str,
    *,
    now: datetime,
    max_age: timedelta,
    max_skew: timedelta,
) -> None:
    try:
        built_at = parse_utc_timestamp(document.get(field))
    except (TypeError, ValueError) as exc:
        raise StaleDocument(f"{field!r} is missing or not an ISO-8601 UTC timestamp") from exc
    if built_at < now - max_age:
        raise StaleDocument(f"document built at {built_at.isoformat()} is older than {max_age}")
    if built_at > now + max_skew:
        raise StaleDocument(f"document built at {built_at.isoformat()} is in the future")
