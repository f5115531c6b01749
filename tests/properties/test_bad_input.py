"""Bad input gives one clear error, never a traceback: cookie databases, undecryptable and non-UTF-8 values,
profile paths and profile metadata, API keys.

Each case runs through the library (a specific exception class, checked with `type(...) is`) and through
the CLI (`cookies`, `chat --auth browser`, `status`; `models`/`status` for keys): the exit code, exactly one
`Error:` line on stderr and it is the last one, no traceback, no cookie value or key in any output.
test_browsers.py already covers, for the library only, empty/random/1-3-truncated/header-only files, the
table-less and column-less Chromium schemas, wrong v10/v11/GCM keys, v20 and values decrypting to
non-UTF-8; those appear here through the CLI only (`lib=False`).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

import pytest
from browser_fixtures import (
    encrypt_cbc,
    encrypt_gcm,
    key_for,
    make_chromium_db,
    make_chromium_user_data,
    make_firefox_db,
    make_firefox_root,
    write_jsonlz4,
)
from cli_runner import one_error_line as shared_one_error_line, run_cli
from quiet_auth import quiet_browser_auth

import cookie_session.policy as policy
from cookie_session import browsers
from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.browsers import FixedKeySource, KeychainKeySource, find_profiles, load_xai_cookies
from cookie_session.errors import (
    EXIT_BAD_INPUT,
    EXIT_NO_CREDENTIALS,
    CookieDecryptionError,
    CookieStoreError,
    InvalidApiKeyFormatError,
    NotLoggedInError,
    ProfileNotFoundError,
    UnsupportedEncryptionError,
)
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import StandIn, make_test_key

LATER = 4_000_000_000.0  # year 2096: never expired while these tests run
UNUSED_WEB = "http://127.0.0.1:9"  # never contacted: every case fails before a request
UA = "Mozilla/5.0 bad-input-test"


@pytest.fixture(autouse=True)
def laptop(monkeypatch):
    """This test machine is a container; the verdict's other checks still run for real (see test_cli_browser)."""
    monkeypatch.setattr(policy, "CONTAINER_FILES", ())


def fixed_bytes(n: int, seed: int = 1) -> bytes:
    """Deterministic 'random' bytes, so a case never passes by chance."""
    return random.Random(seed).randbytes(n)


def one_error_line(result, code: int, *secrets: str) -> str:
    """The shared one-`Error:`-line check, with the word SECRET this file plants in its inputs."""
    return shared_one_error_line(result, code, "SECRET", *secrets)


def expect_lib(cls, func, *args, **kwargs) -> str:
    """func raises exactly `cls` (not a parent, not a stray ValueError); its message is one line, no secret."""
    with pytest.raises(Exception) as info:
        func(*args, **kwargs)
    assert type(info.value) is cls, repr(info.value)
    message = str(info.value)
    assert "\n" not in message and "SECRET" not in message
    return message


def browser_auth(path):
    """What `--auth browser --cookie-file path` builds, through the library."""
    return quiet_browser_auth(cookie_file=path, user_agent=UA)


BROWSER_COMMANDS = {
    "cookies": ("cookies", "--unsafe-browser-cookies", "--cookie-file"),
    "chat": (
        "chat",
        "hi",
        "--auth",
        "browser",
        "--web-base-url",
        UNUSED_WEB,
        "--unsafe-browser-cookies",
        "--cookie-file",
    ),
    "status": ("status", "--unsafe-browser-cookies", "--cookie-file"),
}


def check_cli_cases(path, words: str, code: int = EXIT_BAD_INPUT) -> None:
    """The three browser commands each fail on `path` with one line holding `words`."""
    for name, args in BROWSER_COMMANDS.items():
        line = one_error_line(run_cli(*args, str(path)), code)
        assert words.lower() in line.lower(), (name, line)


# --- builders: one bad cookie database each -----------------------------------------------------------

SSO = {"host": ".grok.com", "name": "sso", "value": "SECRET-sso", "expires": LATER}


def _raw_db(path, ddl: str, rows: list[tuple] = (), table: str = "") -> None:
    con = sqlite3.connect(path)
    con.executescript(ddl)
    for row in rows:
        con.execute(f"INSERT INTO {table} VALUES ({','.join('?' * len(row))})", row)
    con.commit()
    con.close()


def _big_chromium(path):
    rows = [
        {"host": f"site{i}.example", "name": "sso", "value": "SECRET-" + "x" * 300, "expires": LATER}
        for i in range(300)
    ]
    return make_chromium_db(path, rows + [SSO])


def zero_byte(p):
    p.write_bytes(b"")


def zero_byte_with_empty_wal(p):
    p.write_bytes(b"")
    p.with_name(p.name + "-wal").write_bytes(b"")


def zero_byte_with_garbage_wal(p):
    p.write_bytes(b"")
    p.with_name(p.name + "-wal").write_bytes(fixed_bytes(4096))


def one_byte(p):
    p.write_bytes(b"\x00")


def random_bytes(p):
    p.write_bytes(fixed_bytes(8192))


def sqlite_magic_then_garbage(p):
    p.write_bytes(b"SQLite format 3\x00" + fixed_bytes(8192 - 16))


def netscape_cookies_txt(p):
    p.write_text("# Netscape HTTP Cookie File\n.grok.com\tTRUE\t/\tTRUE\t0\tsso\tSECRET-txt\n", encoding="utf-8")


def json_cookie_export(p):
    p.write_text(json.dumps([{"domain": ".grok.com", "name": "sso", "value": "SECRET-json"}]), encoding="utf-8")


def truncated_first_page(p):
    data = _big_chromium(p.with_name("full")).read_bytes()
    p.write_bytes(data[:4096])


