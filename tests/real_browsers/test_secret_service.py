"""The Secret Service key source against a real GNOME Keyring on a private D-Bus session (dbus-run-session),
and a real Chromium that stores its cookie key there (`--password-store=gnome-libsecret`, `v11` values).

Each failure is told apart: no Secret Service on the bus, no entry, the entry in a locked keyring.
Skipped with a reason when dbus or gnome-keyring is missing; with CI=true a missing one fails.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_fixtures import encrypt_cbc, key_for, make_chromium_db
from cli_runner import run_cli
from installed import require

from cookie_session import policy
from cookie_session.browsers import KeyStoreLocked, NoKeyEntry, NoKeyStore, SecretServiceKeySource, load_xai_cookies
from cookie_session.errors import CookieDecryptionError

KEYRING_PASSWORD = "login-keyring-password"  # the desktop login password gnome-keyring is unlocked with
CHROMIUM_PASSWORD = b"s3cret-safe-storage"  # what Chromium would store as 'Chromium Safe Storage'
LATER = 4_000_000_000.0
SECRETS = "org.freedesktop.secrets"
# A session bus that starts nothing on demand: no Secret Service unless we run one.
BARE_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir={tmp}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>
<allow own="*"/></policy></busconfig>
"""


def _call(address: str, path: str, name: str, interface: str, method: str, signature=None, *args):
    from jeepney import DBusAddress, MessageType, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=address) as conn:
        reply = conn.send_and_get_reply(
            new_method_call(DBusAddress(path, name, interface), method, signature, args), timeout=10
        )
    assert reply.header.message_type != MessageType.error, reply.body
    return reply.body


