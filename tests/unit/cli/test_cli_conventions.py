"""What a new user of the command line relies on: help and version, start-up without command modules,
completion, messages in command-line words with distinct exit codes, --json documents, serve, Ctrl-C."""

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
from cli_runner import one_error_line as error_line, run_cli
from paths import REPO

from cookie_session.cli import COMMANDS, cli
from cookie_session.cli._progress import waiting
from cookie_session.testing.standin import StandIn, answer_for

ROOT = REPO
#: A Python argument or call in a message (api_key=..., check_format=False, container_is_local=True).
LIBRARY_WORDS = re.compile(r"\b[a-z_]+=(\.\.\.|True|False)|\b[A-Z]\w+\(")


def run(*args, env=None, input=None):
    return run_cli(*args, env=env, input=input)


def cli_process(*args, env=None, **options):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cookie_session", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        **options,
    )


@pytest.fixture
def api_env(standin):
    return {"XAI_API_KEY": standin.api_key, "XAI_BASE_URL": standin.base_url}


# --- help, version, start-up ----------------------------------------------------------------------


def test_short_version_flag():
    assert run("-V").output.strip() == run("--version").output.strip() == "cookie-session, version 0.1.0"


def test_bare_command_prints_help_and_exits_0():
    result = run()
    assert result.exit_code == 0 and "Usage:" in result.output and "Commands:" in result.output
    process = cli_process()
    assert process.returncode == 0 and process.stdout.startswith("Usage: cookie-session")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_first_help_line_says_what_it_does(name):
    command = cli.get_command(None, name)
    first = command.help.strip().splitlines()[0]
    assert first == COMMANDS[name][2], "the summary in cli.COMMANDS must be the command's own first help line"
    assert not first.startswith(("Scan PATH", name.upper())) and len(first) > 30
    shown = run(name, "--help").output
    assert " ".join(first.split()) in " ".join(shown.split())


