"""The browser tests skip cleanly without Chromium, except under CI, where that is a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.desk.browser import conftest as gate


def test_without_chromium_the_browser_tests_skip_unless_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        gate._need_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium is not installed"):
        gate._need_browser()
