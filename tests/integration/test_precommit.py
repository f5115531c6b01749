"""README's pre-commit snippet, run with real `pre-commit` against a throwaway repository holding a generated
key. The hook repository is this checkout, cloned from its local path (no network for git); `rev:` is this
checkout's commit, the form README recommends for pinning."""

import os
import re
import shutil
import subprocess
import sys

import pytest
from paths import REPO

from cookie_session.testing.standin import make_test_key

ROOT = REPO


def readme_snippet() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("As a pre-commit hook") :]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def git(cwd, *args) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.test",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.test",
        },
    ).stdout.strip()


@pytest.fixture
def pre_commit() -> list[str]:
    if (
        shutil.which("pre-commit") is None
        and subprocess.run([sys.executable, "-m", "pre_commit", "--version"], capture_output=True).returncode != 0
    ):
        pytest.fail("pre-commit is in the test extra: pip install '.[test]'")
    return [sys.executable, "-m", "pre_commit"]


def test_the_readme_snippet_blocks_a_generated_key(tmp_path, pre_commit):
    snippet = readme_snippet()
    assert re.search(r"^\s+rev: main\b", snippet, re.M) and "id: cookie-session-migrate" in snippet
    hooks = ROOT / ".pre-commit-hooks.yaml"
    assert "id: cookie-session-migrate" in hooks.read_text()
    commit = git(ROOT, "rev-parse", "HEAD")
    config = re.sub(r"repo: \S+", f"repo: {ROOT}", snippet, count=1)
    config = re.sub(r"rev: \S+", f"rev: {commit}", config, count=1)

    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / ".pre-commit-config.yaml").write_text(config)
    key = make_test_key()
    (project / "clean.py").write_text("print('nothing to see')\n")
    (project / "leaky.py").write_text(f'API_KEY = "{key}"\n')
    git(project, "add", ".")

    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("PYTHONPATH", None)  # the hook runs from its own environment, as for a user
    blocked = subprocess.run(
        [*pre_commit, "run", "--files", "leaky.py", "clean.py"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert "cookie-session migrate" in output and "Failed" in output and "CS2" in output
    assert key not in output and key[8:30] not in output

    clean = subprocess.run(
        [*pre_commit, "run", "--files", "clean.py"], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