def test_help_lists_every_command_and_imports_no_command_module():
    code = (
        "import runpy, sys\nsys.argv = ['cookie-session', '--help']\n"
        "try:\n    runpy.run_module('cookie_session', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print('MODULES', sorted(m for m in sys.modules if m.startswith('cookie_session')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    help_text, modules = result.stdout.split("MODULES ")
    loaded = eval(modules)  # a list literal printed above
    command_modules = {f"cookie_session.cli.{module}" for module, _f, _s in COMMANDS.values()}
    assert not command_modules & set(loaded), loaded
    assert not {"requests", "cookie_session.client", "cookie_session.auth.chain"} & set(loaded)
    for name, (_module, _function, summary) in COMMANDS.items():
        assert re.search(rf"^\s+{name}\s+{re.escape(summary.split()[0])}", help_text, re.M), name


def test_shell_completion_as_readme_documents():
    readme = (ROOT / "README.md").read_text()
    assert "_COOKIE_SESSION_COMPLETE=bash_source cookie-session" in readme
    script = cli_process(env={"_COOKIE_SESSION_COMPLETE": "bash_source"})
    assert "complete " in script.stdout and "_cookie_session_completion" in script.stdout
    completed = cli_process(
        env={"_COOKIE_SESSION_COMPLETE": "bash_complete", "COMP_WORDS": "cookie-session st", "COMP_CWORD": "1"}
    )
    assert "plain,status" in completed.stdout.splitlines()


# --- messages a command-line user can act on --------------------------------------------------------


def test_no_message_names_a_library_argument(standin, tmp_path):
    bad = {"XAI_API_KEY": "xai-typo", "XAI_BASE_URL": standin.base_url}
    results = [
        run("chat", "hi", env=bad),
        run("models", env={}),
        run("status", env={}),
        run("chat", "hi", "--auth", "browser", env={}),
        run("chat", "hi", "--auth", "browser", "--unsafe-browser-cookies", env={"container": "docker"}),
    ]
    for result in results:
        assert result.exit_code != 0
        assert not LIBRARY_WORDS.search(error_line(result)), error_line(result)


def test_no_credentials_is_short_and_status_lists_sources_on_lines():
    line = error_line(run("models", env={}))
    assert line.startswith("Error: No credentials found.") and len(line) < 160
    status = run("status")
    assert status.exit_code == 3
    line = error_line(status)
    assert "env:XAI_API_KEY" not in line and "not set" not in line and len(line) < 160  # the table is above
    assert "- env:XAI_API_KEY: XAI_API_KEY not set" in status.stdout


def test_unknown_model_only_when_the_service_says_so(api_env):
    result = run("chat", "hi", "--model", "grok-9", env=api_env)
    assert result.exit_code == 6 and "Unknown model" in error_line(result)


def test_a_404_on_a_route_says_the_url_looks_wrong(standin):
    without_v1 = standin.base_url.removesuffix("/v1")
    for args in (("chat", "hi", "--no-stream"), ("models",)):
        result = run(*args, env={"XAI_API_KEY": standin.api_key, "XAI_BASE_URL": without_v1})
        line = error_line(result)
        assert result.exit_code == 6 and "Unknown model" not in line
        assert "base URL looks wrong" in line and "https://api.x.ai/v1" in line


def test_a_streamed_chat_that_fails_before_any_text_prints_nothing_on_stdout(standin):
    without_v1 = standin.base_url.removesuffix("/v1")
    result = run("chat", "hi", env={"XAI_API_KEY": standin.api_key, "XAI_BASE_URL": without_v1})
    assert result.exit_code == 6 and "base URL looks wrong" in error_line(result)
    assert result.stdout == ""  # no stray blank line for a script capturing the answer


def test_413_says_the_prompt_is_too_large(api_env):
    result = run("chat", "x" * (1 << 20), "--no-stream", env=api_env)
    line = error_line(result)
    assert result.exit_code == 6 and "prompt is too large" in line


def test_a_piped_prompt_loses_its_trailing_newline(api_env):
    assert run("chat", "-", "--no-stream", env=api_env, input="from stdin\n").stdout.strip() == answer_for("from stdin")


def test_binary_stdin_is_bad_input(api_env):
    result = run("chat", "-", env=api_env, input=b"\xff\xfe\x00\x01")
    assert result.exit_code == 7 and "not UTF-8 text" in error_line(result)


def test_closed_stdin_is_bad_input(api_env):
    result = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m cookie_session chat - <&-'],
        env={**os.environ, "PYTHONPATH": str(ROOT), **api_env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 7, result.stderr
    assert result.stderr.strip().startswith("Error: Standard input is closed") and "Traceback" not in result.stderr


def test_migrate_output_to_an_unwritable_path_is_a_usage_error(tmp_path):
    (tmp_path / "clean.py").write_text("print('hi')\n")
    result = run("migrate", str(tmp_path / "clean.py"), "-o", str(tmp_path / "no" / "such" / "dir" / "r.txt"))
    assert result.exit_code == 2 and error_line(result)


def test_ctrl_c_during_a_stream_ends_the_line_first():
    with StandIn(stream_delay=0.4) as slow:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "XAI_API_KEY": slow.api_key, "XAI_BASE_URL": slow.base_url}
        process = subprocess.Popen(
            [sys.executable, "-m", "cookie_session", "chat", "a long question"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        first = process.stdout.read(5)  # the answer has started
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert first and process.returncode == 130
    assert (first + out).endswith(b"\n") and err.decode().strip().endswith("Interrupted.")


# --- output conventions ---------------------------------------------------------------------------


def test_whoami_says_yes_or_no(api_env):
    text = run("whoami", env=api_env).stdout
    assert "Usable:     yes (blocked: no, disabled: no, team blocked: no)" in text
    assert "True" not in text and "False" not in text


def test_every_json_output_has_a_schema_version_and_separate_fields(api_env, standin):
    documents = {
        args[0]: json.loads(run(*args, "--json", env=api_env).stdout)
        for args in (("status",), ("chat", "hi"), ("models",), ("whoami",))
    }
    assert all(doc["schema_version"] == 1 for doc in documents.values())
    in_use = documents["status"]["in_use"]
    assert in_use == {"kind": "api_key", "fingerprint": f"xai-…{standin.api_key[-4:]}", "source": "env:XAI_API_KEY"}
    assert documents["whoami"]["credential"] == in_use
    assert documents["status"]["locality"].keys() >= {"local", "reasons", "container", "container_vouched"}
    assert [m["id"] for m in documents["models"]["models"]] == list(standin.models)
    assert standin.api_key not in json.dumps(documents)


def test_progress_shows_on_a_terminal_after_the_delay_only():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    slow, fast, piped = Terminal(), Terminal(), io.StringIO()
    with waiting("Waiting for the answer", stream=slow, delay=0.2, interval=0.05):
        time.sleep(0.5)
    with waiting("Waiting for the answer", stream=fast, delay=0.2):
        pass
    with waiting("Waiting for the answer", stream=piped, delay=0.0, interval=0.05):
        time.sleep(0.2)
    assert "Waiting for the answer" in slow.getvalue() and slow.getvalue().endswith("\r")  # cleared at the end
    assert fast.getvalue() == "" and piped.getvalue() == ""


def test_the_progress_indicator_never_reaches_stdout_or_a_pipe(api_env):
    result = cli_process("chat", "hi", "--no-stream", env=api_env)
    assert result.stdout.strip() == answer_for("hi") and result.stderr == ""


# --- the container override on the command line ----------------------------------------------------


def test_status_shows_the_verdict_with_the_override(laptop):
    refused = run("status", "--json", env={"container": "docker"})
    assert json.loads(refused.stdout)["locality"]["local"] is False
    assert "--container-is-local" in run("status", env={"container": "docker"}).stdout
    for args, env in (
        (("--container-is-local",), {"container": "docker"}),
        ((), {"container": "docker", "COOKIE_SESSION_CONTAINER_IS_LOCAL": "yes"}),
    ):
        data = json.loads(run("status", "--json", *args, env=env).stdout)["locality"]
        assert data == {"local": True, "reasons": [], "container": ["container"], "container_vouched": True}
        assert "vouched" in run("status", *args, env=env).stdout


def test_the_refusal_names_the_override_only_when_the_container_is_the_only_reason(laptop):
    alone = run("chat", "hi", "--auth", "browser", "--unsafe-browser-cookies", env={"container": "docker"})
    assert alone.exit_code == 5 and "--container-is-local" in error_line(alone)
    with_ci = run(
        "chat",
        "hi",
        "--auth",
        "browser",
        "--unsafe-browser-cookies",
        "--container-is-local",
        env={"container": "docker", "CI": "true"},
    )
    assert with_ci.exit_code == 5 and "CI environment" in error_line(with_ci)
    assert "container" not in error_line(with_ci)
    no_opt_in = run("chat", "hi", "--auth", "browser", "--container-is-local", env={"container": "docker"})
    assert no_opt_in.exit_code == 5 and "--unsafe-browser-cookies" in error_line(no_opt_in)


@pytest.mark.parametrize("command", ["status", "chat", "models", "whoami", "cookies", "compare"])
def test_every_command_that_authenticates_takes_the_override(command):
    assert "--container-is-local" in run(command, "--help").output


# --- serve ---------------------------------------------------------------------------------------


def _serve(*args):
    return subprocess.Popen(
        [sys.executable, "-m", "cookie_session", "serve", *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serve_prints_both_urls_and_the_key_logs_with_v_and_stops_with_ctrl_c():
    import requests

    process = _serve("-v")
    lines = [process.stdout.readline() for _ in range(6)]
    api_url = lines[0].split()[-1]
    web_url = lines[1].split()[-1]
    key = next(line for line in lines if "XAI_API_KEY=" in line).split("=", 1)[1].split()[0]
    assert (
        api_url.startswith("http://127.0.0.1:") and api_url.endswith("/v1") and web_url.startswith("http://127.0.0.1:")
    )
    reply = requests.get(api_url + "/models?debug=1", headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert reply.status_code == 200
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "GET /v1/models 200" in err and "debug" not in err and "Traceback" not in err


def test_serve_on_a_busy_port_is_one_error_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = cli_process("serve", "--port", str(busy.getsockname()[1]))
    assert result.returncode == 7
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("Error: Cannot listen on 127.0.0.1:")
