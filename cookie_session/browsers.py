"""The only code that reads a browser profile: find profiles, read xAI cookies from Chromium and Firefox stores.

Contracts:
- Only xAI cookies come back: hosts matched exactly (`policy.is_xai_cookie_host`), every name the
  browser stored there (the site adds cookies without notice; the browser sends them all). Values are wrapped in `Secret` at once; logs and errors hold counts,
  paths and cookie *names*, never values.
- Databases are opened read-only through a `file:...?mode=ro` URI, so a live WAL is read. A locked
  database is read from a private copy (0700 directory, 0600 files) that is removed afterwards.
  No `sqlite3` error escapes: every failure is a `CookieStoreError` (or subclass) naming the path.
- Per-browser settings are data (`_BROWSERS`); secrets come from small functions tests patch
  (`_linux_keyring_password`, `_macos_keychain_password`, `_windows_aes_key`).
- Cheap to load and flat in profile size (see BENCHMARKS.md): rows are chosen by an index seek on the
  browser's unique index; browser-cookie3 (OS key stores only), cryptography (AES), lz4 and configparser
  are imported only when a value or file needs them; records are NamedTuples (importing `dataclasses`
  alone costs more than reading a profile).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import math
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import namedtuple
from pathlib import Path
from typing import Any, Callable, NamedTuple, TypeVar
from urllib.parse import unquote

from .errors import (
    BadInputError, BrowserNotFoundError, CookieDecryptionError, CookieStoreError, ProfileNotFoundError,
    UnknownBrowserError, UnsupportedEncryptionError,
)
from .policy import is_xai_cookie_host
from .secret import Secret

__all__ = ["SUPPORTED_BROWSERS", "BrowserCookie", "Profile", "CookieLoad", "find_profiles", "load_xai_cookies",
           "browser_user_agent"]

log = logging.getLogger("cookie_session.browsers")
T = TypeVar("T")


class _Spec(NamedTuple):
    """Where a browser keeps its user data (dirs relative to the home directory) and how it guards its key."""

    family: str                     # "chromium" or "firefox"
    linux: tuple[str, ...] = ()
    macos: tuple[str, ...] = ()
    windows: tuple[str, ...] = ()
    os_crypt: str = "chromium"      # Linux Secret Service / KWallet application name
    keychain: str = ""              # macOS keychain service
    profiles: bool = True           # False: the user-data dir is itself the only profile (Opera)


_MAC, _LOCAL, _ROAMING = "Library/Application Support/", "AppData/Local/", "AppData/Roaming/"
_BROWSERS: dict[str, _Spec] = {
    "chrome": _Spec("chromium", (".config/google-chrome", ".config/google-chrome-beta",
                                 ".var/app/com.google.Chrome/config/google-chrome"),
                    (_MAC + "Google/Chrome",), (_LOCAL + "Google/Chrome/User Data",), "chrome", "Chrome Safe Storage"),
    "chromium": _Spec("chromium", (".config/chromium", "snap/chromium/common/chromium",
                                   ".var/app/org.chromium.Chromium/config/chromium"),
                      (_MAC + "Chromium",), (_LOCAL + "Chromium/User Data",), "chromium", "Chromium Safe Storage"),
    "brave": _Spec("chromium", (".config/BraveSoftware/Brave-Browser",), (_MAC + "BraveSoftware/Brave-Browser",),
                   (_LOCAL + "BraveSoftware/Brave-Browser/User Data",), "brave", "Brave Safe Storage"),
    "edge": _Spec("chromium", (".config/microsoft-edge",), (_MAC + "Microsoft Edge",),
                  (_LOCAL + "Microsoft/Edge/User Data",), "chromium", "Microsoft Edge Safe Storage"),
    "opera": _Spec("chromium", (".config/opera",), (_MAC + "com.operasoftware.Opera",),
                   (_ROAMING + "Opera Software/Opera Stable",), "chromium", "Opera Safe Storage", profiles=False),
    "opera_gx": _Spec("chromium", (), (_MAC + "com.operasoftware.OperaGX",),
                      (_ROAMING + "Opera Software/Opera GX Stable",), "chromium", "Opera Safe Storage", profiles=False),
    "vivaldi": _Spec("chromium", (".config/vivaldi",), (_MAC + "Vivaldi",), (_LOCAL + "Vivaldi/User Data",),
                     "chrome", "Vivaldi Safe Storage"),
    "arc": _Spec("chromium", (), (_MAC + "Arc/User Data",), (), "chrome", "Arc Safe Storage"),
    "firefox": _Spec("firefox", (".mozilla/firefox", ".config/mozilla/firefox", "snap/firefox/common/.mozilla/firefox",
                                 ".var/app/org.mozilla.firefox/.mozilla/firefox"),
                     (_MAC + "Firefox",), (_ROAMING + "Mozilla/Firefox",)),
    "librewolf": _Spec("firefox", (".librewolf",), (_MAC + "librewolf",), (_ROAMING + "librewolf",)),
    "zen": _Spec("firefox", (".zen",), (_MAC + "zen",), (_ROAMING + "zen",)),
}
_ALIASES = {"google_chrome": "chrome", "msedge": "edge", "microsoft_edge": "edge", "firefox_esr": "firefox"}
SUPPORTED_BROWSERS: tuple[str, ...] = tuple(_BROWSERS)

#: Hosts read by an index seek; include_subdomains=True also reads the other subdomains.
_EXACT_HOSTS = ("grok.com", ".grok.com", "x.ai", ".x.ai", "accounts.x.ai", ".accounts.x.ai")
_NT_EPOCH_OFFSET = 11644473600          # seconds from 1601-01-01 to 1970-01-01
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_EXPIRY = 253402300799.0            # 9999-12-31T23:59:59Z; later expiries are clamped to it
_BUSY_TIMEOUT = 0.2                     # seconds to wait for a lock before reading a private copy
_FLUSH_NOTE = ("Chromium writes cookies to disk about 30 s after a change or at a clean exit; "
               "if you logged in just now, wait or quit the browser")
_KEYRING_HINT = ("Unlock your keyring (GNOME Keyring / KWallet) or run this in your desktop session; or start "
                 "Chromium with --password-store=basic and log in again; or use the API key (XAI_API_KEY)")
_V20_HINT = ("Export the cookies from the browser with a cookie-export extension into a cookie file, "
             "or log in with Firefox, or use the API key (XAI_API_KEY)")


class BrowserCookie(NamedTuple):
    """One xAI cookie as the browser stored it; `expires` is unix seconds, None for a session cookie."""

    name: str
    value: Secret
    domain: str
    path: str
    secure: bool
    http_only: bool
    expires: float | None
    host_only: bool


class Profile(NamedTuple):
    """A browser profile; `name` is the Chromium directory name or the Firefox profiles.ini Name."""

    browser: str
    name: str
    path: Path
    cookie_file: Path | None
    last_used: float | None
    display_name: str | None = None   # Chromium's name from "Local State" (e.g. "Work"), when it has one


class CookieLoad(NamedTuple):
    """The xAI cookies read from one cookie store, with human hints in `notes`."""

    browser: str
    profile: str
    cookie_file: Path
    cookies: tuple[BrowserCookie, ...]
    notes: tuple[str, ...]
    user_agent_hint: str | None = None
    family: str = "chromium"                 # "chromium" or "firefox": the browser engine that wrote the store
    major_version: int | None = None         # the browser version that last ran the profile, when known
    accept_language: str | None = None       # the profile's Accept-Language preference, when it holds one


#: A row as read, before decryption; `context` is Firefox's userContextId.
_Raw = namedtuple("_Raw", "host name path expires secure http_only value encrypted context", defaults=(b"", 0))


class _KeyringUnavailable(Exception):
    """No keyring answered; the message says why (never a secret)."""


# --- finding profiles ------------------------------------------------------------------

def _platform() -> str:
    """'linux', 'macos' or 'windows' (the BSDs count as linux). Tests patch this."""
    return {"darwin": "macos", "win32": "windows"}.get(sys.platform, "linux")


def _spec(browser: str) -> tuple[str, _Spec]:
    """The canonical name and settings of `browser`; UnknownBrowserError lists the supported ones."""
    key = browser.strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in _BROWSERS:
        raise UnknownBrowserError(f"Unknown browser {browser!r}; supported: {', '.join(SUPPORTED_BROWSERS)}")
    return key, _BROWSERS[key]


def _mtime(*paths: Path | None) -> float | None:
    times = [p.stat().st_mtime for p in paths if p is not None and p.exists()]
    return max(times) if times else None


def _read_json(path: Path) -> dict:
    """The JSON object in `path`, or {} when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _chromium_profiles(browser: str, spec: _Spec, root: Path) -> list[Profile]:
    """Profiles listed in root/"Local State" plus `Default` and `Profile N` dirs on disk."""
    def cookie_file(p: Path) -> Path | None:
        return next((c for c in (p / "Network" / "Cookies", p / "Cookies") if c.is_file()), None)
    if not spec.profiles:
        return [Profile(browser, "Default", root, cookie_file(root), _mtime(cookie_file(root)))]
    listed = _read_json(root / "Local State").get("profile")
    info = listed.get("info_cache") if isinstance(listed, dict) else {}
    info = info if isinstance(info, dict) else {}
    dirs = {d for d in info if d and Path(d).name == d != ".." and (root / d).is_dir()}   # a plain dir name
    dirs |= {p.name for p in root.iterdir() if p.is_dir() and (p.name == "Default" or p.name.startswith("Profile "))}
    profiles = []
    for d in dirs:
        entry = info[d] if isinstance(info.get(d), dict) else {}
        active, cf = entry.get("active_time"), cookie_file(root / d)
        last = float(active) if isinstance(active, (int, float)) else _mtime(cf)
        shown = entry.get("name") if isinstance(entry.get("name"), str) else None
        profiles.append(Profile(browser, d, root / d, cf, last, shown or None))
    return profiles


