"""grok.com's gates and signals as of late 2026, end to end against the strict stand-in (docs/grok-com-rules.md):
the signed `x-statsig-id` passes on every `/rest/` path, a new web-app build ("out of date") is survived by one
refresh and replay, and every refusal reaches the library and the CLI as its own error, one line, the right exit
code, no secret.
"""

import base64
import logging
import os
import time
import warnings

import pytest
import responses
from browser_fixtures import make_chromium_db
from cli_runner import one_error_line, run_cli
from grok_site import unsigned
from quiet_auth import quiet_browser_auth

from cookie_session import errors
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.client import GrokClient
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import StandIn, StandInCookie, answer_for
from cookie_session.transports.retry import NO_RETRIES
from cookie_session.user_agents import user_agent_for

UA = user_agent_for("chromium", 156, "linux", browser="chrome")


@pytest.fixture
def web():
    with StandIn() as server:
        yield server


def client_for(web, **options):
    auth = quiet_browser_auth(web.web_cookies(UA), user_agent=UA, environ={})
    return GrokClient(auth, web_base_url=web.web_base_url, retry=NO_RETRIES, **options)


def rest_statsigs(web) -> list[tuple[str, str, str]]:
    return [(m, p, h["x-statsig-id"]) for m, p, h in web.requests if p.startswith("/rest/")]


def test_the_library_passes_the_strict_gate_with_a_token_signed_per_path(web):
    with client_for(web) as client:
        assert client.chat("hello").text == answer_for("hello")
        assert [m.id for m in client.models()] == ["fast", "auto", "expert", "heavy"]
        assert client.whoami().acls == ("whole grok.com account",)
        client.session.post(f"{web.web_base_url}/rest/rate-limits", json={"modelName": "fast"}).raise_for_status()
    sent = rest_statsigs(web)
    assert {path for _m, path, _t in sent} == {"/rest/modes", "/rest/rate-limits"}
    assert len({token for _m, _p, token in sent}) == 2  # one token per (method, path)
    for _method, _path, token in sent:
        assert len(base64.b64decode(token + "==")) == 70 and unsigned(token)[4] == 3


def test_a_new_web_app_build_is_survived_by_one_refresh_and_replay(web):
    with client_for(web) as client:
        client.models()
        web.rotate_site()
        client._transport._modes = None  # ask grok.com again
        assert [m.id for m in client.models()] == ["fast", "auto", "expert", "heavy"]
    pages = [p for _m, p, _h in web.requests if p in ("/index", "/")]
    assert pages == ["/index", "/", "/index", "/"]
    assert [(p, h["x-statsig-id"] != "") for _m, p, h in web.requests if p == "/rest/modes"] == [
        ("/rest/modes", True)
    ] * 3


def test_out_of_date_after_the_replay_is_a_stale_statsig_error(web):
    web.fail_next("statsig_stale", times=2)
    with client_for(web) as client, pytest.raises(errors.StaleStatsigError) as caught:
        client.models()
    assert caught.value.exit_code == 4 and "again after loading a fresh page" in str(caught.value)
    assert "update cookie-session" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "failure, expected, words, call",
    [
        ("anti_bot", errors.AntiBotRejectedError, "anti-bot", "chat"),
        ("web_rate_limit", errors.RateLimitedError, "rate limit", "chat"),
        ("blocked_account", errors.AccountBlockedError, "blocked", "chat"),
        ("session_expired", errors.SessionExpiredError, "session", "chat"),
        ("challenge", errors.CloudflareChallengeError, "challenge", "chat"),
        ("challenge_empty", errors.CloudflareChallengeError, "empty body", "models"),
        ("update_client", errors.WebAppChangedError, "please update your client", "models"),
        ("gateway_error", errors.UpstreamError, "gateway reported an error", "chat"),
        ("session_ended", errors.ConnectionFailedError, "ended the session", "chat"),
        ("stream_error", errors.UpstreamError, "stream error", "chat"),
    ],
)
def test_every_signal_reaches_the_library_as_its_own_error(web, failure, expected, words, call):
    with client_for(web) as client:
        client.models()  # modes known, so the switch acts on the call's own requests
        web.fail_next(failure)
        with pytest.raises(expected) as caught:
            client.chat("hello") if call == "chat" else client.models()
    message = str(caught.value)
    assert words in message.lower() and "\n" not in message
    assert not [secret for secret in client.authenticator.secrets() if secret.reveal() in message]


def test_a_429_without_the_browsers_handshake_names_the_handshake(web, monkeypatch):
    with client_for(web) as client:
        monkeypatch.setattr(type(client.authenticator), "impersonating", property(lambda self: None))  # no curl_cffi
        web.fail_next("http_429")
        with pytest.raises(errors.CloudflareChallengeError, match="TLS handshake"):
            client.models()


def test_chats_are_temporary_unless_history_is_kept(web):
    with client_for(web) as client:
        client.chat("forget me")
    with client_for(web, keep_web_history=True) as client:
        client.chat("keep me")
    assert web.saved_conversations == ["keep me"]


# --- the CLI -------------------------------------------------------------------------------------


@pytest.fixture
def cookie_db(tmp_path, web):
    sso, cf_clearance, user_id = web.web_login(UA)
    later = time.time() + 86400
    rows = [
        ("sso", sso),
        ("sso-rw", sso),
        ("x-userid", user_id),
        ("cf_clearance", cf_clearance),
        ("__cf_bm", web.issue_cf_bm()),
    ]
    return make_chromium_db(
        tmp_path / "User Data" / "Default" / "Cookies",
        [{"host": ".grok.com", "name": n, "value": v, "expires": later} for n, v in rows],
    )


