"""The `migrate` corpus: small prototypes with their expected findings, and look-alikes that must stay silent.

tests/migrate_corpus/expected.json says what each file must produce ([line, rule_id]);
the corpus is copied into a temporary git work tree first (see its `about`), with fresh
random keys of the real shape and obviously fake ones, so no key-shaped string is ever committed.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import string
import subprocess
import uuid
from pathlib import Path

import pytest
from paths import MIGRATE_CORPUS

from cookie_session.migrate import render, scan
from cookie_session.testing.standin import make_test_key

CORPUS = MIGRATE_CORPUS
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
FIX_EXPECTED = CORPUS / "fix" / "expected"


def _random_token() -> str:
    return "tok" + secrets.token_hex(20) + "Z"


def random_session_jwt() -> str:
    """A fresh value shaped like grok.com's `sso` cookie: a signed JWT (`eyJ...`), never a real one."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    claims = {"session_id": str(uuid.uuid4()), "nonce": secrets.token_hex(8)}
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{secrets.token_urlsafe(32)}"


def random_clearance() -> str:
    """A fresh value shaped like Cloudflare's `cf_clearance` cookie."""
    return f"{secrets.token_urlsafe(32)}-{1764900000 + secrets.randbelow(10**6)}-1.2.1.1-{secrets.token_urlsafe(48)}"


KEY_ALPHABET = string.ascii_lowercase + string.digits + string.ascii_uppercase + "_"
FAKE_KEY = re.compile(r"\{\{FAKE_KEY:(\w+?)(\*?)\}\}")


def _fake_key(match: re.Match) -> str:
    """`{{FAKE_KEY:x*}}`: `xai-` + the unit repeated; `{{FAKE_KEY:EXAMPLE}}`: `xai-` + the word + the alphabet."""
    unit, repeat = match.groups()
    body = unit * 80 if repeat else unit + KEY_ALPHABET * 2
    return "xai-" + body[:80]


def materialize(target: Path, standin_key: str | None = None) -> list[tuple[str, str]]:
    """Copy the corpus to `target` as a git work tree; return `(path, value)` for every secret substituted in.

    `{{STANDIN_KEY}}` becomes `standin_key` (a key the stand-in knows), or a fresh random key; `{{SSO}}` a random
    JWT shaped like grok.com's `sso` cookie, `{{CLEARANCE}}` a random `cf_clearance` value. The expected
    results of `--fix` (`fix/expected/`) are not part of the scanned corpus."""
    planted = []
    for source in sorted(CORPUS.rglob("*")):
        if not source.is_file() or source.name == "expected.json" or FIX_EXPECTED in source.parents:
            continue
        parts = [("." + part[4:]) if part.startswith("dot-") else part for part in source.relative_to(CORPUS).parts]
        text = FAKE_KEY.sub(_fake_key, source.read_text(encoding="utf-8"))
        for placeholder, make in (
            ("{{XAI_KEY}}", make_test_key),
            ("{{TOKEN}}", _random_token),
            ("{{SSO}}", random_session_jwt),
            ("{{CLEARANCE}}", random_clearance),
            ("{{STANDIN_KEY}}", lambda: standin_key or make_test_key()),
        ):
            while placeholder in text:
                value = make()
                planted.append(("/".join(parts), value))
                text = text.replace(placeholder, value, 1)
        destination = target.joinpath(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "add", "--", *EXPECTED["git_tracked"]], check=True)
    return planted


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    planted = materialize(root)
    monkeypatch.chdir(root)
    return root, planted


def expected_set() -> set[tuple[str, int, str]]:
    return {(path, line, rule) for path, hits in EXPECTED["files"].items() for line, rule in hits}


