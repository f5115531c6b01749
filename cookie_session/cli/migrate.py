"""`cookie-session migrate PATH...`: what must change before a prototype leaves a laptop, and `--fix` for it.

Only click is imported here; the scanner (ast, pathspec, git) loads inside the command, and
the fixer (libcst) only when --fix or --diff runs.
"""

from __future__ import annotations

import click

from ..errors import EXIT_FINDINGS, printable_lines

_FORMATS = ("text", "json", "sarif")
_SEVERITIES = ("error", "warning", "note")


def _history_findings(paths, since):
    from pathlib import Path

    from ..migrate.git import GitInfo
    from ..migrate.history import history_findings

    git, findings, tops = GitInfo(), [], set()
    for path in paths:  # each repository once, however many of its paths are named
        top = git.work_tree(Path(path).resolve())
        if top is None or top not in tops:
            tops.add(top)
            findings.extend(history_findings(path, since))
    return findings


def _fix(paths, exclude, *, write: bool) -> bool:
    """Print the diff (write=False) or write the fixes and say what changed; True if anything would change."""
    from ..migrate.fix import apply, plan_fixes, render_diff, render_summary

    plan = plan_fixes(paths, exclude)
    if write:
        apply(plan)
    else:
        click.echo(render_diff(plan), nl=False)
    click.echo(render_summary(plan, applied=write), err=True, nl=False)
    return bool(plan.changes)


@click.command("migrate")
@click.argument("paths", metavar="PATH...", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS),
    default="text",
    show_default=True,
    help="Report format; sarif is SARIF 2.1.0 for code-scanning tools.",
)
@click.option(
    "--fail-on",
    type=click.Choice(_SEVERITIES),
    default="warning",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option(
    "--exclude",
    "-x",
    multiple=True,
    metavar="PATTERN",
    help="Leave out files matching this .gitignore-style pattern (repeatable), e.g. 'vendor/'.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Write the report to FILE instead of standard output.",
)
@click.option(
    "--fix", is_flag=True, help="Rewrite what can be proven (Python, .env) in place, then report what remains."
)
@click.option(
    "--diff", "show_diff", is_flag=True, help="Print the rewrites --fix would make as a unified diff; change nothing."
)
@click.option(
    "--history",
    is_flag=True,
    help="Also search the git history for xAI keys and .env secrets no longer in the work tree.",
)
@click.option("--since", metavar="REV", help="With --history: only commits not reachable from REV.")
def migrate_command(
    paths: tuple[str, ...],
    fmt: str,
    fail_on: str,
    exclude: tuple[str, ...],
    output: str | None,
    fix: bool,
    show_diff: bool,
    history: bool,
    since: str | None,
) -> None:
    """Find what must change before a prototype leaves your laptop: cookie auth, hard-coded keys, the unsafe opt-in.

    Scans PATH... (files and folders, default `.`; .gitignore respected); each finding comes with the
    API-key replacement, and --fix makes the rewrites it can prove.

    Secrets are shown masked. A line with `cookie-session: ignore` (or `ignore[CS101,...]`) in a comment
    is suppressed, and counted. --diff shows the rewrites --fix would make (exit 1 if there are any);
    --fix makes them and reports the findings that remain. Exit 0 when clean, 1 when a finding reaches
    --fail-on, 2 on bad usage.
    """
    if since is not None and not history:
        raise click.UsageError("--since needs --history.")
    if show_diff and fix:
        raise click.UsageError("--diff shows the rewrites and --fix makes them: choose one.")
    if show_diff and output:
        raise click.UsageError("--diff prints to standard output; leave out --output.")
    paths = paths or (".",)
    if show_diff:
        raise SystemExit(EXIT_FINDINGS if _fix(paths, exclude, write=False) else 0)
    if fix:
        _fix(paths, exclude, write=True)

    from ..migrate import render, scan

    result = scan(paths, exclude)
    if history:
        result.findings = sorted(result.findings + _history_findings(paths, since))
    report = render(result, fmt)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(report)
        except OSError as error:
            raise click.FileError(output, hint=error.strerror or str(error)) from None
    else:
        click.echo(printable_lines(report) if fmt == "text" else report, nl=False)  # JSON escapes its own
    if result.at_or_above(fail_on):
        raise SystemExit(EXIT_FINDINGS)
