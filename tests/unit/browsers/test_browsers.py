"""cookie_session.browsers: profile discovery and xAI cookie reading from real-schema stores built in tmp_path.

Every cookie value in these tests contains "SECRET"; the autouse fixture checks no log record holds one,
and `expect` checks no exception message does.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time

import pytest
from browser_fixtures import (
    PEANUTS_KEY,
    encrypt_cbc,
    encrypt_gcm,
    key_for,
    make_chromium_db,
    make_chromium_user_data,
    make_firefox_db,
    make_firefox_root,
    session_cookie,
    write_jsonlz4,
)
from cli_runner import run_cli

from cookie_session import browsers
from cookie_session.browsers import (
    SUPPORTED_BROWSERS,
    BasicKeySource,
    BrowserCookie,
    CookieLoad,
    DpapiKeySource,
    FixedKeySource,
    KeychainKeySource,
    KeySource,
    NoKeyStore,
    SecretServiceKeySource,
    browser_user_agent,
    default_key_source,
    find_profiles,
    load_xai_cookies,
)
from cookie_session.errors import (
    BadInputError,
    BrowserNotFoundError,
    CookieDecryptionError,
    CookieStoreError,
    ProfileNotFoundError,
    UnknownBrowserError,
    UnsupportedEncryptionError,
)
from cookie_session.secret import Secret

NOW = 1_800_000_000.0
LATER = NOW + 86_400
DECOYS = [
    "evil-grok.com",
    ".evil-grok.com",
    "notgrok.com",
    "grok.com.evil.test",
    ".grok.com.evil.test",
    "notx.ai",
    ".notx.ai",
    "x.ai.evil.test",
    "grok.com.",
    "example.com",
]
# Independent known-answer vectors, computed with `openssl enc -aes-128-cbc -K fd62..2778 -iv 2020..20`.
PLAIN = "sso-test-value-123"
V10_NO_HASH = bytes.fromhex("77ef468d647da6e55234552fa8b9fd32f902e3cbba38dfb3937ae456b973eca6")
V10_HASHED_GROK = bytes.fromhex(
    "141e2cf4841097c00aca80fa6ef6b4adcc76929d592921796165a2924bd1368854d6aaa3d9f265c27e371b40a1e6e2d9"
    "e3a17e934f2100e9ceb9c9b21edf2aa9"
)


@pytest.fixture(autouse=True)
def no_secret_in_logs(caplog):
    caplog.set_level(logging.DEBUG, logger="cookie_session.browsers")
    yield
    for record in caplog.records:
        assert "SECRET" not in record.getMessage()
        assert PLAIN not in record.getMessage()


def expect(exc_type, func, *args, **kwargs) -> str:
    """Call func, require exc_type, and return its one-line message (checked to hold no cookie value)."""
    with pytest.raises(exc_type) as info:
        func(*args, **kwargs)
    message = str(info.value)
    assert "SECRET" not in message and PLAIN not in message and "\n" not in message
    assert not isinstance(info.value, (KeyError, sqlite3.Error))
    return message


def values(load: CookieLoad) -> dict[str, str]:
    return {c.name: c.value.reveal() for c in load.cookies}


def chromium_file(tmp_path, cookies, **kw):
    return make_chromium_db(tmp_path / "chromium" / "Default" / "Cookies", cookies, **kw)


# --- import cost ---------------------------------------------------------------------


def test_import_is_cheap_and_lazy():
    code = (
        "import sys, cookie_session.browsers; "
        "print([m for m in sys.modules if m.split('.')[0] in ('browser_cookie3','Cryptodome','lz4','jeepney')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_supported_browsers():
    assert {
        "chrome",
        "chromium",
        "brave",
        "edge",
        "opera",
        "opera_gx",
        "vivaldi",
        "arc",
        "firefox",
        "librewolf",
    } <= set(SUPPORTED_BROWSERS)


# --- Chromium decryption -------------------------------------------------------------------


def test_peanuts_key_is_the_known_value():
    assert PEANUTS_KEY.hex() == "fd621fe5a2b402539dfa147ca9272778"


@pytest.mark.parametrize("version, blob", [(23, V10_NO_HASH), (24, V10_HASHED_GROK)])
def test_v10_fixed_vectors(tmp_path, version, blob):
    path = chromium_file(
        tmp_path,
        [{"host": ".grok.com", "name": "sso", "encrypted": b"v10" + blob, "expires": LATER}],
        meta_version=version,
    )
    load = load_xai_cookies("chromium", cookie_file=path, now=NOW)
    assert values(load) == {"sso": PLAIN}
    (cookie,) = load.cookies
    assert (cookie.domain, cookie.path, cookie.secure, cookie.http_only, cookie.host_only) == (
        ".grok.com",
        "/",
        True,
        True,
        False,
    )
    assert cookie.expires == pytest.approx(LATER, abs=1e-3)
    assert isinstance(cookie.value, Secret) and PLAIN not in repr(cookie)


def test_v10_known_answer_computed_with_cryptography(tmp_path):
    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    key = PBKDF2HMAC(algorithm=hashes.SHA1(), length=16, salt=b"saltysalt", iterations=1).derive(b"peanuts")
    import hashlib

    padder = padding.PKCS7(128).padder()
    data = padder.update(hashlib.sha256(b"grok.com").digest() + b"SECRET-kat") + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(b" " * 16)).encryptor()
    blob = b"v10" + enc.update(data) + enc.finalize()
    path = chromium_file(tmp_path, [{"host": "grok.com", "name": "sso", "encrypted": blob, "expires": LATER}])
    load = load_xai_cookies(cookie_file=path, now=NOW)
    assert values(load) == {"sso": "SECRET-kat"} and load.cookies[0].host_only


def test_meta_24_value_of_another_host_is_refused_as_such(tmp_path):
    blob = encrypt_cbc("SECRET-x", ".evil.test")  # right key; its prefix is sha256 of another host
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "sso", "encrypted": blob, "expires": LATER}])
    message = expect(CookieDecryptionError, load_xai_cookies, "chromium", cookie_file=path, now=NOW)
    assert "decrypted, but the value belongs to another host" in message and "wrong key" not in message
    assert "'sso'" in message and str(path) in message


def test_gcm_value_of_another_host_is_refused_as_such(tmp_path):
    key = bytes(range(32))
    path = chromium_file(
        tmp_path,
        [
            {
                "host": ".grok.com",
                "name": "sso",
                "expires": LATER,
                "encrypted": encrypt_gcm("SECRET-gcm", "accounts.x.ai", key=key),
            }
        ],
    )
    message = expect(
        CookieDecryptionError,
        load_xai_cookies,
        "edge",
        cookie_file=path,
        now=NOW,
        key_source=FixedKeySource({"v10": key}, cipher="gcm"),
    )
    assert "decrypted, but the value belongs to another host" in message and "GCM tag" not in message


def test_meta_24_hash_mismatch_under_a_wrong_key_says_wrong_key(tmp_path):
    # garbage whose PKCS#7 padding happens to verify: what a wrong key gives about one time in 256
    import hashlib

    from Cryptodome.Cipher import AES

    plain = bytes(range(128, 175)) + b"\x01"
    blob = b"v10" + AES.new(PEANUTS_KEY, AES.MODE_CBC, iv=b" " * 16).encrypt(plain)
    assert hashlib.sha256(b".grok.com").digest() != plain[:32]
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "sso", "encrypted": blob, "expires": LATER}])
    message = expect(CookieDecryptionError, load_xai_cookies, "chromium", cookie_file=path, now=NOW)
    assert "wrong key" in message and "another host" not in message


@pytest.mark.parametrize(
    "blob, why",
    [
        (encrypt_cbc("SECRET-x", ".grok.com", key=key_for(b"other")), "wrong key"),
        (encrypt_cbc(b"\xff\xfeSECRET", ".grok.com"), "not UTF-8"),
        (encrypt_cbc("SECRET-x", ".grok.com")[:-5], "padding"),
        (b"v10", "padding"),
    ],
)
def test_garbage_values_are_refused_by_name(tmp_path, blob, why):
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "sso-rw", "encrypted": blob, "expires": LATER}])
    message = expect(CookieDecryptionError, load_xai_cookies, "chromium", cookie_file=path, now=NOW)
    assert why in message and "'sso-rw'" in message and str(path) in message


def test_plain_value_column_is_used(tmp_path):
    path = chromium_file(
        tmp_path, [{"host": ".grok.com", "name": "x-userid", "value": "SECRET-plain", "expires": None}]
    )
    (cookie,) = load_xai_cookies("chromium", cookie_file=path, now=NOW).cookies
    assert cookie.value == "SECRET-plain" and cookie.expires is None


class CountingKeys(KeySource):
    """A key source that records each prefix it is asked for."""

    label = "the test keyring"

    def __init__(self, keys):
        self.keys, self.asked = keys, []

    def key(self, prefix):
        self.asked.append(prefix)
        if self.keys.get(prefix) is None:
            raise NoKeyStore("the test keyring has none")
        return self.keys[prefix]


def test_v11_with_a_key_source(tmp_path):
    keys = CountingKeys({"v10": PEANUTS_KEY, "v11": key_for(b"kr-pass")})
    path = chromium_file(
        tmp_path,
        [
            {
                "host": ".grok.com",
                "name": "sso",
                "encrypted": encrypt_cbc("SECRET-a", ".grok.com", key=key_for(b"kr-pass"), prefix=b"v11"),
                "expires": LATER,
            },
            {
                "host": ".grok.com",
                "name": "sso-rw",
                "encrypted": encrypt_cbc("SECRET-b", ".grok.com", key=key_for(b""), prefix=b"v11"),
                "expires": LATER,
            },
        ],
    )
    load = load_xai_cookies("chrome", cookie_file=path, now=NOW, key_source=keys)
    assert values(load) == {"sso": "SECRET-a", "sso-rw": "SECRET-b"}  # the second one: empty-password key
    assert keys.asked == ["v11"]  # fetched once


@pytest.mark.parametrize(
    "browser, application",
    [
        ("chrome", "chrome"),
        ("chromium", "chromium"),
        ("brave", "brave"),
        ("edge", "chromium"),
        ("nonesuch", "chromium"),
    ],
)
def test_default_key_source_on_linux_asks_for_the_browsers_entry(tmp_path, browser, application, monkeypatch):
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "GNOME")
    source = default_key_source(browser, tmp_path / "Cookies", "linux")
    assert f"the Secret Service entry '{application.capitalize()} Safe Storage'" in source.label
    assert source.key("v10") == PEANUTS_KEY  # v10 never asks a keyring
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "KDE")
    assert default_key_source(browser, tmp_path / "Cookies", "linux").label.startswith("the KWallet entry")


@pytest.mark.parametrize("bus", [None, "unix:path=/nonexistent/bus-socket"])
def test_v11_without_a_session_bus_is_a_clear_error(tmp_path, monkeypatch, bus):
    if bus is None:
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    else:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus)
    blob = encrypt_cbc("SECRET-v11", ".grok.com", key=key_for(b"real-keyring-password"), prefix=b"v11")
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "sso", "encrypted": blob, "expires": LATER}])
    message = expect(CookieDecryptionError, load_xai_cookies, "chromium", cookie_file=path, now=NOW)
    assert "v11 (keyring-protected)" in message and "locked" not in message and "no entry" not in message
    assert "--password-store=basic" in message and "API key" in message and str(path) in message
    if bus is None:
        assert "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset" in message
    else:
        assert "cannot connect to the D-Bus session bus" in message


def test_v11_with_the_basic_key_source_says_it_needs_the_keyring(tmp_path):
    blob = encrypt_cbc("SECRET-v11", ".grok.com", key=key_for(b"real-keyring-password"), prefix=b"v11")
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "sso", "encrypted": blob, "expires": LATER}])
    message = expect(
        CookieDecryptionError, load_xai_cookies, "chromium", cookie_file=path, now=NOW, key_source=BasicKeySource()
    )
    assert "v11" in message and "desktop keyring's password" in message and "'peanuts'" in message


def test_v10_never_touches_the_keyring(tmp_path):
    keys = CountingKeys({"v10": PEANUTS_KEY})
    root = make_chromium_user_data(
        tmp_path / "home" / ".config" / "chromium",
        {
            "Default": {
                "cookies": [
                    {
                        "host": ".grok.com",
                        "name": "sso",
                        "encrypted": encrypt_cbc("SECRET-v10", ".grok.com"),
                        "expires": LATER,
                    }
                ]
            }
        },
    )
    load = load_xai_cookies("chromium", home=tmp_path / "home", now=NOW, key_source=keys)
    assert values(load) == {"sso": "SECRET-v10"} and load.cookie_file == root / "Default" / "Cookies"
    assert keys.asked == ["v10"]


def test_v20_is_unsupported(tmp_path):
    path = chromium_file(
        tmp_path, [{"host": ".grok.com", "name": "sso", "encrypted": b"v20" + os.urandom(60), "expires": LATER}]
    )
    message = expect(UnsupportedEncryptionError, load_xai_cookies, "chrome", cookie_file=path, now=NOW)
    assert "v20" in message and "browser-cookie3" in message and "Firefox" in message and "API key" in message


def test_macos_v10_uses_the_keychain_password(tmp_path):
    calls = []
    source = default_key_source("chrome", tmp_path / "Cookies", "macos")
    assert isinstance(source, KeychainKeySource) and source.service == "Chrome Safe Storage"
    source = KeychainKeySource(
        "Chrome Safe Storage", fetch=lambda service, account: calls.append((service, account)) or b"mac-pw"
    )
    blob = encrypt_cbc("SECRET-mac", ".grok.com", key=key_for(b"mac-pw", 1003))
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "sso", "encrypted": blob, "expires": LATER}])
    assert values(load_xai_cookies("chrome", cookie_file=path, now=NOW, key_source=source)) == {"sso": "SECRET-mac"}
    assert calls == [("Chrome Safe Storage", "Chrome")]
    v11 = chromium_file(
        tmp_path / "v11",
        [
            {
                "host": ".grok.com",
                "name": "sso",
                "expires": LATER,
                "encrypted": encrypt_cbc("SECRET-x", ".grok.com", prefix=b"v11"),
            }
        ],
    )
    message = expect(CookieDecryptionError, load_xai_cookies, "chrome", cookie_file=v11, now=NOW, key_source=source)
    assert "unknown encryption format b'v11'" in message and "macOS keychain" in message


def test_windows_gcm_key_from_local_state_through_dpapi(tmp_path):
    import base64

    key, unwrapped = bytes(range(32)), []
    root = tmp_path / "User Data"
    path = chromium_file(
        root,
        [
            {
                "host": ".grok.com",
                "name": "sso",
                "expires": LATER,
                "encrypted": encrypt_gcm("SECRET-gcm", ".grok.com", key=key),
            }
        ],
    )
    (root / "chromium" / "Local State").write_text(
        json.dumps({"os_crypt": {"encrypted_key": base64.b64encode(b"DPAPI" + b"wrapped-key").decode()}}),
        encoding="utf-8",
    )
    assert isinstance(default_key_source("edge", path, "windows"), DpapiKeySource)
    source = DpapiKeySource(root / "chromium" / "Local State", unprotect=lambda blob: unwrapped.append(blob) or key)
    assert values(load_xai_cookies("edge", cookie_file=path, now=NOW, key_source=source)) == {"sso": "SECRET-gcm"}
    assert unwrapped == [b"wrapped-key"]
    bad = chromium_file(
        tmp_path / "bad",
        [
            {
                "host": ".grok.com",
                "name": "sso",
                "expires": LATER,
                "encrypted": encrypt_gcm("SECRET-gcm", ".grok.com", key=bytes(32)),
            }
        ],
    )
    message = expect(CookieDecryptionError, load_xai_cookies, "edge", cookie_file=bad, now=NOW, key_source=source)
    assert "'sso'" in message and "GCM tag" in message
    v20 = chromium_file(
        tmp_path / "v20", [{"host": ".grok.com", "name": "sso", "expires": LATER, "encrypted": b"v20" + os.urandom(60)}]
    )
    expect(UnsupportedEncryptionError, load_xai_cookies, "chrome", cookie_file=v20, now=NOW, key_source=source)
    missing = DpapiKeySource(None)
    message = expect(CookieDecryptionError, load_xai_cookies, "edge", cookie_file=path, now=NOW, key_source=missing)
    assert "no os_crypt.encrypted_key" in message


def test_v11_with_a_wrong_keyring_key(tmp_path):
    blob = encrypt_cbc("SECRET-v11", ".grok.com", key=key_for(b"the-key"), prefix=b"v11")
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "sso", "encrypted": blob, "expires": LATER}])
    message = expect(
        CookieDecryptionError, load_xai_cookies, "chromium", cookie_file=path, now=NOW, key_source=WrongSecretService()
    )
    assert "neither the Secret Service entry 'Chromium Safe Storage' nor the empty-password key" in message
    assert "'sso'" in message


class WrongSecretService(SecretServiceKeySource):
    """The Secret Service answering a password that is not the one the values were encrypted with."""

    def key(self, prefix):
        return key_for(b"not-the-key") if prefix == "v11" else super().key(prefix)


# --- what is loaded --------------------------------------------------------------------


def _decoy_rows(make_value):
    rows = [{"host": h, "name": "sso", "value": make_value(h)} for h in DECOYS]
    rows += [{"host": ".grok.com", "name": n, "value": make_value(n)} for n in ("session", "SSO", "sso2", "_ga")]
    rows += [
        {"host": ".grok.com", "name": "sso", "value": "SECRET-good"},
        {"host": "accounts.x.ai", "name": "sso", "value": "SECRET-accounts"},
        {"host": ".x.ai", "name": "cf_clearance", "value": "SECRET-cf"},
        {"host": "sub.grok.com", "name": "__cf_bm", "value": "SECRET-sub"},
    ]
    for row in rows:
        row["expires"] = LATER
    return rows


@pytest.mark.parametrize("family", ["chromium", "firefox"])
def test_exact_hosts_and_every_name_on_them(tmp_path, family):
    rows = _decoy_rows(lambda h: f"SECRET-decoy-{h}")
    maker = make_chromium_db if family == "chromium" else make_firefox_db
    path = maker(tmp_path / "store.sqlite", rows)
    load = load_xai_cookies(cookie_file=path, now=NOW)
    assert load.browser == family
    assert {(c.domain, c.name, c.value.reveal()) for c in load.cookies} == {
        (".grok.com", "sso", "SECRET-good"),
        ("accounts.x.ai", "sso", "SECRET-accounts"),
        (".x.ai", "cf_clearance", "SECRET-cf"),
        *((".grok.com", n, f"SECRET-decoy-{n}") for n in ("session", "SSO", "sso2", "_ga")),
    }
    wide = load_xai_cookies(cookie_file=path, now=NOW, include_subdomains=True)
    assert {c.domain for c in wide.cookies} == {".grok.com", "accounts.x.ai", ".x.ai", "sub.grok.com"}
    assert not {c.value.reveal() for c in wide.cookies} & {f"SECRET-decoy-{h}" for h in DECOYS}


def test_expired_cookies_are_dropped_with_a_note(tmp_path):
    path = chromium_file(
        tmp_path,
        [
            {"host": ".grok.com", "name": "sso", "value": "SECRET-live", "expires": LATER},
            {"host": ".grok.com", "name": "cf_clearance", "value": "SECRET-old", "expires": NOW - 1},
            {"host": ".grok.com", "name": "__cf_bm", "value": "SECRET-old2", "expires": NOW - 100},
        ],
    )
    load = load_xai_cookies("chromium", cookie_file=path, now=NOW)
    assert values(load) == {"sso": "SECRET-live"}
    assert "2 expired xAI cookies dropped" in load.notes


def test_a_profile_without_a_session_cookie_says_it_is_not_logged_in(tmp_path):
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "cf_clearance", "value": "SECRET", "expires": LATER}])
    notes = load_xai_cookies("chromium", cookie_file=path, now=NOW).notes
    assert any("not logged in to grok.com" in note for note in notes)
    assert not any("30 s" in note for note in notes)  # Chromium is not running: everything is on disk
    firefox = make_firefox_db(tmp_path / "ff" / "cookies.sqlite", [])
    assert any("not logged in to grok.com" in note for note in load_xai_cookies("firefox", cookie_file=firefox).notes)


def hold_singleton_lock(user_data_dir, pid: int) -> None:
    """What a running Chromium keeps in its user-data folder: `SingletonLock` -> `<hostname>-<pid>`."""
    import socket

    os.symlink(f"{socket.gethostname()}-{pid}", user_data_dir / "SingletonLock")


def test_a_running_chromium_that_just_changed_its_cookies_is_noted(tmp_path):
    path = chromium_file(tmp_path, _sso("SECRET"))
    hold_singleton_lock(tmp_path / "chromium", os.getpid())
    load = load_xai_cookies("chromium", cookie_file=path, now=time.time())
    (note,) = [n for n in load.notes if "Chromium is running" in n]
    assert "s ago" in note and "wait a minute or quit the browser" in note
    os.utime(path, (time.time() - 600, time.time() - 600))  # written ten minutes ago: nothing pending
    assert not [n for n in load_xai_cookies("chromium", cookie_file=path, now=time.time()).notes if "running" in n]


def test_a_running_chromium_without_a_session_cookie_notes_the_flush_delay(tmp_path):
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "cf_clearance", "value": "SECRET", "expires": LATER}])
    hold_singleton_lock(tmp_path / "chromium", os.getpid())
    os.utime(path, (time.time() - 600, time.time() - 600))
    notes = load_xai_cookies("chromium", cookie_file=path, now=time.time()).notes
    assert any("not logged in" in n for n in notes) and any("30 s" in n for n in notes)


def test_a_lock_left_by_a_crashed_chromium_is_not_a_running_one(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = chromium_file(tmp_path, _sso("SECRET"))
    hold_singleton_lock(tmp_path / "chromium", dead.pid)
    assert not [n for n in load_xai_cookies("chromium", cookie_file=path, now=time.time()).notes if "running" in n]


def test_the_cookies_command_shows_the_running_chromium_note(tmp_path, laptop):
    path = chromium_file(tmp_path, _sso("SECRET"))
    hold_singleton_lock(tmp_path / "chromium", os.getpid())
    result = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(path))
    assert result.exit_code == 0 and "Note: Chromium is running and changed its cookies" in result.stdout
    result = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(path), "--json")
    assert any("Chromium is running" in n for n in json.loads(result.stdout)["notes"])


def test_partitioned_chromium_cookie_of_another_site_is_skipped(tmp_path):
    path = chromium_file(
        tmp_path,
        [
            {
                "host": ".grok.com",
                "name": "sso",
                "value": "SECRET-3p",
                "expires": LATER,
                "top_frame_site_key": "https://example.com",
            },
            {
                "host": ".grok.com",
                "name": "sso-rw",
                "value": "SECRET-1p",
                "expires": LATER,
                "top_frame_site_key": "https://grok.com",
            },
        ],
    )
    assert values(load_xai_cookies("chromium", cookie_file=path, now=NOW)) == {"sso-rw": "SECRET-1p"}


@pytest.mark.parametrize(
    "family, index", [("chromium", "cookies_unique_index"), ("firefox", "sqlite_autoindex_moz_cookies_1")]
)
def test_queries_seek_the_unique_index(tmp_path, monkeypatch, family, index):
    path = (make_chromium_db if family == "chromium" else make_firefox_db)(tmp_path / "db", _decoy_rows(str))
    statements = trace_sql(monkeypatch)
    load_xai_cookies(family, cookie_file=path, now=NOW)
    (select,) = [s for s in statements if "SELECT host" in s and "cookies" in s]
    assert "%grok.com" not in select
    plan = [row[-1] for row in sqlite3.connect(path).execute("EXPLAIN QUERY PLAN " + select)]
    assert not [step for step in plan if step.startswith("SCAN") and "cookies" in step], plan  # no table scan
    assert any(step.startswith("SEARCH") and index in step for step in plan), plan


def trace_sql(monkeypatch) -> list[str]:
    """The SQL statements every sqlite connection opened from now on runs."""
    statements, real = [], sqlite3.connect

    def connect(*args, **kwargs):
        con = real(*args, **kwargs)
        con.set_trace_callback(statements.append)
        return con

    monkeypatch.setattr(sqlite3, "connect", connect)
    return statements


# --- Firefox ---------------------------------------------------------------------------


@pytest.mark.parametrize("user_version", [12, 17])
def test_firefox_expiry_seconds_and_milliseconds(tmp_path, user_version):
    path = make_firefox_db(
        tmp_path / "cookies.sqlite",
        [
            {"host": ".grok.com", "name": "sso", "value": "SECRET-ff", "expires": LATER},
            {"host": ".grok.com", "name": "cf_clearance", "value": "SECRET-gone", "expires": NOW - 5},
        ],
        user_version=user_version,
    )
    raw = sqlite3.connect(path).execute("SELECT expiry FROM moz_cookies WHERE name='sso'").fetchone()[0]
    assert raw == (int(LATER * 1000) if user_version >= 17 else int(LATER))
    load = load_xai_cookies("firefox", cookie_file=path, now=NOW)
    assert values(load) == {"sso": "SECRET-ff"} and load.cookies[0].expires == pytest.approx(LATER)
    assert "1 expired xAI cookie dropped" in load.notes
    assert not any("30 s" in note for note in load.notes)


def test_firefox_session_cookies_from_the_session_store(tmp_path):
    profile = tmp_path / "ff profile"
    db = make_firefox_db(
        profile / "cookies.sqlite", [{"host": ".grok.com", "name": "sso", "value": "SECRET-db", "expires": LATER}]
    )
    write_jsonlz4(
        profile / "sessionstore.jsonlz4",
        {
            "cookies": [
                session_cookie(".grok.com", "sso", "SECRET-stale"),
                session_cookie(".grok.com", "sso-rw", "SECRET-rw-old"),
            ]
        },
    )
    recovery = write_jsonlz4(
        profile / "sessionstore-backups" / "recovery.jsonlz4",
        {
            "windows": [],
            "cookies": [
                session_cookie(".grok.com", "sso", "SECRET-recovery"),
                session_cookie(".grok.com", "sso-rw", "SECRET-rw"),
                session_cookie("grok.com", "x-userid", "SECRET-uid"),
                session_cookie("evil-grok.com", "sso", "SECRET-decoy"),
                session_cookie(".grok.com", "sso", "SECRET-container", user_context_id=3),
                session_cookie(".grok.com", "tracking", "SECRET-other-name"),
            ],
        },
    )
    t = time.time()
    os.utime(profile / "sessionstore.jsonlz4", (t - 300, t - 300))
    os.utime(db, (t - 200, t - 200))
    os.utime(recovery, (t - 100, t - 100))
    load = load_xai_cookies("firefox", cookie_file=db, now=NOW)
    assert values(load) == {
        "sso": "SECRET-recovery",
        "sso-rw": "SECRET-rw",
        "x-userid": "SECRET-uid",
        "tracking": "SECRET-other-name",
    }
    uid = next(c for c in load.cookies if c.name == "x-userid")
    assert uid.expires is None and uid.host_only
    os.utime(db, (t, t))  # now the database is the newest source: its sso wins
    assert values(load_xai_cookies("firefox", cookie_file=db, now=NOW))["sso"] == "SECRET-db"


def test_unreadable_session_store_is_a_note(tmp_path):
    db = make_firefox_db(
        tmp_path / "p" / "cookies.sqlite", [{"host": ".grok.com", "name": "sso", "value": "SECRET", "expires": LATER}]
    )
    (tmp_path / "p" / "sessionstore-backups").mkdir()
    (tmp_path / "p" / "sessionstore-backups" / "recovery.jsonlz4").write_bytes(b"mozLz40\0\xff\xff\xff\x7fjunk")
    load = load_xai_cookies("firefox", cookie_file=db, now=NOW)
    assert values(load) == {"sso": "SECRET"} and any("unreadable session store" in n for n in load.notes)


def _container_profile(tmp_path, with_default=True):
    profile = tmp_path / "profile"
    rows = [
        {"host": ".grok.com", "name": "sso", "value": "SECRET-work", "expires": LATER, "origin": "^userContextId=2"},
        {
            "host": ".grok.com",
            "name": "sso",
            "value": "SECRET-personal",
            "expires": LATER,
            "origin": "^firstPartyDomain=&userContextId=1",
        },
        {
            "host": ".grok.com",
            "name": "sso-rw",
            "value": "SECRET-private",
            "expires": LATER,
            "origin": "^privateBrowsingId=1",
        },
        {
            "host": ".grok.com",
            "name": "x-userid",
            "value": "SECRET-3p",
            "expires": LATER,
            "origin": "^partitionKey=%28https%2Cexample.com%29",
        },
        {
            "host": ".grok.com",
            "name": "cf_clearance",
            "value": "SECRET-1p-part",
            "expires": LATER,
            "origin": "^partitionKey=%28https%2Cgrok.com%29",
        },
    ]
    if with_default:
        rows.append({"host": ".grok.com", "name": "sso", "value": "SECRET-default", "expires": LATER})
    db = make_firefox_db(profile / "cookies.sqlite", rows)
    (profile / "containers.json").write_text(
        json.dumps(
            {
                "version": 5,
                "identities": [
                    {"userContextId": 1, "public": True, "l10nId": "userContextPersonal.label", "icon": "fingerprint"},
                    {"userContextId": 2, "public": True, "name": "Work", "icon": "briefcase"},
                    {"userContextId": 4, "public": False, "name": "userContextIdInternal.thumbnail"},
                ],
            }
        ),
        encoding="utf-8",
    )
    return db


def test_firefox_containers(tmp_path):
    db = _container_profile(tmp_path)
    assert values(load_xai_cookies("firefox", cookie_file=db, now=NOW)) == {
        "sso": "SECRET-default",
        "cf_clearance": "SECRET-1p-part",
    }
    assert values(load_xai_cookies("firefox", cookie_file=db, container="Work", now=NOW)) == {"sso": "SECRET-work"}
    assert values(load_xai_cookies("firefox", cookie_file=db, container="2", now=NOW)) == {"sso": "SECRET-work"}
    assert values(load_xai_cookies("firefox", cookie_file=db, container="personal", now=NOW)) == {
        "sso": "SECRET-personal"
    }
    message = expect(ProfileNotFoundError, load_xai_cookies, "firefox", cookie_file=db, container="Shopping", now=NOW)
    assert "Personal, Work" in message and "containers.json" in message


def test_firefox_container_hint_when_none_chosen(tmp_path):
    db = _container_profile(tmp_path, with_default=False)
    load = load_xai_cookies("firefox", cookie_file=db, now=NOW)
    assert "sso" not in values(load)
    (hint,) = [n for n in load.notes if "container" in n]
    assert "Personal, Work" in hint and "container='Personal'" in hint


def test_container_option_is_firefox_only(tmp_path):
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "sso", "value": "SECRET", "expires": LATER}])
    expect(BadInputError, load_xai_cookies, "chromium", cookie_file=path, container="Work", now=NOW)


# --- sqlite access: WAL, locks, bad files ------------------------------------------------


def test_wal_update_of_a_running_firefox_is_visible(tmp_path):
    db = make_firefox_db(
        tmp_path / "cookies.sqlite",
        [{"host": ".grok.com", "name": "sso", "value": "SECRET-old", "expires": LATER}],
        wal=True,
    )
    writer = sqlite3.connect(db)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE moz_cookies SET value='SECRET-new' WHERE name='sso'")
        writer.commit()
        assert os.path.getsize(f"{db}-wal") > 0
        load = load_xai_cookies("firefox", cookie_file=db, now=NOW)
        assert values(load) == {"sso": "SECRET-new"} and not any("locked" in n for n in load.notes)
    finally:
        writer.close()


@pytest.fixture
def record_private_copies(monkeypatch):
    """Record each temp dir the module makes: its mode at creation and its files' modes just before removal."""
    seen = {}
    real_mkdtemp, real_rmtree = tempfile.mkdtemp, shutil.rmtree

    def mkdtemp(*args, **kwargs):
        path = real_mkdtemp(*args, **kwargs)
        seen[path] = {"dir": stat.S_IMODE(os.stat(path).st_mode), "files": {}}
        return path

    def rmtree(path, *args, **kwargs):
        if str(path) in seen:
            seen[str(path)]["files"] = {
                f: stat.S_IMODE(os.stat(os.path.join(path, f)).st_mode) for f in os.listdir(path)
            }
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(shutil, "rmtree", rmtree)
    return seen


