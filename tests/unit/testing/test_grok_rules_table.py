"""docs/grok-com-rules.md, the dated table of grok.com's rules, stays in step with the stand-in and its tests.

The table is parsed as Markdown: one row per rule (G1, G2, ... in order), each with its evidence dated, a
strength, and `path::symbol` references. Every stand-in reference names a file that exists and a symbol
defined there; every test reference names a test function that exists; every rule id is named by at least
one of its own tests (in the test's name, `test_g4_...`, or docstring, "G4"); every rule and failure switch
of the stand-in appears in the table. The "our code" column names the client the lead is writing; until it
exists, `test_our_code_references_exist` checks only that each cell holds well-formed references.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from paths import REPO

from cookie_session.testing.standin import WEB_FAILURES, WEB_RULES

TABLE = REPO / "docs" / "grok-com-rules.md"
COLUMNS = ["id", "rule", "public evidence and date", "strength", "our code", "the stand-in's code", "the test"]
STRENGTHS = {"strong", "medium", "thin"}
REFERENCE = re.compile(r"`([\w./-]+\.py)::([\w.]+)`")


def _cells(line: str) -> list[str]:
    """A Markdown table row's cells (pipes inside backticks are not separators; the table has none)."""
    return [cell.strip() for cell in line.strip().strip("|").split(" | ")]


