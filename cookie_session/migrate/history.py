"""`migrate --history`: xAI keys and `.env` secrets that git history still holds after the work tree lost them.

Reads `git log -p` of every reachable commit (or those not reachable from `since`),
with no textconv, external diff or filter driver (see `git.py`): each added line is
searched as the scanner searches a file (an `xai-` key, a bearer token or a grok.com
session token anywhere; a secret-looking value in a `.env` file). A secret still present
in the same file of the work tree is left to the ordinary scan: that is asked of git
only (the file's blob in the index, when git says the work tree's file is unchanged),
never by opening a path the repository names (a link, a FIFO). Each secret is reported
once per path, at the commit that added it, masked.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import BadInputError
from .findings import Finding
from .git import git_output_lines, run_git
from .patterns import UNSAFE_ENV_VAR, XAI_KEY_RE, is_placeholder_value, mask, secret_name, secret_values
from .rules import RULES
from .text_scan import file_kind, parse_env_line

__all__ = ["HistoryHit", "scan_history", "history_findings"]

_COMMIT = b"\x00commit "
_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class HistoryHit:
    """One secret in one commit: where it was added, masked; `value` stays private to this module's callers."""

    commit: str
    path: str
    line: int
    col: int
    masked: str
    kind: str  # "key", "token" (a bearer token), "session" (a grok.com session token) or "env"
    value: str

    def __repr__(self) -> str:
        return f"HistoryHit({self.commit[:12]} {self.path}:{self.line}:{self.col} {self.masked})"


def _repository_top(path: Path) -> Path:
    directory = path if path.is_dir() else path.parent
    done = run_git(directory, "rev-parse", "--show-toplevel")
    if done is None or done.returncode != 0 or not done.stdout.strip():
        raise BadInputError(
            f"--history needs a git repository, and {os.fspath(path)!r} is not in one",
            hint="Run it inside a clone, or leave out --history.",
        )
    return Path(os.fsdecode(done.stdout.strip()))


def _resolve(top: Path, since: str) -> str:
    done = run_git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{since}^{{commit}}")
    if done is None or done.returncode != 0:
        raise BadInputError(
            f"--since {since!r} is not a commit of this repository",
            hint="Give a commit, tag or branch, e.g. --since origin/main.",
        )
    return done.stdout.decode().strip()


def _path_of(header: bytes) -> str | None:
    name = header[4:]
    if name == b"/dev/null":
        return None
    if name.startswith(b'"'):  # git quotes names with unusual bytes: C-style escapes
        name = codecs.escape_decode(name[1:-1])[0]
    return os.fsdecode(name[2:] if name.startswith(b"b/") else name)


_KINDS = {"CS201": "key", "CS204": "token", "CS208": "session"}
#: What a HistoryHit's kind is called in a finding.
KIND_NAMES = {
    "key": "xAI key",
    "token": "bearer token",
    "session": "grok.com session token",
    "env": "secret in a .env file",
}
_MAX_BLOB_BYTES = 8 * 1024 * 1024


def _secrets_in(line: str, kind: str):
    """`(col0, masked, kind, value)` for each secret in one added line of a file of `kind`."""
    for hit in secret_values(line):
        yield hit.col, hit.masked, _KINDS[hit.rule_id], hit.value
    if kind == "env" and (parsed := parse_env_line(line)) is not None:
        name, value, column = parsed
        if (
            name != UNSAFE_ENV_VAR
            and not XAI_KEY_RE.fullmatch(value)
            and secret_name(name)
            and not is_placeholder_value(value)
        ):
            yield column, f"{name}={mask(value)}", "env", value


def scan_history(path: Path | str, since: str | None = None) -> list[HistoryHit]:
    """Every secret the history of the repository holding `path` added, oldest commit first, minus those the
    work tree still holds in the same file. Raises BadInputError when there is no repository or `since` is
    not a commit of it."""
    top = _repository_top(Path(os.path.abspath(path)))
    revisions = ["--all"] if since is None else ["--all", "--not", _resolve(top, since)]
    args = [
        "log",
        *revisions,
        "-p",
        "-U0",
        "--no-textconv",
        "--no-ext-diff",
        "--no-color",
        "--no-renames",
        "--format=%x00commit %H",
        "--end-of-options",
    ]
    found: dict[tuple[str, str], HistoryHit] = {}
    commit, current, kind, number = "", None, "text", 0
    try:
        for raw in git_output_lines(top, *args):
            if raw.startswith(_COMMIT):
                commit = raw[len(_COMMIT) :].decode()
            elif raw.startswith(b"+++ "):
                current = _path_of(raw)
                kind = file_kind(PurePosixPath(current)) if current else "text"
            elif (hunk := _HUNK.match(raw)) is not None:
                number = int(hunk.group(1))
            elif raw.startswith(b"+") and current is not None:
                text = raw[1:].decode("utf-8", errors="replace")
                for col, masked, what, value in _secrets_in(text, kind):
                    # git log lists newest first: the last one seen for a (path, secret) is the commit that added it
                    found[(current, value)] = HistoryHit(commit, current, number, col + 1, masked, what, value)
                number += 1
    except OSError as error:
        raise BadInputError(f"--history needs git, which did not run ({error.strerror or error})") from None
    still_there = _WorkTree(top)
    return sorted(
        (hit for hit in found.values() if not still_there.holds(hit.path, hit.value)),
        key=lambda h: (h.path, h.line, h.commit),
    )