@pytest.mark.parametrize("family", ["firefox", "chromium"])
def test_locked_database_is_read_from_a_private_copy(tmp_path, record_private_copies, family):
    rows = [{"host": ".grok.com", "name": "sso", "value": "SECRET-committed", "expires": LATER}]
    db = (make_firefox_db if family == "firefox" else make_chromium_db)(tmp_path / "my cookies.db", rows)
    table = "moz_cookies" if family == "firefox" else "cookies"
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute(f"UPDATE {table} SET value='SECRET-uncommitted'")
        load = load_xai_cookies(family, cookie_file=db, now=NOW)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert values(load) == {"sso": "SECRET-committed"}
    assert any("private copy" in n for n in load.notes)
    ((tmp, modes),) = record_private_copies.items()
    assert not os.path.exists(tmp)
    assert modes["dir"] == 0o700 and modes["files"] and set(modes["files"].values()) == {0o600}


def test_running_firefox_exclusive_wal_is_read_from_a_copy(tmp_path, record_private_copies):
    """What a running Firefox does: WAL, exclusive locking mode, the new login only in the -wal."""
    db = make_firefox_db(
        tmp_path / "cookies.sqlite",
        [{"host": ".grok.com", "name": "sso", "value": "SECRET-old", "expires": LATER}],
        wal=True,
    )
    writer = sqlite3.connect(db)
    try:
        writer.execute("PRAGMA locking_mode=EXCLUSIVE")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE moz_cookies SET value='SECRET-fresh' WHERE name='sso'")
        writer.commit()
        load = load_xai_cookies("firefox", cookie_file=db, now=NOW)
    finally:
        writer.close()
    assert values(load) == {"sso": "SECRET-fresh"} and any("private copy" in n for n in load.notes)
    ((tmp, modes),) = record_private_copies.items()
    assert not os.path.exists(tmp) and modes["dir"] == 0o700 and set(modes["files"].values()) == {0o600}


