"""What the project sends grok.com: the headers of the browser's own same-origin fetch (`/rest/`, `/api/`), of a page
load, and of `new WebSocket(...)`, through a plain `requests` session from `prepare_session()`.

Reference values: `sec-ch-ua` as real Chrome releases sent it (public captures of Chrome 120, 124, 131,
143 and 147, and Chromium's own GREASE algorithm for 156); header orders and WebSocket headers as real Chromium 156
and Firefox 153 sent them to the stand-in (the real-browser parity tests check them again on every run).
"""

import time
import uuid

import pytest
import requests
import responses
from grok_site import random_page, unsigned
from quiet_auth import quiet_browser_auth

from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import StandInCookie
from cookie_session.transports.grok.headers import (
    browser_identity,
    fetch_headers,
    page_headers,
    sec_ch_ua,
    websocket_headers,
)
from cookie_session.transports.grok.statsig import EPOCH, parse_site_verification, sign
from cookie_session.user_agents import user_agent_for

LOCAL = LocalityVerdict.assume_local()
CHROME_LINUX = user_agent_for("chromium", 156, "linux", browser="chrome")
CHROME_MAC = user_agent_for("chromium", 147, "darwin", browser="chrome")
EDGE_WINDOWS = user_agent_for("chromium", 150, "win32", browser="edge")
FIREFOX = user_agent_for("firefox", 153, "linux")
SSO = "s" * 43


def build(user_agent, **kwargs):
    items = [
        StandInCookie("sso", SSO, expires=time.time() + 86400),
        StandInCookie("cf_clearance", "c" * 40, expires=time.time() + 86400),
    ]
    return quiet_browser_auth(items, user_agent=user_agent, environ={}, **kwargs)


def sent_headers(auth, url="https://grok.com/rest/modes", **kwargs):
    """The headers a plain requests session prepared by `auth` sends (the library's users' path); the statsig
    page is served as grok.com serves it (/index a 404, / the page)."""
    origin = url.split("/rest/")[0].split("/login")[0]
    _seed, _curves, html = random_page()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, origin + "/index", status=404, body="<html>Not found</html>")
        mock.add(responses.GET, origin + "/", body=html, content_type="text/html")
        mock.add(responses.POST, url, json={})
        mock.add(responses.GET, url, body="<html></html>")
        method = "GET" if "/rest/" not in url else "POST"
        auth.prepare_session(base_url=origin if "127.0.0.1" in origin else None).request(
            method, url, json={"x": 1} if method == "POST" else None, **kwargs
        )
        return mock.calls[-1].request.headers


@pytest.mark.parametrize(
    "major, expected",
    [
        (120, '"Not_A Brand";v="8", "Chromium";v="120", "Google Chrome";v="120"'),
        (124, '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"'),
        (131, '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'),
        (143, '"Google Chrome";v="143", "Chromium";v="143", "Not A(Brand";v="24"'),
        (147, '"Google Chrome";v="147", "Not.A/Brand";v="8", "Chromium";v="147"'),
        (156, '"Not:A-Brand";v="8", "Chromium";v="156", "Google Chrome";v="156"'),
    ],
)
def test_sec_ch_ua_is_what_that_chrome_release_sends(major, expected):
    assert sec_ch_ua(major, "Google Chrome") == expected


def test_unbranded_chromium_sends_two_brands_in_its_order():
    assert sec_ch_ua(156) == '"Not:A-Brand";v="8", "Chromium";v="156"'
    assert sec_ch_ua(157) == '"Chromium";v="157", "Not-A.Brand";v="99"'


def test_chromium_family_headers_agree_with_the_user_agent():
    headers = sent_headers(build(CHROME_LINUX, browser="chrome"))
    assert headers["User-Agent"] == CHROME_LINUX
    assert headers["sec-ch-ua"] == '"Not:A-Brand";v="8", "Chromium";v="156", "Google Chrome";v="156"'
    assert headers["sec-ch-ua-mobile"] == "?0"
    assert headers["sec-ch-ua-platform"] == '"Linux"'
    assert headers["Priority"] == "u=1, i"
    assert headers["Accept-Language"] == "en-US,en;q=0.9"
    mac = sent_headers(build(CHROME_MAC, browser="chrome"))
    assert mac["sec-ch-ua-platform"] == '"macOS"' and '"Google Chrome";v="147"' in mac["sec-ch-ua"]
    edge = sent_headers(build(EDGE_WINDOWS, browser="edge"))
    assert edge["sec-ch-ua-platform"] == '"Windows"'
    assert '"Microsoft Edge";v="150"' in edge["sec-ch-ua"] and '"Chromium";v="150"' in edge["sec-ch-ua"]