def run(web, db, *args, **env):
    environment = {"GROK_USER_AGENT": UA, "GROK_WEB_BASE_URL": web.web_base_url, **env}
    return run_cli(*args, "--auth", "browser", "--unsafe-browser-cookies", "--cookie-file", str(db), env=environment)


@pytest.mark.parametrize(
    "failure, code, words",
    [
        ("anti_bot", 4, "anti-bot"),
        ("statsig_stale", 4, "out of date"),
        ("update_client", 6, "please update your client"),
        ("blocked_account", 4, "blocked"),
        ("challenge_empty", 4, "empty body"),
    ],
)
def test_the_cli_gives_each_refusal_one_line_and_its_exit_code(laptop, web, cookie_db, failure, code, words):
    web.fail_next(failure, times=2)
    result = run(web, cookie_db, "chat", "hi")
    assert result.exit_code == code, result.output
    assert words in one_error_line(result, code).lower()
    assert "Traceback" not in result.output and "DevTools" not in result.output


def test_chat_models_and_whoami_work_through_the_cli_and_nothing_secret_is_shown(laptop, web, cookie_db, caplog):
    sso = next(c.value for c in web.web_cookies(UA) if c.name == "sso")
    outputs = []
    for args in (
        ["chat", "hi"],
        ["chat", "hi", "--json"],
        ["chat", "hi", "--model", "fast"],
        ["models", "--json"],
        ["whoami"],
        ["status", "--check"],
        ["status", "--json"],
    ):
        result = run(web, cookie_db, *args, GROK_STATSIG_ID="copied-from-devtools")
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.output)
    assert outputs[0].strip() == answer_for("hi")
    assert "fast" in outputs[3] and "heavy" in outputs[3]
    tokens = [token for _m, _p, token in rest_statsigs(web)]
    assert tokens and "copied-from-devtools" not in tokens
    with caplog.at_level(logging.DEBUG):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.BrowserCookieWarning)
            auth = BrowserCookieAuthenticator(
                cookie_file=cookie_db,
                unsafe_browser_cookies=True,
                user_agent=UA,
                verdict=LocalityVerdict.assume_local(),
            )
        with GrokClient(auth, web_base_url=web.web_base_url, retry=NO_RETRIES) as client:
            outputs += [repr(auth), auth.describe(), repr(client), client.chat("hi").text]
    outputs.append(caplog.text)
    secrets = [token for _m, _p, token in rest_statsigs(web)] + [sso]
    for text in outputs:
        assert not [secret for secret in secrets if secret in text or secret[:16] in text]


def test_an_unknown_mode_is_a_clear_cli_error_listing_the_modes(laptop, web, cookie_db):
    result = run(web, cookie_db, "chat", "hi", "--model", "grok-4")
    line = one_error_line(result, 7)
    assert "no chat mode 'grok-4'" in line and "fast, auto, expert, heavy" in line


@responses.activate
def test_any_other_403_says_what_grok_com_said_without_the_secrets():
    sso = "S" * 43
    said = f"Your region is not supported (request carried sso={sso})"
    responses.add(responses.GET, "https://grok.com/index", status=404, body="<html>Not found</html>")
    responses.add(responses.GET, "https://grok.com/", body="<html>no seed</html>")
    responses.add(
        responses.POST, "https://grok.com/rest/modes", status=403, json={"error": {"code": 9, "message": said}}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.BrowserCookieWarning)
        auth = BrowserCookieAuthenticator.from_cookies(
            [StandInCookie("sso", sso, expires=time.time() + 86400)],
            user_agent=UA,
            unsafe_browser_cookies=True,
            verdict=LocalityVerdict.assume_local(),
        )
    with pytest.raises(errors.PermissionDeniedError) as caught:
        GrokClient(auth, retry=NO_RETRIES).models()
    message = str(caught.value)
    assert "Your region is not supported" in message and sso not in message
    assert len(caught.value.message) < 260


@pytest.mark.parametrize("locked", [True, False])
def test_a_401_while_chromium_runs_says_it_writes_the_login_later(web, cookie_db, locked):
    if locked:
        os.symlink("host-12345", cookie_db.parent.parent / "SingletonLock")  # as Chromium leaves it: a dangling link
    auth = quiet_browser_auth(cookie_file=cookie_db, user_agent=UA, environ={})
    web.fail_next("session_expired")
    with GrokClient(auth, web_base_url=web.web_base_url, retry=NO_RETRIES) as client:
        with pytest.raises(errors.SessionExpiredError) as caught:
            client.models()
    assert ("30 s later" in str(caught.value)) is locked
    assert auth.browser_running() is locked


def test_messages_name_the_real_target_a_stand_in_by_its_address(web):
    """A loopback stand-in is not grok.com: its refusals name its address (and grok.com's name it)."""
    address = web.web_base_url.split("://", 1)[1]
    with client_for(web) as client:
        client.models()
        for failure, call in (("session_expired", "chat"), ("anti_bot", "chat"), ("update_client", "models")):
            web.fail_next(failure)
            with pytest.raises(errors.CookieSessionError) as caught:
                client.chat("hi") if call == "chat" else client.models()
            assert address in str(caught.value) and "grok.com says" not in str(caught.value), failure
