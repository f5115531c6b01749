"""`evaluate(js)` on the headless drivers: the value of a script run in the page, promises awaited."""

from __future__ import annotations

import pytest
from installed import require

from cookie_session.testing.headless import (
    BrowserLaunchError,
    HeadlessChromium,
    HeadlessFirefox,
    find_chromium,
    find_firefox,
)

pytestmark = pytest.mark.real_browser


@pytest.mark.parametrize(
    "driver, find, package",
    [(HeadlessChromium, find_chromium, "chromium"), (HeadlessFirefox, find_firefox, "firefox-esr")],
)
def test_evaluate_returns_values_awaits_promises_and_reports_errors_in_one_line(tmp_path, driver, find, package):
    require(find, package)
    with driver(tmp_path / "profile") as browser:
        assert browser.evaluate("1 + 1") == 2
        assert browser.evaluate("new Promise(r => setTimeout(() => r({a: [1, 'x']}), 50))") == {"a": [1, "x"]}
        assert browser.evaluate("navigator.userAgent") == browser.user_agent
        with pytest.raises(BrowserLaunchError, match="no such thing") as raised:
            browser.evaluate("Promise.reject(new Error('no such thing'))")
        assert "\n" not in str(raised.value)
        assert browser.evaluate("'still usable'") == "still usable"
