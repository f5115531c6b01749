"""`migrate --fix` / `--diff` on the corpus prototypes (tests/migrate_corpus/fix/): exactly the expected rewrite,
nothing on a second run, the unprovable left alone with its findings, and every fixed script giving the same
answer through the API key as the original gave through the grok.com side of the stand-in."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import equivalence
import pytest
from cli_runner import run_cli
from paths import REPO
from test_migrate_corpus import CORPUS, FIX_EXPECTED, materialize

from cookie_session.testing.standin import answer_for, make_test_key

FIXED = sorted(path.name for path in FIX_EXPECTED.glob("*.py"))
LEFT_ALONE = sorted(path.name for path in (CORPUS / "fix").glob("leave_*.py"))
#: The prototypes that read a browser session, run first through the stand-in's grok.com side.
COOKIE_PROTOTYPES = ("cookie_chat.py", "cookie_header_final.py", "cookie_stream.py")


def migrate(*args: str):
    return run_cli("migrate", *args)


@pytest.fixture
def fix_corpus(tmp_path, standin, monkeypatch):
    root = tmp_path / "corpus"
    planted = materialize(root, standin_key=standin.api_key)
    monkeypatch.chdir(root / "fix")
    return root / "fix", planted


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def test_fix_turns_each_prototype_into_exactly_its_expected_version(fix_corpus):
    folder, _ = fix_corpus
    result = migrate("--fix", ".")
    for name in FIXED:
        assert (folder / name).read_text(encoding="utf-8") == (FIX_EXPECTED / name).read_text(encoding="utf-8"), name
    assert (folder.parent / ".env.example").read_text() == "XAI_API_KEY=\n"  # at the top of the work tree
    assert "fixed: key_and_bearer.py: hard-coded key xai-…" in result.stderr and "revoke" in result.stderr


def test_the_summary_counts_files_written_beside_the_considered_ones_apart(tmp_path, monkeypatch):
    (tmp_path / "proto.py").write_text(f'API_KEY = "{make_test_key()}"\nprint(len(API_KEY))\n')
    monkeypatch.chdir(tmp_path)
    summary = migrate("--fix", "proto.py").stderr.strip().splitlines()[-1]
    assert summary.startswith("Changed 1 file of 1 considered, and wrote 1 beside them (.env.example).")


def test_a_second_fix_changes_nothing(fix_corpus):
    folder, _ = fix_corpus
    migrate("--fix", ".")
    before = snapshot(folder.parent)
    again = migrate("--fix", ".")
    assert snapshot(folder.parent) == before
    assert "Changed 0 files" in again.stderr
    assert migrate("--diff", ".").stdout == ""


def test_every_fixed_file_still_parses(fix_corpus):
    folder, _ = fix_corpus
    migrate("--fix", ".")
    for name in FIXED:
        compile((folder / name).read_text(), name, "exec")


def test_files_fix_cannot_prove_are_left_alone_with_their_findings(fix_corpus):
    folder, _ = fix_corpus
    before = {name: (folder / name).read_text() for name in LEFT_ALONE}
    result = migrate("--fix", "--format", "json", ".")
    assert {name: (folder / name).read_text() for name in LEFT_ALONE} == before
    remaining = {(f["path"], f["line"], f["rule_id"]) for f in json.loads(result.stdout)["findings"]}
    expected = json.loads((CORPUS / "expected.json").read_text())["files"]
    for name in LEFT_ALONE:
        assert {(name, line, rule) for line, rule in expected[f"fix/{name}"]} <= remaining, name
    assert "notice: leave_broken.py: left alone: not valid Python (line 3)" in result.stderr
    assert "left alone: leave_two_keys.py: 2 different keys in one file" in result.stderr
    assert "left alone: leave_custom_loop.py: the loop does more than parse each line before the token" in (
        result.stderr
    )
    assert "left alone: leave_session_cookies.py: its grok.com chat request is not a statement" in result.stderr
    assert result.exit_code == 1
    fixed_files = {path for path, *_ in remaining} & set(FIXED)
    assert fixed_files == set(), "a fixed prototype still has findings"


def test_diff_prints_the_rewrite_and_changes_nothing(fix_corpus):
    folder, planted = fix_corpus
    before = snapshot(folder.parent)
    result = migrate("--diff", ".")
    assert result.exit_code == 1
    assert snapshot(folder.parent) == before
    assert "--- a/cookie_chat.py\n+++ b/cookie_chat.py\n" in result.stdout
    assert '+    with GrokClient(resolve_authenticator(auth="api-key")) as client:\n' in result.stdout
    assert '+        for token in client.chat(prompt, model="grok-3", stream=True):\n' in result.stdout
    assert "--- /dev/null\n+++ b/../.env.example\n@@ -0,0 +1 @@\n+XAI_API_KEY=\n" in result.stdout
    assert all(value not in result.stdout + result.stderr for _, value in planted)  # keys as fingerprints only
    assert '-API_KEY = "xai-…' in result.stdout


def test_diff_never_shows_the_pieces_of_a_key_split_across_strings(tmp_path, monkeypatch):
    fixed_key, split_key = make_test_key(), make_test_key()
    pieces = (split_key[:30], split_key[30:])
    (tmp_path / "proto.py").write_text(
        f'API_KEY = "{fixed_key}"\nOLD = (\n    "{pieces[0]}"\n    "{pieces[1]}"\n)\nprint(len(API_KEY))\n'
    )
    monkeypatch.chdir(tmp_path)
    result = migrate("--diff", ".")
    assert '+API_KEY = resolve_authenticator(auth="api-key").api_key.reveal()\n' in result.stdout  # with context
    assert f"part of the key xai-…{split_key[-4:]}" in result.stdout
    assert not any(piece in result.stdout + result.stderr for piece in (fixed_key, *pieces))


# --- the fixed scripts run, and answer as the originals did ----------------------------------------------------
def run_original(script: Path, standin, shim: Path) -> str:
    done = equivalence.run_original(script, standin, shim)
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_fixed(script: Path, standin) -> str:
    done = equivalence.run_fixed(script, standin)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("name", [*COOKIE_PROTOTYPES, "key_and_bearer.py", "bearer_session.py"])
def test_the_fixed_script_gives_the_answer_the_original_gave(fix_corpus, standin, tmp_path, name):
    folder, _ = fix_corpus
    shim = tmp_path / "shim"
    shim.mkdir()
    original = run_original(folder / name, standin, shim)
    assert original.strip().startswith("Stand-in answer: you said") or name == "bearer_session.py"
    assert original.strip()
    migrate("--fix", name)
    assert (folder / name).read_text() == (FIX_EXPECTED / name).read_text()
    assert run_fixed(folder / name, standin) == original
    web = sum("/rest/app-chat/" in path for _, path, _ in standin.requests)
    assert web == (1 if name in COOKIE_PROTOTYPES else 0)  # the original went through grok.com, the fix did not


def test_the_fixed_opt_in_script_runs_on_the_key(fix_corpus, standin):
    folder, _ = fix_corpus
    migrate("--fix", "opt_in_left_on.py")
    assert run_fixed(folder / "opt_in_left_on.py", standin) == answer_for("Is this still local?") + "\n"


# --- .env and .gitignore --------------------------------------------------------------------------------------
def test_a_dotenv_holding_a_key_is_added_to_gitignore_and_the_opt_in_line_removed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    key = make_test_key()
    (tmp_path / ".env").write_text(f"XAI_API_KEY={key}\nCOOKIE_SESSION_UNSAFE_BROWSER_COOKIES=i-understand-the-risks\n")
    (tmp_path / ".gitignore").write_text("__pycache__/")
    result = migrate("--fix", ".")
    assert (tmp_path / ".gitignore").read_text() == "__pycache__/\n.env\n"
    assert (tmp_path / ".env").read_text() == f"XAI_API_KEY={key}\n"
    assert key not in result.stdout + result.stderr
    assert "Changed 0 files" in migrate("--fix", ".").stderr  # now ignored, so not even walked


def test_fix_and_diff_load_libcst_only_when_asked(tmp_path):
    (tmp_path / "proto.py").write_text("import browser_cookie3\n")
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom cookie_session.cli import cli\n"
        "CliRunner().invoke(cli, ['--help'])\nCliRunner().invoke(cli, ['migrate', '.'])\n"
        "assert 'libcst' not in sys.modules, 'loaded without --fix'\n"
        "CliRunner().invoke(cli, ['migrate', '--diff', '.'])\nassert 'libcst' in sys.modules\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=tmp_path, env=equivalence.clean_environment(PYTHONPATH=str(REPO))
    )


# --- the opt-in in shell scripts and config --------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, before, after",
    [
        (
            "run.sh",
            (
                "export COOKIE_SESSION_UNSAFE_BROWSER_COOKIES=i-understand-the-risks\n"
                'cookie-session chat --auth browser --unsafe-browser-cookies "hi" | tee out\n'
            ),
            'cookie-session chat "hi" | tee out\n',
        ),
        (
            "Dockerfile",
            (
                "FROM python:3.12\nENV COOKIE_SESSION_UNSAFE_BROWSER_COOKIES=i-understand-the-risks\n"
                'CMD ["cookie-session", "chat", "--unsafe-browser-cookies", "--auth", "browser", "hi"]\n'
            ),
            'FROM python:3.12\nCMD ["cookie-session", "chat", "hi"]\n',
        ),
        (
            "ci.yaml",
            (
                'env:\n  COOKIE_SESSION_UNSAFE_BROWSER_COOKIES: "i-understand-the-risks"\n  LEVEL: debug\n'
                "steps:\n  - run: python -m cookie_session chat --auth=browser hi\n"
            ),
            "env:\n  LEVEL: debug\nsteps:\n  - run: python -m cookie_session chat hi\n",
        ),
        (
            "settings.toml",
            'unsafe_browser_cookies = true\ncommand = ["cookie-session", "chat", "--unsafe-browser-cookies"]\n',
            'command = ["cookie-session", "chat"]\n',
        ),
    ],
)
def test_the_opt_in_is_removed_from_shell_scripts_and_config(tmp_path, monkeypatch, name, before, after):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(before)
    migrate("--fix", name)
    assert (tmp_path / name).read_text() == after
    assert migrate(name).exit_code == 0  # nothing of the opt-in is left to find


@pytest.mark.parametrize(
    "name, text",
    [
        ("request.json", '{"unsafe_browser_cookies": true,\n "x": 1}\n'),  # JSON: commas would break
        ("notes.sh", "# never run: other-tool --unsafe-browser-cookies\nunsafe_browser_cookies=maybe\n"),  # not ours
    ],
)
def test_text_fixes_leave_what_they_cannot_prove(tmp_path, monkeypatch, name, text):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text)
    migrate("--fix", name)
    assert (tmp_path / name).read_text() == text


def test_a_file_that_cannot_be_written_is_a_notice_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = 'from cookie_session import resolve_authenticator\na = resolve_authenticator(auth="browser")\n'
    (tmp_path / "run.py").write_text(source)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("cookie_session.migrate.fix.safe_files.tempfile.mkstemp", disk_full)  # root writes anywhere
    result = migrate("--fix", "run.py")
    assert (tmp_path / "run.py").read_text() == source
    assert "notice: run.py: not written (No space left on device)" in result.stderr
    assert "Changed 0 files" in result.stderr
    assert result.exit_code == 1 and "Traceback" not in result.stderr  # the finding is still there


def test_the_flag_goes_from_a_python_m_argument_list_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.py").write_text(
        "import subprocess, sys\n"
        'subprocess.run([sys.executable, "-m", "cookie_session", "chat", '
        '"--unsafe-browser-cookies", "hi"])\n'
    )
    migrate("--fix", "run.py")
    assert (tmp_path / "run.py").read_text().endswith('"-m", "cookie_session", "chat", "hi"])\n')


def test_fix_leaves_lines_marked_cookie_session_ignore_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = (
        "from cookie_session import resolve_authenticator\n"
        "kept = resolve_authenticator(unsafe_browser_cookies=True)  # cookie-session: ignore[CS301]\n"
        "fixed = resolve_authenticator(unsafe_browser_cookies=True)\n"
    )
    (tmp_path / "run.py").write_text(source)
    migrate("--fix", "run.py")
    assert (tmp_path / "run.py").read_text() == source.replace(
        "fixed = resolve_authenticator(unsafe_browser_cookies=True)", "fixed = resolve_authenticator()"
    )
