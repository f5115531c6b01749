"""What the project sends on a grok.com `/rest/` request: the headers of the browser's own same-origin fetch.

Reference values: `sec-ch-ua` as real Chrome releases sent it (public captures of Chrome 120, 124, 131,
143 and 147, and Chromium's own GREASE algorithm for 156), `x-statsig-id` as the web app's fallback
(chenyme/grok2api PR 567).
"""

import base64
import re
import time
import uuid

import pytest
import requests
import responses
from quiet_auth import quiet_browser_auth

from cookie_session import errors
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import StandInCookie
from cookie_session.transports.grok_web import browser_identity, chat_payload, rest_headers, sec_ch_ua
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


def sent_headers(auth, url="https://grok.com/rest/app-chat/conversations/new", **kwargs):
    """The headers a plain requests session prepared by `auth` sends (the library's users' path)."""
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, url, json={})
        auth.prepare_session().post(url, json={"x": 1}, **kwargs)
        return mock.calls[0].request.headers


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
    assert '"Chromium";v="149"' in rest_headers(identity, "https://grok.com/rest/models")["sec-ch-ua"]


def test_firefox_family_sends_no_client_hints_and_its_own_priority():
    headers = sent_headers(build(FIREFOX, browser="firefox"))
    assert not [name for name in headers if name.lower().startswith("sec-ch-ua")]
    assert headers["Priority"] == "u=4"
    assert headers["Accept-Language"] == "en-US,en;q=0.9"
    assert sent_headers(build(FIREFOX), url="http://127.0.0.1:8123/rest/models")["Priority"] == "u=4"
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
    names = [name.lower() for name in sent_headers(build(user_agent), url="http://127.0.0.1:8123/rest/models")]
    assert [name for name in names if name in measured] == measured


def test_a_loopback_stand_in_gets_its_own_origin_and_http1_headers():
    """Chromium 156 measured against the HTTP/1.1 stand-in: no `Priority` (it sends one over HTTP/2 only)."""
    headers = sent_headers(build(CHROME_LINUX), url="http://127.0.0.1:8123/rest/models")
    assert headers["Origin"] == "http://127.0.0.1:8123" and headers["Referer"] == "http://127.0.0.1:8123/"
    assert "Priority" not in headers


def test_pages_outside_rest_get_no_fetch_headers():
    headers = sent_headers(build(CHROME_LINUX), url="https://grok.com/login")
    assert "x-statsig-id" not in headers and "Sec-Fetch-Mode" not in headers


@pytest.mark.parametrize(
    "user_agent, engine_text",
    [
        (CHROME_LINUX, r"TypeError: Cannot read properties of (undefined|null) \(reading '\w+'\)"),
        (FIREFOX, r"TypeError: can't access property \"\w+\", \w+ is (undefined|null)"),
    ],
)
def test_statsig_fallback_is_the_web_apps_x1_form_fresh_per_request(user_agent, engine_text):
    auth = build(user_agent)
    values = [sent_headers(auth)["x-statsig-id"] for _ in range(6)]
    ids = {sent_headers(auth)["x-xai-request-id"] for _ in range(3)}
    assert len(set(values)) > 1 and len(ids) == 3
    for value in values:
        text = base64.b64decode(value, validate=True).decode()
        assert text.startswith("x1:") and re.fullmatch(engine_text, text[3:])


def test_a_given_statsig_id_is_sent_verbatim_and_held_as_a_secret():
    given = "A" * 20 + "/+b64" + "z" * 70
    auth = build(CHROME_LINUX, statsig_id=given)
    assert sent_headers(auth)["x-statsig-id"] == given
    assert given not in repr(auth) and given not in auth.describe()
    assert given not in auth.redact(f"server echoed {given}")


def test_the_statsig_id_comes_from_the_environment():
    given = "Q" * 96
    items = [StandInCookie("sso", SSO, expires=time.time() + 86400)]
    auth = quiet_browser_auth(items, user_agent=CHROME_LINUX, environ={"GROK_STATSIG_ID": given})
    assert sent_headers(auth)["x-statsig-id"] == given


@pytest.mark.parametrize("ending", ["\n", "\r\n", " \t"])
def test_a_statsig_id_with_the_line_end_of_a_paste_or_a_file_is_sent_without_it(ending):
    """`export GROK_STATSIG_ID="$(cat statsig.txt)"` keeps no newline, but `.env` loaders and `read` may:
    surrounding whitespace is dropped (as spaces already were), whitespace inside is still refused."""
    given = "Q" * 96
    items = [StandInCookie("sso", SSO, expires=time.time() + 86400)]
    auth = quiet_browser_auth(items, user_agent=CHROME_LINUX, environ={"GROK_STATSIG_ID": given + ending})
    assert sent_headers(auth)["x-statsig-id"] == given
    assert sent_headers(build(CHROME_LINUX, statsig_id=ending + given + ending))["x-statsig-id"] == given


@pytest.mark.parametrize("value", ["secretpart\nX-Injected: 1", "x-statsig-id: secretpart", "  ", "sécretpart"])
def test_a_statsig_id_a_header_cannot_carry_is_refused_without_echoing_it(value):
    with pytest.raises(errors.BadInputError) as caught:
        build(CHROME_LINUX, statsig_id=value)
    assert "secretpart" not in str(caught.value) and "DevTools" in str(caught.value)


def test_the_authenticator_keeps_no_raw_cookie_or_header_string():
    """Issue 15 class 8: `vars()` holds values only inside `Secret`."""
    given = "G" * 90
    auth = build(CHROME_LINUX, statsig_id=given)
    requests.Request("GET", "https://grok.com/rest/models", auth=auth).prepare()

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


def test_the_chat_body_has_the_web_apps_2026_shape():
    body = chat_payload([{"role": "user", "content": "Hi"}], model="grok-4")
    assert (body["temporary"], body["modelName"], body["message"]) == (True, "grok-4", "Hi")
    assert body["responseMetadata"] == {"requestModelDetails": {"modelId": "grok-4"}}
    assert set(body["deviceEnvInfo"]) == {
        "darkModeEnabled",
        "devicePixelRatio",
        "screenWidth",
        "screenHeight",
        "viewportWidth",
        "viewportHeight",
    }
    for field in (
        "disableSelfHarmShortCircuit",
        "collectionIds",
        "disabledConnectorIds",
        "isAsyncChat",
        "disableMemory",
        "toolOverrides",
        "enableSideBySide",
        "disableTextFollowUps",
    ):
        assert field in body


def test_the_authenticator_names_the_browser_it_reproduces():
    auth = build(EDGE_WINDOWS, browser="edge")
    assert (auth.browser_name, auth.browser_family, auth.browser_major_version) == ("edge", "chromium", 150)
