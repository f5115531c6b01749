"""Issue 15, class 10: text from outside (server error text, model ids, identity fields, cookie domains, file
names) never reaches a terminal raw: control characters and escape sequences are shown escaped.
"""

from __future__ import annotations

import json
import time

import pytest
from browser_fixtures import encrypt_cbc, make_chromium_db, make_firefox_root
from cli_runner import run_cli
from hypothesis import given, strategies as st
from loopback import RecordingServer

from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.client import NO_RETRIES, GrokClient
from cookie_session.errors import CookieSessionError, printable, printable_lines
from cookie_session.policy import host_in_domain

KEY = "xai-" + "c" * 80
#: What a hostile server or file name would use: clear screen, set the window title, a hyperlink,
#: a C1 CSI, bell, backspace, carriage return, bidi overrides and invisible characters.
HOSTILE = [
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x1b]8;;http://evil.test\x1b\\click\x1b]8;;\x1b\\",
    "\x9b31m",
    "\x07",
    "\x08\x08",
    "\r",
    "\u202eevil",
    "\u2066x\u2069",
    "\u200b",
    "\u2028",
    "\x00",
    "\x7f",
]


def raw_controls(text: str) -> list[str]:
    return [ch for ch in text if not ch.isprintable() and ch not in "\n"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_printable_escapes_every_control_and_invisible_character(hostile):
    shown = printable(f"model {hostile} end")
    assert raw_controls(shown) == []
    assert shown.startswith("model ") and shown.endswith(" end")


@given(st.text())
def test_printable_leaves_nothing_raw_and_printable_text_alone(text):
    shown = printable(text)
    assert all(ch.isprintable() for ch in shown)
    if text.isprintable():
        assert shown == text


def test_printable_lines_keeps_line_breaks_only():
    assert printable_lines("a\x1b[1m\nb\r\n") == "a\\x1b[1m\nb\r\n"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_server_error_text_reaches_exception_messages_escaped(hostile):
    with RecordingServer() as server:
        server.routes["/v1/models"] = (
            500,
            {"Content-Type": "application/json"},
            json.dumps({"error": f"broken {hostile} here"}).encode(),
        )
        server.routes["/v1/chat/completions"] = (200, {"Content-Type": "text/plain"}, b"x")
        client = GrokClient(ApiKeyAuthenticator(KEY), base_url=f"{server.url}/v1", retry=NO_RETRIES)
        with pytest.raises(CookieSessionError) as caught:
            client.models()
        assert raw_controls(str(caught.value)) == []
        assert "broken" in str(caught.value)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_cli_output_of_model_ids_and_identity_is_escaped(hostile):
    with RecordingServer() as server:
        server.routes["/v1/models"] = (
            200,
            {"Content-Type": "application/json"},
            json.dumps({"data": [{"id": f"grok{hostile}"}]}).encode(),
        )
        server.routes["/v1/api-key"] = (
            200,
            {"Content-Type": "application/json"},
            json.dumps({"name": f"n{hostile}", "team_id": f"t{hostile}", "acls": [f"a{hostile}"]}).encode(),
        )
        server.routes["/v1/chat/completions"] = (
            500,
            {"Content-Type": "application/json"},
            json.dumps({"error": f"e{hostile}"}).encode(),
        )
        env = {"XAI_API_KEY": KEY, "XAI_BASE_URL": f"{server.url}/v1"}
        for args in (["models"], ["whoami"], ["chat", "hi"], ["models", "--json"], ["status", "--check"]):
            result = run_cli(*args, env=env)
            assert raw_controls(result.stdout + result.stderr) == [], (args, result.output)
        assert "grok\\" in run_cli("models", env=env).stdout


@pytest.mark.parametrize("hostile", ["\x1b[31m", "\x1b]0;pwned\x07", "\u202e", "\x9b1m"])
def test_cookie_file_names_are_shown_escaped(laptop, tmp_path, hostile):
    expires = time.time() + 86400
    path = make_chromium_db(
        tmp_path / f"profile{hostile}" / "Cookies",
        [{"host": ".grok.com", "name": "sso", "encrypted": encrypt_cbc("v" * 40, ".grok.com"), "expires": expires}],
    )
    result = run_cli("cookies", "--unsafe-browser-cookies", "--cookie-file", str(path))
    assert result.exit_code == 0, result.output
    assert raw_controls(result.output) == [] and "profile" in result.output


@pytest.mark.parametrize("hostile", ["\x1b[31m", "\x1b]0;pwned\x07", "\u202e", "\x9b1m"])
def test_a_profile_name_reaches_the_browser_warnings_escaped(laptop, tmp_path, hostile):
    """The warnings the browser path prints on stderr (in use, session expiring soon) name the profile."""
    soon = time.time() + 3600  # inside the expiry warning's window
    cookies = [{"host": ".grok.com", "name": "sso", "value": "v" * 40, "expires": soon}]
    make_firefox_root(
        tmp_path / ".mozilla" / "firefox",
        {"p.default": {"name": f"work{hostile}", "default": True, "cookies": cookies}},
    )
    result = run_cli(
        "status", "--unsafe-browser-cookies", env={"HOME": str(tmp_path), "XAI_API_KEY": None, "XDG_CONFIG_HOME": None}
    )
    assert result.exit_code == 0, result.output
    assert len(result.browser_warnings) >= 2 and all("work" in shown for shown in result.browser_warnings)
    assert raw_controls(" ".join(result.browser_warnings) + result.output) == []


@pytest.mark.parametrize("domain", ["\x1b[31m.grok.com", ".grok.com\x1b[0m", "\u202e.grok.com", ".gr\x00ok.com"])
def test_a_cookie_domain_with_control_characters_is_in_no_domain(domain):
    """Such a cookie is never loaded, so its domain never reaches any output."""
    assert not host_in_domain(domain, "grok.com")
