"""Old import path, kept working: `cookie_session.demo` now lives in `cookie_session.testing.demo`.

The module object itself is the new one, so attributes, `monkeypatch` targets and
`isinstance` checks agree whichever path was imported.
"""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("cookie_session.testing.demo")
