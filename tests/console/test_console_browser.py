"""The web console in real headless Chromium (the system's ``chromium`` package, driven by
Playwright for Python; no browser is downloaded): ``apprm serve`` on a lab, log in, start a
backup, watch it complete, preview and run a restore, read the result (ECO-I2).

``APPRM_SCREENSHOTS=DIR`` also saves a PNG of each page there (docs/console.md uses them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.api.conftest import ROOT, make_lab

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
TIMEOUT_MS = 20000


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (Debian package chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright for Python is not installed"
    return None


@pytest.fixture(autouse=True)
def _browser() -> None:
    reason = _browser_missing()
    if reason is not None:
        if os.environ.get("APPRM_CI"):  # .ci/run installs it: there, missing is a failure
            pytest.fail(reason)
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(home: Path, port: int) -> subprocess.Popen[str]:
    apprm = shutil.which("apprm", path=str(Path(sys.executable).parent)) or "apprm"
    env = {**os.environ, "APPRM_HOME": str(home)}
    env.pop("APPRM_IDB_URL", None)
    cmd = [apprm, "serve", "--port", str(port), "--scenarios", str(ROOT / "scenarios")]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(
                    f"apprm serve ended: {proc.stdout.read() if proc.stdout else ''}"
                ) from None
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("apprm serve did not answer in 20 s")


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    home = tmp_path / "lab"
    make_lab(home)
    from apprm_ref.api.auth import issue

    token = issue(home, "operator")
    port = _free_port()
    proc = _serve(home, port)
    try:
        yield f"http://127.0.0.1:{port}", token
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("APPRM_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"console-{name}.png"), full_page=True)


@pytest.mark.rule("ECO-I2")
def test_log_in_back_up_watch_it_complete_preview_and_restore(served, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    url, token = served
    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1200, "height": 800},
        )  # fmt: skip
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(url + "/")
            expect(page).to_have_url(url + "/login")  # no token: the login page
            _shot(page, "login")
            page.fill("#token", token)
            page.click("#login")
            expect(page.locator("#role")).to_have_text("operator")
            expect(page.locator("#current")).to_contain_text("No currently running sessions.")
            page.select_option("#backup-spec", "fs_eva")
            page.click("#start-backup")
            expect(page).to_have_url(url + "/sessions/2008/03/03-1")
            # the monitor follows the session's messages live, then shows the committed record
            expect(page.locator("#status")).to_have_text("Completed")
            expect(page.locator("#messages[data-live=no]")).to_contain_text("fs_eva#1 created")
            _shot(page, "session")
            page.click("text=Dashboard")
            expect(page.locator("#previous")).to_contain_text("2008/03/03-1")
            expect(page.locator("#previous")).to_contain_text("Completed")
            _shot(page, "dashboard")
            page.click("text=Replicas")
            expect(page.locator("table.replicas")).to_contain_text("fs_eva#1")
            _shot(page, "replicas")
            page.click("text=Restore")
            page.select_option("#restore-spec", "fs_eva")
            page.click("#preview")
            expect(page.locator("#verdict-text")).to_have_text(
                "Restorable: replica fs_eva#1 can be recovered to the target."
            )
            page.click("#confirm")
            expect(page.locator("#result-status")).to_have_text("Completed")
            expect(page.locator("#result")).to_contain_text("Instant recovery from fs_eva#1")
            _shot(page, "restore")
            page.click("text=Dashboard")
            expect(page.locator("#previous")).to_contain_text("Restore")
            if os.environ.get("APPRM_SCREENSHOTS"):  # the drill pages, for the documentation
                page.click("text=Drills")
                page.select_option("#drill-scenario", "eva-ir-switch")
                page.click("#run-drill")
                expect(page.locator("#expectations")).to_contain_text("pass")
                _shot(page, "drill")
                page.click("text=Drills")
                _shot(page, "drills")
        finally:
            browser.close()
