"""Shared fixtures: a clean environment for every test, and a running stand-in."""

from __future__ import annotations

import os

import pytest

import cookie_session.policy as policy
from cookie_session.policy import LOCALITY_MARKERS
from cookie_session.testing.standin import StandIn

PROJECT_ENV = ("XAI_API_KEY", "XAI_BASE_URL", "GROK_WEB_BASE_URL", "GROK_USER_AGENT")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No test sees the developer's keys, CI markers, proxies or .env: each starts in an empty directory."""
    for name in list(os.environ):
        if (
            name in PROJECT_ENV
            or name in LOCALITY_MARKERS
            or name.startswith("COOKIE_SESSION_")
            or name.lower().endswith("_proxy")
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def standin():
    with StandIn() as server:
        yield server


@pytest.fixture
def laptop(monkeypatch):
    """This test machine is a container; the verdict's other checks still run for real."""
    monkeypatch.setattr(policy, "CONTAINER_FILES", ())