def test_private_copy_is_removed_on_interrupt(tmp_path, record_private_copies, monkeypatch):
    db = make_firefox_db(tmp_path / "cookies.sqlite", [{"host": ".grok.com", "name": "sso", "value": "SECRET"}])

    def connect(target, *args, uri=False, **kwargs):
        if uri:
            raise sqlite3.OperationalError("database is locked")
        raise KeyboardInterrupt

    monkeypatch.setattr(sqlite3, "connect", connect)
    with pytest.raises(KeyboardInterrupt):
        load_xai_cookies("firefox", cookie_file=db, now=NOW)
    assert record_private_copies and not any(os.path.exists(p) for p in record_private_copies)


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """A temp root of its own and a umask of 0: every file the reader makes is listed, and its modes
    cannot come from a strict umask."""
    root = tmp_path / "system-tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    old = os.umask(0)
    yield root
    os.umask(old)


def _temp_tree(root) -> dict[str, int]:
    """{path relative to root: mode} of everything under root (a trailing / marks a directory)."""
    tree = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root) + ("/" if name in dirnames else "")
            tree[rel] = stat.S_IMODE(os.stat(full).st_mode)
    return tree


def _assert_private(tree: dict[str, int]) -> None:
    """One 0700 cookie-session-* directory holding only 0600 files, and nothing else in the temp root."""
    dirs = [p for p in tree if p.endswith("/")]
    assert len(dirs) == 1 and dirs[0].startswith("cookie-session-") and tree[dirs[0]] == 0o700, tree
    files = {p: m for p, m in tree.items() if not p.endswith("/")}
    assert files and all(p.startswith(dirs[0]) and m == 0o600 for p, m in files.items()), tree


