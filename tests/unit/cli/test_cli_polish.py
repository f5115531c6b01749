"""What a new user tripped on (issue 20 item 7): warnings as one line, `| head`, JSON error documents, the
real target named, flag combinations refused, the opt-in word, `--profile-dir`, the call limits.

Where the behaviour lives in the real process (Python's warning display, a closed pipe), the command runs as
a subprocess; the rest through click's runner.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from browser_fixtures import encrypt_cbc, make_chromium_db, make_firefox_db
from cli_runner import one_error_line, run_cli
from paths import REPO

from cookie_session.settings import CONTAINER_ENV_VALUE, CONTAINER_ENV_VAR, UNSAFE_ENV_VAR
from cookie_session.testing.standin import StandIn, answer_for, make_test_key
from cookie_session.testing.standin.chromium_profile import write_chromium_cookies
from cookie_session.user_agents import user_agent_for

UA = user_agent_for("chromium", 156, "linux")


def cookie_session(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cookie_session", *args],
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


@pytest.fixture
def standin():
    with StandIn() as server:
        yield server


def test_a_warning_is_one_plain_line(standin, tmp_path):
    cookie_file = write_chromium_cookies(tmp_path / "Cookies", standin.web_cookies(UA))
    env = {
        "GROK_WEB_BASE_URL": standin.web_base_url,
        "GROK_USER_AGENT": UA,
        CONTAINER_ENV_VAR: CONTAINER_ENV_VALUE,
        "PYTHONWARNINGS": "",
    }
    process = cookie_session(
        "chat", "--auth", "browser", "--unsafe-browser-cookies", "--cookie-file", str(cookie_file), "hi", env=env
    )
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out.decode().strip() == answer_for("hi")
    lines = err.decode().splitlines()
    assert lines and all(line.startswith("Warning: ") for line in lines), lines
    assert any("browser-cookie auth" in line for line in lines)
    assert ".py:" not in err.decode() and "warnings.warn" not in err.decode()


def test_a_reader_that_closes_the_pipe_early_is_a_normal_end(standin):
    env = {"XAI_API_KEY": standin.api_key, "XAI_BASE_URL": standin.base_url}
    process = cookie_session("chat", "-", env=env, stdin=subprocess.PIPE)
    process.stdin.write(b"word " * 60_000)  # the answer echoes it: far more than a pipe holds
    process.stdin.close()
    assert process.stdout.read(10)  # `| head -c 10`
    process.stdout.close()
    err = process.stderr.read()
    process.wait(timeout=60)
    process.stderr.close()
    assert process.returncode == 0, err
    assert b"Traceback" not in err and b"Exception ignored" not in err


def test_a_failing_json_command_prints_a_json_error_document():
    result = run_cli("models", "--json", "--base-url", "http://127.0.0.1:1/v1", env={"XAI_API_KEY": make_test_key()})
    assert result.exit_code == 6
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    error = document["error"]
    assert error["kind"] == "upstream" and error["exit_code"] == 6 and error["type"] == "ConnectionFailedError"
    assert "127.0.0.1:1" in error["message"] and one_error_line(result).startswith("Error: Could not connect")


@pytest.mark.parametrize(
    "args, kind, code",
    [
        (("chat", "--json", "--no-such-option", "hi"), "usage", 2),
        (("whoami", "--json"), "no_credentials", 3),
        (("chat", "--json", "--auth", "browser", "hi"), "refused_by_policy", 5),
        (("cookies", "--json", "--cookie-file", "/nonexistent/Cookies", "--unsafe-browser-cookies"), "", 0),
    ],
)
def test_every_kind_of_failure_gets_its_document(args, kind, code, laptop):
    result = run_cli(*args)
    document = json.loads(result.stdout)
    assert document["error"]["exit_code"] == result.exit_code != 0
    if kind:
        assert (document["error"]["kind"], result.exit_code) == (kind, code)
    assert document["error"]["message"] in result.stderr  # the same line on stderr


def test_status_json_without_credentials_prints_one_document_and_points_at_it(laptop):
    result = run_cli("status", "--json")
    assert result.exit_code == 3
    document = json.loads(result.stdout)  # one document: the status, not an error document after it
    assert document["in_use"] is None and "error" not in document
    assert "listed above" not in result.stderr and "sources" in result.stderr


def test_a_wrong_key_names_the_real_target(standin):
    result = run_cli("models", env={"XAI_API_KEY": make_test_key(), "XAI_BASE_URL": standin.base_url})
    line = one_error_line(result)
    assert result.exit_code == 4 and f"127.0.0.1:{standin.base_url.split(':')[2].split('/')[0]}" in line
    assert "api.x.ai" not in line.split(".", 1)[0]


def test_diff_and_fix_together_are_a_usage_error(tmp_path):
    (tmp_path / "a.py").write_text("print('hi')\n")
    result = run_cli("migrate", "--diff", "--fix", str(tmp_path))
    assert result.exit_code == 2 and "choose one" in result.stderr


def test_compare_words_refusals_as_the_command_line_does(standin):
    result = run_cli("compare", "hi", env={"XAI_API_KEY": standin.api_key, "XAI_BASE_URL": standin.base_url})
    assert result.exit_code == 0
    assert "--unsafe-browser-cookies" in result.stdout and "unsafe_browser_cookies=True" not in result.stdout


def test_a_wrong_opt_in_word_is_named(laptop):
    result = run_cli("cookies", env={UNSAFE_ENV_VAR: "yes"})
    line = one_error_line(result)
    assert result.exit_code == 5 and "is set but not to the word 'i-understand-the-risks'" in line


def test_cookies_reads_a_profile_folder(tmp_path, laptop):
    profile = tmp_path / "firefox" / "abc.default-release"
    make_firefox_db(profile / "cookies.sqlite", [{"host": ".grok.com", "name": "sso", "value": "s" * 30}])
    result = run_cli("cookies", "--unsafe-browser-cookies", "--profile-dir", str(profile), "--json")
    assert result.exit_code == 0, result.stderr
    assert [c["name"] for c in json.loads(result.stdout)["cookies"]] == ["sso"]
    chromium = make_chromium_db(
        tmp_path / "chromium" / "Default" / "Cookies",
        [{"host": ".grok.com", "name": "sso", "encrypted": encrypt_cbc("S" * 30, ".grok.com"), "expires": None}],
    )
    both = run_cli("cookies", "--unsafe-browser-cookies", "--profile-dir", str(profile), "--cookie-file", str(chromium))
    assert both.exit_code == 2 and "give one of them" in both.stderr


def test_the_call_limits_are_options(standin):
    env = {"XAI_API_KEY": standin.api_key, "XAI_BASE_URL": standin.base_url}
    result = run_cli("chat", "--no-stream", "--max-answer-bytes", "8", "a longer prompt than that", env=env)
    assert result.exit_code == 6 and "8" in one_error_line(result)
    started = time.monotonic()
    assert run_cli("chat", "--deadline", "30", "hi", env=env).stdout.strip() == answer_for("hi")
    assert time.monotonic() - started < 30
    assert run_cli("chat", "--deadline", "0", "hi", env=env).exit_code == 2  # not a usable limit
