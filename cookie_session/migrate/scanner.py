"""`scan(paths, exclude)`: walk, read, pick the rule set for each file, and collect findings and notices.

Never raises for a file it cannot handle: an unreadable, binary, huge or
undecodable file, or Python that does not parse, becomes a notice (and, for the
last two, a scan by pattern). Only a path that does not exist raises
(`BadInputError`). At most one finding per rule per line. A line holding
`cookie-session: ignore` (all rules) or `cookie-session: ignore[CS101,CS202]`
(those rules), usually in a comment, moves its findings to `suppressed`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import stat
from pathlib import Path

import pathspec

from .findings import Finding, Notice, ScanResult
from .git import GitInfo
from .notebook import notebook_hits
from .patterns import (
    UNSAFE_ENV_VAR,
    XAI_KEY_RE,
    grok_context,
    is_placeholder_key,
    is_placeholder_value,
    mask,
    secret_name,
    source_lines,
)
from .python_scan import scan_python
from .rules import RULES
from .text_scan import MAX_LINE_CHARS, file_kind, parse_env_line, scan_notebook, scan_text, secret_hits
from .walk import iter_files

__all__ = ["MAX_FILE_BYTES", "SUPPRESS_MARK", "scan", "display_path"]

#: Files larger than this are skipped with a notice (prototypes are small; data files are not code).
MAX_FILE_BYTES = 1024 * 1024
_SNIFF_BYTES = 8192
#: The in-source suppression comment: `cookie-session: ignore` or `cookie-session: ignore[CS101, CS202]`.
SUPPRESS_MARK = re.compile(r"cookie-session:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")


def _suppressed_rules(line: str) -> frozenset[str] | None:
    """The rule ids `line` suppresses (empty: all of them), or None when it suppresses nothing."""
    match = SUPPRESS_MARK.search(line)
    if match is None:
        return None
    return frozenset(r.strip().upper() for r in (match.group(1) or "").split(",") if r.strip())


def display_path(path: Path, base: str | None = None) -> str:
    """`path` relative to `base` (default: the working directory) when it is below it, else absolute; with `/`."""
    relative = os.path.relpath(path, base)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return Path(path).as_posix()
    return Path(relative).as_posix()


class _FileScan:
    def __init__(self, path: Path, shown: str, git: GitInfo, named: bool = False) -> None:
        self.path, self.shown, self.git, self.named = path, shown, git, named
        self.findings: list[Finding] = []
        self.suppressed: list[Finding] = []
        self.notices: list[Notice] = []
        self.lines: list[str] = []
        self._kept: dict[tuple, Finding] = {}
        self._facts: dict[int, tuple[frozenset[str] | None, str]] = {}
        top = git.work_tree(path) if path.parent.exists() else None
        self.repo_path = path.resolve().relative_to(top).as_posix() if top and top in path.resolve().parents else shown

    def add(
        self, line: int, col: int, rule_id: str, detail: str | None = None, masked: str | None = None, **cell
    ) -> None:
        """Record a finding (`cell`: a notebook's `cell`, `cell_line`, `in_output`); of several of one rule on one
        line, the leftmost is kept (so a line holding a thousand matches costs a thousand comparisons, not a
        thousand findings)."""
        key = (line, rule_id, cell.get("cell"), cell.get("cell_line"), cell.get("in_output"))
        kept = self._kept.get(key)
        if kept is not None and kept.col <= col:
            return
        rule = RULES[rule_id]
        if masked and not detail:
            detail = masked
        finding = rule.finding(self.shown, line, col, detail=detail, masked=masked)
        self._kept[key] = dataclasses.replace(finding, **cell) if cell else finding

    def _line_facts(self, number: int) -> tuple[frozenset[str] | None, str]:
        """(the rules a `cookie-session: ignore` on the line suppresses, the line normalised for fingerprints),
        worked out once per line."""
        if number not in self._facts:
            text = self.lines[number - 1] if 0 < number <= len(self.lines) else ""
            self._facts[number] = (
                _suppressed_rules(text),
                " ".join(XAI_KEY_RE.sub(lambda m: mask(m.group()), text).split()),
            )
        return self._facts[number]

    def finish(self) -> None:
        """Sort the kept findings into findings and suppressed ones, each with its fingerprint: sha256 of (rule,
        path in the repository, the line's text with whitespace runs collapsed and every key masked, or for a
        secret the masked message) and which such occurrence in the file it is. No line number is in it, so it
        stays the same when unrelated lines are added or removed above."""
        occurrences: dict[tuple[str, str], int] = {}
        for finding in sorted(self._kept.values(), key=lambda f: (f.line, f.col, f.rule_id)):
            ignored, normalised = self._line_facts(finding.line)
            # a secret's line is not hashed (a weak password could be guessed back)
            text = finding.message if finding.masked else normalised
            count = occurrences[(finding.rule_id, text)] = occurrences.get((finding.rule_id, text), 0) + 1
            digest = hashlib.sha256("\0".join((finding.rule_id, self.repo_path, text)).encode("utf-8", "replace"))
            finding = dataclasses.replace(finding, fingerprint=f"{digest.hexdigest()[:32]}:{count}")
            is_suppressed = ignored is not None and (not ignored or finding.rule_id in ignored)
            (self.suppressed if is_suppressed else self.findings).append(finding)

    def note(self, message: str) -> None:
        self.notices.append(Notice(self.shown, message))

    def read(self) -> str | None:
        """The file's text, or None (with a notice when there is something to say) when it is not to be scanned.

        Only regular files are read (a FIFO would block forever, a device never ends): others are skipped,
        with a notice when named on the command line; so is a binary file.
        """
        try:
            if not stat.S_ISREG(os.stat(self.path).st_mode):
                if self.named:
                    self.note("skipped: not a regular file (a FIFO, socket or device)")
                return None
            descriptor = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
            with open(descriptor, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped for a FIFO since the stat
                    return None
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            self.note(f"skipped: cannot read ({error.strerror or type(error).__name__})")
            return None
        if b"\0" in data[:_SNIFF_BYTES]:
            if self.named:
                self.note("skipped: binary file")
            return None  # binary: nothing a prototype keeps as code or config
        if len(data) > MAX_FILE_BYTES:
            self.note(f"skipped: larger than {MAX_FILE_BYTES // 1024} KiB")
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.note("not valid UTF-8: scanned with the undecodable bytes replaced")
            return data.decode("utf-8", errors="replace")

    def run(self) -> bool:
        """Scan the file; False if it was not scanned at all."""
        text = self.read()
        if text is None:
            return False
        lines = self.lines = source_lines(text)
        kind = file_kind(self.path, lines[0] if lines else "")
        if kind == "notebook" and (cells := notebook_hits(text, lines)) is not None:
            for hit in cells:
                self.add(
                    hit.file_line,
                    hit.col,
                    hit.rule_id,
                    hit.detail,
                    hit.masked,
                    cell=hit.cell,
                    cell_line=hit.cell_line,
                    in_output=hit.in_output,
                )
            return True
        if kind != "python":
            self.note_long_lines(lines)
        if kind == "env":
            self.scan_env(lines)
            for line, col, rule_id, detail in scan_text(lines, kind, self.path):
                self.add(line, col, rule_id, detail)
            return True
        for line, col, rule_id, masked in secret_hits(lines, in_grok_context=grok_context(text)):
            self.add(line, col, rule_id, masked=masked)
        if kind == "python":
            try:
                hits = list(scan_python(text, filename=self.shown))
            except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
                where = f" (line {error.lineno})" if isinstance(error, SyntaxError) and error.lineno else ""
                self.note(f"not valid Python{where}: scanned by pattern, comments skipped, docstrings not")
                self.note_long_lines(lines)
                hits = list(scan_text(lines, "python-fallback", self.path))
        elif kind == "notebook":
            hits = list(scan_notebook(lines))
        else:
            hits = list(scan_text(lines, kind, self.path))
        for line, col, rule_id, detail in hits:
            if rule_id == "CS201":  # a key split across string pieces: its detail is the masked key
                self.add(line, col, rule_id, masked=detail)
            else:
                self.add(line, col, rule_id, detail)
        return True

    def note_long_lines(self, lines: list[str]) -> None:
        """Say so when pattern rules saw only the start of some lines (secrets are searched on whole lines)."""
        long_lines = [number for number, line in enumerate(lines, 1) if len(line) > MAX_LINE_CHARS]
        if long_lines:
            self.note(
                f"{len(long_lines)} line(s) longer than {MAX_LINE_CHARS} characters (first: line "
                f"{long_lines[0]}): secrets searched on whole lines, other rules on the first "
                f"{MAX_LINE_CHARS} characters"
            )

    def scan_env(self, lines: list[str]) -> None:
        """CS202/CS203: a secret-looking value in a .env file git tracks, or does not ignore."""
        secrets = []
        for number, line in enumerate(lines, 1):
            parsed = parse_env_line(line)
            if parsed is None:
                continue
            name, value, column = parsed
            if name == UNSAFE_ENV_VAR:
                continue  # the opt-in word is no secret (CS303 reports it)
            is_key = bool(XAI_KEY_RE.fullmatch(value)) and not is_placeholder_key(value)
            if is_key or (secret_name(name) and not is_placeholder_value(value)):
                secrets.append((number, column + 1, f"{name}={mask(value)}", mask(value)))
        if not secrets:
            return
        tracked = self.git.is_tracked(self.path)
        if tracked:
            rule_id = "CS202"
        elif tracked is False and self.git.is_ignored(self.path) is False:
            rule_id = "CS203"
        else:
            return  # ignored by git, or no git to ask: where a key belongs
        for number, column, detail, masked in secrets:
            self.add(number, column, rule_id, detail, masked)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    kept: dict[tuple, Finding] = {}
    for finding in sorted(findings):
        where = (finding.cell, finding.cell_line, finding.in_output)
        kept.setdefault((finding.path, finding.line, finding.rule_id, *where), finding)
    return sorted(kept.values())


def scan(paths, exclude=(), *, relative_to: str | os.PathLike | None = None) -> ScanResult:
    """Scan files and folders for what must change before a prototype leaves a laptop.

    `paths` is an iterable of file or folder paths (str or PathLike); `exclude` holds
    .gitignore-style patterns, matched against each file's path as reported (relative to
    the working directory, or to `relative_to`), that leave a file out even when it is named. Raises
    BadInputError if a path does not exist; everything else ends up in the result.
    """
    paths = list(paths) or ["."]
    excluded = pathspec.GitIgnoreSpec.from_lines(exclude)
    git = GitInfo()
    findings: list[Finding] = []
    suppressed: list[Finding] = []
    notices: list[Notice] = []
    scanned = 0
    named = {os.path.abspath(os.fspath(p)) for p in paths if not os.path.isdir(p)}
    for path in iter_files(paths):
        shown = display_path(path, None if relative_to is None else os.fspath(relative_to))
        if excluded.match_file(shown):
            continue
        file_scan = _FileScan(path, shown, git, named=str(path) in named)
        scanned += file_scan.run()
        file_scan.finish()
        findings.extend(file_scan.findings)
        suppressed.extend(file_scan.suppressed)
        notices.extend(file_scan.notices)
    return ScanResult(_dedupe(findings), notices, scanned, _dedupe(suppressed))
