"""The pytest plugin as a user meets it: a project in a temporary folder, its own script and tests, run by a
fresh pytest process that finds the plugin through the installed `pytest11` entry point (never `-p`)."""

from __future__ import annotations

import json
import re

import pytest

from cookie_session.testing.standin import make_test_key

pytest_plugins = ["pytester"]

# A user's script: it builds its client from the environment, like the README's quick start.
USER_SCRIPT = '''
from cookie_session import GrokClient, resolve_authenticator


def ask(prompt, authenticator=None):
    with GrokClient(authenticator or resolve_authenticator()) as client:
        return client.chat(prompt).text


def model_ids():
    with GrokClient(resolve_authenticator()) as client:
        return [model.id for model in client.models()]


def ask_the_real_api(prompt):
    """A mistake a test should catch: the URL is hard-coded, so the environment cannot redirect it."""
    with GrokClient(resolve_authenticator(), base_url="https://api.x.ai/v1") as client:
        return client.chat(prompt).text
'''

# Every warning is an error and every marker must be registered, as in strict projects.
STRICT_INI = "[pytest]\naddopts = --strict-markers -W error -p no:cacheprovider\n"


@pytest.fixture
def project(pytester):
    """A user's project: `myscript.py` and a strict pytest configuration; nothing names the plugin."""
    pytester.makeini(STRICT_INI)
    pytester.makepyfile(myscript=USER_SCRIPT)
    return pytester


def run(project, *args):
    return project.runpytest_subprocess("-q", *args, timeout=120)


def test_the_plugin_is_loaded_from_its_entry_point(project, monkeypatch):
    project.makepyfile(
        test_user="""
        def test_loaded_by_distribution(pytestconfig):
            plugin = pytestconfig.pluginmanager.get_plugin("cookie_session")
            assert plugin is not None and plugin.__name__ == "cookie_session.testing.pytest_plugin"
            ours = [p for p in pytestconfig.pluginmanager.get_plugins()
                    if getattr(p, "__name__", "").startswith("cookie_session")]
            assert ours == [plugin]          # registered once
            dists = [dist.project_name for _, dist in pytestconfig.pluginmanager.list_plugin_distinfo()]
            assert "cookie-session" in dists

        def test_fixture_available(xai_standin):
            assert xai_standin.base_url.startswith("http://127.0.0.1:")
    """
    )
    run(project).assert_outcomes(passed=2)

    disabled = run(project, "-p", "no:cookie_session")
    disabled.assert_outcomes(failed=1, errors=1)
    disabled.stdout.fnmatch_lines(["*fixture 'xai_standin' not found*"])

    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    run(project).assert_outcomes(failed=1, errors=1)


def test_a_users_script_works_unchanged_against_the_standin(project, monkeypatch):
    outer_key = make_test_key()
    monkeypatch.setenv("XAI_API_KEY", outer_key)  # the developer's own key: the tests must not use it
    project.makepyfile(
        test_user=f"""
        import os

        import myscript
        from cookie_session import ApiKeyAuthenticator, GrokClient
        from cookie_session.testing.standin import answer_for

        seen_keys = []


        def test_script_talks_to_the_standin(xai_standin):
            assert myscript.ask("hello") == answer_for("hello")
            assert myscript.model_ids() == list(xai_standin.models)
            paths = [path for _, path, _ in xai_standin.requests]
            assert paths == ["/v1/chat/completions", "/v1/models"]
            assert {{headers["Authorization"] for _, _, headers in xai_standin.requests}} == {{
                f"Bearer {{xai_standin.api_key}}"}}


        def test_the_environment_points_at_the_standin(xai_standin, xai_api_key):
            assert os.environ["XAI_API_KEY"] == xai_api_key == xai_standin.api_key != {outer_key!r}
            assert os.environ["XAI_BASE_URL"] == xai_standin.base_url
            assert os.environ["GROK_WEB_BASE_URL"] == xai_standin.web_base_url
            assert xai_standin.base_url.startswith("http://127.0.0.1:")
            assert xai_standin.web_base_url.startswith("http://127.0.0.1:")
            seen_keys.append(str(xai_api_key))


        def test_each_test_gets_a_fresh_standin(xai_api_key, xai_standin):
            assert seen_keys and str(xai_api_key) not in seen_keys
            assert xai_standin.requests == []


        def test_the_environment_is_restored_after_each_test():
            assert os.environ["XAI_API_KEY"] == {outer_key!r}
            assert "XAI_BASE_URL" not in os.environ


        def test_the_key_works_on_its_own(xai_standin, xai_api_key):
            with GrokClient(ApiKeyAuthenticator(xai_api_key), base_url=xai_standin.base_url) as client:
                assert client.whoami().name == "stand-in key"
            assert repr(xai_api_key).startswith("<stand-in key xai-") and str(xai_api_key) not in repr(xai_api_key)


        def test_the_ready_client(xai_client):
            answer = xai_client.chat("hi")
            assert answer.text == answer_for("hi") and answer.auth_kind == "api_key"
            assert xai_client.authenticator.source == "env:XAI_API_KEY"
    """
    )
    run(project).assert_outcomes(passed=6)