class _WorkTree:
    """What the work tree holds, as git says: a path's blob in the index, when the work tree's file is the very
    file git recorded there (same device, inode, size and modification time: `lstat`, which neither follows a
    link planted at the path nor opens a FIFO). No path the repository names is ever opened, and git runs
    no filter on the work tree (a `git diff` would run the repository's clean filter)."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.blobs: dict[str, str] = {}
        self._texts: dict[str, str | None] = {}
        listed = run_git(top, "ls-files", "-s", "--debug", "-z")
        if listed is None or listed.returncode != 0:
            return  # git cannot say: every secret found in history is reported
        # `<mode> <blob> <stage>\t<path>\0` then five lines of stat data, then the next entry
        tokens = listed.stdout.split(b"\0")
        blocks = [token.split(b"\n", 5) for token in tokens[1:]]
        entries = [tokens[0], *(block[5] for block in blocks if len(block) == 6)]
        for entry, block in zip(entries, blocks, strict=False):
            debug = b"\n".join(block[:5])
            info, _, name = entry.partition(b"\t")
            fields = info.split()
            path = os.fsdecode(name)
            if len(fields) == 3 and fields[0] in (b"100644", b"100755") and _unchanged(top / path, debug):
                self.blobs[path] = fields[1].decode()

    def holds(self, path: str, value: str) -> bool:
        blob = self.blobs.get(path)
        if blob is None:
            return False
        if path not in self._texts:
            self._texts[path] = self._blob_text(blob)
        text = self._texts[path]
        return text is not None and value in text

    def _blob_text(self, blob: str) -> str | None:
        size = run_git(self.top, "cat-file", "-s", blob)
        if size is None or size.returncode != 0 or int(size.stdout or 0) > _MAX_BLOB_BYTES:
            return None
        done = run_git(self.top, "cat-file", "blob", blob)
        return None if done is None or done.returncode != 0 else done.stdout.decode("utf-8", errors="replace")


_STAT_FIELD = re.compile(rb"(ctime|mtime|dev|ino|size): (\d+)(?::(\d+))?")


def _unchanged(path: Path, debug: bytes) -> bool:
    """True if `path` is a regular file with the device, inode, size and mtime `git ls-files --debug` recorded."""
    recorded = {m.group(1): (int(m.group(2)), int(m.group(3) or 0)) for m in _STAT_FIELD.finditer(debug)}
    try:
        status = os.lstat(path)
    except OSError:
        return False
    mtime = recorded.get(b"mtime", (-1, 0))
    return (
        stat.S_ISREG(status.st_mode)
        and recorded.get(b"ino", (-1, 0))[0] == status.st_ino & 0xFFFFFFFF
        and recorded.get(b"size", (-1, 0))[0] == status.st_size & 0xFFFFFFFF
        and mtime == (int(status.st_mtime), status.st_mtime_ns % 1_000_000_000)
    )


def history_findings(path: Path | str, since: str | None = None) -> list[Finding]:
    """`scan_history` as findings of CS207, paths shown as the scanner shows them (relative to the working
    directory when below it)."""
    from .scanner import display_path

    rule = RULES["CS207"]
    findings = []
    top = _repository_top(Path(os.path.abspath(path)))
    for hit in scan_history(path, since):
        what = KIND_NAMES[hit.kind]
        finding = rule.finding(
            display_path(top / hit.path),
            hit.line,
            hit.col,
            masked=hit.masked,
            detail=f"{what} {hit.masked} added in commit {hit.commit[:12]}, no longer in the work tree",
        )
        digest = hashlib.sha256("\0".join((rule.id, hit.path, hit.commit, hit.masked)).encode()).hexdigest()
        findings.append(dataclasses.replace(finding, fingerprint=f"{digest[:32]}:1"))
    return findings
