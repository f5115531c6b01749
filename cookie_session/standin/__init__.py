"""Old import path, kept working: the stand-in now lives in `cookie_session.testing.standin`.

The package and each of its submodules are aliased to the new module objects, so
`cookie_session.standin.web_side` and `cookie_session.testing.standin.web_side` are one module.
"""

import importlib
import sys

_NEW = "cookie_session.testing.standin"
_SUBMODULES = ("api_side", "web_side", "client_hello", "h2_fingerprint", "chromium_profile")

for _name in _SUBMODULES:
    sys.modules[f"{__name__}.{_name}"] = importlib.import_module(f"{_NEW}.{_name}")
sys.modules[__name__] = importlib.import_module(_NEW)
