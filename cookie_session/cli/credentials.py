"""`status`, `whoami` and `cookies`: which credential is in use, who it acts as, what a profile holds."""

from __future__ import annotations

import click

from ..errors import EXIT_NO_CREDENTIALS, CookieSessionError, printable
from ..settings import API_KEY_ENV
from ._common import (
    auth_options,
    browser_options,
    client_for,
    client_with,
    merge_profile_dir,
    pop_credentials,
    print_json,
)
from ._errors import CliError, cli_text
from ._progress import waiting


def _echo(text: str = "") -> None:
    """One line on stdout with control and escape characters from cookies, files or servers shown escaped."""
    click.echo(printable(text))


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@click.command("status")
@auth_options
@click.option("--check", is_flag=True, help="Also make a live probe with the chosen credential.")
@click.option("--json", "as_json", is_flag=True, help='Machine-readable output (README, "JSON output").')
def status_command(check: bool, as_json: bool, **options) -> None:
    """Show every credential source (masked), the one in use and why, and the locality verdict."""
    from ..auth.base import credential_fields
    from ..auth.chain import inspect_credentials

    report = inspect_credentials(**pop_credentials(options))
    chosen, verdict = report.chosen, report.verdict
    data = {
        "sources": [
            {"source": c.source, "found": c.found, "detail": c.detail, "in_use": c is chosen} for c in report.checks
        ],
        "in_use": credential_fields(report.authenticator) if report.authenticator else None,
        "reason": report.reason,
        "locality": {
            "local": verdict.local,
            "reasons": list(verdict.reasons),
            "container": list(verdict.container),
            "container_vouched": verdict.container_vouched,
        },
    }
    probe_error = None
    if check and report.authenticator is not None:
        try:
            with client_with(report.authenticator, options) as client, waiting("Checking the credential"):
                data["check"] = {"ok": True, **client.whoami().to_dict()}
        except CookieSessionError as error:
            probe_error = error
            data["check"] = {"ok": False, "error": cli_text(error)}
    if as_json:
        print_json(data)
    else:
        _print_status(data, report.authenticator, verdict)
    if report.authenticator is None:
        if report.error is not None:
            raise report.error
        where = "in the document's `sources`" if as_json else "listed above"
        raise CliError(
            f"No credentials found (every source tried is {where}). Set {API_KEY_ENV} (create a key at console.x.ai)",
            EXIT_NO_CREDENTIALS,
        )
    if probe_error is not None:
        raise probe_error


def _print_status(data: dict, authenticator, verdict) -> None:
    _echo("Credential sources, in chain order:")
    for item in data["sources"]:
        mark = "*" if item["in_use"] else ("+" if item["found"] else "-")
        _echo(f"  {mark} {item['source']}: {item['detail']}")
    _echo(f"In use: {authenticator.describe() if authenticator else 'nothing'} ({data['reason']})")
    _echo(f"Locality (for browser cookies): {verdict}")
    if verdict.only_container:
        _echo("  (if this container runs on your own machine: --container-is-local)")
    if "check" in data:
        result = data["check"]
        _echo(
            f"Check: ok, {result['name']!r} ({result['auth_kind']}), usable: {_yes_no(result['usable'])}"
            if result["ok"]
            else f"Check: failed: {result['error']}"
        )


@click.command("whoami")
@auth_options
@click.option("--json", "as_json", is_flag=True, help='Machine-readable output (README, "JSON output").')
def whoami_command(as_json: bool, **options) -> None:
    """Show who the credential acts as (key name, team, ACLs, status)."""
    with client_for(options) as client, waiting("Asking who this credential is"):
        identity = client.whoami()
        authenticator = client.authenticator
    if as_json:
        from ..auth.base import credential_fields

        print_json({**identity.to_dict(), "credential": credential_fields(authenticator)})
        return
    _echo(f"Credential: {authenticator.describe()}")
    _echo(f"Name:       {identity.name}")
    _echo(f"Team:       {identity.team_id}")
    if identity.user_id:
        _echo(f"User:       {identity.user_id}")
    _echo(f"ACLs:       {', '.join(identity.acls) or '(none)'}")
    _echo(
        f"Usable:     {_yes_no(identity.usable)} (blocked: {_yes_no(identity.api_key_blocked)}, "
        f"disabled: {_yes_no(identity.api_key_disabled)}, team blocked: {_yes_no(identity.team_blocked)})"
    )


@click.command("cookies")
@browser_options
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Machine-readable output: cookies[] of {name, domain, path, "
    "expires, size, secure, http_only, sent_to_grok_com}.",
)
def cookies_command(as_json: bool, **options) -> None:
    """List every grok.com and x.ai cookie a profile holds, never the value.

    For each: name, domain, path, expiry, size, secure/http-only, and whether it is sent to grok.com."""
    from ..auth.cookie_rules import sent_with
    from ..browsers import load_xai_cookies
    from ..policy import check_browser_cookie_use
    from ..settings import WEB_BASE_URL
    from ..transports.grok.endpoints import REQUEST_PATHS

    options = merge_profile_dir(options)
    check_browser_cookie_use(options["unsafe_browser_cookies"], container_is_local=options["container_is_local"])
    load = load_xai_cookies(
        options["browser"],
        profile=options["profile"],
        cookie_file=options["cookie_file"],
        container=options["container"],
        include_subdomains=True,
    )
    rows = [
        {
            "name": c.name,
            "domain": c.domain,
            "path": c.path,
            "expires": _iso(c.expires),
            "size": len(c.value),
            "secure": c.secure,
            "http_only": c.http_only,
            # sent with any request the project makes: identity, modes (every /rest/ path alike), the chat gateway
            "sent_to_grok_com": any(sent_with(c, WEB_BASE_URL + path) for path in REQUEST_PATHS),
        }
        for c in load.cookies
    ]
    if as_json:
        print_json(
            {
                "browser": load.browser,
                "profile": load.profile,
                "cookie_file": str(load.cookie_file),
                "cookies": rows,
                "notes": list(load.notes),
            }
        )
        return
    _echo(f"{len(rows)} xAI cookies in {load.browser}/{load.profile} ({load.cookie_file}):")
    _echo(f"  {'NAME':<16} {'DOMAIN':<18} {'PATH':<8} {'EXPIRES':<25} {'SIZE':>5}  {'FLAGS':<16} SENT TO GROK.COM")
    for row in rows:
        flags = ",".join(flag for flag, on in (("secure", row["secure"]), ("http-only", row["http_only"])) if on)
        _echo(
            f"  {row['name']:<16} {row['domain']:<18} {row['path']:<8} "
            f"{row['expires'] or 'at session end':<25} {row['size']:>5}  {flags or '-':<16} "
            f"{'yes' if row['sent_to_grok_com'] else 'no'}"
        )
    for note in load.notes:
        _echo(f"Note: {note}")


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    import datetime

    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).isoformat(timespec="seconds")
