"""Firefox stores: the xAI rows of cookies.sqlite, the session store (session cookies of a running
Firefox), containers, and what the profile says about the browser (version, language preference)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import cookie_session.browsers.quiet_log as log  # noqa: PLR0402  (a module: log.debug, log.info)

from ..errors import ProfileNotFoundError
from .hosts import EXACT_HOSTS, site_is_xai, wanted_host
from .languages import firefox_accept_language
from .records import RawCookie, ascii_int
from .store import firefox_expiry, store_error, text

#: The largest session store we decompress: a real one with hundreds of tabs is a few MiB; lz4 can
#: expand 255-fold, so the declared size is checked before anything is decompressed...
MAX_SESSION_STORE_BYTES = 64 << 20
#: ... and walked without building it (`_top_level_cookies`): at most this many tokens, about 3 s of work.
#: A real session store has a few per 100 bytes.
MAX_SESSION_STORE_TOKENS = 2_000_000
MAX_SMALL_FILE_BYTES = 16 << 20  # containers.json, prefs.js, user.js, compatibility.ini
_PREF = re.compile(r"""user_pref\(\s*"intl\.accept_languages"\s*,\s*"((?:[^"\\]|\\.){0,1000})"\s*\)""")


def rows(con: sqlite3.Connection, path: Path, include_subdomains: bool) -> tuple[list[RawCookie], int]:
    """Every xAI row (any name): index seeks on moz_uniqueid, one per distinct name (a scan with
    include_subdomains), hosts checked again here; and PRAGMA user_version."""
    cols = {row[1] for row in con.execute("PRAGMA table_info(moz_cookies)")}
    if not {"host", "name", "value", "path", "expiry", "isSecure", "isHttpOnly"} <= cols:
        raise store_error(path, "its moz_cookies table is not Firefox's")
    attrs = "originAttributes" if "originAttributes" in cols else "''"
    hosts = () if include_subdomains else EXACT_HOSTS
    if hosts:  # a seek per distinct name on moz_uniqueid (name, host, ...), the table's only index
        sql = (
            f"WITH RECURSIVE names(n) AS (SELECT (SELECT MIN(name) FROM moz_cookies) UNION ALL "
            f"SELECT (SELECT MIN(name) FROM moz_cookies WHERE name > n) FROM names WHERE n IS NOT NULL) "
            f"SELECT host, name, value, path, expiry, isSecure, isHttpOnly, {attrs} FROM names "
            f"CROSS JOIN moz_cookies ON name = n AND host IN ({','.join('?' * len(hosts))})"
        )
    else:
        sql = (
            f"SELECT host, name, value, path, expiry, isSecure, isHttpOnly, {attrs} FROM moz_cookies "
            f"WHERE host LIKE '%grok.com' OR host LIKE '%x.ai'"
        )
    found = [
        RawCookie(h, n, text(p) or "/", firefox_expiry(path, n, e), bool(s), bool(ho), text(v), b"", ctx)
        for h, n, v, p, e, s, ho, o in con.execute(sql, hosts)
        for h, n, ctx in [(text(h), text(n), origin_context(text(o)))]
        if n and ctx is not None and wanted_host(h, include_subdomains)
    ]
    version = con.execute("PRAGMA user_version").fetchone()[0]
    log.debug("%s: Firefox cookie store, user_version %s", path, version)
    return found, version


def origin_context(attrs: Any) -> int | None:
    """The userContextId in Firefox originAttributes ('^userContextId=2&...' or a sessionstore dict).

    None for cookies never used: private browsing, partitioned under a non-xAI top-level site, or
    attributes that are not plain ASCII numbers."""
    if isinstance(attrs, str):
        attrs = dict(part.partition("=")[::2] for part in attrs.lstrip("^").split("&") if part)
    if not isinstance(attrs, dict):
        return None
    private = ascii_int(attrs.get("privateBrowsingId") or 0)
    if private != 0 or (attrs.get("partitionKey") and not site_is_xai(str(attrs["partitionKey"]))):
        return None
    return ascii_int(attrs.get("userContextId") or 0)


# --- the session store -------------------------------------------------------------------


class SessionStoreTooBig(ValueError):
    """A session store declaring more than MAX_SESSION_STORE_BYTES; its message says how much."""


