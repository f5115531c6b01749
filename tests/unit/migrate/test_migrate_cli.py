"""`cookie-session migrate`: exit codes, --fail-on, formats (JSON shape, SARIF 2.1.0 by its schema), the hook."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml  # PyYAML comes with the test extra (a dependency of `responses`)
from cli_runner import run_cli
from paths import DATA, REPO

from cookie_session.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from cookie_session.migrate import RULES
from cookie_session.testing.standin import make_test_key

SARIF_SCHEMA = json.loads((DATA / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def migrate(*args: str):
    return run_cli("migrate", *args)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path):
    """One file per severity: an error (a key), a warning (a grok.com endpoint), a note (a hand-built header)."""
    key = make_test_key()
    write(tmp_path / "error.py", f'API_KEY = "{key}"\n')
    write(tmp_path / "warning.py", 'URL = "https://grok.com/rest/app-chat/conversations/new"\n')
    write(tmp_path / "note.py", 'def h(k):\n    return {"Authorization": "Bearer " + k}\n')
    write(tmp_path / "clean.py", 'import os\nKEY = os.environ["XAI_API_KEY"]\n')
    return key


# --- exit codes -------------------------------------------------------------------


def test_clean_is_exit_0(project):
    result = migrate("clean.py")
    assert result.exit_code == EXIT_OK == 0
    assert result.output == "No findings; 1 file scanned.\n"


def test_findings_are_exit_1_with_location_rule_severity_message_and_fix(project):
    result = migrate("error.py")
    assert result.exit_code == EXIT_FINDINGS == 1
    lines = result.output.splitlines()
    assert lines[0] == f"error.py:1:12: CS201 [error] Hard-coded xAI API key: xai-…{project[-4:]}"
    assert lines[1].startswith("    fix: Revoke the key at console.x.ai") and "XAI_API_KEY" in lines[1]
    assert lines[-1] == "1 finding (1 error, 0 warnings, 0 notes) in 1 file; 1 file scanned."
    assert project not in result.output


@pytest.mark.parametrize(
    "fail_on, files, code",
    [
        ("warning", ["note.py"], 0),
        ("note", ["note.py"], 1),
        ("warning", ["warning.py"], 1),
        ("error", ["warning.py"], 0),
        ("error", ["error.py"], 1),
        ("error", ["clean.py"], 0),
        (None, ["note.py", "warning.py"], 1),
        (None, ["note.py"], 0),  # default: warning
    ],
)
def test_fail_on_threshold(project, fail_on, files, code):
    args = (["--fail-on", fail_on] if fail_on else []) + files
    assert migrate(*args).exit_code == code


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["missing.py"], "Path 'missing.py' does not exist"),
        (["--fail-on", "fatal", "."], "'fatal' is not one of"),
        (["--format", "xml", "."], "'xml' is not one of"),
    ],
)
def test_bad_usage_is_exit_2_in_one_line(project, args, complaint):
    result = migrate(*args)
    assert result.exit_code == EXIT_USAGE == 2
    assert complaint in result.output and "Traceback" not in result.output


def test_no_path_scans_the_working_directory(project):
    result = migrate("--fail-on", "error")
    assert result.exit_code == 1 and "in 3 files; 4 files scanned." in result.output


def test_output_file(project, tmp_path):
    result = migrate("--format", "json", "--output", "report.json", ".")
    assert result.exit_code == 1 and result.output == ""
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["findings"] == 3


def test_an_unwritable_output_is_one_line_not_a_traceback(project, tmp_path):
    (tmp_path / "adir").mkdir()
    result = migrate("--output", "adir", ".")
    assert result.exit_code == 2 and "Traceback" not in result.output


# --- formats ------------------------------------------------------------------------


def test_json_shape_is_stable(project):
    data = json.loads(migrate("--format", "json", ".").output)
    assert list(data) == ["version", "tool", "summary", "findings", "notices", "suppressed"]
    assert data["version"] == 1 and data["tool"]["name"] == "cookie-session migrate"
    assert data["summary"] == {
        "files_scanned": 4,
        "files_with_findings": 3,
        "findings": 3,
        "error": 1,
        "warning": 1,
        "note": 1,
        "suppressed": 0,
    }
    assert [list(f) for f in data["findings"]] == [
        ["path", "line", "col", "rule_id", "rule_name", "severity", "message", "replacement", "masked", "fingerprint"]
    ] * 3
    by_rule = {f["rule_id"]: f for f in data["findings"]}
    assert by_rule["CS201"]["masked"] == f"xai-…{project[-4:]}"
    assert by_rule["CS103"] == {
        "path": "warning.py",
        "line": 1,
        "col": 7,
        "rule_id": "CS103",
        "rule_name": "grok-web-endpoint",
        "severity": "warning",
        "message": "Calls the unofficial grok.com web endpoint",
        "replacement": RULES["CS103"].replacement,
        "masked": None,
        "fingerprint": by_rule["CS103"]["fingerprint"],
    }


def test_json_notices(tmp_path):
    write(tmp_path / "bad.py", "import browser_cookie3\ndef (:\n")
    data = json.loads(migrate("--format", "json", ".").output)
    assert data["notices"] == [
        {"path": "bad.py", "message": "not valid Python (line 2): scanned by pattern, comments skipped, docstrings not"}
    ]


def _validate(log: dict) -> None:
    validator_class = jsonschema.validators.validator_for(SARIF_SCHEMA)
    validator_class.check_schema(SARIF_SCHEMA)
    validator_class(SARIF_SCHEMA, format_checker=validator_class.FORMAT_CHECKER).validate(log)


def test_sarif_is_valid_sarif_2_1_0(project, tmp_path):
    write(tmp_path / "bad.py", "import browser_cookie3\ndef (:\n")  # a notice too
    log = json.loads(migrate("--format", "sarif", ".").output)
    _validate(log)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)
    assert all(rule["help"]["text"] == RULES[rule["id"]].replacement for rule in driver["rules"])
    assert {r["ruleId"]: r["level"] for r in run["results"]} == {
        "CS201": "error",
        "CS103": "warning",
        "CS205": "note",
        "CS101": "error",
    }
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]  # no path of this machine
    assert driver["informationUri"].startswith("https://")
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == ["bad.py"]
    assert project not in json.dumps(log)


def test_a_clean_sarif_log_is_valid_too(project):
    log = json.loads(migrate("--format", "sarif", "clean.py").output)
    _validate(log)
    assert log["runs"][0]["results"] == []


def test_the_schema_check_is_real(project):
    log = json.loads(migrate("--format", "sarif", ".").output)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        _validate(log)


# --- leaving things out: --exclude and `cookie-session: ignore` -------------------------------


def test_exclude_leaves_out_matching_files_even_when_named(project, tmp_path):
    write(tmp_path / "vendor" / "lib" / "grabber.py", "import browser_cookie3\n")
    everything = migrate("--format", "json", ".")
    assert "vendor/lib/grabber.py" in everything.output
    data = json.loads(migrate("--format", "json", "--exclude", "vendor/", "-x", "error.py", ".").output)
    assert {f["path"] for f in data["findings"]} == {"warning.py", "note.py"}
    assert data["summary"]["files_scanned"] == 3  # warning.py, note.py, clean.py
    assert migrate("--exclude", "*.py", "error.py").output == "No findings; 0 files scanned.\n"


def test_an_ignore_comment_suppresses_its_line_and_is_counted(tmp_path):
    key = make_test_key()
    write(
        tmp_path / "proto.py",
        "\n".join(
            [
                "import browser_cookie3  # cookie-session: ignore",
                "import pycookiecheat  # cookie-session: ignore[CS205]",  # another rule: still reported
                f'KEY = "{key}"  # cookie-session: ignore[cs201, CS202]',
                'URL = "https://grok.com/rest/app-chat/conversations/new"',
            ]
        )
        + "\n",
    )
    text = migrate("proto.py")
    assert text.exit_code == EXIT_FINDINGS
    assert [line.split(": ")[1].split()[0] for line in text.output.splitlines() if line.startswith("proto.py:")] == [
        "CS101",
        "CS103",
    ]
    assert text.output.splitlines()[-1] == (
        "2 findings (1 error, 1 warning, 0 notes) in 1 file; 1 file scanned; 2 suppressed by cookie-session: ignore."
    )
    data = json.loads(migrate("--format", "json", "proto.py").output)
    assert [(f["line"], f["rule_id"]) for f in data["suppressed"]] == [(1, "CS101"), (3, "CS201")]
    assert data["summary"]["suppressed"] == 2
    write(tmp_path / "proto.py", "import browser_cookie3  # cookie-session: ignore\n")
    assert migrate("proto.py").exit_code == EXIT_OK  # suppressed findings never fail a scan
    assert key not in text.output + json.dumps(data)


def test_suppressed_findings_are_sarif_in_source_suppressions(tmp_path):
    write(tmp_path / "proto.py", "import browser_cookie3  # cookie-session: ignore\nimport rookiepy\n")
    log = json.loads(migrate("--format", "sarif", ".").output)
    _validate(log)
    results = log["runs"][0]["results"]
    assert [(r["locations"][0]["physicalLocation"]["region"]["startLine"], r.get("suppressions")) for r in results] == [
        (2, None),
        (1, [{"kind": "inSource"}]),
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_no_secret_in_any_format(tmp_path, fmt):
    key, cookie = make_test_key(), "sso-value-" + make_test_key()[4:40]
    write(tmp_path / "s.sh", f"curl -H 'Authorization: Bearer {key}' -H 'Cookie: sso={cookie}' https://grok.com/\n")
    write(tmp_path / "t.py", f'TOKEN = "Bearer {cookie}1"\nprint("{key}")\n')
    output = migrate("--format", fmt, "--fail-on", "error", ".").output
    assert key not in output and cookie not in output
    assert f"xai-…{key[-4:]}" in output


# --- cheap --help, the pre-commit hook ------------------------------------------------


def test_the_cli_does_not_load_the_scanner_until_migrate_runs():
    code = (
        "import sys, cookie_session.cli; "
        "print(sorted(m for m in sys.modules if m.startswith('cookie_session.migrate') or m == 'pathspec'))"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


def test_pre_commit_hook_definition():
    hook, fix_hook = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "cookie-session-migrate"
    assert hook["entry"] == "cookie-session migrate"
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    assert hook["types"] == ["text"]
    assert fix_hook["id"] == "cookie-session-migrate-fix" and fix_hook["entry"] == "cookie-session migrate --fix"
    assert fix_hook["stages"] == ["manual"] and fix_hook["pass_filenames"] is True


def test_the_fix_hook_entry_rewrites_the_named_files(tmp_path):
    _, fix_hook = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = [sys.executable, "-m", "cookie_session", *fix_hook["entry"].split()[1:]]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(
        tmp_path / "run.py",
        "from cookie_session import resolve_authenticator\na = resolve_authenticator(unsafe_browser_cookies=True)\n",
    )
    done = subprocess.run([*entry, "run.py"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (tmp_path / "run.py").read_text().endswith("a = resolve_authenticator()\n")
    assert done.returncode == 0 and "fixed: run.py: removed unsafe_browser_cookies" in done.stderr


def test_the_hook_entry_runs_on_file_names_as_pre_commit_passes_them(tmp_path):
    """The real console script, with staged file names (an ignored one too), from the repository root."""
    hook = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    entry = hook["entry"].split()
    if shutil.which(entry[0]) is None:  # the installed console script; fall back to the same module
        entry = [sys.executable, "-m", "cookie_session", *entry[1:]]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(tmp_path / ".gitignore", "scratch/\n")
    write(tmp_path / "ok.py", "print('hi')\n")
    write(tmp_path / "scratch" / "try.py", "import browser_cookie3\n")
    clean = subprocess.run([*entry, "ok.py"], cwd=tmp_path, capture_output=True, text=True)
    assert (clean.returncode, clean.stdout) == (0, "No findings; 1 file scanned.\n")
    dirty = subprocess.run([*entry, "ok.py", "scratch/try.py"], cwd=tmp_path, capture_output=True, text=True)
    assert dirty.returncode == 1 and "scratch/try.py:1:1: CS101 [error]" in dirty.stdout


# --- SARIF for code scanning: help links, fingerprints, repository-relative paths --------------------------------


def _github_anchor(heading: str) -> str:
    """The fragment GitHub gives a Markdown heading: lower case, punctuation but `-` dropped, spaces to `-`."""
    return "".join(c for c in heading.strip().lower() if c.isalnum() or c in " -_").replace(" ", "-")


def test_every_rule_links_to_its_own_section_of_docs_rules_md(project):
    driver = json.loads(migrate("--format", "sarif", ".").output)["runs"][0]["tool"]["driver"]
    doc = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = {_github_anchor(line[3:]): line for line in doc.splitlines() if line.startswith("## ")}
    assert len(anchors) == len(RULES)
    for rule in driver["rules"]:
        base, _, fragment = rule["helpUri"].partition("#")
        assert base == driver["informationUri"] + "/blob/main/docs/rules.md"
        assert anchors[fragment].startswith(f"## {rule['id']}")


def _fingerprints(log: dict) -> dict[str, tuple[int, str]]:
    return {
        r["ruleId"]: (
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["partialFingerprints"]["cookieSessionFinding/v1"],
        )
        for r in log["runs"][0]["results"]
    }


def test_fingerprints_survive_unrelated_edits_and_change_with_the_finding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    key = make_test_key()
    body = f'import browser_cookie3\nAPI_KEY = "{key}"\n'
    write(tmp_path / "proto.py", body)
    before = _fingerprints(json.loads(migrate("--format", "sarif", "proto.py").output))
    write(tmp_path / "proto.py", '"""Docs added above."""\nimport os\n\n' + body.replace("import", "import  "))
    after = _fingerprints(json.loads(migrate("--format", "sarif", "proto.py").output))
    assert {rule: line + 3 for rule, (line, _) in before.items()} == {rule: line for rule, (line, _) in after.items()}
    assert {rule: fp for rule, (_, fp) in before.items()} == {rule: fp for rule, (_, fp) in after.items()}
    write(tmp_path / "proto.py", body.replace(key, make_test_key()))  # another key is another finding
    assert _fingerprints(json.loads(migrate("--format", "sarif", "proto.py").output))["CS201"] != before["CS201"]
    assert key not in json.dumps(before) and key[-20:] not in json.dumps(before)


def test_two_identical_lines_get_distinct_fingerprints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "p.py", "import browser_cookie3\nimport browser_cookie3\n")
    log = json.loads(migrate("--format", "sarif", "p.py").output)
    prints = [r["partialFingerprints"]["cookieSessionFinding/v1"] for r in log["runs"][0]["results"]]
    assert len(set(prints)) == 2


def test_sarif_paths_are_relative_to_the_repository_even_from_a_subfolder(tmp_path, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / "app" / "proto.py", "import browser_cookie3\n")
    outside = write(tmp_path.parent / f"{tmp_path.name}-outside" / "x.py", "import rookiepy\n")
    monkeypatch.chdir(tmp_path / "app")
    log = json.loads(migrate("--format", "sarif", ".", str(outside)).output)
    _validate(log)
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"])
    assert uris == ["../" + outside.parent.name + "/x.py", "app/proto.py"]
    assert str(tmp_path) not in json.dumps(log)


def test_a_binary_file_named_on_the_command_line_gets_a_notice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01binary")
    result = migrate("blob.bin")
    assert result.output == "notice: blob.bin: skipped: binary file\nNo findings; 0 files scanned.\n"
    assert migrate(".").output == "No findings; 0 files scanned.\n"  # walked, not named: silently skipped
