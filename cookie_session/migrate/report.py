"""Render a `ScanResult` as text, JSON or SARIF 2.1.0. Findings hold no secrets, so neither do these.

The JSON shape (`version` 1) is stable: keys are only ever added (`suppressed` was). SARIF paths are
relative to the working directory (`uriBaseId` `%SRCROOT%`), columns count
Unicode code points, and each rule's help text is the replacement.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..errors import BadInputError
from .findings import Finding, ScanResult
from .rules import RULES

__all__ = ["FORMATS", "JSON_VERSION", "TOOL_NAME", "SARIF_SCHEMA_URI", "render", "render_text", "render_json",
           "render_sarif"]

FORMATS = ("text", "json", "sarif")
JSON_VERSION = 1
TOOL_NAME = "cookie-session migrate"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "note": "2.0"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_text(result: ScanResult) -> str:
    """One block per finding (`path:line:col: RULE [severity] message` and its fix), notices, a summary."""
    out = []
    for finding in result.findings:
        out.append(f"{finding.location}: {finding.rule_id} [{finding.severity}] {finding.message}")
        out.append(f"    fix: {finding.replacement}")
    for notice in result.notices:
        out.append(f"notice: {notice.path}: {notice.message}")
    counts = result.counts()
    files = _plural(result.files_scanned, "file")
    suppressed = f"; {len(result.suppressed)} suppressed by cookie-session: ignore" if result.suppressed else ""
    if result.findings:
        detail = ", ".join(_plural(n, s) for s, n in counts.items())
        out.append(f"{_plural(len(result.findings), 'finding')} ({detail}) in {files}{suppressed}.")
    else:
        out.append(f"No findings in {files}{suppressed}.")
    return "\n".join(out) + "\n"


def render_json(result: ScanResult) -> str:
    """`{version, tool, summary, findings, notices, suppressed}`; see the module docstring."""
    data = {
        "version": JSON_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "summary": {"files_scanned": result.files_scanned, "findings": len(result.findings), **result.counts(),
                    "suppressed": len(result.suppressed)},
        "findings": [finding.to_dict() for finding in result.findings],
        "notices": [notice.to_dict() for notice in result.notices],
        "suppressed": [finding.to_dict() for finding in result.suppressed],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _artifact(path: str) -> dict:
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}


def _sarif_rule(rule) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": f"{rule.title}. Replace with: {rule.replacement}"},
        "help": {"text": rule.replacement, "markdown": rule.replacement},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": ["security"], "security-severity": _SECURITY_SEVERITY[rule.severity]},
    }


def _sarif_result(finding: Finding, rule_ids: list[str]) -> dict:
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_ids.index(finding.rule_id),
        "level": finding.severity,
        "message": {"text": f"{finding.message}. Fix: {finding.replacement}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": _artifact(finding.path),
            "region": {"startLine": finding.line, "startColumn": finding.col},
        }}],
    }


def render_sarif(result: ScanResult) -> str:
    """A SARIF 2.1.0 log with one run: every rule, every finding (suppressed ones marked `inSource`),
    notices as tool notifications."""
    rule_ids = list(RULES)
    results = [_sarif_result(finding, rule_ids) for finding in result.findings]
    results += [{**_sarif_result(finding, rule_ids), "suppressions": [{"kind": "inSource"}]}
                for finding in result.suppressed]
    notifications = [{
        "level": "note",
        "message": {"text": notice.message},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(notice.path)}}],
    } for notice in result.notices]
    run = {
        "tool": {"driver": {"name": TOOL_NAME, "version": __version__, "semanticVersion": __version__,
                            "rules": [_sarif_rule(RULES[rule_id]) for rule_id in rule_ids]}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(os.getcwd()).as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}, indent=2,
                      ensure_ascii=False) + "\n"


def render(result: ScanResult, fmt: str = "text") -> str:
    """The report in `fmt` (one of FORMATS)."""
    renderers = {"text": render_text, "json": render_json, "sarif": render_sarif}
    if fmt not in renderers:
        raise BadInputError(f"Unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return renderers[fmt](result)