def read_jsonlz4(path: Path) -> list:
    """The top-level "cookies" array of the session store in a Mozilla jsonlz4 file (b'mozLz40\\0', 4-byte
    LE size, an lz4 block); ValueError when it is not one or declares more than MAX_SESSION_STORE_BYTES
    (checked before decompressing)."""
    with open(path, "rb") as fh:
        head = fh.read(12)
        if head[:8] != b"mozLz40\0" or len(head) < 12:
            raise ValueError("not a mozLz40 file")
        size = int.from_bytes(head[8:12], "little")
        if size > MAX_SESSION_STORE_BYTES:
            raise SessionStoreTooBig(
                f"it declares {size >> 20} MiB of JSON, over the {MAX_SESSION_STORE_BYTES >> 20} MiB cap"
            )
        body = fh.read(MAX_SESSION_STORE_BYTES + 1)
    import lz4.block

    return _top_level_cookies(lz4.block.decompress(body, uncompressed_size=size))


#: A JSON string or bracket: enough to walk the structure without building it.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]+|[\]}]+')
_OBJECT_START = re.compile(rb"\s*\{")
_KEY_THEN_ARRAY = re.compile(rb'"cookies"\s*:\s*\[')
_OBJECT_END = re.compile(rb"\s*\}\s*\Z")


def _top_level_cookies(data: bytes) -> list:
    """The value of the top-level "cookies" key of the JSON object in `data` ([] when absent).

    Only that array is parsed: the rest (tabs, history, form data: nearly all of a session store) is never
    built, so memory stays near the size of the text whatever its shape (json.loads of 60 MiB of `{},`
    takes 1.5 GiB). Firefox writes "cookies" last (SessionStore `getCurrentState`), so the last occurrence
    is tried first; otherwise the structure is walked token by token. ValueError when `data` is not a JSON
    object or holds more than MAX_SESSION_STORE_TOKENS tokens."""
    if not _OBJECT_START.match(data):
        raise ValueError("not a JSON object")
    last = data.rfind(b'"cookies"')  # an unescaped "cookies" is never inside a string
    if last >= 0:
        span = _array_span(data, last)
        if span is not None and _OBJECT_END.match(data, span[1]):  # the last member of the top-level object
            return _json_list(data, span)
    tokens = data.count(b"{") + data.count(b"[") + data.count(b'"') // 2  # counted at C speed
    if tokens > MAX_SESSION_STORE_TOKENS:
        raise SessionStoreTooBig(
            f"it holds about {tokens} JSON objects, arrays and strings, over the {MAX_SESSION_STORE_TOKENS} cap"
        )
    depth = 0
    for match in _TOKEN.finditer(data):
        token = match.group()
        if token[0] in b"{[":
            depth += len(token)
        elif token[0] in b"}]":
            depth -= len(token)
        elif depth == 1 and token == b'"cookies"':
            span = _array_span(data, match.start())
            if span is not None:
                return _json_list(data, span)
    return []


def _array_span(data: bytes, key: int) -> tuple[int, int] | None:
    """(start, end) of the array after the key `"cookies":` at `key`; None when no whole array follows."""
    after = _KEY_THEN_ARRAY.match(data, key)
    if after is None:
        return None
    depth, start = 0, after.end() - 1
    for match in _TOKEN.finditer(data, start):
        token = match.group()
        if token[0] in b"{[":
            depth += len(token)
        elif token[0] in b"}]":
            if depth - len(token) <= 0:
                return start, match.start() + depth
            depth -= len(token)
    return None


def _json_list(data: bytes, span: tuple[int, int]) -> list:
    value = json.loads(data[span[0] : span[1]])
    return value if isinstance(value, list) else []


def session_sources(
    profile_dir: Path, include_subdomains: bool, notes: list[str]
) -> list[tuple[float, list[RawCookie]]]:
    """(mtime, xAI session-cookie rows) for each readable session-store file of the profile."""
    sources = []
    for path in (profile_dir / "sessionstore-backups" / "recovery.jsonlz4", profile_dir / "sessionstore.jsonlz4"):
        if not path.is_file():
            continue
        try:
            cookies = [c for c in read_jsonlz4(path) if isinstance(c, dict)]
        except Exception as exc:  # noqa: BLE001  lz4, JSON, caps and OS errors alike: the session store is optional
            why = f": {exc}" if isinstance(exc, SessionStoreTooBig) else ""
            log.warning("skipping unreadable session store %s (%s)%s", path, type(exc).__name__, why)
            notes.append(f"skipped unreadable session store {path}{why}")
            continue
        found = [
            RawCookie(
                str(c.get("host")),
                c["name"],
                str(c.get("path") or "/"),
                None,
                bool(c.get("secure")),
                bool(c.get("httponly")),
                str(c.get("value") or ""),
                b"",
                ctx,
            )
            for c in cookies
            for ctx in [origin_context(c.get("originAttributes") or {})]
            if isinstance(c.get("name"), str)
            and c["name"]
            and ctx is not None
            and wanted_host(str(c.get("host") or ""), include_subdomains)
        ]
        log.debug("%s: %d xAI session cookies", path, len(found))
        sources.append((path.stat().st_mtime, found))
    return sources


