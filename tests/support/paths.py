"""Where things are, for tests in any folder under tests/: the repository, the tests tree and its data."""

from __future__ import annotations

from pathlib import Path

SUPPORT = Path(__file__).resolve().parent
TESTS = SUPPORT.parent
REPO = TESTS.parent
DATA = TESTS / "data"
SCHEMAS = DATA / "schemas"
MIGRATE_CORPUS = TESTS / "migrate_corpus"
