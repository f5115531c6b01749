"""Render a `ScanResult` as text, JSON or SARIF 2.1.0. Findings hold no secrets, so neither do these.

The JSON shape (`version` 1) is stable: keys are only ever added (`suppressed`, `files_with_findings` and
`fingerprint` were). SARIF, for code scanning: paths relative to the top of the git work tree the working
directory is in (else to the working directory), under `uriBaseId` `%SRCROOT%`, which names no path of this
machine; columns count Unicode code points; each rule has its help text (the replacement) and a `helpUri` to its
section of docs/rules.md; each result a `partialFingerprints` entry that survives unrelated edits.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..errors import BadInputError, printable, printable_json
from .findings import Finding, ScanResult
from .rules import RULES

__all__ = [
    "FORMATS",
    "JSON_VERSION",
    "TOOL_NAME",
    "SARIF_SCHEMA_URI",
    "INFORMATION_URI",
    "RULES_DOC_URI",
    "FINGERPRINT_KEY",
    "render",
    "render_text",
    "render_json",
    "render_sarif",
    "summary_line",
]

FORMATS = ("text", "json", "sarif")
JSON_VERSION = 1
TOOL_NAME = "cookie-session migrate"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/cookie-session/cookie-session"
RULES_DOC_URI = f"{INFORMATION_URI}/blob/main/docs/rules.md"
#: The `partialFingerprints` key (versioned: a new algorithm gets a new key).
FINGERPRINT_KEY = "cookieSessionFinding/v1"
_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "note": "2.0"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_text(result: ScanResult) -> str:
    """One block per finding (`path:line:col: RULE [severity] message` and its fix), notices, a summary.

    Every file name is shown `printable` (a newline or an escape sequence in a name becomes `\\n`, `\\x1b`),
    so a name can neither forge a line of the report nor drive the terminal."""
    out = []
    for finding in result.findings:
        out.append(
            f"{printable(finding.location)}: {finding.rule_id} [{finding.severity}] {printable(finding.message)}"
        )
        out.append(f"    fix: {finding.replacement}")
    for notice in result.notices:
        out.append(f"notice: {printable(notice.path)}: {printable(notice.message)}")
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


def summary_line(result: ScanResult) -> str:
    """`3 findings (2 errors, 1 warning, 0 notes) in 2 files; 5 files scanned.`: files with findings and files
    scanned counted apart."""
    counts = result.counts()
    scanned = f"{_plural(result.files_scanned, 'file')} scanned"
    suppressed = f"; {len(result.suppressed)} suppressed by cookie-session: ignore" if result.suppressed else ""
    if not result.findings:
        return f"No findings; {scanned}{suppressed}."
    detail = ", ".join(_plural(n, s) for s, n in counts.items())
    return (
        f"{_plural(len(result.findings), 'finding')} ({detail}) in {_plural(result.files_with_findings, 'file')};"
        f" {scanned}{suppressed}."
    )


def render_json(result: ScanResult) -> str:
    """`{version, tool, summary, findings, notices, suppressed}`; see the module docstring."""
    data = {
        "version": JSON_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "summary": {
            "files_scanned": result.files_scanned,
            "files_with_findings": result.files_with_findings,
            "findings": len(result.findings),
            **result.counts(),
            "suppressed": len(result.suppressed),
        },
        "findings": [finding.to_dict() for finding in result.findings],
        "notices": [notice.to_dict() for notice in result.notices],
        "suppressed": [finding.to_dict() for finding in result.suppressed],
    }
    return printable_json(data, indent=2) + "\n"


def _repository_prefix() -> str:
    """Where the working directory sits inside its git work tree (`sub/dir/`), or "" (at the top, or no git)."""
    from .git import GitInfo

    cwd = Path(os.getcwd())
    top = GitInfo().work_tree(cwd)
    if top is None or top == cwd.resolve():
        return ""
    try:
        return cwd.resolve().relative_to(top).as_posix() + "/"
    except ValueError:
        return ""


def _artifact(path: str, prefix: str) -> dict:
    """A relative URI under %SRCROOT%; a path outside the working directory is made relative to it (`../x`),
    so no absolute path of this machine is ever written."""
    relative = os.path.relpath(path) if Path(path).is_absolute() else path
    return {"uri": quote(Path(os.path.normpath(prefix + relative)).as_posix()), "uriBaseId": "%SRCROOT%"}


def _sarif_rule(rule) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": f"{rule.title}. Replace with: {rule.replacement}"},
        "help": {"text": rule.replacement, "markdown": rule.replacement},
        "helpUri": f"{RULES_DOC_URI}#{rule.id.lower()}-{rule.name}",
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": ["security"], "security-severity": _SECURITY_SEVERITY[rule.severity]},
    }


def _sarif_result(finding: Finding, rule_ids: list[str], prefix: str) -> dict:
    fingerprints = {FINGERPRINT_KEY: finding.fingerprint} if finding.fingerprint else {}
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_ids.index(finding.rule_id),
        "level": finding.severity,
        "message": {"text": f"{finding.message}. Fix: {finding.replacement}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path, prefix),
                    "region": {"startLine": finding.line, "startColumn": finding.col},
                }
            }
        ],
        **({"partialFingerprints": fingerprints} if fingerprints else {}),
    }


def render_sarif(result: ScanResult) -> str:
    """A SARIF 2.1.0 log with one run: every rule, every finding (suppressed ones marked `inSource`),
    notices as tool notifications."""
    rule_ids = list(RULES)
    prefix = _repository_prefix()
    results = [_sarif_result(finding, rule_ids, prefix) for finding in result.findings]
    results += [
        {**_sarif_result(finding, rule_ids, prefix), "suppressions": [{"kind": "inSource"}]}
        for finding in result.suppressed
    ]
    notifications = [
        {
            "level": "note",
            "message": {"text": notice.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(notice.path, prefix)}}],
        }
        for notice in result.notices
    ]
    run = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_sarif_rule(RULES[rule_id]) for rule_id in rule_ids],
            }
        },
        "originalUriBaseIds": {
            "%SRCROOT%": {
                "description": {
                    "text": "The top of the repository's work tree (where `cookie-session migrate` ran when not in git)"
                }
            }
        },
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
    }
    return printable_json({"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def render(result: ScanResult, fmt: str = "text") -> str:
    """The report in `fmt` (one of FORMATS)."""
    renderers = {"text": render_text, "json": render_json, "sarif": render_sarif}
    if fmt not in renderers:
        raise BadInputError(f"Unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return renderers[fmt](result)