def _hold_locked(family: str, db):
    """A connection holding `db` the way a running browser does, so the reader must use a copy."""
    holder = sqlite3.connect(db, isolation_level=None)
    if family == "firefox":  # WAL in exclusive locking mode, the new value only in the -wal
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("PRAGMA wal_autocheckpoint=0")
        holder.execute("UPDATE moz_cookies SET value='SECRET-new'")
    else:  # a write transaction in progress, its -journal next to the file
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE cookies SET value='SECRET-new'")
    return holder


@pytest.mark.parametrize("family", ["firefox", "chromium"])
@pytest.mark.parametrize("ending", ["success", "error", "interrupt mid-copy", "interrupt mid-read"])
def test_private_copy_is_private_while_it_lives_and_gone_after(tmp_path, private_tmp, monkeypatch, family, ending):
    """While the copy exists it is a 0700 dir of 0600 files (even with umask 0); afterwards nothing is
    left in the temp root, whether the read succeeded, failed, or was interrupted by Ctrl-C."""
    rows = [{"host": ".grok.com", "name": "sso", "value": "SECRET-old", "expires": LATER}]
    db = (
        make_firefox_db(tmp_path / "profile" / "cookies.sqlite", rows, wal=True)
        if family == "firefox"
        else make_chromium_db(tmp_path / "profile" / "Cookies", rows)
    )
    seen = []
    module = getattr(browsers, family)
    real_copy, real_rows = shutil.copyfileobj, module.rows

    def copy(fin, fout, *args):
        if ending != "interrupt mid-copy":
            return real_copy(fin, fout, *args)
        data = fin.read()
        fout.write(data[: len(data) // 2])
        fout.flush()
        seen.append(_temp_tree(private_tmp))
        raise KeyboardInterrupt

    def read_rows(con, *args):
        seen.append(_temp_tree(private_tmp))
        if ending == "error":
            raise sqlite3.DatabaseError("database disk image is malformed")
        if ending == "interrupt mid-read":
            raise KeyboardInterrupt
        return real_rows(con, *args)

    monkeypatch.setattr(shutil, "copyfileobj", copy)
    monkeypatch.setattr(module, "rows", read_rows)
    holder = _hold_locked(family, db)
    try:
        if ending == "success":
            load = load_xai_cookies(family, cookie_file=db, now=NOW)
            assert any("private copy" in n for n in load.notes)
            assert values(load) == {"sso": "SECRET-new" if family == "firefox" else "SECRET-old"}
        elif ending == "error":
            assert str(db) in expect(CookieStoreError, load_xai_cookies, family, cookie_file=db, now=NOW)
        else:
            with pytest.raises(KeyboardInterrupt):
                load_xai_cookies(family, cookie_file=db, now=NOW)
    finally:
        holder.close()
    assert seen, "the copy was never made: the test did not reach the private-copy path"
    for tree in seen:
        _assert_private(tree)
    if family == "firefox" and ending != "interrupt mid-copy":
        assert any(p.endswith("-wal") for p in seen[-1])  # the live WAL was copied too, privately
    assert _temp_tree(private_tmp) == {}


def test_cli_interrupted_while_reading_a_copy_exits_130_and_leaves_nothing(tmp_path, private_tmp, monkeypatch):
    from cookie_session import policy

    monkeypatch.setattr(policy, "CONTAINER_FILES", ())  # this test machine is a container
    db = make_firefox_db(
        tmp_path / "profile" / "cookies.sqlite",
        [{"host": ".grok.com", "name": "sso", "value": "SECRET-cli", "expires": time.time() + 3600}],
        wal=True,
    )
    seen = []

    def read_rows(con, *args):
        seen.append(_temp_tree(private_tmp))
        raise KeyboardInterrupt

    monkeypatch.setattr(browsers.firefox, "rows", read_rows)
    holder = _hold_locked("firefox", db)
    try:
        result = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(db))
    finally:
        holder.close()
    assert result.exit_code == 130 and "Interrupted." in result.stderr, result.output
    assert "SECRET" not in result.output
    assert len(seen) == 1
    _assert_private(seen[0])
    assert _temp_tree(private_tmp) == {}


def _bad_files(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "random").write_bytes(os.urandom(4096))
    big = make_chromium_db(
        tmp_path / "full",
        [
            {"host": f"site{i}.example", "name": "sso", "value": "SECRET-" + "x" * 300, "expires": LATER}
            for i in range(300)
        ]
        + [{"host": ".grok.com", "name": "sso", "value": "SECRET-x", "expires": LATER}],
    )
    data = big.read_bytes()
    (tmp_path / "truncated").write_bytes(data[: len(data) // 3])
    (tmp_path / "header-only").write_bytes(data[:60])
    other = sqlite3.connect(tmp_path / "other")
    other.execute("CREATE TABLE notes (id INTEGER, body TEXT)")
    other.execute("CREATE TABLE cookies_backup (x)")
    other.commit()
    other.close()
    odd = sqlite3.connect(tmp_path / "odd-cookies")
    odd.execute("CREATE TABLE cookies (id INTEGER, host TEXT)")
    odd.commit()
    odd.close()
    return ["empty", "random", "truncated", "header-only", "other", "odd-cookies"]


def test_bad_cookie_files_give_one_clear_error(tmp_path):
    for name in _bad_files(tmp_path):
        for browser in (None, "chromium", "firefox"):
            message = expect(CookieStoreError, load_xai_cookies, browser, cookie_file=tmp_path / name, now=NOW)
            assert str(tmp_path / name) in message, message


def test_wrong_family_and_missing_file(tmp_path):
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "sso", "value": "SECRET", "expires": LATER}])
    assert "chromium cookie database" in expect(CookieStoreError, load_xai_cookies, "firefox", cookie_file=path)
    expect(ProfileNotFoundError, load_xai_cookies, "firefox", cookie_file=tmp_path / "nope.sqlite")