def test_the_user_agent_decides_the_major_version_not_the_profile():
    """A GROK_USER_AGENT of another version: the client hints follow the UA actually sent."""
    agent = user_agent_for("chromium", 149, "linux")
    identity = browser_identity("chrome", "chromium", agent, major_version=156)
    assert identity.major_version == 149
    assert '"Chromium";v="149"' in fetch_headers(identity, "https://grok.com/rest/modes", has_body=True)["sec-ch-ua"]


def test_firefox_family_sends_no_client_hints_and_its_own_priority():
    headers = sent_headers(build(FIREFOX, browser="firefox"))
    assert not [name for name in headers if name.lower().startswith("sec-ch-ua")]
    assert headers["Priority"] == "u=4"
    assert headers["Accept-Language"] == "en-US,en;q=0.9"
    assert sent_headers(build(FIREFOX), url="http://127.0.0.1:8123/rest/modes")["Priority"] == "u=4"
    auth = build(FIREFOX)
    assert (auth.browser_family, auth.browser_major_version) == ("firefox", 153)


def test_every_rest_request_carries_the_same_origin_fetch_headers():
    headers = sent_headers(build(CHROME_LINUX))
    assert headers["Origin"] == "https://grok.com"
    assert headers["Referer"] == "https://grok.com/"
    assert headers["Accept"] == "*/*"
    assert headers["Content-Type"] == "application/json"
    assert (headers["Sec-Fetch-Site"], headers["Sec-Fetch-Mode"], headers["Sec-Fetch-Dest"]) == (
        "same-origin",
        "cors",
        "empty",
    )
    assert "Cache-Control" not in headers and "Pragma" not in headers
    assert uuid.UUID(headers["x-xai-request-id"]).version == 4


def test_the_profiles_language_preference_is_sent():
    headers = sent_headers(build(CHROME_LINUX, accept_language="de-DE,de;q=0.9,en;q=0.8"))
    assert headers["Accept-Language"] == "de-DE,de;q=0.9,en;q=0.8"


@pytest.mark.parametrize(
    "user_agent, measured",
    [
        (
            CHROME_LINUX,
            [
                "sec-ch-ua-platform",
                "user-agent",
                "sec-ch-ua",
                "content-type",
                "sec-ch-ua-mobile",
                "accept",
                "origin",
                "sec-fetch-site",
                "sec-fetch-mode",
                "sec-fetch-dest",
                "referer",
                "accept-encoding",
                "accept-language",
                "cookie",
            ],
        ),
        (
            FIREFOX,
            [
                "user-agent",
                "accept",
                "accept-language",
                "accept-encoding",
                "referer",
                "content-type",
                "content-length",
                "origin",
                "connection",
                "cookie",
                "sec-fetch-dest",
                "sec-fetch-mode",
                "sec-fetch-site",
                "priority",
            ],
        ),
    ],
)
def test_headers_go_out_in_the_order_that_browser_writes_them(user_agent, measured):
    """The orders real Chromium 156 and Firefox 153 used for the web app's fetch to the HTTP/1.1 stand-in."""
    names = [name.lower() for name in sent_headers(build(user_agent), url="http://127.0.0.1:8123/rest/modes")]
    assert [name for name in names if name in measured] == measured


def test_a_loopback_stand_in_gets_its_own_origin_and_http1_headers():
    """Chromium 156 measured against the HTTP/1.1 stand-in: no `Priority` (it sends one over HTTP/2 only)."""
    headers = sent_headers(build(CHROME_LINUX), url="http://127.0.0.1:8123/rest/modes")
    assert headers["Origin"] == "http://127.0.0.1:8123" and headers["Referer"] == "http://127.0.0.1:8123/"
    assert "Priority" not in headers


