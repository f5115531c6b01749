"""`migrate` on hostile input (issue 15, class 5): git config that would run a command, FIFOs, and lines built to
make a backtracking regex take quadratic time."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from cookie_session.migrate import scan
from cookie_session.migrate.history import scan_history
from cookie_session.testing.standin import make_test_key

GIT_ID = ["-c", "user.email=dev@example.invalid", "-c", "user.name=dev"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *GIT_ID, "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def booby_trapped_repo(tmp_path):
    """A repository whose .git/config runs a command (creating `marker`) from every key git might execute."""
    repo, marker = tmp_path / "repo", tmp_path / "marker"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".env").write_text(f"XAI_API_KEY={make_test_key()}\n")
    (repo / "app.py").write_text("print('hi')\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "with a key")
    (repo / ".env").write_text("XAI_API_KEY=\n")
    git(repo, "commit", "-qam", "key removed")
    command = f"touch {marker}"
    with open(repo / ".git" / "config", "a") as config:
        config.write(
            f'[core]\n\tfsmonitor = "{command}"\n\tpager = {command}\n\tsshCommand = {command}\n'
            f'[diff]\n\texternal = {command}\n[diff "trap"]\n\ttextconv = {command}\n'
            f'[filter "trap"]\n\tclean = {command}\n\tsmudge = {command}\n\tprocess = {command}\n'
            f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {command}\n"
        )
    (repo / ".gitattributes").write_text("* diff=trap filter=trap\n")
    return repo, marker


def test_the_trap_is_real(booby_trapped_repo):
    repo, marker = booby_trapped_repo
    subprocess.run(["git", "-C", str(repo), "status"], capture_output=True, check=False)
    assert marker.exists(), "plain git runs the repository's fsmonitor: the test below proves something"


def test_scan_runs_nothing_from_the_scanned_repository(booby_trapped_repo):
    repo, marker = booby_trapped_repo
    result = scan([repo])
    assert result.files_scanned >= 2
    assert not marker.exists()


def test_history_runs_nothing_from_the_scanned_repository(booby_trapped_repo):
    repo, marker = booby_trapped_repo
    hits = scan_history(repo)
    assert [(h.path, h.line) for h in hits] == [(".env", 1)]  # it still reads the history
    assert not marker.exists()


def test_fix_runs_nothing_from_the_scanned_repository(booby_trapped_repo):
    from cookie_session.migrate.fix import apply, plan_fixes

    repo, marker = booby_trapped_repo
    (repo / "run.py").write_text(
        "from cookie_session import resolve_authenticator\na = resolve_authenticator(unsafe_browser_cookies=True)\n"
    )
    plan = plan_fixes([repo])
    apply(plan)
    assert [change.path.name for change in plan.changes] == ["run.py"]
    assert not marker.exists()


def test_git_variables_of_the_caller_do_not_redirect_git(booby_trapped_repo, monkeypatch, tmp_path):
    repo, marker = booby_trapped_repo
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", f"touch {marker}")
    monkeypatch.setenv("GIT_PAGER", f"touch {marker}")
    scan([repo])
    scan_history(repo)
    assert not marker.exists()


def _finishes(function, seconds: float = 20.0) -> bool:
    done = threading.Event()
    thread = threading.Thread(target=lambda: (function(), done.set()), daemon=True)
    thread.start()
    return done.wait(seconds)


def test_a_fifo_in_the_tree_is_skipped_without_hanging(tmp_path):
    (tmp_path / "app.py").write_text("import browser_cookie3\n")
    os.mkfifo(tmp_path / "pipe.py")
    results = []
    assert _finishes(lambda: results.append(scan([tmp_path])))
    assert [f.rule_id for f in results[0].findings] == ["CS101"]
    assert results[0].notices == []


def test_a_fifo_named_on_the_command_line_is_a_notice_not_a_hang(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo("pipe.env")
    results = []
    assert _finishes(lambda: results.append(scan(["pipe.env"])))
    assert [(n.path, n.message) for n in results[0].notices] == [
        ("pipe.env", "skipped: not a regular file (a FIFO, socket or device)")
    ]
    assert results[0].files_scanned == 0


# --- linear time on long lines --------------------------------------------------------------------------------
# Each line repeats a unit that starts a match again and again without ever completing it, the shape that makes
# a backtracking `a.*b` or `\s*(.*?)\s*$` quadratic. Ten times the length must cost about ten times the time.
HOSTILE_LINES = {
    "py-flag-in-command": ("x.py", lambda n: 'CMD = "' + "cookie-session " * (n // 15) + '"'),
    "py-fallback-cookies": ("x.py", lambda n: "def (:\n" + "get(" * (n // 4)),
    "py-fallback-print": ("x.py", lambda n: "def (:\n" + "print(" * (n // 6)),
    "shell-echo": ("x.sh", lambda n: "echo " * (n // 5)),
    "env-spaces": (".env", lambda n: "XAI_API_KEY=x" + " " * n + "y"),
    "env-comment-spaces": (".env", lambda n: "TOKEN=abc" + " " * n + "#"),
    "code-cookie-colon": ("x.js", lambda n: "cookie: " * (n // 8)),
    "config-bearer": ("x.yaml", lambda n: "Bearer " * (n // 7)),
    "text-key-prefix": ("x.md", lambda n: "xai-" * (n // 4)),
}


def _scan_seconds(tmp_path: Path, name: str, text: str) -> float:
    path = tmp_path / name
    path.write_text(text)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        scan([path])
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("case", sorted(HOSTILE_LINES))
def test_scan_time_grows_linearly_with_line_length(tmp_path, case):
    name, make = HOSTILE_LINES[case]
    small = _scan_seconds(tmp_path, name, make(20_000))
    large = _scan_seconds(tmp_path, name, make(200_000))
    assert large / max(small, 1e-4) < 30, f"{case}: {small:.4f}s -> {large:.4f}s for 10x the length"


def test_a_very_long_line_is_bounded_for_patterns_but_searched_whole_for_keys(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    key = make_test_key()
    Path("long.sh").write_text("echo " + "x" * 70_000 + " cookie-session chat --unsafe-browser-cookies " + key + "\n")
    result = scan(["long.sh"])
    assert [f.rule_id for f in result.findings] == ["CS201"]  # the key, 70k characters in
    assert [n.message for n in result.notices] == [
        "1 line(s) longer than 65536 characters (first: line 1): secrets searched on whole lines, other rules on "
        "the first 65536 characters"
    ]
