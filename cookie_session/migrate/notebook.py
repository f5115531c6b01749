"""A Jupyter notebook scanned as a notebook: each code cell as Python, every cell and every output for secrets.

`notebook_hits(text)` parses the `.ipynb` JSON and yields one `NotebookHit` per finding, located by cell
(1-based, as Jupyter numbers them top to bottom), line in the cell, and whether it is in the cell's output (a
printed cookie jar, a key echoed by `print`); `file_line` is the line of the `.ipynb` file that holds it (the
layout Jupyter writes: one source or output line per JSON line), 1 when the file is laid out otherwise. A code
cell is scanned on its syntax tree (IPython magics and shell escapes, `%...` / `!...`, blanked first); one that
does not parse, by pattern. Returns None when the text is not notebook JSON (the caller scans it by line).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from .patterns import grok_context, secret_values
from .python_scan import scan_python
from .text_scan import _code_part, _pattern_hits

__all__ = ["NotebookHit", "notebook_hits"]

#: How far ahead a cell line is looked for in the file (bounded, so a notebook laid out otherwise stays linear).
_SEARCH_LINES = 200


@dataclass(frozen=True)
class NotebookHit:
    file_line: int
    col: int
    rule_id: str
    detail: str | None
    masked: str | None
    cell: int
    cell_line: int
    in_output: bool


def _strings(value) -> list[str]:
    """A notebook text field (a string or a list of strings) as its lines."""
    if isinstance(value, list):
        value = "".join(item for item in value if isinstance(item, str))
    return value.splitlines() if isinstance(value, str) else []


def _output_lines(output: dict) -> list[str]:
    lines = _strings(output.get("text"))
    data = output.get("data")
    for value in data.values() if isinstance(data, dict) else ():
        lines += _strings(value) if isinstance(value, (str, list)) else json.dumps(value).splitlines()
    lines += _strings(output.get("traceback"))
    return lines


class _FileLines:
    """Finds the `.ipynb` line holding each cell line, moving forward through the file as Jupyter laid it out."""

    def __init__(self, raw: list[str]) -> None:
        self.raw, self.at = raw, 0

    def find(self, text: str, start: int | None = None) -> int:
        """The 1-based line holding `text` at or after `start` (default: after the last one found), else 1."""
        forms = {json.dumps(text, ensure_ascii=False)[1:-1], json.dumps(text)[1:-1]}  # Jupyter's, and ASCII-only
        first = self.at if start is None else start
        for index in range(first, min(len(self.raw), first + _SEARCH_LINES)):
            if any(form in self.raw[index] for form in forms):
                self.at = max(self.at, index + 1)
                return index + 1
        return 1


def notebook_hits(text: str, raw_lines: list[str]) -> list[NotebookHit] | None:
    try:
        notebook = json.loads(text)
    except ValueError:
        return None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None
    context = grok_context(text)
    where = _FileLines(raw_lines)
    hits: list[NotebookHit] = []
    for number, cell in enumerate(notebook["cells"], 1):
        if not isinstance(cell, dict):
            continue
        source = _strings(cell.get("source"))
        cell_start = where.at  # Jupyter writes a cell's outputs before its source
        lines = [(line, where.find(line) if line.strip() else 1) for line in source]
        for cell_line, (line, file_line) in enumerate(lines, 1):
            for hit in secret_values(line, in_grok_context=context):
                hits.append(
                    NotebookHit(file_line, hit.col + 1, hit.rule_id, None, hit.masked, number, cell_line, False)
                )
        if cell.get("cell_type") == "code":
            hits += _code_hits([line for line, _ in lines], [file_line for _, file_line in lines], number)
        outputs = cell.get("outputs")
        for output in outputs if isinstance(outputs, list) else ():
            if not isinstance(output, dict):
                continue
            for cell_line, line in enumerate(_output_lines(output), 1):
                for hit in secret_values(line, in_grok_context=context):
                    file_line = where.find(line, cell_start)
                    hits.append(
                        NotebookHit(file_line, hit.col + 1, hit.rule_id, None, hit.masked, number, cell_line, True)
                    )
    return hits


def _code_hits(source: list[str], file_lines: list[int], cell: int) -> Iterator[NotebookHit]:
    code = ["" if line.lstrip().startswith(("%", "!")) else line for line in source]  # IPython magics and shell escapes
    try:
        found = [(line, col, rule_id, detail) for line, col, rule_id, detail in scan_python("\n".join(code) + "\n")]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        found = [
            hit
            for number, line in enumerate(code, 1)
            for hit in _pattern_hits("notebook", number, _code_part(line, ("#",)))
        ]
    for line, col, rule_id, detail in found:
        if rule_id in ("CS201", "CS204", "CS208"):
            continue  # secrets are searched on every line already (split keys included below)
        file_line = file_lines[line - 1] if 0 < line <= len(file_lines) else 1
        yield NotebookHit(file_line, col, rule_id, detail, None, cell, line, False)
    yield from _split_keys(code, file_lines, cell)


def _split_keys(code: list[str], file_lines: list[int], cell: int) -> Iterator[NotebookHit]:
    from .python_ast import split_key_lines

    seen: set[str] = set()
    for line, masked in sorted(split_key_lines("\n".join(code) + "\n").items()):
        if masked not in seen:
            seen.add(masked)
            file_line = file_lines[line - 1] if 0 < line <= len(file_lines) else 1
            yield NotebookHit(file_line, 1, "CS201", masked, masked, cell, line, False)
