"""`cookie-session migrate`: find what must change before a prototype leaves a laptop.

Cookie auth (CS1xx), secrets (CS2xx) and this library's unsafe opt-in left switched
on (CS3xx); each finding names the replacement (the Authenticator / `XAI_API_KEY` way)
and shows a secret only as a fingerprint. `scan(paths)` returns a `ScanResult`;
`render(result, "text" | "json" | "sarif")` formats it. `history.history_findings(path)` adds
the secrets git history still holds (CS207); `fix.plan_fixes(paths)` (libcst, imported only
there) is what `migrate --fix / --diff` rewrites. Rules are explained in docs/rules.md.
"""

from __future__ import annotations

from .findings import SEVERITIES, Finding, Notice, ScanResult, severity_rank
from .report import FORMATS, render
from .rules import RULES, Rule
from .scanner import scan

scan_for_migration = scan
render_migration_report = render

__all__ = [
    "scan",
    "scan_for_migration",
    "render",
    "render_migration_report",
    "Finding",
    "Notice",
    "ScanResult",
    "Rule",
    "RULES",
    "SEVERITIES",
    "FORMATS",
    "severity_rank",
]