class Session:
    """A D-Bus session from dbus-run-session, optionally with a gnome-keyring-daemon unlocked with a password."""

    def __init__(self, tmp: Path, config: str | None = None) -> None:
        require(lambda: shutil.which("dbus-run-session"), "dbus")
        self.tmp, self.children = tmp, []
        argv = ["dbus-run-session"]
        if config is not None:
            (tmp / "bus.conf").write_text(config.format(tmp=tmp), encoding="utf-8")
            argv.append(f"--config-file={tmp / 'bus.conf'}")
        holder = "import os, sys; print(os.environ['DBUS_SESSION_BUS_ADDRESS'], flush=True); sys.stdin.read()"
        self.bus = subprocess.Popen(
            [*argv, "--", sys.executable, "-c", holder],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.address = self.bus.stdout.readline().strip()
        assert self.address, "dbus-run-session gave no address"
        home = tmp / "home"
        (home / ".local" / "share").mkdir(parents=True)
        (tmp / "run").mkdir(mode=0o700)
        self.env = {
            **os.environ,
            "DBUS_SESSION_BUS_ADDRESS": self.address,
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_RUNTIME_DIR": str(tmp / "run"),
        }

    def start_keyring(self, *, unlock: bool = True) -> None:
        """Start gnome-keyring-daemon; `unlock=False` leaves the login keyring (from disk) locked, as a
        desktop whose login does not unlock it (auto-login, a password changed elsewhere) has it."""
        exe = require(lambda: shutil.which("gnome-keyring-daemon"), "gnome-keyring")
        daemon = subprocess.Popen(
            [exe, "--foreground", *(["--unlock"] if unlock else []), "--components=secrets"],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.children.append(daemon)
        if unlock:
            daemon.stdin.write(KEYRING_PASSWORD.encode())
        daemon.stdin.close()
        bus = ("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
        deadline = time.monotonic() + 20
        while not _call(self.address, *bus, "NameHasOwner", "s", SECRETS)[0]:
            assert time.monotonic() < deadline and daemon.poll() is None, "gnome-keyring-daemon did not start"
            time.sleep(0.05)

    def service(self, method: str, signature=None, *args):
        return _call(
            self.address,
            "/org/freedesktop/secrets",
            SECRETS,
            "org.freedesktop.Secret.Service",
            method,
            signature,
            *args,
        )

    def store_chromium_password(self, application: str = "chromium") -> None:
        """What Chromium's libsecret backend writes (schema chrome_libsecret_os_crypt_password_v2)."""
        exe = require(lambda: shutil.which("secret-tool"), "libsecret-tools")
        subprocess.run(
            [
                exe,
                "store",
                f"--label={application.capitalize()} Safe Storage",
                "xdg:schema",
                "chrome_libsecret_os_crypt_password_v2",
                "application",
                application,
            ],
            input=CHROMIUM_PASSWORD,
            env=self.env,
            check=True,
            timeout=30,
        )

    def stop_keyring(self) -> None:
        bus = ("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
        for child in self.children:
            child.send_signal(signal.SIGTERM)
            child.wait(timeout=10)
        self.children.clear()
        deadline = time.monotonic() + 10
        while _call(self.address, *bus, "NameHasOwner", "s", SECRETS)[0]:
            assert time.monotonic() < deadline, "gnome-keyring-daemon did not leave the bus"
            time.sleep(0.05)

    def lock(self) -> None:
        """Lock the login keyring through the Secret Service API (as the desktop's screen lock does)."""
        self.service("Lock", "ao", ["/org/freedesktop/secrets/collection/login"])

    def close(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        self.bus.stdin.close()
        self.bus.wait(timeout=10)
        self.bus.stdout.close()


@pytest.fixture
def session(tmp_path, monkeypatch):
    s = Session(tmp_path)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", s.address)
    yield s
    s.close()


@pytest.fixture
def bare_session(tmp_path, monkeypatch):
    s = Session(tmp_path, BARE_BUS_CONFIG)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", s.address)
    yield s
    s.close()


def v11_store(tmp_path) -> Path:
    blob = encrypt_cbc("SECRET-v11", ".grok.com", key=key_for(CHROMIUM_PASSWORD), prefix=b"v11")
    return make_chromium_db(
        tmp_path / "chromium" / "Default" / "Cookies",
        [{"host": ".grok.com", "name": "sso", "encrypted": blob, "expires": LATER}],
    )


def test_no_secret_service_on_the_bus(bare_session, tmp_path):
    with pytest.raises(NoKeyStore, match="no Secret Service on the D-Bus session bus"):
        SecretServiceKeySource("chromium").key("v11")
    with pytest.raises(CookieDecryptionError) as info:
        load_xai_cookies("chromium", cookie_file=v11_store(tmp_path))
    assert "no Secret Service" in str(info.value) and "locked" not in str(info.value)
    # its own hint: nothing to unlock, and no entry to make by starting the browser
    assert "desktop session" in info.value.hint and "nlock" not in info.value.hint
    assert "Start the browser once" not in info.value.hint


def test_no_session_bus_at_all(tmp_path, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with pytest.raises(CookieDecryptionError) as info:
        load_xai_cookies("chromium", cookie_file=v11_store(tmp_path))
    assert "session bus" in str(info.value) and "nlock" not in info.value.hint


def test_a_keyring_locked_since_login_is_reported_locked_not_missing(session, tmp_path):
    """The login keyring loaded locked from disk (a login that did not unlock it): gnome-keyring 42 finds
    nothing for a search that names the schema, so the entry must be looked up by application alone."""
    session.start_keyring()
    session.store_chromium_password()
    session.stop_keyring()
    session.start_keyring(unlock=False)
    with pytest.raises(KeyStoreLocked, match="holds the entry 'Chromium Safe Storage'.*but its keyring is locked"):
        SecretServiceKeySource("chromium").key("v11")
    with pytest.raises(NoKeyEntry):  # another browser's entry is still not ours, locked or not
        SecretServiceKeySource("chrome").key("v11")
    with pytest.raises(CookieDecryptionError) as info:
        load_xai_cookies("chromium", cookie_file=v11_store(tmp_path))
    assert "keyring is locked" in str(info.value) and "Unlock the keyring" in info.value.hint
    assert "Start the browser once" not in info.value.hint


def test_default_linux_source_names_both_missing_stores(bare_session, tmp_path, monkeypatch):
    from cookie_session.browsers import KWalletKeySource, default_key_source

    with pytest.raises(NoKeyStore, match="no KWallet on the D-Bus session bus"):
        KWalletKeySource("chromium").key("v11")
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "KDE")
    with pytest.raises(NoKeyStore) as info:
        default_key_source("chromium", tmp_path / "Cookies", "linux").key("v11")
    assert str(info.value).index("no KWallet") < str(info.value).index("no Secret Service")


def test_no_entry_then_entry_then_locked(session, tmp_path):
    session.start_keyring()
    source = SecretServiceKeySource("chromium")
    with pytest.raises(NoKeyEntry, match="has no entry 'Chromium Safe Storage'"):
        source.key("v11")
    with pytest.raises(CookieDecryptionError) as info:
        load_xai_cookies("chromium", cookie_file=v11_store(tmp_path / "before"))
    assert "has no entry" in str(info.value) and "Start the browser once" in info.value.hint
    assert "nlock" not in info.value.hint
    session.store_chromium_password()
    assert source.key("v11") == key_for(CHROMIUM_PASSWORD)
    load = load_xai_cookies("chromium", cookie_file=v11_store(tmp_path))  # the default key source
    assert [c.value.reveal() for c in load.cookies] == ["SECRET-v11"]
    with pytest.raises(NoKeyEntry):  # another browser's entry is not ours
        SecretServiceKeySource("chrome").key("v11")
    session.lock()
    with pytest.raises(KeyStoreLocked, match="holds the entry 'Chromium Safe Storage'.*but its keyring is locked"):
        source.key("v11")
    with pytest.raises(CookieDecryptionError) as info:
        load_xai_cookies("chromium", cookie_file=v11_store(tmp_path / "again"))
    assert "keyring is locked" in str(info.value) and "Unlock the keyring" in info.value.hint


# --- a real Chromium keeping its key in the Secret Service ------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-breakpad",
    "--no-proxy-server",
    "--disable-dev-shm-usage",
    "--ignore-certificate-errors",
    "--password-store=gnome-libsecret",
]


def _grok_prefixes(cookie_file: Path) -> set[bytes]:
    """The encryption prefixes of the grok.com cookies Chromium has committed so far."""
    import sqlite3

    try:
        con = sqlite3.connect(f"{cookie_file.as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            return {
                bytes(row[0][:3])
                for row in con.execute(
                    "SELECT encrypted_value FROM cookies WHERE host_key LIKE '%grok.com' AND name = 'sso'"
                )
            }
        finally:
            con.close()
    except sqlite3.Error:
        return set()


def cli_cookies(cookie_file: Path) -> tuple[int, str, str]:
    result = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(cookie_file), "--json")
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.real_browser
def test_real_chromium_v11_cookies_through_the_secret_service(session, tmp_path, monkeypatch):
    from cookie_session.testing.headless import find_chromium
    from cookie_session.testing.standin import StandIn

    exe = require(find_chromium, "chromium")
    if Path(exe).resolve() == Path("/usr/bin/chromium") and Path("/usr/lib/chromium/chromium").exists():
        exe = "/usr/lib/chromium/chromium"  # Debian's wrapper script adds flags of its own
    monkeypatch.setattr(policy, "CONTAINER_FILES", ())  # this test machine is a container
    session.start_keyring()
    profile = tmp_path / "profile"
    with StandIn(web_tls=True) as web:
        rules = f"MAP grok.com 127.0.0.1:{web.web_port}, EXCLUDE localhost"
        browser = subprocess.Popen(
            [
                exe,
                f"--user-data-dir={profile}",
                f"--host-resolver-rules={rules}",
                *CHROMIUM_FLAGS,
                "https://grok.com/login",
            ],
            env=session.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        session.children.append(browser)
        deadline = time.monotonic() + 60
        while not web.web_sessions:
            assert time.monotonic() < deadline and browser.poll() is None, "Chromium never logged in"
            time.sleep(0.1)
        sso = list(web.web_sessions)[-1]
        cookie_file = profile / "Default" / "Cookies"
        deadline = time.monotonic() + 90  # Chromium commits cookies every 30 s (kCommitInterval)
        while not _grok_prefixes(cookie_file):
            assert time.monotonic() < deadline and browser.poll() is None, "Chromium never wrote the cookies"
            time.sleep(0.5)
        os.killpg(browser.pid, signal.SIGKILL)
        browser.wait(timeout=30)
    assert _grok_prefixes(cookie_file) == {b"v11"}  # Chromium used the keyring, not 'peanuts'

    code, out, err = cli_cookies(cookie_file)  # inside the same D-Bus session
    assert code == 0, err
    report = json.loads(out)
    rows = report["cookies"] if isinstance(report, dict) else report  # {"cookies": [...], ...} or the list
    listed = {c["name"]: c for c in rows}
    assert {"sso", "sso-rw", "x-userid"} <= set(listed) and listed["sso"]["size"] == len(sso)
    assert sso not in out + err
    load = load_xai_cookies("chromium", cookie_file=cookie_file)
    assert next(c.value.reveal() for c in load.cookies if c.name == "sso") == sso

    session.lock()
    code, out, err = cli_cookies(cookie_file)
    (line,) = [line for line in err.splitlines() if line.startswith("Error:")]
    assert code != 0 and "v11" in line and "keyring is locked" in line and sso not in out + err
