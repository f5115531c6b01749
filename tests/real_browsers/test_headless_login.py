"""Real headless browsers write real cookie databases (cookie_session.testing.headless).

A local HTTPS server (trustme certificate for grok.com) sets three cookies on
/login: ``sso`` (Domain=.grok.com, Max-Age), ``sso-rw`` (host-only, Max-Age) and
``session-id`` (Domain=.grok.com, no Max-Age: a session cookie). The browser
visits it in a fresh profile, quits cleanly, and we read its own database.

Tests skip when a browser is missing, except with CI=true, where they fail.
Set UPDATE_SCHEMAS=1 to rewrite tests/data/schemas/*.sql from the installed browsers.
"""

from __future__ import annotations

import http.server
import json
import os
import secrets
import shutil
import sqlite3
import ssl
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import trustme
from installed import require
from paths import SCHEMAS

from cookie_session.testing.headless import (
    BrowserLaunchError,
    HeadlessChromium,
    HeadlessFirefox,
    find_chromium,
    find_firefox,
)

pytestmark = pytest.mark.real_browser

THIRTY_DAYS = 2592000
WINDOWS_EPOCH_OFFSET = 11644473600  # seconds from 1601-01-01 to 1970-01-01


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):  # Firefox first tries
            super().handle_error(request, client_address)  # the handshake and rejects the unknown CA


class _LoginHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        url = urllib.parse.urlsplit(self.path)
        self.server.seen.append((url.path, self.headers.get("User-Agent"), self.headers.get("Cookie")))
        self.send_response(200)
        if url.path == "/login":
            v = dict(urllib.parse.parse_qsl(url.query))["v"]
            attrs = f"Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={THIRTY_DAYS}"
            self.send_header("Set-Cookie", f"sso={v}; Domain=.grok.com; {attrs}")
            self.send_header("Set-Cookie", f"sso-rw=rw-{v}; {attrs}")
            self.send_header("Set-Cookie", f"session-id=s-{v}; Domain=.grok.com; Path=/; Secure; SameSite=Lax")
        body = b"<!doctype html><title>grok</title><p>ok</p>"
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def https_port():
    cert = trustme.CA().issue_cert("grok.com", "*.grok.com", "localhost", "127.0.0.1")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    server = _Server(("127.0.0.1", 0), _LoginHandler)
    server.seen = []
    # Handshake lazily in the handler thread, so a stalled client cannot block accept().
    server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], server.seen
    server.shutdown()
    server.server_close()