def test_cookie_file_may_be_a_profile_directory(tmp_path):
    path = chromium_file(tmp_path, [{"host": ".grok.com", "name": "sso", "value": "SECRET-d", "expires": LATER}])
    load = load_xai_cookies(cookie_file=path.parent, now=NOW)
    assert values(load) == {"sso": "SECRET-d"} and load.profile == "Default" and load.browser == "chromium"


# --- profile discovery ------------------------------------------------------------------------


def _sso(value, host=".grok.com"):
    return [{"host": host, "name": "sso", "value": value, "expires": LATER}]


def test_chromium_local_state_profiles(tmp_path):
    home = tmp_path / "home"
    make_chromium_user_data(
        home / ".config" / "chromium",
        {
            "Default": {
                "name": "Person 1",
                "active_time": NOW - 10,
                "cookies": [{"host": ".grok.com", "name": "cf_clearance", "value": "SECRET-cf", "expires": LATER}],
            },
            "Profile 1": {"name": "Work", "active_time": NOW - 1000, "cookies": _sso("SECRET-work")},
            "Profile 2": {"name": "Empty", "active_time": NOW - 5},  # no Cookies file yet
        },
    )
    profiles = find_profiles("chromium", home=home)
    assert [p.name for p in profiles] == ["Profile 2", "Default", "Profile 1"]
    assert profiles[2].display_name == "Work" and profiles[0].cookie_file is None
    load = load_xai_cookies("chromium", home=home, now=NOW)
    assert (load.profile, values(load)) == ("Profile 1", {"sso": "SECRET-work"})
    assert load_xai_cookies("chromium", profile="work", home=home, now=NOW).profile == "Profile 1"
    assert "not logged in" in " ".join(load_xai_cookies("chromium", profile="Default", home=home, now=NOW).notes)
    message = expect(ProfileNotFoundError, load_xai_cookies, "chromium", profile="Nope", home=home)
    assert "Default (Person 1)" in message and "Profile 1 (Work)" in message
    expect(ProfileNotFoundError, load_xai_cookies, "chromium", profile="Empty", home=home)


