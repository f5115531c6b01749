"""What git knows about a file (tracked, ignored), run so that nothing in the scanned repository executes.

A scanned folder is untrusted: its `.git/config` may name commands (`core.fsmonitor`,
`core.pager`, `diff.external`, a `textconv` or `filter` driver, `core.sshCommand`...)
that git runs for some commands. Every git call here therefore runs with the system and
global configuration switched off, every `GIT_*` variable of the caller dropped, and the
command-running keys git reads for read-only commands overridden on the command line
(which outranks the repository's config). Only plumbing that reads the index, the
ignore rules and the object store is run; history is read with `--no-textconv
--no-ext-diff`, so no diff or filter driver runs either. A missing `git`, a failing
command or a timeout answers None.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

__all__ = ["GitInfo", "run_git", "git_output_lines", "SAFE_CONFIG"]

_TIMEOUT = 30
#: `-c` overrides for every key through which a read-only git command could run a program.
SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.sshCommand=false",
    "core.askPass=false",
    "core.editor=false",
    "core.untrackedCache=false",
    "core.alternateRefsCommand=false",
    "diff.external=",
    "pager.log=false",
    "pager.diff=false",
    "pager.show=false",
    "log.showSignature=false",
    "gpg.program=false",
    "credential.helper=",
    "protocol.allow=never",
    "uploadpack.packObjectsHook=",
    "sequence.editor=false",
    "safe.bareRepository=explicit",
    "color.ui=false",
)


def _environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_OPTIONAL_LOCKS="0",
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_ATTR_NOSYSTEM="1",
    )
    return env


def run_git(cwd: Path, *args: str, timeout: float = _TIMEOUT) -> subprocess.CompletedProcess | None:
    """`git -C cwd <SAFE_CONFIG> args...`, output captured; None if git is missing, fails to start or times out."""
    overrides = [part for setting in SAFE_CONFIG for part in ("-c", setting)]
    try:
        return subprocess.run(
            ["git", "--no-pager", *overrides, "-C", str(cwd), *args],
            capture_output=True,
            check=False,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            env=_environment(),
        )
    except (OSError, subprocess.SubprocessError):
        return None


def git_output_lines(cwd: Path, *args: str):
    """Yield the lines (bytes, without the newline) git writes for `args`, as it writes them, run as `run_git` does.

    Raises OSError when git cannot start; the exit status is not checked (the caller validated its arguments).
    """
    overrides = [part for setting in SAFE_CONFIG for part in ("-c", setting)]
    with subprocess.Popen(
        ["git", "--no-pager", *overrides, "-C", str(cwd), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=_environment(),
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            yield line.rstrip(b"\n")


class GitInfo:
    """Cached answers for one scan."""

    def __init__(self) -> None:
        self._tops: dict[Path, Path | None] = {}
        self._tracked: dict[Path, frozenset[Path] | None] = {}

    def work_tree(self, path: Path) -> Path | None:
        """The top of the git work tree holding `path` (a file, or a folder), or None."""
        directory = (path if path.is_dir() else path.parent).resolve()
        if directory not in self._tops:
            done = run_git(directory, "rev-parse", "--show-toplevel")
            top = None
            if done is not None and done.returncode == 0 and done.stdout.strip():
                top = Path(os.fsdecode(done.stdout.strip())).resolve()
            self._tops[directory] = top
        return self._tops[directory]

    def tracked_files(self, top: Path) -> frozenset[Path] | None:
        """Every file in the index of the work tree at `top` (resolved paths), or None if git cannot say."""
        if top not in self._tracked:
            done = run_git(top, "ls-files", "-z", "--cached", "--full-name")
            self._tracked[top] = (
                None
                if done is None or done.returncode != 0
                else frozenset((top / os.fsdecode(name)).resolve() for name in done.stdout.split(b"\0") if name)
            )
        return self._tracked[top]

    def is_tracked(self, path: Path) -> bool | None:
        """True if git tracks `path` (it is in the index, staged included), None if git cannot say."""
        top = self.work_tree(path)
        tracked = None if top is None else self.tracked_files(top)
        return None if tracked is None else path.resolve() in tracked

    def is_ignored(self, path: Path) -> bool | None:
        """True if git ignores `path`, False if not, None if git cannot say."""
        top = self.work_tree(path)
        if top is None or not _ignore_files_are_regular(top, path):
            return None
        done = run_git(top, "check-ignore", "-q", "--no-index", "--", str(path.resolve()))
        if done is None or done.returncode not in (0, 1):
            return None
        return done.returncode == 0


def _ignore_files_are_regular(top: Path, path: Path) -> bool:
    """False when a `.gitignore` git would read for `path` (or `.git/info/exclude`) is a FIFO, a device or a
    folder: git would block on it or fail, so it is not asked."""
    parent = path.resolve().parent
    folders = [parent, *(d for d in parent.parents if d == top or top in d.parents)]
    for candidate in [top / ".git" / "info" / "exclude", *(d / ".gitignore" for d in folders)]:
        try:
            mode = os.stat(candidate).st_mode
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            return False
    return True