def truncated_mid_page(p):
    data = _big_chromium(p.with_name("full")).read_bytes()
    p.write_bytes(data[: len(data) // 2 + 123])


def truncated_last_page_missing(p):
    data = _big_chromium(p.with_name("full")).read_bytes()
    p.write_bytes(data[:-4096])


def truncated_firefox(p):
    rows = [
        {"host": f"site{i}.example", "name": "sso", "value": "SECRET-" + "y" * 300, "expires": LATER}
        for i in range(300)
    ]
    data = make_firefox_db(p.with_name("full"), rows + [SSO]).read_bytes()
    p.write_bytes(data[: len(data) // 2])


def no_cookie_table(p):
    _raw_db(p, "CREATE TABLE notes (id INTEGER, body TEXT);")


def chromium_columns_missing(p):
    _raw_db(p, "CREATE TABLE cookies (host_key TEXT, name TEXT, value TEXT);")


def firefox_columns_missing(p):
    _raw_db(p, "CREATE TABLE moz_cookies (id INTEGER, host TEXT, name TEXT, value TEXT);")


CHROMIUM_UNTYPED = (
    "CREATE TABLE cookies (host_key, name, value, encrypted_value, path, expires_utc, is_secure, is_httponly);"
)
FIREFOX_UNTYPED = "CREATE TABLE moz_cookies (host, name, value, path, expiry, isSecure, isHttpOnly, originAttributes);"


def chromium_expiry_text(p):
    _raw_db(p, CHROMIUM_UNTYPED, [(".grok.com", "sso", "SECRET-e", b"", "/", "next week", 1, 1)], "cookies")


def firefox_expiry_text(p):
    _raw_db(p, FIREFOX_UNTYPED, [(".grok.com", "sso", "SECRET-e", "/", "never", 1, 1, "")], "moz_cookies")


def firefox_expiry_infinite(p):
    _raw_db(p, FIREFOX_UNTYPED, [(".grok.com", "sso", "SECRET-e", "/", "1e999", 1, 1, "")], "moz_cookies")


def chromium_without_rowid(p):
    _raw_db(
        p,
        "CREATE TABLE cookies (host_key TEXT, name TEXT, value TEXT, encrypted_value BLOB, path TEXT, "
        "expires_utc INTEGER, is_secure INTEGER, is_httponly INTEGER, PRIMARY KEY (host_key, name)) "
        "WITHOUT ROWID;",
    )


# (builder, library exception, words in the message, also through the library here?)
COOKIE_DBS = [
    pytest.param(zero_byte, CookieStoreError, "empty (0 bytes)", False, id="zero-byte"),
    pytest.param(zero_byte_with_empty_wal, CookieStoreError, "empty (0 bytes)", True, id="zero-byte+empty-wal"),
    pytest.param(
        zero_byte_with_garbage_wal, CookieStoreError, "not a browser cookie database", True, id="zero-byte+garbage-wal"
    ),
    pytest.param(one_byte, CookieStoreError, "not a browser cookie database", True, id="one-byte"),
    pytest.param(random_bytes, CookieStoreError, "not an SQLite database", False, id="random-bytes"),
    pytest.param(
        sqlite_magic_then_garbage, CookieStoreError, "cannot read cookie database", True, id="sqlite-magic+garbage"
    ),
    pytest.param(netscape_cookies_txt, CookieStoreError, "not an SQLite database", True, id="cookies.txt-export"),
    pytest.param(json_cookie_export, CookieStoreError, "not an SQLite database", True, id="json-export"),
    pytest.param(truncated_first_page, CookieStoreError, "corrupt or truncated", True, id="truncated-first-page"),
    pytest.param(truncated_mid_page, CookieStoreError, "corrupt or truncated", True, id="truncated-mid-page"),
    pytest.param(truncated_last_page_missing, CookieStoreError, "corrupt or truncated", True, id="truncated-last-page"),
    pytest.param(truncated_firefox, CookieStoreError, "corrupt or truncated", True, id="truncated-firefox"),
    pytest.param(no_cookie_table, CookieStoreError, "not a browser cookie database", False, id="no-cookie-table"),
    pytest.param(chromium_columns_missing, CookieStoreError, "not Chromium's", False, id="chromium-columns-missing"),
    pytest.param(firefox_columns_missing, CookieStoreError, "not Firefox's", True, id="firefox-columns-missing"),
    pytest.param(
        chromium_expiry_text,
        CookieStoreError,
        "cookie 'sso' has an expiry that is not a number",
        True,
        id="chromium-expiry-text",
    ),
    pytest.param(
        firefox_expiry_text,
        CookieStoreError,
        "cookie 'sso' has an expiry that is not a number",
        True,
        id="firefox-expiry-text",
    ),
    pytest.param(
        firefox_expiry_infinite, CookieStoreError, "expiry that is not a number", True, id="firefox-expiry-infinite"
    ),
    pytest.param(
        chromium_without_rowid,
        CookieStoreError,
        "unreadable (no such column: rowid)",
        True,
        id="chromium-without-rowid",
    ),
]


def snapshot(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("build, cls, words, lib", COOKIE_DBS)
def test_bad_cookie_database(tmp_path, build, cls, words, lib):
    """One line naming the file and the fault; and the profile is left exactly as it was."""
    path = tmp_path / "profile dir" / "Cookies"
    path.parent.mkdir()
    build(path)
    before = snapshot(path.parent)
    if lib:
        message = expect_lib(cls, load_xai_cookies, cookie_file=path)
        assert words.lower() in message.lower() and str(path) in message
        expect_lib(cls, browser_auth, path)
    check_cli_cases(path, words)
    assert snapshot(path.parent) == before


def test_wrong_schema_never_says_locked(tmp_path):
    """A query that fails on the database itself is reported as such, not as a lock the private copy hit."""
    path = tmp_path / "Cookies"
    chromium_without_rowid(path)
    assert "locked" not in expect_lib(CookieStoreError, load_xai_cookies, cookie_file=path)


def _hold_exclusive_lock(db, table):
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute(f"UPDATE {table} SET value='SECRET-uncommitted'")
    return holder


@pytest.mark.parametrize("family", ["chromium", "firefox"])
def test_locked_database_through_the_cli_reads_a_copy(tmp_path, family):
    db = (make_chromium_db if family == "chromium" else make_firefox_db)(tmp_path / "locked db", [SSO])
    holder = _hold_exclusive_lock(db, "cookies" if family == "chromium" else "moz_cookies")
    try:
        result = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 0, result.output
    assert "Note: the cookie database was locked" in result.stdout and "1 xAI cookies" in result.stdout
    assert "SECRET" not in result.output


@pytest.mark.parametrize("family", ["chromium", "firefox"])
def test_locked_database_without_a_usable_temp_dir(tmp_path, monkeypatch, family):
    """The private copy cannot be made (TMPDIR gone or full): one clear error naming both failures."""
    db = (make_chromium_db if family == "chromium" else make_firefox_db)(tmp_path / "Cookies", [SSO])
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such tmp"))
    holder = _hold_exclusive_lock(db, "cookies" if family == "chromium" else "moz_cookies")
    try:
        message = expect_lib(CookieStoreError, load_xai_cookies, cookie_file=db)
        assert "locked" in message and "private copy failed" in message and "Quit the browser" in message
        expect_lib(CookieStoreError, browser_auth, db)
        check_cli_cases(db, "private copy failed")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# --- values that cannot be decrypted ------------------------------------------------------------


def _chromium_with(tmp_path, encrypted=None, value=None, **extra):
    cookie = {"host": ".grok.com", "name": "sso", "expires": LATER, **extra}
    cookie.update({"encrypted": encrypted} if encrypted is not None else {"value": value})
    return make_chromium_db(tmp_path / "Default" / "Cookies", [cookie])


def _key_source(monkeypatch, source):
    """Every reader of this process (library, authenticator, CLI) gets `source` as its default key source."""
    monkeypatch.setattr(browsers.keys, "default_key_source", lambda browser, cookie_file, platform=None: source)


def _linux(monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    _key_source(monkeypatch, browsers.keys.default_key_source("chromium", Path("Cookies"), "linux"))


def _windows(monkeypatch):
    _key_source(monkeypatch, FixedKeySource({"v10": bytes(range(32))}, cipher="gcm"))


def _macos(monkeypatch):
    _key_source(monkeypatch, KeychainKeySource("Chrome Safe Storage", fetch=lambda service, account: b"mac-password"))


# (encrypted_value, platform, exception, words, also through the library here?)
UNDECRYPTABLE = [
    pytest.param(
        encrypt_cbc("SECRET-x", ".grok.com", key=key_for(b"another password")),
        _linux,
        CookieDecryptionError,
        "'sso'",
        False,
        id="v10-wrong-key",
    ),
    pytest.param(
        b"v20" + fixed_bytes(80), _linux, UnsupportedEncryptionError, "app-bound encryption (v20)", False, id="v20"
    ),
    pytest.param(b"v20" + fixed_bytes(80), _windows, UnsupportedEncryptionError, "v20", True, id="v20-windows"),
    pytest.param(b"v10\x00", _linux, CookieDecryptionError, "bad padding", True, id="v10+1-byte"),
    pytest.param(b"v10" + fixed_bytes(15), _linux, CookieDecryptionError, "bad padding", True, id="v10+15-bytes"),
    pytest.param(b"v10" + fixed_bytes(16), _linux, CookieDecryptionError, "wrong key", True, id="v10+16-bytes"),
    pytest.param(b"v10" + fixed_bytes(4096, seed=2), _linux, CookieDecryptionError, "wrong key", True, id="v10+4-KiB"),
    pytest.param(
        b"v11" + fixed_bytes(64),
        _linux,
        CookieDecryptionError,
        "no D-Bus session bus",
        True,
        id="v11-garbage-no-keyring",
    ),
    pytest.param(
        b"v99" + fixed_bytes(32), _linux, CookieDecryptionError, "unknown encryption format", True, id="unknown-prefix"
    ),
    pytest.param(b"v1", _linux, CookieDecryptionError, "unknown encryption format", True, id="shorter-than-prefix"),
    pytest.param(b"\xff", _linux, CookieDecryptionError, "unknown encryption format", True, id="one-byte"),
    pytest.param(
        b"v11" + fixed_bytes(32), _macos, CookieDecryptionError, "unknown encryption format", True, id="v11-on-macos"
    ),
    pytest.param(b"v10" + fixed_bytes(48), _macos, CookieDecryptionError, "keychain", True, id="v10-macos-garbage"),
    pytest.param(b"v10" + fixed_bytes(5), _windows, CookieDecryptionError, "GCM tag", True, id="gcm-too-short"),
    pytest.param(b"v10" + fixed_bytes(60), _windows, CookieDecryptionError, "GCM tag", True, id="gcm-garbage"),
    pytest.param(
        encrypt_gcm("SECRET-w", ".grok.com", key=bytes(32)),
        _windows,
        CookieDecryptionError,
        "GCM tag",
        False,
        id="gcm-wrong-key",
    ),
    pytest.param(
        encrypt_cbc("SECRET\r\nX-Evil: 1", ".grok.com"),
        _linux,
        CookieDecryptionError,
        "control characters",
        True,
        id="decrypts-to-crlf",
    ),
    pytest.param(
        encrypt_cbc(b"\xff\xfeSECRET", ".grok.com"),
        _linux,
        CookieDecryptionError,
        "not UTF-8",
        False,
        id="decrypts-to-non-utf8",
    ),
    pytest.param(
        encrypt_cbc("SECRET-café", ".grok.com"), _linux, CookieStoreError, "non-ASCII", True, id="decrypts-to-non-ascii"
    ),
]


@pytest.mark.parametrize("encrypted, platform, cls, words, lib", UNDECRYPTABLE)
def test_undecryptable_value(tmp_path, monkeypatch, encrypted, platform, cls, words, lib):
    platform(monkeypatch)
    path = _chromium_with(tmp_path, encrypted=encrypted)
    if lib:
        message = expect_lib(cls, load_xai_cookies, cookie_file=path)
        assert words.lower() in message.lower() and "'sso'" in message and str(path) in message
        expect_lib(cls, browser_auth, path)
    check_cli_cases(path, words)


def test_encrypted_value_stored_as_text_is_a_decryption_error(tmp_path):
    path = tmp_path / "Cookies"
    _raw_db(path, CHROMIUM_UNTYPED, [(".grok.com", "sso", "", "v10SECRET-stored-as-text", "/", 0, 1, 1)], "cookies")
    assert "'sso'" in expect_lib(CookieDecryptionError, load_xai_cookies, cookie_file=path)
    check_cli_cases(path, "Cannot decrypt cookie 'sso'")


# --- values that are not UTF-8, or not sendable -------------------------------------------------------


def _set_column(db, table, column, sql_value):
    con = sqlite3.connect(db)
    con.execute(f"UPDATE {table} SET {column} = {sql_value}")
    con.commit()
    con.close()


def stored(family: str, value: str = SSO["value"], *, column: str | None = None, sql: str | None = None):
    """A builder of a one-cookie store: SSO with `value`, then `column` set to the SQL expression `sql`."""

    def build(tmp_path):
        cookies = [{**SSO, "value": value}]
        if family == "chromium":
            db, table = make_chromium_db(tmp_path / "Cookies", cookies), "cookies"
        else:
            db, table = make_firefox_db(tmp_path / "cookies.sqlite", cookies), "moz_cookies"
        if column is not None:
            _set_column(db, table, column, sql)
        return db

    return build


def chromium_plain_blob_not_utf8(tmp_path):
    db = tmp_path / "Cookies"
    _raw_db(db, CHROMIUM_UNTYPED, [(".grok.com", "sso", b"SECRET\xc3", b"", "/", 0, 1, 1)], "cookies")
    return db


def firefox_session_store_surrogate(tmp_path):
    db = make_firefox_db(tmp_path / "cookies.sqlite", [])
    session = {"host": ".grok.com", "name": "sso", "value": "SECRET\udcff", "path": "/", "originAttributes": {}}
    raw = json.dumps({"cookies": [session]})  # JSON carries the lone surrogate as an escape
    assert "\\udcff" in raw
    write_jsonlz4(tmp_path / "sessionstore-backups" / "recovery.jsonlz4", json.loads(raw))
    return db


# (builder, exception, words)
UNSENDABLE = [
    pytest.param(
        stored("chromium", column="value", sql="CAST(x'534543524554ff' AS TEXT)"),  # 'SECRET' + a stray byte
        CookieDecryptionError,
        "not UTF-8 text",
        id="chromium-text-not-utf8",
    ),
    pytest.param(chromium_plain_blob_not_utf8, CookieDecryptionError, "not UTF-8 text", id="chromium-blob-not-utf8"),
    pytest.param(stored("chromium", "SECRET\x00x"), CookieStoreError, "control or non-ASCII", id="chromium-nul"),
    pytest.param(
        stored("chromium", "SECRET\r\nX-Evil: 1"), CookieStoreError, "Cookie header cannot carry", id="chromium-crlf"
    ),
    pytest.param(
        stored("firefox", column="value", sql="CAST(x'534543524554c328' AS TEXT)"),
        CookieStoreError,
        "not UTF-8 text",
        id="firefox-not-utf8",
    ),
    pytest.param(stored("firefox", "SECRET-☕"), CookieStoreError, "non-ASCII", id="firefox-non-ascii"),
    pytest.param(
        stored("firefox", "SECRET\r\nSet-Cookie: x=1"),
        CookieStoreError,
        "Cookie header cannot carry",
        id="firefox-crlf",
    ),
    pytest.param(
        stored("firefox", column="path", sql="CAST(x'2fff' AS TEXT)"),
        CookieStoreError,
        "value or path",
        id="firefox-path-not-utf8",
    ),
    pytest.param(firefox_session_store_surrogate, CookieStoreError, "not UTF-8 text", id="session-store-surrogate"),
]


@pytest.mark.parametrize("build, cls, words", UNSENDABLE)
def test_value_that_is_not_utf8_or_cannot_be_sent(tmp_path, build, cls, words):
    path = build(tmp_path)
    message = expect_lib(cls, load_xai_cookies, cookie_file=path)
    assert words.lower() in message.lower() and "'sso'" in message
    expect_lib(cls, browser_auth, path)
    check_cli_cases(path, words)


def test_non_utf8_host_is_not_an_xai_host(tmp_path):
    """A host with stray bytes is no cookie host of ours: dropped like a decoy, then 'not logged in'."""
    db = make_chromium_db(tmp_path / "Cookies", [SSO])
    _set_column(db, "cookies", "host_key", "CAST(x'ff2e67726f6b2e636f6d' AS TEXT)")  # b'\xff.grok.com'
    assert load_xai_cookies(cookie_file=db, include_subdomains=True).cookies == ()
    expect_lib(NotLoggedInError, browser_auth, db)
    listed = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(db))
    assert listed.exit_code == 0 and "0 xAI cookies" in listed.stdout
    line = one_error_line(run_cli(*BROWSER_COMMANDS["chat"], str(db)), EXIT_NO_CREDENTIALS)
    assert "no live sso cookie" in line


@pytest.mark.parametrize("raw, seconds", [(2**63 - 1, 253402300799.0), ("4102444800", 4102444800.0)])
def test_far_future_or_text_expiry_is_usable(tmp_path, raw, seconds):
    """Expiries beyond year 9999 are clamped (the CLI prints them); a numeric string is a number."""
    db = tmp_path / "cookies.sqlite"
    _raw_db(db, FIREFOX_UNTYPED, [(".grok.com", "sso", "SECRET-far", "/", raw, 1, 1, "")], "moz_cookies")
    (cookie,) = load_xai_cookies(cookie_file=db).cookies
    assert cookie.expires == seconds
    result = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(db), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cookies"][0]["expires"][:4] in ("9999", "2100")


# --- profile paths: spaces, non-ASCII, URI characters, bytes that are not UTF-8 ----------------------------

PATH_NAMES = [
    pytest.param("my profile/Default", id="spaces"),
    pytest.param("Ünïcødé ☕ профиль/Default", id="non-ascii"),
    pytest.param("100% done #1 ?mode=rw&x/Default", id="uri-characters"),
    pytest.param("  leading and trailing  /Default", id="edge-spaces"),
    pytest.param("nul-free\\back\\slash/Default", id="backslashes"),
]


@pytest.mark.parametrize("locked", [False, True], ids=["unlocked", "locked"])
@pytest.mark.parametrize("relative", PATH_NAMES)
def test_cookie_file_paths_with_odd_characters(tmp_path, relative, locked):
    """The path goes into a file: URI (?mode=ro) and, when locked, into a private copy: both must work."""
    web = StandIn()
    with web:
        sso, cf_clearance, _user = web.web_login(UA)
        cookies = [
            {"host": ".grok.com", "name": name, "encrypted": encrypt_cbc(value, ".grok.com"), "expires": LATER}
            for name, value in (("sso", sso), ("cf_clearance", cf_clearance), ("__cf_bm", web.issue_cf_bm()))
        ]
        db = make_chromium_db(tmp_path / relative / "Cookies", cookies)
        holder = _hold_exclusive_lock(db, "cookies") if locked else None
        try:
            load = load_xai_cookies(cookie_file=db)
            assert {c.name for c in load.cookies} == {"sso", "cf_clearance", "__cf_bm"} and load.cookie_file == db
            assert any("private copy" in n for n in load.notes) == locked
            listed = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(db))
            chat = run_cli(
                "chat",
                "hi",
                "--auth",
                "browser",
                "--unsafe-browser-cookies",
                "--cookie-file",
                str(db),
                env={"GROK_USER_AGENT": UA, "GROK_WEB_BASE_URL": web.web_base_url},
            )
        finally:
            if holder is not None:
                holder.execute("ROLLBACK")
                holder.close()
    assert listed.exit_code == 0, listed.output
    assert "3 xAI cookies" in listed.stdout and relative.split("/")[0] in listed.stdout
    assert chat.exit_code == 0, chat.output
    for result in (listed, chat):
        assert sso not in result.output and cf_clearance not in result.output


def test_profile_dir_given_as_cookie_file(tmp_path):
    """A directory holding no cookie database: the library says which file it wanted; click refuses a dir."""
    folder = tmp_path / "Профиль с пробелами"
    folder.mkdir()
    message = expect_lib(ProfileNotFoundError, load_xai_cookies, cookie_file=folder)
    assert str(folder / "Cookies") in message
    result = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(folder))
    assert result.exit_code == 2 and "is a directory" in result.stderr and "Traceback" not in result.output


def test_profile_names_with_spaces_and_non_ascii_through_the_cli(tmp_path):
    home = tmp_path / "hôme with spaces"
    make_chromium_user_data(
        home / ".config" / "chromium", {"Profile 3": {"name": "Trabajo ñ ☕", "active_time": 1, "cookies": [SSO]}}
    )
    make_firefox_root(home / ".mozilla" / "firefox", {"x y.default": {"name": "Perfil ü", "cookies": [SSO]}})
    env = {"HOME": str(home)}
    for browser, profile in (("chromium", "Trabajo ñ ☕"), ("chromium", "trabajo Ñ ☕"), ("firefox", "Perfil ü")):
        result = run_cli("cookies", "--unsafe-browser-cookies", "--browser", browser, "--profile", profile, env=env)
        assert result.exit_code == 0 and "1 xAI cookies" in result.stdout, result.output
    line = one_error_line(
        run_cli("cookies", "--unsafe-browser-cookies", "--browser", "chromium", "--profile", "Nöpe ☕", env=env),
        EXIT_BAD_INPUT,
    )
    assert "'Nöpe ☕'" in line and "Profile 3 (Trabajo ñ ☕)" in line


# --- malformed profile metadata: Local State, profiles.ini ----------------------------------------------


def _chromium_home(tmp_path, local_state: bytes | str):
    home = tmp_path / "home"
    root = make_chromium_user_data(home / ".config" / "chromium", {"Default": {"cookies": [SSO]}})
    (root / "Local State").write_bytes(local_state if isinstance(local_state, bytes) else local_state.encode())
    (root.parent / "Profile 1").mkdir()  # a sibling of the user-data dir, reachable only by '..'
    return home


def _firefox_home(tmp_path, ini: bytes | str):
    home = tmp_path / "home"
    root = make_firefox_root(home / ".mozilla" / "firefox", {"abc.default": {"name": "default", "cookies": [SSO]}})
    (root / "profiles.ini").write_bytes(ini if isinstance(ini, bytes) else ini.encode())
    return home


METADATA = [
    pytest.param("chromium", '{"profile": []}', id="local-state-profile-is-a-list"),
    pytest.param("chromium", '{"profile": {"info_cache": []}}', id="local-state-info-cache-is-a-list"),
    pytest.param(
        "chromium",
        '{"profile": {"info_cache": {"Default": {"name": 5, "active_time": "x"}}}}',
        id="local-state-name-not-text",
    ),
    pytest.param(
        "chromium", '{"profile": {"info_cache": {"../Profile 1": {}, "..": {}, "": {}}}}', id="local-state-dir-escapes"
    ),
    pytest.param("chromium", "[1, 2, 3]", id="local-state-not-an-object"),
    pytest.param("chromium", b"\xff\xfe garbage \x00", id="local-state-binary"),
    pytest.param(
        "firefox",
        "[Profile0]\nName=default\nPath=Profiles/abc.default\nIsRelative=1\n[Profile1]\nName=z\nPath=nul\x00here\n",
        id="profiles-ini-nul",
    ),
    pytest.param("firefox", b"[Profile0]\nName=\xff\nPath=Profiles/abc.default\n", id="profiles-ini-not-utf8"),
    pytest.param("firefox", "no section header\nPath=/etc\n", id="profiles-ini-no-section"),
    pytest.param(
        "firefox",
        "[Profile0]\nName=gone\nIsRelative=0\nPath=/nonexistent/profile\n",
        id="profiles-ini-missing-absolute",
    ),
]


@pytest.mark.parametrize("browser, metadata", METADATA)
def test_malformed_profile_metadata(tmp_path, browser, metadata):
    """Unreadable metadata is ignored, the profile on disk is still found; only real dirs are listed."""
    home = (_chromium_home if browser == "chromium" else _firefox_home)(tmp_path, metadata)
    profiles = find_profiles(browser, home=home)
    assert profiles and all(p.path.is_dir() and ".." not in p.path.parts for p in profiles)
    assert all(p.display_name is None or isinstance(p.display_name, str) for p in profiles)
    assert [c.name for c in load_xai_cookies(browser, home=home).cookies] == ["sso"]
    message = expect_lib(ProfileNotFoundError, load_xai_cookies, browser, profile="Nope", home=home)
    assert "available:" in message
    env = {"HOME": str(home)}
    assert run_cli("cookies", "--unsafe-browser-cookies", "--browser", browser, env=env).exit_code == 0
    one_error_line(
        run_cli("cookies", "--unsafe-browser-cookies", "--browser", browser, "--profile", "Nope", env=env),
        EXIT_BAD_INPUT,
    )


# --- API keys: newlines, spaces, unicode look-alikes ------------------------------------------------------


def _key_cases():
    key = make_test_key()
    body = key[4:]
    return key, [
        pytest.param(key + "\n", "whitespace or a control character", id="trailing-newline"),
        pytest.param(key + "\r\n", "whitespace or a control character", id="trailing-crlf"),
        pytest.param(" " + key, "whitespace", id="leading-space"),
        pytest.param(key + "\t", "whitespace", id="trailing-tab"),
        pytest.param("Bearer " + key, "whitespace", id="pasted-with-bearer"),
        pytest.param(key[:40] + "\n" + key[40:], "whitespace", id="newline-inside"),
        pytest.param(key + "\u00a0", "whitespace", id="no-break-space"),
        pytest.param(key[:30] + "\u200b" + key[30:], "non-ASCII", id="zero-width-space"),
        pytest.param("\ufeff" + key, "non-ASCII", id="byte-order-mark"),
        pytest.param("x\u0430i-" + body, "non-ASCII", id="cyrillic-a-in-prefix"),
        pytest.param(key[:-1] + "\u03bf", "non-ASCII", id="greek-omicron"),
        pytest.param(key[:-1] + "\uff5a", "non-ASCII", id="fullwidth-z"),
        pytest.param("\u202e" + key, "non-ASCII", id="right-to-left-override"),
        pytest.param(f'"{key}"', "does not look like an xAI key", id="quoted"),
        pytest.param("XAI-" + body, "does not start with 'xai-'", id="upper-case-prefix"),
        pytest.param(key.replace("_", "-") if "_" in key else key[:-1] + "-", "does not look like", id="dash"),
    ]


KEY, KEY_CASES = _key_cases()


@pytest.mark.parametrize("value, words", KEY_CASES)
def test_malformed_key_library_and_cli(value, words):
    secret_part = KEY[8:]
    with pytest.raises(Exception) as info:
        ApiKeyAuthenticator(value)
    assert type(info.value) is InvalidApiKeyFormatError and words in str(info.value)
    assert secret_part not in str(info.value) and secret_part not in repr(info.value)
    env = {"XAI_API_KEY": value, "XAI_BASE_URL": UNUSED_WEB + "/v1"}
    line = one_error_line(run_cli("models", env=env), EXIT_BAD_INPUT, secret_part)
    assert words in line and "env:XAI_API_KEY" in line
    status = run_cli("status", env=env)
    one_error_line(status, EXIT_BAD_INPUT, secret_part)
    assert "present but invalid" in status.stdout


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\xef\xbb\xbfXAI_API_KEY=<key>\r\n", id="bom-and-crlf"),
        pytest.param(b"XAI_API_KEY=<key>\r\n", id="crlf"),
        pytest.param(b"export XAI_API_KEY='<key>'  # from console.x.ai\n", id="export-quoted-comment"),
    ],
)
def test_dotenv_written_by_other_editors_works(tmp_path, content):
    with StandIn() as api:
        (tmp_path / ".env").write_bytes(content.replace(b"<key>", api.api_key.encode()))
        result = run_cli("models", env={"XAI_BASE_URL": api.base_url})
    assert result.exit_code == 0, result.output
    assert "grok-4" in result.stdout and api.api_key not in result.output


@pytest.mark.parametrize(
    "content, code, words",
    [
        pytest.param(
            b'XAI_API_KEY="<key>\\n"\n', EXIT_BAD_INPUT, "whitespace or a control character", id="escaped-newline"
        ),
        pytest.param(b"XAI_API_KEY=<key>\xe2\x80\x8b\n", EXIT_BAD_INPUT, "non-ASCII", id="zero-width-space"),
        pytest.param(b"XAI_API_KEY=\xff\xfe\n", EXIT_NO_CREDENTIALS, "unreadable (UnicodeDecodeError)", id="not-utf8"),
        pytest.param(b"\x00\x01\x02 garbage\n", EXIT_NO_CREDENTIALS, "no XAI_API_KEY in it", id="binary"),
    ],
)
def test_bad_dotenv_is_one_line(tmp_path, content, code, words):
    key = make_test_key()
    (tmp_path / ".env").write_bytes(content.replace(b"<key>", key.encode()))
    result = run_cli("models", env={"XAI_BASE_URL": UNUSED_WEB + "/v1"})
    line = one_error_line(result, code, key[8:])
    assert words in line
    status = run_cli("status")
    assert words in status.stdout and key[8:] not in status.output


# --- base URLs that do not parse ------------------------------------------------------------------------------

BAD_URLS = [
    pytest.param("http://[::1", "not a valid http(s) URL", id="unclosed-bracket"),
    pytest.param("http://[not-an-ip]/v1", "not a valid http(s) URL", id="bad-ipv6"),
    pytest.param("http://127.0.0.1:99999/v1", "not a valid http(s) URL", id="port-out-of-range"),
    pytest.param("http://127.0.0.1:-1/v1", "not a valid http(s) URL", id="negative-port"),
    pytest.param("https://\u2100.com/v1", "not a valid http(s) URL", id="nfkc-invalid-host"),
    pytest.param("ftp://user:SECRET-pw@api.x.ai/v1", "user name or password", id="credentials-other-scheme"),
    pytest.param("https://user:SECRET-pw@[::1/v1", "not a valid http(s) URL", id="credentials-and-bad-host"),
]


@pytest.mark.parametrize("url, words", BAD_URLS)
def test_base_url_that_does_not_parse(tmp_path, url, words):
    """Library: InsecureUrlError (never urllib's ValueError), for the API and the grok.com side; CLI: exit 7
    for --base-url, XAI_BASE_URL and --web-base-url; the URL is not echoed when it may hold a password."""
    from cookie_session.client import GrokClient
    from cookie_session.errors import InsecureUrlError

    assert words in expect_lib(InsecureUrlError, GrokClient, ApiKeyAuthenticator(KEY), base_url=url)
    db = make_chromium_db(tmp_path / "Cookies", [SSO])
    expect_lib(InsecureUrlError, GrokClient, browser_auth(db), web_base_url=url)
    for args, env in (
        (("models", "--base-url", url), {"XAI_API_KEY": KEY}),
        (("models",), {"XAI_API_KEY": KEY, "XAI_BASE_URL": url}),
        (
            (
                "whoami",
                "--auth",
                "browser",
                "--unsafe-browser-cookies",
                "--cookie-file",
                str(db),
                "--web-base-url",
                url,
            ),
            {},
        ),
    ):
        assert words in one_error_line(run_cli(*args, env=env), EXIT_BAD_INPUT, KEY)


# --- header values given by the user: the User-Agent, cookies handed to from_cookies ----------------------


@pytest.mark.parametrize(
    "agent",
    ["Mozilla/5.0\r\nX-Evil: 1", "Mozilla/5.0 (X11) ☕", "Mozilla/5.0\x7f", "Mozilla/5.0\tTab"],
    ids=["crlf", "non-ascii", "del", "tab"],
)
def test_user_agent_a_header_cannot_carry(tmp_path, agent):
    """GROK_USER_AGENT / user_agent=: BadInputError before any request (was: a UnicodeEncodeError traceback
    for non-Latin-1, and exit 6 "InvalidHeader" for CR/LF)."""
    from cookie_session.errors import BadInputError

    db = make_chromium_db(tmp_path / "Cookies", [SSO])
    message = expect_lib(
        BadInputError,
        BrowserCookieAuthenticator,
        cookie_file=db,
        unsafe_browser_cookies=True,
        verdict=LocalityVerdict.assume_local(),
        user_agent=agent,
    )
    assert "User-Agent" in message and "GROK_USER_AGENT" in message
    line = one_error_line(run_cli(*BROWSER_COMMANDS["chat"], str(db), env={"GROK_USER_AGENT": agent}), EXIT_BAD_INPUT)
    assert "User-Agent" in line


@pytest.mark.parametrize(
    "value",
    ["SECRET\r\nX-Evil: 1", "SECRET-☕", "SECRET\x00", "SECRET; sso-rw=OTHER"],
    ids=["crlf", "non-ascii", "nul", "semicolon"],
)
def test_from_cookies_value_a_header_cannot_carry(value):
    from cookie_session.errors import BadInputError
    from cookie_session.testing.standin import StandInCookie

    message = expect_lib(
        BadInputError,
        BrowserCookieAuthenticator.from_cookies,
        [StandInCookie("sso", value)],
        user_agent=UA,
        unsafe_browser_cookies=True,
        verdict=LocalityVerdict.assume_local(),
    )
    assert "'sso'" in message


# ======================================================================================================
# For the lead: the CLI on a terminal whose stdout is strict UTF-8 (a desktop's en_US.UTF-8 locale).
# ======================================================================================================


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="file names are bytes only on Linux")
def test_non_utf8_profile_path_on_a_strict_utf8_terminal(tmp_path):
    """A profile directory whose name holds bytes that are not UTF-8 (Linux allows it). The library reads it
    (the path round-trips through surrogateescape); the CLI prints the path, and on a strict UTF-8 stdout
    click's echo raises UnicodeEncodeError: a traceback, exit 1. (This machine's C.UTF-8 locale uses
    surrogateescape, which hides it; PYTHONIOENCODING=utf-8:strict is what en_US.UTF-8 gives.)
    Needed in cli.main(): `for stream in (sys.stdout, sys.stderr): stream.reconfigure(errors="backslashreplace")`
    (when it is a TextIOWrapper) before running the group."""
    import subprocess

    folder = tmp_path / os.fsdecode(b"profile-\xff\xfe-dir")
    db = make_chromium_db(folder / "Cookies", [SSO])
    assert [c.name for c in load_xai_cookies(cookie_file=db).cookies] == ["sso"]
    code = (
        "import sys, cookie_session.policy as p; p.CONTAINER_FILES = (); "  # the laptop fixture, in-process
        "from cookie_session.cli import main; sys.argv[0] = 'cookie-session'; main()"
    )
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    for args in (["cookies"], ["status"]):
        done = subprocess.run(
            [sys.executable, "-c", code, *args, "--unsafe-browser-cookies", "--cookie-file", os.fsencode(db)],
            capture_output=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-600:]
        assert b"Traceback" not in done.stderr and b"profile-" in done.stdout and b"SECRET" not in done.stdout