def test_chromium_without_any_sso_reads_the_most_recent_profile(tmp_path):
    home = tmp_path / "home"
    make_chromium_user_data(
        home / ".config" / "google-chrome",
        {"Default": {"active_time": NOW - 10, "cookies": []}, "Profile 3": {"active_time": NOW - 1, "cookies": []}},
    )
    load = load_xai_cookies("chrome", home=home, now=NOW)
    assert load.profile == "Profile 3" and load.cookies == () and load.browser == "chrome"


def test_firefox_profiles_ini(tmp_path):
    home = tmp_path / "home"
    root = make_firefox_root(
        home / ".mozilla" / "firefox",
        {
            "abcd.default-release": {"name": "default-release", "default": True, "cookies": _sso("SECRET-main")},
            "wxyz.work": {"name": "work", "cookies": []},
        },
    )
    t = time.time()
    os.utime(root / "Profiles" / "abcd.default-release" / "cookies.sqlite", (t - 100, t - 100))
    profiles = find_profiles("firefox", home=home)
    assert [p.name for p in profiles] == ["work", "default-release"]
    load = load_xai_cookies("firefox", home=home, now=NOW)
    assert (load.profile, values(load)) == ("default-release", {"sso": "SECRET-main"})
    assert load_xai_cookies("firefox", profile="wxyz.work", home=home, now=NOW).cookies == ()
    assert "work, default-release" in expect(ProfileNotFoundError, load_xai_cookies, "firefox", profile="x", home=home)


