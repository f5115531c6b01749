"""`plan_fixes(paths)`: what `migrate --fix` would write, file by file, without writing it; `apply` writes it.

Python files go through the rewrites in order (cookie prototype -> GrokClient, hand-built
bearer header -> ApiKeyAuthenticator, unsafe opt-in removed, hard-coded key -> XAI_API_KEY),
then imports are added and the ones the rewrite left unused removed. A file that does not
parse is left alone with a notice; a rewrite whose result would not parse is dropped.
`.env` files lose the opt-in line, shell scripts and YAML/TOML/INI config the opt-in (see
`text_opt_in`); a `.env` holding a key that git does not ignore gets `.env` added to
`.gitignore`; a rewritten key gets `XAI_API_KEY=` in `.env.example`.
Nothing printed holds a secret: a diff shows every secret the scan masks (keys, bearer tokens, grok.com
session tokens, `.env` values, the pieces of a split key) as its fingerprint, and every file name and line
`printable`, a name with unusual characters quoted as git quotes it (so it cannot forge a diff header).
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from ...errors import printable
from ...settings import API_KEY_ENV
from ..findings import Notice
from ..git import GitInfo
from ..patterns import (
    UNSAFE_ENV_VAR,
    XAI_KEY_RE,
    grok_context,
    is_placeholder_key,
    is_placeholder_value,
    mask,
    secret_name,
    secret_values,
)
from ..python_ast import browser_cookie_bindings, split_key_lines
from ..scanner import MAX_FILE_BYTES, display_path
from ..text_scan import file_kind, parse_env_line
from ..walk import iter_files
from .keys import real_keys
from .python_fix import fix_python
from .safe_files import UnsafeFileError, read_regular, write_replacing
from .text_opt_in import remove_text_opt_in

_JSON_SUFFIXES = (".json", ".jsonc", ".json5")

__all__ = ["FileChange", "FixPlan", "apply", "plan_fixes", "render_diff", "render_summary"]


@dataclass
class FileChange:
    """One file's new text and what changed in it (`before` is None for a file the fix creates)."""

    path: Path
    shown: str
    before: str | None
    after: str
    changes: list[str]


@dataclass
class FixPlan:
    changes: list[FileChange] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    left: list[tuple[str, str]] = field(default_factory=list)  # (file, why a rewrite was not proven)
    files_considered: int = 0
    considered: set[Path] = field(default_factory=set)  # those files; a change elsewhere is written beside them

    def add(self, path: Path, before: str | None, after: str, changes: list[str]) -> None:
        for existing in self.changes:
            if existing.path == path:
                existing.after, existing.changes = after, existing.changes + changes
                return
        self.changes.append(FileChange(path, display_path(path), before, after, changes))

    def pending(self, path: Path, default: str | None) -> str | None:
        return next((c.after for c in self.changes if c.path == path), default)


def _read(path: Path) -> str | None:
    """The text of a regular file of at most MAX_FILE_BYTES, or None; UnsafeFileError for a link or a FIFO."""
    try:
        return read_regular(path, MAX_FILE_BYTES)
    except OSError:
        return None


