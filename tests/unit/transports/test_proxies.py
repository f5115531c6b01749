"""Issue 15, class 2: loopback traffic never goes through a proxy, and no credential goes to one in clear text.

The "proxy" is a real loopback server that records every byte it is sent and answers nothing useful.
"""

from __future__ import annotations

import time

import pytest
import requests
from loopback import RawServer

from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.client import NO_RETRIES, GrokClient
from cookie_session.errors import BrowserCookieWarning, CookieSessionError, PolicyError
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import StandIn
from cookie_session.transports.api import ApiTransport

PROXY_VARIABLES = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"]
UA = "Mozilla/5.0 (X11; Linux x86_64) proxy-test"
LOCAL = LocalityVerdict.assume_local()


#: What the recording proxy answers to anything (RawServer keeps what each connection sent in `received`).
PROXY_REFUSAL = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@pytest.fixture
def proxy(monkeypatch):
    with RawServer([PROXY_REFUSAL]) as recorder:
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        yield recorder


@pytest.fixture(scope="module")
def stand_in():
    with StandIn() as server:
        yield server


@pytest.mark.parametrize("variable", PROXY_VARIABLES)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_api_key_to_a_loopback_stand_in_never_goes_through_a_proxy(monkeypatch, proxy, stand_in, variable, host):
    monkeypatch.setenv(variable, proxy.url)
    base_url = stand_in.base_url.replace("127.0.0.1", host)
    with GrokClient(ApiKeyAuthenticator(stand_in.api_key), base_url=base_url, retry=NO_RETRIES) as client:
        assert client.models()
        assert client.chat("hello").text
    assert proxy.received == []


@pytest.mark.parametrize("variable", PROXY_VARIABLES)
def test_browser_cookies_to_a_loopback_stand_in_never_go_through_a_proxy(monkeypatch, proxy, stand_in, variable):
    monkeypatch.setenv(variable, proxy.url)
    with pytest.warns(BrowserCookieWarning):
        auth = BrowserCookieAuthenticator.from_cookies(
            stand_in.web_cookies(UA), user_agent=UA, unsafe_browser_cookies=True, verdict=LOCAL
        )
    with GrokClient(auth, web_base_url=stand_in.web_base_url, retry=NO_RETRIES) as client:
        assert client.chat("hello").text
    assert proxy.received == []


def test_a_proxy_in_the_sessions_own_settings_is_bypassed_for_loopback_too(proxy, stand_in):
    session = requests.Session()
    session.proxies = {"http": proxy.url, "all": proxy.url, "http://127.0.0.1": proxy.url}
    with GrokClient(
        ApiKeyAuthenticator(stand_in.api_key), base_url=stand_in.base_url, session=session, retry=NO_RETRIES
    ) as client:
        assert client.models()
    assert proxy.received == []


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_a_credential_is_never_sent_in_clear_text_to_a_proxy(monkeypatch, proxy, variable):
    """Plain http to a non-loopback host through a proxy: refused before anything is sent (the base-URL
    check refuses such a URL already; the transport refuses it again, whoever built it)."""
    monkeypatch.setenv(variable, proxy.url)
    key = "xai-" + "p" * 80
    auth = ApiKeyAuthenticator(key)
    transport = ApiTransport(
        auth.prepare_session(),
        "http://api.example.test/v1",
        auth_kind=auth.kind,
        timeout=(2, 2),
        retry=NO_RETRIES,
        redact=auth.redact,
    )
    with pytest.raises(PolicyError, match="clear text"):
        transport.models()
    time.sleep(0.1)
    assert proxy.received == []


def test_https_through_a_proxy_is_left_to_the_tunnel(monkeypatch, proxy):
    """An https request through a proxy only sends CONNECT host:port: no header of ours reaches the proxy."""
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    key = "xai-" + "q" * 80
    client = GrokClient(
        ApiKeyAuthenticator(key), base_url="https://api.example.test/v1", retry=NO_RETRIES, timeout=(2, 2)
    )
    with pytest.raises(CookieSessionError):
        client.models()
    assert proxy.received, "the request did not go through the proxy at all"
    assert all(data.startswith(b"CONNECT api.example.test:443") for data in proxy.received)
    assert not any(key.encode() in data or b"Authorization" in data for data in proxy.received)


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_an_https_loopback_stand_in_never_goes_through_a_proxy(monkeypatch, proxy, variable):
    monkeypatch.setenv(variable, proxy.url)
    with StandIn(web_tls=True) as server:
        with pytest.warns(BrowserCookieWarning):
            auth = BrowserCookieAuthenticator.from_cookies(
                server.web_cookies(UA), user_agent=UA, unsafe_browser_cookies=True, verdict=LOCAL
            )
        with GrokClient(auth, web_base_url=server.web_base_url, verify=server.ca_file, retry=NO_RETRIES) as client:
            assert client.chat("hello").text
    assert proxy.received == []
