"""What this machine has installed, and what CI must have: a missing browser skips locally and fails in CI."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")  # read at import: clean_env removes CI


def require(find, package: str) -> str:
    """The executable `find()` returns; skip when it is missing, or fail when CI should have installed it."""
    exe = find()
    if exe is None:
        if IN_CI:
            pytest.fail(f"{package} is not installed but CI is set: .ci/run must apt-get install {package}")
        pytest.skip(f"{package} is not installed (apt-get install {package})")
    return exe