# --- containers ---------------------------------------------------------------------------


def _small_text(path: Path) -> str:
    """The text of a small profile file; '' when missing, unreadable or over MAX_SMALL_FILE_BYTES."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SMALL_FILE_BYTES + 1)
    except OSError:
        return ""
    return "" if len(data) > MAX_SMALL_FILE_BYTES else data.decode("utf-8", "replace")


def containers(profile_dir: Path) -> dict[int, str]:
    """userContextId -> name from containers.json ('userContextPersonal.label' becomes 'Personal'); entries
    whose id is not a plain ASCII number are ignored."""
    try:
        data = json.loads(_small_text(profile_dir / "containers.json") or "{}")
    except (ValueError, RecursionError):
        return {}
    found = {}
    identities = data.get("identities") if isinstance(data, dict) else None
    for ident in identities if isinstance(identities, list) else []:
        cid = ascii_int(ident.get("userContextId")) if isinstance(ident, dict) else None
        if cid is not None and ident.get("public", True):
            l10n = str(ident.get("l10nId") or ident.get("l10nID") or "")
            match = re.fullmatch(r"userContext(\w+)\.label", l10n)
            found[cid] = str(ident.get("name") or (match.group(1) if match else l10n))
    return found


def container_id(container: str | int | None, known: dict[int, str], profile_dir: Path) -> int:
    """0 for no container; else the id of the container with that name (case-insensitive) or ASCII number."""
    text_ = "" if container is None else str(container).strip()
    number = ascii_int(text_ or "0")
    if number is not None:
        return number
    for cid, name in known.items():
        if name.casefold() == text_.casefold():
            return cid
    shown = text_ if len(text_) <= 60 else text_[:60] + "…"
    raise ProfileNotFoundError(
        f"No container named {shown!r} in {profile_dir / 'containers.json'}; "
        f"containers: {', '.join(known.values()) or 'none'}",
        hint="Give the container's name as Firefox shows it, or its number",
    )


def select_container(
    found: list[RawCookie], container: str | None, profile_dir: Path, notes: list[str]
) -> tuple[list[RawCookie], int]:
    """(rows of the chosen container (default: none), its id); a note when only other containers hold a login."""
    known = containers(profile_dir)
    wanted = container_id(container, known, profile_dir)
    chosen = [r for r in found if r.context == wanted]
    others = sorted({r.context for r in found if r.context != wanted})
    if others and not any(r.name == "sso" for r in chosen):
        labels = [known.get(c, str(c)) if c else "(no container)" for c in others]
        use = next(
            (f"container={label!r}" for c, label in zip(others, labels, strict=True) if c), "no container option"
        )
        notes.append(f"container cookies exist for grok.com in containers: {', '.join(labels)} (use {use})")
    return chosen, wanted


# --- profile metadata -------------------------------------------------------------------


def major_version(profile_dir: Path) -> int | None:
    """The major version in compatibility.ini's LastVersion ('153.7.0_2026.../...'); None when unknown."""
    match = re.search(r"^LastVersion=([0-9]{1,6})\.", _small_text(profile_dir / "compatibility.ini"), re.MULTILINE)
    return int(match.group(1)) if match else None


def accept_language(profile_dir: Path) -> str | None:
    """The Accept-Language the profile's `intl.accept_languages` gives (user.js over prefs.js, as Firefox
    applies them); None when neither sets it."""
    for name in ("user.js", "prefs.js"):
        found = _PREF.findall(_small_text(profile_dir / name))
        if found:
            value = re.sub(r"\\(.)", r"\1", found[-1])  # the last setting wins, as when Firefox reads the file
            return firefox_accept_language(value)
    return None
