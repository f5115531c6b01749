"""`serve --browser-session FILE`: the grok.com side tried end to end from the command line (issue 20 item 10).

`serve` writes a throwaway Chromium cookie file logged in to its grok.com stand-in and prints the lines to
use it; `chat --auth browser --cookie-file FILE`, in another process with those lines, gets the stand-in's
answer. The file is removed when serve stops, and an existing file is never overwritten.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys

from paths import REPO

from cookie_session.errors import EXIT_BAD_INPUT
from cookie_session.settings import CONTAINER_ENV_VALUE, CONTAINER_ENV_VAR
from cookie_session.testing.standin import answer_for


def serve(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "cookie_session", "serve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def exports_and_command(process: subprocess.Popen) -> tuple[dict[str, str], list[str]]:
    """The environment serve told us to export, and the chat command it printed (read up to that line)."""
    env: dict[str, str] = {}
    while True:
        line = process.stdout.readline()
        assert line, f"serve stopped early: {process.stderr.read()}"
        if line.strip().startswith("export "):
            name, _, value = line.strip().removeprefix("export ").split("#", 1)[0].strip().partition("=")
            env[name] = shlex.split(value)[0]
        elif line.strip().startswith("cookie-session chat"):
            return env, shlex.split(line.strip())[1:]


def test_chat_through_the_browser_session_serve_wrote(tmp_path):
    cookie_file = tmp_path / "grok-session" / "Cookies"
    process = serve("--browser-session", str(cookie_file))
    try:
        exports, command = exports_and_command(process)
        assert cookie_file.exists() and oct(cookie_file.stat().st_mode & 0o777) == "0o600"
        env = {**os.environ, **exports, "PYTHONPATH": str(REPO), CONTAINER_ENV_VAR: CONTAINER_ENV_VALUE}
        env.pop("XAI_API_KEY", None)  # the browser session answers, not the key
        chat = subprocess.run(
            [sys.executable, "-m", "cookie_session", *command[:-1], "Hello"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert chat.returncode == 0, chat.stderr
        assert chat.stdout.strip() == answer_for("Hello")
        assert "--auth" in command and "browser" in command and "--cookie-file" in command
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()
    assert not cookie_file.exists()


def test_an_existing_file_is_never_overwritten(tmp_path):
    existing = tmp_path / "Cookies"
    existing.write_bytes(b"someone's real cookies")
    process = serve("--browser-session", str(existing))
    out, err = process.communicate(timeout=30)
    assert process.returncode == EXIT_BAD_INPUT
    assert "already exists" in err and "Traceback" not in err
    assert existing.read_bytes() == b"someone's real cookies"