def _firefox_profiles(browser: str, spec: _Spec, root: Path) -> list[Profile]:
    """Profiles named in root/profiles.ini, plus profile dirs holding a cookies.sqlite the ini does not list."""
    import configparser
    found: dict[Path, str] = {}
    ini = configparser.RawConfigParser(strict=False)
    try:
        ini.read(root / "profiles.ini", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        log.warning("ignoring unreadable %s: %s", root / "profiles.ini", type(exc).__name__)
    for section in ini.sections():
        raw = ini[section].get("path")
        if section.lower().startswith("profile") and raw:
            path = root / raw if ini[section].get("isrelative", "1") != "0" else Path(raw)
            found[path] = ini[section].get("name") or path.name
    for cookies in [*root.glob("*/cookies.sqlite"), *root.glob("Profiles/*/cookies.sqlite")]:
        found.setdefault(cookies.parent, cookies.parent.name)
    return [Profile(browser, name, path, cf if cf.is_file() else None, _mtime(cf, Path(f"{cf}-wal")))
            for path, name in found.items() if path.is_dir() for cf in [path / "cookies.sqlite"]]


def find_profiles(browser: str, *, home: Path | None = None) -> list[Profile]:
    """The profiles of `browser` on this machine, most recently used first.

    Raises UnknownBrowserError for a name not in SUPPORTED_BROWSERS and BrowserNotFoundError when none
    of the browser's user-data dirs exists under `home` (default: the user's home directory).
    """
    name, spec = _spec(browser)
    home = Path(home) if home is not None else Path.home()
    candidates = [home / rel for rel in getattr(spec, _platform())]
    roots = [d for d in candidates if d.is_dir()]
    if not roots:
        looked = ", ".join(str(d) for d in candidates) or f"nothing: {name} has no {_platform()} version"
        raise BrowserNotFoundError(f"No {name} user data on this machine (looked in {looked})")
    reader = _chromium_profiles if spec.family == "chromium" else _firefox_profiles
    profiles = sorted((p for root in roots for p in reader(name, spec, root)),
                      key=lambda p: (-(p.last_used or 0.0), p.name))
    log.debug("%s: %d profiles in %s", name, len(profiles), ", ".join(map(str, roots)))
    return profiles


def _pick_profile(profiles: list[Profile], wanted: str | None, label: str, container: str | None,
                  include_subdomains: bool, now: float) -> Profile:
    """The profile named `wanted`; by default the most recently used one holding an `sso`, else the newest."""
    if wanted is not None:
        for same in (str.__eq__, lambda a, b: a.casefold() == b.casefold()):
            for p in profiles:
                if any(same(n, wanted) for n in (p.name, p.display_name, p.path.name) if n):
                    return p
        names = ", ".join(p.name + (f" ({p.display_name})" if p.display_name else "") for p in profiles) or "none"
        where = ", ".join(sorted({str(p.path.parent) for p in profiles})) or "this machine"
        raise ProfileNotFoundError(f"No {label} profile named {wanted!r} in {where}; available: {names}")
    usable = [p for p in profiles if p.cookie_file]
    if not usable:
        where = ", ".join(sorted({str(p.path) for p in profiles}))
        raise ProfileNotFoundError(f"No {label} profile with a cookie database in {where}",
                                   hint="Open the browser once and log in to grok.com")
    return next((p for p in usable if _holds_sso(p, container, include_subdomains, now)), usable[0])


def _holds_sso(profile: Profile, container: str | None, include_subdomains: bool, now: float) -> bool:
    """Whether the profile's database (not the Firefox session store) holds a live xAI `sso` in the chosen
    container; False on any error."""
    try:
        family, rows, _, _ = _query_store(profile.cookie_file, _BROWSERS[profile.browser].family,
                                          include_subdomains)
        context = _container_id(container, _containers(profile.path), profile.path) if family == "firefox" else 0
    except (CookieStoreError, ProfileNotFoundError) as exc:
        log.debug("%s/%s skipped: %s", profile.browser, profile.name, type(exc).__name__)
        return False
    return any(r.name == "sso" and r.context == context and (r.expires is None or r.expires > now) for r in rows)


# --- reading sqlite ----------------------------------------------------------------

def _store_error(path: Path, reason: str, hint: str | None = None) -> CookieStoreError:
    return CookieStoreError(f"Cannot read cookie database {path}: {reason}", hint=hint or (
        "Pass the browser's own cookie file (Chromium: <profile>/Cookies, Firefox: <profile>/cookies.sqlite)"))


def _connect_and_read(target: str, reader: Callable[[sqlite3.Connection], T], uri: bool) -> T:
    con = sqlite3.connect(target, uri=uri, timeout=_BUSY_TIMEOUT)
    try:
        con.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
        return reader(con)
    finally:
        con.close()


def _private_copy(src: Path, dst: Path) -> None:
    """Copy `src` to a new file `dst` created with mode 0600."""
    with open(src, "rb") as fin, os.fdopen(os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fout:
        shutil.copyfileobj(fin, fout)


def _read_db(path: Path, reader: Callable[[sqlite3.Connection], T]) -> tuple[T, bool]:
    """(reader's result on a read-only connection to `path`, its WAL included; whether a copy was read).

    If the live file is locked or cannot be opened read-only, read a private copy (with its -wal and
    -journal) in a 0700 temp dir, removed in `finally`; running Firefox and Chromium hold their stores
    in exclusive locking mode, so that is the usual path then. sqlite errors become CookieStoreError.
    """
    if not path.is_file():
        raise ProfileNotFoundError(f"No cookie file at {path}")
    wal = Path(f"{path}-wal")
    empty = path.stat().st_size == 0
    if empty and not (wal.is_file() and wal.stat().st_size):
        raise _store_error(path, "the file is empty (0 bytes)")
    first: object = "an empty file with a -wal, which sqlite deletes even read-only"   # so: only a copy is read
    try:
        if not empty:
            return _connect_and_read(f"{path.absolute().as_uri()}?mode=ro", reader, uri=True), False
    except sqlite3.OperationalError as exc:
        first = exc
        log.info("%s cannot be read in place (%s); reading a private copy", path, exc)
    except sqlite3.DatabaseError as exc:
        raise _store_error(path, "not an SQLite database" if "not a database" in str(exc) else
                           "corrupt or truncated (database disk image is malformed)" if "malformed" in str(exc)
                           else str(exc)) from None
    tmp = None
    try:
        tmp = tempfile.mkdtemp(prefix="cookie-session-")   # may fail too (TMPDIR missing or full)
        copy = Path(tmp) / "cookies.sqlite"
        for suffix in ("", "-wal", "-journal"):
            if suffix == "" or Path(f"{path}{suffix}").is_file():
                _private_copy(Path(f"{path}{suffix}"), Path(f"{copy}{suffix}"))
        return _connect_and_read(str(copy), reader, uri=False), True
    except sqlite3.Error as exc:   # nobody locks the private copy: the database itself is the problem
        raise _store_error(path, f"unreadable ({exc})") from None
    except OSError as exc:
        raise _store_error(path, f"it is locked ({first}) and a private copy failed ({type(exc).__name__}: {exc})",
                           "Quit the browser and try again") from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _is_xai_host(host: str) -> bool:
    """policy.is_xai_cookie_host, except that 'grok.com.' (trailing dot) is another cookie host: refused."""
    return bool(host) and host.isascii() and not host.endswith(".") and is_xai_cookie_host(host)


def _wanted_host(host: str, include_subdomains: bool) -> bool:
    return _is_xai_host(host) if include_subdomains else host.lower() in _EXACT_HOSTS


def _site_is_xai(site: str) -> bool:
    """For a partition key like 'https://grok.com' (Chromium) or '(https,grok.com)' (Firefox): an xAI site?"""
    site = unquote(site).strip("()")
    host = site.split("://", 1)[1] if "://" in site else (site.split(",") + [""])[1]
    return _is_xai_host(host.split(":")[0].split("/")[0])


def _chromium_rows(con: sqlite3.Connection, path: Path, include_subdomains: bool) -> tuple[list, int]:
    """Every xAI row (any name) by an index seek on host_key (a scan with include_subdomains); and the meta
    version."""
    cols = {row[1] for row in con.execute("PRAGMA table_info(cookies)")}
    if not {"host_key", "name", "value", "encrypted_value", "path", "expires_utc", "is_httponly"} <= cols:
        raise _store_error(path, "its cookies table is not Chromium's")
    secure = "is_secure" if "is_secure" in cols else "secure"
    top = "top_frame_site_key" if "top_frame_site_key" in cols else "''"
    hosts = () if include_subdomains else _EXACT_HOSTS
    where = f"host_key IN ({','.join('?' * len(hosts))})" if hosts else \
        "(host_key LIKE '%grok.com' OR host_key LIKE '%x.ai')"
    sql = (f"SELECT host_key, name, value, encrypted_value, path, expires_utc, {secure}, is_httponly, {top} "
           f"FROM cookies WHERE {where} ORDER BY rowid")
    rows = [_Raw(h, n, _text(p) or "/", _chromium_expiry(path, n, e), bool(s), bool(ho), _text(v),
                 _blob(ev))
            for h, n, v, ev, p, e, s, ho, t in con.execute(sql, hosts)
            for h, n in [(_text(h), _text(n))] if n and _is_xai_host(h) and (not t or _site_is_xai(_text(t)))]
    version = 0
    if con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone():
        found = con.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        version = int(found[0]) if found and str(found[0]).isdigit() else 0
    return rows, version


def _origin(attrs: Any) -> int | None:
    """The userContextId in Firefox originAttributes ('^userContextId=2&...' or a sessionstore dict).

    None for cookies never used: private browsing, or partitioned under a non-xAI top-level site.
    """
    if isinstance(attrs, str):
        attrs = dict(part.partition("=")[::2] for part in attrs.lstrip("^").split("&") if part)
    try:
        if int(attrs.get("privateBrowsingId") or 0) or (attrs.get("partitionKey")
                                                        and not _site_is_xai(str(attrs["partitionKey"]))):
            return None
        return int(attrs.get("userContextId") or 0)
    except (AttributeError, TypeError, ValueError, OverflowError):   # OverflowError: Infinity in a session store
        return None


def _text(value: Any) -> str:
    """A column as text whatever sqlite stored in it: bytes decoded (surrogateescape), None as ''."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return "" if value is None else str(value)


def _blob(value: Any) -> bytes:
    """A column as bytes (Chromium's encrypted_value) whatever sqlite stored in it."""
    if isinstance(value, bytes):
        return value
    return b"" if value is None else str(value).encode("utf-8", "surrogateescape")


def _stored_expiry(path: Path, name: Any, value: Any) -> float:
    """The finite number in an expiry column (0 for NULL or empty); CookieStoreError naming the cookie if none."""
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise _store_error(path, f"cookie {_text(name)!r} has an expiry that is not a number")
    return number


def _chromium_expiry(path: Path, name: Any, expires_utc: Any) -> float | None:
    """Unix seconds (at most year 9999) from cookies.expires_utc, microseconds since 1601; None: session cookie."""
    number = _stored_expiry(path, name, expires_utc)
    return None if number == 0 else min(number / 1e6 - _NT_EPOCH_OFFSET, _MAX_EXPIRY)


def _firefox_expiry(path: Path, name: Any, expiry: Any) -> float | None:
    """Unix seconds (at most year 9999) from moz_cookies.expiry: seconds in old stores, milliseconds in new
    (user_version 17); None: session cookie."""
    number = _stored_expiry(path, name, expiry)
    return None if number == 0 else min(number / 1000 if number > 1e11 else number, _MAX_EXPIRY)


def _firefox_rows(con: sqlite3.Connection, path: Path, include_subdomains: bool) -> tuple[list, int]:
    """Every xAI row (any name): index seeks on moz_uniqueid, one per distinct name (a scan with
    include_subdomains), hosts checked again here; and PRAGMA user_version."""
    cols = {row[1] for row in con.execute("PRAGMA table_info(moz_cookies)")}
    if not {"host", "name", "value", "path", "expiry", "isSecure", "isHttpOnly"} <= cols:
        raise _store_error(path, "its moz_cookies table is not Firefox's")
    attrs = "originAttributes" if "originAttributes" in cols else "''"
    hosts = () if include_subdomains else _EXACT_HOSTS
    if hosts:   # a seek per distinct name on moz_uniqueid (name, host, ...), the table's only index
        sql = (f"WITH RECURSIVE names(n) AS (SELECT (SELECT MIN(name) FROM moz_cookies) UNION ALL "
               f"SELECT (SELECT MIN(name) FROM moz_cookies WHERE name > n) FROM names WHERE n IS NOT NULL) "
               f"SELECT host, name, value, path, expiry, isSecure, isHttpOnly, {attrs} FROM names "
               f"CROSS JOIN moz_cookies ON name = n AND host IN ({','.join('?' * len(hosts))})")
    else:
        sql = (f"SELECT host, name, value, path, expiry, isSecure, isHttpOnly, {attrs} FROM moz_cookies "
               f"WHERE host LIKE '%grok.com' OR host LIKE '%x.ai'")
    rows = [_Raw(h, n, _text(p) or "/", _firefox_expiry(path, n, e), bool(s), bool(ho), _text(v), b"", ctx)
            for h, n, v, p, e, s, ho, o in con.execute(sql, hosts)
            for h, n, ctx in [(_text(h), _text(n), _origin(_text(o)))]
            if n and ctx is not None and _wanted_host(h, include_subdomains)]
    version = con.execute("PRAGMA user_version").fetchone()[0]
    log.debug("%s: Firefox cookie store, user_version %s", path, version)
    return rows, version


def _query_store(path: Path, family: str | None, include_subdomains: bool) -> tuple[str, list, int, bool]:
    """(family detected from the schema, xAI rows, version, read from a copy) for the database at `path`."""
    def reader(con: sqlite3.Connection) -> tuple[str, list, int]:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        found = "firefox" if "moz_cookies" in tables else "chromium" if "cookies" in tables else None
        if found is None:
            raise _store_error(path, "it is not a browser cookie database (no cookies or moz_cookies table)")
        if family and found != family:
            raise _store_error(path, f"it is a {found} cookie database, not a {family} one")
        return (found, *(_firefox_rows if found == "firefox" else _chromium_rows)(con, path, include_subdomains))
    (found, rows, version), copied = _read_db(path, reader)
    return found, rows, version, copied


# --- Firefox: session store and containers -------------------------------------------

def _read_jsonlz4(path: Path) -> dict:
    """The JSON in a Mozilla jsonlz4 file: b'mozLz40\\0', 4-byte LE size, an lz4 block."""
    data = path.read_bytes()
    if data[:8] != b"mozLz40\0" or len(data) < 12:
        raise ValueError("not a mozLz40 file")
    import lz4.block
    return json.loads(lz4.block.decompress(data[12:], uncompressed_size=int.from_bytes(data[8:12], "little")))


def _session_sources(profile_dir: Path, include_subdomains: bool, notes: list[str]) -> list[tuple[float, list]]:
    """(mtime, xAI session-cookie rows) for each readable session-store file of the profile."""
    sources = []
    for path in (profile_dir / "sessionstore-backups" / "recovery.jsonlz4", profile_dir / "sessionstore.jsonlz4"):
        if not path.is_file():
            continue
        try:
            cookies = [c for c in _read_jsonlz4(path).get("cookies") or [] if isinstance(c, dict)]
        except Exception as exc:  # lz4, JSON and OS errors alike: the session store is optional
            log.warning("skipping unreadable session store %s (%s)", path, type(exc).__name__)
            notes.append(f"skipped unreadable session store {path}")
            continue
        rows = [_Raw(str(c.get("host")), c.get("name"), str(c.get("path") or "/"), None, bool(c.get("secure")),
                     bool(c.get("httponly")), str(c.get("value") or ""), b"", ctx)
                for c in cookies for ctx in [_origin(c.get("originAttributes") or {})]
                if isinstance(c.get("name"), str) and c["name"] and ctx is not None
                and _wanted_host(str(c.get("host") or ""), include_subdomains)]
        log.debug("%s: %d xAI session cookies", path, len(rows))
        sources.append((path.stat().st_mtime, rows))
    return sources


def _containers(profile_dir: Path) -> dict[int, str]:
    """userContextId -> name from containers.json ('userContextPersonal.label' becomes 'Personal')."""
    found = {}
    for ident in _read_json(profile_dir / "containers.json").get("identities") or []:
        if isinstance(ident, dict) and ident.get("public", True) and str(ident.get("userContextId", "")).isdigit():
            l10n = str(ident.get("l10nId") or ident.get("l10nID") or "")
            match = re.fullmatch(r"userContext(\w+)\.label", l10n)
            found[int(ident["userContextId"])] = ident.get("name") or (match.group(1) if match else l10n)
    return found


def _container_id(container: str | int | None, containers: dict[int, str], profile_dir: Path) -> int:
    """0 for no container; else the id of the container with that name (case-insensitive) or number."""
    text = "" if container is None else str(container).strip()
    if not text or text.isdigit():
        return int(text or 0)
    for cid, name in containers.items():
        if name.casefold() == text.casefold():
            return cid
    raise ProfileNotFoundError(f"No container named {text!r} in {profile_dir / 'containers.json'}; "
                               f"containers: {', '.join(containers.values()) or 'none'}")


def _select_container(rows: list, container: str | None, profile_dir: Path, notes: list[str]) -> tuple[list, int]:
    """(rows of the chosen container (default: none), its id); a note when only other containers hold a login."""
    containers = _containers(profile_dir)
    wanted = _container_id(container, containers, profile_dir)
    chosen = [r for r in rows if r.context == wanted]
    others = sorted({r.context for r in rows if r.context != wanted})
    if others and not any(r.name == "sso" for r in chosen):
        labels = [containers.get(c, str(c)) if c else "(no container)" for c in others]
        use = next((f"container={label!r}" for c, label in zip(others, labels) if c), "no container option")
        notes.append(f"container cookies exist for grok.com in containers: {', '.join(labels)} (use {use})")
    return chosen, wanted


# --- Chromium decryption ------------------------------------------------------------

def _linux_keyring_password(os_crypt_name: str) -> bytes:
    """The '<os_crypt_name> Safe Storage' password from the Secret Service or KWallet, via browser-cookie3.

    Raises _KeyringUnavailable when there is no D-Bus session bus or no keyring has the entry.
    """
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        raise _KeyringUnavailable("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset")
    try:
        from browser_cookie3 import CHROMIUM_DEFAULT_PASSWORD, USE_DBUS_LINUX, _LinuxPasswordManager
        password = _LinuxPasswordManager(USE_DBUS_LINUX).get_password(os_crypt_name)
    except Exception as exc:  # jeepney/dbus raise KeyError, OSError, D-Bus error replies...
        raise _KeyringUnavailable(f"the keyring query failed with {type(exc).__name__}") from None
    if password == CHROMIUM_DEFAULT_PASSWORD:  # browser-cookie3's answer when no keyring has the entry
        raise _KeyringUnavailable(f"no {os_crypt_name!r} entry in the Secret Service or KWallet")
    return password if isinstance(password, bytes) else str(password).encode()


def _macos_keychain_password(service: str) -> bytes:
    """The Safe Storage password from the macOS keychain (browser-cookie3 answers b'peanuts' if denied)."""
    from browser_cookie3 import _get_osx_keychain_password
    return _get_osx_keychain_password(service, service.removesuffix(" Safe Storage"))


def _windows_aes_key(local_state: Path) -> bytes:
    """The AES-256-GCM key in "Local State" os_crypt.encrypted_key, unwrapped with DPAPI."""
    from browser_cookie3 import _crypt_unprotect_data
    blob = base64.b64decode(_read_json(local_state)["os_crypt"]["encrypted_key"])
    return _crypt_unprotect_data(blob.removeprefix(b"DPAPI"), is_key=True)[1]


@functools.lru_cache(maxsize=8)
def _pbkdf2(password: bytes, iterations: int) -> bytes:
    """Chromium's key derivation (PBKDF2-SHA1, salt 'saltysalt', 16 bytes); cached per process."""
    return hashlib.pbkdf2_hmac("sha1", password, b"saltysalt", iterations, 16)


def _aes_cbc(key: bytes, data: bytes) -> bytes | None:
    """AES-128-CBC with Chromium's IV of 16 spaces and PKCS#7 padding; None when length or padding is wrong."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    if not data or len(data) % 16:
        return None
    decryptor = Cipher(algorithms.AES(key), modes.CBC(b" " * 16)).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    return plain[:-pad] if 1 <= pad <= 16 and plain[-pad:] == bytes([pad]) * pad else None


def _aes_gcm(key: bytes, data: bytes) -> bytes | None:
    """AES-256-GCM as Chromium on Windows: 12-byte nonce, ciphertext, 16-byte tag; None when the tag fails."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    if len(data) < 12 + 16:
        return None
    try:
        return AESGCM(key).decrypt(data[:12], data[12:], None)
    except (InvalidTag, ValueError):   # ValueError: a key of the wrong length
        return None


class _Decryptor:
    """Turns Chromium `value`/`encrypted_value` into text; fetches each key on first need, then caches it."""

    def __init__(self, spec: _Spec, path: Path, hash_prefix: bool) -> None:
        self.spec, self.path, self.hash_prefix, self.platform = spec, path, hash_prefix, _platform()
        self._keys: dict[str, tuple[list[bytes], str]] = {}

    def _error(self, raw: _Raw, why: str, hint: str | None = None, cls: type = CookieDecryptionError) -> Exception:
        return cls(f"Cannot decrypt cookie {raw.name!r} ({raw.host}) in {self.path}: {why}",
                   hint=hint or "Check it is this browser's own cookie file; or use the API key (XAI_API_KEY)")

    def _candidates(self, kind: str) -> tuple[list[bytes], str]:
        """(keys to try, why the right key may be missing) for 'v10', 'v11' or 'gcm'."""
        if kind not in self._keys:
            keys, why = [], ""
            try:
                if kind == "gcm":
                    local_state = next((p / "Local State" for p in self.path.parents[:3]
                                        if (p / "Local State").is_file()), None)
                    why = "the AES key from 'Local State' did not decrypt it"
                    keys.append(_windows_aes_key(local_state))
                elif kind == "v10" and self.platform == "macos":
                    why = f"the keychain item {self.spec.keychain!r} did not decrypt it (keychain access denied?)"
                    keys.append(_pbkdf2(_macos_keychain_password(self.spec.keychain), 1003))
                elif kind == "v10":
                    keys.append(_pbkdf2(b"peanuts", 1))
                else:
                    keys.append(_pbkdf2(b"", 1))  # old Chromium builds encrypted v11 with an empty password
                    keys.insert(0, _pbkdf2(_linux_keyring_password(self.spec.os_crypt), 1))
            except _KeyringUnavailable as exc:
                why = str(exc)
            except Exception as exc:  # missing Local State, bad JSON, DPAPI or `security` refusing
                why = f"its key could not be fetched ({type(exc).__name__})"
            self._keys[kind] = (keys, why)
        return self._keys[kind]

    def _finish(self, raw: _Raw, plain: bytes) -> str:
        """Strip and verify the SHA-256(host) prefix (meta version >= 24), then decode; ValueError if garbage."""
        if self.hash_prefix:
            if plain[:32] != hashlib.sha256(raw.host.encode("utf-8", "surrogateescape")).digest():
                raise ValueError("the domain hash does not match (wrong key or tampered value)")
            plain = plain[32:]
        try:
            text = plain.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("the decrypted value is not UTF-8 text (wrong key or corrupt value)") from None
        if _CONTROL.search(text):
            raise ValueError("the decrypted value holds control characters (wrong key or corrupt value)")
        return text

    def __call__(self, raw: _Raw) -> str:
        if not raw.encrypted:
            if _undecodable(raw.value):
                raise self._error(raw, "the stored value is not UTF-8 text")
            return raw.value
        prefix, body = bytes(raw.encrypted[:3]), bytes(raw.encrypted[3:])
        if prefix == b"v20":
            raise self._error(raw, "it uses Chrome's app-bound encryption (v20), which browser-cookie3 cannot read",
                              _V20_HINT, UnsupportedEncryptionError)
        if prefix == b"v10" and self.platform == "windows":
            kind, cipher = "gcm", _aes_gcm
        elif prefix == b"v10" or (prefix == b"v11" and self.platform == "linux"):
            kind, cipher = prefix.decode(), _aes_cbc
        else:
            raise self._error(raw, f"unknown encryption format {prefix!r} on {self.platform}")
        keys, why = self._candidates(kind)
        problem = "bad padding (wrong key or corrupt value)" if kind != "gcm" else "the GCM tag does not match"
        for plain in (cipher(key, body) for key in keys):
            try:
                if plain is not None:
                    return self._finish(raw, plain)
            except ValueError as exc:
                problem = str(exc)
        if kind == "v11" and why:
            raise self._error(raw, f"the values are v11 (keyring-protected) and the keyring is locked or "
                                   f"unavailable ({why})", _KEYRING_HINT)
        if kind == "v11":
            why = "neither the keyring's key nor the empty-password key decrypts it"
        raise self._error(raw, f"{why}: {problem}" if why else problem)


# --- loading ------------------------------------------------------------------------

def header_safe(text: str) -> bool:
    """True when `text` can travel in an HTTP header as the browser sent it: printable ASCII only."""
    return text.isascii() and text.isprintable()


def _undecodable(text: str) -> bool:
    """True when sqlite text held bytes that are not UTF-8 (read with surrogateescape)."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _guess_browser(path: Path, family: str) -> str:
    """The browser whose user-data dir appears in `path`, else the family's namesake."""
    text = path.absolute().as_posix()
    return next((name for name, spec in _BROWSERS.items()
                 if spec.family == family and any(d in text for d in spec.linux + spec.macos + spec.windows)), family)


def _load(browser: str, family: str | None, profile: str, path: Path, container: str | None,
          include_subdomains: bool, now: float) -> CookieLoad:
    """Read, merge (Firefox: newest source wins), drop expired, pick the container, decrypt, wrap."""
    family, rows, version, copied = _query_store(path, family, include_subdomains)
    browser = browser or _guess_browser(path, family)
    notes = ["the cookie database was locked (is the browser running?); read a private copy"] if copied else []
    if family == "firefox":
        sources = [(_mtime(path, Path(f"{path}-wal")) or 0.0, rows),
                   *_session_sources(path.parent, include_subdomains, notes)]
        rows = [r for _, part in sorted(sources, key=lambda s: s[0]) for r in part]
    elif container is not None:
        raise BadInputError(f"container={container!r} applies to Firefox only; {path} is a Chromium cookie database")
    rows = list({(r.context, r.host, r.name, r.path): r for r in rows}.values())   # later rows win
    live = [r for r in rows if r.expires is None or r.expires > now]
    context = 0
    if family == "firefox":
        live, context = _select_container(live, container, path.parent, notes)
        bad = next((r for r in live if _undecodable(r.value)), None)
        if bad:
            raise _store_error(path, f"cookie {bad.name!r} holds a value that is not UTF-8 text")
        texts = [r.value for r in live]
    else:
        decrypt = _Decryptor(_BROWSERS.get(browser, _BROWSERS["chromium"]), path, version >= 24)
        texts = [decrypt(r) for r in live]
    bad = next((r for r, text in zip(live, texts) if not (header_safe(text) and header_safe(r.path))), None)
    if bad:
        raise _store_error(path, f"cookie {bad.name!r} ({bad.host}) holds control or non-ASCII characters in its "
                                 f"value or path, which a Cookie header cannot carry")
    cookies = tuple(sorted((BrowserCookie(r.name, Secret(text, name=r.name), r.host, r.path, r.secure, r.http_only,
                                          r.expires, not r.host.startswith(".")) for r, text in zip(live, texts)),
                           key=lambda c: (c.domain, c.path, c.name)))
    expired = sum(r.context == context and r.expires is not None and r.expires <= now for r in rows)
    if expired:
        notes.append(f"{expired} expired xAI cookie{'s' if expired != 1 else ''} dropped")
    if family == "chromium" and not any(c.name == "sso" for c in cookies):
        notes.append(_FLUSH_NOTE)
    log.info("%s/%s: %d xAI cookies loaded, %d expired dropped (%s, version %s)", browser, profile, len(cookies),
             expired, path, version)
    return CookieLoad(browser, profile, path, cookies, tuple(notes), family=family,
                      major_version=_browser_major_version(family, path))


def load_xai_cookies(browser: str | None = None, *, profile: str | None = None,
                     cookie_file: str | os.PathLike | None = None, container: str | None = None,
                     include_subdomains: bool = False, now: float | None = None,
                     home: Path | None = None) -> CookieLoad:
    """Read the xAI cookies of one browser profile, or of `cookie_file` (a database or a profile dir).

    Without `profile`, the most recently used profile holding a live `sso` is read (else the most
    recently used one); without `browser` either, every supported browser's profiles are considered.
    `container` picks a Firefox container by name or id (default: cookies outside containers).
    `include_subdomains` also reads other subdomains of grok.com and x.ai (a table scan on Chromium).
    Expired cookies are dropped. Never raises NotLoggedInError: the caller judges the cookies.
    """
    now = time.time() if now is None else now
    if cookie_file is not None:
        path = Path(os.fspath(cookie_file)).expanduser()
        if path.is_dir():
            path = next((c for c in (path / "cookies.sqlite", path / "Network" / "Cookies", path / "Cookies")
                         if c.is_file()), path / "Cookies")
        name, spec = _spec(browser) if browser else ("", None)
        label = (path.parent.parent if path.parent.name == "Network" else path.parent).name
        return _load(name, spec and spec.family, label, path, container, include_subdomains, now)
    if browser is not None:
        name, profiles = _spec(browser)[0], find_profiles(browser, home=home)
    else:
        name, profiles = "browser", []
        for candidate in SUPPORTED_BROWSERS:
            try:
                profiles += find_profiles(candidate, home=home)
            except BrowserNotFoundError:
                continue
        if not profiles:
            raise BrowserNotFoundError(f"No supported browser's user data under {home or Path.home()} "
                                       f"(tried {', '.join(SUPPORTED_BROWSERS)})")
        profiles.sort(key=lambda p: -(p.last_used or 0.0))
    chosen = _pick_profile(profiles, profile, name, container, include_subdomains, now)
    if chosen.cookie_file is None:
        raise ProfileNotFoundError(f"{chosen.browser} profile {chosen.name!r} has no cookie database in {chosen.path}",
                                   hint="Open the browser with this profile once and log in to grok.com")
    log.debug("using %s profile %r", chosen.browser, chosen.name)
    return _load(chosen.browser, _BROWSERS[chosen.browser].family, chosen.name, chosen.cookie_file, container,
                 include_subdomains, now)


def _browser_major_version(family: str, cookie_file: Path) -> int | None:
    """The major version that last ran the profile: Chromium's "Last Version" file in the user-data dir,
    Firefox's compatibility.ini LastVersion; None when unknown."""
    import configparser
    try:
        if family == "firefox":
            ini = configparser.RawConfigParser(strict=False)
            ini.read(cookie_file.parent / "compatibility.ini", encoding="utf-8")
            text = ini.get("Compatibility", "LastVersion", fallback="")
        else:
            text = next(((p / "Last Version").read_text(encoding="utf-8") for p in cookie_file.parents[:3]
                         if (p / "Last Version").is_file()), "")
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    match = re.match(r"\s*(\d+)\.", text)
    return int(match.group(1)) if match else None


def browser_user_agent(load: CookieLoad) -> str | None:
    """The User-Agent the browser of `load` sends (Cloudflare binds cf_clearance to it), rebuilt from the
    version that last ran the profile; `load.user_agent_hint` when set; None when the version is unknown."""
    if load.user_agent_hint:
        return load.user_agent_hint
    from .user_agents import user_agent_for
    family = _BROWSERS.get(load.browser, _BROWSERS["chromium"]).family
    return user_agent_for(family, _browser_major_version(family, load.cookie_file))
