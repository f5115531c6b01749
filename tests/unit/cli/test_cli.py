"""The command line through click's CliRunner: output, exit codes, and never the key."""

import json

import pytest
from cli_runner import one_error_line, run_cli

from cookie_session.testing.standin import answer_for, make_test_key


@pytest.fixture
def run():
    def invoke(*args, env=None, input=None):
        result = run_cli(*args, env=env, input=input)
        return result

    return invoke


@pytest.fixture
def api_env(standin):
    return {"XAI_API_KEY": standin.api_key, "XAI_BASE_URL": standin.base_url}


def assert_no_key(result, key):
    assert key not in result.output and key not in (result.stderr or "")


def test_help_and_version(run):
    assert "demo" in run("--help").output
    assert run("--version").output.strip() == "cookie-session, version 0.1.0"
    for command in ("status", "chat", "models", "whoami", "demo", "serve"):
        assert run(command, "--help").exit_code == 0


def test_chat_streams_by_default(run, api_env, standin):
    result = run("chat", "hello", env=api_env)
    assert result.exit_code == 0
    assert result.stdout.strip() == answer_for("hello")
    assert_no_key(result, standin.api_key)


def test_chat_json_is_machine_readable_and_masked(run, api_env, standin):
    result = run("chat", "hello", "--json", "--model", "grok-3", "--max-tokens", "3", env=api_env)
    data = json.loads(result.stdout)
    assert data["auth_kind"] == "api_key" and data["auth_source"] == "env:XAI_API_KEY"
    assert data["model"] == "grok-3" and len(data["text"].split()) == 3
    assert data["usage"]["completion_tokens"] == 3
    assert_no_key(result, standin.api_key)


def test_chat_reads_the_prompt_from_stdin(run, api_env):
    result = run("chat", "-", "--no-stream", env=api_env, input="from stdin")
    assert result.stdout.strip() == answer_for("from stdin")


def test_models_and_whoami(run, api_env, standin):
    assert run("models", env=api_env).stdout.split() == ["grok-4", "grok-3", "grok-3-mini"]
    assert [m["id"] for m in json.loads(run("models", "--json", env=api_env).stdout)["models"]][0] == "grok-4"
    who = run("whoami", env=api_env)
    assert "stand-in key" in who.stdout and f"xai-…{standin.api_key[-4:]}" in who.stdout
    data = json.loads(run("whoami", "--json", env=api_env).stdout)
    assert data["usable"] is True and data["credential"]["fingerprint"].startswith("xai-…")
    for result in (who,):
        assert_no_key(result, standin.api_key)


def test_status_shows_sources_masked_and_checks(run, api_env, standin):
    result = run("status", "--check", env=api_env)
    assert result.exit_code == 0
    assert f"* env:XAI_API_KEY: xai-…{standin.api_key[-4:]}" in result.stdout
    assert "Check: ok" in result.stdout
    assert_no_key(result, standin.api_key)
    data = json.loads(run("status", "--json", "--check", env=api_env).stdout)
    assert data["check"]["ok"] is True
    assert [s["in_use"] for s in data["sources"]] == [False, True, False]
    assert standin.api_key not in json.dumps(data)


def test_status_without_credentials_exits_3(run):
    result = run("status")
    assert result.exit_code == 3
    assert "- env:XAI_API_KEY: XAI_API_KEY not set" in result.stdout
    assert result.stderr.startswith("Error: No credentials found")


@pytest.mark.parametrize(
    "args, env_extra, code, words",
    [
        (("chat", "hi"), {"XAI_API_KEY": None}, 3, "No credentials found"),
        (("chat", "hi"), {"XAI_API_KEY": "WRONG"}, 4, "Incorrect API key"),
        (("chat", "hi"), {"XAI_API_KEY": "BLOCKED"}, 4, "blocked"),
        (("chat", "hi"), {"XAI_API_KEY": "xai-typo"}, 7, "does not look like an xAI key"),
        (("chat", "hi", "--model", "grok-9"), {}, 6, "Unknown model"),
        (("chat", "hi"), {"XAI_BASE_URL": "http://api.x.ai/v1"}, 7, "plain http"),
        (("chat", "   "), {}, 7, "prompt is empty"),
        (("status", "--check"), {"XAI_API_KEY": "WRONG"}, 4, "Incorrect API key"),
    ],
)
def test_expected_failures_are_one_line_with_distinct_codes(run, api_env, standin, args, env_extra, code, words):
    env = dict(api_env)
    for name, value in env_extra.items():
        if value == "WRONG":
            value = make_test_key()
        elif value == "BLOCKED":
            value = standin.add_key(blocked=True)
        env[name] = value
    result = run(*args, env=env)
    assert words in one_error_line(result, code)
    if args[0] == "chat":
        assert result.stdout == ""  # `chat > answer.txt` leaves an empty file, not a blank line, on failure
    for value in env.values():
        if value and value.startswith("xai-") and len(value) > 20:
            assert value not in result.output


def test_rate_limit_exit_code_and_hint(run, api_env, standin):
    standin.fail_next("rate_limit")
    result = run("models", "--retries", "0", env=api_env)
    assert result.exit_code == 6 and "Wait 1 s" in result.stderr


def test_usage_errors_exit_2(run):
    assert run("chat").exit_code == 2
    assert run("chat", "hi", "--max-tokens", "0").exit_code == 2
    assert run("nope").exit_code == 2
