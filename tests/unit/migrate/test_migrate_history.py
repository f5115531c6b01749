"""`migrate --history`: secrets a commit added that the work tree no longer holds, found with commit, path and line,
masked; never a secret that was never committed, nor one the ordinary scan already reports."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_runner import run_cli

from cookie_session.errors import EXIT_BAD_INPUT, EXIT_USAGE
from cookie_session.migrate.history import scan_history
from cookie_session.testing.standin import make_test_key

GIT_ID = ["-c", "user.email=dev@example.invalid", "-c", "user.name=dev", "-c", "commit.gpgsign=false"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *GIT_ID, "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    commit(root, {"README.md": "hello\n"}, "start")
    monkeypatch.chdir(root)
    return root


def test_a_key_committed_then_removed_is_found_with_commit_path_and_line(repo):
    key = make_test_key()
    added = commit(repo, {"app/main.py": f'import os\n\nAPI_KEY = "{key}"\n'}, "add key")
    commit(repo, {"app/main.py": 'import os\n\nAPI_KEY = os.environ["XAI_API_KEY"]\n'}, "remove key")
    hits = scan_history(repo)
    assert [(h.commit, h.path, h.line, h.col, h.masked) for h in hits] == [
        (added, "app/main.py", 3, 12, f"xai-…{key[-4:]}")
    ]
    assert key not in repr(hits)


def test_a_key_never_committed_is_not_history(repo):
    (repo / "local.py").write_text(f'KEY = "{make_test_key()}"\n')  # in the work tree only
    git(repo, "add", "local.py")  # even staged
    assert scan_history(repo) == []


def test_a_key_still_in_the_work_tree_is_left_to_the_ordinary_scan(repo):
    commit(repo, {"keep.py": f'KEY = "{make_test_key()}"\n'}, "key still here")
    assert scan_history(repo) == []


def test_a_tracked_env_secret_deleted_later_is_found_and_placeholders_are_not(repo):
    token = "ghp_" + "R4nd0mT0k3nV4lu3xyz" * 2
    first = commit(repo, {".env": f"GITHUB_TOKEN={token}\nXAI_API_KEY=your-key-here\nDEBUG=1\n"}, "env")
    git(repo, "rm", "-q", ".env")
    git(repo, "commit", "-qm", "drop .env")
    hits = scan_history(repo)
    assert [(h.commit, h.path, h.line, h.kind) for h in hits] == [(first, ".env", 1, "env")]
    assert hits[0].masked == "GITHUB_TOKEN=…(42 chars)"


def test_a_key_on_another_branch_is_found_and_since_limits_the_commits(repo):
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-qb", "experiment")
    commit(repo, {"exp.py": f'KEY = "{make_test_key()}"\n'}, "experiment")
    git(repo, "checkout", "-q", "-")
    assert [h.path for h in scan_history(repo)] == ["exp.py"]  # every reachable commit, not HEAD's only
    assert [h.path for h in scan_history(repo, since=base)] == ["exp.py"]
    assert scan_history(repo, since="experiment") == []


def test_the_cli_reports_history_masked_with_the_revoke_and_rewrite_advice(repo):
    key = make_test_key()
    added = commit(repo, {"leak.py": f'K = "{key}"\n'}, "leak")
    commit(repo, {"leak.py": "K = None\n"}, "fix")
    plain = run_cli("migrate", ".")
    assert plain.exit_code == 0  # the work tree is clean
    result = run_cli("migrate", "--history", ".")
    assert result.exit_code == 1
    assert (
        f"leak.py:1:6: CS207 [error] Secret still in git history: xAI key xai-…{key[-4:]} added in commit "
        f"{added[:12]}" in result.output
    )
    assert "Revoke the key" in result.output and "git filter-repo" in result.output
    assert key not in result.output


@pytest.mark.parametrize(
    "args, code, complaint",
    [
        (["--history", "--since", "no-such-rev", "."], EXIT_BAD_INPUT, "--since 'no-such-rev' is not a commit"),
        (["--since", "HEAD", "."], EXIT_USAGE, "--since needs --history"),
    ],
)
def test_bad_history_arguments_are_one_line(repo, args, code, complaint):
    result = run_cli("migrate", *args)
    assert result.exit_code == code and complaint in result.output and "Traceback" not in result.output


def test_history_outside_a_repository_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("migrate", "--history", ".")
    assert result.exit_code == EXIT_BAD_INPUT and "--history needs a git repository" in result.output


def test_history_findings_are_sarif_with_a_fingerprint(repo):
    import json

    commit(repo, {"k.py": f'K = "{make_test_key()}"\n'}, "leak")
    commit(repo, {"k.py": "K = None\n"}, "fix")
    log = json.loads(run_cli("migrate", "--history", "--format", "sarif", ".").output)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "CS207" and result["partialFingerprints"]["cookieSessionFinding/v1"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "k.py", "uriBaseId": "%SRCROOT%"}
