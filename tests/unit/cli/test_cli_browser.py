"""The CLI's browser side: the flags, `cookies`, `status` with the verdict, and errors as one line."""

import json
import time

import pytest
from browser_fixtures import encrypt_cbc, make_chromium_db
from cli_runner import one_error_line, run_cli

from cookie_session.testing.standin import StandIn, answer_for

UA = "Mozilla/5.0 cli-test"


@pytest.fixture
def web():
    with StandIn() as server:
        yield server


@pytest.fixture
def cookie_db(tmp_path, web):
    sso, cf_clearance, user_id = web.web_login(UA)
    expires = time.time() + 30 * 86400
    rows = [
        ("sso", sso),
        ("sso-rw", sso),
        ("x-userid", user_id),
        ("cf_clearance", cf_clearance),
        ("__cf_bm", web.issue_cf_bm()),
    ]
    cookies = [
        {"host": ".grok.com", "name": name, "encrypted": encrypt_cbc(value, ".grok.com"), "expires": expires}
        for name, value in rows
    ]
    cookies += [
        {
            "host": ".evil-grok.com",
            "name": "sso",
            "encrypted": encrypt_cbc("decoy", ".evil-grok.com"),
            "expires": expires,
        }
    ]
    return make_chromium_db(tmp_path / "profile dir" / "Cookies", cookies), sso


def run(*args, env=None):
    return run_cli(*args, env=env)


def test_cookies_lists_names_domains_expiry_never_values(laptop, cookie_db):
    path, sso = cookie_db
    result = run("cookies", "--unsafe-browser-cookies", "--cookie-file", str(path), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["cookies"]
    assert sorted(r["name"] for r in rows) == ["__cf_bm", "cf_clearance", "sso", "sso-rw", "x-userid"]
    assert {r["domain"] for r in rows} == {".grok.com"}
    assert all(r["expires"].endswith("+00:00") for r in rows) and rows[0]["size"] > 0
    text = run("cookies", "--unsafe-browser-cookies", "--cookie-file", str(path))
    assert "sso" in text.stdout and ".grok.com" in text.stdout
    for output in (result.output, text.output):
        assert sso not in output and "decoy" not in output


def test_cookies_needs_the_opt_in(laptop, cookie_db):
    result = run("cookies", "--cookie-file", str(cookie_db[0]))
    assert result.exit_code == 5 and "explicit opt-in" in result.stderr


def test_chat_through_the_browser_session(laptop, cookie_db, web):
    path, sso = cookie_db
    env = {"GROK_USER_AGENT": UA, "GROK_WEB_BASE_URL": web.web_base_url}
    result = run("chat", "hi", "--auth", "browser", "--unsafe-browser-cookies", "--cookie-file", str(path), env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == answer_for("hi")
    assert sso not in result.output
    (warning,) = result.browser_warnings  # the unsafe-use notice, once (a real process prints it to stderr)
    assert "unofficial, unsafe, local only" in warning and "WARNING.md" in warning and sso not in warning
    data = json.loads(
        run(
            "chat", "hi", "--json", "--auth", "browser", "--unsafe-browser-cookies", "--cookie-file", str(path), env=env
        ).stdout
    )
    assert data["auth_kind"] == "browser_cookie" and data["auth_source"] == f"cookie-file:{path}"


def test_status_shows_the_browser_source_and_the_verdict(laptop, cookie_db, web):
    path, sso = cookie_db
    env = {"GROK_USER_AGENT": UA, "GROK_WEB_BASE_URL": web.web_base_url}
    result = run("status", "--check", "--unsafe-browser-cookies", "--cookie-file", str(path), env=env)
    assert result.exit_code == 0, result.output
    assert f"* cookie-file:{path}: sso=…(43 chars)" in result.stdout
    assert "Locality (for browser cookies): local" in result.stdout and "Check: ok" in result.stdout
    assert sso not in result.output


def test_ci_refuses_the_browser_and_status_says_why(laptop, cookie_db):
    result = run("status", "--unsafe-browser-cookies", "--cookie-file", str(cookie_db[0]), env={"CI": "true"})
    assert result.exit_code == 5
    assert "not local: CI environment (CI)" in result.stdout
    assert "XAI_API_KEY" in result.stderr


def test_the_chain_prefers_the_api_key_even_with_the_opt_in(laptop, cookie_db, web):
    env = {"XAI_API_KEY": web.api_key, "XAI_BASE_URL": web.base_url}
    data = json.loads(
        run("chat", "hi", "--json", "--unsafe-browser-cookies", "--cookie-file", str(cookie_db[0]), env=env).stdout
    )
    assert data["auth_kind"] == "api_key"


@pytest.mark.parametrize(
    "args, code, words",
    [
        (("--browser", "netscape"), 7, "netscape"),
        (("--cookie-file", "GARBAGE"), 7, "not an SQLite database"),
        (("--cookie-file", "MISSING"), 7, "MISSING"),
    ],
)
def test_bad_browser_input_is_one_line(laptop, tmp_path, args, code, words):
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"\x00not sqlite at all" * 64)
    args = tuple(str(garbage) if a == "GARBAGE" else str(tmp_path / "MISSING") if a == "MISSING" else a for a in args)
    result = run("cookies", "--unsafe-browser-cookies", *args)
    assert words.lower() in one_error_line(result, code, alone=True).lower()
