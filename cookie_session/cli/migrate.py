"""`cookie-session migrate PATH...`: what must change before a prototype leaves a laptop.

Only click is imported here; the scanner (ast, pathspec, git) loads inside the command.
"""

from __future__ import annotations

import click

from ..errors import EXIT_FINDINGS, printable_lines

_FORMATS = ("text", "json", "sarif")
_SEVERITIES = ("error", "warning", "note")


@click.command("migrate")
@click.argument("paths", metavar="PATH...", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True,
              help="Report format; sarif is SARIF 2.1.0 for code-scanning tools.")
@click.option("--fail-on", type=click.Choice(_SEVERITIES), default="warning", show_default=True,
              help="Exit 1 when a finding is at least this severe.")
@click.option("--exclude", "-x", multiple=True, metavar="PATTERN",
              help="Leave out files matching this .gitignore-style pattern (repeatable), e.g. 'vendor/'.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write the report to FILE instead of standard output.")
def migrate_command(paths: tuple[str, ...], fmt: str, fail_on: str, exclude: tuple[str, ...],
                    output: str | None) -> None:
    """Scan PATH... (files and folders, default `.`; .gitignore respected) for cookie auth, hard-coded
    secrets and the unsafe opt-in left switched on, each with the API-key replacement.

    Secrets are shown masked. A line with `cookie-session: ignore` (or `ignore[CS101,...]`) in a comment
    is suppressed, and counted. Exit 0 when clean, 1 when a finding reaches --fail-on, 2 on bad usage.
    """
    from ..migrate import render, scan

    result = scan(paths or ["."], exclude)
    report = render(result, fmt)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(report)
        except OSError as error:
            raise click.FileError(output, hint=error.strerror or str(error)) from None
    else:
        click.echo(printable_lines(report) if fmt == "text" else report, nl=False)   # JSON escapes its own
    if result.at_or_above(fail_on):
        raise SystemExit(EXIT_FINDINGS)
