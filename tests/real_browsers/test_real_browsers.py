"""The heart of it, for real: cookies written by headless Chromium and Firefox ESR themselves, read by
BrowserCookieAuthenticator, and used to chat with the grok.com stand-in over TLS on loopback.

Skipped with a reason when a browser is missing; with CI=true a missing browser fails.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from installed import require
from quiet_auth import quiet_browser_auth

from cookie_session import errors
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.client import GrokClient
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.headless import HeadlessChromium, HeadlessFirefox, find_chromium, find_firefox
from cookie_session.testing.standin import StandIn, answer_for

pytestmark = pytest.mark.real_browser
LOCAL = LocalityVerdict.assume_local()  # a throwaway profile against a loopback stand-in


@pytest.fixture
def web():
    with StandIn(web_tls=True) as server:
        yield server


def authenticate(browser: str, cookie_file, user_agent: str) -> BrowserCookieAuthenticator:
    return quiet_browser_auth(browser=browser, cookie_file=cookie_file, user_agent=user_agent)


def newest_sso(web) -> str:
    return list(web.web_sessions)[-1]


def chat_through(web, auth) -> str:
    with GrokClient(auth, web_base_url=web.web_base_url, verify=web.ca_file) as client:
        return client.chat("hello from a real browser session").text


def sent_cookies(auth, url: str) -> dict:
    """The cookies a request to `url` carries (the authenticator's Cookie header for it)."""
    return dict(pair.split("=", 1) for pair in (auth.cookie_header(url) or "").split("; ") if pair)


def test_chromium_login_then_chat(web, tmp_path, monkeypatch):
    require(find_chromium, "chromium")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)  # as in CI, SSH, WSL and containers
    rules = f"MAP grok.com 127.0.0.1:{web.web_port}, MAP *.grok.com 127.0.0.1:{web.web_port}"
    with HeadlessChromium(tmp_path / "chromium profile ü", host_resolver_rules=rules) as chromium:
        chromium.navigate("https://grok.com/login")
        user_agent = chromium.user_agent
        chromium.close()  # clean exit: Chromium commits its cookies to disk
    import browser_cookie3

    with pytest.raises(KeyError, match="DBUS_SESSION_BUS_ADDRESS"):  # the peer fails on this very profile
        browser_cookie3.chromium(cookie_file=str(chromium.cookie_file), domain_name="grok.com")
    auth = authenticate("chromium", chromium.cookie_file, user_agent)  # v10 values, meta version 24
    assert set(auth.cookie_names) >= {"sso", "sso-rw", "x-userid", "cf_clearance", "__cf_bm"}
    assert sent_cookies(auth, "https://grok.com/rest/x")["sso"] == newest_sso(web)
    assert sent_cookies(auth, "https://api.grok.com/") == sent_cookies(auth, "https://grok.com/")  # .grok.com
    assert chat_through(web, auth) == answer_for("hello from a real browser session")


def test_chromium_with_another_user_agent_meets_the_challenge(web, tmp_path):
    require(find_chromium, "chromium")
    rules = f"MAP grok.com 127.0.0.1:{web.web_port}"
    with HeadlessChromium(tmp_path / "p", host_resolver_rules=rules) as chromium:
        chromium.navigate("https://grok.com/login")
        chromium.close()
    with pytest.raises(errors.CloudflareChallengeError):
        chat_through(web, authenticate("chromium", chromium.cookie_file, "python-requests/2.32"))


def firefox_login_url(web, query: str = "") -> str:
    return f"https://grok.com:{web.web_port}/login{query}"


def test_firefox_login_then_chat(web, tmp_path):
    require(find_firefox, "firefox-esr")
    with HeadlessFirefox(tmp_path / "firefox profile") as firefox:
        firefox.navigate(firefox_login_url(web))
        user_agent = firefox.user_agent
        firefox.close()
    auth = authenticate("firefox", firefox.cookie_file, user_agent)
    assert sent_cookies(auth, "https://grok.com/rest/x")["sso"] == newest_sso(web)
    assert auth.expires is not None and time.time() < auth.expires < 2**31  # read as milliseconds, not seconds
    assert chat_through(web, auth) == answer_for("hello from a real browser session")


def read_sso_once_written(firefox, web) -> tuple[BrowserCookieAuthenticator, str]:
    """Authenticate from the running Firefox's profile until the newest login is on disk.

    Firefox writes a cookie ~0.5 s after the page loads (measured here); we give it up to 10 s on a busy
    machine. Each attempt is a full, independent read of the live profile, WAL included."""
    deadline = time.monotonic() + 10
    while True:
        try:
            auth = authenticate("firefox", firefox.cookie_file, firefox.user_agent)
            sso = sent_cookies(auth, "https://grok.com/")["sso"]
        except errors.NotLoggedInError:
            sso = None
        if sso == newest_sso(web) or time.monotonic() > deadline:
            return auth, sso
        time.sleep(0.1)


def private_copies() -> set[str]:
    """The reader's private copies of cookie databases in the temp dir (the stand-in's own dir excluded)."""
    return {p.name for p in Path(tempfile.gettempdir()).glob("cookie-session-*") if "standin" not in p.name}


def test_firefox_fresh_login_while_running_is_what_we_read(web, tmp_path):
    require(find_firefox, "firefox-esr")
    before = private_copies()
    with HeadlessFirefox(tmp_path / "running") as firefox:
        firefox.navigate(firefox_login_url(web))
        _, first = read_sso_once_written(firefox, web)
        assert first == newest_sso(web)
        firefox.navigate(firefox_login_url(web, "?again=1"))  # a new login, still in the WAL of a running Firefox
        second, fresh = read_sso_once_written(firefox, web)
        assert fresh == newest_sso(web) != first and len(web.web_sessions) == 2
        assert chat_through(web, second) == answer_for("hello from a real browser session")
        firefox.close()
    assert private_copies() <= before  # the locked database was read from private copies, none left behind


def test_firefox_session_cookie_comes_from_the_session_store(web, tmp_path):
    require(find_firefox, "firefox-esr")
    with HeadlessFirefox(tmp_path / "session") as firefox:
        firefox.navigate(firefox_login_url(web, "?max_age=session"))
        user_agent = firefox.user_agent
        firefox.close()
    auth = authenticate("firefox", firefox.cookie_file, user_agent)
    assert sent_cookies(auth, "https://grok.com/")["sso"] == newest_sso(web) and auth.expires is None
    assert chat_through(web, auth) == answer_for("hello from a real browser session")
