"""`migrate --fix`/`--diff` in a tree a hostile repository chose (issue 19 item 5, the high-severity class):
nothing is read or written through a symbolic link or a FIFO the tree plants, whatever its name, and the
user is told what was left alone."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest
from cli_runner import run_cli

from cookie_session.migrate.fix.safe_files import UnsafeFileError, read_regular, write_replacing
from cookie_session.testing.standin import make_test_key

OUTSIDE_TEXT = "# the user's own file, outside the tree\n"


@pytest.fixture
def outside(tmp_path) -> Path:
    """A file outside the scanned tree standing for ~/.bashrc."""
    victim = tmp_path / "home" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text(OUTSIDE_TEXT)
    return victim


@pytest.fixture
def tree(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "clone"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)  # a work tree top: .env.example goes here
    (root / "proto.py").write_text(f'API_KEY = "{make_test_key()}"\nprint(len(API_KEY))\n')
    monkeypatch.chdir(root)
    return root


def fix(*args: str):
    return run_cli("migrate", "--fix", *args)


@pytest.mark.parametrize(
    "planted",
    [
        ".proto.py.cookie-session-fix",  # the fixed temporary name of earlier versions
        ".proto.py.tmp",
        "proto.py.new",
    ],
)
def test_a_link_planted_at_a_temporary_name_is_never_written_through(tree, outside, planted):
    (tree / planted).symlink_to(outside)
    fix(".")
    assert outside.read_text() == OUTSIDE_TEXT
    assert "resolve_authenticator" in (tree / "proto.py").read_text()  # the fix itself still happened
    assert not [p for p in tree.iterdir() if p.name.endswith(".cookie-session-fix") and not p.is_symlink()]


def test_a_gitignore_that_is_a_link_is_neither_read_nor_written(tree, outside):
    (tree / ".env").write_text(f"XAI_API_KEY={make_test_key()}\n")
    (tree / ".gitignore").symlink_to(outside)
    result = fix(".")
    assert outside.read_text() == OUTSIDE_TEXT
    assert (tree / ".gitignore").is_symlink()
    assert ".gitignore: not changed: it is a symbolic link (not followed)" in result.stderr


def test_an_env_example_that_is_a_link_is_not_followed_and_its_target_is_not_shown(tree, outside):
    outside.write_text("SECRET_FROM_OUTSIDE=1\n")
    (tree / ".env.example").symlink_to(outside)
    diff = run_cli("migrate", "--diff", ".")
    assert "SECRET_FROM_OUTSIDE" not in diff.stdout + diff.stderr
    fix(".")
    assert outside.read_text() == "SECRET_FROM_OUTSIDE=1\n"


def test_a_fifo_gitignore_does_not_hang_the_fix(tree):
    (tree / ".env").write_text(f"XAI_API_KEY={make_test_key()}\n")
    os.mkfifo(tree / ".gitignore")
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("result", fix(".")), daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "--fix blocked on a FIFO"
    assert ".gitignore: not changed: it is a FIFO" in outcome["result"].stderr


def test_a_file_swapped_for_a_link_before_the_write_is_replaced_not_followed(tmp_path, outside):
    target = tmp_path / "proto.py"
    target.symlink_to(outside)
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        write_replacing(target, "print('hostile')\n")
    assert outside.read_text() == OUTSIDE_TEXT


def test_writing_keeps_the_mode_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "run.sh"
    target.write_text("old\n")
    target.chmod(0o750)
    write_replacing(target, "new\n")
    assert target.read_text() == "new\n" and (target.stat().st_mode & 0o777) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["run.sh"]


def test_reading_refuses_links_and_fifos_and_bounds_size(tmp_path, outside):
    (tmp_path / "link").symlink_to(outside)
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "big").write_text("x" * 11)
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        read_regular(tmp_path / "link", 100)
    with pytest.raises(UnsafeFileError, match="FIFO"):
        read_regular(tmp_path / "fifo", 100)
    assert read_regular(tmp_path / "big", 10) is None
    assert read_regular(tmp_path / "missing", 10) is None
