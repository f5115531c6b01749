"""Builders for real-schema browser cookie stores and profile trees, for tests.

The CREATE statements come from tests/data/schemas/*.sql (captured from Chromium 156 and Firefox ESR 153
started headless with a fresh profile); the copies below are the same capture, used when those files
are absent. Encryption here is written independently of cookie_session.browsers (Cryptodome directly).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import lz4.block
from Cryptodome.Cipher import AES

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "data" / "schemas"

CHROMIUM_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE cookies(creation_utc INTEGER NOT NULL,host_key TEXT NOT NULL,top_frame_site_key TEXT NOT NULL,name TEXT NOT NULL,value TEXT NOT NULL,encrypted_value BLOB NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,is_secure INTEGER NOT NULL,is_httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL,has_expires INTEGER NOT NULL,is_persistent INTEGER NOT NULL,priority INTEGER NOT NULL,samesite INTEGER NOT NULL,source_scheme INTEGER NOT NULL,source_port INTEGER NOT NULL,last_update_utc INTEGER NOT NULL,source_type INTEGER NOT NULL,has_cross_site_ancestor INTEGER NOT NULL);
CREATE UNIQUE INDEX cookies_unique_index ON cookies(host_key, top_frame_site_key, has_cross_site_ancestor, name, path, source_scheme, source_port);
"""  # noqa: E501
FIREFOX_SCHEMA = """
CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '', name TEXT, value TEXT, host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER, creationTime INTEGER, isSecure INTEGER, isHttpOnly INTEGER, inBrowserElement INTEGER DEFAULT 0, sameSite INTEGER DEFAULT 0, schemeMap INTEGER DEFAULT 0, isPartitionedAttributeSet INTEGER DEFAULT 0, updateTime INTEGER, CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes));
"""  # noqa: E501

PEANUTS_KEY = hashlib.pbkdf2_hmac("sha1", b"peanuts", b"saltysalt", 1, 16)
NT_OFFSET = 11644473600


def schema(family: str) -> str:
    """The captured CREATE statements for 'chromium' or 'firefox' (the shared .sql file when present)."""
    path = SCHEMA_DIR / f"{family}_cookies.sql"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    return CHROMIUM_SCHEMA if family == "chromium" else FIREFOX_SCHEMA


def key_for(password: bytes, iterations: int = 1) -> bytes:
    return hashlib.pbkdf2_hmac("sha1", password, b"saltysalt", iterations, 16)


def encrypt_cbc(
    value: str | bytes, host: str, *, key: bytes = PEANUTS_KEY, prefix: bytes = b"v10", hash_prefix: bool = True
) -> bytes:
    """Chromium's Linux/macOS encryption: prefix + AES-128-CBC(IV 16 spaces, PKCS#7)([sha256(host)] + value)."""
    plain = (hashlib.sha256(host.encode()).digest() if hash_prefix else b"") + (
        value.encode() if isinstance(value, str) else value
    )
    pad = 16 - len(plain) % 16
    return prefix + AES.new(key, AES.MODE_CBC, iv=b" " * 16).encrypt(plain + bytes([pad]) * pad)


def encrypt_gcm(value: str, host: str, *, key: bytes, nonce: bytes = b"\x01" * 12, hash_prefix: bool = True) -> bytes:
    """Chromium's Windows encryption: b'v10' + nonce + AES-GCM ciphertext + tag."""
    plain = (hashlib.sha256(host.encode()).digest() if hash_prefix else b"") + value.encode()
    body, tag = AES.new(key, AES.MODE_GCM, nonce=nonce).encrypt_and_digest(plain)
    return b"v10" + nonce + body + tag


def chromium_time(unix: float | None) -> int:
    return 0 if unix is None else int((unix + NT_OFFSET) * 1_000_000)