def _processes_using(profile: Path) -> list[int]:
    """PIDs whose command line mentions the profile (i.e. browser processes we leaked)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(profile).encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            pass
    return found


def _check_schema(con: sqlite3.Connection, name: str, header: str) -> None:
    """The DB's CREATE statements must match tests/data/schemas/<name> (UPDATE_SCHEMAS=1 rewrites it)."""
    sql = [r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")]
    text = header + "".join(f"{s};\n" for s in sql)
    path = SCHEMAS / name
    if os.environ.get("UPDATE_SCHEMAS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text, f"{name} is stale for the installed browser; rerun with UPDATE_SCHEMAS=1"


def _mozlz4(path: Path) -> dict:
    """Decode Firefox's mozLz40 JSON files (magic, u32 size, one LZ4 block) with the stdlib only."""
    data = path.read_bytes()
    assert data[:8] == b"mozLz40\0"
    src, out, i = data[12:], bytearray(), 0

    def length(n: int) -> int:
        nonlocal i
        while n >= 15:
            n, i = n + src[i], i + 1
            if src[i - 1] != 255:
                break
        return n

    while i < len(src):
        token, i = src[i], i + 1
        n = length(token >> 4)
        out += src[i : i + n]
        i += n
        if i >= len(src):
            break
        offset, i = src[i] | src[i + 1] << 8, i + 2
        for _ in range(length(token & 15) + 4):
            out.append(out[-offset])
    return json.loads(out)


def test_launch_failures_are_one_clear_line(tmp_path):
    """Failures raise BrowserLaunchError quickly, with a single-line message; no process is left."""
    with pytest.raises(BrowserLaunchError, match="cannot execute .*install"):
        HeadlessChromium(tmp_path / "a", executable=str(tmp_path / "no-such-browser"))
    start = time.monotonic()
    with pytest.raises(BrowserLaunchError, match="chromium: browser exited") as err:
        HeadlessChromium(tmp_path / "b", executable="/bin/false", timeout=10)
    assert "\n" not in str(err.value) and time.monotonic() - start < 5
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "Cookies").write_text("a real profile?")
    with pytest.raises(ValueError, match="not empty"):
        HeadlessChromium(tmp_path / "c", executable="/bin/false")


def test_chromium_writes_its_own_cookie_db(https_port, tmp_path):
    require(find_chromium, "chromium")
    port, seen = https_port
    token, profile = secrets.token_urlsafe(16), tmp_path / "chromium"
    rules = f"MAP grok.com 127.0.0.1:{port}, MAP *.grok.com 127.0.0.1:{port}"
    with HeadlessChromium(profile, host_resolver_rules=rules) as browser:
        assert "Chrome/" in browser.user_agent
        browser.navigate(f"https://grok.com/login?v={token}")
        browser.navigate("https://grok.com/home")
        with pytest.raises(BrowserLaunchError, match="ERR_NAME_NOT_RESOLVED"):
            browser.navigate("https://example.com/")  # loopback only: unmapped names do not resolve
        start = time.monotonic()
        browser.close()
        close_seconds = time.monotonic() - start
    print(f"chromium clean close took {close_seconds:.2f}s")
    assert not _processes_using(profile)
    assert ("/login", browser.user_agent) in [(p, ua) for p, ua, _ in seen]
    assert f"sso={token}" in next(c for p, ua, c in seen if p == "/home" and ua == browser.user_agent)

    con = sqlite3.connect(f"file:{browser.cookie_file}?mode=ro", uri=True)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    _check_schema(
        con,
        "chromium_cookies.sql",
        f"-- meta: version={meta['version']}, last_compatible_version={meta['last_compatible_version']}\n",
    )
    con.row_factory = sqlite3.Row
    rows = {(r["host_key"], r["name"]): r for r in con.execute("SELECT * FROM cookies")}
    assert set(rows) == {(".grok.com", "sso"), ("grok.com", "sso-rw"), (".grok.com", "session-id")}
    now_chrome = (time.time() + WINDOWS_EPOCH_OFFSET) * 1e6  # microseconds since 1601
    for key in [(".grok.com", "sso"), ("grok.com", "sso-rw")]:
        row = rows[key]
        assert row["value"] == "" and row["encrypted_value"][:3] == b"v10"  # --password-store=basic
        assert (row["is_secure"], row["is_httponly"], row["is_persistent"], row["has_expires"]) == (1, 1, 1, 1)
        assert abs(row["expires_utc"] - now_chrome - THIRTY_DAYS * 1e6) < 300e6
    session = rows[(".grok.com", "session-id")]  # Chromium 156 also writes session cookies to disk
    assert (session["is_persistent"], session["has_expires"], session["expires_utc"]) == (0, 0, 0)
    con.close()


def _firefox_rows(db: Path) -> dict[tuple[str, str], sqlite3.Row]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
    con.row_factory = sqlite3.Row
    try:
        return {(r["host"], r["name"]): r for r in con.execute("SELECT * FROM moz_cookies")}
    finally:
        con.close()


def test_firefox_writes_its_own_cookie_db(https_port, tmp_path):
    require(find_firefox, "firefox-esr")
    port, seen = https_port
    token, profile = secrets.token_urlsafe(16), tmp_path / "firefox"
    with HeadlessFirefox(profile) as browser:
        assert "Firefox/" in browser.user_agent
        browser.navigate(f"https://grok.com:{port}/login?v={token}")
        start = time.monotonic()
        browser.close()
        close_seconds = time.monotonic() - start
    print(f"firefox clean close took {close_seconds:.2f}s")
    assert not _processes_using(profile)
    assert ("/login", browser.user_agent) in [(p, ua) for p, ua, _ in seen]

    con = sqlite3.connect(f"file:{browser.cookie_file}?mode=ro", uri=True)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    version = con.execute("PRAGMA user_version").fetchone()[0]
    _check_schema(con, "firefox_cookies.sql", f"-- PRAGMA user_version = {version}\n")
    con.close()
    rows = _firefox_rows(browser.cookie_file)
    assert set(rows) == {(".grok.com", "sso"), ("grok.com", "sso-rw")}  # no session cookie in the DB
    assert rows[(".grok.com", "sso")]["value"] == token
    for row in rows.values():
        assert row["originAttributes"] == "" and (row["isSecure"], row["isHttpOnly"]) == (1, 1)
        assert abs(row["expiry"] - (time.time() + THIRTY_DAYS) * 1000) < 300e3  # expiry is in milliseconds
    # Session cookies live in the session store, written at clean shutdown.
    cookies = _mozlz4(profile / "sessionstore.jsonlz4")["cookies"]
    assert [(c["host"], c["name"], c["value"]) for c in cookies] == [(".grok.com", "session-id", f"s-{token}")]


def test_firefox_db_while_running_is_locked_but_a_copy_is_current(https_port, tmp_path):
    """Observed with Firefox ESR 153: cookies.sqlite is WAL *and* exclusively locked while Firefox
    runs (no -shm file), so even ``?mode=ro`` fails with "database is locked". Copying
    cookies.sqlite + cookies.sqlite-wal and opening the copy shows the newest value."""
    require(find_firefox, "firefox-esr")
    port, _ = https_port
    first, second = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    with HeadlessFirefox(tmp_path / "firefox") as browser:
        browser.navigate(f"https://grok.com:{port}/login?v={first}")
        browser.navigate(f"https://grok.com:{port}/login?v={second}")
        db = browser.cookie_file
        assert not db.with_name("cookies.sqlite-shm").exists()
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            _firefox_rows(db)
        deadline, value = time.monotonic() + 10, None
        while value != second and time.monotonic() < deadline:  # the write is asynchronous
            copy = tmp_path / f"copy-{time.monotonic_ns()}"
            copy.mkdir()
            for suffix in ("", "-wal"):
                if db.with_name(db.name + suffix).exists():
                    shutil.copyfile(db.with_name(db.name + suffix), copy / (db.name + suffix))
            row = _firefox_rows(copy / db.name).get((".grok.com", "sso"))
            value = row["value"] if row else None
            time.sleep(0.1)
        assert value == second
    assert _firefox_rows(db)[(".grok.com", "sso")]["value"] == second  # after quit: checkpointed, readable
