"""grok.com's anti-bot gate (since June 2026) and the other 401/403 signals, end to end against the stand-in.

The stand-in refuses what grok.com refuses: no acceptable `x-statsig-id`, a cross-site `Origin`
(403 + `{"error":{"code":7,...}}`); the library and CLI turn that into `AntiBotRejectedError`, exit 4,
with a hint that says what to do.
"""

import base64
import logging
import os
import time
import warnings

import pytest
import requests
import responses
from browser_fixtures import make_chromium_db
from cli_runner import one_error_line, run_cli
from quiet_auth import quiet_browser_auth

from cookie_session import errors
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.client import GrokClient
from cookie_session.policy import LocalityVerdict
from cookie_session.testing.standin import WEB_RULES, StandIn, StandInCookie, answer_for
from cookie_session.transports.retry import NO_RETRIES
from cookie_session.user_agents import user_agent_for

UA = user_agent_for("chromium", 156, "linux", browser="chrome")
CHAT = "/rest/app-chat/conversations/new"
CODE_7 = {"error": {"code": 7, "message": "Request rejected by anti-bot rules.", "details": []}}
OLD_E_FORM = base64.b64encode(b"e:TypeError: Cannot read properties of undefined (reading 'childNodes')").decode()
X1_FORM = base64.b64encode(b"x1:TypeError: Cannot read properties of null (reading 'children')").decode()


def signed_token(key: int = 0x5A) -> str:
    """A value shaped like the web app's signed x-statsig-id: key byte, then 48 + 4 + 16 bytes and 3, XORed."""
    body = bytes(range(48)) + int(time.time() - 1682924400).to_bytes(4, "little") + bytes(16) + b"\x03"
    return base64.b64encode(bytes([key]) + bytes(b ^ key for b in body)).decode().rstrip("=")


@pytest.fixture
def web():
    with StandIn() as server:
        yield server


def old_transport_request(web, **headers):
    """A chat request shaped as the transport sent it before June 2026: cookies and User-Agent only."""
    cookies = "; ".join(f"{c.name}={c.value}" for c in web.web_cookies(UA))
    return requests.post(
        web.web_base_url + CHAT,
        json={"modelName": "grok-4", "message": "hi"},
        headers={"User-Agent": UA, "Cookie": cookies, **headers},
        timeout=10,
    )


def test_the_stand_in_refuses_the_old_request_shape_with_code_7(web):
    for extra in (
        {},
        {"x-statsig-id": OLD_E_FORM},
        {"x-statsig-id": "not base64 at all!"},
        {"x-statsig-id": base64.b64encode(b"x1:").decode()},
        {"x-statsig-id": X1_FORM, "Origin": "https://evil.example"},
    ):
        reply = old_transport_request(web, **extra)
        assert (reply.status_code, reply.json()) == (403, CODE_7), extra
    for accepted in (X1_FORM, signed_token(), signed_token(0x00) + "=="):
        assert old_transport_request(web, **{"x-statsig-id": accepted}).status_code == 200
    assert old_transport_request(web, **{"x-statsig-id": X1_FORM, "Origin": web.web_base_url}).status_code == 200


def test_each_rule_can_be_switched_off_by_name():
    with StandIn(relax=("statsig",)) as web:
        assert old_transport_request(web).status_code == 200
        assert old_transport_request(web, Origin="https://evil.example").status_code == 403
        web.relax("origin")
        assert old_transport_request(web, Origin="https://evil.example").status_code == 200
        assert old_transport_request(web, **{"User-Agent": "another"}).status_code == 403  # Cloudflare still on
        web.relax("cloudflare")
        assert old_transport_request(web, **{"User-Agent": "another"}).status_code == 200
    assert set(WEB_RULES) == {"cloudflare", "statsig", "origin"}
    with pytest.raises(ValueError, match="unknown stand-in rule 'nope'"):
        StandIn(relax=("nope",))


def test_the_pytest_plugin_switches_a_rule_off(web, monkeypatch):
    from cookie_session.testing.pytest_plugin import XaiFailures

    assert old_transport_request(web).status_code == 403
    XaiFailures(web, monkeypatch).relax("statsig")
    assert old_transport_request(web).status_code == 200


