"""`Finding`, `Notice` and `ScanResult`: what a migration scan reports, and nothing secret.

A finding carries its location (1-based line and column, columns in characters),
the rule, and at most a masked fingerprint of a secret it found; never source text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import BadInputError

__all__ = ["SEVERITIES", "severity_rank", "Finding", "Notice", "ScanResult"]

#: Severities from least to most serious; `--fail-on` compares ranks.
SEVERITIES = ("note", "warning", "error")


def severity_rank(severity: str) -> int:
    """0 for note, 1 for warning, 2 for error; `BadInputError` (a ValueError) for anything else."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        raise BadInputError(f"Unknown severity {severity!r}; expected one of {', '.join(SEVERITIES)}") from None


@dataclass(frozen=True, order=True)
class Finding:
    """One thing to change: where, which rule, how serious, why, and the replacement.

    `masked` is the fingerprint of a secret the finding is about (`xai-…b14o`), or None.
    """

    path: str
    line: int
    col: int
    rule_id: str
    severity: str = field(compare=False)
    message: str = field(compare=False)
    replacement: str = field(compare=False)
    masked: str | None = field(default=None, compare=False)
    rule_name: str = field(default="", compare=False)
    #: What identifies this finding across unrelated edits (no line number in it): see `scanner.py`.
    fingerprint: str | None = field(default=None, compare=False)
    #: In a notebook: the cell (1-based), the line in the cell, and whether it is in the cell's output.
    cell: int | None = field(default=None, compare=False)
    cell_line: int | None = field(default=None, compare=False)
    in_output: bool = field(default=False, compare=False)

    @property
    def location(self) -> str:
        """`path:line:col` (the line of the file), and for a notebook `(cell 3, line 2)` / `(cell 3 output, ...)`."""
        where = f"{self.path}:{self.line}:{self.col}"
        if self.cell is not None:
            where += f" (cell {self.cell}{' output' if self.in_output else ''}, line {self.cell_line})"
        return where

    def to_dict(self) -> dict:
        """The finding's fields; `cell`, `cell_line` and `in_output` only for a finding in a notebook."""
        where = {"cell": self.cell, "cell_line": self.cell_line, "in_output": self.in_output}
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "severity": self.severity,
            "message": self.message,
            "replacement": self.replacement,
            "masked": self.masked,
            "fingerprint": self.fingerprint,
            **(where if self.cell is not None else {}),
        }


@dataclass(frozen=True)
class Notice:
    """Something the scan could not do as usual for one file (skipped, or scanned by pattern only)."""

    path: str
    message: str

    def to_dict(self) -> dict:
        return {"path": self.path, "message": self.message}


@dataclass
class ScanResult:
    """Findings sorted by path and position, notices, how many files were scanned, and the findings a
    `cookie-session: ignore` comment suppressed (reported apart; they never fail a scan)."""

    findings: list[Finding]
    notices: list[Notice]
    files_scanned: int
    suppressed: list[Finding] = field(default_factory=list)

    @property
    def files_with_findings(self) -> int:
        """How many files at least one (unsuppressed) finding is in."""
        return len({finding.path for finding in self.findings})

    def at_or_above(self, severity: str) -> list[Finding]:
        """The findings at least as serious as `severity`."""
        floor = severity_rank(severity)
        return [f for f in self.findings if severity_rank(f.severity) >= floor]

    def counts(self) -> dict[str, int]:
        """How many findings per severity, most serious first."""
        return {s: sum(f.severity == s for f in self.findings) for s in reversed(SEVERITIES)}