# --- numbers in browser files: Unicode digits and huge numbers (int() would raise ValueError) ---------------


@pytest.mark.parametrize(
    "version",
    ["²", "٣٤", "1" * 5000, "-24", "24.0", ""],
    ids=["superscript-two", "arabic-indic-digits", "5000-digits", "negative", "decimal", "empty"],
)
def test_chromium_meta_version_that_is_not_a_plain_number(tmp_path, version):
    path = make_chromium_db(tmp_path / "Default" / "Cookies", [SSO])
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = ? WHERE key = 'version'", (version,))
    con.commit()
    con.close()
    message = expect_lib(CookieStoreError, load_xai_cookies, cookie_file=path)
    assert "meta table's version" in message and "not a number" in message and len(message) < 400
    expect_lib(CookieStoreError, browser_auth, path)
    check_cli_cases(path, "not a number")


def _firefox_with_containers(tmp_path, identities):
    db = make_firefox_db(
        tmp_path / "cookies.sqlite",
        [{**SSO, "value": "SECRET-default"}, {**SSO, "value": "SECRET-work", "origin": "^userContextId=2"}],
    )
    (tmp_path / "containers.json").write_text(json.dumps({"version": 5, "identities": identities}), encoding="utf-8")
    return db


def test_firefox_container_ids_that_are_not_plain_numbers_are_ignored(tmp_path):
    db = _firefox_with_containers(
        tmp_path,
        [
            {"userContextId": "²", "public": True, "name": "Superscript"},
            {"userContextId": "٣", "public": True, "name": "Arabic"},
            {"userContextId": "9" * 5000, "public": True, "name": "Huge"},
            {"userContextId": 2, "public": True, "name": "Work"},
        ],
    )
    assert {c.value.reveal() for c in load_xai_cookies("firefox", cookie_file=db, container="Work").cookies} == {
        "SECRET-work"
    }
    message = expect_lib(ProfileNotFoundError, load_xai_cookies, "firefox", cookie_file=db, container="Arabic")
    assert "containers: Work" in message


