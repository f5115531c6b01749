"""The web path's browser TLS handshake (cookie_session.transports.grok.tls), against real loopback servers.

The adapter must behave as requests' own where our transports can tell: streaming, timeouts,
redirects left to us, CA bundles, proxies from the environment (loopback never proxied), hooks,
cookies from Set-Cookie, and failures as `requests` exceptions. Without curl_cffi the web path
still works over plain requests, and says so once.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings

import pytest
import requests
import trustme
from loopback import RawServer, RecordingServer
from quiet_auth import quiet_browser_auth

from cookie_session import errors
from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.client import NO_RETRIES, GrokClient
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import StandIn, answer_for
from cookie_session.transports.grok import tls as impersonate
from cookie_session.transports.grok.tls import ImpersonatingAdapter, impersonation_target, mount_browser_tls

CHROME_156 = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
FIREFOX_153 = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"
#: Extensions only one engine sends (measured from Chromium 156 and Firefox ESR 153 in test_browser_parity):
CHROMIUM_ONLY = {0x44CD}  # application_settings (ALPS)
FIREFOX_ONLY = {0x001C, 0x0022}  # record_size_limit, delegated_credentials
TARGETS = (
    "chrome99",
    "chrome131_android",
    "chrome133a",
    "chrome145",
    "chrome152",
    "chrome152_macos",
    "firefox135",
    "firefox147",
    "firefox153",
    "safari260",
    "edge101",
)


@pytest.fixture
def web():
    with StandIn(web_tls=True) as server:
        yield server


@pytest.fixture
def fresh_warning(monkeypatch):
    """The "no impersonation" warning is once per process; each test starts before it."""
    monkeypatch.setattr(impersonate, "_warned", threading.Event())


def web_client(web, user_agent=CHROME_156, **options) -> GrokClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.BrowserCookieWarning)
        auth = BrowserCookieAuthenticator.from_cookies(
            web.web_cookies(user_agent),
            user_agent=user_agent,
            unsafe_browser_cookies=True,
            verdict=LocalityVerdict.assume_local(),
        )
        return GrokClient(
            auth, web_base_url=f"https://localhost:{web.web_port}", verify=web.ca_file, retry=NO_RETRIES, **options
        )


@pytest.mark.parametrize(
    "family, major, target",
    [
        ("chromium", 156, "chrome152"),
        ("chromium", 152, "chrome152"),
        ("chromium", 140, "chrome133a"),
        ("chromium", 99, "chrome99"),
        ("chromium", 98, None),
        ("chromium", None, "chrome152"),
        ("firefox", 153, "firefox153"),
        ("firefox", 150, "firefox147"),
        ("firefox", 134, None),
        ("safari", 26, None),
    ],
)
def test_the_target_is_the_newest_of_the_family_at_or_below_the_version(family, major, target):
    assert impersonation_target(family, major, TARGETS) == target


def test_the_installed_curl_cffi_offers_the_targets_of_the_browsers_we_test_against():
    from curl_cffi.requests.impersonate import BrowserType

    names = [b.value for b in BrowserType]
    assert impersonation_target("chromium", 156, names) == "chrome152"
    assert impersonation_target("firefox", 153, names) == "firefox153"


@pytest.mark.parametrize(
    "user_agent, target, own, other",
    [(CHROME_156, "chrome152", CHROMIUM_ONLY, FIREFOX_ONLY), (FIREFOX_153, "firefox153", FIREFOX_ONLY, CHROMIUM_ONLY)],
)
def test_the_web_path_shakes_hands_as_the_profiles_browser(web, user_agent, target, own, other):
    with web_client(web, user_agent) as client:
        assert client.chat("hello").text == answer_for("hello")
        assert client.authenticator.impersonating == target
    requests.post(f"https://localhost:{web.web_port}/rest/modes", verify=web.ca_file, timeout=10)
    hellos = dict(zip((path for _m, path, _h in web.requests), web.client_hellos, strict=True))
    ours, gateway, python_requests = web.client_hellos[0], hellos["/ws/mgw/"], web.client_hellos[-1]
    assert own <= set(ours.extensions) and not other & set(ours.extensions) and ours.server_name == "localhost"
    for hello in (ours, gateway):  # the fetches' and the chat WebSocket's, both the browser's, not python's
        assert not other & set(hello.extensions) and hello.ciphers == ours.ciphers
        assert (hello.ciphers, hello.extensions) != (python_requests.ciphers, python_requests.extensions)
    # a WebSocket bootstraps over HTTP/1.1 (so Chromium sends no ALPS either); tests/real_browsers compare it exactly
    assert ours.alpn == ("h2", "http/1.1") and gateway.alpn == ("http/1.1",)
    _method, _path, headers = web.requests[0]
    assert headers["Accept-Encoding"] == "gzip, deflate, br, zstd"  # what both browsers send


def test_the_api_key_path_keeps_plain_requests(standin):
    with GrokClient(ApiKeyAuthenticator(standin.api_key), base_url=standin.base_url) as client:
        assert type(client.session.get_adapter("https://api.x.ai/v1")) is requests.adapters.HTTPAdapter
        assert client.models()
    assert "impersonate" not in repr(client.session.adapters)


def test_a_streamed_answer_arrives_piece_by_piece(web):
    web.stream_delay = 0.3
    with web_client(web) as client:
        started = time.monotonic()
        pieces = iter(client.chat("one two three four", stream=True))
        first = next(pieces)
        first_at = time.monotonic() - started
        rest = "".join(pieces)
        total = time.monotonic() - started
    assert first + rest == answer_for("one two three four")
    assert first_at < total - 1.0  # the first piece came long before the last


def test_a_cut_reply_is_a_connection_failure_not_a_crash(web):
    web.fail_next("drop_mid_body")
    with web_client(web) as client, pytest.raises(errors.ConnectionFailedError, match="cut mid-reply|ended before"):
        client.chat("hello")


def test_a_server_that_never_answers_times_out(fresh_warning):
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(context)
    listener = socket.create_server(("127.0.0.1", 0))
    held = []

    def accept():
        conn, _ = listener.accept()
        held.append(context.wrap_socket(conn, server_side=True))  # handshakes, then says nothing

    threading.Thread(target=accept, daemon=True).start()
    session = requests.Session()
    mount_browser_tls(session, family="chromium", major_version=156)
    with authority.cert_pem.tempfile() as ca:
        started = time.monotonic()
        with pytest.raises(requests.exceptions.ReadTimeout):
            session.get(f"https://localhost:{listener.getsockname()[1]}/", timeout=(2, 1), verify=ca)
    assert time.monotonic() - started < 6
    listener.close()
    for conn in held:
        conn.close()


def test_failures_are_requests_exceptions(web):
    session = requests.Session()
    mount_browser_tls(session, family="chromium", major_version=156)
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(requests.exceptions.ConnectionError) as refused:
        session.get(f"https://localhost:{port}/", timeout=5)
    assert not isinstance(refused.value, requests.exceptions.Timeout)
    with pytest.raises(requests.exceptions.SSLError):  # the stand-in's CA is not in certifi's bundle
        session.get(f"https://localhost:{web.web_port}/login", timeout=5)
    with pytest.raises(OSError, match="CA certificate bundle"):
        session.get(f"https://localhost:{web.web_port}/login", timeout=5, verify="/nonexistent/ca.pem")


def test_the_client_maps_them_as_before(web):
    with web_client(web) as client:
        client._transport._options = {}  # no stand-in CA: the handshake fails
        with pytest.raises(errors.ConnectionFailedError, match="TLS handshake"):
            client.models()


def test_redirects_are_left_to_the_caller_cookies_reach_the_jar_hooks_run(web):
    session = requests.Session()
    mount_browser_tls(session, family="firefox", major_version=153)
    seen = []
    response = session.get(
        f"https://localhost:{web.web_port}/login",
        verify=web.ca_file,
        timeout=10,
        hooks={"response": lambda r, **_: seen.append(r.status_code)},
    )
    assert response.status_code == 200 and seen == [200]
    assert {"sso", "x-userid", "cf_clearance", "__cf_bm"} <= set(session.cookies.keys())  # Set-Cookie, as urllib3
    assert b"Logged in" in response.content

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    with RecordingServer("localhost", tls_context=context) as server, authority.cert_pem.tempfile() as ca:
        server.redirect("/away", "https://elsewhere.test/steal")
        server.redirect("/here", "/there")
        reply = session.get(f"{server.url}/away", verify=ca, timeout=10, allow_redirects=False)
        assert reply.status_code == 302 and reply.headers["Location"] == "https://elsewhere.test/steal"
        assert [p for _m, p, _h in server.requests] == ["/away"]  # curl followed nothing itself
        followed = session.get(f"{server.url}/here", verify=ca, timeout=10)  # requests' own redirect loop
        assert followed.status_code == 200 and [r.status_code for r in followed.history] == [302]


def test_proxies_come_from_the_environment_as_with_requests_and_never_for_loopback(web, monkeypatch):
    refusal = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with RawServer([refusal]) as proxy:  # records each request line and refuses it
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        session = requests.Session()
        mount_browser_tls(session, family="chromium", major_version=156)
        with pytest.raises(requests.exceptions.ProxyError):
            session.get("https://grok.com/rest/models", timeout=5)
        assert proxy.requests == [b"CONNECT grok.com:443 HTTP/1.1"]
        assert session.get(f"https://localhost:{web.web_port}/login", verify=web.ca_file, timeout=10).ok
        assert session.get(f"https://127.0.0.1:{web.web_port}/login", verify=web.ca_file, timeout=10).ok
        monkeypatch.setenv("NO_PROXY", "grok.com")
        with pytest.raises(requests.exceptions.ConnectionError):  # straight to grok.com: no network here
            session.get("https://grok.com/rest/models", timeout=5)
        assert proxy.requests == [b"CONNECT grok.com:443 HTTP/1.1"]  # loopback and no_proxy hosts went direct


def test_without_curl_cffi_fetches_warn_once_and_the_chat_refuses_a_python_handshake(web, monkeypatch, fresh_warning):
    for name in [m for m in sys.modules if m == "curl_cffi" or m.startswith("curl_cffi.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "curl_cffi", None)  # `import curl_cffi...` raises ImportError
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            auth = BrowserCookieAuthenticator.from_cookies(
                web.web_cookies(CHROME_156),
                user_agent=CHROME_156,
                unsafe_browser_cookies=True,
                verdict=LocalityVerdict.assume_local(),
            )
            with GrokClient(auth, web_base_url=f"https://localhost:{web.web_port}", verify=web.ca_file) as client:
                assert [m.id for m in client.models()] == ["fast", "auto", "expert", "heavy"]
                assert auth.impersonating is None
                assert type(client.session.get_adapter("https://grok.com/")) is requests.adapters.HTTPAdapter
                with pytest.raises(errors.ConnectionFailedError, match="no python handshake is tried") as refused:
                    client.chat("hello")
                assert "pip install curl_cffi" in str(refused.value)
    about_tls = [w for w in caught if "Cloudflare may challenge" in str(w.message)]
    assert len(about_tls) == 1 and about_tls[0].category is errors.BrowserCookieWarning
    assert "curl_cffi could not be loaded" in str(about_tls[0].message)
    assert "pip install curl_cffi" in str(about_tls[0].message)
    assert web.client_hellos[-1].alpn == ("http/1.1",)  # python-requests' own handshake, for the fetches
    assert "/ws/mgw/" not in [path for _m, path, _h in web.requests]  # never a python WebSocket


def test_importing_the_package_or_the_cli_never_loads_curl_cffi():
    code = (
        "import sys, cookie_session, cookie_session.cli, cookie_session.auth.browser, "
        "cookie_session.transports.grok.tls, cookie_session.client; print('curl_cffi' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_the_adapter_sends_headers_as_prepared_and_no_cookie_of_its_own(web):
    session = requests.Session()
    session.mount("https://", ImpersonatingAdapter("chrome152"))
    session.get(f"https://localhost:{web.web_port}/login", verify=web.ca_file, timeout=10)  # sets cookies
    session.cookies.clear()
    session.post(
        f"https://localhost:{web.web_port}/rest/models",
        verify=web.ca_file,
        timeout=10,
        headers={"X-One": "1", "x-two": "2"},
    )
    _m, _p, headers = web.requests[-1]
    assert "Cookie" not in headers  # curl's cookie engine kept nothing from the login's Set-Cookie
    prepared = session.prepare_request(requests.Request("POST", "https://x/", headers={"X-One": "1", "x-two": "2"}))
    assert [n.lower() for n in headers] == ["host", *(n.lower() for n in prepared.headers)]  # Host, then as prepared
    assert not {"sec-ch-ua", "Sec-Fetch-Mode"} & set(headers)  # no default headers of the target


def test_many_threads_stream_at_once_as_with_requests(web):
    """curl_cffi streams each reply from a thread of its own pool; more streams than cores run together."""
    from concurrent.futures import ThreadPoolExecutor

    web.stream_delay = 0.25
    with web_client(web) as client:

        def chat(_):
            return client.chat("one two three four five six").text  # about 2 s of streaming

        started = time.monotonic()
        with ThreadPoolExecutor(18) as pool:
            answers = list(pool.map(chat, range(18)))
        elapsed = time.monotonic() - started
    assert answers == [answer_for("one two three four five six")] * 18
    assert elapsed < 4  # together (about 2 s), not six at a time (three rounds: about 6 s)


def test_a_stream_closed_early_ends_at_once(web):
    web.stream_delay = 0.5
    with web_client(web) as client:
        with client.chat("one two three four five six seven eight", stream=True) as stream:
            assert next(iter(stream)) == "Stand-in"
            started = time.monotonic()
        assert time.monotonic() - started < 1.5  # not the ~4 s the rest of the answer would take
        assert client.chat("again").text == answer_for("again")  # the client is still usable


def test_requests_level_mocks_still_see_the_web_paths_requests():
    """A user's tests that mock grok.com with `responses` keep working with the adapter mounted."""
    import responses

    cookie = type("C", (), dict(name="sso", value="s" * 20, domain=".grok.com", path="/", secure=True, expires=None))()
    auth = quiet_browser_auth([cookie], user_agent=CHROME_156)
    with responses.RequestsMock() as mocked, GrokClient(auth) as client:
        mocked.get("https://grok.com/index", status=404)
        mocked.get("https://grok.com/", body="<html>the page</html>")
        mocked.post("https://grok.com/rest/modes", json={"modes": [{"id": "fast"}]})
        assert [m.id for m in client.models()] == ["fast"]
        assert auth.impersonating == "chrome152"
        assert mocked.calls[-1].request.headers["sec-ch-ua-mobile"] == "?0"


def test_a_browser_curl_cffi_cannot_imitate_keeps_plain_requests_and_says_so(fresh_warning):
    session = requests.Session()
    with pytest.warns(errors.BrowserCookieWarning, match="no firefox browser at or below version 90"):
        assert mount_browser_tls(session, family="firefox", major_version=90) is None
    assert type(session.get_adapter("https://grok.com/")) is requests.adapters.HTTPAdapter


def test_requests_raise_no_warning_of_curl_cffi(web):
    with web_client(web) as client, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.chat("hello")
    assert [str(w.message) for w in caught] == []
