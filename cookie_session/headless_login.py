"""Old import path, kept working: `cookie_session.headless_login` now lives in `cookie_session.testing.headless`.

The module object itself is the new one, so attributes, `monkeypatch` targets and
`isinstance` checks agree whichever path was imported.
"""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("cookie_session.testing.headless")