def parse_table(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    header, separator, *rows = lines
    assert _cells(header) == COLUMNS, _cells(header)
    assert set(separator.replace("|", "").split()) == {"---"}
    parsed = []
    for line in rows:
        cells = _cells(line)
        assert len(cells) == len(COLUMNS), f"{cells[0]}: {len(cells)} cells"
        parsed.append(dict(zip(COLUMNS, cells, strict=True)))
    return parsed


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return parse_table(TABLE.read_text(encoding="utf-8"))


def defined_names(path: Path) -> set[str]:
    """Dotted names a module defines at its top level and one class level down (`Class.method`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            if isinstance(node, ast.ClassDef):
                names.update(
                    f"{node.name}.{item.name}"
                    for item in node.body
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                )
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def row_problems(rows: list[dict[str, str]]) -> list[str]:
    """What is wrong with the rows: ids out of order, an unknown strength, undated evidence."""
    problems = []
    if [row["id"] for row in rows] != [f"G{n}" for n in range(1, len(rows) + 1)]:
        problems.append(f"ids are not G1..G{len(rows)} in order: {[row['id'] for row in rows]}")
    for row in rows:
        if row["strength"] not in STRENGTHS:
            problems.append(f"{row['id']}: strength {row['strength']!r} is not one of {sorted(STRENGTHS)}")
        if not re.search(r"\b20\d\d(-\d\d)?", row["public evidence and date"]):
            problems.append(f"{row['id']}: evidence is undated")
    return problems


def stand_in_problems(rows: list[dict[str, str]]) -> list[str]:
    """Stand-in references that are missing, outside the stand-in, or name no symbol of their file."""
    problems = []
    for row in rows:
        references = REFERENCE.findall(row["the stand-in's code"])
        if not references:
            problems.append(f"{row['id']}: no stand-in code named")
        for path, symbol in references:
            file = REPO / path
            if not path.startswith("cookie_session/testing/standin/") or not file.is_file():
                problems.append(f"{row['id']}: {path} is not a file of the stand-in")
            elif symbol not in defined_names(file):
                problems.append(f"{row['id']}: {path} defines no {symbol}")
    return problems


def problems_in_test_column(rows: list[dict[str, str]]) -> list[str]:
    """Test references that name no test function, and rows none of whose tests names the rule's id."""
    problems = []
    for row in rows:
        references = REFERENCE.findall(row["the test"])
        functions = []
        for path, name in references:
            file = REPO / path
            found = _test_functions(file).get(name) if path.startswith("tests/") and file.is_file() else None
            if found is None or not name.startswith("test_"):
                problems.append(f"{row['id']}: {path} has no test {name}")
            else:
                functions.append(found)
        if not any(_mentions(row["id"], function) for function in functions):
            problems.append(f"{row['id']}: none of its tests names it (test_g<n>_... or G<n> in the docstring)")
    return problems


def _mentions(rule_id: str, function: ast.FunctionDef) -> bool:
    number = rule_id[1:]
    docstring = ast.get_docstring(function) or ""
    return bool(re.search(rf"(?:^|_)g{number}(?:_|$)", function.name) or re.search(rf"\bG{number}\b", docstring))


def _test_functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_the_table_is_dated_and_its_rows_are_well_formed(rows):
    text = TABLE.read_text(encoding="utf-8")
    assert re.search(r"\*\*As of \d{4}-\d{2}-\d{2}\.\*\*", text), "the table says which day it describes"
    assert row_problems(rows) == []


def test_stand_in_references_exist(rows):
    """Each `path::symbol` of the stand-in's column is a file of the stand-in defining that symbol."""
    assert stand_in_problems(rows) == []


def test_test_references_exist_and_name_their_rule(rows):
    """Each `path::test_name` of the test column is a test function in that file, and at least one of a row's
    tests names the rule's id (`test_g4_...` or "G4" in its docstring)."""
    assert problems_in_test_column(rows) == []


def test_every_rule_id_a_test_names_is_in_the_table(rows):
    """The other way round: a test named `test_g<n>_...` points at a rule that exists."""
    ids = {row["id"] for row in rows}
    for path in (REPO / "tests").rglob("test_*.py"):
        for name in _test_functions(path):
            match = re.match(r"test_g(\d+)_", name)
            assert match is None or f"G{match.group(1)}" in ids, f"{path.name}::{name} names a rule not in the table"


def test_every_stand_in_rule_and_failure_switch_is_in_the_table():
    text = TABLE.read_text(encoding="utf-8")
    for name in (*WEB_RULES, *WEB_FAILURES):
        assert f"`{name}`" in text, f"{name} is not in docs/grok-com-rules.md"


def test_our_code_references_exist(rows):
    """The client column names `transports/grok/<file>.py::<name>`: the file is in the client's grok.com package
    and defines the name (as the stand-in's column is checked)."""
    problems = []
    for row in rows:
        references = REFERENCE.findall(row["our code"])
        if not references:
            problems.append(f"{row['id']}: no client code named")
        for path, symbol in references:
            file = REPO / "cookie_session" / path
            if not path.startswith("transports/grok/") or not file.is_file():
                problems.append(f"{row['id']}: {path} is not a file of transports/grok/")
            elif symbol not in defined_names(file):
                problems.append(f"{row['id']}: {path} defines no {symbol}")
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_broken_table():
    """Each check can fail: a short row, ids out of order, an unknown strength, undated evidence, a missing
    stand-in symbol or file, a missing test, and tests that do not name their rule."""
    header = "| " + " | ".join(COLUMNS) + " |\n| " + " | ".join(["---"] * len(COLUMNS)) + " |\n"
    with pytest.raises(AssertionError):
        parse_table(header + "| G1 | a rule | 2026-08 | strong | x |\n")
    here = "tests/unit/testing/test_grok_rules_table.py"
    broken = parse_table(
        header
        + "| G2 | r | someday | sure | `transports/grok/tls.py::f` "
        + "| `cookie_session/testing/standin/statsig.py::nope`, `cookie_session/testing/standin/gone.py::f` "
        + f"| `{here}::test_missing`, `{here}::test_stand_in_references_exist` |\n"
    )
    assert len(row_problems(broken)) == 3  # G2 first, strength, no date
    assert [p.split(": ", 1)[1] for p in stand_in_problems(broken)] == [
        "cookie_session/testing/standin/statsig.py defines no nope",
        "cookie_session/testing/standin/gone.py is not a file of the stand-in",
    ]
    assert [p.split(": ", 1)[1] for p in problems_in_test_column(broken)] == [
        f"{here} has no test test_missing",
        "none of its tests names it (test_g<n>_... or G<n> in the docstring)",
    ]