def make_chromium_db(path: Path, cookies: list[dict], *, meta_version: int | None = 24) -> Path:
    """A Chromium `Cookies` db. Each cookie: host, name, and value (plain) or encrypted (bytes);
    optional path, expires (unix seconds or None), secure, httponly, top_frame_site_key, created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.executescript(schema("chromium"))
    if meta_version is not None:
        con.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [("version", str(meta_version)), ("last_compatible_version", str(meta_version))],
        )
    for i, c in enumerate(cookies):
        created = chromium_time(c.get("created", 1_700_000_000 + i))
        con.execute(
            "INSERT INTO cookies VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                created,
                c["host"],
                c.get("top_frame_site_key", ""),
                c["name"],
                "" if "encrypted" in c else c.get("value", ""),
                c.get("encrypted", b""),
                c.get("path", "/"),
                chromium_time(c.get("expires")),
                int(c.get("secure", True)),
                int(c.get("httponly", True)),
                created,
                int(c.get("expires") is not None),
                int(c.get("expires") is not None),
                1,
                0,
                2,
                443,
                created,
                0,
                0,
            ),
        )
    con.commit()
    con.close()
    return path


def make_firefox_db(path: Path, cookies: list[dict], *, user_version: int = 17, wal: bool = False) -> Path:
    """A Firefox `cookies.sqlite`. Each cookie: host, name, value; optional path, expires (unix seconds;
    stored in ms when user_version >= 17), secure, httponly, origin (originAttributes string)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
    con.executescript(schema("firefox"))
    con.execute(f"PRAGMA user_version = {int(user_version)}")
    scale = 1000 if user_version >= 17 else 1
    for c in cookies:
        expiry = c.get("expires")
        con.execute(
            "INSERT INTO moz_cookies (originAttributes, name, value, host, path, expiry, lastAccessed, creationTime,"
            " isSecure, isHttpOnly) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                c.get("origin", ""),
                c["name"],
                c["value"],
                c["host"],
                c.get("path", "/"),
                int(expiry * scale) if expiry is not None else 0,
                1_700_000_000_000_000,
                1_700_000_000_000_000,
                int(c.get("secure", True)),
                int(c.get("httponly", True)),
            ),
        )
    con.commit()
    con.close()
    return path


def write_jsonlz4(path: Path, obj: object) -> Path:
    """A Mozilla jsonlz4 file: b'mozLz40\\0' + 4-byte little-endian size + lz4 block."""
    raw = json.dumps(obj).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"mozLz40\0" + len(raw).to_bytes(4, "little") + lz4.block.compress(raw, store_size=False))
    return path


def session_cookie(host: str, name: str, value: str, *, user_context_id: int = 0, path: str = "/") -> dict:
    """A cookie entry as Firefox writes it in sessionstore `cookies`."""
    return {
        "host": host,
        "name": name,
        "value": value,
        "path": path,
        "secure": True,
        "httponly": True,
        "originAttributes": {
            "firstPartyDomain": "",
            "geckoViewSessionContextId": "",
            "inIsolatedMozBrowser": False,
            "partitionKey": "",
            "privateBrowsingId": 0,
            "userContextId": user_context_id,
        },
    }


def make_chromium_user_data(root: Path, profiles: dict[str, dict]) -> Path:
    """A Chromium user-data dir: {dir_name: {"name": display, "active_time": t, "cookies": [...]}}."""
    root.mkdir(parents=True, exist_ok=True)
    info = {}
    for dir_name, spec in profiles.items():
        (root / dir_name).mkdir(parents=True, exist_ok=True)
        if spec.get("cookies") is not None:
            make_chromium_db(root / dir_name / "Cookies", spec["cookies"])
        info[dir_name] = {
            "name": spec.get("name", dir_name),
            **({"active_time": spec["active_time"]} if "active_time" in spec else {}),
        }
    (root / "Local State").write_text(
        json.dumps({"profile": {"info_cache": info, "profiles_order": list(info)}}), encoding="utf-8"
    )
    return root


def make_firefox_root(root: Path, profiles: dict[str, dict]) -> Path:
    """A Firefox root with profiles.ini: {dir: {"name": Name, "cookies": [...], "default": bool}}."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["[General]", "StartWithLastProfile=1", "Version=2", ""]
    for i, (dir_name, spec) in enumerate(profiles.items()):
        rel = f"Profiles/{dir_name}"
        (root / rel).mkdir(parents=True, exist_ok=True)
        if spec.get("cookies") is not None:
            make_firefox_db(root / rel / "cookies.sqlite", spec["cookies"])
        lines += [f"[Profile{i}]", f"Name={spec.get('name', dir_name)}", "IsRelative=1", f"Path={rel}"]
        lines += ["Default=1", ""] if spec.get("default") else [""]
    (root / "profiles.ini").write_text("\n".join(lines), encoding="utf-8")
    return root