def test_the_library_passes_the_gate_and_maps_a_refusal_to_anti_bot(web):
    auth = quiet_browser_auth(web.web_cookies(UA), user_agent=UA, environ={})
    refused = quiet_browser_auth(web.web_cookies(UA), user_agent=UA, environ={}, statsig_id=OLD_E_FORM)
    with GrokClient(auth, web_base_url=web.web_base_url, retry=NO_RETRIES) as client:
        assert client.chat("hello").text == answer_for("hello")
        web.fail_next("anti_bot")  # the in-stream form of the same refusal
        with pytest.raises(errors.AntiBotRejectedError) as in_stream:
            client.chat("hello")
    with GrokClient(refused, web_base_url=web.web_base_url, retry=NO_RETRIES) as client:
        with pytest.raises(errors.AntiBotRejectedError) as status_403:
            client.models()
    for caught in (in_stream, status_403):
        assert caught.value.exit_code == 4 and "GROK_STATSIG_ID" in str(caught.value)
        assert "DevTools" in str(caught.value) and "XAI_API_KEY" in str(caught.value)
        assert "\n" not in str(caught.value)


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


def test_the_cli_turns_a_code_7_refusal_into_exit_4_with_the_hint(laptop, web, cookie_db):
    result = run(web, cookie_db, "chat", "hi", GROK_STATSIG_ID=OLD_E_FORM)
    assert result.exit_code == 4, result.output
    assert "anti-bot" in result.stderr and "GROK_STATSIG_ID" in result.stderr and "DevTools" in result.stderr
    assert "GROK_STATSIG_ID" in one_error_line(result, 4)
    assert OLD_E_FORM not in result.output
    ok = run(web, cookie_db, "chat", "hi")  # without one, the web app's own fallback passes
    assert ok.exit_code == 0 and ok.stdout.strip() == answer_for("hi")


def test_a_given_statsig_id_arrives_verbatim_and_is_never_shown(laptop, web, cookie_db, caplog):
    given = signed_token()
    outputs = []
    for args in (
        ["chat", "hi"],
        ["chat", "hi", "--json"],
        ["models", "--json"],
        ["whoami"],
        ["status", "--check"],
        ["status", "--json"],
    ):
        result = run(web, cookie_db, *args, GROK_STATSIG_ID=given)
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.output)
    sent = [headers.get("x-statsig-id") for _method, path, headers in web.requests if path.startswith("/rest/")]
    assert sent and set(sent) == {given}
    web.fail_next("session_expired")
    outputs.append(run(web, cookie_db, "chat", "hi", GROK_STATSIG_ID=given).output)
    web.fail_next("anti_bot")
    outputs.append(run(web, cookie_db, "chat", "hi", GROK_STATSIG_ID=given).output)
    with caplog.at_level(logging.DEBUG):
        auth = quiet_browser_auth(cookie_file=cookie_db, user_agent=UA, environ={"GROK_STATSIG_ID": given})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.BrowserCookieWarning)
            auth = BrowserCookieAuthenticator(
                cookie_file=cookie_db,
                unsafe_browser_cookies=True,
                user_agent=UA,
                verdict=LocalityVerdict.assume_local(),
                environ={"GROK_STATSIG_ID": given},
            )
        with GrokClient(auth, web_base_url=web.web_base_url, retry=NO_RETRIES) as client:
            outputs += [repr(auth), auth.describe(), repr(client), client.chat("hi").text]
    outputs.append(caplog.text)
    for text in outputs:
        assert given not in text and given[:16] not in text


@responses.activate
def test_any_other_403_says_what_grok_com_said_without_the_secrets():
    given = signed_token()
    said = f"Your region is not supported (request carried {given} and sso=" + "S" * 43 + ")"
    responses.add(
        responses.POST, "https://grok.com/rest/models", status=403, json={"error": {"code": 9, "message": said}}
    )
    auth = quiet_browser_auth(
        [StandInCookie("sso", "S" * 43, expires=time.time() + 86400)], user_agent=UA, statsig_id=given
    )
    responses.add(
        responses.POST, "https://grok.com/rest/models", status=403, json={"error": {"code": 9, "message": said}}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.BrowserCookieWarning)
        auth = BrowserCookieAuthenticator.from_cookies(
            [StandInCookie("sso", "S" * 43, expires=time.time() + 86400)],
            user_agent=UA,
            unsafe_browser_cookies=True,
            verdict=LocalityVerdict.assume_local(),
            statsig_id=given,
        )
    with pytest.raises(errors.PermissionDeniedError) as caught:
        GrokClient(auth, retry=NO_RETRIES).models()
    message = str(caught.value)
    assert "Your region is not supported" in message and given not in message and "S" * 43 not in message
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
