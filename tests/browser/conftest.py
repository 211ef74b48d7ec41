"""Browser-test fixtures: one JupyterLab server and one headless Chromium per session."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from lab_harness import ARTIFACTS, CHROMIUM_ARGS, ROOT, LabSession, _free_port, _user_settings, _write_json

# The fixture notebooks include deliberately broken ones: nbval must not collect them.
collect_ignore_glob = ["fixtures/*"]


def _playwright():
    """Import ``playwright.sync_api``; missing, it fails under `make test` and skips elsewhere.

    `make test` (and `make browser`) export ``EXOLAB_CHROMIUM``; CI services set ``CI``.
    There a missing playwright is a broken set-up that must not pass as "skipped". A
    hand-run ``pytest`` without either variable still skips, with the reason.
    """
    try:
        import playwright.sync_api as sync_api
    except ImportError as exc:
        where = [name for name in ("EXOLAB_CHROMIUM", "CI")
                 if os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")]
        message = (f"playwright is not installed ({exc}); the browser tests need it: "
                   "`.venv/bin/python -m pip install -r requirements.txt`")
        if where:
            pytest.fail(f"{message} (required because {' and '.join(where)} is set)")
        pytest.skip(message)
    return sync_api


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """Yield a :class:`LabSession`; on teardown shut down kernels and kill the server group."""
    chromium = os.environ.get("EXOLAB_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).is_file():
        pytest.fail(f"Chromium not found at {chromium}; set EXOLAB_CHROMIUM or run `make chromium`")
    sync_api = _playwright()

    state = tmp_path_factory.mktemp("lab-state")
    env = dict(os.environ)
    env.update(JUPYTER_CONFIG_DIR=str(state / "jupyter-config"), JUPYTER_DATA_DIR=str(state / "jupyter-data"),
               JUPYTER_RUNTIME_DIR=str(state / "jupyter-runtime"), IPYTHONDIR=str(state / "ipython"),
               MPLCONFIGDIR=str(state / "mpl"), EXOLAB_PROGRESS=str(state / "progress.json"),
               PYTHONHASHSEED="0")
    env.pop("EXOLAB_INSTRUCTOR", None)
    startup = state / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "support" / "no_network.py", startup / "00-no-network.py")
    _user_settings(state / "jupyter-config")

    port, token = _free_port(), secrets.token_hex(24)
    cmd = [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={ROOT}", "--expose-app-in-browser",
           f"--LabApp.workspaces_dir={state / 'workspaces'}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(state / "server.log", "w")
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    session = None
    pw = browser = None
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited ({proc.returncode}):\n{(state / 'server.log').read_text()[-3000:]}")
            try:
                urllib.request.urlopen(urllib.request.Request(
                    base + "api/status", headers={"Authorization": f"token {token}"}), timeout=2).read()
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer /api/status within 60 s (pid {proc.pid})")
                time.sleep(0.2)
        pw = sync_api.sync_playwright().start()
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        session = LabSession(base, token, browser, state / "progress.json")
        session.pid, session.log_path = proc.pid, state / "server.log"
        yield session
    finally:
        if session is not None:
            session.shutdown_kernels()
            if session.timings:
                path = ARTIFACTS / "timings.json"
                old = json.loads(path.read_text()) if path.exists() else {}
                old.update(session.timings)
                _write_json(path, old)
        if browser is not None:
            browser.close()
        if pw is not None:
            pw.stop()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()