def test_a_page_load_gets_the_navigation_headers_not_the_fetch_ones():
    headers = sent_headers(build(CHROME_LINUX), url="https://grok.com/login")
    assert "x-statsig-id" not in headers and "x-xai-request-id" not in headers
    assert (headers["Sec-Fetch-Mode"], headers["Sec-Fetch-Dest"], headers["Sec-Fetch-User"]) == (
        "navigate",
        "document",
        "?1",
    )
    assert headers["Accept"].startswith("text/html") and headers["Upgrade-Insecure-Requests"] == "1"
    assert page_headers(browser_identity("firefox", "firefox", FIREFOX))["Accept"] == (
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    )


def test_every_rest_request_carries_a_signed_statsig_bound_to_its_method_and_path():
    seed, _curves, html = random_page()
    site = parse_site_verification(html)
    headers = sent_headers(build(CHROME_LINUX))
    key, carried, t, digest, marker = unsigned(headers["x-statsig-id"])
    assert carried == seed and marker == 3 and abs(t + EPOCH - time.time()) < 60
    assert headers["x-statsig-id"] == sign(site, "POST", "/rest/modes", t=t, key=key)
    assert "x-statsig-id" not in sent_headers(build(CHROME_LINUX), url="https://grok.com/api/auth/session")


def test_grok_statsig_id_is_no_longer_read_and_no_longer_accepted():
    """A value valid for one path and a few minutes cannot be configured (issue 18 item 4)."""
    items = [StandInCookie("sso", SSO, expires=time.time() + 86400)]
    auth = quiet_browser_auth(items, user_agent=CHROME_LINUX, environ={"GROK_STATSIG_ID": "Q" * 96})
    assert sent_headers(auth)["x-statsig-id"] != "Q" * 96
    with pytest.raises(TypeError):
        build(CHROME_LINUX, statsig_id="Q" * 96)


@pytest.mark.parametrize(
    "user_agent, family, expected",
    [
        (
            CHROME_LINUX,
            "chromium",
            {
                "Pragma": "no-cache",
                "Cache-Control": "no-cache",
                "Origin": "https://grok.com",
                "Accept-Encoding": "gzip, deflate, br, zstd",
                "Accept-Language": "en-US,en;q=0.9",
                "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
            },
        ),
        (
            FIREFOX,
            "firefox",
            {
                "Pragma": "no-cache",
                "Cache-Control": "no-cache",
                "Origin": "https://grok.com",
                "Accept": "*/*",
                "Accept-Encoding": "gzip, deflate, br, zstd",
                "Accept-Language": "en-US,en;q=0.9",
                # Firefox offers "permessage-deflate"; libcurl inflates only after Chromium's offer (headers.py)
                "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
                "Sec-Fetch-Dest": "empty",
                "Sec-Fetch-Mode": "websocket",
                "Sec-Fetch-Site": "same-origin",
            },
        ),
    ],
)
def test_the_websocket_handshake_headers_are_the_ones_that_engine_sends(user_agent, family, expected):
    """As measured: Chromium 156 and Firefox 153 opening `new WebSocket('wss://grok.com/ws/mgw/...')`, but for
    Firefox's extension offer, which libcurl cannot take (see `WEBSOCKET_EXTENSION_OFFER`)."""
    assert websocket_headers(browser_identity(None, family, user_agent), "https://grok.com") == expected


def test_the_authenticator_keeps_no_raw_cookie_or_header_string():
    """Issue 15 class 8: `vars()` holds values only inside `Secret`."""
    given = "G" * 90  # nothing of the kind is held any more; kept as a value that must not appear
    auth = build(CHROME_LINUX)
    requests.Request("GET", "https://grok.com/rest/modes", auth=auth).prepare()

    def strings(value, depth=0):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict) and depth < 5:
            for item in value.values():
                yield from strings(item, depth + 1)
        elif isinstance(value, (tuple, list)) and depth < 5:
            for item in value:
                yield from strings(item, depth + 1)
        elif hasattr(value, "__dict__") and depth < 5:
            yield from strings(vars(value), depth + 1)

    found = list(strings(vars(auth)))
    assert not [text for text in found if SSO in text or "c" * 40 in text or given in text]


def test_the_authenticator_names_the_browser_it_reproduces():
    auth = build(EDGE_WINDOWS, browser="edge")
    assert (auth.browser_name, auth.browser_family, auth.browser_major_version) == ("edge", "chromium", 150)
