"""Chromium stores: the xAI rows of a `Cookies` database and its store version, the `Decryptor` of their
values (constants and ciphers in chromium_crypto, keys from a keys.KeySource), and what the profile says
about the browser (the version that last ran it, its language preference)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from ..errors import CookieDecryptionError, UnsupportedEncryptionError
from ..settings import API_KEY_ENV
from .chromium_crypto import EMPTY_PASSWORD_KEY, V11_HINT, V20, V20_HINT, aes_cbc, aes_gcm
from .hosts import EXACT_HOSTS, is_xai_host, site_is_xai
from .key_errors import KeyUnavailable
from .keys import KeySource
from .languages import chromium_accept_language
from .records import RawCookie, ascii_int, header_safe, undecodable
from .store import blob, chromium_expiry, store_error, text

_VERSION = re.compile(r"\s*([0-9]{1,6})\.")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_PREFERENCES_BYTES = 16 << 20  # Preferences is a few hundred KiB; a bigger file is not read


def rows(con: sqlite3.Connection, path: Path, include_subdomains: bool) -> tuple[list[RawCookie], int]:
    """Every xAI row (any name) by an index seek on host_key (a scan with include_subdomains); and the meta
    version (CookieStoreError when it is not a plain number)."""
    cols = {row[1] for row in con.execute("PRAGMA table_info(cookies)")}
    if not {"host_key", "name", "value", "encrypted_value", "path", "expires_utc", "is_httponly"} <= cols:
        raise store_error(path, "its cookies table is not Chromium's")
    secure = "is_secure" if "is_secure" in cols else "secure"
    top = "top_frame_site_key" if "top_frame_site_key" in cols else "''"
    hosts = () if include_subdomains else EXACT_HOSTS
    where = (
        f"host_key IN ({','.join('?' * len(hosts))})"
        if hosts
        else "(host_key LIKE '%grok.com' OR host_key LIKE '%x.ai')"
    )
    sql = (
        f"SELECT host_key, name, value, encrypted_value, path, expires_utc, {secure}, is_httponly, {top} "
        f"FROM cookies WHERE {where} ORDER BY rowid"
    )
    found = [
        RawCookie(h, n, text(p) or "/", chromium_expiry(path, n, e), bool(s), bool(ho), text(v), blob(ev))
        for h, n, v, ev, p, e, s, ho, t in con.execute(sql, hosts)
        for h, n in [(text(h), text(n))]
        if n and is_xai_host(h) and (not t or site_is_xai(text(t)))
    ]
    return found, _meta_version(con, path)


def _meta_version(con: sqlite3.Connection, path: Path) -> int:
    """The store version in the meta table (0 without one); CookieStoreError for anything but 1-15 ASCII
    digits: the version decides how values are decrypted, so a guess would misread them."""
    if not con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone():
        return 0
    found = con.execute("SELECT value FROM meta WHERE key='version'").fetchone()
    if found is None:
        return 0
    version = ascii_int(text(found[0]).strip())
    if version is None:
        shown = text(found[0])
        shown = repr(shown[:20] + "…" if len(shown) > 20 else shown)
        raise store_error(path, f"its meta table's version {shown} is not a number ({len(text(found[0]))} characters)")
    return version


#: What Chromium holds in its user-data folder while it runs: a symlink to `<hostname>-<pid>`.
LOCK_FILE = "SingletonLock"


def running(cookie_file: Path) -> bool:
    """Whether the Chromium owning `cookie_file` runs now: its user-data folder (up to three levels above the
    file) holds a `SingletonLock`, and when that names a process of this host, the process is alive (a
    crash leaves the lock behind)."""
    import os
    import socket

    for folder in Path(cookie_file).parents[:3]:
        lock = folder / LOCK_FILE
        if not os.path.lexists(lock):
            continue
        try:
            host, _, pid = os.readlink(lock).rpartition("-")
        except OSError:  # not a symlink (Windows, or a copy): trust that it is there
            return True
        if host != socket.gethostname() or not pid.isdigit():
            return True  # another host's lock on a shared folder, or a form we do not know
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except OSError:  # EPERM: alive, someone else's
            return True
        return True
    return False


def major_version(cookie_file: Path) -> int | None:
    """The major version in the "Last Version" file of the user-data dir (up to two levels above the
    profile dir); None when unknown."""
    for folder in cookie_file.parents[:3]:
        try:
            with open(folder / "Last Version", "rb") as fh:
                match = _VERSION.match(fh.read(64).decode("ascii", "replace"))
        except OSError:
            continue
        return int(match.group(1)) if match else None
    return None


def accept_language(cookie_file: Path) -> str | None:
    """The Accept-Language the profile's language preference gives: `intl.accept_languages`, else
    `intl.selected_languages` (Chromium 156 keeps both, and copies the second into the first at start-up);
    None without either."""
    profile = cookie_file.parent.parent if cookie_file.parent.name == "Network" else cookie_file.parent
    try:
        with open(profile / "Preferences", "rb") as fh:
            data = fh.read(MAX_PREFERENCES_BYTES + 1)
        prefs = json.loads(data) if len(data) <= MAX_PREFERENCES_BYTES else {}
    except (OSError, ValueError, RecursionError):
        return None
    intl = prefs.get("intl") if isinstance(prefs, dict) else None
    if not isinstance(intl, dict):
        return None
    value = next(
        (v for v in (intl.get("accept_languages"), intl.get("selected_languages")) if isinstance(v, str) and v.strip()),
        None,
    )
    return chromium_accept_language(value) if value else None


# --- decryption ------------------------------------------------------------------------


class Decryptor:
    """Turns Chromium `value`/`encrypted_value` into text; asks `keys` for each prefix's key once."""

    def __init__(self, keys: KeySource, path: Path, hash_prefix: bool) -> None:
        self.keys, self.path, self.hash_prefix = keys, path, hash_prefix
        self._cache: dict[str, tuple[list[bytes], Exception | None]] = {}

    def _error(self, raw: RawCookie, why: str, hint: str | None = None, cls: type = CookieDecryptionError) -> Exception:
        return cls(
            f"Cannot decrypt cookie {raw.name!r} ({raw.host}) in {self.path}: {why}",
            hint=hint or f"Check it is this browser's own cookie file; or use the API key ({API_KEY_ENV})",
        )

    def _candidates(self, kind: str) -> tuple[list[bytes], Exception | None]:
        """(keys to try, the key store's failure if it gave none) for 'v10' or 'v11'."""
        if kind not in self._cache:
            keys: list[bytes] = []
            failure: Exception | None = None
            try:
                keys.append(self.keys.key(kind))
            except KeyUnavailable as exc:
                failure = exc
            if kind == "v11" and self.keys.cipher == "cbc":
                keys.append(EMPTY_PASSWORD_KEY)
            self._cache[kind] = (keys, failure)
        return self._cache[kind]

    def _finish(self, raw: RawCookie, plain: bytes, authenticated: bool) -> str:
        """Strip and verify the SHA-256(host) prefix (store version >= 24), then decode; ValueError if garbage."""
        if self.hash_prefix:
            import hashlib  # here: imported on the first value that carries a host hash

            if plain[:32] != hashlib.sha256(raw.host.encode("utf-8", "surrogateescape")).digest():
                rest = plain[32:].decode("utf-8", "replace")
                if authenticated or (len(plain) > 32 and header_safe(rest)):
                    raise ValueError(
                        f"decrypted, but the value belongs to another host (its SHA-256 host prefix "
                        f"is not that of {raw.host!r}): copied from another cookie or tampered with"
                    )
                raise ValueError("the domain hash does not match (wrong key or corrupt value)")
            plain = plain[32:]
        try:
            text = plain.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("the decrypted value is not UTF-8 text (wrong key or corrupt value)") from None
        if _CONTROL.search(text):
            raise ValueError("the decrypted value holds control characters (wrong key or corrupt value)")
        return text

    def __call__(self, raw: RawCookie) -> str:
        if not raw.encrypted:
            if undecodable(raw.value):
                raise self._error(raw, "the stored value is not UTF-8 text")
            return raw.value
        prefix, body = bytes(raw.encrypted[:3]), bytes(raw.encrypted[3:])
        if prefix == V20:
            raise self._error(
                raw,
                "it uses Chrome's app-bound encryption (v20), which browser-cookie3 cannot read",
                V20_HINT,
                UnsupportedEncryptionError,
            )
        kind = prefix.decode("latin-1")
        if kind not in self.keys.prefixes:
            raise self._error(raw, f"unknown encryption format {prefix!r} for {self.keys.label}")
        keys, failure = self._candidates(kind)
        gcm = self.keys.cipher == "gcm"
        cipher = aes_gcm if gcm else aes_cbc
        problem = "the GCM tag does not match" if gcm else "bad padding (wrong key or corrupt value)"
        for plain in (cipher(key, body) for key in keys):
            try:
                if plain is not None:
                    return self._finish(raw, plain, gcm)
            except ValueError as exc:
                problem = str(exc)
                if "another host" in problem:
                    raise self._error(raw, problem) from None
        if failure is not None and kind == "v11":
            raise self._error(
                raw, f"the values are v11 (keyring-protected) and {failure}", getattr(failure, "hint", None) or V11_HINT
            )
        if failure is not None:
            raise self._error(raw, f"{failure}: {problem}", getattr(failure, "hint", None))
        if kind == "v11" and not gcm:
            raise self._error(raw, f"neither {self.keys.label} nor the empty-password key decrypts it: {problem}")
        raise self._error(raw, f"{self.keys.label} did not decrypt it: {problem}")
