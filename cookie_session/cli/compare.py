"""`cookie-session compare`: the same prompt through every auth method, side by side."""

from __future__ import annotations

import shutil
import textwrap

import click

from ..policy import DEFAULT_MODEL
from ._common import compare_options, connection, print_json

LABEL_WIDTH = 22


@click.command("compare")
@compare_options
@click.argument("prompt")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help="Model to ask.")
@click.option("--max-tokens", type=click.IntRange(min=1), help="Upper bound on each answer's length.")
@click.option("--repeat", type=click.IntRange(1, 100), default=1, show_default=True,
              help="Ask N times per method; times are medians.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: prompt, model, repeat, methods[].")
@click.pass_context
def compare_command(ctx: click.Context, prompt: str, model: str, max_tokens, repeat: int, as_json: bool,
                    **options) -> None:
    """Ask PROMPT through the API key and the browser session, and show them side by side.

    A method that is unavailable or fails shows its error in its column; the other still runs.
    Exits 0 when at least one method answered, else with the first method's error code.
    """
    from ..compare import compare_methods

    client_options = connection(options)
    comparison = compare_methods(prompt, model=model, max_tokens=max_tokens, repeat=repeat,
                                 client_options=client_options, **options)
    if as_json:
        print_json(comparison.to_dict())
    else:
        click.echo(render_table(comparison))
    if not comparison.any_ok:
        ctx.exit(comparison.methods[0].exit_code or 1)


def render_table(comparison) -> str:
    """The comparison as rows of attributes and one column per method, wrapped to the terminal."""
    width = shutil.get_terminal_size((120, 24)).columns
    column = max(24, (width - LABEL_WIDTH) // len(comparison.methods) - 2)
    runs = f"(medians of {comparison.repeat} runs)" if comparison.repeat > 1 else ""
    rows = [(runs, [m.label for m in comparison.methods])] + [
        (label, [value(m) for m in comparison.methods]) for label, value in (
            ("officially supported", lambda m: _yes_no(m.officially_supported)),
            ("endpoint", lambda m: m.endpoint or "-"),
            ("outcome", lambda m: "ok" if m.ok else f"failed: {m.error}"),
            ("first token", lambda m: _seconds(m.time_to_first_token)),
            ("total time", lambda m: _seconds(m.total_time)),
            ("model", lambda m: m.model or "-"),
            ("answer", lambda m: m.answer_excerpt or "-"),
            ("tokens", _tokens),
            ("from", lambda m: m.credential_source or "-"),
            ("expires", lambda m: m.expires or "-"),
            ("can reach", lambda m: m.reach or "-"),
            ("revocable on its own", lambda m: m.revocable_alone),
            ("may run in CI", lambda m: _yes_no(m.allowed_in_ci)),
        )]
    lines = []
    for label, values in rows:
        cells = [textwrap.wrap(v, column, break_on_hyphens=False) or [""] for v in values]
        for index in range(max(len(c) for c in cells)):
            head = label if index == 0 else ""
            lines.append(f"{head:<{LABEL_WIDTH}}" + "  ".join(f"{c[index] if index < len(c) else '':<{column}}"
                                                            for c in cells).rstrip())
    return "\n".join(lines)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _tokens(report) -> str:
    usage = report.usage
    if usage.total_tokens is None:
        return "not reported" if report.ok else "-"
    return f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion = {usage.total_tokens}"
