"""What git knows about a file: tracked, ignored, or nothing (no git, or not in a work tree).

Each question runs `git` once per work tree (tracked files) or once per file
(ignored?); a missing `git`, a failing command or a timeout answers None.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["GitInfo"]

_TIMEOUT = 30


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, timeout=_TIMEOUT,
                              stdin=subprocess.DEVNULL, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return None


class GitInfo:
    """Cached answers for one scan."""

    def __init__(self) -> None:
        self._tops: dict[Path, Path | None] = {}
        self._tracked: dict[Path, frozenset[Path] | None] = {}

    def work_tree(self, path: Path) -> Path | None:
        """The top of the git work tree holding `path`, or None."""
        directory = path.parent.resolve()
        if directory not in self._tops:
            done = _git(directory, "rev-parse", "--show-toplevel")
            top = None
            if done is not None and done.returncode == 0 and done.stdout.strip():
                top = Path(os.fsdecode(done.stdout.strip())).resolve()
            self._tops[directory] = top
        return self._tops[directory]

    def is_tracked(self, path: Path) -> bool | None:
        """True if git tracks `path` (it is in the index, staged included), None if git cannot say."""
        top = self.work_tree(path)
        if top is None:
            return None
        if top not in self._tracked:
            done = _git(top, "ls-files", "-z", "--cached", "--full-name")
            self._tracked[top] = None if done is None or done.returncode != 0 else frozenset(
                (top / os.fsdecode(name)).resolve() for name in done.stdout.split(b"\0") if name)
        tracked = self._tracked[top]
        return None if tracked is None else path.resolve() in tracked

    def is_ignored(self, path: Path) -> bool | None:
        """True if git ignores `path`, False if not, None if git cannot say."""
        top = self.work_tree(path)
        if top is None:
            return None
        done = _git(top, "check-ignore", "-q", "--no-index", "--", str(path.resolve()))
        if done is None or done.returncode not in (0, 1):
            return None
        return done.returncode == 0
