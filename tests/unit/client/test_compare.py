"""`compare`: the same prompt through both methods, side by side, as a library call and a command."""

import json
import warnings

import jsonschema
import pytest
from cli_runner import run_cli
from quiet_auth import quiet_browser_auth

from cookie_session import errors
from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.compare import compare_methods
from cookie_session.testing.standin import answer_for, make_test_key
from cookie_session.testing.standin.chromium_profile import write_chromium_cookies

UA = "Mozilla/5.0 compare-test"
PROMPT = "compare me"

METHOD_SCHEMA = {
    "type": "object",
    "required": [
        "method",
        "label",
        "officially_supported",
        "ok",
        "error",
        "error_type",
        "exit_code",
        "endpoint",
        "credential",
        "credential_source",
        "expires",
        "reach",
        "revocable_alone",
        "allowed_in_ci",
        "model",
        "answer_excerpt",
        "usage",
        "time_to_first_token",
        "total_time",
        "runs",
        "runs_ok",
    ],
    "properties": {
        "method": {"enum": ["api_key", "browser_cookie"]},
        "officially_supported": {"type": "boolean"},
        "ok": {"type": "boolean"},
        "allowed_in_ci": {"type": "boolean"},
        "error": {"type": ["string", "null"]},
        "exit_code": {"type": ["integer", "null"]},
        "endpoint": {"type": ["string", "null"]},
        "credential": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["kind", "fingerprint", "source"],
                    "additionalProperties": False,
                    "properties": {
                        "kind": {"enum": ["api_key", "browser_cookie"]},
                        "fingerprint": {"type": "string"},
                        "source": {"type": "string"},
                    },
                },
            ]
        },
        "usage": {"type": "object", "required": ["prompt_tokens", "completion_tokens", "total_tokens"]},
        "time_to_first_token": {"type": ["number", "null"], "minimum": 0},
        "total_time": {"type": ["number", "null"], "minimum": 0},
        "runs": {"type": "integer", "minimum": 0},
        "runs_ok": {"type": "integer", "minimum": 0},
    },
}
COMPARISON_SCHEMA = {
    "type": "object",
    "required": ["schema_version", "prompt", "model", "mode", "repeat", "methods"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": 1},
        "prompt": {"type": "string"},
        "model": {"type": ["string", "null"]},  # the API's model asked for (null: its default)
        "mode": {"type": ["string", "null"]},  # grok.com's chat mode asked for (null: its default)
        "repeat": {"type": "integer"},
        "methods": {"type": "array", "minItems": 2, "maxItems": 2, "items": METHOD_SCHEMA},
    },
}


def browser_auth(standin):
    return quiet_browser_auth(standin.web_cookies(UA), user_agent=UA)


def client_options(standin):
    return {"base_url": standin.base_url, "web_base_url": standin.web_base_url}


def test_both_methods_answer_side_by_side(standin):
    comparison = compare_methods(
        PROMPT,
        repeat=3,
        client_options=client_options(standin),
        authenticators=[ApiKeyAuthenticator(standin.api_key), browser_auth(standin)],
    )
    api, web = comparison.methods
    assert api.ok and web.ok and comparison.any_ok
    assert api.answer_excerpt == web.answer_excerpt == answer_for(PROMPT)
    assert api.endpoint == f"{standin.base_url}/chat/completions"
    assert web.endpoint == standin.web_base_url.replace("http://", "ws://") + "/ws/mgw/"
    assert (api.officially_supported, web.officially_supported) == (True, False)
    assert (api.allowed_in_ci, web.allowed_in_ci) == (True, False)
    assert api.usage.total_tokens == 2 + len(answer_for(PROMPT).split()) and web.usage.total_tokens is None
    assert "api-key:model:*" in api.reach and "whole grok.com account" in web.reach
    assert api.expires.startswith("no fixed expiry") and web.expires.endswith("+00:00")
    for report in (api, web):
        assert report.runs == report.runs_ok == 3
        assert 0 < report.time_to_first_token <= report.total_time
    chats = [path for _method, path, _headers in standin.requests if path in ("/v1/chat/completions", "/ws/mgw/")]
    assert len(chats) == 6


