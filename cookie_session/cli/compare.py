"""`cookie-session compare`: the same prompt through every auth method, side by side."""

from __future__ import annotations

import shutil

import click

from ..errors import printable_lines
from ..settings import DEFAULT_MODEL
from ._common import compare_options, connection, merge_profile_dir, print_json
from ._progress import waiting


@click.command("compare")
@compare_options
@click.argument("prompt")
@click.option("--model", help=f"The API's model to ask (default {DEFAULT_MODEL}).")
@click.option("--mode", help="grok.com's chat mode to ask (default auto; `models` on the browser session lists them).")
@click.option("--max-tokens", type=click.IntRange(min=1), help="Upper bound on each answer's length.")
@click.option(
    "--repeat",
    type=click.IntRange(1, 100),
    default=1,
    show_default=True,
    help="Ask N times per method; times are medians.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object: schema_version, prompt, model, mode, repeat, methods[]."
)
@click.pass_context
def compare_command(
    ctx: click.Context, prompt: str, model, mode, max_tokens, repeat: int, as_json: bool, **options
) -> None:
    """Ask PROMPT through the API key and the browser session, and show them side by side.

    A method that is unavailable or fails shows its error in its column; the other still runs.
    Exits 0 when at least one method answered, else with the first method's error code.
    """
    from ..compare import compare_methods, render_table
    from ._errors import cli_text

    client_options = connection(merge_profile_dir(options))
    with waiting(f"Asking each method {repeat} time{'s' if repeat > 1 else ''}"):
        comparison = compare_methods(
            prompt,
            model=model,
            mode=mode,
            max_tokens=max_tokens,
            repeat=repeat,
            client_options=client_options,
            describe_error=cli_text,  # the refusals in command-line words (--unsafe-browser-cookies, not =True)
            **options,
        )
    if as_json:
        print_json(comparison.to_dict())
    else:
        click.echo(printable_lines(render_table(comparison, width=shutil.get_terminal_size((120, 24)).columns)))
    if not comparison.any_ok:
        ctx.exit(comparison.methods[0].exit_code or 1)
