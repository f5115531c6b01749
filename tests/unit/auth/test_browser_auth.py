"""BrowserCookieAuthenticator: the gate, the session it prepares, and what it refuses to do."""

import copy
import pickle
import re
import time

import pytest
import requests
import responses
from quiet_auth import quiet_browser_auth

from cookie_session import errors
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.policy import UNSAFE_ENV_VALUE, UNSAFE_ENV_VAR, LocalityVerdict
from cookie_session.testing.standin import StandInCookie

UA = "Mozilla/5.0 test-agent"
LOCAL = LocalityVerdict.assume_local()
SSO = "S" * 43


def cookies(sso_expires_in=30 * 86400):
    return [
        StandInCookie("sso", SSO, expires=time.time() + sso_expires_in),
        StandInCookie("cf_clearance", "C" * 40, expires=time.time() + 86400),
        StandInCookie("__cf_bm", "B" * 30, expires=time.time() - 10),
    ]  # expired: dropped


def build(items=None, **kwargs):
    kwargs.setdefault("unsafe_browser_cookies", True)
    kwargs.setdefault("verdict", LOCAL)
    return quiet_browser_auth(cookies() if items is None else items, user_agent=UA, **kwargs)


def test_refused_without_opt_in_even_when_local():
    with pytest.raises(errors.PolicyError, match="explicit opt-in"):
        build(unsafe_browser_cookies=None, environ={})


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_env_opt_in_needs_the_deliberate_word(value):
    with pytest.raises(errors.PolicyError):
        build(unsafe_browser_cookies=None, environ={UNSAFE_ENV_VAR: value})
    assert build(unsafe_browser_cookies=None, environ={UNSAFE_ENV_VAR: UNSAFE_ENV_VALUE})


def test_refused_in_ci_even_with_opt_in():
    with pytest.raises(errors.PolicyError, match="CI environment") as caught:
        build(verdict=None, environ={"CI": "true"})
    assert "XAI_API_KEY" in str(caught.value) and caught.value.exit_code == 5


def test_the_gate_is_checked_before_a_profile_is_read(monkeypatch):
    import cookie_session.browsers as browsers

    monkeypatch.setattr(browsers, "load_xai_cookies", lambda *a, **k: pytest.fail("profile was read"))
    with pytest.raises(errors.PolicyError):
        BrowserCookieAuthenticator("chromium", unsafe_browser_cookies=False, verdict=LOCAL)
    with pytest.raises(errors.PolicyError):
        BrowserCookieAuthenticator("chromium", unsafe_browser_cookies=True, verdict=LocalityVerdict(False, ("ssh",)))


def test_warns_once_per_use_with_its_own_category():
    with pytest.warns(errors.BrowserCookieWarning, match="WARNING.md") as record:
        BrowserCookieAuthenticator.from_cookies(cookies(), user_agent=UA, unsafe_browser_cookies=True, verdict=LOCAL)
    assert len(record) == 1


def test_session_expiring_within_three_days_warns():
    with pytest.warns(errors.BrowserCookieWarning) as record:
        BrowserCookieAuthenticator.from_cookies(
            cookies(sso_expires_in=2 * 86400), user_agent=UA, unsafe_browser_cookies=True, verdict=LOCAL
        )
    assert any("expires in 48 hours" in str(w.message) for w in record)


def test_missing_or_expired_sso_is_not_logged_in():
    with pytest.raises(errors.NotLoggedInError, match="Not logged in to grok.com") as caught:
        build(cookies(sso_expires_in=-1))
    assert caught.value.exit_code == 3


def test_prepared_session_holds_no_cookie_only_the_authenticator():
    auth = build()
    session = auth.prepare_session()
    assert "Cookie" not in session.headers and session.headers["User-Agent"] == UA
    assert len(session.cookies) == 0 and session.auth.authenticator is auth  # the BrowserWire over it
    assert auth.cookie_names == ("sso", "cf_clearance")  # the expired __cf_bm is gone


def cookie_header(session, url):
    """The Cookie header of a request the prepared session sends to `url` (grok.com's statsig page, fetched for
    a `/rest/` request, answered as a page without a seed)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as pages:
        pages.add(responses.GET, re.compile(r"https?://[^/]+/(index)?$"), status=404, body="<html></html>")
        return session.prepare_request(requests.Request("GET", url)).headers.get("Cookie", "")


@pytest.mark.parametrize(
    "url, sent",
    [
        ("https://grok.com/rest/x", True),
        ("https://api.grok.com/x", True),
        ("https://evil-grok.com/x", False),
        ("https://grok.com.evil.test/x", False),
        ("https://api.x.ai/v1/models", False),
        ("http://grok.com/rest/x", False),
    ],
)
def test_cookies_reach_only_grok_hosts_over_https(url, sent):
    assert (SSO in cookie_header(build().prepare_session(), url)) is sent


@pytest.mark.parametrize(
    "url, sent",
    [
        ("https://grok.com/rest/app", {"host_only", "rest_path", "domain"}),
        ("https://grok.com/rest", {"host_only", "rest_path", "domain"}),
        ("https://grok.com/restx", {"host_only", "domain"}),
        ("https://grok.com/", {"host_only", "domain"}),
        ("https://www.grok.com/rest/app", {"rest_path", "domain"}),
    ],
)
def test_host_only_and_path_scoping_follow_rfc_6265(url, sent):
    auth = build(
        [
            *cookies(),
            StandInCookie("host_only", "h" * 10, domain="grok.com"),
            StandInCookie("rest_path", "r" * 10, path="/rest"),
            StandInCookie("domain", "d" * 10),
        ]
    )
    header = cookie_header(auth.prepare_session(), url)
    names = {pair.split("=")[0] for pair in header.split("; ")} - {"sso", "cf_clearance"}
    assert names == sent


def test_a_loopback_stand_in_gets_the_cookies_over_plain_http():
    session = build().prepare_session(base_url="http://127.0.0.1:8080")
    assert SSO in cookie_header(session, "http://127.0.0.1:8080/rest/x")
    assert SSO not in cookie_header(session, "http://example.test/rest/x")


def test_a_cookie_the_server_set_in_this_session_wins_over_the_browsers():
    session = build().prepare_session()
    session.cookies.set("cf_clearance", "fresh", domain=".grok.com")
    header = cookie_header(session, "https://grok.com/rest/x")
    assert header.count("cf_clearance=") == 1 and "cf_clearance=fresh" in header and SSO in header


def test_other_hosts_are_refused_as_base_url():
    with pytest.raises(errors.PolicyError):
        build().prepare_session(base_url="https://example.com")


def test_never_pickled_or_copied():
    auth = build()
    for attempt in (lambda: pickle.dumps(auth), lambda: copy.copy(auth), lambda: copy.deepcopy(auth)):
        with pytest.raises(TypeError, match="cannot be"):
            attempt()


def test_describe_and_repr_are_masked():
    auth = build()
    for text in (auth.describe(), repr(auth), str(auth)):
        assert SSO not in text and "C" * 40 not in text
    assert "sso=…(43 chars)" in auth.describe() and auth.kind == "browser_cookie" and auth.service == "web"
    assert auth.redact(f"x {SSO} y") == "x sso=…(43 chars) y"