@pytest.mark.parametrize("container", ["²", "٣", "9" * 5000])
def test_container_option_that_is_not_a_plain_number_is_a_name(tmp_path, container):
    db = _firefox_with_containers(tmp_path, [{"userContextId": 2, "public": True, "name": "Work"}])
    message = expect_lib(ProfileNotFoundError, load_xai_cookies, "firefox", cookie_file=db, container=container)
    assert "No container named" in message and "containers: Work" in message and len(message) < 400
    line = one_error_line(
        run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(db), "--container", container),
        EXIT_BAD_INPUT,
    )
    assert "No container named" in line


def test_firefox_origin_attributes_with_unicode_digits_are_skipped(tmp_path):
    db = make_firefox_db(
        tmp_path / "cookies.sqlite",
        [
            {**SSO, "value": "SECRET-odd", "origin": "^userContextId=²"},
            {**SSO, "name": "sso-rw", "value": "SECRET-odd2", "origin": "^privateBrowsingId=٣"},
            {**SSO, "name": "x-userid", "value": "SECRET-ok"},
        ],
    )
    assert [c.name for c in load_xai_cookies("firefox", cookie_file=db).cookies] == ["x-userid"]


def test_session_store_is_refused_before_decompressing_past_the_cap(tmp_path):
    """A 64 MiB+ session store (lz4 expands 255-fold: 2.4 MB on disk can declare 600 MB) is skipped with a
    note, without allocating what it declares."""
    import tracemalloc

    import lz4.block

    db = make_firefox_db(tmp_path / "cookies.sqlite", [SSO])
    payload = b'{"cookies": [], "pad": "' + b" " * (100 << 20) + b'"}'
    body = lz4.block.compress(payload, store_size=False)
    assert len(body) < 1 << 20
    (tmp_path / "sessionstore-backups").mkdir()
    (tmp_path / "sessionstore-backups" / "recovery.jsonlz4").write_bytes(
        b"mozLz40\0" + len(payload).to_bytes(4, "little") + body
    )
    del payload
    tracemalloc.start()
    try:
        load = load_xai_cookies("firefox", cookie_file=db)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [c.name for c in load.cookies] == ["sso"]
    assert any("skipped unreadable session store" in note and "over the 64 MiB cap" in note for note in load.notes)
    assert peak < 16 << 20, peak


