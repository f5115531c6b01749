"""The offline tour, end to end, as a newcomer runs it: `cookie-session demo` in a fresh process."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from cli_runner import run_cli
from installed import IN_CI, require

from cookie_session.testing.headless import find_chromium

KEY_SHAPE = re.compile(r"xai-[A-Za-z0-9_]{80}")
STEPS = (
    "1. Started the stand-ins",
    "2. status",
    "3. The calling code, through the official API key",
    "4. A throwaway browser profile",
    "5. The same calling code, through the browser session",
    "6. compare",
    "7. The locality gate",
    "8. migrate",
    "Done",
)


def check_tour(out: str) -> None:
    positions = [out.index(step) for step in STEPS]
    assert positions == sorted(positions)
    assert "chat (api_key, grok-4): Stand-in answer" in out and "chat (browser_cookie, auto): Stand-in answer" in out
    assert "InvalidApiKeyError" not in out or "exit 4" in out
    outcome = next(line for line in out.splitlines() if line.strip().startswith("outcome"))
    assert outcome.split()[1:] == ["ok", "ok"]
    assert "PolicyError (CLI exit 5)" in out and "CI environment" in out
    assert re.search(r"grok_prototype\.py:\d+:\d+: CS101 \[error\] ", out) and "Hard-coded xAI API key: xai-…" in out
    assert re.search(r"\d+ findings \(\d+ errors?, .*\) in 1 file; 1 file scanned\.", out)  # the CLI's own format
    assert not KEY_SHAPE.search(out)  # the throwaway key and the prototype's key are only shown masked


@pytest.fixture
def scratch():
    """An empty temp dir with a short path (Chromium's singleton socket path must stay under 108 bytes)."""
    path = tempfile.mkdtemp(prefix="cs-demo-")
    yield Path(path)
    shutil.rmtree(path)


def test_demo_runs_offline_end_to_end_and_leaves_nothing_behind(scratch):
    env = {**os.environ, "TMPDIR": str(scratch)}
    result = subprocess.run(
        [sys.executable, "-m", "cookie_session", "demo"], capture_output=True, text=True, env=env, timeout=180
    )
    assert result.returncode == 0, result.stderr
    check_tour(result.stdout)
    if find_chromium() is not None or IN_CI:  # CI installs chromium, so the tour must use it there
        assert "a real headless Chromium logged in" in result.stdout
    assert "Traceback" not in result.stderr
    assert list(scratch.iterdir()) == []  # throwaway profile, prototype and stand-in files all deleted


def test_without_a_browser_the_demo_writes_the_chromium_database_itself(monkeypatch, tmp_path):
    import cookie_session.testing.headless as headless

    monkeypatch.setattr(headless, "find_chromium", lambda: None)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = run_cli("demo")
    assert result.exit_code == 0, result.output
    assert "the demo wrote a Chromium-format cookie database itself" in result.output
    check_tour(result.output)
    assert [p for p in tmp_path.iterdir() if p.name.startswith("cookie-session")] == []


@pytest.mark.skipif(sys.platform != "linux", reason="the demo's browser is Debian's chromium")
def test_ci_installs_the_browser_the_demo_uses():
    assert require(find_chromium, "chromium")