def test_one_side_failing_does_not_stop_the_other(standin):
    comparison = compare_methods(
        PROMPT,
        client_options=client_options(standin),
        authenticators=[ApiKeyAuthenticator(make_test_key()), browser_auth(standin)],
    )
    api, web = comparison.methods
    assert not api.ok and api.error_type == "InvalidApiKeyError" and api.exit_code == 4
    assert api.runs == 1 and api.runs_ok == 0 and api.total_time is None
    assert web.ok and web.answer_excerpt == answer_for(PROMPT)


def test_a_method_that_cannot_be_set_up_is_reported_not_raised(standin):
    comparison = compare_methods(PROMPT, api_key=standin.api_key, environ={}, client_options=client_options(standin))
    api, web = comparison.methods
    assert api.ok
    assert not web.ok and web.error_type == "PolicyError" and "opt-in" in web.error and web.runs == 0


def test_bad_arguments_are_bad_input():
    with pytest.raises(errors.BadInputError):
        compare_methods(PROMPT, repeat=0)
    with pytest.raises(errors.BadInputError):
        compare_methods("  ")
    with pytest.raises(errors.BadInputError, match="No authenticator"):
        compare_methods(PROMPT, authenticators=[])


@pytest.fixture
def both_sides(standin, laptop, tmp_path):
    """The environment a user comparing both would have: a key, and a browser profile holding a session."""
    cookie_file = write_chromium_cookies(tmp_path / "profile" / "Cookies", standin.web_cookies(UA))
    env = {
        "XAI_API_KEY": standin.api_key,
        "XAI_BASE_URL": standin.base_url,
        "GROK_WEB_BASE_URL": standin.web_base_url,
        "GROK_USER_AGENT": UA,
    }
    return env, ["--unsafe-browser-cookies", "--cookie-file", str(cookie_file)]


def run(*args, env):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.BrowserCookieWarning)
        return run_cli("compare", *args, env=env)


def secrets_of(standin):
    return [standin.api_key, *standin.web_sessions, *standin.cf_clearances]  # sessions are keyed by sso


def test_cli_table_shows_both_columns(standin, both_sides):
    env, browser = both_sides
    result = run(PROMPT, *browser, "--repeat", "2", env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Official API key" in lines[0] and "Browser session" in lines[0]
    outcome = next(line for line in lines if line.startswith("outcome"))
    assert outcome.split()[1:] == ["ok", "ok"]
    assert "(medians of 2 runs)" in result.output
    for secret in secrets_of(standin):
        assert secret not in result.output


def test_cli_json_follows_the_schema_and_holds_no_secret(standin, both_sides):
    env, browser = both_sides
    result = run(PROMPT, *browser, "--json", env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, COMPARISON_SCHEMA)
    assert [m["ok"] for m in data["methods"]] == [True, True]
    assert data["methods"][1]["credential_source"].startswith("cookie-file:")
    api, web = (method["credential"] for method in data["methods"])
    assert (api["kind"], api["source"]) == ("api_key", "env:XAI_API_KEY")
    assert (web["kind"], web["source"]) == ("browser_cookie", data["methods"][1]["credential_source"])
    assert api["fingerprint"].startswith("xai-") and web["fingerprint"]
    for secret in secrets_of(standin):
        assert secret not in result.output


def test_cli_one_side_failing_still_exits_0_and_shows_the_error(standin, both_sides):
    env, browser = both_sides
    result = run(PROMPT, *browser, "--json", env={**env, "XAI_API_KEY": make_test_key()})
    assert result.exit_code == 0
    api, web = json.loads(result.stdout)["methods"]
    assert not api["ok"] and "rejected the API key" in api["error"] and web["ok"]


def test_cli_exits_with_the_first_error_when_nothing_answers(standin):
    result = run(PROMPT, env={"XAI_API_KEY": make_test_key(), "XAI_BASE_URL": standin.base_url})
    assert result.exit_code == 4 and "Traceback" not in result.output
    # the real target is named: the stand-in on loopback, not api.x.ai
    assert f"failed: 127.0.0.1:{standin.base_url.rsplit(':', 1)[1].split('/')[0]} rejected the API key" in result.output
