"""`migrate` output in a tree a hostile repository chose (issue 19 item 5): a file name cannot forge a report
line or a diff header nor drive the terminal, `--diff` masks every secret the scan masks, and `--history`
never opens a path the repository names."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest
from cli_runner import run_cli
from test_migrate_corpus import random_clearance, random_session_jwt

from cookie_session.migrate.history import scan_history
from cookie_session.testing.standin import make_test_key

GIT_ID = ["-c", "user.email=dev@example.invalid", "-c", "user.name=dev", "-c", "commit.gpgsign=false"]
#: A name that, printed raw, would end the header line and forge the next ones, and colour the terminal.
FORGING_NAME = "a\n+++ b\n@@ -9 +9 @@\n+forged\x1b[31m.py"
FORGED_LINES = ("+++ b", "@@ -9 +9 @@")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *GIT_ID, "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    return root


def _no_raw_control(text: str) -> None:
    assert not [ch for ch in text if not ch.isprintable() and ch not in "\n\t"], repr(text)


# --- file names on the terminal ---------------------------------------------------------------------------------
def test_a_file_name_cannot_forge_a_diff_header(repo):
    (repo / FORGING_NAME).write_text(f'API_KEY = "{make_test_key()}"\nprint(len(API_KEY))\n')
    result = run_cli("migrate", "--diff", ".")
    headers = [line for line in result.stdout.splitlines() if line.startswith(("--- ", "+++ ", "@@"))]
    assert headers[:2] == [
        '--- "a/a\\n+++ b\\n@@ -9 +9 @@\\n+forged\\x1b[31m.py"',
        '+++ "b/a\\n+++ b\\n@@ -9 +9 @@\\n+forged\\x1b[31m.py"',
    ]
    assert not set(FORGED_LINES) & set(result.stdout.splitlines())
    _no_raw_control(result.stdout + result.stderr)


def test_a_file_name_cannot_forge_a_line_of_the_report(repo):
    (repo / FORGING_NAME).write_text("import browser_cookie3\n")
    result = run_cli("migrate", ".")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("a\\n+++ b\\n@@ -9 +9 @@\\n+forged\\x1b[31m.py:1:1: CS101 [error]")
    assert not set(FORGED_LINES) & set(lines)
    _no_raw_control(result.stdout + result.stderr)


def test_the_fix_summary_shows_names_escaped(repo):
    (repo / "\x1b]0;owned\x07.py").write_text(f'API_KEY = "{make_test_key()}"\n')
    result = run_cli("migrate", "--fix", ".")
    assert "fixed: \\x1b]0;owned\\x07.py: hard-coded key" in result.stderr
    _no_raw_control(result.stdout + result.stderr)


def test_a_line_of_the_file_reaches_the_diff_escaped(repo):
    (repo / "proto.py").write_text(
        f'API_KEY = "{make_test_key()}"\nBANNER = "\x1b[2J\x1b]8;;http://evil\x07click\x1b]8;;\x07"\n'
    )
    result = run_cli("migrate", "--diff", ".")
    assert ' BANNER = "\\x1b[2J\\x1b]8;;http://evil\\x07click\\x1b]8;;\\x07"' in result.stdout
    _no_raw_control(result.stdout)


# --- secrets in --diff --------------------------------------------------------------------------------------------
def test_diff_masks_env_values_bearer_and_session_tokens(repo):
    openai, sso, clearance = "sk-proj-" + os.urandom(16).hex(), random_session_jwt(), random_clearance()
    (repo / ".env").write_text(
        f"OPENAI_API_KEY={openai}\nGROK_SSO={sso}\nCOOKIE_SESSION_UNSAFE_BROWSER_COOKIES=i-understand-the-risks\n"
    )
    bearer = "tok" + os.urandom(20).hex() + "Z"
    (repo / "proto.py").write_text(
        f'API_KEY = "{make_test_key()}"\n'
        f'OTHER = {{"Authorization": "Bearer {bearer}"}}\n'
        f'COOKIE = "sso={sso}; cf_clearance={clearance}"\n'
    )
    result = run_cli("migrate", "--diff", ".")
    assert "-COOKIE_SESSION_UNSAFE_BROWSER_COOKIES" in result.stdout  # the .env is in the diff, with context
    assert " OPENAI_API_KEY=…(40 chars)" in result.stdout and " GROK_SSO=…(" in result.stdout
    assert f' COOKIE = "sso=…({len(sso)} chars); cf_clearance=…({len(clearance)} chars)"' in result.stdout
    for secret in (openai, sso, clearance, bearer):
        assert secret not in result.stdout + result.stderr


# --- --history reads only what git gives ----------------------------------------------------------------------
def _history_key(repo: Path) -> str:
    key = make_test_key()
    (repo / "app.py").write_text(f'KEY = "{key}"\n')
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "key")
    (repo / "app.py").write_text('import os\nKEY = os.environ["XAI_API_KEY"]\n')
    git(repo, "commit", "-qam", "key gone")
    return key


def test_history_does_not_block_on_a_fifo_at_a_path_the_history_names(repo):
    _history_key(repo)
    (repo / "app.py").unlink()
    os.mkfifo(repo / "app.py")  # a later checkout, or the clone itself, can put one there
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("hits", scan_history(repo)), daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "--history blocked on a FIFO"
    assert [hit.path for hit in outcome["hits"]] == ["app.py"]


def test_history_is_not_silenced_by_a_link_to_a_file_holding_the_secret(repo, tmp_path):
    key = _history_key(repo)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text(key)  # a link could make the work tree look as if it still held the key
    (repo / "app.py").unlink()
    (repo / "app.py").symlink_to(elsewhere)
    assert [hit.path for hit in scan_history(repo)] == ["app.py"]


def test_history_finds_session_tokens_with_the_right_advice(repo):
    sso = random_session_jwt()
    (repo / "grok.sh").write_text(f"curl -b 'sso={sso}' https://grok.com/rest/rate-limits\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "session")
    (repo / "grok.sh").write_text('curl -b "sso=$GROK_SSO" https://grok.com/rest/rate-limits\n')
    git(repo, "commit", "-qam", "session gone")
    result = run_cli("migrate", "--history", ".")
    assert (
        f"grok.sh:1:10: CS207 [error] Secret still in git history: grok.com session token sso=…({len(sso)} chars)"
        in (result.stdout)
    )
    assert "sign out of every grok.com session" in result.stdout
    assert sso not in result.stdout + result.stderr