def test_the_browser_like_session(project, monkeypatch):
    monkeypatch.setenv("CI", "true")  # throwaway stand-in cookies: allowed where a real profile never is
    project.makeconftest("""
        import pytest

        FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"


        @pytest.fixture
        def grok_user_agent():
            return FIREFOX
    """)
    project.makepyfile(
        test_user="""
        import pytest

        import myscript
        from cookie_session import BrowserCookieAuthenticator, BrowserCookieWarning, LocalityVerdict
        from cookie_session.testing.standin import answer_for
        from conftest import FIREFOX


        def test_a_browser_client(grok_browser_client, xai_standin):
            answer = grok_browser_client.chat("hi")
            assert answer.text == answer_for("hi") and answer.auth_kind == "browser_cookie"
            assert [m.id for m in grok_browser_client.models()] == ["fast", "auto", "expert", "heavy"]
            method, path, headers = next(r for r in xai_standin.requests if r[1] == "/ws/mgw/")
            assert headers["User-Agent"] == FIREFOX and headers["Upgrade"] == "websocket"
            assert "sso=" in headers["Cookie"] and "Authorization" not in headers


        def test_a_script_given_the_browser_session(grok_browser_auth):
            assert myscript.ask("from the browser", authenticator=grok_browser_auth) == answer_for("from the browser")


        def test_building_one_yourself_still_warns(xai_standin, grok_user_agent):
            with pytest.warns(BrowserCookieWarning):
                BrowserCookieAuthenticator.from_cookies(
                    xai_standin.web_cookies(grok_user_agent), user_agent=grok_user_agent,
                    unsafe_browser_cookies=True, verdict=LocalityVerdict.assume_local())
    """
    )
    run(project).assert_outcomes(passed=3)