@pytest.mark.parametrize("cookies_last", [True, False])
def test_session_store_of_many_tiny_objects_costs_no_more_than_its_text(tmp_path, cookies_last):
    """48 MiB of `{},` under the size cap (json.loads would build 16 million dicts, over 1 GiB): the session
    cookies are still found when Firefox wrote them last (as it does), else the store is skipped as too
    many objects; either way memory stays within a few times the text."""
    import tracemalloc

    import lz4.block

    db = make_firefox_db(tmp_path / "cookies.sqlite", [])
    cookie = {"host": ".grok.com", "name": "sso", "value": "SECRET-session", "path": "/", "originAttributes": {}}
    tail = b'],"cookies":' + json.dumps([cookie]).encode() + b"}" if cookies_last else b"]}"
    payload = b'{"windows":[' + b"{}," * (16 << 20) + b"{}" + tail
    (tmp_path / "sessionstore-backups").mkdir()
    (tmp_path / "sessionstore-backups" / "recovery.jsonlz4").write_bytes(
        b"mozLz40\0" + len(payload).to_bytes(4, "little") + lz4.block.compress(payload, store_size=False)
    )
    size = len(payload)
    del payload
    tracemalloc.start()
    try:
        load = load_xai_cookies("firefox", cookie_file=db)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * size, (peak, size)
    if cookies_last:
        assert [c.value.reveal() for c in load.cookies] == ["SECRET-session"]
    else:
        assert load.cookies == () and any("JSON objects" in n and "cap" in n for n in load.notes)
