"""Every setting, defined once (stdlib only, imports nothing).

The library, the CLI (its `envvar=` and help texts), the pytest plugin, the migration scanner
and the demo all read these names from here; change a default here and every one follows.
"""

from __future__ import annotations

# --- environment variables ---------------------------------------------------------------

API_KEY_ENV = "XAI_API_KEY"  #: the official API key
API_BASE_URL_ENV = "XAI_BASE_URL"  #: the API root, e.g. a loopback stand-in
WEB_BASE_URL_ENV = "GROK_WEB_BASE_URL"  #: the grok.com root, e.g. a loopback stand-in
USER_AGENT_ENV = "GROK_USER_AGENT"  #: the User-Agent the web path sends (else the browser's own)

#: The browser-cookie opt-in: this variable must hold exactly `UNSAFE_ENV_VALUE`.
UNSAFE_ENV_VAR = "COOKIE_SESSION_UNSAFE_BROWSER_COOKIES"
#: The deliberate word the opt-in must hold; `1`, `true` or `yes` do not count.
UNSAFE_ENV_VALUE = "i-understand-the-risks"
#: The CLI flag with the same meaning as the opt-in variable.
UNSAFE_FLAG = "--unsafe-browser-cookies"

#: Vouches that the container this runs in is the user's own machine: must hold `CONTAINER_ENV_VALUE`.
CONTAINER_ENV_VAR = "COOKIE_SESSION_CONTAINER_IS_LOCAL"
#: The word that vouches for the container; `1` or `true` do not count.
CONTAINER_ENV_VALUE = "yes"

#: How a credential is chosen: walk the chain, the API key only, or the browser session only.
AUTH_MODES = ("auto", "api-key", "browser")

# --- services ------------------------------------------------------------------------------

API_BASE_URL = "https://api.x.ai/v1"
WEB_BASE_URL = "https://grok.com"
DEFAULT_MODEL = "grok-4"

# --- time, size and retries ----------------------------------------------------------------

DEFAULT_TIMEOUT = (5.0, 120.0)  #: (connect, read) seconds; a long answer can take a while to start
DEFAULT_DEADLINE = 600.0  #: seconds for a whole call, retries and streaming included
DEFAULT_MAX_ANSWER_BYTES = 10 * 2**20  #: the answer text of one call

RETRY_MAX_RETRIES = 3  #: retries after the first attempt
RETRY_BACKOFF = 0.5  #: seconds before the first retry (doubling, with jitter)
RETRY_MAX_WAIT = 8.0  #: the longest single wait
RETRY_BUDGET = 20.0  #: total seconds spent waiting across retries