def test_any_browser_picks_the_most_recent_profile_with_sso(tmp_path):
    home = tmp_path / "home"
    make_chromium_user_data(
        home / ".config" / "chromium",
        {"Default": {"active_time": time.time() - 1000, "cookies": _sso("SECRET-chromium")}},
    )
    root = make_firefox_root(
        home / ".mozilla" / "firefox", {"p.default": {"name": "default", "cookies": _sso("SECRET-firefox")}}
    )
    load = load_xai_cookies(home=home, now=NOW)
    assert (load.browser, values(load)) == ("firefox", {"sso": "SECRET-firefox"})
    (root / "Profiles" / "p.default" / "cookies.sqlite").unlink()  # logged out of Firefox
    make_firefox_db(root / "Profiles" / "p.default" / "cookies.sqlite", [])
    load = load_xai_cookies(home=home, now=NOW)
    assert (load.browser, values(load)) == ("chromium", {"sso": "SECRET-chromium"})


def test_paths_with_spaces_and_non_ascii(tmp_path):
    home = tmp_path / "hóme dir ü #1?%20"
    make_chromium_user_data(
        home / ".config" / "BraveSoftware" / "Brave-Browser",
        {"Profile 7": {"name": "Café ☕", "active_time": NOW, "cookies": _sso("SECRET-brave")}},
    )
    make_firefox_root(home / ".librewolf", {"ñ profile": {"name": "Perfil ñ", "cookies": _sso("SECRET-lw")}})
    assert values(load_xai_cookies("brave", profile="Café ☕", home=home, now=NOW)) == {"sso": "SECRET-brave"}
    load = load_xai_cookies("librewolf", profile="Perfil ñ", home=home, now=NOW)
    assert values(load) == {"sso": "SECRET-lw"} and "ñ profile" in str(load.cookie_file)


def test_unknown_and_missing_browsers(tmp_path):
    message = expect(UnknownBrowserError, load_xai_cookies, "netscape", home=tmp_path)
    assert "chrome" in message and "firefox" in message
    expect(BrowserNotFoundError, find_profiles, "Google-Chrome", home=tmp_path)  # an alias of chrome
    message = expect(BrowserNotFoundError, find_profiles, "chrome", home=tmp_path)
    assert str(tmp_path / ".config" / "google-chrome") in message
    expect(BrowserNotFoundError, load_xai_cookies, "firefox-esr", home=tmp_path)
    expect(BrowserNotFoundError, load_xai_cookies, home=tmp_path)


def test_browser_cookie_is_frozen_and_masked(tmp_path):
    path = chromium_file(tmp_path, _sso("SECRET-frozen"))
    (cookie,) = load_xai_cookies(cookie_file=path, now=NOW).cookies
    assert isinstance(cookie, BrowserCookie)
    with pytest.raises(AttributeError):
        cookie.name = "other"
    assert "SECRET" not in repr(cookie) and "SECRET" not in str(cookie)


