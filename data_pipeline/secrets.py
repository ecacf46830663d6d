"""The deployment's secret key for pseudonymising identifiers (HMAC), kept outside the repository.

Order of precedence: the environment variable ``SP_HASH_KEY``; the file named by ``SP_HASH_KEY_FILE``;
``~/.config/sp-dashboard/hash_key``. The DEMO key below is public, exists only so the bundled sample data can be
processed out of the box, and must never be used for real returns.
"""

from __future__ import annotations

import hashlib
import hmac

import settings

DEMO_HASH_KEY = b"DEMO-KEY-sample-data-only-not-secret"
DEFAULT_KEY_FILE = settings.DEFAULT_HASH_KEY_FILE


class MissingHashKey(RuntimeError):
    pass


def hash_key(*, allow_demo: bool = False) -> bytes:
    """The deployment's key; the demo key only when ``allow_demo`` and no real key is configured."""
    if settings.HASH_KEY.value():
        return settings.HASH_KEY.value().encode()
    key_file = settings.hash_key_file()
    if key_file.is_file():
        key = key_file.read_bytes().strip()
        if key:
            return key
    if allow_demo:
        return DEMO_HASH_KEY
    raise MissingHashKey(
        "No key to pseudonymise identifiers. Set SP_HASH_KEY, or put a long random secret in "
        f'{key_file} (for example: python -c "import secrets; print(secrets.token_hex(32))" > {key_file}). '
        "For the bundled sample data only, pass --demo-key."
    )


def key_fingerprint(key: bytes) -> str:
    """A short public fingerprint: tells whether two versions were hashed with the same key, reveals nothing."""
    return hashlib.sha256(b"fingerprint:" + key).hexdigest()[:12]


def pseudonymise(value: str, key: bytes) -> str:
    """Keyed hash (HMAC-SHA256, hex) of a normalised identifier; the same id gives the same hash across registers."""
    normalised = "".join(str(value).split()).upper()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
