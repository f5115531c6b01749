"""Old import path, kept working: `cookie_session.browser_auth` now lives in `cookie_session.auth.browser`.

The module object itself is the new one, so attributes, `monkeypatch` targets and
`isinstance` checks agree whichever path was imported.
"""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("cookie_session.auth.browser")