def test_browser_user_agent_from_the_version_that_last_ran_the_profile(tmp_path):
    root = make_chromium_user_data(tmp_path / "chromium", {"Default": {"cookies": _sso("SECRET-ua")}})
    (root / "Last Version").write_text("156.0.8078.108", encoding="utf-8")
    load = load_xai_cookies(cookie_file=root / "Default" / "Cookies", now=NOW)
    assert "Chrome/156.0.0.0" in browser_user_agent(load)
    ff = make_firefox_db(tmp_path / "ff" / "cookies.sqlite", _sso("SECRET-ua"))
    (ff.parent / "compatibility.ini").write_text(
        "[Compatibility]\nLastVersion=153.7.0_20261103151912/20261103151912\n", encoding="utf-8"
    )
    assert "Firefox/153.0" in browser_user_agent(load_xai_cookies(cookie_file=ff, now=NOW))
    bare = make_firefox_db(tmp_path / "bare" / "cookies.sqlite", [])
    assert browser_user_agent(load_xai_cookies("firefox", cookie_file=bare, now=NOW)) is None


# --- the profile's language preference -> Accept-Language ----------------------------------------

# Tag case from Firefox's own vectors (netwerk/test/unit/test_header_Accept-Language_case.js); q-values as
# Firefox ESR 153 sent them to a loopback server for these preferences.
FIREFOX_VECTORS = [
    ("en", "en"),
    ("fr-ca", "fr-CA"),
    ("az-latn", "az-Latn"),
    ("zh-hant-hk", "zh-Hant-HK"),
    ("ZH-HANT-HK", "zh-Hant-HK"),
    ("en-us-x-priv", "en-US-x-priv"),
    ("sl-nedis", "sl-nedis"),
    (",en,", "en"),
    ("en-US, en", "en-US,en;q=0.9"),
    ("de, fr-FR, en-US, en", "de,fr-FR;q=0.9,en-US;q=0.8,en;q=0.7"),
    ("EN-us;q=0.2, zh-hant-hk, ,x", "en-US,zh-Hant-HK;q=0.9,x;q=0.8"),
    (
        "a1, b2, c3, d4, e5, f6, g7, h8, i9, j10, k11, l12",
        "a1,b2;q=0.9,c3;q=0.8,d4;q=0.7,e5;q=0.6,f6;q=0.5,g7;q=0.4,h8;q=0.3,i9;q=0.2,j10;q=0.1,k11;q=0.1,l12;q=0.1",
    ),
]
# Chromium: ExpandLanguageList adds each base language, GenerateAcceptLanguageHeader q-values 1.0, 0.9, ...
CHROMIUM_VECTORS = [
    ("en-US,en,de", "en-US,en;q=0.9,de;q=0.8"),
    ("en-US", "en-US,en;q=0.9"),
    ("fr-FR,en-US", "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7"),
    ("de", "de"),
    ("en-US,en-GB", "en-US,en-GB;q=0.9,en;q=0.8"),
    # what Chromium 156 sent for these preferences (captured on a loopback server)
    ("de,fr-FR,en-US", "de,fr-FR;q=0.9,fr;q=0.8,en-US;q=0.7,en;q=0.6"),
    ("it-IT,de", "it-IT,it;q=0.9,de;q=0.8"),
    (",".join(f"l{i}" for i in range(12)), "l0," + ",".join(f"l{i};q=0.{max(10 - i, 1)}" for i in range(1, 12))),
]


@pytest.mark.parametrize("preference, header", FIREFOX_VECTORS)
def test_firefox_accept_language_from_prefs_js(tmp_path, preference, header):
    db = make_firefox_db(tmp_path / "p" / "cookies.sqlite", _sso("SECRET-lang"))
    (db.parent / "prefs.js").write_text(
        '// Mozilla User Preferences\nuser_pref("browser.startup.page", 3);\n'
        f'user_pref("intl.accept_languages", "{preference}");\n',
        encoding="utf-8",
    )
    assert load_xai_cookies("firefox", cookie_file=db, now=NOW).accept_language == header


def test_firefox_user_js_wins_over_prefs_js_and_no_preference_is_none(tmp_path):
    db = make_firefox_db(tmp_path / "p" / "cookies.sqlite", _sso("SECRET-lang"))
    assert load_xai_cookies("firefox", cookie_file=db, now=NOW).accept_language is None
    (db.parent / "prefs.js").write_text('user_pref("intl.accept_languages", "fr, en");\n', encoding="utf-8")
    (db.parent / "user.js").write_text('user_pref("intl.accept_languages", "de-de, en");\n', encoding="utf-8")
    assert load_xai_cookies("firefox", cookie_file=db, now=NOW).accept_language == "de-DE,en;q=0.9"


@pytest.mark.parametrize("preference, header", CHROMIUM_VECTORS)
def test_chromium_accept_language_from_preferences(tmp_path, preference, header):
    root = make_chromium_user_data(tmp_path / "chromium", {"Default": {"cookies": _sso("SECRET-lang")}})
    (root / "Default" / "Preferences").write_text(
        json.dumps({"intl": {"accept_languages": preference}}), encoding="utf-8"
    )
    cookie_file = next(
        p for p in (root / "Default" / "Network" / "Cookies", root / "Default" / "Cookies") if p.is_file()
    )
    assert load_xai_cookies(cookie_file=cookie_file, now=NOW).accept_language == header


def test_chromium_selected_languages_when_accept_languages_is_absent(tmp_path):
    root = make_chromium_user_data(tmp_path / "chromium", {"Default": {"cookies": _sso("SECRET-lang")}})
    prefs = root / "Default" / "Preferences"
    prefs.write_text(json.dumps({"intl": {"selected_languages": "it-IT,de"}}), encoding="utf-8")
    assert load_xai_cookies(cookie_file=root / "Default", now=NOW).accept_language == "it-IT,it;q=0.9,de;q=0.8"
    prefs.write_text(json.dumps({"intl": {"selected_languages": "it-IT", "accept_languages": "fr"}}), encoding="utf-8")
    assert load_xai_cookies(cookie_file=root / "Default", now=NOW).accept_language == "fr"


@pytest.mark.parametrize(
    "preferences",
    [
        None,
        "{}",
        '{"intl": {}}',
        '{"intl": {"accept_languages": 7}}',
        '{"intl": {"accept_languages": ""}}',
        "not json",
        '{"intl": "x"}',
    ],
)
def test_chromium_without_a_language_preference_is_none(tmp_path, preferences):
    root = make_chromium_user_data(tmp_path / "chromium", {"Default": {"cookies": _sso("SECRET-lang")}})
    if preferences is not None:
        (root / "Default" / "Preferences").write_text(preferences, encoding="utf-8")
    load = load_xai_cookies(cookie_file=root / "Default", now=NOW)
    assert load.accept_language is None and values(load) == {"sso": "SECRET-lang"}


def test_the_written_out_keys_are_chromiums_derivations():
    from cookie_session.browsers import chromium_crypto as crypto

    assert crypto.PEANUTS_KEY == crypto.derive_key.__wrapped__(crypto.PEANUTS)
    assert crypto.EMPTY_PASSWORD_KEY == crypto.derive_key.__wrapped__(b"")


def test_debug_and_info_records_reach_logging_when_it_is_in_use(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="cookie_session.browsers")
    path = chromium_file(tmp_path, _sso("SECRET"))
    load_xai_cookies("chromium", cookie_file=path, now=NOW)
    assert any("xAI cookies loaded" in record.getMessage() for record in caplog.records)