def test_each_failure_switch_raises_its_error(project):
    project.makepyfile(
        test_user="""
        import os

        import pytest

        import myscript
        from cookie_session import errors


        @pytest.mark.parametrize("switch, error", [
            ("wrong_key", errors.InvalidApiKeyError), ("blocked_key", errors.PermissionDeniedError),
            ("disabled_key", errors.PermissionDeniedError),
        ])
        def test_key_switches(xai_standin, xai_failures, switch, error):
            key = xai_failures.switch(switch)
            assert os.environ["XAI_API_KEY"] == key != xai_standin.api_key
            with pytest.raises(error):
                myscript.ask("hi")
            assert isinstance(error("x"), errors.CredentialsRejectedError)


        @pytest.mark.parametrize("switch, error", [
            ("rate_limit", errors.RateLimitedError), ("server_error", errors.ServerError),
        ])
        def test_persistent_api_failures(xai_standin, xai_failures, xai_retry_waits, switch, error):
            getattr(xai_failures, switch)(times=50)  # more than any retry policy tries
            with pytest.raises(error) as caught:
                myscript.model_ids()
            models_calls = [path for _, path, _ in xai_standin.requests if path == "/v1/models"]
            assert len(models_calls) == len(xai_retry_waits) + 1  # every retry was made, none was slept
            if switch == "rate_limit":
                assert caught.value.retry_after == 1 and set(xai_retry_waits) == {1.0}
                with pytest.raises(error):
                    myscript.ask("hi")


        def test_a_single_rate_limit_is_retried(xai_standin, xai_failures, xai_retry_waits):
            xai_failures.rate_limit()
            assert myscript.model_ids() == list(xai_standin.models)
            assert xai_retry_waits == [1.0]
            assert [path for _, path, _ in xai_standin.requests] == ["/v1/models", "/v1/models"]


        @pytest.mark.parametrize("switch, error", [
            ("challenge", errors.CloudflareChallengeError), ("anti_bot", errors.AntiBotRejectedError),
            ("web_rate_limit", errors.RateLimitedError), ("session_expired", errors.SessionExpiredError),
            ("account_blocked", errors.AccountBlockedError),
        ])
        def test_web_switches(grok_browser_client, xai_failures, switch, error):
            xai_failures.switch(switch)
            with pytest.raises(error):
                grok_browser_client.chat("hi")
            assert grok_browser_client.chat("hi").text


        @pytest.mark.xai_failure("wrong_key")
        def test_marker_wrong_key(xai_client):
            with pytest.raises(errors.InvalidApiKeyError):
                xai_client.models()


        @pytest.mark.xai_failure("rate_limit", times=50)
        def test_marker_rate_limit(xai_standin):
            with pytest.raises(errors.RateLimitedError):
                myscript.model_ids()


        @pytest.mark.xai_failure("challenge", "anti_bot")
        def test_marker_web_in_order(grok_browser_client):
            with pytest.raises(errors.CloudflareChallengeError):
                grok_browser_client.chat("hi")
            with pytest.raises(errors.AntiBotRejectedError):
                grok_browser_client.chat("hi")
            assert grok_browser_client.chat("hi").text


        def test_switch_names_are_checked(xai_failures):
            with pytest.raises(ValueError, match="unknown failure 'nope'"):
                xai_failures.switch("nope")
            with pytest.raises(ValueError, match="times"):
                xai_failures.rate_limit(times=0)
    """
    )
    run(project, "--durations=8").assert_outcomes(passed=15)


def test_a_marker_that_cannot_act_is_an_error(project):
    project.makepyfile(
        test_user="""
        import pytest


        @pytest.mark.xai_failure("rate_limit")
        def test_without_the_fixture():
            pass


        @pytest.mark.xai_failure("nope")
        def test_unknown_name(xai_standin):
            pass


        @pytest.mark.xai_failure("rate_limit", times=0)
        def test_bad_times(xai_standin):
            pass


        @pytest.mark.xai_failure()
        def test_no_name(xai_standin):
            pass
    """
    )
    result = run(project)
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines(
        [
            "*xai_failure needs the xai_standin fixture*",
            "*unknown failure 'nope'*",
            "*times must be a whole number*",
            "*needs at least one failure name*",
        ]
    )
    markers = run(project, "--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.xai_failure(*names, times=1):*"])


