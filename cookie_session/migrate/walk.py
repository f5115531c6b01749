"""Expand the PATHs to scan into files, the way git would see a work tree.

A file named on the command line is always scanned (pre-commit passes names
one by one), and so is a folder, even one git ignores. A folder is walked with its `.gitignore` files honoured (those at
and below it, those of its parent folders up to the work tree's top, and
`.git/info/exclude`), skipping version-control folders, caches, virtual
environments and `node_modules`. Symlinked folders are not followed. A file git tracks
is scanned even when a .gitignore rule matches it (git commits it all the same).
"""

from __future__ import annotations

import os
from pathlib import Path

import pathspec

from ..errors import BadInputError

__all__ = ["SKIPPED_DIRS", "iter_files"]

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".venv",
        "venv",
        "site-packages",
        ".eggs",
        ".ipynb_checkpoints",
    }
)


def _read_spec(path: Path) -> pathspec.PathSpec | None:
    if not path.is_file():  # a FIFO (`.git/info/exclude` included) would block the walk
        return None
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


class _Ignores:
    """The .gitignore rules in force under one walked folder."""

    def __init__(self, root: Path) -> None:
        self.specs: dict[Path, pathspec.PathSpec] = {}
        top = next((d for d in (root, *root.parents) if (d / ".git").exists()), None)
        if top is not None:
            exclude = _read_spec(top / ".git" / "info" / "exclude")
            if exclude is not None:
                self.specs[top] = exclude
            for directory in reversed([d for d in root.parents if d == top or top in d.parents]):
                self.add(directory)
            if any(self.ignored(d, is_dir=True) for d in (root, *root.parents) if top in d.parents):
                self.specs.clear()  # a folder named on purpose is scanned even if git ignores it

    def add(self, directory: Path) -> None:
        gitignore = directory / ".gitignore"
        if gitignore.is_file():
            spec = _read_spec(gitignore)
            if spec is not None:
                if directory in self.specs:  # .git/info/exclude first, the top's .gitignore over it
                    spec = pathspec.GitIgnoreSpec([*self.specs[directory].patterns, *spec.patterns])
                self.specs[directory] = spec

    def ignored(self, path: Path, is_dir: bool) -> bool:
        verdict = None
        for base in sorted((d for d in path.parents if d in self.specs), key=lambda d: len(d.parts)):
            relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            include = self.specs[base].check_file(relative).include
            if include is not None:
                verdict = include
        return bool(verdict)


def _is_venv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def _tracked_but_ignored(root: Path, walked: set[Path]) -> list[Path]:
    """Files git tracks under `root` that the .gitignore rules hid from the walk: git still commits them."""
    from .git import GitInfo

    git = GitInfo()
    top = git.work_tree(root)
    if top is None:
        return []
    tracked = git.tracked_files(top)
    resolved_root = root.resolve()
    extra = []
    for path in sorted(tracked or ()):
        relative = path.relative_to(top).parts if top in path.parents else ()
        if (
            (resolved_root == path or resolved_root in path.parents)
            and path not in walked
            and path.is_file()
            and not any(part in SKIPPED_DIRS for part in relative[:-1])
        ):
            extra.append(root / path.relative_to(resolved_root))
    return extra


def _walk(root: Path):
    ignores = _Ignores(root)
    for current, dirs, files in os.walk(root, onerror=None):
        here = Path(current)
        ignores.add(here)
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIPPED_DIRS
            and not d.endswith(".egg-info")
            and not (here / d).is_symlink()
            and not _is_venv(here / d)
            and not ignores.ignored(here / d, is_dir=True)
        )
        for name in sorted(files):
            path = here / name
            if not ignores.ignored(path, is_dir=False):
                yield path


def iter_files(paths) -> list[Path]:
    """Every file to scan under `paths`, once each, in a stable order.

    Raises BadInputError for a path that does not exist.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(os.fspath(given))
        if not os.path.lexists(path):
            raise BadInputError(f"Path {os.fspath(given)!r} does not exist", hint="Name files or folders to scan.")
        if path.is_dir():
            root = Path(os.path.abspath(path))
            walked = list(_walk(root))
            candidates = walked + _tracked_but_ignored(root, {p.resolve() for p in walked})
        else:
            candidates = [Path(os.path.abspath(path))]
        for candidate in candidates:
            key = Path(os.path.realpath(candidate))
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found