def _readers(text: str) -> dict[str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return browser_cookie_bindings(list(ast.walk(ast.parse(text))))


def _root(path: Path, git: GitInfo) -> Path:
    return git.work_tree(path) or path.parent


def _ensure_line(plan: FixPlan, path: Path, line: str, why: str) -> None:
    try:
        on_disk = _read(path)
    except UnsafeFileError as error:
        plan.notices.append(Notice(display_path(path), f"not changed: it is {error} (not followed); by hand: {why}"))
        return
    if on_disk is None and os.path.lexists(path):
        plan.notices.append(Notice(display_path(path), f"not changed: not UTF-8 text of at most 1 MiB; by hand: {why}"))
        return
    current = plan.pending(path, on_disk)
    existing = (current or "").splitlines()
    name = line.split("=", 1)[0]
    if any(old.strip() == line or (name != line and old.split("=", 1)[0].strip() == name) for old in existing):
        return
    text = (current or "") + ("" if not current or current.endswith("\n") else "\n") + line + "\n"
    plan.add(path, on_disk, text, [why])


def _fix_env(plan: FixPlan, path: Path, text: str, git: GitInfo) -> None:
    kept = [
        line
        for line in text.splitlines(keepends=True)
        if not ((parsed := parse_env_line(line.rstrip("\r\n"))) and parsed[0] == UNSAFE_ENV_VAR)
    ]
    if len(kept) != len(text.splitlines(keepends=True)):
        plan.add(path, text, "".join(kept), [f"removed {UNSAFE_ENV_VAR} (the unsafe opt-in)"])
    example = path.name.endswith((".example", ".sample", ".template", ".dist"))
    if not real_keys(text) or example:
        return
    gitignore = path.parent / ".gitignore"
    why = f"added {path.name} to .gitignore: it holds a key (revoke it if it was ever committed)"
    try:
        _read(gitignore)  # a link or a FIFO is refused here, before git is asked (git would block on a FIFO)
    except UnsafeFileError as error:
        plan.notices.append(
            Notice(display_path(gitignore), f"not changed: it is {error} (not followed); by hand: {why}")
        )
        return
    if git.is_ignored(path) is False:
        _ensure_line(plan, gitignore, path.name, why)


#: What in a notebook --fix would have rewritten in a .py file.
_NOTEBOOK_WORK = re.compile(
    r"grok\.com/rest/|browser_cookie3|pycookiecheat|rookiepy|unsafe_browser_cookies|" + XAI_KEY_RE.pattern
)


def _leave_notebook(plan: FixPlan, path: Path, shown: str) -> None:
    """Notebooks are not rewritten: say so, once, when one holds what --fix would rewrite in a .py file."""
    try:
        text = _read(path)
    except UnsafeFileError:
        return
    if text and _NOTEBOOK_WORK.search(text):
        plan.left.append(
            (
                shown,
                "a notebook: --fix rewrites .py files only (a cell's code, outputs and JSON are left as they are); "
                "move each finding by hand, at the cell and line the scan gives, and clear the outputs",
            )
        )


def plan_fixes(paths, exclude=()) -> FixPlan:
    """What --fix would change under `paths` (files and folders, walked as `scan` walks them)."""
    plan = FixPlan()
    git = GitInfo()
    excluded = pathspec.GitIgnoreSpec.from_lines(exclude)
    for path in iter_files(list(paths) or ["."]):
        shown = display_path(path)
        kind = file_kind(path)
        if kind == "notebook" and path.is_file() and not path.is_symlink() and not excluded.match_file(shown):
            _leave_notebook(plan, path, shown)
            continue
        if (
            excluded.match_file(shown)
            or not path.is_file()
            or kind not in ("python", "env", "shell", "config")
            or path.suffix.lower() in _JSON_SUFFIXES
        ):
            continue  # not a regular file (a FIFO, a device), or nothing --fix rewrites
        if path.is_symlink():
            plan.notices.append(Notice(shown, "left alone: a symbolic link (fix the file it points to)"))
            continue
        try:
            text = _read(path)
        except UnsafeFileError as error:
            plan.notices.append(Notice(shown, f"left alone: {error}"))
            continue
        if text is None:
            plan.notices.append(Notice(shown, f"left alone: not UTF-8 text of at most {MAX_FILE_BYTES // 1024} KiB"))
            continue
        plan.files_considered += 1
        plan.considered.add(path)
        if kind == "env":
            _fix_env(plan, path, text, git)
            continue
        if kind in ("shell", "config"):
            fixed, changes = remove_text_opt_in(text)
            if changes:
                plan.add(path, text, fixed, changes)
            continue
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        try:
            readers = _readers(text[len(bom) :])
            result = fix_python(text[len(bom) :], readers)
            result.text = bom + result.text
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            line = getattr(error, "lineno", None)
            where = f" (line {line})" if line else ""
            plan.notices.append(Notice(shown, f"left alone: not valid Python{where}"))
            continue
        if result.left:  # one reason per file: the first the rewrites met
            plan.left.append((shown, result.left[0]))
        if result.text != text:
            plan.add(path, text, result.text, result.changes)
        if result.key_moved:
            _ensure_line(
                plan,
                _root(path, git) / ".env.example",
                f"{API_KEY_ENV}=",
                f"added {API_KEY_ENV}= to .env.example (the variable the code now reads)",
            )
    return plan


def apply(plan: FixPlan) -> None:
    """Write every change (a new file is created; an existing one replaced atomically, keeping its mode; never
    through a symbolic link, see `safe_files`). A file that cannot be written becomes a notice, and its change
    is dropped from the plan."""
    written = []
    for change in plan.changes:
        try:
            write_replacing(change.path, change.after)
            written.append(change)
        except UnsafeFileError as error:
            plan.notices.append(Notice(change.shown, f"not written: {error} (not followed)"))
        except OSError as error:
            plan.notices.append(Notice(change.shown, f"not written ({error.strerror or type(error).__name__})"))
    plan.changes = written


def render_diff(plan: FixPlan) -> str:
    """A unified diff of every change, every secret shown as its fingerprint, names and lines `printable`."""
    out = []
    for change in plan.changes:
        secrets = _secrets_of(change)
        before = _hide_split_keys((change.before or "").splitlines(keepends=True))
        after = _hide_split_keys(change.after.splitlines(keepends=True))
        label = Path(os.path.relpath(change.path)).as_posix()  # `../x` rather than a path of this machine
        source = _diff_name("a/", label) if change.before is not None else "/dev/null"
        lines = difflib.unified_diff(before, after, source, _diff_name("b/", label), lineterm="\n")
        for number, line in enumerate(lines):
            if number >= 2:  # the two header lines are built from quoted names already
                line = _shown_line(_masked(line, secrets))
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _diff_name(prefix: str, name: str) -> str:
    """`prefix + name`, in double quotes with C escapes when the name holds a quote, a backslash or anything
    `printable` would escape (what git does), so a newline in a name cannot end the header line."""
    if printable(name) == name and '"' not in name and "\\" not in name:
        return prefix + name
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{prefix}{printable(escaped)}"'


def _shown_line(line: str) -> str:
    """One diff line with its end kept and everything else `printable` (tabs kept: code indents with them)."""
    body = line.rstrip("\r\n")
    return "\t".join(printable(part) for part in body.split("\t")) + line[len(body) :]


def _secrets_of(change: FileChange) -> list[str]:
    """Every secret value the scan would mask in the file before or after the change, longest first."""
    found: set[str] = set()
    is_env = file_kind(change.path) == "env"
    for text in (change.before or "", change.after):
        context = grok_context(text)
        for line in text.splitlines():
            found.update(hit.value for hit in secret_values(line, in_grok_context=context))
            parsed = parse_env_line(line) if is_env else None
            if parsed and parsed[0] != UNSAFE_ENV_VAR:
                value = parsed[1]
                if (XAI_KEY_RE.fullmatch(value) and not is_placeholder_key(value)) or (
                    secret_name(parsed[0]) and not is_placeholder_value(value)
                ):
                    found.add(value)
    return sorted(found, key=len, reverse=True)


def _masked(line: str, secrets: list[str]) -> str:
    for value in secrets:
        if value in line:
            line = line.replace(value, mask(value))
    return line


def _hide_split_keys(lines: list[str]) -> list[str]:
    """`lines` with each line holding a piece of a key split across string pieces replaced by a placeholder
    (the pieces do not match the key's pattern, so masking alone would show them)."""
    hidden = split_key_lines("".join(lines))
    for number, masked in hidden.items():
        if not 0 < number <= len(lines):
            continue
        line = lines[number - 1]
        indent = line[: len(line) - len(line.lstrip())]
        lines[number - 1] = f"{indent}# (a line holding part of the key {masked}, not shown)\n"
    return lines


def render_summary(plan: FixPlan, *, applied: bool) -> str:
    """What changed (or would), file by file, what was left alone and why; never a key."""
    verb = "fixed" if applied else "would fix"
    out = []
    for change in plan.changes:
        for what in dict.fromkeys(change.changes):
            out.append(f"{verb}: {printable(change.shown)}: {printable(what)}")
    changed = {change.shown for change in plan.changes}
    for shown, why in dict.fromkeys(plan.left):  # one reason per file; "kept" where other fixes were made
        out.append(f"{'kept' if shown in changed else 'left alone'}: {printable(shown)}: {printable(why)}")
    for notice in plan.notices:
        out.append(f"notice: {printable(notice.path)}: {printable(notice.message)}")
    beside = [printable(change.shown) for change in plan.changes if change.path not in plan.considered]
    count = len(plan.changes) - len(beside)
    out.append(
        f"{'Changed' if applied else 'Would change'} {count} file{'' if count == 1 else 's'}"
        f" of {plan.files_considered} considered"
        + (
            f", and {'wrote' if applied else 'would write'} {len(beside)} beside them ({', '.join(beside)})"
            if beside
            else ""
        )
        + "."
        + (
            " Revoke every key a fix moved out of the code: it has leaked."
            if any("revoke" in what for c in plan.changes for what in c.changes)
            else ""
        )
    )
    return "\n".join(out) + "\n"
