"""A throwaway Chromium cookie database, written the way Chromium 156 on Linux writes one.

For the demo and tests on machines without a browser: the schema is the one Chromium
creates (meta version 24), values are encrypted as its basic store does when no keyring
is available (`v10`, AES-128-CBC with the fixed "peanuts" key, the SHA-256 of the host
in front of the value).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

__all__ = ["write_chromium_cookies"]

SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE cookies(creation_utc INTEGER NOT NULL,host_key TEXT NOT NULL,top_frame_site_key TEXT NOT NULL,
name TEXT NOT NULL,value TEXT NOT NULL,encrypted_value BLOB NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,
is_secure INTEGER NOT NULL,is_httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL,has_expires INTEGER NOT NULL,
is_persistent INTEGER NOT NULL,priority INTEGER NOT NULL,samesite INTEGER NOT NULL,source_scheme INTEGER NOT NULL,
source_port INTEGER NOT NULL,last_update_utc INTEGER NOT NULL,source_type INTEGER NOT NULL,
has_cross_site_ancestor INTEGER NOT NULL);
CREATE UNIQUE INDEX cookies_unique_index ON cookies(host_key, top_frame_site_key, has_cross_site_ancestor, name, path,
source_scheme, source_port);
INSERT INTO meta VALUES ('version', '24'), ('last_compatible_version', '24');
"""
_PEANUTS_KEY = hashlib.pbkdf2_hmac("sha1", b"peanuts", b"saltysalt", 1, 16)
_WINDOWS_EPOCH_OFFSET = 11644473600  # seconds from 1601-01-01 to 1970-01-01


def _encrypt_v10(value: str, host: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    plain = hashlib.sha256(host.encode()).digest() + value.encode()
    pad = 16 - len(plain) % 16
    encryptor = Cipher(algorithms.AES(_PEANUTS_KEY), modes.CBC(b" " * 16)).encryptor()
    return b"v10" + encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()


def _chromium_time(unix: float | None) -> int:
    return 0 if unix is None else int((unix + _WINDOWS_EPOCH_OFFSET) * 1_000_000)


def write_chromium_cookies(path: str | os.PathLike, cookies: Iterable) -> Path:
    """Write `cookies` (with `name`, `value`, `domain`, `path`, `secure`, `http_only`, `expires`,
    e.g. `StandIn.web_cookies()`) to a new Chromium `Cookies` database at `path`, mode 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        for created, cookie in enumerate(cookies, start=_chromium_time(1_700_000_000)):
            expires = _chromium_time(cookie.expires)
            db.execute(
                "INSERT INTO cookies VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    created,
                    cookie.domain,
                    "",
                    cookie.name,
                    "",
                    _encrypt_v10(cookie.value, cookie.domain),
                    cookie.path,
                    expires,
                    int(cookie.secure),
                    int(cookie.http_only),
                    created,
                    int(bool(expires)),
                    int(bool(expires)),
                    1,
                    0,
                    2,
                    443,
                    created,
                    0,
                    0,
                ),
            )
    db.close()
    return path