def test_precision_and_recall_are_one(corpus, capsys):
    result = scan(["."])
    found = {(f.path, f.line, f.rule_id) for f in result.findings}
    expected = expected_set()
    true_positives = found & expected
    precision = len(true_positives) / len(found) if found else 1.0
    recall = len(true_positives) / len(expected)
    lookalikes = [path for path, hits in EXPECTED["files"].items() if not hits]
    with capsys.disabled():
        print(
            f"\nmigrate corpus: {len(EXPECTED['files'])} files ({len(EXPECTED['files']) - len(lookalikes)} with "
            f"findings, {len(lookalikes)} look-alikes, {len(EXPECTED['ignored'])} git-ignored), "
            f"{len(expected)} expected findings, {len(set(r for *_, r in expected))} rules exercised; "
            f"precision {precision:.3f}, recall {recall:.3f}"
        )
    assert found - expected == set(), "false positives"
    assert expected - found == set(), "missed findings"
    assert precision == recall == 1.0


def test_every_rule_is_exercised_by_the_corpus():
    from cookie_session.migrate import RULES

    history_only = {"CS207"}  # a secret git history holds: tests/unit/migrate/test_migrate_history.py
    assert {rule for *_, rule in expected_set()} == set(RULES) - history_only


def test_every_corpus_file_is_declared(corpus):
    root, _ = corpus
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    declared = set(EXPECTED["files"]) | set(EXPECTED["ignored"]) | {".gitignore"}
    assert on_disk == declared


def test_gitignored_folder_is_not_scanned_but_a_named_file_is(corpus):
    result = scan(["."])
    assert not [f for f in result.findings if f.path.startswith("ignored_dir/")]
    named = scan(["ignored_dir/leaked.py"])  # pre-commit style: named files are always scanned
    assert {f.rule_id for f in named.findings} == {"CS101", "CS201"}


def test_lookalikes_alone_are_clean(corpus):
    result = scan(["lookalikes"])
    assert result.findings == []
    assert result.files_scanned == len([p for p in EXPECTED["files"] if p.startswith("lookalikes/")])


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_no_planted_secret_in_any_output(corpus, fmt):
    _, planted = corpus
    result = scan(["."])
    output = render(result, fmt)
    assert planted and all(value not in output for _, value in planted)
    assert all(
        f"xai-…{value[-4:]}" in output
        for path, value in planted  # each key is reported by its fingerprint
        if value.startswith("xai-") and path not in EXPECTED["ignored"]
    )


def test_the_syntax_error_fallback_is_announced(corpus):
    result = scan(["prototypes/broken_syntax.py"])
    assert [n.message for n in result.notices] == [
        "not valid Python (line 4): scanned by pattern, comments skipped, docstrings not"
    ]


def test_how_much_of_the_corpus_fix_migrates(corpus, capsys):
    """The closing-note figures: of the corpus files with findings, how many --fix leaves with none (fully), with
    fewer (partly) or untouched (not at all). The fix/ prototypes pin their own outcome."""
    from cookie_session.migrate.fix import apply, plan_fixes

    before = scan(["."])
    plan = plan_fixes(["."])
    apply(plan)
    after = scan(["."])
    changed = {change.shown for change in plan.changes}
    counts = {path: sum(f.path == path for f in after.findings) for path in {f.path for f in before.findings}}
    fully = sorted(path for path, left in counts.items() if left == 0)
    partly = sorted(path for path, left in counts.items() if left and path in changed)
    untouched = sorted(path for path, left in counts.items() if left and path not in changed)
    with capsys.disabled():
        print(
            f"\nmigrate --fix on the corpus: {len(counts)} files with findings; fully migrated {len(fully)}, "
            f"partly {len(partly)}, not at all {len(untouched)}; findings {len(before.findings)} -> "
            f"{len(after.findings)}\n  fully: {fully}\n  partly: {partly}"
        )
    assert {p for p in fully if p.startswith("fix/")} == {f"fix/{p.name}" for p in FIX_EXPECTED.glob("*.py")}
    assert not [p for p in partly + fully if p.startswith("fix/leave_")]
    assert "prototypes/Dockerfile" in fully  # its only findings were the opt-in
    assert all(not p.endswith((".json", ".js", ".md", ".ipynb")) for p in changed), "JSON, code, prose: untouched"