def test_tests_using_the_standin_stay_on_loopback(project, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # a proxy that refuses: loopback must bypass it
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    project.makepyfile(
        test_user="""
        import socket

        import pytest

        import myscript
        from cookie_session import GrokClient, StandIn, ApiKeyAuthenticator, errors
        from cookie_session.testing.pytest_plugin import OfflineError
        from cookie_session.testing.standin import answer_for


        def test_name_lookups_outside_loopback_are_refused(xai_standin):
            with pytest.raises(OfflineError, match="api.x.ai"):
                socket.getaddrinfo("api.x.ai", 443)


        def test_connections_outside_loopback_are_refused(xai_standin):
            with pytest.raises(OfflineError, match=r"192\\.0\\.2\\.1:443"):
                socket.create_connection(("192.0.2.1", 443), timeout=5)
            with socket.socket() as sock, pytest.raises(OfflineError):
                sock.connect_ex(("192.0.2.1", 443))


        def test_loopback_stays_open(xai_standin):
            assert socket.getaddrinfo("localhost", xai_standin.web_port)
            socket.create_connection(("127.0.0.1", xai_standin.web_port), timeout=5).close()


        def test_a_hard_coded_url_fails_fast(xai_standin):
            with pytest.raises(errors.ConnectionFailedError, match="api.x.ai"):
                myscript.ask_the_real_api("hi")
            assert xai_standin.requests == []


        def test_the_proxy_is_bypassed_for_the_standin(xai_client):
            assert xai_client.chat("hi").text == answer_for("hi")


        def test_without_the_plugin_the_library_bypasses_the_proxy_for_loopback_too():
            with StandIn() as stand_in, GrokClient(ApiKeyAuthenticator(stand_in.api_key),
                                                    base_url=stand_in.base_url) as client:
                assert client.models()
                assert len(stand_in.requests) == 1


        def test_the_guard_ends_with_the_test():
            assert "connect" not in vars(socket.socket) and socket.getaddrinfo.__module__ == "socket"


        def test_a_user_sees_what_was_refused(xai_standin):
            myscript.ask_the_real_api("hi")
    """
    )
    result = run(project)
    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(["*xai offline*", "*refused a name lookup of api.x.ai*xai_offline = false*"])

    project.makeini(STRICT_INI + "xai_offline = false\n")
    project.makepyfile(
        test_user="""
        import socket


        def test_the_guard_is_off(xai_standin):
            assert "connect" not in vars(socket.socket) and socket.getaddrinfo.__module__ == "socket"
    """
    )
    run(project).assert_outcomes(passed=1)


def _non_loopback_address() -> str | None:
    """An address of this machine outside loopback (the one a default route would use), if it has one."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))  # UDP: no packet is sent
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_the_curl_cffi_path_is_refused_before_connecting(project):
    """Every way the library opens a socket through curl_cffi (its TLS adapter, a curl session, the gateway's
    `ws_connect`, async) is refused before libcurl runs: a name that resolves nowhere gets OfflineError (not
    curl's "could not resolve"), and a real listener on a non-loopback address of this machine sees nothing."""
    import socket
    import threading

    listener = None
    address = _non_loopback_address()
    accepted: list[object] = []
    if address is not None:
        listener = socket.create_server((address, 0))
        listener.settimeout(0.2)
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    accepted.append(listener.accept()[0].getpeername())
                except OSError:  # the timeout included
                    pass

        watcher = threading.Thread(target=accept, daemon=True)
        watcher.start()
    hosts = ["grok.invalid:443", *([f"{address}:{listener.getsockname()[1]}"] if listener else [])]
    project.makepyfile(
        test_user=f"""
        import asyncio

        import pytest
        import requests
        from curl_cffi import CurlOpt
        from curl_cffi.requests import AsyncSession, Session

        from cookie_session import GrokClient
        from cookie_session.testing.pytest_plugin import OfflineError
        from cookie_session.transports.grok.tls import mount_browser_tls

        HOSTS = {hosts!r}


        @pytest.mark.parametrize("host", HOSTS)
        def test_a_curl_session(xai_standin, host):
            with Session(impersonate="chrome") as session, pytest.raises(OfflineError, match="curl_cffi"):
                session.get(f"https://{{host}}/", timeout=5)
            with Session() as session, pytest.raises(OfflineError, match="curl_cffi"):
                session.get(f"https://{{host}}/", timeout=5, stream=True)


        @pytest.mark.parametrize("host", HOSTS)
        def test_the_library_tls_adapter(xai_standin, host):
            with requests.Session() as session:
                assert mount_browser_tls(session, family="chromium", major_version=156)
                with pytest.raises(OfflineError, match="curl_cffi"):
                    session.get(f"https://{{host}}/rest/app-chat/conversations/new", timeout=5)


        @pytest.mark.parametrize("host", HOSTS)
        def test_a_websocket(xai_standin, host):
            with Session(impersonate="chrome") as session, pytest.raises(OfflineError, match="curl_cffi"):
                session.ws_connect(f"wss://{{host}}/ws/app-chat", timeout=5)


        @pytest.mark.parametrize("host", HOSTS)
        def test_async(xai_standin, host):
            async def fetch():
                async with AsyncSession() as session:
                    await session.get(f"https://{{host}}/", timeout=5)

            with pytest.raises(OfflineError, match="curl_cffi"):
                asyncio.run(fetch())


        def test_a_hard_coded_grok_com_through_the_library(grok_browser_auth, xai_standin):
            with GrokClient(grok_browser_auth, web_base_url="https://grok.com") as client:
                with pytest.raises(Exception) as caught:
                    client.chat("hi")
            chain, error = [], caught.value
            while error is not None:
                chain.append(error)
                error = error.__cause__ or error.__context__
            assert any(isinstance(e, OfflineError) for e in chain) or "refused" in str(caught.value), chain
            assert xai_standin.requests == []


        def test_loopback_and_names_resolved_to_it_stay_open(xai_standin):
            port = xai_standin.web_port
            with Session() as session:
                assert session.get(f"http://127.0.0.1:{{port}}/", timeout=5).status_code
            with Session(curl_options={{CurlOpt.RESOLVE: [f"grok.com:{{port}}:127.0.0.1"]}}) as session:
                assert session.get(f"http://grok.com:{{port}}/", timeout=5).status_code
            assert len(xai_standin.requests) == 2


        def test_a_loopback_name_resolved_elsewhere_is_refused(xai_standin):
            elsewhere = {{CurlOpt.RESOLVE: ["localhost:{{0}}:192.0.2.1".format(xai_standin.web_port)]}}
            with Session(curl_options=elsewhere) as session, pytest.raises(OfflineError, match="192.0.2.1"):
                session.get(f"http://localhost:{{xai_standin.web_port}}/", timeout=5)


        def test_the_curl_guard_ends_with_the_test():
            from curl_cffi import Curl

            assert Curl.perform.__module__ == "curl_cffi.curl"
    """
    )
    try:
        result = run(project)
    finally:
        if listener is not None:
            stop.set()
            watcher.join(timeout=5)
            listener.close()
    result.assert_outcomes(passed=4 * len(hosts) + 4)
    assert accepted == [], f"a connection reached the non-loopback listener: {accepted}"
    result.stdout.no_fnmatch_line("*Could not resolve host*")


def test_failure_output_shows_no_credential(project, monkeypatch):
    outer_key = make_test_key()
    monkeypatch.setenv("XAI_API_KEY", outer_key)
    project.makepyfile(
        test_user="""
        import json

        import myscript


        def record(*secrets):
            with open("revealed.json", "a", encoding="utf-8") as file:
                file.write(json.dumps([str(s) for s in secrets]) + "\\n")


        def test_wrong_key(xai_client, xai_api_key, xai_failures, xai_standin):
            wrong = xai_failures.wrong_key()
            record(xai_api_key, wrong)
            myscript.ask("hi")


        def test_blocked_account(grok_browser_client, grok_browser_auth, xai_failures):
            record(*(secret.reveal() for secret in grok_browser_auth.secrets()))
            xai_failures.account_blocked()
            grok_browser_client.chat("hi")


        def test_plain_assertion(xai_api_key, xai_client):
            record(xai_api_key)
            assert xai_api_key == "something else"


        def test_membership(xai_api_key, xai_failures):
            wrong = xai_failures.wrong_key()
            record(xai_api_key, wrong)
            assert xai_api_key in f"Bearer {wrong}"
    """
    )
    result = run(project, "--showlocals", "--tb=long", "-rA")
    result.assert_outcomes(failed=4)
    output = "\n".join(result.outlines + result.errlines)
    revealed = [
        value for line in (project.path / "revealed.json").read_text().splitlines() for value in json.loads(line)
    ]
    assert len(revealed) == 11 and all(len(value) > 8 for value in revealed)  # 2 + 1 + 2 keys, 6 cookies
    for value in [outer_key, *revealed]:
        assert value not in output
    assert re.search(r"xai_api_key\s+= <stand-in key xai-…\w{4}>", output)  # the locals were shown, masked
    result.stdout.fnmatch_lines(["*InvalidApiKeyError*", "*AccountBlockedError*"])


# The README's example of a test that mocks one HTTP call with `responses` and talks to the stand-in.
RESPONSES_TESTS = """
import pytest
import requests
import responses

import myscript
from cookie_session.testing.standin import answer_for


@responses.activate
def test_decorated(xai_standin):
    responses.get("https://weather.example/today", json={"sky": "clear"})
    assert requests.get("https://weather.example/today").json() == {"sky": "clear"}
    assert myscript.ask("hi") == answer_for("hi")        # the stand-in, through the mock


def test_context_manager(xai_standin):
    with responses.RequestsMock() as mock:
        mock.get("https://weather.example/today", json={"sky": "rain"})
        assert myscript.model_ids() == list(xai_standin.models)
        assert requests.get("https://weather.example/today").json() == {"sky": "rain"}


def test_started_before_the_fixture(request):
    responses.start()
    request.addfinalizer(responses.stop)
    request.addfinalizer(responses.reset)
    stand_in = request.getfixturevalue("xai_standin")
    assert myscript.ask("late") == answer_for("late")
    assert stand_in.requests


def test_other_urls_are_still_refused(xai_standin):
    with responses.RequestsMock() as mock:
        try:
            requests.get("https://unmocked.example/")
        except requests.ConnectionError as error:
            assert "Connection refused by Responses" in str(error)
        else:
            raise AssertionError("an unmocked URL went through")


@pytest.fixture
def own_mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_mock_the_project_started_before_the_fixture(own_mock, xai_standin):
    own_mock.get("https://weather.example/today", json={"sky": "fog"})
    assert myscript.ask("early") == answer_for("early")
    assert requests.get("https://weather.example/today").json() == {"sky": "fog"}
    assert own_mock.passthru_prefixes == ()  # the mock itself is left as it was


def test_no_pass_through_is_left_behind():
    assert responses.mock.passthru_prefixes == ()
"""


def test_responses_lets_the_standin_through_without_extra_code(project):
    project.makepyfile(test_with_responses=RESPONSES_TESTS)
    result = run(project)
    result.assert_outcomes(passed=6)


def test_scripted_answers_through_the_fixture(project):
    pytest.importorskip("openai")
    project.makepyfile(
        test_scripted="""
        import json

        import openai
        import pytest

        import myscript
        from cookie_session import RateLimitedError

        WEATHER = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


        def test_scripted_text(xai_script):
            xai_script("Paris, of course.")
            assert myscript.ask("capital of France?") == "Paris, of course."


        def test_scripted_error(xai_script, xai_retry_waits):
            xai_script(error=(429, "slow down"), times=10)
            with pytest.raises(RateLimitedError):
                myscript.ask("hi")


        def test_scripted_tool_call_with_the_openai_sdk(xai_script, xai_standin):
            xai_script(tool_calls=[("get_weather", {"city": "Oslo"})])
            client = openai.OpenAI(api_key=xai_standin.api_key, base_url=xai_standin.base_url)
            tools = [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER}}]
            reply = client.chat.completions.create(
                model="grok-4", messages=[{"role": "user", "content": "weather?"}], tools=tools
            )
            call = reply.choices[0].message.tool_calls[0]
            assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Oslo"}
    """
    )
    run(project).assert_outcomes(passed=3)
